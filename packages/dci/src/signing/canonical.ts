/** Byte-exact JSON serialisations used for message digests. */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/**
 * RFC 8785 JSON Canonicalization Scheme, byte for byte what the `canonicalize` package writes.
 * For plain JSON data the engine's own JSON.stringify does the work (several times faster on large
 * answers): it already writes strings and numbers as JCS wants, so only key order is ours to fix
 * (see inCodeUnitOrder). Whatever it cannot take exactly as `canonicalize` would (non-finite numbers,
 * lone surrogates, objects that are not plain data, integer-like keys out of order) goes to `canonicalize`,
 * which then answers or throws.
 */
export function canonicalJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value, inCodeUnitOrder);
  } catch (error) {
    if (error !== NOT_PLAIN) throw error;
  }
  // Lone surrogates come out escaped as \udXXX, which JCS refuses (a mere "\\ud" text costs a slower pass only).
  if (text === undefined || text.includes('\\ud')) text = canonicalize(value);
  if (text === undefined) throw new TypeError('Value cannot be serialised as JSON');
  return text;
}

const NOT_PLAIN = new Error('not plain JSON data');
const INTEGER_LIKE = /^\d+$/;

/**
 * JSON.stringify replacer: objects whose keys are not in UTF-16 code-unit order are written from a
 * copy whose keys are. The copy has no prototype, so a `__proto__` key stays an ordinary one; keys that
 * look like array indexes would be put first again by the engine, so such objects go the slow way.
 */
function inCodeUnitOrder(_key: string, value: unknown): unknown {
  if ((typeof value === 'number' && !Number.isFinite(value)) || typeof value === 'function') throw NOT_PLAIN;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) throw NOT_PLAIN;
  const keys = Object.keys(value);
  let ordered = true;
  for (let i = 1; i < keys.length && ordered; i++) ordered = keys[i - 1]! < keys[i]!;
  if (ordered) return value;
  const copy = Object.create(null) as Record<string, unknown>;
  for (const key of keys.sort()) {
    if (INTEGER_LIKE.test(key)) throw NOT_PLAIN;
    copy[key] = (value as Record<string, unknown>)[key];
  }
  return copy;
}

/**
 * What Python's `json.dumps(v, sort_keys=True, separators=(',', ':'), ensure_ascii=True)`
 * produces, because Python DCI implementations digest that instead of JCS.
 * Keys sort by code point as Python does. Numbers use JavaScript formatting, which
 * matches Python for integers and usual decimals (not for exponent forms like 1e-07).
 */
export function pythonSortedJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError('Value cannot be serialised as JSON');
    return typeof value === 'string' ? asciiEscape(text) : text;
  }
  if (Array.isArray(value)) return `[${value.map((item) => pythonSortedJson(item ?? null)).join(',')}]`;
  if ('toJSON' in value && typeof value.toJSON === 'function') return pythonSortedJson(value.toJSON());
  const entries = Object.entries(value)
    .filter(([, v]) => v !== undefined && typeof v !== 'function')
    .sort(([a], [b]) => compareCodePoints(a, b));
  return `{${entries.map(([k, v]) => `${asciiEscape(JSON.stringify(k))}:${pythonSortedJson(v)}`).join(',')}}`;
}

/** ensure_ascii: everything outside printable ASCII (incl. DEL) as lower-case \uXXXX, per UTF-16 unit. */
function asciiEscape(json: string): string {
  return json.replace(/[^\x20-\x7e]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const diff = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (diff !== 0) return diff;
  }
  return x.length - y.length;
}

export type DigestVariant = 'jcs' | 'python';

/** base64(SHA-256(serialised {header, message})). */
export function digestOf(content: { header: unknown; message: unknown }, variant: DigestVariant = 'jcs'): string {
  const body = { header: content.header, message: content.message };
  return digestOfText(variant === 'jcs' ? canonicalJson(body) : pythonSortedJson(body));
}

/** base64(SHA-256(text as UTF-8)): the digest of content already serialised. */
export function digestOfText(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64');
}
