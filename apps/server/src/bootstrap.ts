import { PersonSchema } from '@dci-server/db';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import { openDatabase, type OpenOptions } from './database.js';
import { Keyring } from './keys/keyring.js';
import { loadMasterKey } from './keys/master-key.js';
import { ensureActiveServerKey } from './keys/server-keys.js';
import type { Logger } from './logger.js';
import { Metrics } from './observability/metrics.js';
import { seedDemoRegistry } from './registry/seed.js';
import { ensureDemoSender } from './senders/demo-sender.js';
import { ensureDemoAdmin } from './staff/demo-admin.js';
import { ensureTransactionPartitions } from './transactions/partitions.js';

/** Opens the database (migrating it), loads the master key and makes sure a signing key exists. */
export async function bootstrap(config: Config, logger: Logger, options: Pick<OpenOptions, 'onDatabaseLost'> = {}): Promise<AppContext> {
  const db = await openDatabase(config, logger, options);
  try {
    const masterKey = loadMasterKey(config, logger);
    // At every start too, not only from the worker's hourly job: a server may run without a worker.
    await ensureTransactionPartitions(db.pool);
    await ensureActiveServerKey(db.orm.em.fork(), masterKey);
    return { config, logger, db, masterKey, keyring: new Keyring(() => db.orm.em.fork(), masterKey, config.keyOverlapSeconds, db.changes), metrics: new Metrics(config.metrics.maxSenders) };
  } catch (error) {
    await db.close();
    throw error;
  }
}

/** For servers and workers: the embedded PostgreSQL died and could not be restarted or taken over, so stop with a clear message. */
export function exitOnDatabaseLost(logger: Logger): (error: Error) => never {
  return (error) => {
    logger.fatal({ err: error }, 'database lost');
    console.error(`error: ${error.message}`);
    process.exit(1);
  };
}

/** Demo mode on an empty database: demo households, the demo sender with its key files, and a demo admin. */
export async function loadDemoData(ctx: AppContext): Promise<void> {
  const { config, logger, db } = ctx;
  const em = db.orm.em.fork();
  if ((await em.count(PersonSchema, {})) === 0 && config.demoPersons > 0) {
    logger.info({ persons: config.demoPersons }, 'empty registry: loading demo data');
    const result = await seedDemoRegistry(db.pool, config.demoPersons);
    logger.info(result, 'demo data loaded');
  }
  const files = await ensureDemoSender(em, config.dataDir, config.publicUrl);
  if (files) logger.info(files, 'demo sender demo-client created; its key and credentials are in these files');
  const adminFile = await ensureDemoAdmin(db.pool, config.dataDir);
  if (adminFile) logger.info({ credentialsFile: adminFile }, 'demo admin created for the console and GraphQL; its email and password are in this file');
}
