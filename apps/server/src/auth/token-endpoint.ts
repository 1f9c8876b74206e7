import express, { Router, type Request, type Response } from 'express';
import { OAuthClientSchema } from '@dci-server/db';
import type { AppContext } from '../context.js';
import { verifySecret } from '../senders/client-secrets.js';
import { issueAccessToken } from './access-tokens.js';

type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'unsupported_grant_type' | 'invalid_scope';

function oauthError(res: Response, status: number, error: OAuthErrorCode, description: string): void {
  if (status === 401) res.set('WWW-Authenticate', 'Basic realm="dci-server"');
  res.status(status).set('Cache-Control', 'no-store').json({ error, error_description: description });
}

/** Client credentials from `Authorization: Basic` (client_secret_basic) or the form (client_secret_post). */
function clientCredentials(req: Request): { clientId: string; clientSecret: string } | undefined {
  const header = req.headers.authorization;
  if (header?.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return { clientId: decodeURIComponent(decoded.slice(0, colon)), clientSecret: decodeURIComponent(decoded.slice(colon + 1)) };
    return undefined;
  }
  const body = (req.body ?? {}) as Record<string, unknown>;
  if (typeof body.client_id === 'string' && typeof body.client_secret === 'string') return { clientId: body.client_id, clientSecret: body.client_secret };
  return undefined;
}

/** RFC 6749 §4.4 client credentials grant: `POST /oauth2/client/token`. */
export function tokenRoutes(ctx: AppContext): Router {
  const router = Router();
  router.post('/oauth2/client/token', express.urlencoded({ extended: false, limit: '16kb' }), async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (!req.is('application/x-www-form-urlencoded')) return oauthError(res, 400, 'invalid_request', 'the body must be application/x-www-form-urlencoded');
    if (body.grant_type !== 'client_credentials') return oauthError(res, 400, 'unsupported_grant_type', 'only grant_type=client_credentials is supported');
    const credentials = clientCredentials(req);
    if (!credentials) return oauthError(res, 401, 'invalid_client', 'client authentication is required (client_secret_basic or client_secret_post)');

    const em = ctx.db.orm.em.fork();
    const client = await em.findOne(OAuthClientSchema, { clientId: credentials.clientId }, { populate: ['sender'] });
    const sender = client?.sender.getEntity();
    if (!client || !client.active || !sender || !(await verifySecret(credentials.clientSecret, client.secretHash))) {
      return oauthError(res, 401, 'invalid_client', 'unknown client or wrong secret');
    }
    if (!sender.active) return oauthError(res, 401, 'invalid_client', 'the sender of this client is not active');

    const requested = typeof body.scope === 'string' ? body.scope.split(' ').filter(Boolean) : sender.allowedOperations;
    const refused = requested.filter((s) => !sender.allowedOperations.includes(s));
    if (refused.length) return oauthError(res, 400, 'invalid_scope', `not allowed for this sender: ${refused.join(' ')}`);

    const ttl = ctx.config.tokenTtlSeconds;
    const accessToken = await issueAccessToken(ctx.keyring, tokenSettings(ctx), { senderId: sender.senderId, clientId: client.clientId, scopes: requested });
    res.set('Cache-Control', 'no-store').json({ access_token: accessToken, token_type: 'Bearer', expires_in: ttl, scope: requested.join(' ') });
  });
  return router;
}

export function tokenSettings(ctx: AppContext) {
  return { issuer: ctx.config.publicUrl, audience: ctx.config.publicUrl, ttlSeconds: ctx.config.tokenTtlSeconds };
}
