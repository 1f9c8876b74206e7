import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isAbstractType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
} from 'graphql';
import { createApiToken, revokeApiToken } from '../staff/staff-tokens.js';
import { createStaffUser, updateStaffUser } from '../staff/staff-users.js';
import { createTestSender, DciTestClient, searchItem } from '../testing/dci-client.js';
import { createStaffPerRole, graphqlClient, type GraphqlCaller, type GraphqlReply } from '../testing/graphql-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { managementSchema } from './schema.js';

/**
 * The authorization matrix of the GraphQL API: every query and mutation in the schema, called by
 * every kind of caller. Who may call what is written here on purpose, apart from the resolvers: a
 * new operation fails this test until it is classified, and a changed role list must change here too.
 */
const ALL_STAFF = ['admin', 'operator', 'auditor'] as const;
type Access = 'public' | 'any staff' | readonly (typeof ALL_STAFF)[number][];
const READ = ALL_STAFF;
const MANAGE = ['admin', 'operator'] as const;
const ADMIN = ['admin'] as const;

const POLICY: Record<string, Access> = {
  // Queries
  dashboard: READ, registryPersons: READ, registryGroups: READ, registryPerson: READ, registryGroup: READ,
  senders: READ, sender: READ, serverKeys: READ, jwks: READ, me: 'public', staffUsers: ADMIN, apiTokens: 'any staff',
  staffActions: ['admin', 'auditor'], transactions: READ, transaction: READ, agreements: READ, agreement: READ,
  previewAgreement: READ, subscriptions: READ, subscription: READ, deadLetterCount: READ, delivery: READ,
  // Mutations
  createPerson: MANAGE, updatePerson: MANAGE, recordDeath: MANAGE, recordBirth: MANAGE, addGroupMember: MANAGE, removeGroupMember: MANAGE,
  createSender: MANAGE, updateSender: MANAGE, setNotifyAuth: MANAGE, setSenderActive: MANAGE, addSenderKey: MANAGE, revokeSenderKey: MANAGE,
  createOAuthClient: MANAGE, rotateOAuthClientSecret: MANAGE, setSenderRateLimit: MANAGE, disableOAuthClient: MANAGE,
  generateServerKey: ADMIN, importServerKey: ADMIN, activateServerKey: ADMIN, retireServerKey: ADMIN,
  login: 'public', logout: 'public', createStaffUser: ADMIN, updateStaffUser: ADMIN, createApiToken: 'any staff', revokeApiToken: 'any staff',
  createAgreement: MANAGE, updateAgreement: MANAGE, endAgreement: MANAGE,
  pauseSubscription: MANAGE, resumeSubscription: MANAGE, cancelSubscription: MANAGE, resendDelivery: MANAGE, resendDeadLetters: MANAGE,
};

/** A value of an input type that passes GraphQL validation (the resolvers may still refuse it: that is not the point here). */
function sampleValue(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return sampleValue(type.ofType);
  if (isListType(type)) return [sampleValue(type.ofType)];
  if (isEnumType(type)) return type.getValues()[0]!.value;
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields()).filter((f) => isNonNullType(f.type) && f.defaultValue === undefined);
    return Object.fromEntries(fields.map((f) => [f.name, sampleValue(f.type)]));
  }
  const samples: Record<string, unknown> = { String: 'matrix-sample', ID: randomUUID(), Int: 1, Float: 1, Boolean: false, DateTimeISO: new Date().toISOString(), JSON: {}, JSONObject: {} };
  const name = getNamedType(type).name;
  if (!(name in samples)) throw new Error(`no sample for scalar ${name}`);
  return samples[name];
}

/** `query($a: T!) { field(a: $a) { __typename } }` with every required argument given. */
function operationOf(kind: 'query' | 'mutation', field: GraphQLField<unknown, unknown>): { document: string; variables: Record<string, unknown> } {
  const required = field.args.filter((a: GraphQLArgument) => isNonNullType(a.type) && a.defaultValue === undefined);
  const declared = required.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ');
  const passed = required.map((a) => `${a.name}: $${a.name}`).join(', ');
  const named = getNamedType(field.type);
  const selection = isObjectType(named) || isAbstractType(named) ? ' { __typename }' : '';
  return {
    document: `${kind}${declared ? `(${declared})` : ''} { ${field.name}${passed ? `(${passed})` : ''}${selection} }`,
    variables: Object.fromEntries(required.map((a) => [a.name, sampleValue(a.type)])),
  };
}

const schema = managementSchema();
const operations = (['query', 'mutation'] as const).flatMap((kind) => {
  const root = kind === 'query' ? schema.getQueryType() : schema.getMutationType();
  return Object.values(root!.getFields()).map((field) => ({ kind, name: field.name, ...operationOf(kind, field) }));
});

let server: TestServer;
let gql: GraphqlCaller;
/** Every kind of caller: how it authenticates, and the staff role it acts with if any. */
const callers: { name: string; auth: { token?: string; cookie?: string }; role?: (typeof ALL_STAFF)[number]; signIn?: () => Promise<string> }[] = [];

async function sessionCookie(email: string, password: string): Promise<string> {
  const login = await gql('mutation($e: String!, $p: String!) { login(email: $e, password: $p) { staff { email } } }', { e: email, p: password });
  const cookie = login.headers.get('set-cookie')?.split(';')[0];
  assert.ok(cookie, 'signed in');
  return cookie;
}

