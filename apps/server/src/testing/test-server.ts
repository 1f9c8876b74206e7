import { randomBytes } from 'node:crypto';
import { createTestDatabase } from '@dci-server/db';
import type { DestinationStream } from 'pino';
import type { AppContext } from '../context.js';
import { loadConfig, type Config } from '../config.js';
import { connect } from '../database.js';
import { createApp } from '../http/app.js';
import { listen } from '../http/serve.js';
import { taskList } from '../jobs/tasks.js';
import { startWorker } from '../jobs/worker.js';
import { Keyring } from '../keys/keyring.js';
import { MasterKey, parseMasterKey } from '../keys/master-key.js';
import { ensureActiveServerKey } from '../keys/server-keys.js';
import { createLogger } from '../logger.js';
import { Metrics } from '../observability/metrics.js';

export interface TestServer {
  baseUrl: string;
  ctx: AppContext;
  close(): Promise<void>;
}

export interface TestContextOptions {
  /** Where the server connects instead of the test database's own URL (e.g. through a proxy a test can cut). */
  databaseUrl?: (url: string) => string;
  /** Receives the server's log lines (at info level) instead of discarding them. */
  logTo?: DestinationStream;
}

/** A context on a fresh test database (copied from the migrated template), no HTTP. */
export async function createTestContext(env: Record<string, string> = {}, options: TestContextOptions = {}): Promise<AppContext> {
  const url = options.databaseUrl ? options.databaseUrl(await createTestDatabase()) : await createTestDatabase();
  const config: Config = { ...loadConfig({ DEMO_DATA: 'false', ...env }), databaseUrl: url };
  const logger = options.logTo ? createLogger('info', options.logTo) : createLogger(process.env.LOG_LEVEL ?? 'silent');
  const db = await connect(url, undefined, logger, true, { readUrl: config.databaseReadUrl, poolSize: config.dbPoolSize });
  const masterKey = new MasterKey(config.masterKey ? parseMasterKey(config.masterKey) : randomBytes(32));
  await ensureActiveServerKey(db.orm.em.fork(), masterKey);
  return { config, logger, db, masterKey, keyring: new Keyring(() => db.orm.em.fork(), masterKey, config.keyOverlapSeconds, db.changes), metrics: new Metrics(config.metrics.maxSenders) };
}

/** The real Express app on a free loopback port, over a fresh database; optionally with the worker. */
export async function startTestServer(env: Record<string, string> = {}, options: { worker?: boolean } & TestContextOptions = {}): Promise<TestServer> {
  const ctx = await createTestContext(env, options);
  const http = await listen(createApp(ctx), 0, '127.0.0.1');
  const worker = options.worker ? await startWorker(ctx.db.pool, taskList(ctx), ctx.logger, 2) : undefined;
  const baseUrl = `http://127.0.0.1:${http.port}`;
  ctx.config.publicUrl = baseUrl;
  return {
    baseUrl,
    ctx,
    async close() {
      await http.close(1000);
      await worker?.stop();
      await ctx.db.close();
    },
  };
}
