import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { createTestSender, DciTestClient, searchItem, type TestSender } from '../testing/dci-client.js';
import { createStaffPerRole, graphqlClient, type GraphqlCaller } from '../testing/graphql-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

/**
 * A secrets scan after a run that touches every place a secret passes: staff passwords and API
 * tokens, OAuth2 client secrets (right and wrong), access tokens, the sender's private key, an
 * imported server private key, the master key, and the credentials our notifications present to a
 * subscriber (which echoes them back). None may appear in our logs, in any database row (audit,
 * staff audit, deliveries, job payloads…), in GraphQL answers or in error bodies: only in the one
 * answer that hands a new secret out.
 */
const MASTER_KEY = randomBytes(32).toString('base64');
const logs: string[] = [];
const answers: { what: string; text: string }[] = [];
const secrets = new Map<string, string>();
let server: TestServer;
let gql: GraphqlCaller;
let subscriber: http.Server;

/** Remembers a secret (only its distinctive part is searched for). */
const secret = (name: string, value: string) => (secrets.set(name, value), value);

/** A GraphQL call whose answer is scanned, unless it is the answer that reveals a new secret. */
async function call(query: string, variables: Record<string, unknown>, auth: { token?: string; cookie?: string }, reveals = false) {
  const reply = await gql(query, variables, auth);
  if (!reveals) answers.push({ what: `GraphQL ${query.slice(0, 60)}`, text: JSON.stringify(reply) });
  return reply;
}

before(async () => {
  const logTo = new Writable({ write: (chunk: Buffer, _enc, done) => (logs.push(chunk.toString()), done()) });
  server = await startTestServer({ MASTER_KEY }, { worker: true, logTo });
  secret('master key', MASTER_KEY);
  gql = graphqlClient(server);
  subscriber = http.createServer((req, res) => {
    req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ echo: req.headers.authorization ?? null })));
  });
  await new Promise<void>((resolve) => subscriber.listen(0, '127.0.0.1', resolve));
});
after(async () => {
  await new Promise<void>((resolve) => subscriber.close(() => resolve()));
  await server.close();
});

