/** Turns DCI search criteria / subscription filters into a CompiledSearch / FilterNode. */
import { DciError } from '../errors.js';
import type { CompiledSearch, FilterNode, PageRequest, RecordKind, SortKey } from './ast.js';
import { attributesOf, canonicalIdType, resolveRecordKind } from './attributes.js';
import { QueryContext } from './context.js';
import { isPlainObject, parseExpression } from './expression.js';
import { parsePredicate } from './predicate.js';
import { preview } from './values.js';

export const DEFAULT_MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_SORT_KEYS = 3;

export interface TranslateOptions {
  /** Largest page_size accepted; larger ones are rejected, not clamped. */
  maxPageSize?: number;
  /** page_size used when the request has no pagination (capped by maxPageSize). */
  defaultPageSize?: number;
}

export function translateSearchCriteria(criteria: unknown, options: TranslateOptions = {}): CompiledSearch {
  if (!isPlainObject(criteria)) throw new DciError('rjct.search_criteria.invalid', 'search_criteria must be an object');
  const recordKind = recordKindOf(criteria);
  const ctx = new QueryContext(recordKind, 'rjct.search_criteria.invalid');
  const filter = parseQuery(ctx, criteria.query_type, criteria.query);
  if (ctx.conditionCount === 0) throw ctx.invalid('The query must contain at least one condition');
  return {
    recordKind,
    filter,
    sort: translateSort(recordKind, criteria.sort),
    page: translatePagination(criteria.pagination, options),
  };
}

/**
 * A subscription's `filter_type` + `filter`. An empty expression (`{}`) is allowed
 * here and means "every record of this kind" (an empty AND).
 */
export function translateFilter(recordKind: RecordKind, filterType: unknown, filter: unknown): FilterNode {
  return parseQuery(new QueryContext(recordKind, 'rjct.filter.invalid'), filterType, filter);
}

function parseQuery(ctx: QueryContext, queryType: unknown, query: unknown): FilterNode {
  switch (queryType) {
    case 'idtype-value':
      return parseIdTypeValue(ctx, query);
    case 'expression':
      return parseExpression(ctx, expressionQuery(ctx, query));
    case 'predicate':
      return parsePredicate(ctx, query);
    default:
      throw new DciError('rjct.query_type.invalid', `Unsupported query_type ${preview(queryType)} (use idtype-value, expression or predicate)`);
  }
}

function parseIdTypeValue(ctx: QueryContext, query: unknown): FilterNode {
  if (!isPlainObject(query) || typeof query.type !== 'string') throw ctx.invalid('An idtype-value query needs {type, value}');
  const idType = canonicalIdType(ctx.recordKind, query.type);
  if (!idType) {
    throw new DciError('rjct.attribute.invalid', `Unknown identifier type '${query.type.slice(0, 64)}' for ${ctx.recordKind} records`);
  }
  const { value } = query;
  const text = typeof value === 'string' ? value : typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : undefined;
  if (!text || text.length > 256) throw ctx.invalid(`Identifier value must be a non-empty string, got ${preview(value)}`);
  ctx.countCondition();
  return { kind: 'identifier', idType, value: text };
}

function expressionQuery(ctx: QueryContext, query: unknown): unknown {
  const value = isPlainObject(query) ? query.value : undefined;
  const expression = isPlainObject(value) ? value.expression : undefined;
  if (!isPlainObject(expression) || !('query' in expression)) {
    throw ctx.invalid('An expression query needs {value: {expression: {collection, query}}}');
  }
  return expression.query;
}

/** reg_record_type, response_entity and the expression's collection must agree; Person when none is given. */
function recordKindOf(criteria: Record<string, unknown>): RecordKind {
  const query = criteria.query_type === 'expression' && isPlainObject(criteria.query) ? criteria.query : undefined;
  const value = isPlainObject(query?.value) ? query.value : undefined;
  const expression = isPlainObject(value?.expression) ? value.expression : undefined;
  const named = [criteria.reg_record_type, criteria.response_entity, expression?.collection].filter((n) => n !== undefined);
  const kinds = new Set(
    named.map((name) => {
      if (typeof name !== 'string') throw new DciError('rjct.record_type.invalid', `Record type must be a string, got ${preview(name)}`);
      return resolveRecordKind(name);
    }),
  );
  if (kinds.size > 1) throw new DciError('rjct.search_criteria.invalid', `Conflicting record types: ${named.join(', ')}`);
  return kinds.values().next().value ?? 'Person';
}

/** A DCI `sort` list (`[{attribute_name, sort_order}]`); also used where the query is not a DCI request. */
export function translateSort(recordKind: RecordKind, sort: unknown): SortKey[] {
  if (sort === undefined) return [];
  if (!Array.isArray(sort) || sort.length > MAX_SORT_KEYS) {
    throw new DciError('rjct.sort.invalid', `sort must be an array of at most ${MAX_SORT_KEYS} keys`);
  }
  const attributes = attributesOf(recordKind);
  const seen = new Set<string>();
  return sort.map((key: unknown) => {
    const name = isPlainObject(key) ? key.attribute_name : undefined;
    const order = isPlainObject(key) ? (key.sort_order ?? 'asc') : undefined;
    if (typeof name !== 'string' || !Object.hasOwn(attributes, name) || !attributes[name]!.sortable) {
      throw new DciError('rjct.sort.invalid', `Cannot sort ${recordKind} records by ${preview(name)}`);
    }
    if (order !== 'asc' && order !== 'desc') throw new DciError('rjct.sort.invalid', `sort_order must be asc or desc, got ${preview(order)}`);
    if (seen.has(name)) throw new DciError('rjct.sort.invalid', `Duplicate sort key '${name}'`);
    seen.add(name);
    return { attribute: name, direction: order };
  });
}

/** Out-of-range page sizes are rejected rather than silently clamped, so callers learn the cap. */
function translatePagination(pagination: unknown, options: TranslateOptions): PageRequest {
  const maxPageSize = options.maxPageSize ?? DEFAULT_MAX_PAGE_SIZE;
  if (pagination === undefined) {
    const size = Math.min(options.defaultPageSize ?? DEFAULT_PAGE_SIZE, maxPageSize);
    return { size, number: 1, offset: 0 };
  }
  if (!isPlainObject(pagination)) throw new DciError('rjct.pagination.invalid', 'pagination must be an object');
  const { page_size: size, page_number: number = 1 } = pagination;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > maxPageSize) {
    throw new DciError('rjct.pagination.invalid', `page_size must be an integer from 1 to ${maxPageSize}, got ${preview(size)}`);
  }
  if (typeof number !== 'number' || !Number.isInteger(number) || number < 1) {
    throw new DciError('rjct.pagination.invalid', `page_number must be an integer of at least 1, got ${preview(number)}`);
  }
  const offset = (number - 1) * size;
  if (!Number.isSafeInteger(offset)) throw new DciError('rjct.pagination.invalid', 'page_number is too large');
  return { size, number, offset };
}
