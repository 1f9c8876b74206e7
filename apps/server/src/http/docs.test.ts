import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DCI_CODES, verifyEnvelope } from '@dci-server/dci';
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import type { OpenApiDocument } from './openapi/document.js';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server?.close());

const get = (path: string) => fetch(`${server.baseUrl}${path}`);

test('the guide lists every code of the error catalogue and every callback path', async () => {
  const res = await get('/docs/guide');
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.deepEqual(DCI_CODES.filter((code) => !html.includes(`<code>${code}</code>`)), []);
  for (const callback of ['on-search', 'on-verify', 'txn/on-status', 'on-subscribe', 'on-unsubscribe', 'notify']) assert.ok(html.includes(`&lt;sender_uri&gt;/registry/${callback}`), callback);
});

test('/docs loads only scripts of this server, and the GraphQL schema the description points to is served', async () => {
  const html = await (await get('/docs')).text();
  const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
  assert.ok(scripts.length > 0);
  for (const attributes of scripts) assert.match(attributes ?? '', /^ src="\/docs\/assets\//, 'no inline script, no other origin');
  const bundle = await get('/docs/assets/scalar/standalone.js');
  assert.equal(bundle.status, 200);
  assert.match(bundle.headers.get('content-type') ?? '', /javascript/);
  const sdl = await get('/docs/schema.graphql');
  assert.equal(sdl.status, 200);
  assert.match(await sdl.text(), /type Query/);
});

test('our answer examples verify against the JWKS example, as a receiver would check them', async () => {
  const doc = (await (await get('/openapi.json')).json()) as OpenApiDocument;
  type Content = Record<string, { example?: unknown; examples?: Record<string, { value: { signature: string; header: unknown; message: unknown } }> }>;
  const jwks = (doc.paths['/.well-known/jwks.json']!.get as { responses: Record<string, { content: Content }> }).responses['200']!.content['application/json']!.example as { keys: (JsonWebKey & { kid: string })[] };
  const key = createPublicKey({ key: jwks.keys[0]!, format: 'jwk' });
  const answer = (doc.paths['/registry/sync/search']!.post as { responses: Record<string, { content: Content }> }).responses['200']!.content['application/json']!.examples!.answer!.value;
  const result = await verifyEnvelope(answer, (kid) => (kid === jwks.keys[0]!.kid ? key : undefined), { now: new Date('2026-11-25T10:00:30Z') });
  assert.equal(result.ok, true);
  const tampered = await verifyEnvelope({ ...answer, message: { ...(answer.message as object), transaction_id: 'other' } }, () => key, { now: new Date('2026-11-25T10:00:30Z') });
  assert.equal(tampered.ok, false);
});
