/**
 * Everything we serve besides the DCI endpoints: the token endpoint, our keys, health, the
 * GraphQL management API, the audit export and the documentation itself.
 */
import { z } from 'zod';
import { exportQuery } from '../../transactions/transaction-export.js';
import { serviceLinks } from '../app.js';
import { documentationJwks } from './dci-examples.js';

const json = (schema: object, example?: unknown) => ({ 'application/json': { schema, ...(example === undefined ? {} : { example }) } });

const OAUTH_ERROR = {
  type: 'object',
  required: ['error'],
  properties: {
    error: { enum: ['invalid_request', 'invalid_client', 'unsupported_grant_type', 'invalid_scope', 'server_error', 'temporarily_unavailable'] },
    error_description: { type: 'string' },
  },
};

const SMALL_ERROR = { type: 'object', required: ['error', 'message'], properties: { error: { type: 'string' }, message: { type: 'string' } } };

const tokenPath = {
  post: {
    operationId: 'issueToken',
    tags: ['Authentication'],
    summary: 'Get an access token (OAuth2 client credentials)',
    description:
      'RFC 6749 §4.4. The client authenticates with `client_secret_basic` (HTTP Basic), `client_secret_post` (`client_id` + `client_secret` in the form) or `private_key_jwt` (RFC 7523: `client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer` and a single-use `client_assertion` signed with a key registered for the sender). The token is a JWT signed with our key; its scopes are the operations the sender may call (ask for fewer with `scope`). Credentials in the URL query are refused.',
    security: [{}, { clientBasic: [] }],
    requestBody: {
      required: true,
      content: {
        'application/x-www-form-urlencoded': {
          schema: {
            type: 'object',
            required: ['grant_type'],
            properties: {
              grant_type: { const: 'client_credentials' },
              client_id: { type: 'string' },
              client_secret: { type: 'string' },
              client_assertion_type: { const: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' },
              client_assertion: { type: 'string', description: 'A JWT (iss = sub = client_id, aud = this endpoint, short exp, unique jti)' },
              scope: { type: 'string', description: 'Space-separated operations: search verify txn_status subscribe unsubscribe notify' },
            },
          },
          examples: {
            clientSecretPost: { summary: 'client_secret_post', value: { grant_type: 'client_credentials', client_id: 'demo-client-3f9a1c', client_secret: 's3cr3t-from-the-credentials-file' } },
          },
        },
      },
    },
    responses: {
      '200': {
        description: 'A bearer token',
        headers: { 'Cache-Control': { schema: { const: 'no-store' } } },
        content: json(
          {
            type: 'object',
            required: ['access_token', 'token_type', 'expires_in', 'scope'],
            properties: { access_token: { type: 'string' }, token_type: { const: 'Bearer' }, expires_in: { type: 'integer', description: 'Seconds' }, scope: { type: 'string' } },
          },
          { access_token: 'eyJhbGciOiJFZERTQSIsImtpZCI6InNlcnZlci1rZXktMjAyNi0xMSJ9.eyJzdWIiOiJkZW1vLWNsaWVudCJ9.c2lnbmF0dXJl', token_type: 'Bearer', expires_in: 900, scope: 'search verify txn_status subscribe unsubscribe' },
        ),
      },
      '400': { description: 'invalid_request, unsupported_grant_type or invalid_scope', content: json(OAUTH_ERROR, { error: 'unsupported_grant_type', error_description: 'only grant_type=client_credentials is supported' }) },
      '401': { description: 'invalid_client', content: json(OAUTH_ERROR, { error: 'invalid_client', error_description: 'unknown client or wrong secret' }) },
      '503': { description: 'temporarily_unavailable (the database is away)', content: json(OAUTH_ERROR) },
    },
  },
};

const JWK = {
  type: 'object',
  required: ['kty', 'kid'],
  properties: { kty: { type: 'string' }, kid: { type: 'string' }, alg: { type: 'string' }, use: { type: 'string' }, crv: { type: 'string' }, x: { type: 'string' }, y: { type: 'string' }, n: { type: 'string' }, e: { type: 'string' } },
};

const jwksPath = {
  get: {
    operationId: 'publishedKeys',
    tags: ['Keys'],
    summary: 'Our public signing keys (JWKS)',
    description: 'Verify the `signature` of our answers and callbacks with the key whose `kid` the signature names. A retired key stays published for `KEY_OVERLAP_SECONDS` after rotation; fetch again on an unknown `kid`.',
    security: [{}],
    responses: {
      '200': {
        description: 'The keys',
        content: json(
          { type: 'object', required: ['keys'], properties: { keys: { type: 'array', items: JWK } } },
          documentationJwks(),
        ),
      },
      '503': { description: 'The database is unavailable', content: json(SMALL_ERROR) },
    },
  },
};

const CHECK = (states: string[], extra: Record<string, unknown>) => ({ type: 'object', properties: { status: { enum: states }, ...extra } });
const READINESS = {
  type: 'object',
  required: ['status', 'database', 'migrations'],
  properties: {
    status: { enum: ['ready', 'degraded', 'unavailable', 'migrations pending'] },
    database: { enum: ['ok', 'down', 'unreachable'] },
    migrations: { enum: ['applied', 'pending', 'unknown'] },
    worker: CHECK(['ok', 'stale', 'none', 'unknown'], { last_seen_seconds_ago: { type: ['number', 'null'] } }),
    job_backlog: CHECK(['ok', 'behind', 'unknown'], { ready_jobs: { type: ['integer', 'null'] }, oldest_ready_seconds: { type: ['number', 'null'] } }),
    error: { type: 'string' },
  },
};

const healthPaths = {
  '/healthz': {
    get: {
      operationId: 'liveness',
      tags: ['Operations'],
      summary: 'Liveness: the process is up',
      security: [{}],
      responses: { '200': { description: 'Up', content: json({ type: 'object', properties: { status: { const: 'ok' }, uptime_s: { type: 'integer' } } }, { status: 'ok', uptime_s: 3600 }) } },
    },
  },
  '/readyz': {
    get: {
      operationId: 'readiness',
      tags: ['Operations'],
      summary: 'Readiness: database, migrations, background worker and job backlog, each reported',
      description: '503 only when requests cannot be served (database down or unreachable, migrations pending). A stale or missing worker, or a job backlog, is `degraded` with 200: the API still answers, callbacks and notifications are late.',
      security: [{}],
      responses: {
        '200': {
          description: 'Ready or degraded',
          content: json(READINESS, { status: 'ready', database: 'ok', migrations: 'applied', worker: { status: 'ok', last_seen_seconds_ago: 4 }, job_backlog: { status: 'ok', ready_jobs: 0, oldest_ready_seconds: null } }),
        },
        '503': {
          description: 'Not ready (database down or unreachable, migrations pending)',
          content: json(READINESS, { status: 'unavailable', database: 'unreachable', migrations: 'unknown', worker: { status: 'unknown', last_seen_seconds_ago: null }, job_backlog: { status: 'unknown', ready_jobs: null, oldest_ready_seconds: null }, error: 'connect ECONNREFUSED' }),
        },
      },
    },
  },
  '/metrics': {
    get: {
      operationId: 'metrics',
      tags: ['Operations'],
      summary: 'Prometheus metrics (text exposition format)',
      description: 'Served when `METRICS_ENABLED` (the default). With `METRICS_TOKEN` set, only to `Authorization: Bearer <METRICS_TOKEN>`. Labels hold endpoints, operations, statuses, error codes and sender ids, never request text.',
      security: [{}, { metricsToken: [] }],
      responses: {
        '200': { description: 'The metrics', content: { 'text/plain': { schema: { type: 'string' }, example: 'dci_requests_total{endpoint="/registry/sync/search",operation="search",status="200",sender="demo-client"} 5\n' } } },
        '401': { description: 'METRICS_TOKEN is set and the request does not carry it', content: json({ type: 'object', properties: { error: { type: 'string' }, message: { type: 'string' } } }, { error: 'unauthorized', message: 'The metrics need Authorization: Bearer <METRICS_TOKEN>' }) },
      },
    },
  },
};

const GRAPHQL_REQUEST = { type: 'object', required: ['query'], properties: { query: { type: 'string' }, variables: { type: 'object' }, operationName: { type: 'string' } } };
const GRAPHQL_RESPONSE = { type: 'object', properties: { data: { type: ['object', 'null'] }, errors: { type: 'array', items: { type: 'object' } } } };
const GRAPHQL_DESCRIPTION =
  'The management API for staff and integrators (senders, keys, agreements, subscriptions, the audit log), never for senders\' DCI calls. Its schema is at `/docs/schema.graphql` (and can be introspected); a browser opening `GET /graphql` gets the GraphQL IDE. Sign in with the `login` mutation (session cookie) or send a staff API token as `Authorization: Bearer`. Queries are limited in depth and cost.';

const graphqlPath = {
  get: {
    operationId: 'graphqlGet',
    tags: ['Management'],
    summary: 'GraphQL IDE (browser) or a GraphQL query in the URL',
    description: GRAPHQL_DESCRIPTION,
    externalDocs: { description: 'The GraphQL schema (SDL)', url: '/docs/schema.graphql' },
    security: [{ staffSession: [] }, { staffToken: [] }],
    parameters: [{ name: 'query', in: 'query', required: false, schema: { type: 'string' } }],
    responses: { '200': { description: 'The IDE page (text/html) or a GraphQL response', content: { 'text/html': { schema: { type: 'string' } }, ...json(GRAPHQL_RESPONSE, { data: { me: { email: 'auditor@example.org' } } }) } } },
  },
  post: {
    operationId: 'graphql',
    tags: ['Management'],
    summary: 'GraphQL management API',
    description: GRAPHQL_DESCRIPTION,
    security: [{ staffSession: [] }, { staffToken: [] }],
    requestBody: { required: true, content: json(GRAPHQL_REQUEST, { query: '{ senders(first: 10) { nodes { senderId active } } }' }) },
    responses: { '200': { description: 'A GraphQL response (errors are in `errors`)', content: json(GRAPHQL_RESPONSE, { data: { senders: { nodes: [{ senderId: 'demo-client', active: true }] } } }) } },
  },
};

/** The export's query parameters, from the zod schema the route parses them with. */
function exportParameters() {
  const schema = z.toJSONSchema(exportQuery, { io: 'input', unrepresentable: 'any' }) as { properties: Record<string, object> };
  return Object.entries(schema.properties).map(([name, property]) => ({ name, in: 'query', required: false, schema: property }));
}

const exportPath = () => ({
  get: {
    operationId: 'exportTransactions',
    tags: ['Management'],
    summary: 'Download the audit log (CSV or NDJSON)',
    description: 'The filtered audit log of DCI calls, streamed as a download, for any staff role (session cookie or staff API token). Filters are those of the console\'s transaction list; the export holds metadata only, never request or response bodies.',
    security: [{ staffSession: [] }, { staffToken: [] }],
    parameters: exportParameters(),
    responses: {
      '200': {
        description: 'The export',
        headers: { 'Content-Disposition': { schema: { type: 'string' }, example: 'attachment; filename="transactions-2026-11-25T10-00-00.csv"' } },
        content: {
          'text/csv': { schema: { type: 'string' }, example: 'id,createdAt,senderId,operation,endpoint,httpStatus,dciStatus,reasonCode,durationMs,transactionId,messageId,correlationId,clientAddress,asyncStatus,completedCount,totalCount,callbackStatus\n' },
          'application/x-ndjson': { schema: { type: 'string' } },
        },
      },
      '400': { description: 'A filter is invalid', content: json(SMALL_ERROR, { error: 'invalid_request', message: 'format: Invalid option: expected one of "csv"|"ndjson"' }) },
      '401': { description: 'Not signed in', content: json(SMALL_ERROR, { error: 'unauthenticated', message: 'sign in, or send an API token as Authorization: Bearer' }) },
    },
  },
});

const page = (operationId: string, summary: string) => ({ get: { operationId, tags: ['Documentation'], summary, security: [{}], responses: { '200': { description: 'An HTML page', content: { 'text/html': { schema: { type: 'string' } } } } } } });

const docsPaths = () => ({
  '/': {
    get: {
      operationId: 'serviceLinks',
      tags: ['Documentation'],
      summary: 'Where everything is',
      security: [{}],
      responses: {
        '200': {
          description: 'Links',
          content: json({ type: 'object', properties: { name: { type: 'string' }, links: { type: 'object', additionalProperties: { type: 'string', format: 'uri' } } } }, { name: 'DCI Server', links: serviceLinks('https://dci.example.org') }),
        },
      },
    },
  },
  '/openapi.json': {
    get: { operationId: 'openapi', tags: ['Documentation'], summary: 'This document', security: [{}], responses: { '200': { description: 'OpenAPI 3.1', content: json({ type: 'object', required: ['openapi', 'info', 'paths'] }, { openapi: '3.1.1', info: { title: 'DCI Server API', version: '1.0.0' }, paths: { '/registry/sync/search': {} } }) } } },
  },
  '/docs': page('apiReference', 'The API reference, rendered from /openapi.json'),
  '/docs/guide': page('integrationGuide', 'The integration guide: signing, callbacks, error codes, replay rules'),
  '/docs/schema.graphql': {
    get: { operationId: 'graphqlSchema', tags: ['Documentation'], summary: 'The GraphQL management API schema (SDL)', security: [{}], responses: { '200': { description: 'SDL', content: { 'text/plain': { schema: { type: 'string' } } } } } },
  },
});

export function servicePaths(): Record<string, unknown> {
  return { '/oauth2/client/token': tokenPath, '/.well-known/jwks.json': jwksPath, ...healthPaths, '/graphql': graphqlPath, '/admin-api/transactions/export': exportPath(), ...docsPaths() };
}
