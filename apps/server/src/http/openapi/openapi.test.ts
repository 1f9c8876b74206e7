import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DCI_CODES } from '@dci-server/dci';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formatsPlugin from 'ajv-formats';
import type { Express } from 'express';
import type { AppContext } from '../../context.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';
import { createApp } from '../app.js';
import type { OpenApiDocument } from './document.js';

let server: TestServer;
let doc: OpenApiDocument;
before(async () => {
  server = await startTestServer();
  const res = await fetch(`${server.baseUrl}/openapi.json`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  doc = (await res.json()) as OpenApiDocument;
});
after(() => server?.close());

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Not API: the console (a single-page app) and the scripts and styles of the documentation pages. */
const NOT_API = [/^\/admin(\/|$)/, /^\/docs\/assets\//];

interface Served {
  path: string;
  /** Methods of a route; undefined for middleware mounted on the path (static files, Apollo). */
  methods?: string[];
}

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  rawPath?: string;
  handle: { stack?: Layer[] };
}

/** Every route and path-mounted middleware in Express's own route table. */
function servedRoutes(app: Express): Served[] {
  const walk = (stack: Layer[], prefix: string): Served[] =>
    stack.flatMap((layer) => {
      if (layer.route) return [{ path: prefix + layer.route.path, methods: Object.keys(layer.route.methods).filter((m) => m !== '_all') }];
      const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
      if (layer.handle.stack) return walk(layer.handle.stack, prefix + mount);
      return mount ? [{ path: prefix + mount }] : [];
    });
  return walk((app.router as unknown as { stack: Layer[] }).stack, '');
}

test('/openapi.json is a valid OpenAPI 3.1 document, served with this server as its server', async () => {
  const validator = new Validator();
  const result = await validator.validate(structuredClone(doc));
  assert.deepEqual(result.errors ?? [], []);
  assert.equal(result.valid, true);
  assert.equal(validator.version, '3.1');
  assert.deepEqual(doc.servers, [{ url: server.baseUrl, description: 'This server' }]);
  const operationIds = Object.values(doc.paths).flatMap((item) => Object.values(item).map((operation) => (operation as { operationId: string }).operationId));
  assert.equal(new Set(operationIds).size, operationIds.length, 'operationIds are unique');
});

test('every route the app serves is in the document, and every documented path is served', () => {
  const served = servedRoutes(createApp(server.ctx as AppContext)).filter((r) => !NOT_API.some((pattern) => pattern.test(r.path)));
  assert.ok(served.length > 20, `the route table was read (${served.length} routes)`);
  const documented = Object.entries(doc.paths).map(([path, item]) => ({ path, methods: Object.keys(item).filter((m) => METHODS.includes(m)) }));

  for (const route of served) {
    const entry = documented.find((d) => d.path === route.path);
    assert.ok(entry, `${route.path} is served but not documented`);
    for (const method of route.methods ?? []) assert.ok(entry.methods.includes(method), `${method.toUpperCase()} ${route.path} is served but not documented`);
  }
  for (const entry of documented) {
    const routes = served.filter((r) => r.path === entry.path);
    assert.ok(routes.length > 0, `${entry.path} is documented but not served`);
    const mounted = routes.some((r) => !r.methods);
    for (const method of entry.methods) assert.ok(mounted || routes.some((r) => r.methods?.includes(method)), `${method.toUpperCase()} ${entry.path} is documented but not served`);
  }
});

const DOC_ID = 'https://dci-server.local/openapi.json';
const absolute = (node: unknown): unknown => {
  if (Array.isArray(node)) return node.map(absolute);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' && v.startsWith('#') ? DOC_ID + v : absolute(v)]));
};

interface Media {
  schema?: object;
  example?: unknown;
  examples?: Record<string, { value: unknown }>;
}

/** Every media type with a schema, in operations and their callbacks, with where it is. */
function mediaTypes(): { where: string; media: Media }[] {
  const found: { where: string; media: Media }[] = [];
  const visitOperation = (where: string, operation: Record<string, unknown>) => {
    const body = operation.requestBody as { content?: Record<string, Media> } | undefined;
    for (const [type, media] of Object.entries(body?.content ?? {})) found.push({ where: `${where} request ${type}`, media });
    for (const [status, response] of Object.entries((operation.responses ?? {}) as Record<string, { content?: Record<string, Media> }>)) {
      for (const [type, media] of Object.entries(response.content ?? {})) found.push({ where: `${where} ${status} ${type}`, media });
    }
    for (const callback of Object.values((operation.callbacks ?? {}) as Record<string, Record<string, Record<string, Record<string, unknown>>>>)) {
      for (const [expression, item] of Object.entries(callback)) for (const [method, op] of Object.entries(item)) visitOperation(`${where} → callback ${method.toUpperCase()} ${expression}`, op);
    }
  };
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(item)) if (METHODS.includes(method)) visitOperation(`${method.toUpperCase()} ${path}`, operation as Record<string, unknown>);
  }
  return found;
}

