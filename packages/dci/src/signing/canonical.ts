/** Byte-exact JSON serialisations used for message digests. */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/** RFC 8785 JSON Canonicalization Scheme. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('Value cannot be serialised as JSON');
  return text;
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
  const text = variant === 'jcs' ? canonicalJson(body) : pythonSortedJson(body);
  return createHash('sha256').update(text, 'utf8').digest('base64');
}
