import type { Task } from 'graphile-worker';
import type { AppContext } from '../context.js';
import { releaseJobsOfDeadWorkers } from '../jobs/heartbeat.js';
import { scheduleBatches, scheduleEach } from './delivery.js';

/**
 * Recovery after a crash: a job held by a worker that died stays locked for hours, so jobs of
 * workers without a heartbeat are released, and deliveries still pending or failed past their
 * time, and events never matched, are put back in the queue.
 * Runs when a worker starts and every minute. A delivery queued twice is sent once: the delivery
 * row lock and its status keep two jobs from sending it twice, at once or one after the other.
 */
export function sweepNotifications(ctx: AppContext): Task {
  return async (payload) => {
    await sweep(ctx, (payload as { staleSeconds?: number } | null)?.staleSeconds ?? 30);
  };
}

/** `staleSeconds` 0 (at worker start) re-queues every open delivery, keeping each one's next attempt time. */
export async function sweep(ctx: AppContext, staleSeconds: number): Promise<{ deliveries: number; events: number; deadWorkers: string[] }> {
  const { pool } = ctx.db;
  // Async answers, matching and digests held by a dead worker run again elsewhere (at least once).
  const deadWorkers = await releaseJobsOfDeadWorkers(pool);
  if (deadWorkers.length) ctx.logger.warn({ deadWorkers }, 'released jobs of workers that stopped');
  const { rows } = await pool.query<{ id: string; next_attempt_at: Date | null }>(
    `SELECT d.id, d.next_attempt_at FROM notification_delivery d JOIN subscription s ON s.id = d.subscription_id
     WHERE d.status IN ('pending', 'failed') AND d.updated_at <= now() - make_interval(secs => $1)
       AND ($1 = 0 OR d.next_attempt_at IS NULL OR d.next_attempt_at < now() - make_interval(secs => $1))
       AND s.suspended_at IS NULL -- paused by staff: resuming schedules them
     LIMIT 10000`,
    [staleSeconds],
  );
  // Due now: in batches per subscription (after a crash, a whole fan-out may be waiting); later: each at its own time.
  const now = new Date();
  await scheduleBatches(pool, rows.filter((r) => !r.next_attempt_at || r.next_attempt_at <= now).map((r) => r.id));
  await scheduleEach(pool, rows.filter((r) => r.next_attempt_at && r.next_attempt_at > now).map((r) => ({ id: r.id, runAt: r.next_attempt_at })));
  const { rows: events } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM registry_event WHERE matched_at IS NULL`);
  if (events[0]!.n) await pool.query(`SELECT graphile_worker.add_job('match-registry-events', '{}'::json, job_key => 'match-registry-events')`);
  return { deliveries: rows.length, events: events[0]!.n, deadWorkers };
}
