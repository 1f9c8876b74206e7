/**
 * Senders, their keys and agreements are kept in memory on the request path (change-feed.ts).
 * A change made anywhere else (the CLI, the console's GraphQL, another database connection)
 * must apply to the very next request, with nothing to wait for.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { exportJWK, generateKeyPair } from 'jose';
import pg from 'pg';
import { createStaffPerRole, graphqlClient, type GraphqlCaller } from '../testing/graphql-client.js';
import { createTestSender, DciTestClient, searchItem, type Reply, type TestSender } from '../testing/dci-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

const CLI = fileURLToPath(new URL('../cli.ts', import.meta.url));
let server: TestServer;
let gql: GraphqlCaller;
let adminToken: string;

before(async () => {
  server = await startTestServer();
  gql = graphqlClient(server);
  adminToken = (await createStaffPerRole(server)).tokens.admin!;
});
after(() => server.close());

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, DATABASE_URL: server.ctx.db.url, DEMO_DATA: 'false', LOG_LEVEL: 'warn' };
  return new Promise((resolve) => execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { env }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr })));
}

const search = (client: DciTestClient): Promise<Reply> =>
  client.send('/registry/sync/search', 'search', { transaction_id: `t-${randomUUID()}`, search_request: [searchItem('r', { query_type: 'idtype-value', query: { type: 'UIN', value: 'none' } })] }, 'search_request');

const errorCode = (reply: Reply) => reply.body.errors?.[0]?.code as string | undefined;

async function cachedSender(): Promise<{ sender: TestSender; client: DciTestClient }> {
  const sender = await createTestSender(server.ctx);
  const client = new DciTestClient(server.baseUrl, sender);
  // Two answered requests: the sender, its key and its agreement are now served from memory.
  for (let i = 0; i < 2; i++) assert.equal((await search(client)).status, 200);
  assert.ok(server.ctx.db.changes.isListening, 'the change feed listens');
  return { sender, client };
}

test('a sender key rotated through GraphQL and the CLI: the new key works and the old one is refused on the next request', async () => {
  const { sender, client } = await cachedSender();
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { extractable: true });
  const kid = `${sender.senderId}-key-2`;
  const added = await gql(
    'mutation($input: AddSenderKeyInput!) { addSenderKey(input: $input) { userErrors { message } } }',
    { input: { senderId: sender.senderId, keyId: kid, publicKey: JSON.stringify({ ...(await exportJWK(publicKey)), kid }) } },
    { token: adminToken },
  );
  assert.deepEqual(added.errors, undefined);
  assert.deepEqual(added.data?.addSenderKey.userErrors, []);
  const rotated = new DciTestClient(server.baseUrl, { ...sender, kid, privateJwk: { ...(await exportJWK(privateKey)), kid } });
  assert.equal((await search(rotated)).status, 200);

  const revoked = await cli('senders', 'revoke-key', sender.senderId, sender.kid);
  assert.equal(revoked.code, 0, revoked.stderr);
  const refused = await search(client);
  assert.equal(refused.status, 401);
  assert.equal(errorCode(refused), 'err.signature.invalid');
  assert.equal((await search(rotated)).status, 200);
});

test('an agreement ended through GraphQL is missing on the next request', async () => {
  const { sender, client } = await cachedSender();
  const { rows } = await server.ctx.db.pool.query<{ id: string }>('SELECT a.id FROM data_sharing_agreement a JOIN sender s ON s.id = a.sender_id WHERE s.sender_id = $1', [sender.senderId]);
  const ended = await gql('mutation($id: ID!) { endAgreement(id: $id) { userErrors { message } } }', { id: rows[0]!.id }, { token: adminToken });
  assert.deepEqual(ended.data?.endAgreement.userErrors, []);
  const refused = await search(client);
  assert.equal(refused.status, 403);
  assert.equal(errorCode(refused), 'err.agreement.missing');
});

test('an agreement quota set through the CLI counts from the next request', async () => {
  const { sender, client } = await cachedSender();
  const { rows } = await server.ctx.db.pool.query<{ id: string }>('SELECT a.id FROM data_sharing_agreement a JOIN sender s ON s.id = a.sender_id WHERE s.sender_id = $1', [sender.senderId]);
  const updated = await cli('agreements', 'update', rows[0]!.id, '--daily-quota', '1');
  assert.equal(updated.code, 0, updated.stderr);
  assert.equal((await search(client)).status, 200);
  const refused = await search(client);
  assert.equal(refused.status, 429);
  assert.equal(errorCode(refused), 'err.quota.exceeded');
});

test('a sender suspended from another database connection is refused on the next request, and accepted again once enabled through GraphQL', async () => {
  const { sender, client } = await cachedSender();
  const other = new pg.Client({ connectionString: server.ctx.db.url });
  await other.connect();
  try {
    await other.query('UPDATE sender SET active = false WHERE sender_id = $1', [sender.senderId]);
  } finally {
    await other.end();
  }
  const refused = await search(client);
  assert.equal(refused.status, 403);
  assert.equal(errorCode(refused), 'err.sender.inactive');

  const enabled = await gql('mutation($id: String!) { setSenderActive(senderId: $id, active: true) { userErrors { message } } }', { id: sender.senderId }, { token: adminToken });
  assert.deepEqual(enabled.data?.setSenderActive.userErrors, []);
  assert.equal((await search(client)).status, 200);
});

test('while the change feed is down nothing is served from memory', async () => {
  const { sender, client } = await cachedSender();
  await server.ctx.db.changes.close();
  assert.equal(server.ctx.db.changes.isListening, false);
  // No notification can arrive now: only reading the database again sees this.
  await server.ctx.db.pool.query('UPDATE sender SET active = false WHERE sender_id = $1', [sender.senderId]);
  const refused = await search(client);
  assert.equal(errorCode(refused), 'err.sender.inactive');
});
