import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createStaffPerRole, errorCode, graphqlClient, type GraphqlCaller } from '../testing/graphql-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

// Found by the GraphQL fuzzer: a NUL in an argument reached PostgreSQL and came back as INTERNAL_SERVER_ERROR.
let server: TestServer;
let gql: GraphqlCaller;
let admin: string;

before(async () => {
  server = await startTestServer();
  gql = graphqlClient(server);
  admin = (await createStaffPerRole(server)).tokens.admin!;
});
after(() => server.close());

const disable = 'mutation ($clientId: String!) { disableOAuthClient(clientId: $clientId) { __typename } }';

for (const [name, query, variables] of [
  ['U+0000 in a variable', disable, { clientId: '\u0000' }],
  ['an unpaired surrogate in a variable', disable, { clientId: 'a\ud800' }],
  ['U+0000 in a string literal', 'mutation { disableOAuthClient(clientId: "x\\u0000") { __typename } }', {}],
  ['U+0000 in a key of a JSON variable', 'query ($e: JSON) { registryPersons(expression: $e) { __typename } }', { e: { 'a\u0000': 1 } }],
] as const) {
  test(`${name} → 400 BAD_USER_INPUT, not an internal error`, async () => {
    const reply = await gql(query, variables, { token: admin });
    assert.equal(reply.status, 400, JSON.stringify(reply));
    assert.equal(errorCode(reply), 'BAD_USER_INPUT');
  });
}

test('ordinary text, RTL and emoji included, still goes through', async () => {
  const reply = await gql(disable, { clientId: 'עברית 🙂 \u202e' }, { token: admin });
  assert.equal(reply.status, 200, JSON.stringify(reply));
  assert.notEqual(errorCode(reply), 'INTERNAL_SERVER_ERROR');
});

test('a subscription (this API has none) → 400 GRAPHQL_VALIDATION_FAILED, not an internal error (found by fuzzing)', async () => {
  const reply = await gql('subscription { x }', {}, {});
  assert.equal(reply.status, 400, JSON.stringify(reply));
  assert.equal(errorCode(reply), 'GRAPHQL_VALIDATION_FAILED');
});
