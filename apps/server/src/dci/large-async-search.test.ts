import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { validateOutbound } from '@dci-server/dci';
import { seedDemoRegistry } from '../registry/seed.js';
import { startCallbackReceiver } from '../testing/callback-receiver.js';
import { createTestSender, DciTestClient, searchItem } from '../testing/dci-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

let server: TestServer;
let client: DciTestClient;

before(async () => {
  server = await startTestServer({ ASYNC_CHUNK_SIZE: '100' }, { worker: true });
  await seedDemoRegistry(server.ctx.db.pool, 1000);
  client = new DciTestClient(server.baseUrl, await createTestSender(server.ctx));
});
after(() => server.close());

test('a large async search streams its records in chunk callbacks, then the answer; progress is visible', async () => {
  const receiver = await startCallbackReceiver();
  try {
    const everyone = { value: { expression: { collection: 'Person', query: { sex: { $in: ['male', 'female'] } } } } };
    const reply = await client.send(
      '/registry/search',
      'search',
      { transaction_id: 'big-1', search_request: [searchItem('all', { reg_record_type: 'Person', query_type: 'expression', query: everyone, sort: [{ attribute_name: 'birth_date', sort_order: 'asc' }], pagination: { page_size: 650 } })] },
      'search_request',
      { sender_uri: receiver.url },
    );
    assert.equal(reply.status, 202, JSON.stringify(reply.body));
    const callbacks = await receiver.waitFor(8, 30_000);
    for (const c of callbacks) assert.ok(validateOutbound('on-search', c.body).ok);
    const chunks = callbacks.slice(0, 7).map((c) => c.body.message.search_response[0]);
    assert.deepEqual(chunks.map((c) => c.data.reg_records.length), [100, 100, 100, 100, 100, 100, 50]);
    const uins = new Set(chunks.flatMap((c) => c.data.reg_records.map((r: { identifier: { identifier_value: string }[] }) => r.identifier[0]!.identifier_value)));
    assert.equal(uins.size, 650, 'no record twice');
    const births = chunks.flatMap((c) => c.data.reg_records.map((r: { birth_date: string }) => r.birth_date));
    assert.deepEqual(births, [...births].sort(), 'the sort holds across chunks');
    assert.deepEqual(callbacks.map((c) => c.body.header.completed_count), [100, 200, 300, 400, 500, 600, 650, 650]);
    const last = callbacks[7]!.body.message.search_response[0];
    assert.equal(last.pagination.total_count, 1000);
    assert.equal(last.data, undefined, 'the closing answer carries the totals, not the records again');

    const progress = async () =>
      (
        await server.ctx.db.pool.query<{ completed_count: number; total_count: number; chunks_sent: number; async_status: string }>(
          'SELECT completed_count, total_count, chunks_sent, async_status FROM dci_transaction WHERE correlation_id = $1',
          [reply.body.message.correlation_id],
        )
      ).rows[0];
    const deadline = Date.now() + 5000;
    while ((await progress())?.async_status !== 'completed' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(await progress(), { completed_count: 650, total_count: 650, chunks_sent: 7, async_status: 'completed' });
  } finally {
    await receiver.close();
  }
});
