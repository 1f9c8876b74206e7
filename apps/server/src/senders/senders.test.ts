import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, test } from 'node:test';
import { OAuthClientSchema } from '@dci-server/db';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { AppContext } from '../context.js';
import { KeyError } from '../keys/key-algorithms.js';
import { createTestContext } from '../testing/test-server.js';
import { verifySecret } from './client-secrets.js';
import { senderPublicKey } from './sender-auth.js';
import { addSenderKey, createOAuthClient, createSender, findSender, listSenders, revokeSenderKey, rotateOAuthClientSecret, SenderError, setSenderActive } from './senders.js';

let ctx: AppContext;
before(async () => {
  ctx = await createTestContext();
});
after(() => ctx.db.close());

const em = () => ctx.db.orm.em.fork();
let counter = 0;
const newSender = () => createSender(em(), { senderId: `sender-${++counter}`, name: 'Test sender', allowedOperations: ['search'] });
const pem = (key: { export(o: object): string | Buffer }) => key.export({ type: 'spki', format: 'pem' }) as string;

test('creates senders, refuses duplicates and bad input, normalises callback origins', async () => {
  const sender = await createSender(em(), { senderId: 'agency-1', name: 'Agency', allowedOperations: ['search', 'verify'], allowedCallbackOrigins: ['https://cb.example.org/path/'], preferredScheme: 'jws' });
  assert.deepEqual(sender.allowedCallbackOrigins, ['https://cb.example.org']);
  await assert.rejects(createSender(em(), { senderId: 'agency-1', name: 'Again', allowedOperations: [] }), { message: 'sender agency-1 exists already' });
  const plain = await createSender(em(), { senderId: 'agency-3', name: 'Plain', allowedOperations: ['search'], allowedCallbackOrigins: undefined, preferredScheme: undefined });
  const stored = await findSender(em(), plain.senderId);
  assert.deepEqual([stored.allowedCallbackOrigins, stored.preferredScheme], [[], 'dci-signature'], 'database defaults apply');
  await assert.rejects(createSender(em(), { senderId: 'has space', name: 'x', allowedOperations: [] }), SenderError);
  await assert.rejects(createSender(em(), { senderId: 'agency-2', name: 'x', allowedOperations: [], allowedCallbackOrigins: ['ftp://x.org'] }), /not an http\(s\) URL/);
});

for (const [type, options, alg] of [
  ['ed25519', {}, 'EdDSA'],
  ['ec', { namedCurve: 'P-256' }, 'ES256'],
  ['rsa', { modulusLength: 2048 }, 'RS256'],
] as const) {
  test(`accepts ${alg} public keys as SPKI PEM and as JWK, fingerprinted by RFC 7638 thumbprint`, async () => {
    const sender = await newSender();
    const pair = generateKeyPairSync(type as 'ec', options as { namedCurve: string });
    const fromPem = await addSenderKey(em(), sender, pem(pair.publicKey));
    const jwk = pair.publicKey.export({ format: 'jwk' }) as JWK;
    assert.equal(fromPem.algorithm, alg);
    assert.equal(fromPem.fingerprint, await calculateJwkThumbprint(jwk));
    assert.equal(fromPem.keyId, fromPem.fingerprint, 'no kid given: the thumbprint names the key');
    assert.ok(await senderPublicKey(ctx.db.pool, sender, fromPem.keyId));

    const other = generateKeyPairSync(type as 'ec', options as { namedCurve: string });
    const fromJwk = await addSenderKey(em(), sender, { ...(other.publicKey.export({ format: 'jwk' }) as JWK), kid: 'k-jwk' });
    assert.equal(fromJwk.keyId, 'k-jwk');
    const fromJwkText = await addSenderKey(em(), await newSender(), JSON.stringify(other.publicKey.export({ format: 'jwk' })), 'k-text');
    assert.equal(fromJwkText.fingerprint, fromJwk.fingerprint);
  });
}

