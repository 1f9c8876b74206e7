/** Builds one whitelisted, type-checked comparison node (shared by expression and predicate queries). */
import type { CmpOp, FilterNode } from './ast.js';
import { IDENTIFIER_OPS, lookupAttribute } from './attributes.js';
import type { QueryContext } from './context.js';
import { checkValue } from './values.js';

const IDENTIFIER_VALUE = { type: 'string', ops: IDENTIFIER_OPS, sortable: false } as const;

export function comparison(ctx: QueryContext, attribute: string, op: CmpOp, raw: unknown): FilterNode {
  ctx.countCondition();
  const found = lookupAttribute(ctx.recordKind, attribute);
  const allowed = found.identifier ? IDENTIFIER_OPS : found.def.ops;
  if (!allowed.includes(op)) {
    throw ctx.invalid(`Operator '${op}' is not allowed on '${attribute}' (allowed: ${allowed.join(', ')})`);
  }
  if (!found.identifier) return { kind: 'cmp', attribute, op, value: checkValue(ctx, attribute, found.def, op, raw) };

  // Identifiers become identifier nodes so the database layer has one way to match them.
  const value = checkValue(ctx, attribute, IDENTIFIER_VALUE, op, raw);
  if (!Array.isArray(value)) return { kind: 'identifier', idType: found.idType, value: String(value) };
  return { kind: 'or', clauses: value.map((v) => ({ kind: 'identifier', idType: found.idType, value: String(v) })) };
}
