import assert from 'node:assert/strict';
import { generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { after, before, test } from 'node:test';
import { ServerKeySchema } from '@dci-server/db';
import { compactVerify, CompactSign, importJWK } from 'jose';
import type { AppContext } from '../context.js';
import { createTestContext } from '../testing/test-server.js';
import { KeyError } from './key-algorithms.js';
import { activateServerKey, generateServerKey, importServerKey, listServerKeys, loadActiveSigningKey, publishedKeys, retireExpiredKeys, retireServerKey } from './server-keys.js';

let ctx: AppContext;
before(async () => {
  ctx = await createTestContext();
});
after(() => ctx.db.close());

const em = () => ctx.db.orm.em.fork();
const kids = async () => (await publishedKeys(em())).map((k) => k.kid);
const state = async (kid: string) => (await listServerKeys(em())).find((k) => k.kid === kid)?.state;
const activeKids = async () => (await listServerKeys(em())).filter((k) => k.state === 'active').map((k) => k.kid);
const HOUR = 3600;

test('generates Ed25519, P-256 and RSA-3072 keys, pending and published without private parts', async () => {
  const ed = await generateServerKey(em(), ctx.masterKey);
  const ec = await generateServerKey(em(), ctx.masterKey, 'ES256');
  const rsa = await generateServerKey(em(), ctx.masterKey, 'RS256');
  assert.deepEqual([ed.publicJwk.crv, ec.publicJwk.crv, rsa.publicJwk.kty], ['Ed25519', 'P-256', 'RSA']);
  assert.equal(Buffer.from(rsa.publicJwk.n!, 'base64url').length * 8, 3072);
  for (const key of [ed, ec, rsa]) {
    assert.equal(key.state, 'pending');
    assert.equal(key.publicJwk.d, undefined);
    assert.equal(key.publicJwk.kid, key.kid);
    assert.equal(key.publicJwk.alg, key.algorithm);
    assert.equal(key.publicJwk.use, 'sig');
  }
  const published = await publishedKeys(em());
  assert.equal(published[0]!.kid, (await activeKids())[0], 'the active key comes first');
  for (const key of [ed, ec, rsa]) assert.deepEqual(published.find((k) => k.kid === key.kid), key.publicJwk);
  assert.ok(published.every((k) => k.d === undefined && k.p === undefined));
});

test('private keys are encrypted at rest with the master key', async () => {
  const key = await generateServerKey(em(), ctx.masterKey, 'ES256');
  const { rows } = await ctx.db.pool.query<{ private_key_encrypted: string }>('select private_key_encrypted from server_key where kid = $1', [key.kid]);
  const stored = rows[0]!.private_key_encrypted;
  const privateJwk = JSON.parse(ctx.masterKey.decrypt(stored)) as JsonWebKey;
  assert.ok(privateJwk.d && privateJwk.d.length > 20);
  assert.ok(!stored.includes(privateJwk.d), 'the column must not hold the raw d');
  assert.match(stored, /^v1\./);
});

for (const [type, options, alg] of [
  ['ed25519', {}, 'EdDSA'],
  ['ec', { namedCurve: 'P-256' }, 'ES256'],
  ['rsa', { modulusLength: 3072 }, 'RS256'],
] as const) {
  test(`imports ${alg} keys from PKCS#8 PEM and from a private JWK`, async () => {
    const pair = generateKeyPairSync(type as 'ec', options as { namedCurve: string });
    const fromPem = await importServerKey(em(), ctx.masterKey, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
    assert.equal(fromPem.algorithm, alg);
    assert.equal(fromPem.state, 'pending');
    const publicJwk = pair.publicKey.export({ format: 'jwk' });
    for (const member of ['x', 'y', 'n', 'e'] as const) assert.equal(fromPem.publicJwk[member], publicJwk[member]);

    const other = generateKeyPairSync(type as 'ec', options as { namedCurve: string });
    const fromJwk = await importServerKey(em(), ctx.masterKey, JSON.stringify({ ...other.privateKey.export({ format: 'jwk' }), kid: `imported-${alg}` }));
    assert.equal(fromJwk.kid, `imported-${alg}`);
    assert.equal(fromJwk.publicJwk.d, undefined);
  });
}

test('an imported key signs once active, and verifies with the published JWK', async () => {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const key = await importServerKey(em(), ctx.masterKey, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
  await activateServerKey(em(), key.kid, ctx.keyring);
  const signing = await loadActiveSigningKey(em(), ctx.masterKey);
  assert.equal(signing.kid, key.kid);
  const jws = await new CompactSign(new TextEncoder().encode('probe')).setProtectedHeader({ alg: 'ES256', kid: key.kid }).sign(signing.privateKey);
  const published = (await publishedKeys(em())).find((k) => k.kid === key.kid)!;
  await compactVerify(jws, await importJWK(published, 'ES256'));
  assert.equal((await ctx.keyring.signingKey()).kid, key.kid, 'the keyring was invalidated');
});

test('refuses mismatched, weak, unsupported and public-only keys', async () => {
  const stored = await em().count(ServerKeySchema, {});
  const mixed = (type: 'ed25519' | 'ec') => {
    const options = type === 'ec' ? { namedCurve: 'P-256' } : {};
    const a = generateKeyPairSync(type as 'ec', options as { namedCurve: string }).privateKey.export({ format: 'jwk' });
    const b = generateKeyPairSync(type as 'ec', options as { namedCurve: string }).publicKey.export({ format: 'jwk' });
    return JSON.stringify({ ...a, x: b.x, y: b.y });
  };
  await assert.rejects(importServerKey(em(), ctx.masterKey, mixed('ed25519')), { name: 'Error', message: /do not belong to the same key/ });
  await assert.rejects(importServerKey(em(), ctx.masterKey, mixed('ec')), KeyError);

  const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
  await assert.rejects(importServerKey(em(), ctx.masterKey, rsa1024.export({ type: 'pkcs8', format: 'pem' }) as string), /RSA key of 1024 bits refused/);
  await assert.rejects(importServerKey(em(), ctx.masterKey, JSON.stringify(rsa1024.export({ format: 'jwk' }))), /at least 2048 bits/);
  const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey;
  await assert.rejects(importServerKey(em(), ctx.masterKey, k1.export({ type: 'pkcs8', format: 'pem' }) as string), /unsupported EC curve secp256k1/);
  const x25519 = generateKeyPairSync('x25519').privateKey;
  await assert.rejects(importServerKey(em(), ctx.masterKey, x25519.export({ type: 'pkcs8', format: 'pem' }) as string), /unsupported key type x25519/);

  const ed = generateKeyPairSync('ed25519');
  await assert.rejects(importServerKey(em(), ctx.masterKey, JSON.stringify(ed.publicKey.export({ format: 'jwk' }))), /no private part/);
  await assert.rejects(importServerKey(em(), ctx.masterKey, ed.publicKey.export({ type: 'spki', format: 'pem' }) as string), KeyError);
  const encrypted = ed.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' }) as string;
  await assert.rejects(importServerKey(em(), ctx.masterKey, encrypted), /encrypted/);
  await assert.rejects(importServerKey(em(), ctx.masterKey, 'hello'), /PKCS#8 PEM/);
  assert.equal(await em().count(ServerKeySchema, {}), stored, 'nothing refused was stored');
});

test('activation moves the active key to retiring in one step: always exactly one active key', async () => {
  const [before] = await activeKids();
  const next = await generateServerKey(em(), ctx.masterKey);
  const activated = await activateServerKey(em(), next.kid);
  assert.equal(activated.state, 'active');
  assert.deepEqual(await activeKids(), [next.kid]);
  assert.equal(await state(before!), 'retiring');
  assert.ok((await listServerKeys(em())).find((k) => k.kid === before)!.retiringAt);

  // A retiring key may come back (rollback of a rotation).
  await activateServerKey(em(), before!);
  assert.deepEqual(await activeKids(), [before]);
  assert.equal(await state(next.kid), 'retiring');

  await assert.rejects(retireServerKey(em(), before!), /is the active signing key: activate another key first/);
  assert.equal((await retireServerKey(em(), next.kid)).state, 'retired');
  await assert.rejects(activateServerKey(em(), next.kid), /retired and cannot be used again/);
  await assert.rejects(activateServerKey(em(), 'no-such-kid'), /no server key with kid no-such-kid/);
  assert.ok(!(await kids()).includes(next.kid), 'retired keys are not published');

  // The database refuses a second active key even when the functions above are bypassed.
  await assert.rejects(ctx.db.pool.query("update server_key set state = 'active' where kid = $1", [next.kid]), /server_key_single_active/);
});

test('retiring keys stay published for the overlap, then are retired', async () => {
  const [old] = await activeKids();
  const next = await generateServerKey(em(), ctx.masterKey);
  await activateServerKey(em(), next.kid);
  const later = (seconds: number) => new Date(Date.now() + seconds * 1000);

  assert.ok((await publishedKeys(em(), HOUR)).some((k) => k.kid === old));
  assert.ok((await publishedKeys(em(), HOUR, later(HOUR - 60))).some((k) => k.kid === old));
  assert.ok(!(await publishedKeys(em(), HOUR, later(HOUR + 60))).some((k) => k.kid === old));

  assert.deepEqual(await retireExpiredKeys(em(), HOUR), [], 'nothing is due yet');
  assert.ok((await retireExpiredKeys(em(), HOUR, later(HOUR + 60))).includes(old!));
  assert.equal(await state(old!), 'retired');
  assert.equal(await state(next.kid), 'active');
});
