import { migrationsApplied } from '@dci-server/db';
import { Router } from 'express';
import type { AppContext } from '../context.js';

/**
 * /healthz: the process is up. /readyz: the database answers and every migration is applied;
 * otherwise 503 with what is wrong (e.g. the embedded PostgreSQL died and is being restarted).
 */
export function healthRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', uptime_s: Math.round(process.uptime()) });
  });
  router.get('/readyz', async (_req, res) => {
    const embedded = ctx.db.embedded?.health();
    if (embedded?.state === 'down') {
      res.status(503).json({ status: 'unavailable', database: 'down', error: embedded.reason });
      return;
    }
    try {
      await ctx.db.pool.query('SELECT 1');
      const migrated = await migrationsApplied(ctx.db.orm);
      res.status(migrated ? 200 : 503).json({ status: migrated ? 'ready' : 'migrations pending', database: 'ok', migrations: migrated ? 'applied' : 'pending' });
    } catch (error) {
      res.status(503).json({ status: 'unavailable', database: 'unreachable', error: (error as Error).message });
    }
  });
  return router;
}
