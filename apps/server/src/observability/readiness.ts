import { migrationsApplied } from '@dci-server/db';
import type { Database } from '../database.js';
import { DEAD_AFTER_SECONDS } from '../jobs/heartbeat.js';
import { withTimeout } from './scrape.js';

/** A due job waiting longer than this for a worker means the workers are not keeping up. */
export const BACKLOG_BEHIND_AFTER_SECONDS = 120;
/** /readyz never waits longer than this for the database: an answer that slow is "unreachable". */
const READINESS_TIMEOUT_MS = 3000;

export interface Readiness {
  /**
   * ready: everything is fine. degraded: the API serves requests, but background work (callbacks,
   * notifications) is not being done in time. unavailable / migrations pending: requests fail.
   */
  status: 'ready' | 'degraded' | 'unavailable' | 'migrations pending';
  database: 'ok' | 'down' | 'unreachable';
  migrations: 'applied' | 'pending' | 'unknown';
  /** ok: a worker beat within DEAD_AFTER_SECONDS; stale: workers beat, but none that recently; none: no worker runs. */
  worker: { status: 'ok' | 'stale' | 'none' | 'unknown'; last_seen_seconds_ago: number | null };
  /** behind: a due job has waited more than BACKLOG_BEHIND_AFTER_SECONDS. */
  job_backlog: { status: 'ok' | 'behind' | 'unknown'; ready_jobs: number | null; oldest_ready_seconds: number | null };
  error?: string;
}

/**
 * What /readyz answers. HTTP 503 only when this server cannot serve requests (database down or
 * unreachable, migrations pending): a load balancer should then stop sending it traffic. A dead
 * worker or a growing backlog is `degraded` with 200: every server shares the same workers, so taking
 * this one out of rotation would fix nothing; monitoring alerts on it instead.
 */
export async function checkReadiness(db: Database): Promise<{ httpStatus: number; body: Readiness }> {
  const unknown = { migrations: 'unknown', worker: { status: 'unknown', last_seen_seconds_ago: null }, job_backlog: { status: 'unknown', ready_jobs: null, oldest_ready_seconds: null } } as const;
  const embedded = db.embedded?.health();
  if (embedded?.state === 'down') return { httpStatus: 503, body: { status: 'unavailable', database: 'down', ...unknown, error: embedded.reason } };
  try {
    // Our pool first: it fails at once while the database is down, whereas the ORM's pool would queue
    // the request for its acquire timeout (and every probe meanwhile would add one).
    const background = await withTimeout(backgroundWork(db), READINESS_TIMEOUT_MS);
    const migrated = await withTimeout(migrationsApplied(db.orm), READINESS_TIMEOUT_MS);
    const body: Readiness = { status: 'ready', database: 'ok', migrations: migrated ? 'applied' : 'pending', ...background };
    if (!migrated) body.status = 'migrations pending';
    else if (background.worker.status !== 'ok' || background.job_backlog.status !== 'ok') body.status = 'degraded';
    return { httpStatus: migrated ? 200 : 503, body };
  } catch (error) {
    return { httpStatus: 503, body: { status: 'unavailable', database: 'unreachable', ...unknown, error: (error as Error).message } };
  }
}

async function backgroundWork(db: Database): Promise<Pick<Readiness, 'worker' | 'job_backlog'>> {
  const { rows } = await db.pool.query<{ last_seen: number | null; ready: number; oldest: number | null }>(
    `SELECT (SELECT extract(epoch FROM now() - max(last_seen))::float FROM worker_heartbeat) AS last_seen,
            count(*)::int AS ready, extract(epoch FROM now() - min(run_at))::float AS oldest
     FROM graphile_worker.jobs WHERE locked_at IS NULL AND attempts < max_attempts AND run_at <= now()`,
  );
  const { last_seen: lastSeen, ready, oldest } = rows[0]!;
  const worker = lastSeen === null ? 'none' : lastSeen <= DEAD_AFTER_SECONDS ? 'ok' : 'stale';
  return {
    worker: { status: worker, last_seen_seconds_ago: lastSeen === null ? null : Math.round(lastSeen) },
    job_backlog: { status: (oldest ?? 0) > BACKLOG_BEHIND_AFTER_SECONDS ? 'behind' : 'ok', ready_jobs: ready, oldest_ready_seconds: oldest === null ? 0 : Math.round(oldest) },
  };
}
