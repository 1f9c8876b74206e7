import type pg from 'pg';
import type { Database } from '../database.js';
import type { Metrics } from './metrics.js';

/** A scrape never waits longer than this for the database; its database figures are then left out. */
export const SCRAPE_DATABASE_TIMEOUT_MS = 2000;

interface KnexPool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
}

/**
 * Sets the gauges that describe the database side, on a scrape only (never on the request path):
 * pool use from the pools' own counters, then the job queue, deliveries and keys in one short
 * read-only transaction. A database that does not answer in time leaves those gauges empty and
 * `dci_metrics_database_up` at 0; the scrape itself still answers.
 */
export async function scrapeDatabase(metrics: Metrics, db: Database, maxSenders: number): Promise<void> {
  const { gauges } = metrics;
  setPool(metrics, 'pg', db.pool.totalCount, db.pool.idleCount, db.pool.waitingCount);
  const knexPool = (db.orm.em.getConnection().getKnex().client as { pool?: KnexPool }).pool;
  if (knexPool) setPool(metrics, 'orm', knexPool.numUsed() + knexPool.numFree(), knexPool.numFree(), knexPool.numPendingAcquires());

  for (const gauge of [gauges.jobs, gauges.oldestReadyJob, gauges.deliveries, gauges.senderKeyExpiry, gauges.serverKeyAge, gauges.workerLastSeen]) gauge.reset();
  try {
    const figures = await withTimeout(readFigures(db.pool, maxSenders), SCRAPE_DATABASE_TIMEOUT_MS);
    for (const row of figures.jobs) for (const state of ['ready', 'scheduled', 'locked', 'failed'] as const) gauges.jobs.set({ task: row.task, state }, row[state]);
    gauges.oldestReadyJob.set(figures.oldestReadySeconds);
    for (const status of ['pending', 'failed', 'dead']) gauges.deliveries.set({ status }, figures.deliveries.get(status) ?? 0);
    for (const row of figures.senderKeys) gauges.senderKeyExpiry.set({ sender: row.sender_id }, row.seconds);
    if (figures.serverKeyAgeSeconds !== null) gauges.serverKeyAge.set(figures.serverKeyAgeSeconds);
    if (figures.workerLastSeenSeconds !== null) gauges.workerLastSeen.set(figures.workerLastSeenSeconds);
    gauges.databaseScrape.set(1);
  } catch {
    gauges.databaseScrape.set(0);
  }
}

function setPool(metrics: Metrics, pool: string, total: number, idle: number, waiting: number): void {
  metrics.gauges.poolConnections.set({ pool, state: 'total' }, total);
  metrics.gauges.poolConnections.set({ pool, state: 'idle' }, idle);
  metrics.gauges.poolConnections.set({ pool, state: 'waiting' }, waiting);
}

interface JobRow {
  task: string;
  ready: number;
  scheduled: number;
  locked: number;
  failed: number;
}

async function readFigures(pool: pg.Pool, maxSenders: number) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN READ ONLY');
    await client.query(`SET LOCAL statement_timeout = ${SCRAPE_DATABASE_TIMEOUT_MS}`);
    const jobs = await client.query<JobRow & { oldest: number | null }>(
      `SELECT task_identifier AS task,
              count(*) FILTER (WHERE locked_at IS NULL AND attempts < max_attempts AND run_at <= now())::int AS ready,
              count(*) FILTER (WHERE locked_at IS NULL AND attempts < max_attempts AND run_at > now())::int AS scheduled,
              count(*) FILTER (WHERE locked_at IS NOT NULL)::int AS locked,
              count(*) FILTER (WHERE locked_at IS NULL AND attempts >= max_attempts)::int AS failed,
              extract(epoch FROM now() - min(run_at) FILTER (WHERE locked_at IS NULL AND attempts < max_attempts AND run_at <= now()))::float AS oldest
       FROM graphile_worker.jobs GROUP BY task_identifier`,
    );
    const deliveries = await client.query<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM notification_delivery WHERE status IN ('pending', 'failed', 'dead') GROUP BY status`,
    );
    // A sender can sign until its last valid key expires; one key without an end date means never.
    const senderKeys = await client.query<{ sender_id: string; seconds: number }>(
      `SELECT s.sender_id, extract(epoch FROM max(k.not_after) - now())::float AS seconds
       FROM sender s JOIN sender_key k ON k.sender_id = s.id AND NOT k.revoked
       WHERE s.active GROUP BY s.sender_id HAVING bool_and(k.not_after IS NOT NULL)
       ORDER BY seconds LIMIT $1`,
      [maxSenders],
    );
    const singles = await client.query<{ server_key_age: number | null; worker_last_seen: number | null }>(
      `SELECT (SELECT extract(epoch FROM now() - coalesce(activated_at, created_at))::float FROM server_key WHERE state = 'active' LIMIT 1) AS server_key_age,
              (SELECT extract(epoch FROM now() - max(last_seen))::float FROM worker_heartbeat) AS worker_last_seen`,
    );
    await client.query('COMMIT');
    return {
      jobs: jobs.rows,
      oldestReadySeconds: Math.max(0, ...jobs.rows.map((r) => r.oldest ?? 0)),
      deliveries: new Map(deliveries.rows.map((r) => [r.status, r.n])),
      senderKeys: senderKeys.rows,
      serverKeyAgeSeconds: singles.rows[0]!.server_key_age,
      workerLastSeenSeconds: singles.rows[0]!.worker_last_seen,
    };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** Rejects after `ms`; the work itself goes on (bounded by the statement timeout) and its result is dropped. */
export function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_resolve, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
