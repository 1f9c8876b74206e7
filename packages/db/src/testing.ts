import { randomBytes } from 'node:crypto';
import { ensureDatabase, withDatabase } from './embedded/embedded-postgres.js';

/** Set by scripts/run-tests.ts: the test cluster's server URL and the migrated template database. */
export const TEST_SERVER_ENV = 'DCI_TEST_PG_URL';
export const TEST_TEMPLATE_DATABASE = 'dci_template';

/** A fresh, migrated database for one test file: a copy of the template, so it takes milliseconds. */
export async function createTestDatabase(): Promise<string> {
  const server = process.env[TEST_SERVER_ENV];
  if (!server) throw new Error(`${TEST_SERVER_ENV} is not set: run the tests with npm test (scripts/run-tests.ts starts PostgreSQL)`);
  const name = `test_${randomBytes(8).toString('hex')}`;
  await ensureDatabase(server, name, TEST_TEMPLATE_DATABASE);
  return withDatabase(server, name);
}
