import { ensureDatabase, TEST_TEMPLATE_DATABASE, withDatabase } from '@dci-server/db';
import { connect } from '../apps/server/src/database.js';
import { createLogger } from '../apps/server/src/logger.js';

/**
 * The migrated template database that every test database is copied from, on the given cluster:
 * our migrations and the job queue's, exactly as the server runs them at start-up.
 */
export async function prepareTemplateDatabase(serverUrl: string): Promise<void> {
  await ensureDatabase(serverUrl, TEST_TEMPLATE_DATABASE);
  const db = await connect(withDatabase(serverUrl, TEST_TEMPLATE_DATABASE), undefined, createLogger('silent'), true);
  await db.close();
}
