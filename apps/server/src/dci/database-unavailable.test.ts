import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { createTestSender, DciTestClient, searchItem } from '../testing/dci-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

// Found by killing PostgreSQL under load: a query that failed because the database went away,
// followed by an audit write that succeeded once it was back, answered 500 err.internal.
// The database going away is never the sender's fault nor a bug: 503, with Retry-After.
let server: TestServer;
let client: DciTestClient;

before(async () => {
  server = await startTestServer();
  client = new DciTestClient(server.baseUrl, await createTestSender(server.ctx));
  // What PostgreSQL says to a session it terminates (57P01 admin_shutdown), on the replay check only:
  // the audit record that follows is written as usual.
  await server.ctx.db.pool.query(`
    CREATE FUNCTION fail_like_a_restart() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'terminating connection due to administrator command' USING ERRCODE = '57P01'; END $$;
    CREATE TRIGGER fail_like_a_restart BEFORE INSERT ON message_receipt FOR EACH ROW EXECUTE FUNCTION fail_like_a_restart();`);
});
after(() => server.close());

test('the database failing mid-request → 503 err.service.unavailable with Retry-After, one audit record saying so', async () => {
  const message = { transaction_id: randomUUID(), search_request: [searchItem('r1', { query_type: 'idtype-value', query: { type: 'UIN', value: '1' } })] };
  const reply = await client.send('/registry/sync/search', 'search', message, 'search_request');
  assert.equal(reply.status, 503, JSON.stringify(reply.body));
  assert.equal(reply.body.errors[0].code, 'err.service.unavailable');
  assert.equal(reply.body.message.error.code, 'err.service.unavailable');
  assert.ok(Number(reply.headers.get('retry-after')) > 0);
  const { rows } = await server.ctx.db.pool.query('SELECT http_status, reason_code FROM dci_transaction WHERE correlation_id = $1', [reply.body.message.correlation_id]);
  assert.deepEqual(rows, [{ http_status: 503, reason_code: 'err.service.unavailable' }]);
});
