import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { SenderSchema } from '@dci-server/db';
import { findAgreement } from '../agreements/agreements.js';
import type { AppContext } from '../context.js';
import type { PersonInput } from '../registry/record-input.js';
import { upsertPerson } from '../registry/registry-writes.js';
import { subscribe } from '../subscriptions/subscriptions.js';
import { startCallbackReceiver } from '../testing/callback-receiver.js';
import { createTestSender } from '../testing/dci-client.js';
import { createTestContext } from '../testing/test-server.js';

// A worker killed with SIGKILL in the middle of a fan-out loses nothing: after a new worker
// starts, the receiver has seen every (subscription, event) pair. 1,000 deliveries in `npm test`;
// 10,000 with RELIABILITY_FULL=1 (`npm run test:reliability`).
const WORKER = fileURLToPath(new URL('../worker.ts', import.meta.url));
const FULL = process.env.RELIABILITY_FULL === '1';
const SUBSCRIPTIONS = FULL ? 100 : 20;
const EVENTS = FULL ? 100 : 50;
/** Waits grow with the size (bounded: about 3 and 5 minutes at 10,000 on a busy 2-core machine). */
const PATIENCE = FULL ? 3 : 1;
const MASTER_KEY = randomBytes(32).toString('base64');

let ctx: AppContext;
let receiver: Awaited<ReturnType<typeof startCallbackReceiver>>;
const workers: ChildProcess[] = [];

before(async () => {
  ctx = await createTestContext({ MASTER_KEY });
  receiver = await startCallbackReceiver();
});
after(async () => {
  for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
  await receiver.close();
  await ctx.db.close();
});

function startWorker(): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
    env: { ...process.env, DATABASE_URL: ctx.db.url, MASTER_KEY, DEMO_DATA: 'false', LOG_LEVEL: 'silent', WORKER_CONCURRENCY: '8' },
    stdio: 'ignore',
  });
  workers.push(child);
  return child;
}

const pairs = () => new Set(receiver.received.map((r) => `${r.body.message.transaction_id}|${r.body.message.notify_event[0].reference_id}`));

async function until(check: () => boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} (received ${receiver.received.length}, distinct ${pairs().size})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('SIGKILL mid fan-out, restart: every delivery arrives, none is lost', async () => {
  const em = ctx.db.orm.em.fork();
  const sender = await createTestSender(ctx, 'fan-out');
  const entity = await em.findOneOrFail(SenderSchema, { senderId: sender.senderId });
  for (let i = 0; i < SUBSCRIPTIONS; i++) {
    await subscribe(em, entity, await findAgreement(ctx.db.pool, entity.senderId), { reg_event_type: 'REGISTER', notify_record_type: 'Person', filter: { type: 'expression', value: { expression: { collection: 'Person', query: { $and: [{ age: { $gte: 18 } }, { given_name: { $ne: `nobody-${i}` } }] } } } } }, `${receiver.url}/registry/notify`);
  }
  const first = startWorker();
  const started = Date.now();
  await ctx.db.orm.em.fork().transactional(async (tx) => {
    for (let i = 0; i < EVENTS; i++) {
      const person: PersonInput = { identifiers: [{ type: 'UIN', value: `FAN-${i}` }], givenName: `Fan${i}`, surname: 'Out', sex: 'male', birthDate: '1960-05-05', phoneNumbers: [], emails: [] };
      await upsertPerson(tx, person);
    }
  });
  const expected = SUBSCRIPTIONS * EVENTS;
  await until(() => receiver.received.length >= expected * 0.3, 60_000 * PATIENCE, 'first worker too slow');
  first.kill('SIGKILL');
  const atKill = receiver.received.length;
  await new Promise((r) => first.once('exit', r));
  assert.ok(atKill < expected, `the kill came after everything was sent (${atKill})`);

  startWorker();
  await until(() => pairs().size >= expected, 90_000 * PATIENCE, 'deliveries lost after restart');
  const seconds = (Date.now() - started) / 1000;
  const duplicates = receiver.received.length - pairs().size;
  const { rows } = await ctx.db.pool.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM notification_delivery GROUP BY status');
  console.log(`fan-out: ${expected} deliveries, killed after ${atKill}, all ${pairs().size} distinct received in ${seconds.toFixed(1)} s (${Math.round(expected / seconds)}/s incl. restart), duplicates seen: ${duplicates}, lost: ${expected - pairs().size}`);
  assert.equal(pairs().size, expected);
  await until(() => true, 0, '');
  const delivered = rows.find((r) => r.status === 'delivered')?.n ?? 0;
  assert.ok(delivered <= expected);
});
