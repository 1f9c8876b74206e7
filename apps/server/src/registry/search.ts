/** Runs a compiled DCI search against the registry tables and shapes the rows into DCI records. */
import type { CompiledSearch, FilterNode, RecordKind } from '@dci-server/dci';
import type pg from 'pg';
import { filterToSql, RECORD_TABLES, sortExpression, sortToSql } from './filter-sql.js';
import { groupRecord, personRecord, type DciRecord, type GroupRow, type MemberRow, type PersonRow } from './records.js';

/** A pool, or one connection holding a request's bounded transaction (see withBoundedQueries). */
export type Queryable = pg.Pool | pg.PoolClient;

export interface SearchResult {
  totalCount: number;
  records: DciRecord[];
}

const PERSON_COLUMNS = `p.id, p.given_name, p.surname, p.second_name, p.prefix, p.suffix, p.sex, to_char(p.birth_date, 'YYYY-MM-DD') AS birth_date,
  p.birth_place, to_char(p.death_date, 'YYYY-MM-DD') AS death_date, p.marital_status, p.is_disabled, p.street_address, p.city, p.location,
  p.postal_code, p.country, p.phone_numbers, p.emails, p.registration_date, p.last_updated, ids.list AS identifiers`;

/** Joined per output row, so identifiers are fetched in the same query as their persons. */
const IDENTIFIERS_JOIN = `CROSS JOIN LATERAL (
  SELECT coalesce(json_agg(json_build_object('identifier_type', i.identifier_type, 'identifier_value', i.identifier_value) ORDER BY i.id), '[]') AS list
  FROM person_identifier i WHERE i.person_id = p.id) ids`;

const GROUP_COLUMNS = `g.id, g.identifier_type, g.identifier_value, g.group_type, g.head_id, g.group_size, g.poverty_score, g.poverty_score_type,
  g.street_address, g.city, g.location, g.postal_code, g.country, g.latitude, g.longitude, g.registration_date, g.last_updated`;

/** One count query and one page query (plus one members query for groups). */
export async function searchRegistry(pool: pg.Pool, compiled: CompiledSearch): Promise<SearchResult> {
  const [totalCount, records] = await Promise.all([countRecords(pool, compiled), searchPage(pool, compiled)]);
  return { totalCount, records };
}

/** The records of the page `compiled.page` asks for. */
async function searchPage(db: Queryable, compiled: CompiledSearch): Promise<DciRecord[]> {
  return recordsInOrder(db, compiled.recordKind, await pageIds(db, compiled, compiled.page.size));
}

/** The ids of one page of matching records and how many match in all (for callers that load their own shape). */
export async function searchIds(pool: pg.Pool, compiled: CompiledSearch): Promise<{ totalCount: number; ids: string[] }> {
  const [totalCount, ids] = await Promise.all([countRecords(pool, compiled), pageIds(pool, compiled, compiled.page.size)]);
  return { totalCount, ids };
}

/** How many records match, without fetching them. */
export async function countRecords(pool: Queryable, compiled: CompiledSearch): Promise<number> {
  const params: unknown[] = [];
  const where = filterToSql(compiled.recordKind, compiled.filter, params);
  const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${RECORD_TABLES[compiled.recordKind].from} WHERE ${where}`, params);
  return Number(rows[0]!.n);
}

/** A total_count, and whether it is exact or the database's estimate (see pageWithCount). */
export interface MatchCount {
  totalCount: number;
  exact: boolean;
}

/**
 * The ids of the page `compiled.page` asks for and how many records match, at a cost that does not
 * grow with the number of matches (only with the page's depth). The count is exact when the page
 * reaches the last match, or when at most `exactUpTo` records match (counted up to exactUpTo + 1);
 * otherwise it is PostgreSQL's estimate for the filter, raised to the number of matches known to
 * exist (at least every record up to this page's end, plus one), and flagged `exact: false`.
 */
export async function pageWithCount(db: Queryable, compiled: CompiledSearch, exactUpTo: number): Promise<{ ids: string[]; count: MatchCount }> {
  const { size, offset } = compiled.page;
  // One record beyond the page tells whether the page ends the matches.
  const found = await pageIds(db, compiled, size + 1);
  const ids = found.slice(0, size);
  if (found.length <= size && (found.length > 0 || offset === 0)) return { ids, count: { totalCount: offset + found.length, exact: true } };
  // Past the last match every match lies before the offset: counting them costs no more than skipping them did.
  if (found.length === 0) return { ids, count: { totalCount: await countRecords(db, compiled), exact: true } };
  let atLeast = offset + found.length;
  if (atLeast <= exactUpTo) {
    const counted = await countUpTo(db, compiled, exactUpTo + 1);
    if (counted <= exactUpTo) return { ids, count: { totalCount: counted, exact: true } };
    atLeast = counted;
  }
  return { ids, count: { totalCount: Math.max(atLeast, await estimateMatches(db, compiled)), exact: false } };
}

/** How many records match, counting no further than `limit`. */
async function countUpTo(db: Queryable, compiled: CompiledSearch, limit: number): Promise<number> {
  const params: unknown[] = [];
  const where = filterToSql(compiled.recordKind, compiled.filter, params);
  params.push(limit);
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM (SELECT 1 FROM ${RECORD_TABLES[compiled.recordKind].from} WHERE ${where} LIMIT $${params.length}::int) m`, params);
  return rows[0]!.n;
}

