import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { generateKeyPairSync } from 'node:crypto';
import { createStaffUser } from '../staff/staff-users.js';
import { createTestSender, DciTestClient } from '../testing/dci-client.js';
import { createStaffPerRole, errorCode, graphqlClient, type GraphqlCaller } from '../testing/graphql-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { printedSchema, SCHEMA_FILE } from './schema.js';

let server: TestServer;
let gql: GraphqlCaller;
let tokens: Record<string, string>;
let passwords: Record<string, string>;

before(async () => {
  server = await startTestServer({ STAFF_MAX_FAILED_LOGINS: '3' });
  gql = graphqlClient(server);
  ({ tokens, passwords } = await createStaffPerRole(server));
});
after(() => server.close());

const code = errorCode;

test('the committed schema.graphql matches the code (run npm run graphql:schema after changing resolvers)', async () => {
  assert.equal(await fs.readFile(SCHEMA_FILE, 'utf8'), printedSchema());
});

test('anonymous callers and senders get nothing; me is null', async () => {
  assert.equal(code(await gql('{ senders { senderId } }')), 'UNAUTHENTICATED');
  assert.equal((await gql('{ me { email } }')).data?.me, null);
  // A sender's DCI access token is not a staff credential.
  const sender = await createTestSender(server.ctx);
  const dciToken = await new DciTestClient(server.baseUrl, sender).accessToken();
  assert.equal(code(await gql('{ senders { senderId } }', {}, { token: dciToken })), 'UNAUTHENTICATED');
  assert.equal(code(await gql('{ senders { senderId } }', {}, { token: 'dcis_not-a-token' })), 'UNAUTHENTICATED');
});

describe('roles, on every operation group', () => {
  const cases: { name: string; query: string; variables?: () => Record<string, unknown>; allowed: string[] }[] = [
    { name: 'read senders', query: '{ senders { senderId } }', allowed: ['admin', 'operator', 'auditor'] },
    {
      name: 'create a sender',
      query: 'mutation($input: CreateSenderInput!) { createSender(input: $input) { sender { senderId } userErrors { message } } }',
      variables: () => ({ input: { senderId: `s-${Math.random().toString(36).slice(2, 10)}`, name: 'Role test' } }),
      allowed: ['admin', 'operator'],
    },
    { name: 'list staff', query: '{ staffUsers { email } }', allowed: ['admin'] },
    {
      name: 'create staff',
      query: 'mutation($email: String!) { createStaffUser(email: $email, role: "auditor") { password userErrors { message } } }',
      variables: () => ({ email: `new-${Math.random().toString(36).slice(2, 10)}@example.org` }),
      allowed: ['admin'],
    },
  ];
  for (const c of cases) {
    for (const role of ['admin', 'operator', 'auditor']) {
      const allowed = c.allowed.includes(role);
      test(`${role} ${allowed ? 'may' : 'may not'} ${c.name}`, async () => {
        const reply = await gql(c.query, c.variables?.() ?? {}, { token: tokens[role] });
        if (allowed) assert.equal(reply.errors, undefined, JSON.stringify(reply.errors));
        else assert.equal(code(reply), 'FORBIDDEN');
      });
    }
  }
});

test('console sign-in: httpOnly SameSite=Strict cookie, me, logout', async () => {
  const login = await gql('mutation($e: String!, $p: String!) { login(email: $e, password: $p) { staff { email role } userErrors { message } } }', { e: 'Operator@Example.org', p: passwords.operator });
  assert.deepEqual(login.data?.login.staff, { email: 'operator@example.org', role: 'operator' });
  const setCookie = login.headers.get('set-cookie') ?? '';
  assert.match(setCookie, /^dci_session=[\w-]+;/);
  assert.match(setCookie, /HttpOnly/);
  assert.match(setCookie, /SameSite=Strict/);
  const cookie = setCookie.split(';')[0]!;
  assert.equal((await gql('{ me { email } }', {}, { cookie })).data?.me.email, 'operator@example.org');
  assert.equal((await gql('mutation { logout }', {}, { cookie })).data?.logout, true);
  assert.equal((await gql('{ me { email } }', {}, { cookie })).data?.me, null, 'the session ended on the server, not only in the browser');
});

