import { timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import type { AppContext } from '../context.js';
import { scrapeDatabase } from '../observability/scrape.js';
import { jsonError } from './errors.js';

/**
 * GET /metrics in Prometheus text format, on the main port, when METRICS_ENABLED (the default).
 * With METRICS_TOKEN set, only to `Authorization: Bearer <METRICS_TOKEN>`; without it, anyone who
 * reaches the port may read it (labels hold no secrets nor personal data: endpoints, codes, sender ids).
 */
export function metricsRoutes(ctx: AppContext): Router {
  const router = Router();
  const { enabled, token, maxSenders } = ctx.config.metrics;
  if (!enabled) return router;
  // Scrapes arriving together share one database read.
  let refreshing: Promise<void> | undefined;
  const refresh = () => (refreshing ??= scrapeDatabase(ctx.metrics, ctx.db, maxSenders).finally(() => (refreshing = undefined)));
  router.get('/metrics', async (req, res) => {
    if (token && !bearerMatches(req.headers.authorization, token)) {
      res.set('WWW-Authenticate', 'Bearer realm="metrics"');
      jsonError(res, 401, 'unauthorized', 'The metrics need Authorization: Bearer <METRICS_TOKEN>');
      return;
    }
    await refresh();
    res.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });
  return router;
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer (\S+)$/i.exec(header ?? '')?.[1] ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
