import { Router } from 'express';
import type { AppContext } from '../context.js';
import { checkReadiness } from '../observability/readiness.js';

/**
 * /healthz: the process is up. /readyz: the database, migrations, background worker and job
 * backlog, each reported; 503 when requests cannot be served (see checkReadiness), e.g. while the
 * embedded PostgreSQL died and is being restarted.
 */
export function healthRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', uptime_s: Math.round(process.uptime()) });
  });
  router.get('/readyz', async (_req, res) => {
    const { httpStatus, body } = await checkReadiness(ctx.db);
    res.status(httpStatus).json(body);
  });
  return router;
}
