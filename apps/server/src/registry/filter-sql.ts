/**
 * Compiles a DCI FilterNode / sort into parameterised SQL on alias `p` (person) or `g` (registry_group).
 * Only attributes mapped here reach SQL; anything else is rejected with a DciError, so a
 * hand-built or stale filter (e.g. a stored subscription) can never cause a SQL error.
 */
import { attributesOf, DciError, normaliseDate, type CmpOp, type FilterNode, type RecordKind, type ScalarValue, type SortKey, type ValueType } from '@dci-server/dci';

interface Column {
  readonly sql: string;
  /** timestamptz columns compare date-only values by their UTC day. */
  readonly timestamp?: boolean;
  /** Whole numbers derived from a date column (age, YOB): their ordered comparisons as ranges of that column. */
  readonly dateRange?: DateRange;
}

/**
 * "value ≥ n" and "value ≤ n" of a whole number derived from a date column, written as conditions on
 * the column itself, so that its indexes serve them. Each gives undefined where the rewrite would not
 * match exactly what the derived expression matches; the expression is used then.
 */
interface DateRange {
  atLeast(n: number, params: unknown[]): string | undefined;
  atMost(n: number, params: unknown[]): string | undefined;
}

/** Ages whose rewrite is used; beyond a lifetime the derived expression serves (and nothing is lost). */
const MAX_AGE_BOUND = 200;

/**
 * age(current_date, birth_date) counts whole years by comparing (month, day) as PostgreSQL's age()
 * does, so "age ≥ k" is exactly "birth_date ≤ current_date − k years" for k ≥ 1 (a 29 February
 * birthday is reached on 1 March in other years; current_date − k years clamps to 28 February the
 * same way). Future birth dates have an age ≤ 0, which k ≥ 1 excludes on both sides.
 */
const yearsAgo = (k: number, params: unknown[]) => {
  params.push(k);
  return `(current_date - make_interval(years => $${params.length}::int))::date`;
};
const AGE_RANGE: DateRange = {
  atLeast: (n, params) => (n >= 1 && n <= MAX_AGE_BOUND ? `p.birth_date <= ${yearsAgo(n, params)}` : undefined),
  atMost: (n, params) => (n + 1 >= 1 && n + 1 <= MAX_AGE_BOUND ? `p.birth_date > ${yearsAgo(n + 1, params)}` : undefined),
};

/** 1 January of `year` as a date parameter, for the years a four-digit ISO date can name. */
const newYear = (year: number, params: unknown[]) => {
  if (year < 1 || year > 9999) return undefined;
  params.push(`${String(year).padStart(4, '0')}-01-01`);
  return `$${params.length}::date`;
};
const YEAR_RANGE: DateRange = {
  atLeast: (n, params) => {
    const from = newYear(n, params);
    return from && `p.birth_date >= ${from}`;
  },
  atMost: (n, params) => {
    const until = newYear(n + 1, params);
    return until && `p.birth_date < ${until}`;
  },
};

const PERSON_COLUMNS: Readonly<Record<string, Column>> = {
  given_name: { sql: 'p.given_name' },
  surname: { sql: 'p.surname' },
  second_name: { sql: 'p.second_name' },
  sex: { sql: 'p.sex' },
  birth_date: { sql: 'p.birth_date' },
  death_date: { sql: 'p.death_date' },
  registration_date: { sql: 'p.registration_date', timestamp: true },
  last_updated: { sql: 'p.last_updated', timestamp: true },
  age: { sql: "date_part('year', age(current_date, p.birth_date))", dateRange: AGE_RANGE },
  YOB: { sql: 'extract(year from p.birth_date)', dateRange: YEAR_RANGE },
  is_alive: { sql: '(p.death_date IS NULL)' },
  is_disabled: { sql: 'p.is_disabled' },
  marital_status: { sql: 'p.marital_status' },
  location: { sql: 'p.location' },
  city: { sql: 'p.city' },
  postal_code: { sql: 'p.postal_code' },
  country: { sql: 'p.country' },
};

