export * from './entities/index.js';
export { ensureDatabase, freePort, isAlive, startEmbeddedPostgres, withDatabase, type EmbeddedPostgres } from './embedded/embedded-postgres.js';
export { migrate, migrationsApplied, openOrm, ormOptions } from './orm.js';
export { createTestDatabase, TEST_SERVER_ENV, TEST_TEMPLATE_DATABASE } from './testing.js';
