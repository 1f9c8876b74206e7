import fc from 'fast-check';

/**
 * fast-check generators of hostile input: strings, keys, values, query expressions, pagination,
 * headers and body encodings a careless or malicious client could send. Shared by the DCI, token
 * endpoint and GraphQL fuzz tests.
 */

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));

/** Strings meant to break parsers, databases and logs; some short, some very long. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ unit: fc.oneof(loneSurrogate, fc.constantFrom('\u0000', '\u202e', '\u200f', '\ufeff', '\uffff', 'a', '"', '\\')), maxLength: 12 }),
  fc.constantFrom('', ' ', '\u0000', 'null', 'undefined', 'NaN', '__proto__', 'constructor', 'prototype', "' OR 1=1 --", '%s%n', '${jndi:x}', '\u202eevil', 'ﻼ עברית', '🙂'.repeat(50)),
  fc.integer({ min: 129, max: 20_000 }).map((n) => 'x'.repeat(n)),
);

/** Object keys, prototype-pollution keys first. */
export const nastyKey: fc.Arbitrary<string> = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '$where', '$and', '$eq'), nastyString);

export const nastyNumber: fc.Arbitrary<number | string> = fc.oneof(
  fc.constantFrom(0, -1, 1, -0, 2 ** 31, 2 ** 53 + 1, -(2 ** 63), 1e308, -1e308, 5e-324, 0.5, 1e21),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom('1', '1e3', '0x10', '', '-1', 'Infinity'),
);

/** Any JSON value, hostile at every level: nasty strings and keys, odd numbers, some width. */
export const nastyJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    nastyNumber,
    nastyString,
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(nastyKey, tie('value'), { maxKeys: 5 }),
  ),
})).value;

/** Shapes that strain a server: deep nesting and huge arrays. */
export const heavyJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: 20, max: 400 }).map((depth) => JSON.parse('{"a":'.repeat(depth) + '1' + '}'.repeat(depth)) as unknown),
  fc.integer({ min: 20, max: 400 }).map((depth) => JSON.parse('['.repeat(depth) + ']'.repeat(depth)) as unknown),
  fc.integer({ min: 1000, max: 20_000 }).map((n) => Array.from({ length: n }, (_, i) => i)),
  fc.integer({ min: 200, max: 2000 }).map((n) => Array.from({ length: n }, (_, i) => ({ reference_id: `r${i}`, x: 'y' }))),
  fc.integer({ min: 500, max: 5000 }).map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]))),
);

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof({ arbitrary: nastyJson, weight: 5 }, { arbitrary: heavyJson, weight: 1 });

const FIELDS = ['given_name', 'surname', 'birth_date', 'sex', 'location', 'UIN', 'identifier', 'name.given_name', 'group.size', 'poverty_score', 'is_alive'];
const OPERATORS = ['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$regex', '$like', '$exists', '$and', '$or', '$not', '$where'];

/** DCI expression queries: mostly well-formed trees over real and unknown fields, with hostile leaves. */
export const expression: fc.Arbitrary<unknown> = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    fc.record({ field: fc.oneof(fc.constantFrom(...FIELDS), nastyKey), op: fc.constantFrom(...OPERATORS), value: fc.oneof(nastyJson, fc.array(nastyString, { maxLength: 300 })) }).map(({ field, op, value }) => ({ [field]: { [op]: value } })),
    fc.record({ op: fc.constantFrom('$and', '$or', '$not'), children: fc.array(tie('node'), { maxLength: 4 }) }).map(({ op, children }) => ({ [op]: op === '$not' ? children[0] ?? {} : children })),
    nastyJson,
  ),
})).node;

export const pagination: fc.Arbitrary<unknown> = fc.oneof(fc.record({ page_size: nastyNumber, page_number: nastyNumber }, { requiredKeys: [] }), nastyJson);

export const sort: fc.Arbitrary<unknown> = fc.oneof(fc.array(fc.record({ attribute_name: fc.oneof(fc.constantFrom(...FIELDS), nastyKey), sort_order: fc.oneof(fc.constantFrom('asc', 'desc'), nastyString) }), { maxLength: 12 }), nastyJson);

export const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { arbitrary: fc.constant('application/json'), weight: 6 },
  fc.constantFrom(undefined, 'text/plain', 'application/json; charset=utf-8', 'application/json; charset=latin1', 'application/json; charset=utf-16', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/vnd.api+json', 'application/*', ''),
  // Printable ASCII only (fetch refuses the rest) and short: Node answers 431 to headers over 16 KiB before any app code runs.
  nastyString.map((s) => s.replace(/[^\x20-\x7e]/g, '').slice(0, 200)),
);

export type BodyEncoding = 'plain' | 'gzip' | 'deflate' | 'br' | 'bad-gzip' | 'utf16' | 'truncated' | 'bom' | 'not-json';
export const bodyEncoding: fc.Arbitrary<BodyEncoding> = fc.oneof({ arbitrary: fc.constant<BodyEncoding>('plain'), weight: 10 }, fc.constantFrom<BodyEncoding>('gzip', 'deflate', 'br', 'bad-gzip', 'utf16', 'truncated', 'bom', 'not-json'));

/** A path into a JSON value (object keys and array indexes), each step chosen by an index. */
export const pathChoice = fc.array(fc.nat(), { minLength: 1, maxLength: 6 });

export type Mutation = { kind: 'replace'; at: number[]; value: unknown } | { kind: 'delete'; at: number[] } | { kind: 'add'; at: number[]; key: string; value: unknown };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), at: pathChoice, value: hostileValue }),
  fc.record({ kind: fc.constant('delete' as const), at: pathChoice }),
  fc.record({ kind: fc.constant('add' as const), at: pathChoice, key: nastyKey, value: nastyJson }),
);

/**
 * Applies a mutation to a copy of `value`: `at` walks down the tree (each index taken modulo the
 * children there) and stops at a leaf. Keys are set with defineProperty so that `__proto__` becomes
 * an own key, as JSON.parse makes it on the server.
 */
export function mutate(value: unknown, m: Mutation): unknown {
  const root = structuredClone(value);
  let parent: Record<string, unknown> | unknown[] | undefined;
  let key: string | number | undefined;
  let node: unknown = root;
  for (const step of m.at) {
    if (!node || typeof node !== 'object') break;
    const keys = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
    if (!keys.length) break;
    parent = node as Record<string, unknown>;
    key = keys[step % keys.length]!;
    node = (parent as Record<string, unknown>)[key];
  }
  const set = (target: object, k: string | number, v: unknown) => Object.defineProperty(target, k, { value: v, enumerable: true, writable: true, configurable: true });
  if (m.kind === 'add') {
    const target = node && typeof node === 'object' && !Array.isArray(node) ? node : parent;
    if (target && !Array.isArray(target)) set(target, m.key, m.value);
    return root;
  }
  if (parent === undefined || key === undefined) return m.kind === 'replace' ? m.value : root;
  if (m.kind === 'replace') set(parent, key, m.value);
  else if (Array.isArray(parent)) parent.splice(key as number, 1);
  else delete parent[key as string];
  return root;
}