const GROUP_COLUMNS: Readonly<Record<string, Column>> = {
  group_identifier: { sql: 'g.identifier_value' },
  group_type: { sql: 'g.group_type' },
  poverty_score: { sql: 'g.poverty_score' },
  poverty_score_type: { sql: 'g.poverty_score_type' },
  group_size: { sql: 'g.group_size' },
  location: { sql: 'g.location' },
  postal_code: { sql: 'g.postal_code' },
  city: { sql: 'g.city' },
  country: { sql: 'g.country' },
  registration_date: { sql: 'g.registration_date', timestamp: true },
  last_updated: { sql: 'g.last_updated', timestamp: true },
};

const COLUMNS: Readonly<Record<RecordKind, Readonly<Record<string, Column>>>> = { Person: PERSON_COLUMNS, Group: GROUP_COLUMNS };

/** Table, alias and primary key of each record kind, for the queries built around these fragments. */
export const RECORD_TABLES: Readonly<Record<RecordKind, { from: string; id: string }>> = {
  Person: { from: 'person p', id: 'p.id' },
  Group: { from: 'registry_group g', id: 'g.id' },
};

/** Explicit parameter casts: Postgres cannot always infer a parameter's type (e.g. inside ANY). */
const SQL_TYPES: Readonly<Record<ValueType, string>> = { string: 'text', number: 'numeric', boolean: 'boolean', date: 'date' };

type OrderedOp = 'eq' | 'lt' | 'lte' | 'gt' | 'gte';
const COMPARATORS: Readonly<Record<OrderedOp, string>> = { eq: '=', lt: '<', lte: '<=', gt: '>', gte: '>=' };
const isOrdered = (op: CmpOp): op is OrderedOp => Object.hasOwn(COMPARATORS, op);

/** A boolean SQL expression for `node`; values are appended to `params` and referenced as `$n`. */
export function filterToSql(kind: RecordKind, node: FilterNode, params: unknown[]): string {
  switch (node.kind) {
    case 'and':
    case 'or':
      if (node.clauses.length === 0) return node.kind === 'and' ? 'TRUE' : 'FALSE';
      return `(${node.clauses.map((c) => filterToSql(kind, c, params)).join(node.kind === 'and' ? ' AND ' : ' OR ')})`;
    case 'not':
      // IS NOT TRUE, not NOT: a negated condition must also match rows where the attribute is NULL.
      return `((${filterToSql(kind, node.clause, params)}) IS NOT TRUE)`;
    case 'identifier':
      return identifierSql(kind, node.idType, node.value, params);
    case 'cmp':
      return comparisonSql(kind, node.attribute, node.op, node.value, params);
  }
}

/** ORDER BY list for `sort`, always ending with the primary key so equal keys page stably. */
export function sortToSql(kind: RecordKind, sort: readonly SortKey[]): string {
  const keys = sort.map((key) => `${sortExpression(kind, key.attribute).sql} ${key.direction === 'desc' ? 'DESC' : 'ASC'} NULLS LAST`);
  return [...keys, RECORD_TABLES[kind].id].join(', ');
}

/** The SQL expression of a sortable attribute, and the type its text value casts back to (for keyset paging). */
export function sortExpression(kind: RecordKind, attribute: string): { sql: string; sqlType: string } {
  const def = Object.hasOwn(attributesOf(kind), attribute) ? attributesOf(kind)[attribute] : undefined;
  const column = columnOf(kind, attribute);
  if (!def?.sortable || !column) throw new DciError('rjct.sort.invalid', `Cannot sort ${kind} records by '${attribute.slice(0, 64)}'`);
  return { sql: column.sql, sqlType: column.timestamp ? 'timestamptz' : SQL_TYPES[def.type] };
}

function identifierSql(kind: RecordKind, idType: string, value: string, params: unknown[]): string {
  params.push(idType, value);
  const [type, val] = [`$${params.length - 1}::text`, `$${params.length}::text`];
  if (kind === 'Group') return `(g.identifier_type = ${type} AND g.identifier_value = ${val})`;
  return `EXISTS (SELECT 1 FROM person_identifier i WHERE i.person_id = p.id AND i.identifier_type = ${type} AND i.identifier_value = ${val})`;
}

