/**
 * Benchmark phase: expression and predicate searches with a page of 100 (issue 11's four queries
 * and a few more), each sent N times one after another through the real signed sync endpoint, with
 * p50 / p95 per query, the total_count each answered (and whether it was estimated), and the
 * seeding time measured before. Bodies are signed before the clock starts; every request goes to
 * the loopback URL given, bounded in count and time. Nothing is asserted: figures and targets only.
 */
import { translateSearchCriteria } from '@dci-server/dci';
import type pg from 'pg';
import type { Config } from '../../apps/server/src/config.js';
import { withBoundedQueries } from '../../apps/server/src/registry/bounded-queries.js';
import { pageWithCount, recordsInOrder } from '../../apps/server/src/registry/search.js';
import { percentile, type Row } from './stats.js';

/** p95 target of issue 11 for a page of 100 on 1,000,000 persons. */
export const QUERY_P95_TARGET_MS = 100;
/** Seeding 1,000,000 persons must stay under a minute (issue 11). */
export const SEED_TARGET_MS_PER_MILLION = 60_000;

export interface QueryLatencyTarget {
  /** http://127.0.0.1:port/registry/sync/search */
  searchUrl: string;
  /** Headers of every request (content type, bearer token). */
  headers: Record<string, string>;
  /** A signed envelope (JSON text) holding one search_request item with these criteria, fresh message_id each call. */
  signedBody(criteria: Record<string, unknown>, referenceId: string): Promise<string>;
  /** The same search without HTTP, token, signatures, agreement or audit (see searchServiceOf), measured alongside. */
  searchService?: (criteria: Record<string, unknown>) => Promise<unknown>;
}

/** What a sync search item costs in the registry alone: translation, page ids with their count, records. */
export function searchServiceOf(pool: pg.Pool, config: Config): (criteria: Record<string, unknown>) => Promise<unknown> {
  return (criteria) => {
    const compiled = translateSearchCriteria({ version: '1.0.0', ...criteria }, { maxPageSize: config.maxPageSize });
    return withBoundedQueries(pool, { statementTimeoutMs: config.sync.statementTimeoutMs }, async (db) => {
      const { ids } = await pageWithCount(db, compiled, config.sync.exactCountLimit);
      return recordsInOrder(db, compiled.recordKind, ids);
    });
  };
}

export interface QueryLatencyOptions {
  /** Sequential requests per query (after `warmup` unmeasured ones). */
  requests: number;
  warmup: number;
  /** Each query stops after this long, whatever is left of `requests`. */
  maxMsPerQuery: number;
  /** The seeding measured earlier in the run, shown against its target. */
  seeding?: { persons: number; ms: number };
  log?: (message: string) => void;
}

const expression = (collection: 'Person' | 'Group', query: object) => ({
  reg_record_type: collection,
  query_type: 'expression',
  query: { type: 'ns:org:QueryType:expression', value: { expression: { collection, query } } },
});
const page = (number: number) => ({ pagination: { page_size: 100, page_number: number } });

/** The searches measured: issue 11's four first. */
export const LATENCY_QUERIES: { name: string; criteria: Record<string, unknown> }[] = [
  { name: 'group poverty_score < 5 and location = central_region', criteria: { ...expression('Group', { $and: [{ poverty_score: { $lt: 5 } }, { location: 'central_region' }] }), ...page(1) } },
  {
    name: 'person sex = female and birth_date >= 1990, sorted by birth_date',
    criteria: { ...expression('Person', { $and: [{ sex: 'female' }, { birth_date: { $gte: '1990-01-01' } }] }), sort: [{ attribute_name: 'birth_date', sort_order: 'asc' }], ...page(1) },
  },
  {
    name: 'predicate age < 25 and sex = female',
    criteria: {
      reg_record_type: 'Person',
      query_type: 'predicate',
      query: [{ seq_num: 1, expression1: { attribute_name: 'age', operator: 'lt', attribute_value: 25 }, condition: 'and', expression2: { attribute_name: 'sex', operator: 'eq', attribute_value: 'female' } }],
      ...page(1),
    },
  },
  { name: 'person sex = male, page 500', criteria: { ...expression('Person', { sex: 'male' }), ...page(500) } },
  { name: 'person location = coastal_region and sex = female', criteria: { ...expression('Person', { $and: [{ location: 'coastal_region' }, { sex: 'female' }] }), ...page(1) } },
  { name: 'person YOB = 2000, page 20', criteria: { ...expression('Person', { YOB: 2000 }), ...page(20) } },
];

