/**
 * `npm run bench`: speed figures of the DCI server, printed (nothing is asserted).
 *
 * Starts an embedded PostgreSQL in a temp folder (as scripts/run-tests.ts does), the real
 * Express app on a loopback port, seeds demo data and measures: seeding, sync search by UIN
 * (sequential and concurrent), an expression search on Groups, the token endpoint, notification
 * fan-out and a large async search through a worker process (scripts/bench/fanout.ts), the cost of the request pipeline over a bare registry query, and
 * (scripts/bench/http-compare.ts) our signed sync search side by side with a minimal DCI server and
 * a bare Express + pg lookup, each in a process of its own, at 1, 16 and 64 connections.
 * HTTP load comes from a child process (scripts/bench/load-client.ts) and goes to 127.0.0.1
 * only; every run is bounded in count and time, and everything is torn down at the end, on
 * failure, on Ctrl-C, and when BENCH_MAX_SECONDS is reached.
 *
 * Knobs (environment): BENCH_PERSONS (200000), BENCH_REQUESTS (2000), BENCH_SECONDS (30, per
 * load run), BENCH_CONCURRENCY (8), BENCH_EXPR_REQUESTS (300), BENCH_TOKENS (24),
 * BENCH_MAX_SECONDS (600), BENCH_QUERY_REQUESTS (50, per query of scripts/bench/query-latency.ts; issue 11's figures use
 * BENCH_PERSONS=1000000); the worker phases (fan-out, SIGKILL halfway, async search) have their own knobs in
 * scripts/bench/fanout.ts;
 * BENCH_HTTP_CONNECTIONS (1,16,64), BENCH_HTTP_SECONDS (10, per target, level and round),
 * BENCH_HTTP_ROUNDS (2), BENCH_HTTP_WARMUP_SECONDS (3), BENCH_HTTP_MAX_RATE (3000 req/s: bodies are
 * signed for at most this), BENCH_POOL_SIZE (the servers' database pools, DB_POOL_SIZE's default),
 * BENCH_CPU_PROFILE_DIR (ours writes a --cpu-prof profile there), BENCH_RESULTS_DIR (bench/results).
 * BENCH_SMOKE=1 turns every default down (small registry, about a second or two per phase), for CI:
 * it checks that the bench works, not how fast anything is.
 *
 * Results: printed, and written to <BENCH_RESULTS_DIR>/<date>.json and .md (scripts/bench/results.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { translateSearchCriteria } from '@dci-server/dci';
import { startEmbeddedPostgres, TEST_SERVER_ENV } from '@dci-server/db';
import { demoHousehold, seededRandom } from '../apps/server/src/registry/demo-generator.js';
import { searchRegistry } from '../apps/server/src/registry/search.js';
import { seedDemoRegistry } from '../apps/server/src/registry/seed.js';
import { createTestSender, DciTestClient, searchItem } from '../apps/server/src/testing/dci-client.js';
import { startTestServer } from '../apps/server/src/testing/test-server.js';
import { loadConfig } from '../apps/server/src/config.js';
import { runHttpCompare } from './bench/http-compare.js';
import type { LoadJob, LoadResult } from './bench/protocol.js';
import { benchWorker } from './bench/fanout.js';
import { measureQueryLatency, searchServiceOf } from './bench/query-latency.js';
import { BenchResults } from './bench/results.js';
import { percentile, type Row } from './bench/stats.js';
import { prepareTemplateDatabase } from './test-template.js';

/** BENCH_SMOKE=1: a small, quick run that only shows the bench still works (CI). */
const SMOKE = process.env.BENCH_SMOKE === '1';