function comparisonSql(kind: RecordKind, attribute: string, op: CmpOp, value: ScalarValue | ScalarValue[], params: unknown[]): string {
  const def = Object.hasOwn(attributesOf(kind), attribute) ? attributesOf(kind)[attribute] : undefined;
  const column = columnOf(kind, attribute);
  if (!def || !column) throw new DciError('rjct.attribute.invalid', `Unknown attribute '${attribute.slice(0, 64)}' for ${kind} records`);
  if (!def.ops.includes(op)) throw new DciError('rjct.search_criteria.invalid', `Operator '${op}' is not allowed on '${attribute}'`);
  const values = Array.isArray(value) ? value : [value];
  if (values.length === 0 || !values.every((v) => fitsType(def.type, v))) {
    throw new DciError('rjct.search_criteria.invalid', `Invalid value for '${attribute}'`);
  }

  if (column.dateRange && isOrdered(op) && typeof value === 'number') {
    const range = dateRangeSql(column.dateRange, op, value, params);
    if (range) return range;
  }

  let expr = column.sql;
  let sqlType = SQL_TYPES[def.type];
  let operand: ScalarValue[] = values;
  if (def.type === 'date') {
    // Date-only values match a timestamp's UTC day; full timestamps on a date column use their UTC day.
    const dayOnly = values.every((v) => String(v).length === 10);
    if (column.timestamp && dayOnly) expr = `(${column.sql} AT TIME ZONE 'UTC')::date`;
    else if (column.timestamp) [sqlType, operand] = ['timestamptz', values.map((v) => (String(v).length === 10 ? `${String(v)}T00:00:00Z` : v))];
    else operand = values.map((v) => String(v).slice(0, 10));
  }

  if (op === 'in' || op === 'nin') {
    params.push(operand);
    const any = `${expr} = ANY($${params.length}::${sqlType}[])`;
    // NULL is "not in" any list, as with ne below.
    return op === 'in' ? any : `((${any}) IS NOT TRUE)`;
  }
  params.push(operand[0]);
  const param = `$${params.length}::${sqlType}`;
  return op === 'ne' ? `${expr} IS DISTINCT FROM ${param}` : `${expr} ${COMPARATORS[op]} ${param}`;
}

/**
 * An ordered comparison of a whole-number attribute as the range of whole numbers it admits, then
 * as a range of the underlying date; undefined when a bound cannot be rewritten exactly.
 */
function dateRangeSql(range: DateRange, op: OrderedOp, value: number, params: unknown[]): string | undefined {
  if (op === 'eq' && !Number.isInteger(value)) return 'FALSE'; // no whole number equals it
  const least = op === 'gt' ? Math.floor(value) + 1 : op === 'gte' || op === 'eq' ? Math.ceil(value) : undefined;
  const most = op === 'lt' ? Math.ceil(value) - 1 : op === 'lte' || op === 'eq' ? Math.floor(value) : undefined;
  if (![least, most].every((n) => n === undefined || Number.isSafeInteger(n))) return undefined;
  const taken = params.length;
  const bounds = [least === undefined ? '' : range.atLeast(least, params), most === undefined ? '' : range.atMost(most, params)];
  if (bounds.some((b) => b === undefined)) {
    params.length = taken; // the expression form is used: drop the half-written bounds' values
    return undefined;
  }
  return `(${bounds.filter(Boolean).join(' AND ')})`;
}

function columnOf(kind: RecordKind, attribute: string): Column | undefined {
  return Object.hasOwn(COLUMNS[kind], attribute) ? COLUMNS[kind][attribute] : undefined;
}

/** Mirrors the translator's coercion, so a value of the wrong type is a DciError here rather than a cast error in SQL. */
function fitsType(type: ValueType, value: ScalarValue): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'date':
      return typeof value === 'string' && normaliseDate(value) !== undefined;
  }
}
