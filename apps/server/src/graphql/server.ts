import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import fs from 'node:fs';
import express, { type RequestHandler } from 'express';
import type { GraphQLError, ValidationContext } from 'graphql';
import type { AppContext } from '../context.js';
import { graphqlContext, type GraphqlContext } from './context.js';
import { refuseInvalidText } from './invalid-text-plugin.js';
import { knownRootOperationRule } from './root-operation-rule.js';
import { managementSchema } from './schema.js';

/**
 * Over a limit, the query is refused as a validation error (400), not thrown (500). Introspection
 * counts too: it is the easiest way to build a deep query.
 */
const LIMIT_OPTIONS = {
  ignoreIntrospection: false,
  propagateOnRejection: false,
  onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(error)],
};

/**
 * The management API at /graphql: staff and integrators, never senders. Apollo's CSRF prevention
 * refuses "simple" requests a browser could send cross-site; the session cookie is SameSite=Strict.
 * Depth and cost are limited before anything runs; faults never carry a stack trace. A browser
 * opening /graphql gets the GraphQL IDE page built with the console (`idePage`).
 */
export function graphqlRoutes(app: AppContext, idePage: string): RequestHandler {
  const server = new ApolloServer<GraphqlContext>({
    schema: managementSchema(),
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    validationRules: [knownRootOperationRule, maxDepthRule({ n: app.config.graphql.maxDepth, ...LIMIT_OPTIONS }), costLimitRule({ maxCost: app.config.graphql.maxCost, ...LIMIT_OPTIONS })],
    plugins: [ApolloServerPluginLandingPageDisabled(), refuseInvalidText],
    formatError: (formatted, error) => {
      if (!formatted.extensions?.code || formatted.extensions.code === 'INTERNAL_SERVER_ERROR') {
        app.logger.error({ err: error }, 'GraphQL request failed');
        return { message: 'internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
      }
      return formatted;
    },
  });
  // Express apps are assembled synchronously; a start failure is logged and fails every request.
  server.startInBackgroundHandlingStartupErrorsByLoggingAndFailingAllRequests();
  const router = express.Router();
  // A browser opening /graphql gets the IDE (built with the console); API clients go on to Apollo.
  router.get('/graphql', (req, res, next) => (req.accepts(['application/json', 'text/html']) === 'text/html' && fs.existsSync(idePage) ? res.sendFile(idePage) : next()));
  router.use('/graphql', express.json({ limit: '256kb' }), expressMiddleware(server, { context: ({ req, res }) => graphqlContext(app, req, res) }));
  return router;
}
