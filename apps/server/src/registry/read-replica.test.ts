import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestDatabase, openOrm } from '@dci-server/db';
import pg from 'pg';
import { upsertPerson } from './registry-writes.js';
import { createTestSender, DciTestClient, searchItem } from '../testing/dci-client.js';
import { createStaffPerRole, graphqlClient } from '../testing/graphql-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

// DATABASE_READ_URL: registry searches go to the read replica, everything else to the primary.
// The "replica" here is a second database holding a person the primary does not have, so that
// where each answer came from shows.
let server: TestServer;
let replicaUrl: string;
const ONLY_ON_REPLICA = { type: 'UIN', value: 'REPLICA-ONLY-1' };

before(async () => {
  replicaUrl = await createTestDatabase();
  const orm = await openOrm(replicaUrl, { logger: () => {} });
  try {
    await orm.em.fork().transactional((em) =>
      upsertPerson(em, { identifiers: [ONLY_ON_REPLICA], givenName: 'Read', surname: 'Replica', sex: 'female', birthDate: '1980-02-03', phoneNumbers: [], emails: [] }),
    );
  } finally {
    await orm.close(true);
  }
  server = await startTestServer({ DATABASE_READ_URL: replicaUrl });
});
after(() => server.close());

const personSearch = (transactionId: string) => ({
  transaction_id: transactionId,
  search_request: [searchItem('r1', { reg_record_type: 'Person', query_type: 'idtype-value', query: ONLY_ON_REPLICA })],
});

test('a DCI sync search reads the replica; its audit record is written to the primary', async () => {
  const sender = await createTestSender(server.ctx);
  const client = new DciTestClient(server.baseUrl, sender);
  const reply = await client.send('/registry/sync/search', 'search', personSearch('txn-read-replica'), 'search_request');
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  const item = reply.body.message.search_response[0];
  assert.equal(item.status, 'succ', JSON.stringify(item));
  assert.equal(item.data.reg_records.length, 1, 'found on the replica');
  assert.equal(item.data.reg_records[0].name.given_name, 'Read');

  const primary = await server.ctx.db.pool.query(`SELECT 1 FROM person_identifier WHERE identifier_value = $1`, [ONLY_ON_REPLICA.value]);
  assert.equal(primary.rowCount, 0, 'the primary does not hold that person');
  const replica = new pg.Client({ connectionString: replicaUrl });
  await replica.connect();
  try {
    const audit = { primary: await server.ctx.db.pool.query(`SELECT 1 FROM dci_transaction WHERE transaction_id = 'txn-read-replica'`), replica: await replica.query(`SELECT 1 FROM dci_transaction WHERE transaction_id = 'txn-read-replica'`) };
    assert.equal(audit.primary.rowCount, 1, 'audited on the primary');
    assert.equal(audit.replica.rowCount, 0, 'nothing written to the replica');
  } finally {
    await replica.end();
  }
});

test('GraphQL registry searches and reads go to the replica', async () => {
  const { tokens } = await createStaffPerRole(server);
  const gql = graphqlClient(server);
  const found = await gql(`query($type: String, $value: String) { registryPersons(identifierType: $type, identifierValue: $value) { totalCount edges { node { id givenName } } } }`, { type: ONLY_ON_REPLICA.type, value: ONLY_ON_REPLICA.value }, { token: tokens.auditor });
  assert.equal(found.errors, undefined, JSON.stringify(found.errors));
  assert.equal(found.data?.registryPersons.totalCount, 1);
  const id = found.data?.registryPersons.edges[0].node.id;
  const byId = await gql(`query($id: ID!) { registryPerson(id: $id) { givenName } }`, { id }, { token: tokens.auditor });
  assert.equal(byId.data?.registryPerson?.givenName, 'Read');
});

test('without DATABASE_READ_URL the searches use the primary', async () => {
  const plain = await startTestServer();
  try {
    assert.equal(plain.ctx.db.readPool, plain.ctx.db.pool);
    const client = new DciTestClient(plain.baseUrl, await createTestSender(plain.ctx));
    const reply = await client.send('/registry/sync/search', 'search', personSearch('txn-primary'), 'search_request');
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.equal(reply.body.message.search_response[0].data.reg_records.length, 0, 'not on the primary');
  } finally {
    await plain.close();
  }
});
