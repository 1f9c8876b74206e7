import { EventEmitter } from 'node:events';
import { Logger as WorkerLogger, run, type Runner, type TaskList, type WorkerEvents } from 'graphile-worker';
import type pg from 'pg';
import type { Logger } from '../logger.js';
import { startHeartbeat } from './heartbeat.js';
import { CRONTAB } from './tasks.js';

export interface WorkerHandle {
  stop(): Promise<void>;
}

/** Runs the background jobs on our own pool; signals are handled by our process, not by the worker. */
export async function startWorker(pool: pg.Pool, taskList: TaskList, logger: Logger, concurrency = 8): Promise<WorkerHandle> {
  // graphile-worker's own messages go through our logger (its default writes every job to the console).
  const workerLogger = new WorkerLogger((scope) => (level, message, meta) => {
    const log = logger.child({ worker: scope.workerId, task: scope.taskIdentifier, job: scope.jobId });
    if (level === 'error') log.error(meta ?? {}, message);
    else if (level === 'warning') log.warn(meta ?? {}, message);
    else log.debug(meta ?? {}, message);
  });
  // Our own emitter, attached before the workers exist, so that every worker id is seen for the heartbeat.
  const events: WorkerEvents = new EventEmitter();
  const workerIds = new Set<string>();
  events.on('worker:create', ({ worker }) => workerIds.add(worker.workerId));
  const runner: Runner = await run({ pgPool: pool, taskList, concurrency, noHandleSignals: true, pollInterval: 1000, crontab: CRONTAB, logger: workerLogger, events });
  const heartbeat = await startHeartbeat(pool, () => [...workerIds]);
  const matcherWatch = watchUnmatchedEvents(pool, logger);
  // Whatever a crashed worker left locked is put back at once, not only at the next cron tick.
  await runner.addJob('sweep-notifications', { staleSeconds: 0 }, { jobKey: 'sweep-notifications-at-start' });
  logger.info({ tasks: Object.keys(taskList), concurrency }, 'background worker started');
  return {
    async stop() {
      clearInterval(matcherWatch);
      await runner.stop();
      await heartbeat.stop();
    },
  };
}

const MATCHER_WATCH_MS = 2000;

/**
 * The outbox trigger wakes the matcher through a keyed job; graphile-worker can drop such a wake-up
 * when a worker is taking the same keyed job at that instant. So every worker also looks for
 * unmatched events every 2 s (an indexed probe) and queues the matcher when it finds any.
 */
function watchUnmatchedEvents(pool: pg.Pool, logger: Logger): NodeJS.Timeout {
  const timer = setInterval(() => {
    pool
      .query(
        `SELECT graphile_worker.add_job('match-registry-events', '{}'::json, job_key => 'match-registry-events', job_key_mode => 'preserve_run_at')
         WHERE EXISTS (SELECT 1 FROM registry_event WHERE matched_at IS NULL)`,
      )
      .catch((error: unknown) => logger.warn({ err: error }, 'could not look for unmatched events'));
  }, MATCHER_WATCH_MS);
  timer.unref();
  return timer;
}