test('cross-site requests are refused (CSRF): a form post or a simple GET cannot run an operation', async () => {
  const form = await fetch(`${server.baseUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: 'mutation { logout }' }) });
  assert.equal(form.status, 400);
  const get = await fetch(`${server.baseUrl}/graphql?query=${encodeURIComponent('{ me { email } }')}`);
  assert.equal(get.status, 400);
});

test('repeated wrong passwords lock the account, even against the right password', async () => {
  const { password } = await createStaffUser(server.ctx.db.pool, { email: 'locked@example.org', role: 'auditor' });
  const login = (p: string) => gql('mutation($p: String!) { login(email: "locked@example.org", password: $p) { staff { email } userErrors { message } } }', { p });
  for (let i = 0; i < 3; i++) assert.match((await login('wrong')).data?.login.userErrors[0].message, /wrong email or password/);
  const locked = await login(password);
  assert.equal(locked.data?.login.staff, null);
  assert.match(locked.data?.login.userErrors[0].message, /locked/);
});

test('input problems come back as userErrors; changes are in the staff audit with secrets redacted', async () => {
  const create = 'mutation($input: CreateSenderInput!) { createSender(input: $input) { sender { senderId allowedOperations } userErrors { field message code } } }';
  const first = await gql(create, { input: { senderId: 'audited', name: 'Audited', allowedOperations: ['search'] } }, { token: tokens.operator });
  assert.deepEqual(first.data?.createSender, { sender: { senderId: 'audited', allowedOperations: ['search'] }, userErrors: [] });
  const again = await gql(create, { input: { senderId: 'audited', name: 'Again' } }, { token: tokens.operator });
  assert.equal(again.errors, undefined);
  assert.deepEqual(again.data?.createSender.userErrors.map((e: { code: string }) => e.code), ['CONFLICT']);
  const badOp = await gql(create, { input: { senderId: 'other', name: 'x', allowedOperations: ['fly'] } }, { token: tokens.operator });
  assert.match(badOp.data?.createSender.userErrors[0].message, /unknown operation fly/);

  const key = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const added = await gql('mutation($i: AddSenderKeyInput!) { addSenderKey(input: $i) { sender { keys { keyId algorithm } } userErrors { message } } }', { i: { senderId: 'audited', publicKey: key, keyId: 'k1' } }, { token: tokens.admin });
  assert.deepEqual(added.data?.addSenderKey.sender.keys, [{ keyId: 'k1', algorithm: 'EdDSA' }]);
  const client = await gql('mutation { createOAuthClient(senderId: "audited") { clientId clientSecret userErrors { message } } }', {}, { token: tokens.admin });
  assert.ok(client.data?.createOAuthClient.clientSecret);

  const { rows } = await server.ctx.db.pool.query<{ actor: string; action: string; target: string; after: unknown }>(`SELECT actor, action, target, after FROM staff_audit WHERE target = 'audited' ORDER BY id`);
  assert.deepEqual(rows.map((r) => r.action), ['createSender', 'addSenderKey', 'createOAuthClient']);
  assert.match(rows[0]!.actor, /^token:[\w-]+:operator@example\.org$/);
  const audit = JSON.stringify(rows);
  assert.ok(!audit.includes(client.data?.createOAuthClient.clientSecret), 'no secret in the audit trail');
});

test('queries deeper than GRAPHQL_MAX_DEPTH are refused before they run', async () => {
  const introspection = '{ __schema { types { name fields { name type { name ofType { name ofType { name ofType { name } } } } } } } }';
  assert.equal((await gql(introspection, {}, { token: tokens.admin })).errors, undefined, 'an IDE may introspect');
  const nested = `{ __schema { types { fields { type ${'{ ofType '.repeat(14)}{ name }${' }'.repeat(14)} } } } }`;
  const reply = await gql(nested, {}, { token: tokens.admin });
  assert.equal(reply.status, 400);
  assert.equal(code(reply), 'GRAPHQL_VALIDATION_FAILED');
});

test('API tokens: create your own (shown once), list them without the secret, revoke them', async () => {
  const created = await gql('mutation { createApiToken(name: "ci script", role: "auditor") { token role userErrors { message } } }', {}, { token: tokens.operator });
  const token = created.data?.createApiToken.token as string;
  assert.match(token, /^dcis_/);
  assert.equal(created.data?.createApiToken.role, 'auditor');
  assert.equal((await gql('{ me { email role } }', {}, { token })).data?.me.role, 'auditor');

  const escalate = await gql('mutation { createApiToken(name: "more", role: "admin") { token userErrors { message } } }', {}, { token: tokens.operator });
  assert.match(escalate.data?.createApiToken.userErrors[0].message, /more rights/);

  const listed = await gql('{ apiTokens { id name email role } }', {}, { token: tokens.operator });
  assert.ok(listed.data?.apiTokens.every((t: { email: string }) => t.email === 'operator@example.org'), 'an operator sees only their own tokens');
  assert.ok(!JSON.stringify(listed.data).includes(token));
  const id = listed.data?.apiTokens.find((t: { name: string }) => t.name === 'ci script').id;

  const adminTokenId = (await gql('{ apiTokens { id email } }', {}, { token: tokens.admin })).data?.apiTokens.find((t: { email: string }) => t.email === 'admin@example.org').id;
  const notYours = await gql('mutation($id: ID!) { revokeApiToken(id: $id) { revoked userErrors { code } } }', { id: adminTokenId }, { token: tokens.operator });
  assert.deepEqual(notYours.data?.revokeApiToken, { revoked: false, userErrors: [{ code: 'NOT_FOUND' }] });

  const revoked = await gql('mutation($id: ID!) { revokeApiToken(id: $id) { revoked } }', { id }, { token: tokens.operator });
  assert.equal(revoked.data?.revokeApiToken.revoked, true);
  assert.equal(code(await gql('{ senders { senderId } }', {}, { token })), 'UNAUTHENTICATED');
});

test('the staff audit log: admin and auditor read it, newest first, in pages', async () => {
  const page = await gql('{ staffActions(first: 2) { totalCount pageInfo { hasNextPage endCursor } edges { node { actor action target } } } }', {}, { token: tokens.auditor });
  assert.equal(page.errors, undefined, JSON.stringify(page.errors));
  assert.ok(page.data?.staffActions.totalCount > 2);
  assert.equal(page.data?.staffActions.edges.length, 2);
  const next = await gql('query($after: String) { staffActions(first: 2, after: $after) { edges { node { action } } } }', { after: page.data?.staffActions.pageInfo.endCursor }, { token: tokens.auditor });
  assert.equal(next.data?.staffActions.edges.length, 2);
  const filtered = await gql('{ staffActions(action: "createSender") { totalCount edges { node { action } } } }', {}, { token: tokens.admin });
  assert.ok(filtered.data?.staffActions.edges.every((e: { node: { action: string } }) => e.node.action === 'createSender'));
  assert.equal(code(await gql('{ staffActions { totalCount } }', {}, { token: tokens.operator })), 'FORBIDDEN');
});

test('an admin changes roles and deactivates accounts, at once for their tokens; never the last admin', async () => {
  const { password } = await createStaffUser(server.ctx.db.pool, { email: 'temp@example.org', role: 'operator' });
  const update = 'mutation($e: String!, $r: String, $a: Boolean) { updateStaffUser(email: $e, role: $r, active: $a) { staff { email role active } userErrors { message } } }';
  const demoted = await gql(update, { e: 'temp@example.org', r: 'auditor' }, { token: tokens.admin });
  assert.deepEqual(demoted.data?.updateStaffUser.staff, { email: 'temp@example.org', role: 'auditor', active: true });
  const login = await gql('mutation($p: String!) { login(email: "temp@example.org", password: $p) { staff { role } } }', { p: password });
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  assert.equal((await gql('{ me { role } }', {}, { cookie })).data?.me.role, 'auditor');
  await gql(update, { e: 'temp@example.org', a: false }, { token: tokens.admin });
  assert.equal((await gql('{ me { role } }', {}, { cookie })).data?.me, null, 'a deactivated account is signed out at once');

  assert.equal(code(await gql(update, { e: 'temp@example.org', a: true }, { token: tokens.operator })), 'FORBIDDEN');
  const lastAdmin = await gql(update, { e: 'admin@example.org', r: 'operator' }, { token: tokens.admin });
  assert.match(lastAdmin.data?.updateStaffUser.userErrors[0].message, /no active admin/);
  assert.equal((await gql('{ me { role } }', {}, { token: tokens.admin })).data?.me.role, 'admin');
});
