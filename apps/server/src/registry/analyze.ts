/** The tables a bulk load fills; fresh statistics give the first searches after it good plans. */
export const REGISTRY_TABLES = ['person', 'person_identifier', 'registry_group', 'group_membership'];

export async function analyzeRegistry(run: (sql: string) => Promise<unknown>): Promise<void> {
  await run(`ANALYZE ${REGISTRY_TABLES.join(', ')}`);
}

/**
 * ANALYZE, and VACUUM's visibility map: without it every index-only scan (the counts and deep
 * pages of registry/search.ts) visits the table too, until autovacuum comes by. Not in a transaction.
 */
export async function vacuumAnalyzeRegistry(run: (sql: string) => Promise<unknown>): Promise<void> {
  await run(`VACUUM (ANALYZE) ${REGISTRY_TABLES.join(', ')}`);
}
