import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestSender, DciTestClient, searchItem } from '../testing/dci-client.js';
import { createStaffPerRole, errorCode, graphqlClient, type GraphqlCaller } from '../testing/graphql-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { bucketMinutes } from './dashboard.js';

let server: TestServer;
let gql: GraphqlCaller;
let tokens: Record<string, string>;

before(async () => {
  server = await startTestServer();
  gql = graphqlClient(server);
  ({ tokens } = await createStaffPerRole(server));
});
after(() => server.close());

test('buckets give about 48 bars whatever the window', () => {
  const at = (hours: number) => new Date(Date.UTC(2026, 0, 1) + hours * 3_600_000);
  assert.equal(bucketMinutes(at(0), at(1)), 5);
  assert.equal(bucketMinutes(at(0), at(24)), 30);
  assert.equal(bucketMinutes(at(0), at(24 * 7)), 360);
});

test('the dashboard counts requests, errors, backlog, dead letters, expiring keys and unsigned senders', async () => {
  const busy = await createTestSender(server.ctx, 'busy-sender');
  const client = new DciTestClient(server.baseUrl, busy);
  const search = { transaction_id: 't', search_request: [searchItem('r', { reg_record_type: 'Person', query_type: 'idtype-value', query: { type: 'UIN', value: '1' } })] };
  for (let i = 0; i < 3; i++) assert.equal((await client.send('/registry/sync/search', 'search', search, 'search_request')).status, 200);
  assert.equal((await client.post('/registry/sync/search', {}, { token: null })).status, 401);
  await server.ctx.db.pool.query(`UPDATE sender SET allow_unsigned = true WHERE sender_id = 'busy-sender'`);
  await server.ctx.db.pool.query(`UPDATE sender_key SET not_after = now() + interval '3 days' WHERE key_id = 'busy-sender-key'`);

  const reply = await gql(
    `{ dashboard { bucketMinutes requestCount errorCount errorRate p50Ms p95Ms asyncBacklog requests { operation dciStatus httpStatus count }
       topSenders { senderId requests errors } deliveries { pending failed dead } expiringSenderKeys { senderId keyId } unsignedSenders } }`,
    {},
    { token: tokens.auditor },
  );
  assert.equal(reply.errors, undefined, JSON.stringify(reply.errors));
  const d = reply.data!.dashboard;
  assert.equal(d.bucketMinutes, 30, 'a 24-hour window in 30-minute bars');
  assert.equal(d.requestCount, 4);
  assert.equal(d.errorCount, 1);
  assert.equal(d.errorRate, 0.25);
  assert.ok(d.p95Ms >= d.p50Ms);
  assert.deepEqual(d.topSenders, [{ senderId: 'busy-sender', requests: 3, errors: 0 }]);
  const succeeded = d.requests.filter((b: { dciStatus: string }) => b.dciStatus === 'succ').reduce((n: number, b: { count: number }) => n + b.count, 0);
  assert.equal(succeeded, 3);
  assert.equal(d.asyncBacklog, 0);
  assert.deepEqual(d.deliveries, { pending: 0, failed: 0, dead: 0 });
  assert.deepEqual(d.expiringSenderKeys, [{ senderId: 'busy-sender', keyId: 'busy-sender-key' }]);
  assert.deepEqual(d.unsignedSenders, ['busy-sender']);

  assert.equal(errorCode(await gql('{ dashboard { requestCount } }')), 'UNAUTHENTICATED');
});
