import type pg from 'pg';

const HEARTBEAT_SECONDS = 10;
/** Silent this long, a worker counts as dead. */
export const DEAD_AFTER_SECONDS = 45;

/** Records that these workers are alive (now, then every HEARTBEAT_SECONDS) until stopped, then forgets them. */
export async function startHeartbeat(pool: pg.Pool, workerIds: () => string[]): Promise<{ stop(): Promise<void> }> {
  const beat = () => pool.query('INSERT INTO worker_heartbeat (worker_id) SELECT unnest($1::text[]) ON CONFLICT (worker_id) DO UPDATE SET last_seen = now()', [workerIds()]);
  await beat();
  const timer = setInterval(() => void beat().catch(() => {}), HEARTBEAT_SECONDS * 1000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await pool.query('DELETE FROM worker_heartbeat WHERE worker_id = ANY($1::text[])', [workerIds()]).catch(() => {});
    },
  };
}

/**
 * graphile-worker keeps a job locked for hours when the worker holding it dies. Jobs locked by
 * workers that stopped their heartbeat are released here, so another worker runs them now.
 */
export async function releaseJobsOfDeadWorkers(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ locked_by: string }>(
    `SELECT DISTINCT locked_by FROM graphile_worker.jobs
     WHERE locked_by IS NOT NULL AND locked_at < now() - make_interval(secs => $1)
       AND locked_by NOT IN (SELECT worker_id FROM worker_heartbeat WHERE last_seen > now() - make_interval(secs => $1))`,
    [DEAD_AFTER_SECONDS],
  );
  const dead = rows.map((r) => r.locked_by);
  if (dead.length) await pool.query('SELECT graphile_worker.force_unlock_workers($1::text[])', [dead]);
  return dead;
}
