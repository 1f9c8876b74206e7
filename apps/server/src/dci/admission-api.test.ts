/**
 * The request path admits a call in one statement (rate window, replay receipt, daily quota) and
 * groups the audit records of concurrent calls into one commit. The guarantees stay: a replay is
 * refused (409) however it is timed, every call has exactly one audit record, a replay costs no
 * quota, a refused call still counts against the rate limit, and no answer leaves unaudited.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { createTestSender, DciTestClient, searchItem, type Reply } from '../testing/dci-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

let server: TestServer;
before(async () => {
  server = await startTestServer({ RATE_LIMIT_PER_MINUTE: '0', SYNC_MAX_IN_FLIGHT_PER_SENDER: '16' });
});
after(() => server.close());

const PATH = '/registry/sync/search';
const message = () => ({ transaction_id: `t-${randomUUID()}`, search_request: [searchItem('r', { query_type: 'idtype-value', query: { type: 'UIN', value: 'none' } })] });

async function newClient(): Promise<DciTestClient> {
  return new DciTestClient(server.baseUrl, await createTestSender(server.ctx));
}

async function signed(client: DciTestClient, header: Record<string, unknown> = {}): Promise<{ signature: string; header: { message_id: string }; message: unknown }> {
  return (await client.envelope(client.header('search', 1, header), message())) as { signature: string; header: { message_id: string }; message: unknown };
}

async function auditRows(messageId: string): Promise<{ dci_status: string; http_status: number }[]> {
  return (await server.ctx.db.pool.query('SELECT dci_status, http_status FROM dci_transaction WHERE message_id = $1 ORDER BY http_status', [messageId])).rows;
}

const code = (reply: Reply) => reply.body.errors?.[0]?.code as string | undefined;

test('a replayed message_id is refused with 409, and each of the two calls has one audit record', async () => {
  const client = await newClient();
  const body = await signed(client);
  assert.equal((await client.post(PATH, body)).status, 200);
  const replay = await client.post(PATH, body);
  assert.equal(replay.status, 409);
  assert.equal(code(replay), 'rjct.message_id.duplicate');
  assert.deepEqual(await auditRows(body.header.message_id), [
    { dci_status: 'succ', http_status: 200 },
    { dci_status: 'rjct', http_status: 409 },
  ]);
});

test('the same message sent six times at once is answered once; six audit records, one receipt', async () => {
  const client = await newClient();
  const body = await signed(client);
  const replies = await Promise.all(Array.from({ length: 6 }, () => client.post(PATH, body)));
  assert.deepEqual(replies.map((r) => r.status).sort(), [200, 409, 409, 409, 409, 409]);
  const rows = await auditRows(body.header.message_id);
  assert.equal(rows.length, 6);
  assert.equal(rows.filter((r) => r.dci_status === 'succ').length, 1);
  const receipts = await server.ctx.db.pool.query('SELECT 1 FROM message_receipt WHERE message_id = $1', [body.header.message_id]);
  assert.equal(receipts.rowCount, 1);
});

test('a replay uses none of the daily quota; the quota still refuses beyond it', async () => {
  const client = await newClient();
  await server.ctx.db.pool.query('UPDATE data_sharing_agreement SET daily_quota = 2 WHERE sender_id = (SELECT id FROM sender WHERE sender_id = $1)', [client.sender.senderId]);
  const first = await signed(client);
  assert.equal((await client.post(PATH, first)).status, 200);
  assert.equal((await client.post(PATH, first)).status, 409);
  assert.equal((await client.post(PATH, await signed(client))).status, 200);
  const over = await client.post(PATH, await signed(client));
  assert.equal(over.status, 429);
  assert.equal(code(over), 'err.quota.exceeded');
  const used = await server.ctx.db.pool.query<{ used: number }>('SELECT used FROM agreement_quota_usage WHERE sender_id = $1', [client.sender.senderId]);
  assert.equal(used.rows[0]!.used, 2);
});

test('calls refused before admission (bad signature) still count against the rate limit', async () => {
  const client = await newClient();
  await server.ctx.db.pool.query('UPDATE sender SET rate_limit_per_minute = 2 WHERE sender_id = $1', [client.sender.senderId]);
  // All in one one-minute window: start early enough in it.
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 50_000) await new Promise((resolve) => setTimeout(resolve, 60_500 - intoMinute));
  for (let i = 0; i < 2; i++) {
    const tampered = { ...(await signed(client)), signature: 'nonsense' };
    assert.equal((await client.post(PATH, tampered)).status, 401);
  }
  const limited = await client.post(PATH, await signed(client));
  assert.equal(limited.status, 429);
  assert.equal(code(limited), 'err.rate_limited');
  // Refused by the rate limit, the message_id was not spent.
  const receipts = await server.ctx.db.pool.query('SELECT 1 FROM message_receipt WHERE sender_id = $1', [client.sender.senderId]);
  assert.equal(receipts.rowCount, 0);
});

test('when its audit record cannot be written, a call gets no success answer; calls audited in the same group are not affected', async () => {
  const client = await newClient();
  await server.ctx.db.pool.query(`CREATE FUNCTION refuse_test_audit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW.message_id LIKE 'audit-fails-%' THEN RAISE EXCEPTION 'audit refused by the test'; END IF; RETURN NEW; END $$`);
  await server.ctx.db.pool.query('CREATE TRIGGER refuse_test_audit BEFORE INSERT ON dci_transaction FOR EACH ROW EXECUTE FUNCTION refuse_test_audit()');
  try {
    const alone = await client.post(PATH, await signed(client, { message_id: `audit-fails-${randomUUID()}` }));
    assert.equal(alone.status, 503);
    assert.equal(code(alone), 'err.service.unavailable');
    assert.equal(alone.body.message?.search_response, undefined);
    assert.equal(alone.body.signature, undefined);

    // Several at once: their records go in groups; the refused one fails only its own call.
    const bodies = await Promise.all(Array.from({ length: 8 }, (_, i) => signed(client, i === 3 ? { message_id: `audit-fails-${randomUUID()}` } : {})));
    const replies = await Promise.all(bodies.map((body) => client.post(PATH, body)));
    assert.deepEqual(
      replies.map((r) => r.status),
      bodies.map((_, i) => (i === 3 ? 503 : 200)),
    );
    for (const [i, body] of bodies.entries()) assert.equal((await auditRows(body.header.message_id)).length, i === 3 ? 0 : 1);
  } finally {
    await server.ctx.db.pool.query('DROP TRIGGER refuse_test_audit ON dci_transaction');
  }
});
