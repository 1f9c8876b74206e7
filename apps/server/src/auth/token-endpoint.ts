import express, { Router, type ErrorRequestHandler, type Response } from 'express';
import type { AppContext } from '../context.js';
import { isDatabaseUnavailable } from '../database.js';
import { issueAccessToken } from './access-tokens.js';
import { markClientUsed } from '../senders/senders.js';
import { authenticateClient, ClientAuthenticationError } from './client-authentication.js';

type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'unsupported_grant_type' | 'invalid_scope' | 'server_error' | 'temporarily_unavailable';

/** Parameters that carry client credentials: RFC 6749 §2.3.1 forbids them in the URL (it ends up in logs). */
const CREDENTIAL_PARAMS = ['client_secret', 'client_assertion'];

function oauthError(res: Response, status: number, error: OAuthErrorCode, description: string): void {
  if (status === 401) res.set('WWW-Authenticate', 'Basic realm="dci-server"');
  res.status(status).set('Cache-Control', 'no-store').json({ error, error_description: description });
}

/** RFC 6749 §4.4 client credentials grant: `POST /oauth2/client/token`; every error an RFC 6749 JSON body. */
export function tokenRoutes(ctx: AppContext): Router {
  const router = Router();
  router
    .route('/oauth2/client/token')
    .post(express.urlencoded({ extended: false, limit: '16kb' }), async (req, res) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (!req.is('application/x-www-form-urlencoded')) return oauthError(res, 400, 'invalid_request', 'the body must be application/x-www-form-urlencoded');
      if (CREDENTIAL_PARAMS.some((name) => new URLSearchParams(req.url.split('?')[1] ?? '').has(name))) {
        return oauthError(res, 400, 'invalid_request', 'client credentials must not be sent in the URL query string (RFC 6749 §2.3.1): send them in the body or the Authorization header');
      }
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
      await markClientUsed(ctx.db.pool, client.clientId);
      res.set('Cache-Control', 'no-store').json({ access_token: accessToken, token_type: 'Bearer', expires_in: ctx.config.tokenTtlSeconds, scope: requested.join(' ') });
    })
    .all((req, res) => {
      res.set('Allow', 'POST');
      oauthError(res, 405, 'invalid_request', `${req.method} is not allowed here; the token endpoint only accepts POST`);
    });
  router.use('/oauth2/client/token', tokenErrors(ctx));
  return router;
}

/** Body too large, bad charset or compression, or the database away: RFC 6749 JSON, never an HTML page. */
function tokenErrors(ctx: AppContext): ErrorRequestHandler {
  return (error: unknown, _req, res, _next) => {
    const { status, type } = error as { status?: number; type?: string };
    if (status !== undefined && status >= 400 && status < 500) {
      const description =
        type === 'entity.too.large' ? 'the request body is larger than 16kb'
        : type === 'charset.unsupported' ? 'the body must be UTF-8'
        : type === 'encoding.unsupported' ? 'unsupported Content-Encoding'
        : 'the request body could not be read';
      return oauthError(res, status, 'invalid_request', description);
    }
    if (isDatabaseUnavailable(error)) {
      res.set('Retry-After', '5');
      return oauthError(res, 503, 'temporarily_unavailable', 'the database is unavailable; try again later');
    }
    ctx.logger.error({ err: error }, 'token request failed');
    oauthError(res, 500, 'server_error', 'internal error');
  };
}

export const tokenUrl = (ctx: AppContext) => `${ctx.config.publicUrl}/oauth2/client/token`;

export function tokenSettings(ctx: AppContext) {
  return { issuer: ctx.config.publicUrl, audience: ctx.config.publicUrl, ttlSeconds: ctx.config.tokenTtlSeconds };
}