test('refuses small RSA, other curves, private keys, garbage and the same key twice', async () => {
  const sender = await newSender();
  await assert.rejects(addSenderKey(em(), sender, pem(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey)), /RSA key of 1024 bits refused/);
  await assert.rejects(addSenderKey(em(), sender, pem(generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey)), /unsupported EC curve secp384r1: only P-256/);
  await assert.rejects(addSenderKey(em(), sender, generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey.export({ format: 'jwk' }) as JWK), KeyError);
  const ed = generateKeyPairSync('ed25519');
  await assert.rejects(addSenderKey(em(), sender, ed.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string), /this is a private key/);
  await assert.rejects(addSenderKey(em(), sender, ed.privateKey.export({ format: 'jwk' }) as JWK), /contains a private part/);
  await assert.rejects(addSenderKey(em(), sender, '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----'), /not a public key PEM/);
  await assert.rejects(addSenderKey(em(), sender, '{nope'), /not valid JSON/);
  await addSenderKey(em(), sender, pem(ed.publicKey), 'first');
  await assert.rejects(addSenderKey(em(), sender, pem(ed.publicKey), 'second'), /already registered for sender-\d+ as first/);
  await assert.rejects(addSenderKey(em(), sender, pem(generateKeyPairSync('ed25519').publicKey), 'first'), /already has a key first/);
  const past = new Date('2020-01-01');
  await assert.rejects(addSenderKey(em(), sender, pem(generateKeyPairSync('ed25519').publicKey), 'dates', { notBefore: past, notAfter: past }), /notAfter must be later/);
});

test('validity window and revocation decide whether a key verifies', async () => {
  const sender = await newSender();
  const future = new Date(Date.now() + 86_400_000);
  const later = await addSenderKey(em(), sender, pem(generateKeyPairSync('ed25519').publicKey), 'later', { notBefore: future });
  assert.equal(later.notBefore?.getTime(), future.getTime());
  assert.equal(await senderPublicKey(ctx.db.pool, sender, 'later'), undefined, 'not valid yet');

  await addSenderKey(em(), sender, pem(generateKeyPairSync('ed25519').publicKey), 'now');
  assert.ok(await senderPublicKey(ctx.db.pool, sender, 'now'));
  assert.equal((await revokeSenderKey(em(), sender.senderId, 'now')).revoked, true);
  assert.equal(await senderPublicKey(ctx.db.pool, sender, 'now'), undefined, 'revoked');
  await assert.rejects(revokeSenderKey(em(), sender.senderId, 'missing'), /has no key missing/);
});

test('disables and enables senders; lists them with keys and clients, never secrets', async () => {
  const sender = await newSender();
  await addSenderKey(em(), sender, pem(generateKeyPairSync('ed25519').publicKey), 'k1');
  const { clientId } = await createOAuthClient(em(), sender);
  assert.equal((await setSenderActive(em(), sender.senderId, false)).active, false);
  assert.equal((await findSender(em(), sender.senderId)).active, false);
  await setSenderActive(em(), sender.senderId, true);
  await assert.rejects(setSenderActive(em(), 'nobody', true), { message: 'no sender nobody' });

  const listed = (await listSenders(em())).find((s) => s.senderId === sender.senderId)!;
  assert.equal(listed.active, true);
  assert.deepEqual(listed.keys.map((k) => k.keyId), ['k1']);
  assert.deepEqual(listed.clients, [{ clientId, active: true, lastUsedAt: null }], 'never used for a token yet');
  assert.ok(!JSON.stringify(listed).includes('scrypt'));
});

test('rotating a client secret: the old one fails, the new one passes', async () => {
  const sender = await newSender();
  const created = await createOAuthClient(em(), sender);
  const rotated = await rotateOAuthClientSecret(em(), created.clientId);
  assert.equal(rotated.clientId, created.clientId);
  assert.notEqual(rotated.clientSecret, created.clientSecret);
  const { secretHash } = await em().findOneOrFail(OAuthClientSchema, { clientId: created.clientId });
  assert.equal(await verifySecret(created.clientSecret, secretHash), false);
  assert.equal(await verifySecret(rotated.clientSecret, secretHash), true);
  await assert.rejects(rotateOAuthClientSecret(em(), 'nope'), /no OAuth client nope/);
});
