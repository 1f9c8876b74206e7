/**
 * `query_type: expression`: a MongoDB-like condition object, e.g.
 * `{$and: [{poverty_score: {$lt: 5}}, {location: {$eq: 'central_region'}}]}`.
 * Several keys in one object are ANDed; `{attr: value}` is shorthand for `$eq`.
 */
import type { CmpOp, FilterNode } from './ast.js';
import { comparison } from './comparison.js';
import type { QueryContext } from './context.js';

const OPERATORS: Readonly<Record<string, CmpOp>> = {
  $eq: 'eq',
  $ne: 'ne',
  $lt: 'lt',
  $lte: 'lte',
  $gt: 'gt',
  $gte: 'gte',
  $in: 'in',
  $nin: 'nin',
};

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** An empty object `{}` yields an empty AND (match all); callers decide whether to allow it. */
export function parseExpression(ctx: QueryContext, query: unknown): FilterNode {
  if (isPlainObject(query) && Object.keys(query).length === 0) return { kind: 'and', clauses: [] };
  return parseCondition(ctx, query, 1);
}

function parseCondition(ctx: QueryContext, node: unknown, depth: number): FilterNode {
  ctx.enter(depth);
  if (!isPlainObject(node) || Object.keys(node).length === 0) throw ctx.invalid('Each condition must be a non-empty object');
  const clauses = Object.entries(node).map(([key, value]) => parseEntry(ctx, key, value, depth));
  return clauses.length === 1 ? clauses[0]! : { kind: 'and', clauses };
}

function parseEntry(ctx: QueryContext, key: string, value: unknown, depth: number): FilterNode {
  if (key === '$and' || key === '$or') {
    if (!Array.isArray(value) || value.length === 0) {
      throw ctx.invalid(`'${key}' needs a non-empty array of conditions`);
    }
    // Array size needs no check of its own: every item adds a condition to the budget.
    return { kind: key === '$and' ? 'and' : 'or', clauses: value.map((item) => parseCondition(ctx, item, depth + 1)) };
  }
  if (key === '$not') return { kind: 'not', clause: parseCondition(ctx, value, depth + 1) };
  if (key.startsWith('$')) throw ctx.invalid(`Unknown logical operator '${key.slice(0, 32)}' (use $and, $or, $not)`);
  return parseAttribute(ctx, key, value);
}

function parseAttribute(ctx: QueryContext, attribute: string, value: unknown): FilterNode {
  if (!isPlainObject(value)) return comparison(ctx, attribute, 'eq', value);
  const entries = Object.entries(value);
  if (entries.length === 0) throw ctx.invalid(`Attribute '${attribute}' has an empty operator object`);
  const clauses = entries.map(([operator, operand]) => {
    const op = Object.hasOwn(OPERATORS, operator) ? OPERATORS[operator] : undefined;
    if (!op) throw ctx.invalid(`Unknown operator '${operator.slice(0, 32)}' on '${attribute}' (use ${Object.keys(OPERATORS).join(' ')})`);
    return comparison(ctx, attribute, op, operand);
  });
  return clauses.length === 1 ? clauses[0]! : { kind: 'and', clauses };
}