function knob(name: string, fallback: number, smokeFallback = fallback): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? (SMOKE ? smokeFallback : fallback) : Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number ≥ 0, got ${JSON.stringify(raw)}`);
  return value;
}

const PERSONS = Math.floor(knob('BENCH_PERSONS', 200_000, 2000));
const REQUESTS = Math.max(1, Math.floor(knob('BENCH_REQUESTS', 2000, 100)));
const RUN_MS = knob('BENCH_SECONDS', 30, 2) * 1000;
const CONCURRENCY = Math.max(1, Math.floor(knob('BENCH_CONCURRENCY', 8, 4)));
const EXPR_REQUESTS = Math.max(1, Math.floor(knob('BENCH_EXPR_REQUESTS', 300, 20)));
const TOKENS = Math.max(1, Math.floor(knob('BENCH_TOKENS', 24, 2)));
const QUERY_REQUESTS = Math.max(1, Math.floor(knob('BENCH_QUERY_REQUESTS', 50, 5)));
const MAX_MS = knob('BENCH_MAX_SECONDS', 600, 120) * 1000;
const HTTP_CONNECTIONS = (process.env.BENCH_HTTP_CONNECTIONS || '1,16,64').split(',').map((c) => Math.max(1, Math.floor(Number(c))));
if (HTTP_CONNECTIONS.some((c) => !Number.isFinite(c))) throw new Error(`BENCH_HTTP_CONNECTIONS must be numbers separated by commas, got ${process.env.BENCH_HTTP_CONNECTIONS}`);
const HTTP_SECONDS = Math.max(1, Math.floor(knob('BENCH_HTTP_SECONDS', 10, 1)));
const HTTP_ROUNDS = Math.max(1, Math.floor(knob('BENCH_HTTP_ROUNDS', 2, 1)));
const HTTP_WARMUP_SECONDS = Math.floor(knob('BENCH_HTTP_WARMUP_SECONDS', 3, 0));
const HTTP_MAX_RATE = Math.max(1, knob('BENCH_HTTP_MAX_RATE', 3000, 1500));
const POOL_SIZE = Math.max(2, Math.floor(knob('BENCH_POOL_SIZE', loadConfig({}).dbPoolSize)));
const RESULTS_DIR = path.resolve(process.env.BENCH_RESULTS_DIR || fileURLToPath(new URL('../bench/results', import.meta.url)));
const WARMUP = SMOKE ? 10 : 100;
if (PERSONS < 1) throw new Error('BENCH_PERSONS must be at least 1: the searches need records');

process.env.LOG_LEVEL ??= 'silent';

const log = (message: string) => console.error(`[bench ${((performance.now() - startedAt) / 1000).toFixed(1)}s] ${message}`);
const startedAt = performance.now();

// ---- teardown: run once, last resource first, whatever happened ------------------------------

const cleanups: { name: string; run: () => Promise<unknown> }[] = [];
let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const { name, run } of cleanups.splice(0).reverse()) {
      try {
        await run();
      } catch (error) {
        console.error(`cleanup of ${name} failed: ${(error as Error).message}`);
      }
    }
  })();
  return cleaning;
}
const onCleanup = (name: string, run: () => Promise<unknown>) => cleanups.push({ name, run });

// ---- the load client (child process) ---------------------------------------------------------

let jobIds = 0;
function runLoad(child: ChildProcess, job: Omit<LoadJob, 'id'>): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const id = ++jobIds;
    const onMessage = (message: unknown) => {
      if (typeof message !== 'object' || message === null || (message as LoadResult).id !== id) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message as LoadResult);
    };
    const onExit = () => {
      child.off('message', onMessage);
      reject(new Error('the load client exited'));
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.send({ ...job, id } satisfies LoadJob);
  });
}

async function startLoadClient(): Promise<ChildProcess> {
  const script = fileURLToPath(new URL('./bench/load-client.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  onCleanup('load client', async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill();
    await exited;
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the load client did not start within 30 s')), 30_000);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the load client exited (${code}) before it was ready`)));
    child.once('message', (message) => {
      clearTimeout(timer);
      if (message === 'ready') resolve();
      else reject(new Error(`unexpected first message from the load client: ${JSON.stringify(message)}`));
    });
  });
  return child;
}

// ---- figures ---------------------------------------------------------------------------------

interface Latencies {
  count: number;
  errors: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
}