test('after a run through every door, no secret is in logs, database rows, GraphQL answers or error bodies', async () => {
  const { tokens, passwords } = await createStaffPerRole(server);
  for (const [role, value] of Object.entries(passwords)) secret(`${role} password`, value);
  for (const [role, value] of Object.entries(tokens)) secret(`${role} API token`, value);
  const admin = { token: tokens.admin! };

  // Staff: a new account (its password is revealed once), sign-in, a wrong password, a new API token.
  const created = await call('mutation { createStaffUser(email: "new@example.org", role: "auditor") { password } }', {}, admin, true);
  secret('new staff password', created.data?.createStaffUser.password);
  const login = await call('mutation($p: String!) { login(email: "new@example.org", password: $p) { staff { email } } }', { p: secrets.get('new staff password') }, {});
  secret('session cookie', login.headers.get('set-cookie')!.split(';')[0]!.split('=')[1]!);
  await call('mutation($p: String!) { login(email: "new@example.org", password: $p) { userErrors { message } } }', { p: secret('wrong password', `Wrong-${randomUUID()}`) }, {});
  const apiToken = await call('mutation { createApiToken(name: "script") { token } }', {}, admin, true);
  secret('new API token', apiToken.data?.createApiToken.token);

  // A sender: a new OAuth2 client (its secret revealed once), how we authenticate to it, a token, wrong secrets.
  const sender: TestSender = await createTestSender(server.ctx);
  secret('sender private key', String((sender.privateJwk as { d: string }).d));
  secret('first client secret', sender.clientSecret);
  const client = await call('mutation($s: String!) { createOAuthClient(senderId: $s) { clientId clientSecret } }', { s: sender.senderId }, admin, true);
  const { clientId, clientSecret } = client.data?.createOAuthClient as { clientId: string; clientSecret: string };
  secret('client secret', clientSecret);
  await call('mutation($s: String!, $t: String!) { setNotifyAuth(senderId: $s, input: { bearerToken: $t }) { userErrors { message } } }', { s: sender.senderId, t: secret('notify bearer', `nb-${randomUUID()}`) }, admin);
  const dci = new DciTestClient(server.baseUrl, { ...sender, clientId, clientSecret });
  secret('access token', await dci.accessToken());
  const wrong = await fetch(`${server.baseUrl}/oauth2/client/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret('wrong client secret', `wrong-${randomUUID()}`) }),
  });
  answers.push({ what: 'token endpoint refusal', text: await wrong.text() });

  // DCI calls: a search, a body carrying a secret-looking field, a call with a wrong token.
  const search = (extra: Record<string, unknown> = {}) => ({ transaction_id: randomUUID(), search_request: [searchItem('r', { query_type: 'idtype-value', query: { type: 'UIN', value: '1' } })], ...extra });
  answers.push({ what: 'DCI search', text: JSON.stringify((await dci.send('/registry/sync/search', 'search', search(), 'search_request')).body) });
  answers.push({ what: 'DCI search with a secret field', text: JSON.stringify((await dci.send('/registry/sync/search', 'search', search({ client_secret: clientSecret }), 'search_request')).body) });
  answers.push({ what: 'DCI with a wrong token', text: JSON.stringify((await dci.post('/registry/sync/search', {}, { token: secret('wrong bearer', `ey${randomUUID()}`) })).body) });

  // A subscription and a registry change: the notification presents our bearer token to the subscriber, which echoes it.
  const subscriberUrl = `http://127.0.0.1:${(subscriber.address() as AddressInfo).port}`;
  const subscribed = await dci.send(
    '/registry/sync/subscribe',
    'subscribe',
    { transaction_id: randomUUID(), subscribe_request: [{ reference_id: 's', timestamp: new Date().toISOString(), subscribe_criteria: { reg_event_type: 'REGISTER', filter: {}, notify_record_type: 'Person' } }] },
    'subscribe_request',
    { sender_uri: subscriberUrl },
  );
  assert.equal(subscribed.status, 200, JSON.stringify(subscribed.body));
  const person = { identifiers: [{ type: 'UIN', value: `SCAN-${randomUUID().slice(0, 8)}` }], givenName: 'Secret', surname: 'Scan', sex: 'female' };
  assert.deepEqual((await call('mutation($input: RegistryPersonInput!) { createPerson(input: $input) { userErrors { message } } }', { input: person }, admin)).data?.createPerson.userErrors, []);
  for (let i = 0; ; i++) {
    const { rows } = await server.ctx.db.pool.query("SELECT 1 FROM notification_delivery WHERE status = 'delivered'");
    if (rows.length) break;
    assert.ok(i < 200, 'the notification was delivered');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  // An imported server private key.
  const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  secret('imported server key', pem.split('\n')[1]!);
  await call('mutation($k: String!) { importServerKey(privateKey: $k) { key { kid } userErrors { message } } }', { k: pem }, admin);

  // What staff read back afterwards.
  await call('{ senders { senderId notifyAuth { type } clients { clientId } keys { keyId } } serverKeys { kid } jwks }', {}, admin);
  await call('{ staffActions(first: 100) { edges { node { action actor target change } } } }', {}, admin);
  await call('{ transactions(first: 50) { edges { node { request response errorCode } } } }', {}, admin);
  await call('{ subscriptions(first: 10) { edges { node { code deliveries(first: 10) { edges { node { attempts { httpStatus responseExcerpt error } } } } } } } }', {}, admin);
  await call('{ apiTokens { name } me { email } }', {}, { cookie: `dci_session=${secrets.get('session cookie')}` });

  // Every row of every table, job payloads included.
  const rows: { what: string; text: string }[] = [];
  const { rows: tables } = await server.ctx.db.pool.query<{ schema: string; name: string }>(
    "SELECT table_schema AS schema, table_name AS name FROM information_schema.tables WHERE table_schema IN ('public', 'graphile_worker', 'graphile_worker_private') AND table_type = 'BASE TABLE'",
  );
  for (const { schema, name } of tables) {
    const found = await server.ctx.db.pool.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM "${schema}"."${name}" t`);
    for (const { row } of found.rows) rows.push({ what: `row of ${schema}.${name}`, text: row });
  }
  assert.ok(rows.some((r) => r.what === 'row of public.dci_transaction'), 'the audit log was scanned');
  assert.ok(logs.length > 0, 'the logs were scanned');

  const leaks: string[] = [];
  for (const place of [...logs.map((text) => ({ what: 'log line', text })), ...rows, ...answers]) {
    for (const [name, value] of secrets) {
      if (value && place.text.includes(value)) leaks.push(`${name} in ${place.what}: ${place.text.slice(0, 300)}`);
    }
  }
  assert.deepEqual(leaks, []);
});
