import { createPrivateKey, createPublicKey, generateKeyPair, randomUUID, type JsonWebKey, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { LockMode, UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import { ServerKeySchema, type ServerKey, type ServerKeyState } from '@dci-server/db';
import { importJWK, type CryptoKey, type JWK } from 'jose';
import { KeyError, keysMatch, publicJwkOf, signingAlgorithmOf, type SigningAlgorithm } from './key-algorithms.js';
import type { MasterKey } from './master-key.js';

/** How long a replaced key stays published when the caller does not say (KEY_OVERLAP_SECONDS). */
export const DEFAULT_KEY_OVERLAP_SECONDS = 86_400;

export interface SigningKey {
  kid: string;
  algorithm: string;
  privateKey: CryptoKey;
  /** The same private key for node:crypto based signing (DCI signatures). */
  keyObject: KeyObject;
  publicJwk: JWK;
}

/** A server key as callers outside this module see it: never the private part. */
export interface ServerKeyInfo {
  kid: string;
  algorithm: string;
  state: ServerKeyState;
  publicJwk: JWK;
  createdAt: Date;
  activatedAt: Date | null;
  retiringAt: Date | null;
  retiredAt: Date | null;
}

function info(key: ServerKey): ServerKeyInfo {
  return {
    kid: key.kid,
    algorithm: key.algorithm,
    state: key.state,
    publicJwk: key.publicJwk as JWK,
    createdAt: key.createdAt,
    activatedAt: key.activatedAt ?? null,
    retiringAt: key.retiringAt ?? null,
    retiredAt: key.retiredAt ?? null,
  };
}

/** Makes sure one active signing key exists (Ed25519 on first start). */
export async function ensureActiveServerKey(em: EntityManager, master: MasterKey): Promise<ServerKeyInfo> {
  const active = await em.findOne(ServerKeySchema, { state: 'active' });
  if (active) return info(active);
  try {
    const privateKey = await generatedKey('EdDSA');
    return await em.transactional((tx) => saveServerKey(tx, master, privateKey, 'active'));
  } catch (error) {
    // Another process (server and worker start together) created it first.
    if (error instanceof UniqueConstraintViolationException) return info(await em.findOneOrFail(ServerKeySchema, { state: 'active' }));
    throw error;
  }
}

/** A new key pair (RSA: 3072 bits), stored `pending`: published, not yet signing. */
export async function generateServerKey(em: EntityManager, master: MasterKey, algorithm: SigningAlgorithm = 'EdDSA'): Promise<ServerKeyInfo> {
  return saveServerKey(em, master, await generatedKey(algorithm), 'pending');
}

const generate = promisify(generateKeyPair);

async function generatedKey(algorithm: SigningAlgorithm): Promise<KeyObject> {
  switch (algorithm) {
    case 'EdDSA':
      return (await generate('ed25519')).privateKey;
    case 'ES256':
      return (await generate('ec', { namedCurve: 'P-256' })).privateKey;
    case 'RS256':
      return (await generate('rsa', { modulusLength: 3072 })).privateKey;
  }
}

/**
 * Imports a private key given as PKCS#8 PEM or as a private JWK, stored `pending`.
 * Refuses unsupported types, curves and RSA below 2048 bits, and a JWK whose public members
 * do not belong to its private part.
 */
export async function importServerKey(em: EntityManager, master: MasterKey, text: string): Promise<ServerKeyInfo> {
  const { privateKey, statedPublic, kid, alg } = readPrivateKey(text);
  const algorithm = signingAlgorithmOf(privateKey);
  if (alg && alg !== algorithm) throw new KeyError(`the key says alg ${alg}, but this server signs with ${algorithm} for such keys`);
  if (statedPublic) {
    const derived = publicJwkOf(privateKey);
    const differs = (['kty', 'crv', 'x', 'y', 'n', 'e'] as const).some((m) => statedPublic[m] !== derived[m]);
    if (differs || !keysMatch(privateKey, createPublicKey({ key: statedPublic, format: 'jwk' }))) {
      throw new KeyError('the public and private parts of the JWK do not belong to the same key');
    }
  } else if (!keysMatch(privateKey, createPublicKey(privateKey))) {
    throw new KeyError('the private key is inconsistent (a signature made with it does not verify)');
  }
  if (kid && (await em.count(ServerKeySchema, { kid }))) throw new KeyError(`a server key with kid ${kid} exists already`);
  return saveServerKey(em, master, privateKey, 'pending', kid);
}

function readPrivateKey(text: string): { privateKey: KeyObject; statedPublic?: JsonWebKey; kid?: string; alg?: string } {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let jwk: JsonWebKey;
    try {
      jwk = JSON.parse(trimmed) as JsonWebKey;
    } catch {
      throw new KeyError('the file starts with { but is not valid JSON');
    }
    if (typeof jwk.d !== 'string') throw new KeyError('the JWK has no private part (d): a server key must be a private key');
    const { kty, crv, x, y, n, e } = jwk;
    try {
      return {
        privateKey: createPrivateKey({ key: jwk, format: 'jwk' }),
        statedPublic: { kty, crv, x, y, n, e },
        kid: typeof jwk.kid === 'string' ? jwk.kid : undefined,
        alg: typeof jwk.alg === 'string' ? jwk.alg : undefined,
      };
    } catch (error) {
      throw new KeyError(`not a usable private JWK: ${(error as Error).message}`);
    }
  }
  if (!trimmed.includes('-----BEGIN')) throw new KeyError('expected a PKCS#8 PEM (-----BEGIN PRIVATE KEY-----) or a private JWK');
  if (trimmed.includes('ENCRYPTED PRIVATE KEY')) throw new KeyError('the PEM is encrypted: decrypt it first (openssl pkey -in key.pem -out plain.pem)');
  try {
    return { privateKey: createPrivateKey(trimmed) };
  } catch (error) {
    throw new KeyError(`not a private key PEM: ${(error as Error).message}`);
  }
}

async function saveServerKey(em: EntityManager, master: MasterKey, privateKey: KeyObject, state: 'pending' | 'active', kid = `srv-${randomUUID()}`): Promise<ServerKeyInfo> {
  const algorithm = signingAlgorithmOf(privateKey);
  const key = em.create(ServerKeySchema, {
    kid,
    algorithm,
    state,
    publicJwk: { ...publicJwkOf(privateKey), kid, alg: algorithm, use: 'sig' },
    privateKeyEncrypted: master.encrypt(JSON.stringify({ ...privateKey.export({ format: 'jwk' }), kid, alg: algorithm })),
    activatedAt: state === 'active' ? new Date() : null,
  });
  await em.flush();
  return info(key);
}

/**
 * Makes `kid` (pending or retiring) the signing key; the key active until now becomes retiring
 * and stays published for the overlap. One transaction, so there is never zero or two active keys.
 * Pass the process's keyring so that the next signature uses the new key at once.
 */
export async function activateServerKey(em: EntityManager, kid: string, keyring?: { invalidate(): void }): Promise<ServerKeyInfo> {
  const activated = await em.transactional(activation(kid)).catch((error: unknown) => {
    // The single-active index stopped a concurrent activation of another key.
    if (error instanceof UniqueConstraintViolationException) throw new KeyError('another key was activated at the same time; check with keys list and retry');
    throw error;
  });
  keyring?.invalidate();
  return activated;
}

/** The body of activateServerKey's transaction. */
function activation(kid: string) {
  return async (tx: EntityManager): Promise<ServerKeyInfo> => {
    const key = await lockedKey(tx, kid);
    if (key.state === 'active') return info(key);
    if (key.state === 'retired') throw new KeyError(`${kid} is retired and cannot be used again: generate or import a new key`);
    const current = await tx.findOne(ServerKeySchema, { state: 'active' }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (current) {
      current.state = 'retiring';
      current.retiringAt = new Date();
      // Flushed first: the single-active index is checked row by row.
      await tx.flush();
    }
    key.state = 'active';
    key.activatedAt = new Date();
    key.retiringAt = null;
    await tx.flush();
    return info(key);
  };
}

/** Takes a pending or retiring key out of use and out of the JWKS; the active key must be replaced first. */
export async function retireServerKey(em: EntityManager, kid: string): Promise<ServerKeyInfo> {
  return em.transactional(async (tx) => {
    const key = await lockedKey(tx, kid);
    if (key.state === 'active') throw new KeyError(`${kid} is the active signing key: activate another key first, then retire this one`);
    if (key.state !== 'retired') {
      key.state = 'retired';
      key.retiredAt = new Date();
      await tx.flush();
    }
    return info(key);
  });
}

async function lockedKey(em: EntityManager, kid: string): Promise<ServerKey> {
  const key = await em.findOne(ServerKeySchema, { kid }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!key) throw new KeyError(`no server key with kid ${kid}`);
  return key;
}

/** Retires the retiring keys whose overlap has passed; returns their kids. */
export async function retireExpiredKeys(em: EntityManager, overlapSeconds: number, now = new Date()): Promise<string[]> {
  const cutoff = new Date(now.getTime() - overlapSeconds * 1000);
  const expired = await em.find(ServerKeySchema, { state: 'retiring', $or: [{ retiringAt: null }, { retiringAt: { $lt: cutoff } }] });
  for (const key of expired) {
    key.state = 'retired';
    key.retiredAt = now;
  }
  await em.flush();
  return expired.map((k) => k.kid);
}

/** Every server key, oldest first, without private parts. */
export async function listServerKeys(em: EntityManager): Promise<ServerKeyInfo[]> {
  return (await em.find(ServerKeySchema, {}, { orderBy: { createdAt: 'asc' } })).map(info);
}

/** The active key with its private part decrypted, for signing responses and tokens. */
export async function loadActiveSigningKey(em: EntityManager, master: MasterKey): Promise<SigningKey> {
  const key = await em.findOneOrFail(ServerKeySchema, { state: 'active' }, { populate: ['privateKeyEncrypted'] });
  const privateJwk = JSON.parse(master.decrypt(key.privateKeyEncrypted)) as JWK;
  return {
    kid: key.kid,
    algorithm: key.algorithm,
    privateKey: (await importJWK(privateJwk, key.algorithm)) as CryptoKey,
    keyObject: createPrivateKey({ key: privateJwk as JsonWebKey, format: 'jwk' }),
    publicJwk: key.publicJwk as JWK,
  };
}

const PUBLISH_ORDER: Record<ServerKeyState, number> = { active: 0, pending: 1, retiring: 2, retired: 3 };

/**
 * Public keys for /.well-known/jwks.json, active key first: also the pending keys, so that
 * verifiers (and our own cached keyring) know a key before it signs anything, and the retiring
 * keys until `overlapSeconds` after they were replaced, so that what they signed still verifies.
 */
export async function publishedKeys(em: EntityManager, overlapSeconds = DEFAULT_KEY_OVERLAP_SECONDS, now = new Date()): Promise<JWK[]> {
  const cutoff = new Date(now.getTime() - overlapSeconds * 1000);
  const keys = await em.find(ServerKeySchema, { $or: [{ state: { $in: ['active', 'pending'] } }, { state: 'retiring', retiringAt: { $gte: cutoff } }] }, { orderBy: { createdAt: 'desc' } });
  return keys.sort((a, b) => PUBLISH_ORDER[a.state] - PUBLISH_ORDER[b.state]).map((k) => k.publicJwk as JWK);
}
