import type { EntityManager } from '@mikro-orm/postgresql';
import { OAuthClientSchema, SenderSchema, type Sender } from '@dci-server/db';
import type { Request } from 'express';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import type pg from 'pg';
import { verifySecret } from '../senders/client-secrets.js';
import { senderPublicKey } from '../senders/sender-auth.js';
import { claimMessageId } from '../transactions/audit.js';

export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export interface AuthenticatedClient {
  clientId: string;
  sender: Sender;
}

export class ClientAuthenticationError extends Error {}

/**
 * Who is asking for a token: client_secret_basic, client_secret_post, or private_key_jwt
 * (RFC 7523: a short JWT signed with one of the sender's registered keys; `iss` = `sub` = the
 * client id or the sender id, `aud` = the token endpoint, single use by `jti`).
 */
export async function authenticateClient(em: EntityManager, pool: pg.Pool, req: Request, tokenUrl: string): Promise<AuthenticatedClient> {
  const body = (req.body ?? {}) as Record<string, unknown>;
  if (body.client_assertion_type !== undefined || body.client_assertion !== undefined) return privateKeyJwt(em, pool, body, tokenUrl);
  const credentials = secretCredentials(req, body);
  if (!credentials) throw new ClientAuthenticationError('client authentication is required (client_secret_basic, client_secret_post or private_key_jwt)');
  const client = await em.findOne(OAuthClientSchema, { clientId: credentials.clientId }, { populate: ['sender'] });
  if (!client || !client.active || !(await verifySecret(credentials.clientSecret, client.secretHash))) throw new ClientAuthenticationError('unknown client or wrong secret');
  return { clientId: client.clientId, sender: client.sender.getEntity() };
}

function secretCredentials(req: Request, body: Record<string, unknown>): { clientId: string; clientSecret: string } | undefined {
  const header = req.headers.authorization;
  if (header?.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) return undefined;
    return { clientId: formDecode(decoded.slice(0, colon)), clientSecret: formDecode(decoded.slice(colon + 1)) };
  }
  if (typeof body.client_id === 'string' && typeof body.client_secret === 'string') return { clientId: body.client_id, clientSecret: body.client_secret };
  return undefined;
}

/** RFC 6749 §2.3.1: Basic credentials are percent-encoded before base64; bad encoding fails authentication. */
function formDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new ClientAuthenticationError('the Basic credentials are not valid form-urlencoded text');
  }
}

async function privateKeyJwt(em: EntityManager, pool: pg.Pool, body: Record<string, unknown>, tokenUrl: string): Promise<AuthenticatedClient> {
  if (body.client_assertion_type !== JWT_BEARER_ASSERTION || typeof body.client_assertion !== 'string') {
    throw new ClientAuthenticationError(`client_assertion_type must be ${JWT_BEARER_ASSERTION} with a client_assertion`);
  }
  const assertion = body.client_assertion;
  let claimedId: string;
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(assertion).kid;
    claimedId = JSON.parse(Buffer.from(assertion.split('.')[1] ?? '', 'base64url').toString('utf8')).iss;
  } catch {
    throw new ClientAuthenticationError('client_assertion is not a JWT');
  }
  if (typeof claimedId !== 'string' || !kid) throw new ClientAuthenticationError('client_assertion needs iss and a kid header');
  const client = await em.findOne(OAuthClientSchema, { clientId: claimedId }, { populate: ['sender'] });
  if (client && !client.active) throw new ClientAuthenticationError('the client is disabled');
  const sender = client?.sender.getEntity() ?? (await em.findOne(SenderSchema, { senderId: claimedId }));
  if (!sender) throw new ClientAuthenticationError('unknown client');
  const key = await senderPublicKey(pool, sender, kid);
  if (!key) throw new ClientAuthenticationError(`no valid key ${kid} registered for ${sender.senderId}`);
  try {
    const { payload } = await jwtVerify(assertion, key, { issuer: claimedId, subject: claimedId, audience: tokenUrl, maxTokenAge: '5m', requiredClaims: ['exp', 'jti'] });
    if (!(await claimMessageId(pool, `client-assertion:${claimedId}`, String(payload.jti)))) throw new ClientAuthenticationError('client_assertion was already used (jti)');
  } catch (error) {
    if (error instanceof ClientAuthenticationError) throw error;
    throw new ClientAuthenticationError(`client_assertion is invalid: ${(error as Error).message}`);
  }
  return { clientId: claimedId, sender };
}
