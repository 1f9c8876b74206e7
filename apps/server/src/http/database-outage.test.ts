import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createTestDatabase, ensureDatabase, startEmbeddedPostgres, withDatabase, type EmbeddedPostgres } from '@dci-server/db';
import pg from 'pg';
import { createTestSender, DciTestClient } from '../testing/dci-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

// A PostgreSQL given by DATABASE_URL that drops our connections or restarts: the pools reconnect by
// themselves, and meanwhile /readyz, the token endpoint and the JWKS answer JSON 503.
let tmp: string;
let cluster: EmbeddedPostgres | undefined;
const servers: TestServer[] = [];

before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'dci-outage-'));
  await fs.chmod(tmp, 0o755); // the postgres system user (when we run as root) must enter it
});
after(async () => {
  for (const server of servers) await server.close().catch(() => {});
  await cluster?.stop();
  await fs.rm(tmp, { recursive: true, force: true });
});

async function serve(databaseUrl: string): Promise<{ server: TestServer; client: DciTestClient }> {
  const server = await startTestServer({}, { databaseUrl: () => databaseUrl });
  servers.push(server);
  return { server, client: new DciTestClient(server.baseUrl, await createTestSender(server.ctx)) };
}

async function tokenReply(server: TestServer, client: DciTestClient): Promise<Response> {
  return fetch(`${server.baseUrl}/oauth2/client/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${client.sender.clientId}:${client.sender.clientSecret}`).toString('base64')}` },
    body: 'grant_type=client_credentials',
  });
}

async function assertServing(server: TestServer, client: DciTestClient): Promise<void> {
  assert.equal((await fetch(`${server.baseUrl}/readyz`)).status, 200);
  assert.equal((await fetch(`${server.baseUrl}/.well-known/jwks.json`)).status, 200);
  assert.equal((await tokenReply(server, client)).status, 200);
}

/** Polls `check` every 100 ms for at most 60 s. */
async function eventually(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`not within 60 s: ${what}`);
}

test('connections terminated by the server (pg_terminate_backend): the pools reconnect on their own', async () => {
  const url = await createTestDatabase();
  const { server, client } = await serve(url);
  await assertServing(server, client);
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const { rows } = await admin.query('SELECT count(*)::int AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()) t');
  await admin.end();
  assert.ok(rows[0].n > 0, 'our pools had connections to terminate');
  await eventually('/readyz is 200', async () => (await fetch(`${server.baseUrl}/readyz`)).status === 200);
  await assertServing(server, client);
});

test('a DATABASE_URL PostgreSQL that stops: JSON 503 from /readyz, token and JWKS; all works again once it is back', async () => {
  cluster = await startEmbeddedPostgres({ dataDir: path.join(tmp, 'postgres') });
  const port = cluster.port;
  await ensureDatabase(cluster.url, 'dci');
  const { server, client } = await serve(withDatabase(cluster.url, 'dci'));
  await assertServing(server, client);

  await cluster.stop();
  cluster = undefined;
  const ready = await fetch(`${server.baseUrl}/readyz`);
  assert.equal(ready.status, 503);
  assert.equal(((await ready.json()) as { database: string }).database, 'unreachable');
  const jwks = await fetch(`${server.baseUrl}/.well-known/jwks.json`);
  assert.equal(jwks.status, 503);
  assert.match(jwks.headers.get('content-type') ?? '', /^application\/json/);
  assert.equal(((await jwks.json()) as { error: string }).error, 'unavailable');
  const token = await tokenReply(server, client);
  assert.equal(token.status, 503);
  assert.match(token.headers.get('content-type') ?? '', /^application\/json/);
  assert.equal(((await token.json()) as { error: string }).error, 'temporarily_unavailable');

  cluster = await startEmbeddedPostgres({ dataDir: path.join(tmp, 'postgres'), port });
  await eventually('/readyz is 200 again', async () => (await fetch(`${server.baseUrl}/readyz`)).status === 200);
  await assertServing(server, client);
});
