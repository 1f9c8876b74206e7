import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { AppContext } from '../context.js';
import { createSender } from '../senders/senders.js';
import { createTestContext } from '../testing/test-server.js';
import { resendDeadLetters } from './dead-letters.js';

let ctx: AppContext;
before(async () => {
  ctx = await createTestContext();
});
after(() => ctx.db.close());

let counter = 0;

/** A subscription of `senderId` to `eventType` with `dead` dead letters, each dead-lettered at `diedAt`. */
async function deadLetters(senderId: string, eventType: string, dead: number, diedAt: Date): Promise<{ code: string; ids: string[] }> {
  const pool = ctx.db.pool;
  const sender = (await pool.query<{ id: string }>('SELECT id FROM sender WHERE sender_id = $1', [senderId])).rows[0]!;
  const code = `SUB-DEAD-${++counter}`;
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO subscription (code, sender_id, event_type, record_type, callback_url, consecutive_failures, paused_until) VALUES ($1, $2, $3, 'Person', 'http://127.0.0.1:9/notify', 7, now() + interval '1 hour') RETURNING id`,
    [code, sender.id, eventType],
  );
  const ids: string[] = [];
  for (let i = 0; i < dead; i++) {
    const event = await pool.query<{ id: string }>(`INSERT INTO registry_event (event_type, record_kind, record_id, matched_at) VALUES ($1, 'Person', gen_random_uuid(), now()) RETURNING id`, [eventType]);
    const delivery = await pool.query<{ id: string }>(
      `INSERT INTO notification_delivery (subscription_id, event_id, idempotency_key, status, attempts, updated_at) VALUES ($1, $2, $3, 'dead', 5, $4) RETURNING id`,
      [rows[0]!.id, event.rows[0]!.id, `${code}:${i}`, diedAt],
    );
    ids.push(delivery.rows[0]!.id);
  }
  return { code, ids };
}

const statusOf = async (ids: string[]) => (await ctx.db.pool.query<{ status: string; attempts: number }>('SELECT status, attempts FROM notification_delivery WHERE id = ANY($1::uuid[])', [ids])).rows;

test('dead letters are resent by sender, event type and when they died, all that match at once, with fresh attempts', async () => {
  for (const id of ['dl-one', 'dl-two']) await createSender(ctx.db.orm.em.fork(), { senderId: id, name: id, allowedOperations: ['subscribe'] });
  const yesterday = new Date(Date.now() - 86_400_000);
  const lastWeek = new Date(Date.now() - 7 * 86_400_000);
  const recent = await deadLetters('dl-one', 'Death', 3, yesterday);
  const old = await deadLetters('dl-one', 'Death', 2, lastWeek);
  const otherType = await deadLetters('dl-one', 'Marriage', 1, yesterday);
  const otherSender = await deadLetters('dl-two', 'Death', 1, yesterday);

  assert.deepEqual(await resendDeadLetters(ctx.db.pool, { senderId: 'dl-one', eventType: 'Death', to: lastWeek }), [], 'the end of the range is exclusive');
  const resent = await resendDeadLetters(ctx.db.pool, { senderId: 'dl-one', eventType: 'Death', from: new Date(Date.now() - 2 * 86_400_000) });
  assert.deepEqual(new Set(resent), new Set(recent.ids));
  assert.deepEqual(await statusOf(recent.ids), recent.ids.map(() => ({ status: 'pending', attempts: 0 })));
  for (const untouched of [old, otherType, otherSender]) assert.ok((await statusOf(untouched.ids)).every((d) => d.status === 'dead'));
  const health = await ctx.db.pool.query<{ code: string; consecutive_failures: number; paused_until: Date | null }>('SELECT code, consecutive_failures, paused_until FROM subscription WHERE code = ANY($1)', [[recent.code, old.code]]);
  assert.deepEqual(Object.fromEntries(health.rows.map((r) => [r.code, r.consecutive_failures])), { [recent.code]: 0, [old.code]: 7 }, 'only subscribers resent to get a clean bill of health');
  const jobs = await ctx.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE key = ANY($1)', [recent.ids.map((id) => `delivery:${id}`)]);
  assert.equal(jobs.rows[0]!.n, 3, 'each is queued');

  assert.deepEqual(new Set(await resendDeadLetters(ctx.db.pool, { subscriptionCode: old.code })), new Set(old.ids));
  assert.deepEqual(await resendDeadLetters(ctx.db.pool, { ids: recent.ids }), [], 'no longer dead: nothing to resend');
  assert.equal((await resendDeadLetters(ctx.db.pool)).length, 2, 'no selection: every dead letter left');
});
