import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../testing/test-server.js';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

test('GET /healthz answers JSON while the process is up', async () => {
  const res = await fetch(`${server.baseUrl}/healthz`);
  assert.equal(res.status, 200);
  assert.equal(((await res.json()) as { status: string }).status, 'ok');
});

test('GET /readyz reports the database reachable and migrations applied', async () => {
  const res = await fetch(`${server.baseUrl}/readyz`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { status: 'ready', database: 'ok', migrations: 'applied' });
});

test('GET /.well-known/jwks.json publishes the active server key without private parts', async () => {
  const body = (await (await fetch(`${server.baseUrl}/.well-known/jwks.json`)).json()) as { keys: Record<string, string>[] };
  assert.equal(body.keys.length, 1);
  const [key] = body.keys;
  assert.equal(key?.kty, 'OKP');
  assert.equal(key?.crv, 'Ed25519');
  assert.equal(key?.d, undefined);
});
