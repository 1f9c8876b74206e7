import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { canonicalJson, digestOf, pythonSortedJson } from './canonical.js';
import { parseDciSignature, signingString } from './dci-signature.js';
import { signedEnvelopeJson, signEnvelope, verifyEnvelope } from './envelope.js';
import type { KeyResolver } from './envelope.js';

const vectors = new URL('../../test-vectors/', import.meta.url);
const readJson = (name: string) => JSON.parse(readFileSync(new URL(name, vectors), 'utf8'));
const expected = readJson('expected-signatures.json');
const envelope = readJson('envelope.json');
const { _warning, kid: _kid, ...privateJwk } = readJson('ed25519-test-key.TEST-ONLY.jwk.json');
const publicKey = createPublicKey({ key: privateJwk, format: 'jwk' });
const signedAt = new Date(expected.created * 1000);
const resolve: KeyResolver = (kid, senderId) => (kid === 'test-key-1' && senderId === 'spmis.example.org' ? publicKey : undefined);
const content = { header: envelope.header, message: envelope.message };

test('vectors: canonical JSON, Python-style JSON and both digests', () => {
  assert.equal(canonicalJson(content), expected.canonical_json);
  assert.equal(pythonSortedJson(content), expected.python_sorted_json);
  assert.equal(digestOf(content), expected.digest_jcs);
  assert.equal(digestOf(content, 'python'), expected.digest_python);
  assert.notEqual(expected.digest_jcs, expected.digest_python); // the envelope has non-ASCII text
  assert.equal(signingString(expected.created, expected.expires, expected.digest_jcs), expected.signing_string);
});

test('pythonSortedJson matches json.dumps details: code-point key order, DEL and astral escapes', () => {
  assert.equal(pythonSortedJson({ b: [1, 'é', null], a: { '\u{1F600}': '\x7f', z: true, '\uFB01': 0 } }), '{"a":{"z":true,"\\ufb01":0,"\\ud83d\\ude00":"\\u007f"},"b":[1,"\\u00e9",null]}');
});

test('vectors: the DCI signature string is recomputed byte for byte', async () => {
  const signature = await signEnvelope(envelope.header, envelope.message, {
    scheme: 'dci-signature',
    privateKey: privateJwk,
    kid: 'test-key-1',
    senderId: 'spmis.example.org',
    ttlSeconds: 300,
    now: signedAt,
  });
  assert.equal(signature, expected.dci_signature);
  assert.deepEqual(await verifyEnvelope({ ...content, signature }, resolve, { now: signedAt }), {
    ok: true,
    kid: 'test-key-1',
    senderId: 'spmis.example.org',
    scheme: 'dci-signature',
  });
});

test('signedEnvelopeJson: the signed envelope as canonical text, with the very signature signEnvelope gives, verifiable in both schemes', async () => {
  for (const scheme of ['dci-signature', 'jws'] as const) {
    const options = { scheme, privateKey: privateJwk, kid: 'test-key-1', senderId: 'spmis.example.org', ttlSeconds: 300, now: signedAt };
    const text = await signedEnvelopeJson(envelope.header, envelope.message, options);
    const signature = await signEnvelope(envelope.header, envelope.message, options);
    assert.equal(text, canonicalJson({ ...content, signature }), scheme);
    const parsed = JSON.parse(text) as { header: unknown; message: unknown; signature: string };
    assert.equal(parsed.signature, scheme === 'jws' ? expected.jws_attached : expected.dci_signature);
    assert.equal((await verifyEnvelope(parsed, resolve, { now: signedAt })).ok, true, scheme);
  }
});

test('vectors: attached and detached JWS are recomputed byte for byte', async () => {
  const options = { scheme: 'jws', privateKey: privateJwk, kid: 'test-key-1', senderId: 'spmis.example.org', ttlSeconds: 300, now: signedAt } as const;
  assert.equal(await signEnvelope(envelope.header, envelope.message, options), expected.jws_attached);
  assert.equal(await signEnvelope(envelope.header, envelope.message, { ...options, detached: true }), expected.jws_detached);
  for (const signature of [expected.jws_attached, expected.jws_detached]) {
    const result = await verifyEnvelope({ ...content, signature }, resolve, { now: signedAt });
    assert.deepEqual(result, { ok: true, kid: 'test-key-1', senderId: 'spmis.example.org', scheme: 'jws' });
  }
});

