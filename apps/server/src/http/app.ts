import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express } from 'express';
import { pinoHttp } from 'pino-http';
import type { AppContext } from '../context.js';
import { isDatabaseUnavailable } from '../database.js';
import { tokenRoutes } from '../auth/token-endpoint.js';
import { dciRoutes } from '../dci/routes.js';
import { graphqlRoutes } from '../graphql/server.js';
import { publishedKeys } from '../keys/server-keys.js';
import { redactedRequest, requestLogFields } from '../logger.js';
import { docsRoutes } from './docs.js';
import { finalErrorHandler, jsonError, notFound } from './errors.js';
import { healthRoutes } from './health.js';
import { countRequests } from './count-requests.js';
import { metricsRoutes } from './metrics-route.js';
import { crossOrigin, securityHeaders } from './security.js';
import { transactionExportRoutes } from './transaction-export-route.js';

const ADMIN_DIST = path.resolve(fileURLToPath(import.meta.url), '../../../../admin/dist');

export function createApp(ctx: AppContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', ctx.config.trustProxy);
  app.use(
    pinoHttp({
      logger: ctx.logger,
      serializers: { req: redactedRequest },
      // A DCI request's line names its correlation and transaction ids (set by the pipeline as it learns them).
      customProps: (_req, res) => requestLogFields(res),
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' || req.url === '/metrics' },
    }),
  );
  app.use(securityHeaders(ctx.config));
  app.use(crossOrigin(ctx.config));
  app.use(countRequests(ctx.metrics));
  app.use(healthRoutes(ctx));
  app.use(metricsRoutes(ctx));
  app.use(tokenRoutes(ctx));
  app.use(dciRoutes(ctx));
  app.use(graphqlRoutes(ctx, path.join(ADMIN_DIST, 'graphiql.html')));
  app.use(docsRoutes(ctx.config));
  app.use(transactionExportRoutes(ctx));

  app.get('/.well-known/jwks.json', async (_req, res) => {
    try {
      res.json({ keys: await publishedKeys(ctx.db.orm.em.fork(), ctx.config.keyOverlapSeconds) });
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      res.set('Retry-After', '5');
      jsonError(res, 503, 'unavailable', 'The keys cannot be read while the database is unavailable; try again later');
    }
  });

  app.get('/', (_req, res) => {
    res.json({ name: 'DCI Server', links: serviceLinks(ctx.config.publicUrl) });
  });

  if (fs.existsSync(path.join(ADMIN_DIST, 'index.html'))) {
    app.use('/admin', express.static(ADMIN_DIST, { index: 'index.html' }));
    app.get('/admin/{*rest}', (_req, res) => res.sendFile(path.join(ADMIN_DIST, 'index.html')));
  } else {
    app.get('/admin', (_req, res) => jsonError(res, 503, 'unavailable', 'The console is not built: run npm run build -w @dci-server/admin'));
  }
  app.use(notFound(app));
  app.use(finalErrorHandler(ctx.logger));
  return app;
}

export function serviceLinks(publicUrl: string) {
  return {
    dci_api: `${publicUrl}/registry`,
    token: `${publicUrl}/oauth2/client/token`,
    jwks: `${publicUrl}/.well-known/jwks.json`,
    console: `${publicUrl}/admin/`,
    docs: `${publicUrl}/docs`,
    openapi: `${publicUrl}/openapi.json`,
    graphql: `${publicUrl}/graphql`,
    health: `${publicUrl}/healthz`,
    ready: `${publicUrl}/readyz`,
  };
}