/** The planner's estimate of the matching rows (from the table statistics ANALYZE keeps), without running the query. */
async function estimateMatches(db: Queryable, compiled: CompiledSearch): Promise<number> {
  const params: unknown[] = [];
  const where = filterToSql(compiled.recordKind, compiled.filter, params);
  const { rows } = await db.query<{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] }>(`EXPLAIN (FORMAT JSON) SELECT 1 FROM ${RECORD_TABLES[compiled.recordKind].from} WHERE ${where}`, params);
  return Math.round(rows[0]!['QUERY PLAN'][0].Plan['Plan Rows']);
}

/**
 * The ids of up to `limit` matching records from the page's offset, in sort order: a narrow query
 * that an index on the filtered and sorted columns answers alone, however deep the page (the
 * records themselves are then read for these ids only: a deferred join).
 */
async function pageIds(db: Queryable, compiled: CompiledSearch, limit: number): Promise<string[]> {
  const { recordKind: kind, page } = compiled;
  const params: unknown[] = [];
  const where = filterToSql(kind, compiled.filter, params);
  const { from, id } = RECORD_TABLES[kind];
  params.push(limit, page.offset);
  const { rows } = await db.query<{ id: string }>(
    `SELECT ${id} AS id FROM ${from} WHERE ${where} ORDER BY ${sortToSql(kind, compiled.sort)} LIMIT $${params.length - 1}::int OFFSET $${params.length}::int`,
    params,
  );
  return rows.map((r) => r.id);
}

/** The records of `ids`, in that order (ids of records that no longer exist are skipped). */
export async function recordsInOrder(db: Queryable, kind: RecordKind, ids: readonly string[]): Promise<DciRecord[]> {
  const byId = await recordsByIds(db, kind, ids);
  return ids.flatMap((id) => {
    const record = byId.get(id);
    return record ? [record] : [];
  });
}

/**
 * Walks every matching record in `compiled.sort` order, `pageSize` records at a time, with keyset
 * pagination (each page starts after the previous page's last sort key and id), so neither memory
 * nor the cost of a page grows with the number of records already read; one page is read ahead.
 * `compiled.page` is ignored.
 */
export async function* searchPages(pool: pg.Pool, compiled: CompiledSearch, pageSize: number): AsyncGenerator<DciRecord[]> {
  const kind = compiled.recordKind;
  const baseParams: unknown[] = [];
  const filter = filterToSql(kind, compiled.filter, baseParams);
  const order = sortToSql(kind, compiled.sort);
  const keys = compiled.sort.map((key) => ({ ...sortExpression(kind, key.attribute), desc: key.direction === 'desc' }));
  const pageAfter = (last: PageEnd | undefined) => {
    const params = [...baseParams];
    const where = last ? `${filter} AND ${afterSql(kind, keys, last, params)}` : filter;
    const page = fetchPage(pool, kind, { where, params, order, sortKeys: keys.map((k) => k.sql), limit: pageSize, offset: 0 });
    page.catch(() => {}); // awaited below, unless the caller stops early
    return page;
  };
  let next = pageAfter(undefined);
  for (;;) {
    const page = await next;
    const more = page.records.length === pageSize && page.last;
    // The next page is read while the caller works on this one.
    if (more) next = pageAfter(page.last);
    if (page.records.length) yield page.records;
    if (!more) return;
  }
}

/** Person rows with stored values, for callers that must not see DCI records (verify). */
export async function findPersonRows(pool: pg.Pool, filter: FilterNode, limit: number): Promise<PersonRow[]> {
  const params: unknown[] = [];
  const where = filterToSql('Person', filter, params);
  return personRows(pool, { where, params, order: sortToSql('Person', []), sortKeys: [], limit, offset: 0 });
}

/** The current records of the given ids (for notifications), keyed by id. */
export async function recordsByIds(pool: Queryable, kind: RecordKind, ids: readonly string[]): Promise<Map<string, DciRecord>> {
  if (!ids.length) return new Map();
  const { id } = RECORD_TABLES[kind];
  const page = await fetchPage(pool, kind, { where: `${id} = ANY($1::uuid[])`, params: [ids], order: sortToSql(kind, []), sortKeys: [], limit: ids.length, offset: 0 });
  return new Map(page.records.map((record, i) => [page.ids[i]!, record]));
}

