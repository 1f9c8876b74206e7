import path from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import { ensureDatabase, migrate, openOrm, startEmbeddedPostgres, withDatabase, type EmbeddedPostgres } from '@dci-server/db';
import { Logger as WorkerLogger, runMigrations as migrateJobQueue } from 'graphile-worker';
import pg from 'pg';
import { ChangeFeed } from './change-feed.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';

export interface Database {
  url: string;
  orm: MikroORM;
  /** Our own pool, for graphile-worker, COPY and hand-written SQL. */
  pool: pg.Pool;
  /**
   * For registry searches (DCI search, GraphQL registry reads): DATABASE_READ_URL, a read replica,
   * when set; else the same pool. Replicas lag: never read here what the same request just wrote.
   */
  readPool: pg.Pool;
  /**
   * For admitting DCI requests only (senders/admission.ts): its commits do not wait for the WAL to
   * reach the disk (synchronous_commit off), so the sender's rate and quota rows are not locked
   * through a flush. Nothing is weakened: every answer waits for its audit record's commit on
   * `pool`, and that flush writes all the WAL before it, the admission's commit included.
   */
  admissionPool: pg.Pool;
  /** Changes to senders, keys and agreements, for the request path's in-memory copies. */
  changes: ChangeFeed;
  embedded?: EmbeddedPostgres;
  close(): Promise<void>;
}

const EMBEDDED_DATABASE = 'dci';

export interface OpenOptions {
  migrate?: boolean;
  /**
   * Long-running processes (server, worker): keep the embedded PostgreSQL up, restarting it or taking
   * it over from an owner that exited; called when that fails for good.
   */
  onDatabaseLost?: (error: Error) => void;
}

/**
 * Connects to DATABASE_URL, or to the embedded PostgreSQL in DATA_DIR (started here unless another
 * process already runs it); then migrates.
 */
export async function openDatabase(config: Config, logger: Logger, options: OpenOptions = {}): Promise<Database> {
  let embedded: EmbeddedPostgres | undefined;
  let url = config.databaseUrl;
  if (!url) {
    const onFailure = options.onDatabaseLost;
    embedded = await startEmbeddedPostgres({
      dataDir: path.join(config.dataDir, 'postgres'),
      port: config.embeddedPgPort,
      onNotice: (message) => logger.warn(message),
      onLog: (line) => logger.debug({ postgres: line }),
      supervise: onFailure && { onFailure },
    });
    if (embedded.role === 'attached') logger.info({ port: embedded.port }, 'using the embedded PostgreSQL another process runs on this DATA_DIR');
    await ensureDatabase(embedded.url, EMBEDDED_DATABASE);
    url = withDatabase(embedded.url, EMBEDDED_DATABASE);
  }
  try {
    return await connect(url, embedded, logger, options.migrate ?? true, { readUrl: config.databaseReadUrl, poolSize: config.dbPoolSize });
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
}

export async function connect(url: string, embedded: EmbeddedPostgres | undefined, logger: Logger, runMigrations: boolean, options: { readUrl?: string; poolSize?: number } = {}): Promise<Database> {
  const orm = await openOrm(url, { logger: (message) => logger.debug({ orm: message }) });
  const poolSize = options.poolSize ?? 10;
  let closing = false;
  // pool.end() resolves once its clients are told to end, not once their sockets are closed: stopping
  // PostgreSQL right after may still reach them ("terminating connection"), which is no failure then.
  const onError = (error: Error) => (closing ? logger.debug({ err: error }, 'database connection closed during shutdown') : logger.error({ err: error }, 'database connection failed'));
  const newPool = (connectionString: string, settings: pg.PoolConfig = {}) => {
    const created = new pg.Pool({ connectionString, max: poolSize, ...settings });
    created.on('error', onError);
    created.on('connect', (client) => client.on('error', onError));
    return created;
  };
  const pool = newPool(url);
  const readPool = options.readUrl ? newPool(options.readUrl) : pool;
  const admissionPool = newPool(url, { max: Math.max(2, Math.ceil(poolSize / 2)), options: '-c synchronous_commit=off' });
  if (runMigrations) {
    const applied = await withMigrationLock(pool, async () => {
      const names = await migrate(orm);
      await migrateJobQueue({ pgPool: pool, logger: workerLogger }); // the job queue's own schema (our outbox trigger uses it)
      return names;
    });
    if (applied.length) logger.info({ applied }, 'migrations applied');
  }
  const changes = new ChangeFeed(url, logger);
  await changes.start();
  return {
    url,
    orm,
    pool,
    readPool,
    admissionPool,
    changes,
    embedded,
    async close() {
      closing = true;
      await changes.close();
      await orm.close(true);
      if (readPool !== pool) await readPool.end();
      await admissionPool.end();
      await pool.end();
      await embedded?.stop();
    },
  };
}

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE', '53300']);

/** True when `error` says the database cannot be reached right now (down, restarting), not that a query was wrong. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    const code = typeof e.code === 'string' ? e.code : '';
    // 08…: connection exceptions; 57P…: the server is shutting down or restarting.
    if (UNAVAILABLE_CODES.has(code) || code.startsWith('08') || code.startsWith('57P')) return true;
    // node-postgres and knex report some lost connections without a code.
    if (typeof e.message === 'string' && /Connection terminated|timeout exceeded when trying to connect|Timeout acquiring a connection|Client was closed|connect ECONNREFUSED/i.test(e.message)) return true;
  }
  return false;
}

/** Servers and workers starting together must not migrate at the same time. */
async function withMigrationLock<T>(pool: pg.Pool, work: () => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock(hashtext('dci-server:migrations'))");
    return await work();
  } finally {
    await client.query("SELECT pg_advisory_unlock(hashtext('dci-server:migrations'))").catch(() => {});
    client.release();
  }
}

const workerLogger = new WorkerLogger(() => () => {});

/** Runs `work` in one transaction on a pooled connection: committed if it resolves, rolled back if it throws. */
export async function withTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
