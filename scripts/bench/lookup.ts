/**
 * The indexed identifier lookup the bare and minimal-DCI servers run: the same SQL shape as ours
 * for an idtype-value search (person columns, identifiers aggregated per row, EXISTS on the
 * person_identifier index), so the comparison measures the request path around it.
 */
import type pg from 'pg';

const LOOKUP_SQL = `SELECT p.id, p.given_name, p.surname, p.sex, to_char(p.birth_date, 'YYYY-MM-DD') AS birth_date, p.location, p.phone_numbers, p.emails,
    (SELECT coalesce(json_agg(json_build_object('identifier_type', i.identifier_type, 'identifier_value', i.identifier_value) ORDER BY i.id), '[]')
       FROM person_identifier i WHERE i.person_id = p.id) AS identifiers
  FROM person p
  WHERE EXISTS (SELECT 1 FROM person_identifier i WHERE i.person_id = p.id AND i.identifier_type = $1 AND i.identifier_value = $2)
  ORDER BY p.id LIMIT 10`;

/** The (type, value) an idtype-value search body asks for, or undefined when it is not one. */
export function identifierQuery(body: unknown): { type: string; value: string } | undefined {
  const item = (body as { message?: { search_request?: { search_criteria?: { query?: { type?: unknown; value?: unknown } } }[] } } | undefined)?.message?.search_request?.[0];
  const query = item?.search_criteria?.query;
  return typeof query?.type === 'string' && typeof query.value === 'string' ? { type: query.type, value: query.value } : undefined;
}

export async function lookupPersons(pool: pg.Pool, query: { type: string; value: string }): Promise<Record<string, unknown>[]> {
  return (await pool.query({ name: 'bench-lookup', text: LOOKUP_SQL, values: [query.type, query.value] })).rows;
}

/** Settings the bench passes to every server it starts, so that they compare alike. */
export function serverSettings() {
  const port = Number(process.env.PORT);
  const url = process.env.DATABASE_URL;
  if (!url || !Number.isInteger(port)) throw new Error('PORT and DATABASE_URL must be set');
  return { port, databaseUrl: url, poolSize: Number(process.env.BENCH_POOL_SIZE ?? 10) };
}
