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

test('GET /readyz without a worker: degraded but 200, every check reported', async () => {
  const res = await fetch(`${server.baseUrl}/readyz`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), {
    status: 'degraded',
    database: 'ok',
    migrations: 'applied',
    worker: { status: 'none', last_seen_seconds_ago: null },
    job_backlog: { status: 'ok', ready_jobs: 0, oldest_ready_seconds: 0 },
  });
});

test('GET /.well-known/jwks.json publishes the active server key without private parts', async () => {
  const body = (await (await fetch(`${server.baseUrl}/.well-known/jwks.json`)).json()) as { keys: Record<string, string>[] };
  assert.equal(body.keys.length, 1);
  const [key] = body.keys;
  assert.equal(key?.kty, 'OKP');
  assert.equal(key?.crv, 'Ed25519');
  assert.equal(key?.d, undefined);
});
