import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestSender, DciTestClient, searchItem } from '../testing/dci-client.js';
import { createStaffPerRole, graphqlClient, type GraphqlCaller } from '../testing/graphql-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

let server: TestServer;
let gql: GraphqlCaller;
let tokens: Record<string, string>;
before(async () => {
  server = await startTestServer();
  gql = graphqlClient(server);
  ({ tokens } = await createStaffPerRole(server));
});
after(() => server.close());

const SENDER = 'sender { senderId name contact allowUnsigned allowedOperations allowedCallbackOrigins notifyAuth { type tokenUrl clientId } clients { clientId active } } userErrors { message code }';

test('update a sender: only the given fields change; bad values are userErrors', async () => {
  await createTestSender(server.ctx, 'updatable');
  const updated = await gql(`mutation($i: UpdateSenderInput!) { updateSender(senderId: "updatable", input: $i) { ${SENDER} } }`, { i: { contact: 'ops@agency.example', allowUnsigned: true, allowedCallbackOrigins: ['https://cb.agency.example/x'] } }, { token: tokens.operator });
  assert.equal(updated.errors, undefined, JSON.stringify(updated.errors));
  const sender = updated.data?.updateSender.sender;
  assert.equal(sender.name, 'updatable', 'name unchanged');
  assert.equal(sender.contact, 'ops@agency.example');
  assert.equal(sender.allowUnsigned, true);
  assert.deepEqual(sender.allowedCallbackOrigins, ['https://cb.agency.example']);

  const unsigned = await gql('{ senders(filter: { allowUnsigned: true }) { senderId } }', {}, { token: tokens.auditor });
  assert.deepEqual(unsigned.data?.senders, [{ senderId: 'updatable' }]);

  const bad = await gql(`mutation { updateSender(senderId: "updatable", input: { allowedOperations: ["fly"], preferredScheme: "rot13" }) { ${SENDER} } }`, {}, { token: tokens.operator });
  assert.match(bad.data?.updateSender.userErrors[0].message, /unknown operation fly/);
  const missing = await gql(`mutation { updateSender(senderId: "nobody", input: { name: "x" }) { ${SENDER} } }`, {}, { token: tokens.operator });
  assert.equal(missing.data?.updateSender.userErrors[0].code, 'NOT_FOUND');
});

test('notify authentication is set, shown without its secret, and audited without it', async () => {
  await createTestSender(server.ctx, 'notified');
  const set = await gql(
    `mutation($i: NotifyAuthInputType!) { setNotifyAuth(senderId: "notified", input: $i) { ${SENDER} } }`,
    { i: { oauth2: { tokenUrl: 'https://idp.agency.example/token', clientId: 'dci', clientSecret: 'very-secret-value' } } },
    { token: tokens.operator },
  );
  assert.deepEqual(set.data?.setNotifyAuth.sender.notifyAuth, { type: 'oauth2', tokenUrl: 'https://idp.agency.example/token', clientId: 'dci' });
  const both = await gql(`mutation { setNotifyAuth(senderId: "notified", input: { none: true, bearerToken: "x" }) { ${SENDER} } }`, {}, { token: tokens.operator });
  assert.match(both.data?.setNotifyAuth.userErrors[0].message, /exactly one/);
  const { rows } = await server.ctx.db.pool.query(`SELECT after FROM staff_audit WHERE action = 'setNotifyAuth'`);
  assert.deepEqual(rows.map((r) => r.after), [{ type: 'oauth2' }]);
  const stored = await server.ctx.db.pool.query(`SELECT notify_auth::text AS t FROM sender WHERE sender_id = 'notified'`);
  assert.ok(!stored.rows[0].t.includes('very-secret-value'), 'sealed at rest');
});

test('a rate limit set through GraphQL applies to the sender at once', async () => {
  const sender = await createTestSender(server.ctx, 'limited');
  const client = new DciTestClient(server.baseUrl, sender);
  const set = await gql('mutation { setSenderRateLimit(senderId: "limited", perMinute: 1) { sender { rateLimitPerMinute } userErrors { message } } }', {}, { token: tokens.operator });
  assert.equal(set.data?.setSenderRateLimit.sender.rateLimitPerMinute, 1);
  const search = { transaction_id: 't', search_request: [searchItem('r', { reg_record_type: 'Person', query_type: 'idtype-value', query: { type: 'UIN', value: '1' } })] };
  const statuses = [];
  for (let i = 0; i < 2; i++) statuses.push((await client.send('/registry/sync/search', 'search', search, 'search_request')).status);
  assert.deepEqual(statuses, [200, 429]);
  const bad = await gql('mutation { setSenderRateLimit(senderId: "limited", perMinute: -5) { userErrors { message } } }', {}, { token: tokens.operator });
  assert.match(bad.data?.setSenderRateLimit.userErrors[0].message, /whole number/);
});

test('a disabled OAuth client gets no more tokens; clients show when they were last used', async () => {
  const sender = await createTestSender(server.ctx, 'disabled-client');
  const client = new DciTestClient(server.baseUrl, sender);
  await client.accessToken();
  const used = await gql('{ sender(senderId: "disabled-client") { clients { lastUsedAt } } }', {}, { token: tokens.auditor });
  assert.ok(Date.now() - Date.parse(used.data?.sender.clients[0].lastUsedAt) < 60_000);
  const disabled = await gql(`mutation($c: String!) { disableOAuthClient(clientId: $c) { ${SENDER} } }`, { c: sender.clientId }, { token: tokens.admin });
  assert.deepEqual(disabled.data?.disableOAuthClient.sender.clients, [{ clientId: sender.clientId, active: false }]);
  await assert.rejects(new DciTestClient(server.baseUrl, sender).accessToken(), /401/);
});

test("a sender's usage: its requests per day and outcome", async () => {
  const sender = await createTestSender(server.ctx, 'busy');
  const client = new DciTestClient(server.baseUrl, sender);
  const search = { transaction_id: 't', search_request: [searchItem('r', { reg_record_type: 'Person', query_type: 'idtype-value', query: { type: 'UIN', value: '1' } })] };
  for (let i = 0; i < 2; i++) await client.send('/registry/sync/search', 'search', search, 'search_request');
  const reply = await gql('{ sender(senderId: "busy") { usage(days: 7) { operation dciStatus count } } }', {}, { token: tokens.auditor });
  assert.deepEqual(reply.data?.sender.usage, [{ operation: 'search', dciStatus: 'succ', count: 2 }]);
});

test("a sender's detail lists its agreements", async () => {
  await createTestSender(server.ctx, 'with-agreement');
  const reply = await gql('{ sender(senderId: "with-agreement") { agreements { name active } } }', {}, { token: tokens.auditor });
  assert.deepEqual(reply.data?.sender.agreements.map((a: { active: boolean }) => a.active), [true]);
});