function latencies(values: number[], elapsedMs: number, errors = 0): Latencies {
  return { count: values.length, errors, perSecond: values.length / (elapsedMs / 1000), p50: percentile(values, 50), p95: percentile(values, 95), p99: percentile(values, 99) };
}

function latencyRows(label: string, l: Latencies, options: { p99?: boolean; rate?: string } = {}): Row[] {
  return [
    { name: `${label}: requests (errors)`, value: `${l.count} (${l.errors})`, unit: 'count' },
    { name: `${label}: throughput`, value: l.perSecond, unit: options.rate ?? 'req/s' },
    { name: `${label}: p50`, value: l.p50, unit: 'ms' },
    { name: `${label}: p95`, value: l.p95, unit: 'ms' },
    ...(options.p99 === false ? [] : [{ name: `${label}: p99`, value: l.p99, unit: 'ms' }]),
  ];
}

function fromLoad(label: string, result: LoadResult): Latencies {
  if (result.errors) log(`${label}: ${result.errors} failed, first: ${result.firstError}`);
  return latencies(result.latencies, result.elapsedMs, result.errors);
}

// ---- the benchmark ---------------------------------------------------------------------------

async function main(): Promise<void> {
  const cpus = os.cpus();
  const results = new BenchResults();
  const section = (title: string, rows: Row[]) => results.section(title, rows);
  section('Environment', [
      { name: 'node', value: process.version, unit: '' },
      { name: 'platform', value: `${os.platform()} ${os.release()} ${os.arch()}`, unit: '' },
      { name: 'cpus', value: cpus.length, unit: `× ${cpus[0]?.model.trim() ?? 'unknown'}` },
      { name: 'memory', value: os.totalmem() / 2 ** 30, unit: 'GiB' },
      { name: 'settings', value: `${SMOKE ? 'SMOKE ' : ''}persons=${PERSONS} requests=${REQUESTS} concurrency=${CONCURRENCY} expr=${EXPR_REQUESTS} tokens=${TOKENS} run-cap=${RUN_MS / 1000}s http=${HTTP_CONNECTIONS.join('/')}conn×${HTTP_SECONDS}s×${HTTP_ROUNDS} pool=${POOL_SIZE}`, unit: '' },
  ]);

  // PostgreSQL in a temp folder, a migrated template, then the real app on it (as the tests do).
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'dci-bench-'));
  onCleanup('temp folder', () => fs.rm(tmp, { recursive: true, force: true }));
  // Run as root, the cluster lives in /var/tmp/dci-server-postgres/<key> (the postgres user
  // cannot enter our temp folder): that folder and its password file go too, after the stop.
  let relocated: string | undefined;
  onCleanup('PostgreSQL data folder', async () => {
    if (!relocated) return;
    await fs.rm(relocated, { recursive: true, force: true });
    await fs.rm(`${relocated}.password`, { force: true });
  });
  log('starting embedded PostgreSQL');
  const cluster = await startEmbeddedPostgres({ dataDir: path.join(tmp, 'postgres') });
  if (path.relative(tmp, cluster.dataDir).startsWith('..')) relocated = cluster.dataDir;
  onCleanup('PostgreSQL', () => cluster.stop());
  await prepareTemplateDatabase(cluster.url);
  process.env[TEST_SERVER_ENV] = cluster.url;

  // One bench client measures throughput: the per-sender rate and in-flight limits would only cut it short.
  // The master key is shared with the servers of the HTTP comparison (same database, same signing key).
  const masterKey = randomBytes(32).toString('base64');
  const server = await startTestServer({ RATE_LIMIT_PER_MINUTE: '0', SYNC_MAX_IN_FLIGHT_PER_SENDER: String(CONCURRENCY), MASTER_KEY: masterKey, DB_POOL_SIZE: String(POOL_SIZE) });
  onCleanup('server', () => server.close());
  const { ctx, baseUrl } = server;
  const pool = ctx.db.pool;
  const pgVersion = (await pool.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
  log(`server on ${baseUrl}, PostgreSQL ${pgVersion}, data in ${cluster.dataDir}`);

  // 1. Seeding --------------------------------------------------------------------------------
  log(`seeding ${PERSONS} persons`);
  const seed = await seedDemoRegistry(pool, PERSONS, (done, total) => log(`  seeded ${done}/${total}`));
  const analyzeStarted = performance.now();
  await pool.query('ANALYZE');
  const analyzeMs = performance.now() - analyzeStarted;
  const dbBytes = Number((await pool.query<{ n: string }>('SELECT pg_database_size(current_database()) AS n')).rows[0]!.n);
  section(`1. Seeding (seedDemoRegistry, PostgreSQL ${pgVersion})`, [
    { name: 'persons / households', value: `${seed.persons} / ${seed.households}`, unit: 'count' },
    { name: 'seeding time', value: seed.ms / 1000, unit: 's' },
    { name: 'seeding rate', value: seed.persons / (seed.ms / 1000), unit: 'persons/s' },
    { name: 'ANALYZE afterwards (not in the rate)', value: analyzeMs / 1000, unit: 's' },
    { name: 'database size', value: dbBytes / 2 ** 20, unit: 'MiB' },
  ]);

  // A sender as an integrator would have it: OAuth client, Ed25519 key, demo agreement.
  const sender = await createTestSender(ctx, 'bench-client');
  const client = new DciTestClient(baseUrl, sender);
  const token = await client.accessToken();
  const searchHeaders = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  const searchUrl = `${baseUrl}/registry/sync/search`;
  const child = await startLoadClient();

  const random = seededRandom(20261125);
  const randomUin = () => {
    const index = Math.floor(random() * seed.households);
    const household = demoHousehold(seed.firstHousehold + index);
    // The last household may have been cut short to hit the exact person count: use its head.
    const members = index === seed.households - 1 ? 1 : household.members.length;
    return household.members[Math.floor(random() * members)]!.uin;
  };
  const byUin = (): Record<string, unknown> => ({ reg_record_type: 'Person', query_type: 'idtype-value', query: { type: 'UIN', value: randomUin() } });
  const LOCATIONS = ['central_region', 'northern_region', 'southern_region', 'eastern_region', 'western_region', 'coastal_region'];
  const groupExpression = (): Record<string, unknown> => {
    const low = Math.floor(random() * 9) * 10;
    return {
      reg_record_type: 'Group',
      query_type: 'expression',
      query: { type: 'ns:org:QueryType:expression', value: { expression: { collection: 'Group', query: { $and: [{ location: LOCATIONS[Math.floor(random() * LOCATIONS.length)] }, { poverty_score: { $gte: low, $lt: low + 10 } }] } } } },
      pagination: { page_size: 10, page_number: 1 },
    };
  };

  /** Signed request bodies, built before the clock starts; returns the mean signing cost. */
  async function signedSearches(criteria: Record<string, unknown>[]): Promise<{ bodies: string[]; signMs: number; buildMs: number }> {
    let signMs = 0;
    const started = performance.now();
    const bodies: string[] = [];
    for (const [i, c] of criteria.entries()) {
      const header = client.header('search', 1);
      const message = { transaction_id: randomUUID(), search_request: [searchItem(`ref-${i}`, c)] };
      const t = performance.now();
      const envelope = await client.envelope(header, message);
      signMs += performance.now() - t;
      bodies.push(JSON.stringify(envelope));
    }
    return { bodies, signMs: signMs / criteria.length, buildMs: (performance.now() - started) / criteria.length };
  }

  async function searchLoad(criteria: Record<string, unknown>[], concurrency: number) {
    const built = await signedSearches(criteria);
    const result = await runLoad(child, { url: searchUrl, headers: searchHeaders, bodies: built.bodies, concurrency, maxMs: RUN_MS, check: 'search' });
    return { ...built, result };
  }

  /** The same queries without HTTP, auth, signatures or audit: translate + searchRegistry only. */
  async function directSearches(criteria: Record<string, unknown>[]): Promise<Latencies> {
    const values: number[] = [];
    const started = performance.now();
    for (const c of criteria) {
      if (performance.now() - started > RUN_MS) break;
      const t = performance.now();
      await searchRegistry(pool, translateSearchCriteria(searchItem('direct', c).search_criteria, { maxPageSize: ctx.config.maxPageSize }));
      values.push(performance.now() - t);
    }
    return latencies(values, performance.now() - started);
  }

  // 2. Sync search by UIN (and 6. the same queries without the pipeline) -----------------------
  log('sync search: warm-up');
  await searchLoad(Array.from({ length: WARMUP }, byUin), 2);
  log(`sync search by UIN: ${REQUESTS} sequential`);
  const seqCriteria = Array.from({ length: REQUESTS }, byUin);
  const seq = await searchLoad(seqCriteria, 1);
  log(`sync search by UIN: direct searchRegistry, same ${REQUESTS} queries`);
  const directUin = await directSearches(seqCriteria);
  log(`sync search by UIN: ${REQUESTS} with ${CONCURRENCY} concurrent clients`);
  const conc = await searchLoad(Array.from({ length: REQUESTS }, byUin), CONCURRENCY);
  const seqL = fromLoad('sequential search', seq.result);
  const concL = fromLoad('concurrent search', conc.result);
  section('2. Sync search /registry/sync/search, idtype-value UIN, pre-signed (server only)', [
    ...latencyRows('sequential', seqL),
    ...latencyRows(`${CONCURRENCY} concurrent`, concL),
    { name: `throughput ${CONCURRENCY} concurrent / sequential`, value: concL.perSecond / seqL.perSecond, unit: '×' },
    { name: 'client: sign one envelope (Ed25519)', value: seq.signMs, unit: 'ms/request' },
    { name: 'client: build + sign + serialise one request', value: seq.buildMs, unit: 'ms/request' },
    { name: 'client signing / sequential server p50', value: seq.signMs / seqL.p50, unit: '×' },
  ]);

  // 3. Expression search on Groups --------------------------------------------------------------
  log(`expression search on Groups: ${EXPR_REQUESTS} sequential, then ${CONCURRENCY} concurrent`);
  const exprCriteria = Array.from({ length: EXPR_REQUESTS }, groupExpression);
  const exprSeq = fromLoad('expression search', (await searchLoad(exprCriteria, 1)).result);
  const directExpr = await directSearches(exprCriteria);
  const exprConc = fromLoad('expression search concurrent', (await searchLoad(Array.from({ length: EXPR_REQUESTS }, groupExpression), CONCURRENCY)).result);
  section('3. Expression search: Group, location = X AND poverty_score in [n, n+10), page 10 with member_list', [
    ...latencyRows('sequential', exprSeq, { p99: false }),
    ...latencyRows(`${CONCURRENCY} concurrent`, exprConc, { p99: false }),
    { name: 'expression p50 / UIN p50 (sequential)', value: exprSeq.p50 / seqL.p50, unit: '×' },
  ]);

  // 3b. Expression and predicate searches, page of 100 (issue 11) -------------------------------
  log(`query latency: ${QUERY_REQUESTS} sequential requests per query`);
  const signedSearch = async (criteria: Record<string, unknown>, referenceId: string) =>
    JSON.stringify(await client.envelope(client.header('search', 1), { transaction_id: randomUUID(), search_request: [searchItem(referenceId, criteria)] }));
  section(
    `3b. Expression and predicate searches, page of 100, ${QUERY_REQUESTS} sequential each, signed /registry/sync/search (${seed.persons} persons)`,
    await measureQueryLatency({ searchUrl, headers: searchHeaders, signedBody: signedSearch, searchService: searchServiceOf(pool, ctx.config) }, { requests: QUERY_REQUESTS, warmup: 5, maxMsPerQuery: RUN_MS, seeding: seed, log }),
  );

  // 4. Token endpoint ---------------------------------------------------------------------------
  log(`token endpoint: ${TOKENS} sequential, then ${TOKENS} with 4 concurrent`);
  const tokenBody = new URLSearchParams({ grant_type: 'client_credentials', client_id: sender.clientId, client_secret: sender.clientSecret }).toString();
  const tokenJob = (concurrency: number) => ({ url: `${baseUrl}/oauth2/client/token`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, bodies: Array.from({ length: TOKENS }, () => tokenBody), concurrency, maxMs: Math.min(RUN_MS, 20_000), check: 'token' as const });
  const tokSeq = fromLoad('token', await runLoad(child, tokenJob(1)));
  const tokConc = fromLoad('token concurrent', await runLoad(child, tokenJob(4)));
  section('4. Token endpoint /oauth2/client/token, client_secret_post (scrypt: slow by design)', [
    ...latencyRows('sequential', tokSeq, { p99: false, rate: 'tokens/s' }),
    ...latencyRows('4 concurrent', tokConc, { p99: false, rate: 'tokens/s' }),
    { name: 'token p50 / UIN search p50 (sequential)', value: tokSeq.p50 / seqL.p50, unit: '×' },
  ]);

  // 5. The worker: notification fan-out (also with a SIGKILL halfway) and a large async search --
  for (const { title, rows } of await benchWorker(log)) section(title, rows);

  // 6. Pipeline (and audit) overhead ------------------------------------------------------------
  section('6. Pipeline overhead: HTTP + token + signature check + quota + replay + audit + signed answer vs direct searchRegistry', [
    { name: 'UIN: direct searchRegistry p50', value: directUin.p50, unit: 'ms' },
    { name: 'UIN: direct searchRegistry p95', value: directUin.p95, unit: 'ms' },
    { name: 'UIN: direct searchRegistry rate', value: directUin.perSecond, unit: 'queries/s' },
    { name: 'UIN: whole pipeline p50 (sequential)', value: seqL.p50, unit: 'ms' },
    { name: 'UIN: pipeline p50 / direct p50', value: seqL.p50 / directUin.p50, unit: '×' },
    { name: 'UIN: pipeline − direct (p50)', value: seqL.p50 - directUin.p50, unit: 'ms/request' },
    { name: 'Group expression: direct p50', value: directExpr.p50, unit: 'ms' },
    { name: 'Group expression: pipeline p50 / direct p50', value: exprSeq.p50 / directExpr.p50, unit: '×' },
  ]);

  // 7. Side by side: ours, minimal-DCI and bare ------------------------------------------------
  // A daily quota far above what the bench asks keeps the agreement's quota check on every request.
  await pool.query('UPDATE data_sharing_agreement SET daily_quota = 1000000000 WHERE sender_id = (SELECT id FROM sender WHERE sender_id = $1)', [sender.senderId]);
  await runHttpCompare(
    {
      databaseUrl: ctx.db.url,
      masterKey,
      sender,
      randomUin,
      connections: HTTP_CONNECTIONS,
      seconds: HTTP_SECONDS,
      rounds: HTTP_ROUNDS,
      warmupSeconds: HTTP_WARMUP_SECONDS,
      maxRate: HTTP_MAX_RATE,
      poolSize: POOL_SIZE,
      cpuProfileDir: process.env.BENCH_CPU_PROFILE_DIR || undefined,
      log,
      results,
    },
    onCleanup,
  );

  const written = await results.write(RESULTS_DIR);
  console.log(`\nTotal ${((performance.now() - startedAt) / 1000).toFixed(1)} s on ${cpus.length} cpus (servers, PostgreSQL, worker and load client share them).`);
  console.log(`Results: ${written.json}\n         ${written.markdown}`);
}

const watchdog = setTimeout(() => {
  console.error(`bench: BENCH_MAX_SECONDS (${MAX_MS / 1000} s) reached, stopping`);
  void cleanup().finally(() => process.exit(2));
}, MAX_MS);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`bench: ${signal}, cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

let code = 0;
try {
  await main();
} catch (error) {
  console.error(error);
  code = 1;
} finally {
  clearTimeout(watchdog);
  log('cleaning up');
  await cleanup();
}
process.exit(code);
