/** The value transformations of field rules: masking and derivations (birth year, age). */
import type { Json } from '../registry/records.js';
import { DEFAULT_KEEP_LAST, isDerivation } from './field-rules.js';

/**
 * Masks every string and number in `value` (objects and arrays leaf by leaf, `@type` kept),
 * keeping the last `keepLast` characters. A value no longer than `keepLast` is masked entirely,
 * so that masking never reveals a whole value; booleans cannot be masked and are left out.
 */
export function maskValue(value: Json, keepLast = DEFAULT_KEEP_LAST): Json | undefined {
  if (typeof value === 'string' || typeof value === 'number') return maskText(String(value), keepLast);
  if (Array.isArray(value)) return value.map((item) => maskValue(item, keepLast)).filter((item) => item !== undefined);
  if (value === null || typeof value === 'boolean') return undefined;
  const masked: Record<string, Json> = {};
  for (const [key, item] of Object.entries(value)) {
    const result = key === '@type' ? copyJson(item) : maskValue(item, keepLast);
    if (result !== undefined) masked[key] = result;
  }
  return masked;
}

/** A deep copy of JSON data (several times faster than structuredClone on records). */
export function copyJson<T extends Json | undefined>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(copyJson) as T;
  const copy: Record<string, Json> = {};
  for (const key of Object.keys(value)) {
    // Assigning `__proto__` would set the copy's prototype instead of copying the field.
    if (key === '__proto__') Object.defineProperty(copy, key, { value: copyJson(value[key]!), enumerable: true, writable: true, configurable: true });
    else copy[key] = copyJson(value[key]!);
  }
  return copy as T;
}

function maskText(text: string, keepLast: number): string {
  // Code points, so that a masked name never ends in half a character.
  const chars = Array.from(text);
  const kept = chars.length > keepLast ? chars.slice(chars.length - keepLast) : [];
  return '*'.repeat(chars.length - kept.length) + kept.join('');
}

/**
 * `year`: the date's year as text (`"1985"`); `age`: `{age: n}`, full years up to `now`.
 * A value already so derived is kept, so that a stored answer can be shared again under the
 * same rules (transaction status). Anything else, or an unknown derivation, is left out (fails closed).
 */
export function deriveValue(value: Json, derivation: string | undefined, now: Date): Json | undefined {
  if (isDerived(value, derivation)) return value;
  const date = typeof value === 'string' ? parseDay(value) : undefined;
  if (!date || !isDerivation(derivation)) return undefined;
  if (derivation === 'year') return String(date.year);
  const birthdayPassed = now.getUTCMonth() + 1 > date.month || (now.getUTCMonth() + 1 === date.month && now.getUTCDate() >= date.day);
  const age = now.getUTCFullYear() - date.year - (birthdayPassed ? 0 : 1);
  return age >= 0 ? { age } : undefined;
}

/** The calendar day of `YYYY-MM-DD` or an ISO timestamp (records carry timestamps in UTC). */
function parseDay(text: string): { year: number; month: number; day: number } | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:$|T)/.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const check = new Date(Date.UTC(year, month - 1, day));
  return check.getUTCMonth() === month - 1 && check.getUTCDate() === day ? { year, month, day } : undefined;
}

function isDerived(value: Json, derivation: string | undefined): boolean {
  if (derivation === 'year') return typeof value === 'string' && /^\d{4}$/.test(value);
  if (derivation !== 'age' || typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === 'age' && typeof value.age === 'number';
}
