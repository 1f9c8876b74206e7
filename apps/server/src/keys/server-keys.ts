import { createPrivateKey, randomUUID, type KeyObject } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ServerKeySchema, type ServerKey } from '@dci-server/db';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { MasterKey } from './master-key.js';

export interface SigningKey {
  kid: string;
  algorithm: string;
  privateKey: CryptoKey;
  /** The same private key for node:crypto based signing (DCI signatures). */
  keyObject: KeyObject;
  publicJwk: JWK;
}

/** Makes sure one active signing key exists (Ed25519 on first start). */
export async function ensureActiveServerKey(em: EntityManager, master: MasterKey): Promise<ServerKey> {
  const active = await em.findOne(ServerKeySchema, { state: 'active' });
  if (active) return active;
  return generateServerKey(em, master, 'EdDSA', 'active');
}

export async function generateServerKey(em: EntityManager, master: MasterKey, algorithm: 'EdDSA' | 'ES256' | 'RS256', state: ServerKey['state']): Promise<ServerKey> {
  const { publicKey, privateKey } = await generateKeyPair(algorithm, { extractable: true, ...(algorithm === 'RS256' ? { modulusLength: 3072 } : {}) });
  const kid = `srv-${randomUUID()}`;
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: algorithm, use: 'sig' };
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: algorithm };
  const key = em.create(ServerKeySchema, {
    kid,
    algorithm,
    state,
    publicJwk,
    privateKeyEncrypted: master.encrypt(JSON.stringify(privateJwk)),
    activatedAt: state === 'active' ? new Date() : null,
  });
  await em.flush();
  return key;
}

/** The active key with its private part decrypted, for signing responses and tokens. */
export async function loadActiveSigningKey(em: EntityManager, master: MasterKey): Promise<SigningKey> {
  const key = await em.findOneOrFail(ServerKeySchema, { state: 'active' }, { populate: ['privateKeyEncrypted'] });
  const privateJwk = JSON.parse(master.decrypt(key.privateKeyEncrypted)) as JWK;
  return {
    kid: key.kid,
    algorithm: key.algorithm,
    privateKey: (await importJWK(privateJwk, key.algorithm)) as CryptoKey,
    keyObject: createPrivateKey({ key: privateJwk as import('node:crypto').JsonWebKey, format: 'jwk' }),
    publicJwk: key.publicJwk as JWK,
  };
}

/** Public keys published at /.well-known/jwks.json: the active key and those still retiring. */
export async function publishedKeys(em: EntityManager): Promise<JWK[]> {
  const keys = await em.find(ServerKeySchema, { state: { $in: ['active', 'retiring'] } }, { orderBy: { createdAt: 'desc' } });
  return keys.map((k) => k.publicJwk as JWK);
}
