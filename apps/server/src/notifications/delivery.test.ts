import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SenderSchema } from '@dci-server/db';
import { findAgreement } from '../agreements/agreements.js';
import type { AppContext } from '../context.js';
import { upsertPerson } from '../registry/registry-writes.js';
import { subscribe } from '../subscriptions/subscriptions.js';
import { startCallbackReceiver } from '../testing/callback-receiver.js';
import { createTestSender } from '../testing/dci-client.js';
import { createTestContext } from '../testing/test-server.js';
import { DELIVERY_WAVE, deliverNotification, type DeliveryPayload } from './delivery.js';
import { matchRegistryEvents } from './matcher.js';
import { sweep } from './sweeper.js';

// The tasks are run by hand here (no worker), so that the jobs they queue can be looked at.
let ctx: AppContext;
let receiver: Awaited<ReturnType<typeof startCallbackReceiver>>;

before(async () => {
  ctx = await createTestContext({ DELIVERY_MAX_ATTEMPTS: '3', DELIVERY_PAUSE_AFTER_FAILURES: '4', DELIVERY_PAUSE_SECONDS: '600' });
  receiver = await startCallbackReceiver();
});
after(async () => {
  await receiver.close();
  await ctx.db.close();
});

let people = 0;
/** `subscriptions` subscriptions of a new sender to REGISTER of persons named `surname`; returns their ids by code. */
async function subscribeTo(surname: string, subscriptions: number): Promise<Map<string, string>> {
  const em = ctx.db.orm.em.fork();
  const sender = await createTestSender(ctx);
  const entity = await em.findOneOrFail(SenderSchema, { senderId: sender.senderId });
  const agreement = await findAgreement(ctx.db.pool, sender.senderId);
  const ids = new Map<string, string>();
  for (let i = 0; i < subscriptions; i++) {
    const filter = { type: 'expression', value: { expression: { collection: 'Person', query: { $and: [{ surname }, { given_name: { $ne: `nobody-${i}` } }] } } } };
    const created = await subscribe(em, entity, agreement, { reg_event_type: 'REGISTER', notify_record_type: 'Person', filter }, `${receiver.url}/registry/notify`);
    ids.set(created.code, created.id);
  }
  return ids;
}

async function register(surname: string, count: number): Promise<void> {
  await ctx.db.orm.em.fork().transactional(async (em) => {
    for (let i = 0; i < count; i++) {
      await upsertPerson(em, { identifiers: [{ type: 'UIN', value: `DLV-${++people}` }], givenName: `P${people}`, surname, sex: 'female', birthDate: '1990-01-01', phoneNumbers: [], emails: [] });
    }
  });
}

/** The queued delivery jobs naming deliveries of these subscriptions, oldest first (and taken off the queue). */
async function takeDeliveryJobs(subscriptionIds: string[]): Promise<{ key: string | null; payload: DeliveryPayload; runAt: Date }[]> {
  // The job table is graphile-worker's own; only tests read it (the queue API cannot list jobs).
  const { rows } = await ctx.db.pool.query<{ id: string; key: string | null; payload: DeliveryPayload; run_at: Date }>(
    `DELETE FROM graphile_worker._private_jobs j USING graphile_worker._private_tasks t
     WHERE t.id = j.task_id AND t.identifier = 'deliver-notification'
       AND EXISTS (SELECT 1 FROM notification_delivery d WHERE d.subscription_id = ANY($1::uuid[]) AND strpos(j.payload::text, d.id::text) > 0)
     RETURNING j.id, j.key, j.payload, j.run_at`,
    [subscriptionIds],
  );
  return rows.sort((a, b) => Number(a.id) - Number(b.id)).map((r) => ({ key: r.key, payload: r.payload, runAt: r.run_at }));
}

const run = (payload: DeliveryPayload) => deliverNotification(ctx)(payload, {} as never);
const pairsFor = (codes: Iterable<string>) => {
  const wanted = new Set(codes);
  return receiver.received.filter((r) => wanted.has(r.body.message?.transaction_id)).map((r) => `${r.body.message.transaction_id}|${r.body.message.notify_event[0].reference_id}`);
};

