import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { OAuthClientSchema, SenderKeySchema, SenderSchema, type Sender, type SenderKey } from '@dci-server/db';
import { calculateJwkThumbprint, exportJWK, importSPKI, type JWK } from 'jose';
import { hashSecret, newClientSecret } from './client-secrets.js';

export const OPERATIONS = ['search', 'verify', 'subscribe', 'unsubscribe', 'txn_status', 'notify'] as const;
export type Operation = (typeof OPERATIONS)[number];

export interface NewSender {
  senderId: string;
  name: string;
  description?: string;
  contact?: string;
  allowedOperations: Operation[];
  senderUri?: string;
  allowLoopbackCallbacks?: boolean;
}

export async function createSender(em: EntityManager, input: NewSender): Promise<Sender> {
  const sender = em.create(SenderSchema, { ...input });
  await em.flush();
  return sender;
}

/** Registers a sender public key given as a JWK or an SPKI PEM; the fingerprint is the RFC 7638 thumbprint. */
export async function addSenderKey(em: EntityManager, sender: Sender, key: JWK | string, keyId?: string): Promise<SenderKey> {
  const jwk = typeof key === 'string' ? await exportJWK(await importSPKI(key, algorithmOfPem(key), { extractable: true })) : stripPrivate(key);
  const fingerprint = await calculateJwkThumbprint(jwk);
  const senderKey = em.create(SenderKeySchema, {
    sender,
    keyId: keyId ?? jwk.kid ?? fingerprint,
    algorithm: algorithmOf(jwk),
    publicJwk: { ...jwk },
    fingerprint,
  });
  await em.flush();
  return senderKey;
}

/** New OAuth2 client credentials; the secret is returned once and stored only hashed. */
export async function createOAuthClient(em: EntityManager, sender: Sender): Promise<{ clientId: string; clientSecret: string }> {
  const clientId = `${sender.senderId}-${randomUUID().slice(0, 8)}`;
  const clientSecret = newClientSecret();
  em.create(OAuthClientSchema, { clientId, sender, secretHash: await hashSecret(clientSecret) });
  await em.flush();
  return { clientId, clientSecret };
}

function stripPrivate(jwk: JWK): JWK {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = jwk;
  return pub;
}

function algorithmOf(jwk: JWK): string {
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  if (jwk.kty === 'RSA') return jwk.alg ?? 'RS256';
  throw new Error(`unsupported key type ${jwk.kty}/${jwk.crv ?? ''}: use Ed25519, EC P-256 or RSA ≥ 2048`);
}

function algorithmOfPem(pem: string): string {
  // importSPKI needs an algorithm; the key's own type decides it.
  const body = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  if (body.length < 60) return 'EdDSA';
  return body.includes(Buffer.from('2a8648ce3d0201', 'hex')) ? 'ES256' : 'RS256';
}
