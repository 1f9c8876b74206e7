/**
 * The OpenAPI 3.1 description of everything this server serves, built in code from the router's
 * endpoint list, the spec's own schemas and the error catalogue, so that it cannot drift from
 * what runs. Served at GET /openapi.json and rendered at /docs.
 */
import { SESSION_COOKIE } from '../../staff/request-identity.js';
import { dciPaths } from './dci-paths.js';
import { servicePaths } from './service-paths.js';
import { specComponents } from './spec-schemas.js';

export type OpenApiDocument = Record<string, unknown> & { paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } };

const DESCRIPTION = `A data provider for the Digital Convergence Initiative (DCI / SPDCI v1.0.0) social-registry API.

Every DCI call is a \`POST\` of a signed envelope \`{signature, header, message}\` with \`Authorization: Bearer\` from
\`POST /oauth2/client/token\`. Sync endpoints answer in the response; async ones answer \`202\` with an ACK and
POST the signed answer to \`<header.sender_uri>/registry/on-…\` later. How to sign, the callback paths, the error
codes and the replay rules are in the [guide](/docs/guide).

The message schemas are the DCI spec's own (SPDCI social and CRVS registry APIs, Apache-2.0, Copyright 2023
Digital Convergence Initiative and 2024 OpenSPP), the ones every request and answer is validated against.`;

const TAGS = [
  { name: 'Search', description: 'Registry search: `idtype-value`, `expression` and `predicate` queries, sort and pagination' },
  { name: 'Verify', description: 'Our extension: per-claim true / false / "unknown", never the record' },
  { name: 'Transaction status', description: 'The status (and records, under the agreement in force now) of an earlier transaction of the same sender' },
  { name: 'Subscriptions', description: 'Subscribe to registry events; notifications go to `<sender_uri>/registry/notify`' },
  { name: 'Notify', description: 'A civil registry reports events (e.g. a death)' },
  { name: 'Authentication', description: 'OAuth2 client credentials' },
  { name: 'Keys', description: 'Our public keys' },
  { name: 'Management', description: 'Staff and integrators: GraphQL API and audit export' },
  { name: 'Operations', description: 'Health checks for load balancers and orchestrators' },
  { name: 'Documentation', description: 'This document and its pages' },
];

let built: Promise<OpenApiDocument> | undefined;

/** The document; `publicUrl` becomes its server. Built once (the examples are signed). */
export function openApiDocument(publicUrl: string): Promise<OpenApiDocument> {
  built ??= buildDocument();
  return built.then((doc) => ({ ...doc, servers: [{ url: publicUrl, description: 'This server' }] }));
}

async function buildDocument(): Promise<OpenApiDocument> {
  const components = specComponents();
  const paths = { ...(await dciPaths(components)), ...servicePaths() } as OpenApiDocument['paths'];
  return {
    openapi: '3.1.1',
    info: {
      title: 'DCI Server API',
      version: '1.0.0',
      description: DESCRIPTION,
      license: { name: 'Apache-2.0 (the DCI spec schemas)', identifier: 'Apache-2.0' },
    },
    tags: TAGS,
    security: [{ bearer: [] }],
    paths,
    components: {
      schemas: components.schemas,
      responses: components.responses,
      securitySchemes: {
        bearer: {
          type: 'oauth2',
          description: 'A JWT from the token endpoint, sent as `Authorization: Bearer <token>`. Its scopes are the DCI operations the sender may call.',
          flows: {
            clientCredentials: {
              tokenUrl: '/oauth2/client/token',
              scopes: { search: 'Search', verify: 'Verify claims', txn_status: 'Transaction status', subscribe: 'Subscribe', unsubscribe: 'Unsubscribe', notify: 'Report registry events' },
            },
          },
        },
        clientBasic: { type: 'http', scheme: 'basic', description: 'client_secret_basic at the token endpoint' },
        metricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN, when set, for GET /metrics' },
        staffSession: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'A console session (GraphQL `login` mutation)' },
        staffToken: { type: 'http', scheme: 'bearer', description: 'A staff API token (`dcis_…`), made in the console' },
      },
    },
  } as OpenApiDocument;
}
