import { DciError } from '@dci-server/dci';
import { jwtVerify, SignJWT } from 'jose';
import { isDatabaseUnavailable } from '../database.js';
import type { Keyring } from '../keys/keyring.js';

export interface AccessTokenClaims {
  senderId: string;
  clientId: string;
  scopes: string[];
}

export interface TokenSettings {
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

/** A short-lived JWT signed with the server's active key; scopes are the sender's allowed operations. */
export async function issueAccessToken(keyring: Keyring, settings: TokenSettings, claims: AccessTokenClaims): Promise<string> {
  const key = await keyring.signingKey();
  return new SignJWT({ scope: claims.scopes.join(' '), client_id: claims.clientId })
    .setProtectedHeader({ alg: key.algorithm, kid: key.kid, typ: 'at+jwt' })
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setSubject(claims.senderId)
    .setIssuedAt()
    .setExpirationTime(`${settings.ttlSeconds}s`)
    .setJti(crypto.randomUUID())
    .sign(key.privateKey);
}

interface VerifiedToken {
  claims: AccessTokenClaims;
  expiresAtMs: number;
  issuer: string;
  audience: string;
  keysGeneration: number;
}

/** Tokens already verified, per keyring: a sender sends the same token with every request until it expires. */
const verified = new WeakMap<Keyring, Map<string, VerifiedToken>>();
const MAX_VERIFIED = 10_000;

/**
 * Checks signature (our published keys), issuer, audience and expiry. A token verified before
 * is not verified again while it has not expired and our keys have not changed (a signature
 * check is the costliest step of a request); its expiry is checked every time.
 */
export async function verifyAccessToken(keyring: Keyring, settings: TokenSettings, token: string): Promise<AccessTokenClaims> {
  let known = verified.get(keyring);
  if (!known) verified.set(keyring, (known = new Map()));
  const hit = known.get(token);
  if (hit && hit.expiresAtMs > Date.now() && hit.keysGeneration === keyring.generation && hit.issuer === settings.issuer && hit.audience === settings.audience) return hit.claims;
  const keysGeneration = keyring.generation;
  const { claims, expiresAtMs } = await verifyWithKeys(keyring, settings, token);
  if (known.size >= MAX_VERIFIED) known.delete(known.keys().next().value!);
  known.set(token, { claims, expiresAtMs, issuer: settings.issuer, audience: settings.audience, keysGeneration });
  return claims;
}

async function verifyWithKeys(keyring: Keyring, settings: TokenSettings, token: string): Promise<{ claims: AccessTokenClaims; expiresAtMs: number }> {
  try {
    const { payload } = await jwtVerify(token, keyring.verificationKeys(), { issuer: settings.issuer, audience: settings.audience, typ: 'at+jwt' });
    if (typeof payload.sub !== 'string' || typeof payload.client_id !== 'string') throw new Error('token lacks sub or client_id');
    if (typeof payload.exp !== 'number') throw new Error('token lacks exp');
    const claims = { senderId: payload.sub, clientId: payload.client_id, scopes: typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [] };
    return { claims, expiresAtMs: payload.exp * 1000 };
  } catch (error) {
    // Keys that could not be loaded say nothing about the token: the caller answers 503, not 401.
    if (isDatabaseUnavailable(error)) throw error;
    throw new DciError('err.auth.invalid_token', `The bearer token is invalid: ${(error as Error).message}`);
  }
}
