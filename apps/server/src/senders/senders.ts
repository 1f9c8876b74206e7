import { createPublicKey, randomUUID, type JsonWebKey, type KeyObject } from 'node:crypto';
import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import type pg from 'pg';
import { OAuthClientSchema, SenderKeySchema, SenderSchema, type Sender, type SenderKey } from '@dci-server/db';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { KeyError, publicJwkOf, signingAlgorithmOf } from '../keys/key-algorithms.js';
import { hashSecret, newClientSecret } from './client-secrets.js';

export const OPERATIONS = ['search', 'verify', 'subscribe', 'unsubscribe', 'txn_status', 'notify'] as const;
export type Operation = (typeof OPERATIONS)[number];
/** Least privilege: reading operations only; subscribe, unsubscribe and notify are granted explicitly. */
export const DEFAULT_OPERATIONS: Operation[] = ['search', 'verify', 'txn_status'];

export const SIGNATURE_SCHEMES = ['dci-signature', 'jws'] as const;
export type SignatureScheme = (typeof SIGNATURE_SCHEMES)[number];

/** A sender-registry request refused for a reason the operator can fix (unknown id, duplicate, bad input). */
export class SenderError extends Error {}

export interface NewSender {
  senderId: string;
  name: string;
  description?: string;
  contact?: string;
  allowedOperations: Operation[];
  senderUri?: string;
  preferredScheme?: SignatureScheme;
  /** Origins (scheme://host[:port]) callbacks may go to, besides the origin of senderUri. */
  allowedCallbackOrigins?: string[];
  allowLoopbackCallbacks?: boolean;
}

export async function createSender(em: EntityManager, input: NewSender): Promise<Sender> {
  if (!/^[A-Za-z0-9._:-]{1,128}$/.test(input.senderId)) throw new SenderError(`invalid sender id ${JSON.stringify(input.senderId)}: use letters, digits and . _ : - (at most 128)`);
  checkOperations(input.allowedOperations);
  checkScheme(input.preferredScheme);
  if (input.senderUri !== undefined) httpOrigin(input.senderUri);
  const allowedCallbackOrigins = input.allowedCallbackOrigins?.map(httpOrigin);
  try {
    return await em.transactional(async (tx) => {
      const sender = tx.create(SenderSchema, { ...input, ...(allowedCallbackOrigins ? { allowedCallbackOrigins } : {}) });
      await tx.flush();
      return sender;
    });
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) throw new SenderError(`sender ${input.senderId} exists already`);
    throw error;
  }
}

export type SenderChanges = Partial<Omit<NewSender, 'senderId'>> & { allowUnsigned?: boolean };

/** Changes a sender's identity and settings; only the given fields change. */
export async function updateSender(em: EntityManager, senderId: string, changes: SenderChanges): Promise<Sender> {
  const sender = await findSender(em, senderId);
  if (changes.allowedOperations) checkOperations(changes.allowedOperations);
  checkScheme(changes.preferredScheme);
  if (changes.senderUri) httpOrigin(changes.senderUri);
  const allowedCallbackOrigins = changes.allowedCallbackOrigins?.map(httpOrigin);
  const given = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
  em.assign(sender, { ...given, ...(allowedCallbackOrigins ? { allowedCallbackOrigins } : {}) });
  await em.flush();
  return sender;
}

function checkScheme(scheme: string | undefined): void {
  if (scheme !== undefined && !(SIGNATURE_SCHEMES as readonly string[]).includes(scheme)) throw new SenderError(`unknown signature scheme ${scheme}: use ${SIGNATURE_SCHEMES.join(' or ')}`);
}

function checkOperations(operations: string[]): void {
  const unknown = operations.filter((op) => !(OPERATIONS as readonly string[]).includes(op));
  if (unknown.length) throw new SenderError(`unknown operation ${unknown.join(', ')}: use ${OPERATIONS.join(', ')}`);
}

