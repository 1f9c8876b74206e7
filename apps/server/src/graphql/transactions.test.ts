import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestSender, DciTestClient, searchItem } from '../testing/dci-client.js';
import { createStaffPerRole, errorCode, graphqlClient, type GraphqlCaller } from '../testing/graphql-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

let server: TestServer;
let gql: GraphqlCaller;
let tokens: Record<string, string>;
let senderId: string;

before(async () => {
  server = await startTestServer();
  gql = graphqlClient(server);
  ({ tokens } = await createStaffPerRole(server));
  const sender = await createTestSender(server.ctx);
  senderId = sender.senderId;
  const client = new DciTestClient(server.baseUrl, sender);
  const search = { transaction_id: 'txn-listed', search_request: [searchItem('r1', { reg_record_type: 'Person', query_type: 'idtype-value', query: { type: 'UIN', value: '123' } })] };
  for (let i = 0; i < 3; i++) assert.equal((await client.send('/registry/sync/search', 'search', search, 'search_request')).status, 200);
  for (let i = 0; i < 2; i++) assert.equal((await client.post('/registry/sync/search', {}, { token: null })).status, 401);
});
after(() => server.close());

const LIST = `query($filter: TransactionFilterInput, $first: Int, $after: String) {
  transactions(filter: $filter, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id senderId httpStatus dciStatus reasonCode transactionId } } }
}`;

test('filters and cursor pages over the audit log, with the total count', async () => {
  const all = await gql(LIST, {}, { token: tokens.operator });
  assert.equal(all.errors, undefined);
  assert.equal(all.data?.transactions.totalCount, 5);

  const refused = await gql(LIST, { filter: { httpStatus: 401 } }, { token: tokens.operator });
  assert.equal(refused.data?.transactions.totalCount, 2);
  assert.ok(refused.data?.transactions.edges.every((e: { node: { reasonCode: string; senderId: null } }) => e.node.reasonCode === 'err.auth.missing_token' && e.node.senderId === null), JSON.stringify(refused.data));

  const first = await gql(LIST, { filter: { senderId }, first: 2 }, { token: tokens.operator });
  assert.equal(first.data?.transactions.totalCount, 3);
  assert.equal(first.data?.transactions.pageInfo.hasNextPage, true);
  const second = await gql(LIST, { filter: { senderId }, first: 2, after: first.data?.transactions.pageInfo.endCursor }, { token: tokens.operator });
  assert.equal(second.data?.transactions.pageInfo.hasNextPage, false);
  const ids = [...first.data!.transactions.edges, ...second.data!.transactions.edges].map((e: { node: { id: string } }) => e.node.id);
  assert.equal(new Set(ids).size, 3, 'pages neither overlap nor skip');

  const badCursor = await gql(LIST, { after: 'bm90LWEtY3Vyc29y' }, { token: tokens.operator });
  assert.equal(errorCode(badCursor), 'BAD_USER_INPUT');
});

test('counts on demand: capped with countAtMost; "any id" matches the transaction id', async () => {
  const counted = await gql('query($filter: TransactionFilterInput) { transactions(filter: $filter) { countAtMost(limit: 4) all: countAtMost totalCount } }', {}, { token: tokens.operator });
  assert.equal(counted.errors, undefined);
  assert.deepEqual(counted.data?.transactions, { countAtMost: 4, all: 5, totalCount: 5 });
  const byId = await gql(LIST, { filter: { anyId: 'txn-listed' } }, { token: tokens.auditor });
  assert.equal(byId.data?.transactions.totalCount, 3);
  const byRecordId = await gql(LIST, { filter: { anyId: byId.data?.transactions.edges[0].node.id } }, { token: tokens.auditor });
  assert.equal(byRecordId.data?.transactions.totalCount, 1);
  assert.equal(errorCode(await gql('{ transactions { countAtMost(limit: 0) } }', {}, { token: tokens.operator })), 'BAD_USER_INPUT');
});

test('request and response bodies: admin and auditor only', async () => {
  const id = (await gql(LIST, { filter: { senderId }, first: 1 }, { token: tokens.auditor })).data?.transactions.edges[0].node.id;
  const detail = 'query($id: ID!) { transaction(id: $id) { id operation request response } }';
  const audited = await gql(detail, { id }, { token: tokens.auditor });
  assert.equal(audited.errors, undefined);
  assert.equal(audited.data?.transaction.request.message.transaction_id, 'txn-listed');
  assert.equal(audited.data?.transaction.response.header.action, 'on-search');

  const operator = await gql(detail, { id }, { token: tokens.operator });
  assert.equal(errorCode(operator), 'FORBIDDEN');
  assert.deepEqual(operator.data?.transaction, { id, operation: 'search', request: null, response: null }, 'the rest of the record is still shown');
  const withoutBodies = await gql('query($id: ID!) { transaction(id: $id) { id operation } }', { id }, { token: tokens.operator });
  assert.deepEqual(withoutBodies.data?.transaction, { id, operation: 'search' });
  assert.equal((await gql(detail, { id: 'not-an-id' }, { token: tokens.auditor })).data?.transaction, null);
});
