import type { Request, RequestHandler } from 'express';
import type { Metrics } from '../observability/metrics.js';

/** Paths served without a route pattern (static files, mounted apps): counted under their prefix. */
const PREFIXES = ['/admin-api', '/admin', '/graphql', '/docs', '/.well-known'];

/** Counts every answer by method, route pattern and status (never the raw path: unbounded). */
export function countRequests(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    res.once('finish', () => metrics.observeHttp(req.method, routeLabel(req), res.statusCode));
    next();
  };
}

function routeLabel(req: Request): string | undefined {
  const pattern = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof pattern === 'string') return pattern;
  return PREFIXES.find((prefix) => req.originalUrl === prefix || req.originalUrl.startsWith(`${prefix}/`) || req.originalUrl.startsWith(`${prefix}?`));
}