before(async () => {
  server = await startTestServer();
  gql = graphqlClient(server);
  const pool = server.ctx.db.pool;
  const { tokens, passwords } = await createStaffPerRole(server);
  const sender = await createTestSender(server.ctx);
  const dciToken = await new DciTestClient(server.baseUrl, sender).accessToken();

  const expired = await sessionCookie('auditor@example.org', passwords.auditor!);
  await pool.query("UPDATE staff_session SET expires_at = now() - interval '1 second'");
  const revoked = await createApiToken(pool, { email: 'admin@example.org', name: 'revoked' });
  await revokeApiToken(pool, revoked.id);
  const { password } = await createStaffUser(pool, { email: 'gone@example.org', role: 'admin' });
  const gone = await createApiToken(pool, { email: 'gone@example.org', name: 'left behind' });
  const goneSession = await sessionCookie('gone@example.org', password);
  await updateStaffUser(pool, 'gone@example.org', { active: false });
  const operatorSignIn = () => sessionCookie('operator@example.org', passwords.operator!);

  callers.push(
    { name: 'anonymous', auth: {} },
    { name: "a sender's DCI access token", auth: { token: dciToken } },
    { name: 'a made-up staff token', auth: { token: 'dcis_not-a-token' } },
    { name: 'an expired console session', auth: { cookie: expired } },
    { name: 'a revoked API token', auth: { token: revoked.token } },
    { name: "a deactivated admin's API token", auth: { token: gone.token } },
    { name: "a deactivated admin's console session", auth: { cookie: goneSession } },
    ...ALL_STAFF.map((role) => ({ name: `${role} (API token)`, auth: { token: tokens[role]! }, role })),
    { name: 'operator (console session)', auth: { cookie: await operatorSignIn() }, role: 'operator' as const, signIn: operatorSignIn },
  );
});
after(() => server.close());

const codes = (reply: GraphqlReply) => (reply.errors ?? []).map((e) => e.extensions?.code);

test('every query and mutation in the schema has a declared access rule, and no rule names a field that is gone', () => {
  const names = operations.map((o) => o.name).sort();
  assert.deepEqual(names, Object.keys(POLICY).sort());
});

describe('every operation × every caller', () => {
  for (const operation of operations) {
    test(`${operation.kind} ${operation.name}`, async () => {
      const access = POLICY[operation.name];
      assert.ok(access, `${operation.name} has no access rule`);
      for (const caller of callers) {
        const reply = await gql(operation.document, operation.variables, caller.auth);
        // Logging out ends a live session: sign in again for the operations after it.
        if (operation.name === 'logout' && caller.signIn) caller.auth = { cookie: await caller.signIn() };
        const got = codes(reply);
        const where = `${operation.name} by ${caller.name}: ${JSON.stringify(reply.errors)}`;
        assert.ok(reply.status < 500, where);
        assert.ok(!got.includes('INTERNAL_SERVER_ERROR'), where);
        const allowed = access === 'public' || (caller.role !== undefined && (access === 'any staff' || access.includes(caller.role)));
        if (allowed) assert.ok(!got.includes('FORBIDDEN') && !got.includes('UNAUTHENTICATED'), where);
        else assert.deepEqual(got, [caller.role ? 'FORBIDDEN' : 'UNAUTHENTICATED'], where);
      }
    });
  }
});

test('request and response bodies of the audit log: admin and auditor see them, an operator is refused those fields', async () => {
  const client = new DciTestClient(server.baseUrl, await createTestSender(server.ctx));
  await client.send('/registry/sync/search', 'search', { transaction_id: randomUUID(), search_request: [searchItem('r', { query_type: 'idtype-value', query: { type: 'UIN', value: '1' } })] }, 'search_request');
  const { rows } = await server.ctx.db.pool.query<{ id: string }>('SELECT id FROM dci_transaction ORDER BY created_at DESC LIMIT 1');
  const query = 'query($id: ID!) { transaction(id: $id) { id request response } }';
  for (const caller of callers.filter((c) => c.role)) {
    const reply = await gql(query, { id: rows[0]!.id }, caller.auth);
    if (caller.role === 'operator') assert.deepEqual([...new Set(codes(reply))], ['FORBIDDEN'], caller.name);
    else assert.ok(reply.data?.transaction.request, caller.name);
  }
});

test("a caller acting on another user's API token: only an admin may revoke it", async () => {
  const pool = server.ctx.db.pool;
  for (const caller of callers.filter((c) => c.role)) {
    const victim = await createApiToken(pool, { email: 'auditor@example.org', name: `victim of ${caller.name}` });
    const reply = await gql('mutation($id: ID!) { revokeApiToken(id: $id) { revoked userErrors { code } } }', { id: victim.id }, caller.auth);
    const mine = caller.role === 'auditor';
    assert.equal(reply.data?.revokeApiToken.revoked, caller.role === 'admin' || mine, caller.name);
    if (!mine && caller.role !== 'admin') assert.deepEqual(reply.data?.revokeApiToken.userErrors, [{ code: 'NOT_FOUND' }]);
    const tokenFor = await gql('mutation { createApiToken(name: "for someone else", email: "admin@example.org") { token userErrors { message } } }', {}, caller.auth);
    assert.equal(Boolean(tokenFor.data?.createApiToken.token), caller.role === 'admin', `${caller.name} creating a token for another user`);
  }
});
