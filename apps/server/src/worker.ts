import { bootstrap, exitOnDatabaseLost } from './bootstrap.js';
import { ConfigError, loadConfig } from './config.js';
import { startWorker } from './jobs/worker.js';
import { taskList } from './jobs/tasks.js';
import { createLogger } from './logger.js';

/** `npm run worker`: background jobs only, sharing the database with any number of servers. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const ctx = await bootstrap(config, logger, { onDatabaseLost: exitOnDatabaseLost(logger) });
  const started = startWorker(ctx.db.pool, taskList(ctx), logger, config.workerConcurrency);
  // Handlers first: a signal while the worker is starting must still stop everything cleanly.
  const shutdown = async () => {
    const worker = await started.catch(() => undefined);
    await worker?.stop();
    await ctx.db.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
  await started;
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
