import type { Config } from './config.js';
import type { Database } from './database.js';
import type { Keyring } from './keys/keyring.js';
import type { MasterKey } from './keys/master-key.js';
import type { Logger } from './logger.js';
import type { Metrics } from './observability/metrics.js';

/** What every request handler, job and command needs; built once at start-up. */
export interface AppContext {
  config: Config;
  logger: Logger;
  db: Database;
  masterKey: MasterKey;
  keyring: Keyring;
  metrics: Metrics;
}
