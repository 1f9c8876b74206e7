/**
 * `query_type: predicate`: the spec's list of
 * `{seq_num, expression1, condition, expression2}` (SubscriptionInfo filter anyOf/2).
 *
 * The spec does not say how a list combines, so (see spec/DEFECTS.md):
 * items are taken in seq_num order (items without one last, ties in array order);
 * each item is `expression1 <condition> expression2`, where `not` means
 * `expression1 AND NOT expression2` (or `NOT expression1` when alone);
 * the items are ANDed together.
 */
import type { CmpOp, FilterNode } from './ast.js';
import { comparison } from './comparison.js';
import type { QueryContext } from './context.js';
import { MAX_CONDITIONS } from './context.js';
import { isPlainObject } from './expression.js';
import { preview } from './values.js';

const OPERATORS: Readonly<Record<string, CmpOp>> = { gt: 'gt', lt: 'lt', eq: 'eq', ge: 'gte', le: 'lte', in: 'in' };
const CONDITIONS = ['and', 'or', 'not'];

export function parsePredicate(ctx: QueryContext, query: unknown): FilterNode {
  if (!Array.isArray(query) || query.length === 0) {
    throw ctx.invalid('A predicate query must be a non-empty array of expressions');
  }
  // Checked up front because items are sorted before the condition budget sees them.
  if (query.length > MAX_CONDITIONS) throw ctx.invalid(`Query has more than ${MAX_CONDITIONS} conditions`);
  const ordered = query
    .map((item: unknown, index) => ({ item, index, seq: seqNum(ctx, item) }))
    .sort((a, b) => a.seq - b.seq || a.index - b.index);
  const clauses = ordered.map(({ item, index }) => parseItem(ctx, item, index));
  return clauses.length === 1 ? clauses[0]! : { kind: 'and', clauses };
}

function seqNum(ctx: QueryContext, item: unknown): number {
  const seq = isPlainObject(item) ? item.seq_num : undefined;
  if (seq === undefined) return Number.POSITIVE_INFINITY;
  if (typeof seq !== 'number' || !Number.isFinite(seq)) throw ctx.invalid('seq_num must be a number');
  return seq;
}

function parseItem(ctx: QueryContext, item: unknown, index: number): FilterNode {
  if (!isPlainObject(item)) throw ctx.invalid(`Predicate item ${index} must be an object`);
  const { expression1, condition, expression2 } = item;
  const first = parseExpression(ctx, expression1, `${index}.expression1`);
  if (condition === undefined) {
    if (expression2 !== undefined) throw ctx.invalid(`Predicate item ${index} has expression2 but no condition`);
    return first;
  }
  if (typeof condition !== 'string' || !CONDITIONS.includes(condition)) {
    throw ctx.invalid(`Predicate item ${index}: unknown condition ${preview(condition)} (use and, or, not)`);
  }
  if (expression2 === undefined) {
    if (condition === 'not') return { kind: 'not', clause: first };
    throw ctx.invalid(`Predicate item ${index}: condition '${condition}' needs expression2`);
  }
  const second = parseExpression(ctx, expression2, `${index}.expression2`);
  if (condition === 'not') return { kind: 'and', clauses: [first, { kind: 'not', clause: second }] };
  return { kind: condition === 'and' ? 'and' : 'or', clauses: [first, second] };
}

function parseExpression(ctx: QueryContext, expression: unknown, where: string): FilterNode {
  if (!isPlainObject(expression)) throw ctx.invalid(`Predicate ${where} must be an object`);
  const { attribute_name, operator, attribute_value } = expression;
  if (typeof attribute_name !== 'string') throw ctx.invalid(`Predicate ${where}.attribute_name must be a string`);
  const op = typeof operator === 'string' && Object.hasOwn(OPERATORS, operator) ? OPERATORS[operator] : undefined;
  if (!op) throw ctx.invalid(`Predicate ${where}: unknown operator ${preview(operator)} (use ${Object.keys(OPERATORS).join(', ')})`);
  return comparison(ctx, attribute_name, op, attribute_value);
}
