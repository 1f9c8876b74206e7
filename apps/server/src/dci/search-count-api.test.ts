import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { validateOutbound } from '@dci-server/dci';
import { seedDemoRegistry } from '../registry/seed.js';
import { createTestSender, DciTestClient, searchItem } from '../testing/dci-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

let server: TestServer;
let client: DciTestClient;
let females: number;

before(async () => {
  server = await startTestServer({ SYNC_EXACT_COUNT_LIMIT: '5' });
  await seedDemoRegistry(server.ctx.db.pool, 60);
  client = new DciTestClient(server.baseUrl, await createTestSender(server.ctx));
  females = (await server.ctx.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM person WHERE sex = 'female'`)).rows[0]!.n;
});
after(() => server.close());

const sexSearch = (sex: string, page_size: number, page_number: number) =>
  searchItem(`${sex}-${page_number}`, {
    reg_record_type: 'Person',
    query_type: 'expression',
    query: { type: 'ns:org:QueryType:expression', value: { expression: { collection: 'Person', query: { sex } } } },
    pagination: { page_size, page_number },
  });

async function syncSearch(items: Record<string, unknown>[]) {
  const reply = await client.send('/registry/sync/search', 'search', { transaction_id: `count-${Math.random()}`, search_request: items }, 'search_request');
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  const valid = validateOutbound('sync-search-response', reply.body);
  assert.ok(valid.ok, valid.ok ? '' : valid.errors.join('\n'));
  return reply.body.message.search_response as { status: string; pagination: Record<string, unknown>; data: { reg_records: unknown[] } }[];
}

test('beyond SYNC_EXACT_COUNT_LIMIT matches, total_count is flagged as an estimate, at least what the page proves', async () => {
  assert.ok(females > 8, 'more females than the limit and one page');
  const [first] = await syncSearch([sexSearch('female', 3, 1)]);
  assert.equal(first!.status, 'succ');
  assert.equal(first!.data.reg_records.length, 3);
  assert.equal(first!.pagination.total_count_estimated, true);
  assert.ok(Number(first!.pagination.total_count) >= 6, JSON.stringify(first!.pagination));
});

test('the page holding the last match, and searches within the limit, answer the exact count without the flag', async () => {
  const lastPage = Math.ceil(females / 3);
  const [last, unknownSex] = await syncSearch([sexSearch('female', 3, lastPage), sexSearch('unknown', 3, 1)]);
  assert.deepEqual(last!.pagination, { page_size: 3, page_number: lastPage, total_count: females });
  assert.equal(last!.data.reg_records.length, females - (lastPage - 1) * 3);
  assert.deepEqual(unknownSex!.pagination, { page_size: 3, page_number: 1, total_count: 0 });
});
