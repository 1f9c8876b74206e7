import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express } from 'express';
import { pinoHttp } from 'pino-http';
import type { AppContext } from '../context.js';
import { tokenRoutes } from '../auth/token-endpoint.js';
import { dciRoutes } from '../dci/routes.js';
import { graphqlRoutes } from '../graphql/server.js';
import { publishedKeys } from '../keys/server-keys.js';
import { docsRoutes } from './docs.js';
import { healthRoutes } from './health.js';

const ADMIN_DIST = path.resolve(fileURLToPath(import.meta.url), '../../../../admin/dist');

export function createApp(ctx: AppContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(pinoHttp({ logger: ctx.logger, autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' } }));
  app.use(healthRoutes(ctx));
  app.use(tokenRoutes(ctx));
  app.use(dciRoutes(ctx));
  app.use(graphqlRoutes(ctx, path.join(ADMIN_DIST, 'graphiql.html')));
  app.use(docsRoutes());

  app.get('/.well-known/jwks.json', async (_req, res) => {
    res.json({ keys: await publishedKeys(ctx.db.orm.em.fork(), ctx.config.keyOverlapSeconds) });
  });

  app.get('/', (_req, res) => {
    res.json({ name: 'DCI Server', links: serviceLinks(ctx.config.publicUrl) });
  });

  if (fs.existsSync(path.join(ADMIN_DIST, 'index.html'))) {
    app.use('/admin', express.static(ADMIN_DIST, { index: 'index.html' }));
    app.get('/admin/{*rest}', (_req, res) => res.sendFile(path.join(ADMIN_DIST, 'index.html')));
  } else {
    app.get('/admin', (_req, res) => res.status(503).type('text').send('The console is not built: run npm run build -w @dci-server/admin'));
  }
  return app;
}

export function serviceLinks(publicUrl: string) {
  return {
    dci_api: `${publicUrl}/registry`,
    token: `${publicUrl}/oauth2/client/token`,
    jwks: `${publicUrl}/.well-known/jwks.json`,
    console: `${publicUrl}/admin/`,
    docs: `${publicUrl}/docs`,
    graphql: `${publicUrl}/graphql`,
    health: `${publicUrl}/healthz`,
    ready: `${publicUrl}/readyz`,
  };
}
