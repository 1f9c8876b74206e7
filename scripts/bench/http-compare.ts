/**
 * Side-by-side HTTP comparison of the signed sync search by identifier: ours
 * (`/registry/sync/search` of the real server, `npm start`'s main.ts in a child process), a
 * minimal-DCI server and a bare Express + pg lookup (scripts/bench/*-server.ts), all on the same
 * database, driven by the same load tool (autocannon, in this process) with the same pre-signed
 * bodies, at each connection count, in alternating order round after round (A/B/C, then C/B/A).
 * Ratios are taken within the run, so a noisy machine slows all three alike.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { DciTestClient, searchItem, type TestSender } from '../../apps/server/src/testing/dci-client.js';
import { startChildServer, type ChildServer } from './children.js';
import type { BenchResults } from './results.js';
import { percentile } from './stats.js';

export interface HttpCompareOptions {
  databaseUrl: string;
  /** The master key the bench's database was set up with (our server decrypts its signing key with it). */
  masterKey: string;
  sender: TestSender;
  /** A UIN of a seeded person, different each call. */
  randomUin: () => string;
  connections: number[];
  seconds: number;
  rounds: number;
  warmupSeconds: number;
  /** Upper bound on the request rate bodies are signed for (ours accepts each message_id once). */
  maxRate: number;
  /** Database connections of each server's pool (ours: DB_POOL_SIZE). */
  poolSize: number;
  /** Where ours writes a V8 CPU profile (node --cpu-prof), when set. */
  cpuProfileDir?: string;
  log: (message: string) => void;
  results: BenchResults;
}

type Target = 'ours' | 'minimal' | 'bare';
const TARGETS: Target[] = ['ours', 'minimal', 'bare'];
const LABEL: Record<Target, string> = { ours: 'ours (/registry/sync/search)', minimal: 'minimal-DCI', bare: 'bare (Express + pg)' };

interface Run {
  requests: number;
  errors: number;
  firstError?: string;
  seconds: number;
  latencies: number[];
}

export interface TargetFigures {
  reqPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  requests: number;
  errors: number;
  /** req/s of each round, in order. */
  rounds: number[];
}

const script = (name: string) => fileURLToPath(new URL(name, import.meta.url));

/** One autocannon run of `bodies` against `url`: every answer's latency, non-200s counted as errors. */
async function drive(url: string, token: string, bodies: readonly string[], connections: number, seconds: number, replayChecked: boolean): Promise<Run> {
  let next = 0;
  const latencies: number[] = [];
  let finished!: (result: autocannon.Result) => void;
  let failed!: (error: Error) => void;
  const done = new Promise<autocannon.Result>((resolve, reject) => ((finished = resolve), (failed = reject)));
  const instance = autocannon(
    {
    url: `${url}/registry/sync/search`,
    connections,
    duration: seconds,
    timeout: 15,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }),
        },
      ],
    },
    (error, result) => (error ? failed(error) : finished(result)),
  );
  const refused = new Map<number, number>();
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    latencies.push(responseTime);
    if (statusCode !== 200) refused.set(statusCode, (refused.get(statusCode) ?? 0) + 1);
  });
  const result = await done;
  const statuses = [...refused].map(([status, count]) => `${count} × HTTP ${status}`);
  if (result.errors + result.timeouts) statuses.push(`${result.errors} socket errors (${result.timeouts} timeouts)`);
  if (replayChecked && next > bodies.length) statuses.push(`only ${bodies.length} bodies were signed for ${next} requests: repeated message_ids were refused as replays`);
  const errors = [...refused.values()].reduce((a, b) => a + b, 0) + result.errors + result.timeouts;
  const run: Run = { requests: latencies.length, errors, seconds: result.duration, latencies, firstError: statuses.join(', ') || undefined };
  return run;
}