/** Which of `ids` match `filter` (subscription filters are the search language, run by the same SQL). */
export async function idsMatching(pool: pg.Pool, kind: RecordKind, filter: FilterNode, ids: readonly string[]): Promise<Set<string>> {
  const { from, id } = RECORD_TABLES[kind];
  const params: unknown[] = [ids];
  const where = filterToSql(kind, filter, params);
  const { rows } = await pool.query<{ id: string }>(`SELECT ${id} AS id FROM ${from} WHERE ${id} = ANY($1::uuid[]) AND ${where}`, params);
  return new Set(rows.map((r) => r.id));
}

interface PageQuery {
  where: string;
  params: unknown[];
  order: string;
  /** Sort expressions whose values are returned as text, to resume after the page's last row. */
  sortKeys: string[];
  limit: number;
  offset: number;
}

interface PageEnd {
  id: string;
  sortKey: (string | null)[];
}

type Keyed<T> = T & { sort_key: (string | null)[] };

async function fetchPage(pool: Queryable, kind: RecordKind, query: PageQuery): Promise<{ records: DciRecord[]; ids: string[]; last?: PageEnd }> {
  const rows = kind === 'Person' ? await personRows(pool, query) : await groupRows(pool, query);
  const end = rows.at(-1);
  const records = kind === 'Person' ? (rows as Keyed<PersonRow>[]).map(personRecord) : await groupRecords(pool, rows as Keyed<GroupRow>[]);
  return { records, ids: rows.map((r) => r.id), last: end && { id: end.id, sortKey: end.sort_key } };
}

function sortKeyColumn(sortKeys: readonly string[]): string {
  return `json_build_array(${sortKeys.map((sql) => `(${sql})::text`).join(', ')}) AS sort_key`;
}

/** LIMIT/OFFSET placeholders after the filter's parameters (a copy: the count query may share the originals). */
function withLimit(query: PageQuery): { limit: string; params: unknown[] } {
  const params = [...query.params, query.limit, query.offset];
  return { limit: `LIMIT $${params.length - 1}::int OFFSET $${params.length}::int`, params };
}

async function personRows(pool: Queryable, query: PageQuery): Promise<Keyed<PersonRow>[]> {
  const { limit, params } = withLimit(query);
  // The page is cut first, so identifiers are aggregated for its rows only.
  const sql = `SELECT ${PERSON_COLUMNS}, ${sortKeyColumn(query.sortKeys)}
    FROM (SELECT p.* FROM person p WHERE ${query.where} ORDER BY ${query.order} ${limit}) p
    ${IDENTIFIERS_JOIN}
    ORDER BY ${query.order}`;
  return (await pool.query<Keyed<PersonRow>>(sql, params)).rows;
}

async function groupRows(pool: Queryable, query: PageQuery): Promise<Keyed<GroupRow>[]> {
  const { limit, params } = withLimit(query);
  const sql = `SELECT ${GROUP_COLUMNS}, ${sortKeyColumn(query.sortKeys)}
    FROM registry_group g WHERE ${query.where} ORDER BY ${query.order} ${limit}`;
  return (await pool.query<Keyed<GroupRow>>(sql, params)).rows;
}

/** Members of all the page's groups in one query, head first, then oldest first. */
async function groupRecords(pool: Queryable, groups: GroupRow[]): Promise<DciRecord[]> {
  if (!groups.length) return [];
  const { rows } = await pool.query<MemberRow>(
    `SELECT m.group_id, m.relationship, ${PERSON_COLUMNS}
     FROM group_membership m JOIN person p ON p.id = m.person_id
     ${IDENTIFIERS_JOIN}
     WHERE m.group_id = ANY($1::uuid[])
     ORDER BY m.group_id, m.is_head DESC, p.birth_date NULLS LAST, p.id`,
    [groups.map((g) => g.id)],
  );
  const members = new Map<string, MemberRow[]>();
  for (const m of rows) members.set(m.group_id, [...(members.get(m.group_id) ?? []), m]);
  return groups.map((g) => groupRecord(g, members.get(g.id) ?? []));
}

/**
 * Rows strictly after `last` in `ORDER BY key1 [DESC] NULLS LAST, ..., id`: for some i, the keys
 * before i equal last's and key i sorts after last's. Nothing sorts after a NULL key (NULLS LAST),
 * so a NULL contributes only its equality.
 */
function afterSql(kind: RecordKind, keys: readonly { sql: string; sqlType: string; desc: boolean }[], last: PageEnd, params: unknown[]): string {
  const terms: string[] = [];
  const equal: string[] = [];
  keys.forEach((key, i) => {
    const value = last.sortKey[i] ?? null;
    if (value === null) {
      equal.push(`${key.sql} IS NULL`);
      return;
    }
    params.push(value);
    const param = `$${params.length}::${key.sqlType}`;
    terms.push([...equal, `(${key.sql} ${key.desc ? '<' : '>'} ${param} OR ${key.sql} IS NULL)`].join(' AND '));
    equal.push(`${key.sql} = ${param}`);
  });
  params.push(last.id);
  terms.push([...equal, `${RECORD_TABLES[kind].id} > $${params.length}::uuid`].join(' AND '));
  return `(${terms.map((t) => `(${t})`).join(' OR ')})`;
}