test('every operation has request and response examples, and each validates against its own schema', () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  formatsPlugin.default(ajv);
  for (const format of ['int32', 'int64', 'binary']) ajv.addFormat(format, true);
  ajv.addSchema({ components: absolute(doc.components) }, DOC_ID);

  let checked = 0;
  for (const { where, media } of mediaTypes()) {
    if (!media.schema) continue;
    const examples = [...(media.example === undefined ? [] : [media.example]), ...Object.values(media.examples ?? {}).map((e) => e.value)];
    const validate = ajv.compile(absolute(media.schema) as object);
    for (const example of examples) {
      assert.ok(validate(example), `${where}: the example does not follow its schema: ${ajv.errorsText(validate.errors)}`);
      checked++;
    }
  }
  assert.ok(checked > 60, `examples were checked (${checked})`);

  // The check can fail: an envelope with another action is not a search request.
  const search = doc.paths['/registry/sync/search']!.post as { requestBody: { content: Record<string, Media> } };
  const media = search.requestBody.content['application/json']!;
  const example = structuredClone(media.examples!['dci-signature']!.value) as { header: { action: string } };
  example.header.action = 'verify';
  assert.equal(ajv.compile(absolute(media.schema) as object)(example), false);

  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(item) as [string, { requestBody?: { content: Record<string, Media> }; responses: Record<string, { content?: Record<string, Media> }> }][]) {
      if (!METHODS.includes(method)) continue;
      const hasExample = (content: Record<string, Media> = {}) => Object.values(content).some((m) => m.example !== undefined || Object.keys(m.examples ?? {}).length > 0);
      if (operation.requestBody) assert.ok(hasExample(operation.requestBody.content), `${method} ${path}: no request example`);
      const success = Object.entries(operation.responses).filter(([status]) => status.startsWith('2'));
      const documentsJson = success.some(([, r]) => r.content?.['application/json']);
      if (documentsJson) assert.ok(success.some(([, r]) => hasExample(r.content)), `${method} ${path}: no response example`);
    }
  }
});

test('DCI examples are whole signed envelopes, in both signature schemes', () => {
  const search = doc.paths['/registry/sync/search']!.post as { requestBody: { content: { 'application/json': { examples: Record<string, { value: { signature: string; header: { action: string } } }> } } } };
  const examples = search.requestBody.content['application/json'].examples;
  assert.match(examples['dci-signature']!.value.signature, /^namespace="dci", kidId="demo-client\|demo-client-key-1\|ed25519"/);
  assert.match(examples.jws!.value.signature, /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
  assert.equal(examples.jws!.value.header.action, 'search');
});

test('each DCI operation lists every error code of the catalogue it can be refused with', () => {
  const operation = doc.paths['/registry/sync/search']!.post as { responses: Record<string, { description: string }> };
  const descriptions = Object.values(operation.responses).map((r) => r.description).join(' ');
  const missing = DCI_CODES.filter((code) => code !== 'err.internal' && code !== 'err.request.aborted' && !descriptions.includes(`\`${code}\``));
  assert.deepEqual(missing, []);
  const errorBody = doc.components.schemas.DciErrorBody as { allOf: { properties?: { errors?: { items: { properties: { code: { enum: string[] } } } } } }[] };
  assert.deepEqual(errorBody.allOf[2]!.properties!.errors!.items.properties.code.enum, DCI_CODES);
});