/** Checks one answer per target before measuring, so a broken target cannot pass for a fast one. */
async function checkAnswers(servers: Record<Target, ChildServer>, token: string, body: string): Promise<void> {
  for (const target of TARGETS) {
    const res = await fetch(`${servers[target].url}/registry/sync/search`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
    const answer = (await res.json()) as { message?: { search_response?: { status?: string; data?: { reg_records?: unknown[] } }[] } } | unknown[];
    const records = Array.isArray(answer) ? answer : answer.message?.search_response?.[0]?.status === 'succ' ? answer.message.search_response[0].data?.reg_records : undefined;
    if (res.status !== 200 || records?.length !== 1) throw new Error(`${target} did not answer the lookup with one record: ${res.status} ${JSON.stringify(answer).slice(0, 400)}`);
  }
}

export async function runHttpCompare(options: HttpCompareOptions, onCleanup: (name: string, run: () => Promise<unknown>) => void): Promise<Record<number, Record<Target, TargetFigures>> & { oursPeakRssMib?: number }> {
  const { log } = options;
  const maxConnections = Math.max(...options.connections);
  const pool = String(options.poolSize);
  log('http compare: starting ours, minimal-DCI and bare as child processes');
  const ours = await startChildServer('ours', script('../../apps/server/src/main.ts'), (url) => ({
    PUBLIC_URL: url,
    DATABASE_URL: options.databaseUrl,
    MASTER_KEY: options.masterKey,
    DEMO_DATA: 'false',
    RUN_WORKER: 'false',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.BENCH_OURS_LOG_LEVEL ?? 'info',
    DB_POOL_SIZE: pool,
    // Limits stay on, set above what the bench asks, so their checks still run on every request.
    RATE_LIMIT_PER_MINUTE: '100000000',
    // Requests a finished run left behind still hold their slot for a moment: room for those too.
    SYNC_MAX_IN_FLIGHT_PER_SENDER: String(4 * maxConnections),
  }), { quiet: true, nodeArgs: options.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir] : [] });
  onCleanup('ours (child)', () => ours.stop());
  const client = new DciTestClient(ours.url, options.sender);
  const token = await client.accessToken();
  const common = { DATABASE_URL: options.databaseUrl, BENCH_POOL_SIZE: pool };
  const minimal = await startChildServer('minimal-DCI', script('./minimal-dci-server.ts'), () => ({ ...common, BENCH_ISSUER: ours.url }));
  onCleanup('minimal-DCI (child)', () => minimal.stop());
  const bare = await startChildServer('bare', script('./bare-server.ts'), () => common);
  onCleanup('bare (child)', () => bare.stop());
  const servers: Record<Target, ChildServer> = { ours, minimal, bare };

  const sign = async (count: number): Promise<string[]> => {
    const bodies: string[] = [];
    for (let i = 0; i < count; i++) {
      const criteria = { reg_record_type: 'Person', query_type: 'idtype-value', query: { type: 'UIN', value: options.randomUin() } };
      bodies.push(JSON.stringify(await client.envelope(client.header('search', 1), { transaction_id: randomUUID(), search_request: [searchItem(`ref-${i}`, criteria)] })));
    }
    return bodies;
  };
  await checkAnswers(servers, token, (await sign(1))[0]!);

  const runs = new Map<string, Run[]>();
  const bestRate = new Map<number, number>();
  if (options.warmupSeconds > 0) {
    log(`http compare: warm-up, ${options.warmupSeconds} s each at 16 connections`);
    const warm = await sign(Math.ceil(options.warmupSeconds * options.maxRate));
    let fastest = 0;
    for (const target of TARGETS) {
      const run = await drive(servers[target].url, token, warm, 16, options.warmupSeconds, target === 'ours');
      fastest = Math.max(fastest, run.requests / run.seconds);
    }
    // Signing is slow next to a lookup: sign for twice the warm-up's best rate, not for maxRate.
    for (const connections of options.connections) bestRate.set(connections, fastest);
  }

  for (let round = 0; round < options.rounds; round++) {
    const order = round % 2 === 0 ? TARGETS : [...TARGETS].reverse();
    for (const connections of options.connections) {
      // Enough fresh bodies for the fastest target seen at this level (ours refuses a message_id twice).
      const rate = Math.min(options.maxRate, bestRate.has(connections) ? 2 * bestRate.get(connections)! + 200 : options.maxRate);
      const bodies = await sign(Math.ceil(rate * options.seconds) + connections);
      for (const target of order) {
        await new Promise((resolve) => setTimeout(resolve, 500)); // let the previous run's last answers drain
        const run = await drive(servers[target].url, token, bodies, connections, options.seconds, target === 'ours');
        const perSecond = run.requests / run.seconds;
        bestRate.set(connections, Math.max(bestRate.get(connections) ?? 0, perSecond));
        log(`  round ${round + 1}, ${connections} connections, ${target}: ${perSecond.toFixed(0)} req/s, ${run.errors} errors${run.firstError ? ` (${run.firstError})` : ''}`);
        runs.set(`${target}|${connections}`, [...(runs.get(`${target}|${connections}`) ?? []), run]);
      }
    }
  }
  const oursPeakRssMib = ours.peakRssMib();

  const figures: Record<number, Record<Target, TargetFigures>> = {};
  const rows: (string | number)[][] = [];
  for (const connections of options.connections) {
    const byTarget = {} as Record<Target, TargetFigures>;
    for (const target of TARGETS) {
      const list = runs.get(`${target}|${connections}`) ?? [];
      const rates = list.map((r) => r.requests / r.seconds);
      const latencies = list.flatMap((r) => r.latencies);
      byTarget[target] = {
        reqPerSecond: percentile(rates, 50),
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
        p99: percentile(latencies, 99),
        requests: latencies.length,
        errors: list.reduce((sum, r) => sum + r.errors, 0),
        rounds: rates,
      };
    }
    figures[connections] = byTarget;
    for (const target of TARGETS) {
      const f = byTarget[target];
      const ratio = target === 'bare' ? 1 : f.reqPerSecond / byTarget.bare.reqPerSecond;
      rows.push([connections, LABEL[target], Math.round(f.reqPerSecond), f.p50, f.p95, f.p99, Number(ratio.toFixed(2)), f.errors]);
    }
  }
  options.results.table({
    title: `Signed sync search by UIN, side by side (${options.rounds} round${options.rounds === 1 ? '' : 's'} × ${options.seconds} s per target and level; req/s: median of rounds; latencies in ms over all rounds)`,
    columns: ['connections', 'target', 'req/s', 'p50', 'p95', 'p99', 'req/s ÷ bare', 'errors'],
    rows,
  });
  options.results.table({
    title: 'Ours against the others (targets at 64 connections: ours/minimal ≥ 0.8, ours/bare ≥ 0.4, p99 ours/bare ≤ 3, RSS < 300 MB)',
    columns: ['connections', 'ours / minimal-DCI (req/s)', 'ours / bare (req/s)', 'p99 ours / bare', 'our peak RSS (MiB)'],
    rows: options.connections.map((c) => {
      const f = figures[c]!;
      return [c, Number((f.ours.reqPerSecond / f.minimal.reqPerSecond).toFixed(2)), Number((f.ours.reqPerSecond / f.bare.reqPerSecond).toFixed(2)), Number((f.ours.p99 / f.bare.p99).toFixed(2)), Math.round(oursPeakRssMib)];
    }),
  });
  options.results.set('httpCompare', { settings: { connections: options.connections, seconds: options.seconds, rounds: options.rounds, poolSize: options.poolSize }, oursPeakRssMib, figures });

  for (const server of [ours, minimal, bare]) await server.stop();
  return { ...figures, oursPeakRssMib };
}
