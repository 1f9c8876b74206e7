import { bootstrap, exitOnDatabaseLost, loadDemoData } from './bootstrap.js';
import { ConfigError, loadConfig } from './config.js';
import { createApp, serviceLinks } from './http/app.js';
import { listen, type HttpServer } from './http/serve.js';
import { startWorker, type WorkerHandle } from './jobs/worker.js';
import { taskList } from './jobs/tasks.js';
import { createLogger } from './logger.js';

/** `npm start`: database (embedded unless DATABASE_URL), migrations, demo data, HTTP API and worker. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const started = Date.now();
  const ctx = await bootstrap(config, logger, { onDatabaseLost: exitOnDatabaseLost(logger) });
  let http: HttpServer;
  let worker: WorkerHandle | undefined;
  try {
    if (config.demoData) await loadDemoData(ctx);
    http = await listen(createApp(ctx), config.port, config.host);
    if (config.runWorker) worker = await startWorker(ctx.db.pool, taskList(ctx), logger, config.workerConcurrency);
  } catch (error) {
    await ctx.db.close(); // never leave the embedded PostgreSQL running behind a failed start
    throw error;
  }

  // Handlers first: a Ctrl-C right after the banner must still stop everything cleanly.
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await http.close(config.shutdownTimeoutMs);
    await worker?.stop();
    await ctx.db.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  // Under `npm start`, npm passes signals on; if npm itself is killed outright, do not run on orphaned.
  if (process.env.npm_lifecycle_event) {
    const parent = process.ppid;
    setInterval(() => process.ppid !== parent && void shutdown('npm exited'), 1000).unref();
  }

  const links = serviceLinks(config.publicUrl);
  logger.info({ ms: Date.now() - started, database: ctx.db.embedded ? `embedded PostgreSQL in ${ctx.db.embedded.dataDir}` : 'DATABASE_URL' }, 'DCI Server ready');
  console.log(
    [
      '',
      `  DCI Server is up (${((Date.now() - started) / 1000).toFixed(1)} s)`,
      `  DCI API      ${links.dci_api}`,
      `  Token        ${links.token}`,
      `  JWKS         ${links.jwks}`,
      `  Console      ${links.console}`,
      `  GraphQL      ${links.graphql}`,
      `  Docs         ${links.docs}`,
      `  Health       ${links.ready}`,
      ctx.db.embedded ? `  Database     ${ctx.db.url.replace(/:[^:@/]+@/, ':***@')} (embedded, data in ${ctx.db.embedded.dataDir})` : '',
      config.demoData ? `  Demo sender  ${config.dataDir}/demo/demo-client.credentials.json` : '',
      config.demoData ? `  Demo admin   ${config.dataDir}/demo/admin.credentials.json (console sign-in)` : '',
      '',
    ]
      .filter((line, i, all) => line !== '' || i === 0 || i === all.length - 1)
      .join('\n'),
  );

}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