interface Answer {
  message?: { search_response?: { status?: string; status_reason_message?: string; pagination?: { total_count?: number; total_count_estimated?: boolean } }[] };
}

async function post(target: QueryLatencyTarget, body: string): Promise<{ ms: number; item?: NonNullable<NonNullable<Answer['message']>['search_response']>[number]; problem?: string }> {
  const started = performance.now();
  const response = await fetch(target.searchUrl, { method: 'POST', headers: target.headers, body, signal: AbortSignal.timeout(15_000) });
  const text = await response.text();
  const ms = performance.now() - started;
  if (response.status !== 200) return { ms, problem: `HTTP ${response.status}: ${text.slice(0, 300)}` };
  const item = (JSON.parse(text) as Answer).message?.search_response?.[0];
  return item?.status === 'succ' ? { ms, item } : { ms, item, problem: `item ${item?.status}: ${item?.status_reason_message ?? text.slice(0, 300)}` };
}

/** Measures every query of LATENCY_QUERIES in turn; rows for the results table. */
export async function measureQueryLatency(target: QueryLatencyTarget, options: QueryLatencyOptions): Promise<Row[]> {
  const rows: Row[] = [];
  if (options.seeding) {
    const { persons, ms } = options.seeding;
    // Fixed costs (VACUUM, index builds) make the target meaningless for small registries.
    const verdict = persons >= 1_000_000 ? `target < ${SEED_TARGET_MS_PER_MILLION / 1000} s per 1,000,000: ${ms < (SEED_TARGET_MS_PER_MILLION * persons) / 1_000_000 ? 'met' : 'MISSED'}` : 'target judged at 1,000,000';
    rows.push({ name: `seeding ${persons.toLocaleString('en-US')} persons`, value: ms / 1000, unit: `s (${verdict})` });
  }
  for (const [q, query] of LATENCY_QUERIES.entries()) {
    const bodies: string[] = [];
    for (let i = 0; i < options.warmup + options.requests; i++) bodies.push(await target.signedBody(query.criteria, `q${q}-${i}`));
    const latencies: number[] = [];
    let errors = 0;
    let firstProblem: string | undefined;
    let count = 'n/a';
    const deadline = performance.now() + options.maxMsPerQuery;
    for (const [i, body] of bodies.entries()) {
      if (performance.now() > deadline) break;
      const { ms, item, problem } = await post(target, body);
      if (problem) {
        errors++;
        firstProblem ??= problem;
      }
      if (item?.pagination) count = `${item.pagination.total_count ?? '?'}${item.pagination.total_count_estimated ? ' (estimated)' : ''}`;
      if (i >= options.warmup) latencies.push(ms);
    }
    if (firstProblem) options.log?.(`${query.name}: ${errors} failed, first: ${firstProblem}`);
    const p95 = percentile(latencies, 95);
    rows.push(
      { name: `${query.name}: p50`, value: percentile(latencies, 50), unit: 'ms' },
      { name: `${query.name}: p95`, value: p95, unit: `ms (target < ${QUERY_P95_TARGET_MS}: ${p95 < QUERY_P95_TARGET_MS ? 'met' : 'MISSED'})` },
      { name: `${query.name}: requests (errors), total_count`, value: `${latencies.length} (${errors}), ${count}`, unit: '' },
    );
    if (target.searchService) {
      const direct = await timeSequentially(() => target.searchService!(query.criteria), latencies.length, options.warmup);
      rows.push({ name: `${query.name}: search service only p50 / p95`, value: `${direct.p50.toFixed(1)} / ${direct.p95.toFixed(1)}`, unit: 'ms' });
    }
  }
  return rows;
}

async function timeSequentially(run: () => Promise<unknown>, count: number, warmup: number): Promise<{ p50: number; p95: number }> {
  const values: number[] = [];
  for (let i = 0; i < warmup + count; i++) {
    const started = performance.now();
    await run();
    if (i >= warmup) values.push(performance.now() - started);
  }
  return { p50: percentile(values, 50), p95: percentile(values, 95) };
}
