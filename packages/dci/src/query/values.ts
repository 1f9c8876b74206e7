/** Checks and normalises a comparison value against its attribute's declared type. */
import type { CmpOp, ScalarValue } from './ast.js';
import type { AttributeDef } from './attributes.js';

/** What checking a value needs to know about its attribute. */
type ValueDef = Pick<AttributeDef, 'type' | 'values'>;
import type { QueryContext } from './context.js';

export const MAX_IN_VALUES = 1000;
const MAX_STRING_LENGTH = 256;

export function checkValue(ctx: QueryContext, attribute: string, def: ValueDef, op: CmpOp, raw: unknown): ScalarValue | ScalarValue[] {
  if (op === 'in' || op === 'nin') {
    if (!Array.isArray(raw) || raw.length === 0 || raw.length > MAX_IN_VALUES) {
      throw ctx.invalid(`Operator '${op}' on '${attribute}' needs a non-empty array of at most ${MAX_IN_VALUES} values`);
    }
    return raw.map((item) => checkScalar(ctx, attribute, def, item));
  }
  return checkScalar(ctx, attribute, def, raw);
}

export function checkScalar(ctx: QueryContext, attribute: string, def: ValueDef, raw: unknown): ScalarValue {
  const value = coerce(def, raw);
  if (value === undefined) throw ctx.invalid(`Attribute '${attribute}' needs ${describeType(def)}, got ${preview(raw)}`);
  return value;
}

function coerce(def: ValueDef, raw: unknown): ScalarValue | undefined {
  switch (def.type) {
    case 'string':
      return coerceString(def, raw);
    case 'number':
      return coerceNumber(raw);
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      return raw === 'true' ? true : raw === 'false' ? false : undefined;
    case 'date':
      return typeof raw === 'string' ? normaliseDate(raw) : undefined;
  }
}

function coerceString(def: ValueDef, raw: unknown): string | undefined {
  // Identifier-like values (postal codes, UINs) are often sent as JSON numbers.
  const text = typeof raw === 'string' ? raw : typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : undefined;
  if (text === undefined || text.length === 0 || text.length > MAX_STRING_LENGTH) return undefined;
  if (!def.values) return text;
  const lower = text.toLowerCase();
  return def.values.includes(lower) ? lower : undefined;
}

function coerceNumber(raw: unknown): number | undefined {
  // The spec's own example sends YOB as the string '1980'.
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : undefined;
  return value !== undefined && Number.isFinite(value) ? value : undefined;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

/** `YYYY-MM-DD` stays as is; a date-time with zone becomes a UTC ISO string; anything else is rejected. */
export function normaliseDate(raw: string): string | undefined {
  if (DATE_ONLY.test(raw)) {
    const parsed = new Date(`${raw}T00:00:00Z`);
    // Rejects calendar overflow such as 2023-02-30, which Date would roll over.
    return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(raw) ? raw : undefined;
  }
  if (DATE_TIME.test(raw)) {
    const day = raw.slice(0, 10);
    const parsed = new Date(raw);
    if (normaliseDate(day) === undefined || Number.isNaN(parsed.getTime())) return undefined;
    return parsed.toISOString();
  }
  return undefined;
}

function describeType(def: ValueDef): string {
  if (def.values) return `one of ${def.values.join(', ')}`;
  return { string: `a non-empty string of at most ${MAX_STRING_LENGTH} characters`, number: 'a finite number', boolean: 'true or false', date: 'an ISO date (YYYY-MM-DD or date-time with zone)' }[def.type];
}

export function preview(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 40 ? `${json.slice(0, 40)}…` : json;
}
