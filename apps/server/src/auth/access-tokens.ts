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

/** Checks signature (our published keys), issuer, audience and expiry. */
export async function verifyAccessToken(keyring: Keyring, settings: TokenSettings, token: string): Promise<AccessTokenClaims> {
  try {
    const { payload } = await jwtVerify(token, keyring.verificationKeys(), { issuer: settings.issuer, audience: settings.audience, typ: 'at+jwt' });
    if (typeof payload.sub !== 'string' || typeof payload.client_id !== 'string') throw new Error('token lacks sub or client_id');
    return { senderId: payload.sub, clientId: payload.client_id, scopes: typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [] };
  } catch (error) {
    // Keys that could not be loaded say nothing about the token: the caller answers 503, not 401.
    if (isDatabaseUnavailable(error)) throw error;
    throw new DciError('err.auth.invalid_token', `The bearer token is invalid: ${(error as Error).message}`);
  }
}