/** The origin of an absolute http(s) URL: callbacks are matched on origins. */
function httpOrigin(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SenderError(`not an absolute URL: ${value}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new SenderError(`not an http(s) URL: ${value}`);
  return url.origin;
}

export async function findSender(em: EntityManager, senderId: string): Promise<Sender> {
  const sender = await em.findOne(SenderSchema, { senderId });
  if (!sender) throw new SenderError(`no sender ${senderId}`);
  return sender;
}

export interface KeyValidity {
  notBefore?: Date;
  notAfter?: Date;
}

/**
 * Registers a sender public key: a JWK, or text holding an SPKI PEM or a JWK. Ed25519, EC P-256
 * and RSA ≥ 2048 bits are accepted; the fingerprint is the RFC 7638 thumbprint and is also the
 * key id when neither `keyId` nor the JWK's `kid` names one.
 */
export async function addSenderKey(em: EntityManager, sender: Sender, key: JWK | string, keyId?: string, validity: KeyValidity = {}): Promise<SenderKey> {
  const { publicKey, given } = readPublicKey(key);
  const algorithm = rsaAlgorithm(signingAlgorithmOf(publicKey), given?.alg);
  const jwk = publicJwkOf(publicKey) as JWK;
  const fingerprint = await calculateJwkThumbprint(jwk);
  const { notBefore, notAfter } = validity;
  if (notBefore && notAfter && notAfter <= notBefore) throw new SenderError('notAfter must be later than notBefore');
  const kid = keyId ?? given?.kid ?? fingerprint;
  const twin = await em.findOne(SenderKeySchema, { sender, fingerprint, revoked: false });
  if (twin) throw new SenderError(`this key is already registered for ${sender.senderId} as ${twin.keyId}`);
  try {
    return await em.transactional(async (tx) => {
      const senderKey = tx.create(SenderKeySchema, { sender, keyId: kid, algorithm, publicJwk: { ...jwk, kid, alg: algorithm }, fingerprint, notBefore, notAfter });
      await tx.flush();
      return senderKey;
    });
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) throw new SenderError(`sender ${sender.senderId} already has a key ${kid} (revoked keys keep their id)`);
    throw error;
  }
}

function readPublicKey(key: JWK | string): { publicKey: KeyObject; given?: JWK } {
  const text = typeof key === 'string' ? key.trim() : undefined;
  if (text !== undefined && !text.startsWith('{')) {
    if (text.includes('PRIVATE KEY')) throw new KeyError('this is a private key: register only the sender’s public key (openssl pkey -pubout)');
    try {
      return { publicKey: createPublicKey(text) };
    } catch (error) {
      throw new KeyError(`not a public key PEM (SPKI, -----BEGIN PUBLIC KEY-----): ${(error as Error).message}`);
    }
  }
  const given = text === undefined ? (key as JWK) : parseJwk(text);
  if (given.d !== undefined) throw new KeyError('the JWK contains a private part (d): register only the sender’s public key');
  try {
    return { publicKey: createPublicKey({ key: given as JsonWebKey, format: 'jwk' }), given };
  } catch (error) {
    throw new KeyError(`not a usable public JWK: ${(error as Error).message}`);
  }
}

function parseJwk(text: string): JWK {
  try {
    return JSON.parse(text) as JWK;
  } catch {
    throw new KeyError('the key starts with { but is not valid JSON');
  }
}

/** An RSA JWK may ask for PS256; every other key has a single algorithm. */
function rsaAlgorithm(algorithm: string, stated: string | undefined): string {
  return algorithm === 'RS256' && stated === 'PS256' ? 'PS256' : algorithm;
}

/** Stops accepting signatures made with the key; the row stays, so its id is not reused. */
export async function revokeSenderKey(em: EntityManager, senderId: string, keyId: string): Promise<SenderKey> {
  const key = await em.findOne(SenderKeySchema, { sender: { senderId }, keyId });
  if (!key) throw new SenderError(`sender ${senderId} has no key ${keyId}`);
  key.revoked = true;
  await em.flush();
  return key;
}

/** A disabled sender gets no tokens and its calls are refused, with its keys and clients kept. */
export async function setSenderActive(em: EntityManager, senderId: string, active: boolean): Promise<Sender> {
  const sender = await findSender(em, senderId);
  sender.active = active;
  await em.flush();
  return sender;
}

/** The sender's own requests-per-minute limit: a number (0 = none), or null to follow RATE_LIMIT_PER_MINUTE. */
export async function setSenderRateLimit(em: EntityManager, senderId: string, perMinute: number | null): Promise<Sender> {
  if (perMinute !== null && !(Number.isSafeInteger(perMinute) && perMinute >= 0)) throw new SenderError(`a rate limit is a whole number of requests per minute, not ${perMinute}`);
  const sender = await findSender(em, senderId);
  sender.rateLimitPerMinute = perMinute;
  await em.flush();
  return sender;
}

export interface SenderSummary {
  senderId: string;
  name: string;
  description: string | null;
  contact: string | null;
  active: boolean;
  allowUnsigned: boolean;
  /** How our notifications authenticate to the sender; never its secret. */
  notifyAuth: { type: string; tokenUrl?: string; clientId?: string; scope?: string } | null;
  allowedOperations: string[];
  preferredScheme: string;
  senderUri: string | null;
  allowedCallbackOrigins: string[];
  /** Its own requests-per-minute limit (0 = none); null follows RATE_LIMIT_PER_MINUTE. */
  rateLimitPerMinute: number | null;
  keys: { keyId: string; algorithm: string; fingerprint: string; revoked: boolean; notBefore: Date | null; notAfter: Date | null }[];
  clients: { clientId: string; active: boolean; lastUsedAt: Date | null }[];
}

/** Every sender with its keys and OAuth clients (never secrets), by sender id. */
export async function listSenders(em: EntityManager): Promise<SenderSummary[]> {
  const senders = await em.find(SenderSchema, {}, { orderBy: { senderId: 'asc' } });
  const keys = await em.find(SenderKeySchema, { sender: { $in: senders } }, { orderBy: { createdAt: 'asc' } });
  const clients = await em.find(OAuthClientSchema, { sender: { $in: senders } }, { orderBy: { createdAt: 'asc' } });
  return senders.map((s) => ({
    senderId: s.senderId,
    name: s.name,
    description: s.description ?? null,
    contact: s.contact ?? null,
    active: s.active,
    allowUnsigned: s.allowUnsigned,
    notifyAuth: s.notifyAuth ? (s.notifyAuth.type === 'bearer' ? { type: 'bearer' } : { type: 'oauth2', tokenUrl: s.notifyAuth.tokenUrl, clientId: s.notifyAuth.clientId, scope: s.notifyAuth.scope }) : null,
    allowedOperations: s.allowedOperations,
    preferredScheme: s.preferredScheme,
    senderUri: s.senderUri ?? null,
    allowedCallbackOrigins: s.allowedCallbackOrigins,
    rateLimitPerMinute: s.rateLimitPerMinute ?? null,
    keys: keys
      .filter((k) => k.sender.id === s.id)
      .map((k) => ({ keyId: k.keyId, algorithm: k.algorithm, fingerprint: k.fingerprint, revoked: k.revoked, notBefore: k.notBefore ?? null, notAfter: k.notAfter ?? null })),
    clients: clients.filter((c) => c.sender.id === s.id).map((c) => ({ clientId: c.clientId, active: c.active, lastUsedAt: c.lastUsedAt ?? null })),
  }));
}

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

/** New OAuth2 client credentials; the secret is returned once and stored only hashed. */
export async function createOAuthClient(em: EntityManager, sender: Sender): Promise<ClientCredentials> {
  const clientId = `${sender.senderId}-${randomUUID().slice(0, 8)}`;
  const clientSecret = newClientSecret();
  em.create(OAuthClientSchema, { clientId, sender, secretHash: await hashSecret(clientSecret) });
  await em.flush();
  return { clientId, clientSecret };
}

/** Records that a client obtained a token (staff see when each client was last used). */
export async function markClientUsed(pool: pg.Pool, clientId: string): Promise<void> {
  await pool.query('UPDATE oauth_client SET last_used_at = now() WHERE client_id = $1', [clientId]);
}

/** A disabled client gets no more tokens; tokens it already has stop working too. */
export async function disableOAuthClient(em: EntityManager, clientId: string): Promise<{ senderId: string }> {
  const client = await em.findOne(OAuthClientSchema, { clientId }, { populate: ['sender'] });
  if (!client) throw new SenderError(`no OAuth client ${clientId}`);
  client.active = false;
  await em.flush();
  return { senderId: client.sender.getEntity().senderId };
}

/** Replaces a client's secret: the new one is returned once, the old one stops working at once. */
export async function rotateOAuthClientSecret(em: EntityManager, clientId: string): Promise<ClientCredentials> {
  const client = await em.findOne(OAuthClientSchema, { clientId });
  if (!client) throw new SenderError(`no OAuth client ${clientId}`);
  const clientSecret = newClientSecret();
  client.secretHash = await hashSecret(clientSecret);
  await em.flush();
  return { clientId, clientSecret };
}
