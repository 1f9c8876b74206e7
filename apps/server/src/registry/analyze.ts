/** The tables a bulk load fills; fresh statistics give the first searches after it good plans. */
const REGISTRY_TABLES = ['person', 'person_identifier', 'registry_group', 'group_membership'];

export async function analyzeRegistry(run: (sql: string) => Promise<unknown>): Promise<void> {
  await run(`ANALYZE ${REGISTRY_TABLES.join(', ')}`);
}
