import { run, runMigrations, type Runner, type TaskList } from 'graphile-worker';
import type pg from 'pg';
import type { Logger } from '../logger.js';

export interface WorkerHandle {
  stop(): Promise<void>;
}

/** Installs graphile-worker's schema (idempotent); done at start-up by servers and workers alike. */
export async function prepareJobQueue(pool: pg.Pool): Promise<void> {
  await runMigrations({ pgPool: pool });
}

/** Runs the background jobs on our own pool; signals are handled by our process, not by the worker. */
export async function startWorker(pool: pg.Pool, taskList: TaskList, logger: Logger, concurrency = 4): Promise<WorkerHandle> {
  const runner: Runner = await run({ pgPool: pool, taskList, concurrency, noHandleSignals: true, pollInterval: 1000, parsedCronItems: [] });
  logger.info({ tasks: Object.keys(taskList), concurrency }, 'background worker started');
  return { stop: () => runner.stop() };
}