test('a signature over the Python-style digest is accepted', async () => {
  const result = await verifyEnvelope({ ...content, signature: expected.dci_signature_python_digest }, resolve, { now: signedAt });
  assert.equal(result.ok, true);
});

test('the spec example prefix "Signature:" and namespace "spdci" parse', () => {
  const parts = parseDciSignature(`Signature:  ${expected.dci_signature.replace('namespace="dci"', 'namespace="spdci"')}`);
  assert.equal(typeof parts, 'object');
});

test('tampering, wrong sender, wrong key, and time rules are rejected', async () => {
  const at = { now: signedAt };
  const check = async (env: object, reason: string, options: object = at) => {
    const result = await verifyEnvelope(env as typeof content, resolve, options);
    assert.equal(result.ok, false);
    assert.ok(!result.ok && result.code === 'err.signature.invalid' && result.reason.includes(reason), JSON.stringify(result));
  };
  const tampered = structuredClone(content);
  tampered.message.transaction_id = 'txn-0002';
  await check({ ...tampered, signature: expected.dci_signature }, 'does not match');
  await check({ ...tampered, signature: expected.jws_detached }, 'does not match');
  await check({ ...tampered, signature: expected.jws_attached }, 'does not match');
  await check({ ...content, header: { ...content.header, sender_id: 'other.example.org' }, signature: expected.dci_signature }, 'does not match header.sender_id');
  await check({ ...content, header: { ...content.header, sender_id: 'other.example.org' }, signature: expected.jws_attached }, 'no public key');
  await check({ ...content, signature: expected.dci_signature }, 'expired', { now: new Date((expected.expires + 61) * 1000) });
  await check({ ...content, signature: expected.dci_signature }, 'future', { now: new Date((expected.created - 61) * 1000) });
  await check({ ...content, signature: expected.dci_signature }, 'lifetime', { ...at, maxLifetimeSeconds: 60 });
  await check({ ...content, signature: expected.dci_signature.replace('created="1714557600"', 'created="1714557601"') }, 'does not match');
  await check({ ...content, signature: expected.dci_signature.replace('headers="(created) (expires) digest"', 'headers="digest"') }, 'headers');
  await check({ ...content, signature: 'hello world' }, 'unrecognised');
  const otherKey = generateKeyPairSync('ed25519').publicKey;
  const wrongKey = await verifyEnvelope({ ...content, signature: expected.dci_signature }, () => otherKey, at);
  assert.equal(wrongKey.ok, false);
  const missing = await verifyEnvelope(content, resolve, at);
  assert.deepEqual(missing, { ok: false, code: 'err.signature.missing', reason: 'the envelope has no signature' });
});

test('signEnvelope refuses ids that would break the signature string', async () => {
  const options = { scheme: 'dci-signature', privateKey: privateJwk, senderId: 'spmis.example.org' } as const;
  await assert.rejects(signEnvelope({}, {}, { ...options, kid: 'a|b' }), /kid and senderId/);
  await assert.rejects(signEnvelope({}, {}, { ...options, kid: 'k', senderId: 'x"y' }), /kid and senderId/);
});

test('round trips with P-256 and RSA keys in both schemes; key type must match the algorithm', async () => {
  const now = new Date();
  const pairs: [string, { publicKey: KeyObject; privateKey: KeyObject }][] = [
    ['p256', generateKeyPairSync('ec', { namedCurve: 'P-256' })],
    ['rsa', generateKeyPairSync('rsa', { modulusLength: 2048 })],
  ];
  for (const [name, pair] of pairs) {
    for (const scheme of ['dci-signature', 'jws'] as const) {
      for (const rsaAlgorithm of ['RS256', 'PS256'] as const) {
        const signature = await signEnvelope(content.header, content.message, { scheme, privateKey: pair.privateKey, kid: name, senderId: 'spmis.example.org', now, rsaAlgorithm });
        const ok = await verifyEnvelope({ ...content, signature }, () => pair.publicKey, { now });
        assert.equal(ok.ok, true, `${name} ${scheme} ${rsaAlgorithm}`);
        const mismatched = await verifyEnvelope({ ...content, signature }, () => publicKey, { now });
        assert.equal(mismatched.ok, false, `${name} ${scheme} with an Ed25519 key`);
      }
    }
  }
});
