/**
 * Benchmark phases for the background worker: notification fan-out (subscriptions × changes
 * signed deliveries to a loopback receiver), the same with the worker SIGKILLed halfway and
 * restarted, and an async search whose answer streams in chunk callbacks. Each phase runs on a
 * database of its own, with the worker as a separate process (`npm run worker`), as deployed.
 *
 * Used by scripts/bench.ts (needs TEST_SERVER_ENV: a cluster with the migrated template), or
 * alone: `node --import tsx scripts/bench/fanout.ts` starts its own embedded PostgreSQL.
 *
 * Knobs (environment): BENCH_SUBSCRIPTIONS (100), BENCH_CHANGES (100), BENCH_ASYNC_RECORDS
 * (100000), BENCH_NOTIFY_SECONDS (120, the cap of each phase); BENCH_SMOKE=1 makes them small
 * (10 × 10, 2000 records). BENCH_WORKER: another worker entry point (e.g. another checkout's
 * apps/server/src/worker.ts) to compare with in the same run; BENCH_WORKER_PROF: a folder where
 * each worker not killed writes its --cpu-prof profile.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SenderSchema } from '@dci-server/db';
import { findAgreement } from '../../apps/server/src/agreements/agreements.js';
import { upsertPerson } from '../../apps/server/src/registry/registry-writes.js';
import { seedDemoRegistry } from '../../apps/server/src/registry/seed.js';
import { subscribe } from '../../apps/server/src/subscriptions/subscriptions.js';
import { createTestSender, DciTestClient, searchItem } from '../../apps/server/src/testing/dci-client.js';
import { startTestServer, type TestServer } from '../../apps/server/src/testing/test-server.js';
import { deliveryKey, startTimedReceiver, type Receipt } from './receiver.js';
import { percentile, type Row } from './stats.js';

const smoke = process.env.BENCH_SMOKE === '1';
function size(name: string, full: number, small: number): number {
  const raw = process.env[name];
  const value = raw ? Number(raw) : smoke ? small : full;
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number ≥ 1, got ${JSON.stringify(raw)}`);
  return value;
}

export interface FanoutSizes {
  subscriptions: number;
  changes: number;
  asyncRecords: number;
  phaseMs: number;
}

export const fanoutSizes = (): FanoutSizes => ({
  subscriptions: size('BENCH_SUBSCRIPTIONS', 100, 10),
  changes: size('BENCH_CHANGES', 100, 10),
  asyncRecords: size('BENCH_ASYNC_RECORDS', 100_000, 2000),
  phaseMs: size('BENCH_NOTIFY_SECONDS', 120, 60) * 1000,
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `npm run worker` on the phase's database; resolves once it has started its job runner. */
async function startWorkerProcess(server: TestServer, masterKey: string): Promise<ChildProcess> {
  const profDir = process.env.BENCH_WORKER_PROF;
  const entry = process.env.BENCH_WORKER || fileURLToPath(new URL('../../apps/server/src/worker.ts', import.meta.url));
  const args = [...(profDir ? ['--cpu-prof', '--cpu-prof-dir', profDir] : []), '--import', 'tsx', entry];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, DATABASE_URL: server.ctx.db.url, MASTER_KEY: masterKey, DEMO_DATA: 'false', LOG_LEVEL: 'info', RUN_WORKER: 'true' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let seen = '';
  const started = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the worker did not start within 60 s')), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      if (seen === 'started') return;
      seen = (seen + chunk.toString()).slice(-4096);
      if (seen.includes('background worker started')) {
        seen = 'started';
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the worker exited (${code}) before it started`));
    });
  });
  await started;
  return child;
}

/** SIGTERM lets it finish its jobs (and write its profile); it is SIGKILLed if that takes over 20 s. */
async function stopWorkerProcess(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

interface Phase {
  server: TestServer;
  masterKey: string;
  receiver: Awaited<ReturnType<typeof startTimedReceiver>>;
  workers: ChildProcess[];
}

/** A server (no worker in it) on a fresh database, a loopback receiver, and the worker processes to stop at the end. */
async function withPhase<T>(work: (phase: Phase) => Promise<T>): Promise<T> {
  const masterKey = randomBytes(32).toString('base64');
  const server = await startTestServer({ MASTER_KEY: masterKey, RATE_LIMIT_PER_MINUTE: '0' });
  const receiver = await startTimedReceiver();
  const phase: Phase = { server, masterKey, receiver, workers: [] };
  try {
    return await work(phase);
  } finally {
    for (const worker of phase.workers) await stopWorkerProcess(worker, 'SIGTERM');
    await receiver.close();
    await server.close();
  }
}

/** `subscriptions` subscriptions of one sender to REGISTER of persons named Fanout, each with its own filter. */
async function subscribeAll(phase: Phase, subscriptions: number): Promise<Set<string>> {
  const { ctx } = phase.server;
  const em = ctx.db.orm.em.fork();
  const sender = await createTestSender(ctx, 'bench-subscriber');
  const entity = await em.findOneOrFail(SenderSchema, { senderId: sender.senderId });
  const agreement = await findAgreement(ctx.db.pool, sender.senderId);
  const codes = new Set<string>();
  for (let i = 0; i < subscriptions; i++) {
    const filter = { type: 'expression', value: { expression: { collection: 'Person', query: { $and: [{ surname: 'Fanout' }, { given_name: { $ne: `nobody-${i}` } }] } } } };
    const created = await subscribe(em, entity, agreement, { reg_event_type: 'REGISTER', notify_record_type: 'Person', filter }, `${phase.receiver.url}/registry/notify`);
    codes.add(created.code);
  }
  return codes;
}

/** Registers `changes` new persons, one transaction each, as a stream of registry changes would. */
async function writeChanges(phase: Phase, changes: number): Promise<void> {
  for (let j = 0; j < changes; j++) {
    await phase.server.ctx.db.orm.em.fork().transactional((em) =>
      upsertPerson(em, { identifiers: [{ type: 'UIN', value: `FANOUT-${j}` }], givenName: `Fan${j}`, surname: 'Fanout', sex: j % 2 ? 'female' : 'male', birthDate: '1990-01-01', location: 'central_region', phoneNumbers: [], emails: [] }),
    );
  }
}

interface Tally {
  distinct: number;
  duplicates: number;
  firstReceipts: Receipt[];
}

function tally(receipts: readonly Receipt[], codes: Set<string>): Tally {
  const first = new Map<string, Receipt>();
  let ours = 0;
  for (const r of receipts) {
    if (!codes.has(r.body.message?.transaction_id ?? '')) continue;
    ours++;
    if (!first.has(deliveryKey(r))) first.set(deliveryKey(r), r);
  }
  return { distinct: first.size, duplicates: ours - first.size, firstReceipts: [...first.values()] };
}

async function waitForAll(phase: Phase, codes: Set<string>, expected: number, deadline: number, log: (message: string) => void): Promise<void> {
  let nextLog = Date.now() + 5000;
  while (tally(phase.receiver.receipts, codes).distinct < expected && Date.now() < deadline) {
    if (Date.now() > nextLog) {
      log(`  ${tally(phase.receiver.receipts, codes).distinct} of ${expected} received`);
      nextLog += 5000;
    }
    await sleep(20);
  }
  await sleep(1000); // late duplicates would show up here
}

async function deliveryStatuses(phase: Phase): Promise<string> {
  const { rows } = await phase.server.ctx.db.pool.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM notification_delivery GROUP BY status ORDER BY status');
  return rows.map((s) => `${s.status}=${s.n}`).join(' ') || 'none';
}

function deliveryRows(expected: number, result: Tally, firstEvent: number): Row[] {
  const arrivals = result.firstReceipts.map((r) => r.at);
  const lastReceipt = arrivals.length ? Math.max(...arrivals) : Number.NaN;
  const eventToReceipt = result.firstReceipts.map((r) => r.at - Date.parse(r.body.message?.notify_event?.[0]?.timestamp ?? ''));
  return [
    { name: 'expected deliveries', value: expected, unit: 'count' },
    { name: 'lost (expected − distinct received)', value: expected - result.distinct, unit: 'count' },
    { name: 'duplicates (received − distinct)', value: result.duplicates, unit: 'count' },
    { name: 'first event → last receipt', value: (lastReceipt - firstEvent) / 1000, unit: 's' },
    { name: 'delivery rate', value: result.distinct / ((lastReceipt - firstEvent) / 1000), unit: 'deliveries/s' },
    { name: 'event created → received: p50', value: percentile(eventToReceipt, 50), unit: 'ms' },
    { name: 'event created → received: p95', value: percentile(eventToReceipt, 95), unit: 'ms' },
  ];
}

/** Fan-out through a running worker, stopped cleanly afterwards. */
export async function fanout(sizes: FanoutSizes, log: (message: string) => void): Promise<Row[]> {
  return withPhase(async (phase) => {
    const codes = await subscribeAll(phase, sizes.subscriptions);
    const expected = sizes.subscriptions * sizes.changes;
    phase.workers.push(await startWorkerProcess(phase.server, phase.masterKey));
    log(`fan-out: ${sizes.subscriptions} subscriptions × ${sizes.changes} changes`);
    const firstEvent = Date.now();
    await writeChanges(phase, sizes.changes);
    const writesMs = Date.now() - firstEvent;
    await waitForAll(phase, codes, expected, firstEvent + sizes.phaseMs, log);
    const result = tally(phase.receiver.receipts, codes);
    return [...deliveryRows(expected, result, firstEvent), { name: 'writing the changes (sequential upserts)', value: writesMs / 1000, unit: 's' }, { name: 'delivery rows by status', value: await deliveryStatuses(phase), unit: '' }];
  });
}

/** The same fan-out, the worker SIGKILLed once half the deliveries arrived, then a new one started. */
export async function fanoutWithKill(sizes: FanoutSizes, log: (message: string) => void): Promise<Row[]> {
  return withPhase(async (phase) => {
    const codes = await subscribeAll(phase, sizes.subscriptions);
    const expected = sizes.subscriptions * sizes.changes;
    phase.workers.push(await startWorkerProcess(phase.server, phase.masterKey));
    log(`fan-out with a SIGKILL halfway: ${expected} deliveries`);
    const firstEvent = Date.now();
    await writeChanges(phase, sizes.changes);
    const deadline = firstEvent + sizes.phaseMs;
    while (tally(phase.receiver.receipts, codes).distinct < expected / 2 && Date.now() < deadline) await sleep(5);
    const killedAt = Date.now();
    await stopWorkerProcess(phase.workers[0]!, 'SIGKILL');
    const atKill = tally(phase.receiver.receipts, codes).distinct;
    phase.workers.push(await startWorkerProcess(phase.server, phase.masterKey));
    const restartMs = Date.now() - killedAt;
    await waitForAll(phase, codes, expected, deadline, log);
    const result = tally(phase.receiver.receipts, codes);
    return [
      ...deliveryRows(expected, result, firstEvent),
      { name: 'distinct received when killed', value: atKill, unit: 'count' },
      { name: 'kill → new worker running (process start)', value: restartMs / 1000, unit: 's' },
      { name: 'delivery rows by status', value: await deliveryStatuses(phase), unit: '' },
    ];
  });
}

/** One async search whose page holds `records` persons: streamed in chunk callbacks, then the answer. */
export async function asyncSearch(sizes: FanoutSizes, log: (message: string) => void): Promise<Row[]> {
  return withPhase(async (phase) => {
    const { ctx, baseUrl } = phase.server;
    log(`async search: seeding ${sizes.asyncRecords} persons`);
    await seedDemoRegistry(ctx.db.pool, sizes.asyncRecords);
    await ctx.db.pool.query('ANALYZE');
    phase.workers.push(await startWorkerProcess(phase.server, phase.masterKey));
    const client = new DciTestClient(baseUrl, await createTestSender(ctx, 'bench-async'));
    const everyone = { value: { expression: { collection: 'Person', query: { sex: { $in: ['male', 'female'] } } } } };
    const criteria = { reg_record_type: 'Person', query_type: 'expression', query: everyone, pagination: { page_size: sizes.asyncRecords } };
    await client.accessToken(); // the token endpoint (scrypt) is not part of the search
    log(`async search: ${sizes.asyncRecords} records`);
    const sent = Date.now();
    const reply = await client.send('/registry/search', 'search', { transaction_id: 'bench-async', search_request: [searchItem('all', criteria)] }, 'search_request', { sender_uri: phase.receiver.url });
    if (reply.status !== 202) throw new Error(`async search refused: ${reply.status} ${JSON.stringify(reply.body).slice(0, 300)}`);
    const ackMs = Date.now() - sent;
    type Item = { data?: { reg_records: unknown[] } };
    const items = () => phase.receiver.receipts.map((r) => ((r.body.message as { search_response?: Item[] } | undefined)?.search_response ?? [])[0]);
    const deadline = sent + sizes.phaseMs;
    // The closing answer (no records of its own) comes after the last chunk.
    while (!items().some((item) => item && !item.data) && Date.now() < deadline) await sleep(20);
    const chunks = phase.receiver.receipts.filter((_, i) => items()[i]?.data);
    const records = chunks.reduce((sum, r) => sum + ((r.body.message as { search_response: Item[] }).search_response[0]!.data!.reg_records.length), 0);
    const lastChunk = Math.max(...chunks.map((r) => r.at));
    const answer = phase.receiver.receipts.find((_, i) => items()[i] && !items()[i]!.data);
    return [
      { name: 'records asked for / received in chunks', value: `${sizes.asyncRecords} / ${records}`, unit: 'count' },
      { name: 'chunk callbacks', value: chunks.length, unit: 'count' },
      { name: 'request → ACK', value: ackMs, unit: 'ms' },
      { name: 'request → last chunk at the receiver', value: (lastChunk - sent) / 1000, unit: 's' },
      { name: 'request → closing answer', value: answer ? (answer.at - sent) / 1000 : Number.NaN, unit: 's' },
      { name: 'records per second', value: records / ((lastChunk - sent) / 1000), unit: 'records/s' },
    ];
  });
}

/** Every phase, each as a titled table. */
export async function benchWorker(log: (message: string) => void, sizes = fanoutSizes()): Promise<{ title: string; rows: Row[] }[]> {
  const deliveries = `${sizes.subscriptions} subscriptions × ${sizes.changes} REGISTER changes`;
  return [
    { title: `5a. Notification fan-out: ${deliveries}, worker process (target: 10,000 in < 30 s, 0 lost, 0 duplicated)`, rows: await fanout(sizes, log) },
    { title: `5b. Fan-out with the worker SIGKILLed halfway and restarted: ${deliveries} (target: 0 lost; duplicates counted)`, rows: await fanoutWithKill(sizes, log) },
    { title: `5c. Async search streamed in chunk callbacks: ${sizes.asyncRecords} records (target: last chunk < 10 s for 100,000)`, rows: await asyncSearch(sizes, log) },
  ];
}

/** Alone: an embedded PostgreSQL in a temp folder, the template, the phases, then everything removed. */
async function main(): Promise<void> {
  const { startEmbeddedPostgres, TEST_SERVER_ENV } = await import('@dci-server/db');
  const { prepareTemplateDatabase } = await import('../test-template.js');
  const { table } = await import('./stats.js');
  process.env.LOG_LEVEL ??= 'silent';
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'dci-bench-fanout-'));
  await fs.chmod(tmp, 0o755);
  const cluster = await startEmbeddedPostgres({ dataDir: path.join(tmp, 'postgres') });
  const started = performance.now();
  const cleanup = async () => {
    await cluster.stop();
    await fs.rm(tmp, { recursive: true, force: true });
    await fs.rm(cluster.dataDir, { recursive: true, force: true });
    await fs.rm(`${cluster.dataDir}.password`, { force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void cleanup().finally(() => process.exit(130)));
  try {
    await prepareTemplateDatabase(cluster.url);
    process.env[TEST_SERVER_ENV] = cluster.url;
    const log = (message: string) => console.error(`[bench ${((performance.now() - started) / 1000).toFixed(1)}s] ${message}`);
    for (const { title, rows } of await benchWorker(log)) console.log(table(title, rows));
  } finally {
    await cleanup();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  await main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
