import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { AppContext } from '../context.js';
import { isDatabaseUnavailable } from '../database.js';
import { issueAccessToken } from './access-tokens.js';
import { authenticateClient, ClientAuthenticationError } from './client-authentication.js';

type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'unsupported_grant_type' | 'invalid_scope' | 'temporarily_unavailable';

function oauthError(res: Response, status: number, error: OAuthErrorCode, description: string): void {
  if (status === 401) res.set('WWW-Authenticate', 'Basic realm="dci-server"');
  res.status(status).set('Cache-Control', 'no-store').json({ error, error_description: description });
}

/** RFC 6749 §4.4 client credentials grant: `POST /oauth2/client/token`. */
export function tokenRoutes(ctx: AppContext): Router {
  const router = Router();
  router.post('/oauth2/client/token', express.urlencoded({ extended: false, limit: '16kb' }), async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (!req.is('application/x-www-form-urlencoded')) return oauthError(res, 400, 'invalid_request', 'the body must be application/x-www-form-urlencoded');
    if (body.grant_type !== 'client_credentials') return oauthError(res, 400, 'unsupported_grant_type', 'only grant_type=client_credentials is supported');
    let client;
    try {
      client = await authenticateClient(ctx.db.orm.em.fork(), ctx.db.pool, req, tokenUrl(ctx));
    } catch (error) {
      if (error instanceof ClientAuthenticationError) return oauthError(res, 401, 'invalid_client', error.message);
      throw error;
    }
    const { sender } = client;
    if (!sender.active) return oauthError(res, 401, 'invalid_client', 'the sender of this client is not active');

    const requested = typeof body.scope === 'string' ? body.scope.split(' ').filter(Boolean) : sender.allowedOperations;
    const refused = requested.filter((s) => !sender.allowedOperations.includes(s));
    if (refused.length) return oauthError(res, 400, 'invalid_scope', `not allowed for this sender: ${refused.join(' ')}`);

    const accessToken = await issueAccessToken(ctx.keyring, tokenSettings(ctx), { senderId: sender.senderId, clientId: client.clientId, scopes: requested });
    res.set('Cache-Control', 'no-store').json({ access_token: accessToken, token_type: 'Bearer', expires_in: ctx.config.tokenTtlSeconds, scope: requested.join(' ') });
  });
  router.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (!isDatabaseUnavailable(error)) return next(error);
    res.set('Retry-After', '5');
    oauthError(res, 503, 'temporarily_unavailable', 'the database is unavailable; try again shortly');
  });
  return router;
}

export const tokenUrl = (ctx: AppContext) => `${ctx.config.publicUrl}/oauth2/client/token`;

export function tokenSettings(ctx: AppContext) {
  return { issuer: ctx.config.publicUrl, audience: ctx.config.publicUrl, ttlSeconds: ctx.config.tokenTtlSeconds };
}
