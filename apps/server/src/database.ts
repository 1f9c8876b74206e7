import path from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import { ensureDatabase, migrate, openOrm, startEmbeddedPostgres, withDatabase, type EmbeddedPostgres } from '@dci-server/db';
import { Logger as WorkerLogger, runMigrations as migrateJobQueue } from 'graphile-worker';
import pg from 'pg';
import type { Config } from './config.js';
import type { Logger } from './logger.js';

export interface Database {
  url: string;
  orm: MikroORM;
  /** Our own pool, for graphile-worker, COPY and hand-written SQL. */
  pool: pg.Pool;
  embedded?: EmbeddedPostgres;
  close(): Promise<void>;
}

const EMBEDDED_DATABASE = 'dci';

/** Connects to DATABASE_URL, or starts the embedded PostgreSQL in DATA_DIR; then migrates. */
export async function openDatabase(config: Config, logger: Logger, options: { migrate?: boolean } = {}): Promise<Database> {
  let embedded: EmbeddedPostgres | undefined;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres({
      dataDir: path.join(config.dataDir, 'postgres'),
      port: config.embeddedPgPort,
      onNotice: (message) => logger.warn(message),
      onLog: (line) => logger.debug({ postgres: line }),
    });
    await ensureDatabase(embedded.url, EMBEDDED_DATABASE);
    url = withDatabase(embedded.url, EMBEDDED_DATABASE);
  }
  try {
    return await connect(url, embedded, logger, options.migrate ?? true);
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
}

export async function connect(url: string, embedded: EmbeddedPostgres | undefined, logger: Logger, runMigrations: boolean): Promise<Database> {
  const orm = await openOrm(url, { logger: (message) => logger.debug({ orm: message }) });
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const onError = (error: Error) => logger.error({ err: error }, 'database connection failed');
  pool.on('error', onError);
  pool.on('connect', (client) => client.on('error', onError));
  if (runMigrations) {
    const applied = await withMigrationLock(pool, async () => {
      const names = await migrate(orm);
      await migrateJobQueue({ pgPool: pool, logger: workerLogger }); // the job queue's own schema (our outbox trigger uses it)
      return names;
    });
    if (applied.length) logger.info({ applied }, 'migrations applied');
  }
  return {
    url,
    orm,
    pool,
    embedded,
    async close() {
      await orm.close(true);
      await pool.end();
      await embedded?.stop();
    },
  };
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