test('a fan-out round is queued as one job per subscription, sent in waves, each delivery once, every attempt recorded', async () => {
  const events = DELIVERY_WAVE * 2 + 3; // three waves, the last one short
  const subscriptions = await subscribeTo('Fanned', 3);
  await register('Fanned', events);
  await matchRegistryEvents(ctx)({}, {} as never);

  const jobs = await takeDeliveryJobs([...subscriptions.values()]);
  assert.equal(jobs.length, 3, 'one job per subscription');
  for (const job of jobs) {
    assert.equal(job.key, null);
    assert.ok(Array.isArray(job.payload) && job.payload.length === events, JSON.stringify(job.payload));
  }
  for (const job of jobs) await run(job.payload);

  const received = pairsFor(subscriptions.keys());
  assert.equal(received.length, 3 * events, 'one POST per delivery');
  assert.equal(new Set(received).size, 3 * events, 'none twice');
  const { rows } = await ctx.db.pool.query<{ status: string; attempts: number; tries: number }>(
    `SELECT d.status, d.attempts, (SELECT count(*)::int FROM delivery_attempt a WHERE a.delivery_id = d.id) AS tries
     FROM notification_delivery d WHERE d.subscription_id = ANY($1::uuid[]) GROUP BY d.id`,
    [[...subscriptions.values()]],
  );
  assert.equal(rows.length, 3 * events);
  assert.ok(rows.every((r) => r.status === 'delivered' && r.attempts === 1 && r.tries === 1), JSON.stringify(rows.find((r) => r.status !== 'delivered')));
  for (const job of jobs) await run(job.payload);
  assert.equal(pairsFor(subscriptions.keys()).length, 3 * events, 'a job run again sends nothing already delivered');
});

test('a failing wave: each delivery retries on its own, the failures count towards a pause, and a success resets the count', async (t) => {
  const [code, subscriptionId] = [...(await subscribeTo('Failing', 1))][0]!;
  await register('Failing', 5);
  await matchRegistryEvents(ctx)({}, {} as never);
  const [batch] = await takeDeliveryJobs([subscriptionId]);
  receiver.setStatus(500);
  t.after(() => receiver.setStatus(200));
  await run(batch!.payload);

  const retries = await takeDeliveryJobs([subscriptionId]);
  assert.equal(retries.length, 5, 'a retry job per delivery');
  const ids = Array.isArray(batch!.payload) ? batch!.payload.map((d) => d.deliveryId) : [];
  assert.deepEqual(new Set(retries.map((r) => r.key)), new Set(ids.map((id) => `delivery:${id}`)));
  assert.ok(retries.every((r) => r.runAt.getTime() > Date.now()), 'each after its backoff');
  const deliveries = await ctx.db.pool.query<{ status: string; attempts: number; last_http_status: number }>('SELECT status, attempts, last_http_status FROM notification_delivery WHERE subscription_id = $1', [subscriptionId]);
  assert.deepEqual(new Set(deliveries.rows.map((d) => JSON.stringify(d))), new Set([JSON.stringify({ status: 'failed', attempts: 1, last_http_status: 500 })]));
  const health = async () => (await ctx.db.pool.query<{ consecutive_failures: number; paused: boolean }>('SELECT consecutive_failures, paused_until IS NOT NULL AS paused FROM subscription WHERE id = $1', [subscriptionId])).rows[0];
  assert.deepEqual(await health(), { consecutive_failures: 5, paused: true }, 'five failures in a row pass the pause threshold of four');

  // The pause holds the next run without spending an attempt; once lifted, a success resets the count.
  await run({ deliveryId: ids[0]! });
  assert.equal((await takeDeliveryJobs([subscriptionId])).length, 1, 'put off until the pause ends');
  await ctx.db.pool.query('UPDATE subscription SET paused_until = NULL WHERE id = $1', [subscriptionId]);
  receiver.setStatus(200);
  const before = pairsFor([code]).length;
  await run(ids.map((deliveryId) => ({ deliveryId })));
  assert.equal(pairsFor([code]).length, before + 5);
  assert.deepEqual(await health(), { consecutive_failures: 0, paused: false });
});

test('after a crash, the sweep queues waiting deliveries in batches per subscription, and deliveries not yet due on their own at their time', async () => {
  const subscriptions = await subscribeTo('Swept', 2);
  await register('Swept', 4);
  await matchRegistryEvents(ctx)({}, {} as never);
  await takeDeliveryJobs([...subscriptions.values()]); // the jobs a crashed worker would have held
  const later = new Date(Date.now() + 3_600_000);
  const { rows: waiting } = await ctx.db.pool.query<{ id: string }>(
    `UPDATE notification_delivery SET next_attempt_at = $2, status = 'failed' WHERE id = (SELECT id FROM notification_delivery WHERE subscription_id = $1 LIMIT 1) RETURNING id`,
    [[...subscriptions.values()][0], later],
  );

  await sweep(ctx, 0);
  const jobs = await takeDeliveryJobs([...subscriptions.values()]);
  const batches = jobs.filter((j) => Array.isArray(j.payload));
  assert.deepEqual(batches.map((j) => (Array.isArray(j.payload) ? j.payload.length : 0)).sort(), [3, 4], 'one batch per subscription');
  const single = jobs.filter((j) => !Array.isArray(j.payload));
  assert.deepEqual(single.map((j) => j.key), [`delivery:${waiting[0]!.id}`]);
  assert.equal(single[0]!.runAt.getTime(), later.getTime(), 'kept at its own time');
});
