import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { AppContext } from '../context.js';
import { createTestContext } from '../testing/test-server.js';
import { releaseJobsOfDeadWorkers, startHeartbeat } from './heartbeat.js';

let ctx: AppContext;
before(async () => {
  ctx = await createTestContext();
});
after(() => ctx.db.close());

/** A queued job, then locked as a worker that took it two minutes ago would have. */
async function lockedJob(key: string, worker: string): Promise<void> {
  await ctx.db.pool.query(`SELECT graphile_worker.add_job('dci-async-search', '{}'::json, job_key => $1)`, [key]);
  // The lock columns are graphile-worker's private state; only a test sets them by hand.
  await ctx.db.pool.query(`UPDATE graphile_worker._private_jobs SET locked_at = now() - interval '2 minutes', locked_by = $2 WHERE key = $1`, [key, worker]);
}

test('jobs of a worker that stopped its heartbeat are released; a live worker keeps its jobs', async () => {
  await lockedJob('held-by-dead', 'worker-dead');
  await lockedJob('held-by-live', 'worker-live');
  const heartbeat = await startHeartbeat(ctx.db.pool, () => ['worker-live']);
  try {
    assert.deepEqual(await releaseJobsOfDeadWorkers(ctx.db.pool), ['worker-dead']);
    const { rows } = await ctx.db.pool.query<{ key: string; locked_by: string | null }>(`SELECT key, locked_by FROM graphile_worker.jobs WHERE key LIKE 'held-by-%' ORDER BY key`);
    assert.deepEqual(rows, [
      { key: 'held-by-dead', locked_by: null },
      { key: 'held-by-live', locked_by: 'worker-live' },
    ]);
  } finally {
    await heartbeat.stop();
  }
  const { rows } = await ctx.db.pool.query('SELECT * FROM worker_heartbeat');
  assert.equal(rows.length, 0, 'a worker that stops cleanly removes its heartbeat');
});
