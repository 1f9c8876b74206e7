import { test } from 'node:test';
import assert from 'node:assert/strict';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { canonicalJson } from './canonical.js';

/** What the `canonicalize` package (the reference) makes of a value: its text, or the fact that it throws. */
function reference(value: unknown): { text: string } | { throws: true } {
  try {
    const text = canonicalize(value);
    return text === undefined ? { throws: true } : { text };
  } catch {
    return { throws: true };
  }
}

function ours(value: unknown): { text: string } | { throws: true } {
  try {
    return { text: canonicalJson(value) };
  } catch {
    return { throws: true };
  }
}

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit));
/** Keys that sort differently by code unit, by code point and by the engine's own property order. */
const key = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.string({ unit: 'grapheme', maxLength: 4 }),
  fc.nat({ max: 10_000 }).map(String),
  fc.constantFrom('', '__proto__', 'constructor', 'toJSON', '@type', 'a', 'B', 'é', '\uFB01', '\u{1F600}', '\u{10FFFF}', '01', '-1', '1.5', '4294967295', 'a\\ud800'),
);
const number = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.constantFrom(-0, 1e21, 1e-7, 5e-324, 0.1 + 0.2, Number.MAX_SAFE_INTEGER + 2, 2 ** 53, -1e-7));
const text = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), fc.string({ unit: fc.constantFrom('"', '\\', '\n', '\u0000', '\u001f', '\u007f', '\u2028', 'u', 'd') }));

const { json } = fc.letrec((tie) => ({
  json: fc.oneof({ depthSize: 'small', maxDepth: 6 }, fc.constant(null), fc.boolean(), number, text, tie('array'), tie('object')),
  array: fc.array(tie('json'), { maxLength: 6 }),
  object: fc.array(fc.tuple(key, tie('json')), { maxLength: 8 }).map((entries) => Object.fromEntries(entries)),
}));

test('canonicalJson writes JSON data byte for byte as the canonicalize package does (generated values)', () => {
  fc.assert(
    fc.property(json, (value) => {
      assert.deepEqual(ours(value), reference(value));
      assert.ok('text' in ours(value), 'finite JSON data always serialises');
    }),
    { numRuns: 3000 },
  );
});

test('canonicalJson refuses what canonicalize refuses, and agrees on the rest (non-finite numbers, lone surrogates, undefined, dates, prototypes)', () => {
  const odd = fc.oneof(
    fc.constantFrom(NaN, Infinity, -Infinity, undefined, new Date(0), Object.create(null) as object, () => 1, Symbol('s')),
    loneSurrogate.map((s) => `x${s}y`),
    fc.tuple(loneSurrogate, fc.string()).map(([s, t]) => ({ [s + t]: 1 })),
  );
  const { withOdd } = fc.letrec((tie) => ({
    withOdd: fc.oneof({ depthSize: 'small', maxDepth: 4 }, json, odd, tie('array'), tie('object')),
    array: fc.array(tie('withOdd'), { maxLength: 5 }),
    object: fc.array(fc.tuple(key, tie('withOdd')), { maxLength: 6 }).map((entries) => Object.fromEntries(entries)),
  }));
  fc.assert(
    fc.property(withOdd, (value) => assert.deepEqual(ours(value), reference(value))),
    { numRuns: 3000 },
  );
});

test('canonicalJson: the cases each branch exists for', () => {
  // Keys sorted by UTF-16 code units: U+1F600 (0xD83D 0xDE00) before U+FB01, unlike code-point order.
  assert.equal(canonicalJson({ '\uFB01': 1, '\u{1F600}': 2, b: 3, a: 4 }), '{"a":4,"b":3,"\u{1F600}":2,"\uFB01":1}');
  // Integer-like keys: the engine lists them first in numeric order, JCS sorts them as text.
  assert.equal(canonicalJson({ 2: 'b', 10: 'a', x: 'c' }), '{"10":"a","2":"b","x":"c"}');
  assert.equal(canonicalJson(JSON.parse('{"z":1,"__proto__":{"a":1}}')), '{"__proto__":{"a":1},"z":1}');
  assert.equal(canonicalJson({ n: [1e21, 1e-7, -0, 0.000001, 123456789012345680000] }), '{"n":[1e+21,1e-7,0,0.000001,123456789012345680000]}');
  assert.equal(canonicalJson({ when: new Date(0) }), '{"when":"1970-01-01T00:00:00.000Z"}');
  assert.equal(canonicalJson({ path: 'C:\\udata' }), '{"path":"C:\\\\udata"}');
  assert.throws(() => canonicalJson({ text: 'a\ud800' }));
  assert.throws(() => canonicalJson([NaN]));
  assert.throws(() => canonicalJson(undefined), TypeError);
});
