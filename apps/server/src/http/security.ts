import cors from 'cors';
import type { RequestHandler } from 'express';
import helmet from 'helmet';
import type { Config } from '../config.js';
import { jsonError } from './errors.js';

/**
 * What our own pages (console at /admin, GraphQL IDE at GET /graphql, /docs) may load: scripts,
 * styles, fonts, images, workers and API calls from this server only; no plugins, no framing.
 * Styles may be inline: the console's UI library and the IDE's editor inject <style> elements at
 * run time. Scripts may not: every page loads its code from a file.
 */
export function contentSecurityPolicy(config: Pick<Config, 'publicUrl'>) {
  return {
    useDefaults: false,
    directives: {
      'default-src': ["'self'"],
      'script-src': ["'self'"],
      'style-src': ["'self'", "'unsafe-inline'"],
      'img-src': ["'self'", 'data:', 'blob:'],
      'font-src': ["'self'", 'data:'],
      'connect-src': ["'self'"],
      'worker-src': ["'self'", 'blob:'],
      'object-src': ["'none'"],
      'base-uri': ["'self'"],
      'form-action': ["'self'"],
      'frame-ancestors': ["'none'"],
      ...(config.publicUrl.startsWith('https:') ? { 'upgrade-insecure-requests': [] } : {}),
    },
  };
}

/**
 * Security headers on every answer (helmet): the CSP above, nosniff, no referrer, framing refused,
 * and HSTS only when we are served over https (PUBLIC_URL), since browsers ignore it over http.
 */
export function securityHeaders(config: Pick<Config, 'publicUrl'>): RequestHandler {
  return helmet({
    contentSecurityPolicy: contentSecurityPolicy(config),
    strictTransportSecurity: config.publicUrl.startsWith('https:') ? { maxAge: 31_536_000 } : false,
    referrerPolicy: { policy: 'no-referrer' },
  });
}

/**
 * Cross-origin browser calls only from CORS_ORIGINS (none by default). A preflight from any other
 * origin is refused (403) rather than answered, so no browser is ever told it may proceed. Cookies
 * never travel cross-origin (credentials off; the staff session cookie is SameSite=Strict anyway):
 * allowed origins call with bearer tokens.
 */
export function crossOrigin(config: Pick<Config, 'corsOrigins'>): RequestHandler[] {
  const allowed = new Set(config.corsOrigins);
  const refuseOtherPreflights: RequestHandler = (req, res, next) => {
    const origin = req.headers.origin;
    if (req.method === 'OPTIONS' && origin && req.headers['access-control-request-method'] && !allowed.has(origin)) {
      return jsonError(res, 403, 'cors_refused', 'Cross-origin calls from this origin are not allowed (CORS_ORIGINS)');
    }
    next();
  };
  if (!allowed.size) return [refuseOtherPreflights];
  return [
    refuseOtherPreflights,
    cors({
      origin: [...allowed],
      credentials: false,
      methods: ['GET', 'HEAD', 'POST'],
      allowedHeaders: ['Authorization', 'Content-Type', 'Content-Encoding'],
      exposedHeaders: ['Retry-After', 'WWW-Authenticate'],
      maxAge: 600,
    }),
  ];
}
