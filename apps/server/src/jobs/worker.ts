import { EventEmitter } from 'node:events';
import { Logger as WorkerLogger, run, type Runner, type TaskList, type WorkerEvents } from 'graphile-worker';
import type pg from 'pg';
import type { Logger } from '../logger.js';
import { startAuditSealer } from '../transactions/audit-chain.js';
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
  // Batched, a job that cannot be released (database gone) stops the worker pool, which we restart
  // below; unbatched, it is an unhandled rejection that ends the whole process.
  const preset = { worker: { completeJobBatchDelay: 0, failJobBatchDelay: 0 } };
  const startRunner = () => run({ pgPool: pool, taskList, concurrency, noHandleSignals: true, pollInterval: 1000, crontab: CRONTAB, logger: workerLogger, events, preset });
  let runner: Runner = await startRunner();
  let stopping = false;
  // The runner ends on its own when the database goes away (restart, failover): start a new one once it is back.
  const restartWhenEnded = (ended: Runner) => {
    void ended.promise.catch(() => {}).then(async () => {
      for (let attempt = 1; attempt <= RUNNER_RESTART_ATTEMPTS && !stopping; attempt++) {
        logger.warn({ attempt }, 'background worker stopped unexpectedly (database unavailable?); restarting it');
        await new Promise((resolve) => setTimeout(resolve, Math.min(attempt, 30) * 1000));
        if (stopping) return;
        try {
          workerIds.clear(); // the old workers' ids stop beating, so their locked jobs are released
          const restarted = await startRunner();
          // Stopped while it was starting: stop it too, or it would hold a pooled connection for ever.
          if (stopping) return void (await restarted.stop().catch(() => {}));
          runner = restarted;
          restartWhenEnded(runner);
          return logger.info('background worker restarted');
        } catch (error) {
          logger.warn({ err: error }, 'background worker could not restart yet');
        }
      }
    });
  };
  restartWhenEnded(runner);
  const heartbeat = await startHeartbeat(pool, () => [...workerIds]);
  const matcherWatch = watchUnmatchedEvents(pool, logger);
  const sealer = startAuditSealer(pool, (error) => logger.warn({ err: error }, 'could not seal the audit chain'));
  // Whatever a crashed worker left locked is put back at once, not only at the next cron tick.
  await runner.addJob('sweep-notifications', { staleSeconds: 0 }, { jobKey: 'sweep-notifications-at-start' });
  logger.info({ tasks: Object.keys(taskList), concurrency }, 'background worker started');
  return {
    async stop() {
      stopping = true;
      clearInterval(matcherWatch);
      sealer.stop();
      await runner.stop().catch(() => {}); // already stopped if the database went away
      await heartbeat.stop();
    },
  };
}

/** About an hour of attempts (the wait grows to 30 s) before the worker gives up until restarted. */
const RUNNER_RESTART_ATTEMPTS = 150;
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
