import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestSender, DciTestClient, searchItem } from '../testing/dci-client.js';
import { createStaffPerRole } from '../testing/graphql-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

let server: TestServer;
let tokens: Record<string, string>;
let senderId: string;
let senderToken: string;

const BULK_SENDER = 'bulk-sender';
const BULK_ROWS = 20_000;

before(async () => {
  server = await startTestServer();
  ({ tokens } = await createStaffPerRole(server));
  const sender = await createTestSender(server.ctx);
  senderId = sender.senderId;
  const client = new DciTestClient(server.baseUrl, sender);
  const search = { transaction_id: 'txn-exported', search_request: [searchItem('r1', { reg_record_type: 'Person', query_type: 'idtype-value', query: { type: 'UIN', value: '123' } })] };
  for (let i = 0; i < 2; i++) assert.equal((await client.send('/registry/sync/search', 'search', search, 'search_request')).status, 200);
  assert.equal((await client.post('/registry/sync/search', {}, { token: null })).status, 401);
  senderToken = await client.accessToken();
  // Bulk rows, each ~1 KB (a long correlation id) so the whole export (~20 MB) cannot hide in socket buffers.
  await server.ctx.db.pool.query(
    `INSERT INTO dci_transaction (sender_id, operation, endpoint, http_status, dci_status, duration_ms, correlation_id, created_at)
     SELECT $1, 'search', '/registry/sync/search', 200, 'succ', 3, 'bulk-' || i || '-' || repeat('x', 1000), now() - make_interval(secs => i)
     FROM generate_series(1, $2) AS i`,
    [BULK_SENDER, BULK_ROWS],
  );
});
after(() => server.close());

const exportUrl = (query: Record<string, string>) => `${server.baseUrl}/admin-api/transactions/export?${new URLSearchParams(query)}`;
const get = (query: Record<string, string>, token?: string) => fetch(exportUrl(query), { headers: token ? { authorization: `Bearer ${token}` } : {} });

/** Backends holding the export's cursor open (idle in its read-only transaction between fetches). */
async function openExportCursors(): Promise<number> {
  const { rows } = await server.ctx.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE 'FETCH % FROM audit_export' AND state LIKE 'idle in transaction%'`);
  return rows[0]!.n;
}

/** Polls `check`, at most 200 times 100 ms apart (a busy shared machine can be slow). */
async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await sleep(100);
  }
  assert.fail(`timed out waiting for ${what}`);
}

test('CSV: a header, then one line per matching record, newest first, filtered like the GraphQL list', async () => {
  const res = await get({ format: 'csv', senderId }, tokens.operator);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type')!, /^text\/csv/);
  assert.match(res.headers.get('content-disposition')!, /^attachment; filename="transactions-.*\.csv"$/);
  const lines = (await res.text()).trimEnd().split('\r\n');
  assert.equal(lines[0], 'id,createdAt,senderId,operation,endpoint,httpStatus,dciStatus,reasonCode,durationMs,transactionId,messageId,correlationId,clientAddress,asyncStatus,completedCount,totalCount,callbackStatus');
  assert.equal(lines.length, 3, lines.join('\n'));
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    assert.equal(cells[2], senderId);
    assert.equal(cells[3], 'search');
    assert.equal(cells[6], 'succ');
    assert.equal(cells[9], 'txn-exported');
  }
  assert.ok(lines[1]!.split(',')[1]! >= lines[2]!.split(',')[1]!, 'newest first');

  const refused = (await (await get({ format: 'csv', httpStatus: '401' }, tokens.auditor)).text()).trimEnd().split('\r\n');
  assert.equal(refused.length, 2);
  assert.match(refused[1]!, /,401,rjct,err\.auth\.missing_token,/);
});

test('NDJSON: one JSON object per line; "any id" finds a record by its transaction id', async () => {
  const res = await get({ format: 'ndjson', anyId: 'txn-exported' }, tokens.admin);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type')!, /^application\/x-ndjson/);
  const body = await res.text();
  assert.ok(body.endsWith('\n'));
  const records = body.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.equal(records.length, 2);
  for (const record of records) {
    assert.equal(record.senderId, senderId);
    assert.equal(record.transactionId, 'txn-exported');
    assert.equal(record.httpStatus, 200);
    assert.equal(record.request, undefined, 'bodies are not exported');
  }
});

test('CSV cells a spreadsheet would run as formulas, or that hold commas and quotes, are escaped', async () => {
  await server.ctx.db.pool.query(`INSERT INTO dci_transaction (sender_id, operation, endpoint, http_status, dci_status, duration_ms, transaction_id) VALUES ('odd-sender', 'search', '/x', 200, 'succ', 1, $1)`, ['=HYPERLINK("x"),y']);
  const lines = (await (await get({ senderId: 'odd-sender' }, tokens.operator)).text()).trimEnd().split('\r\n');
  assert.ok(lines[1]!.includes(`,"'=HYPERLINK(""x""),y",`), lines[1]);
});

test('who may export: staff only; anonymous and a sender\'s DCI token get 401; bad filters get 400', async () => {
  const anonymous = await get({ format: 'csv' });
  assert.equal(anonymous.status, 401);
  assert.equal(((await anonymous.json()) as { error: string }).error, 'unauthenticated');
  assert.equal((await get({ format: 'csv' }, senderToken)).status, 401);
  assert.equal((await get({ format: 'csv' }, 'dcis_not-a-token')).status, 401);

  const bads: Record<string, string>[] = [{ format: 'xml' }, { httpStatus: 'abc' }, { from: 'yesterday' }, { sender: 'x' }];
  for (const bad of bads) {
    const res = await get(bad, tokens.operator);
    assert.equal(res.status, 400, JSON.stringify(bad));
    assert.equal(((await res.json()) as { error: string }).error, 'invalid_request');
  }
});

test('a large export streams from a database cursor: it starts before the last row is read, and a client that leaves closes the cursor', async () => {
  const res = await get({ format: 'csv', senderId: BULK_SENDER }, tokens.operator);
  assert.equal(res.status, 200);
  const reader = res.body!.getReader();
  const first = await reader.read();
  assert.ok(first.value && first.value.length > 0);
  // The client reads no further: the server holds the cursor open with most rows still unread.
  await waitFor(async () => (await openExportCursors()) === 1, 'the export to wait on the client with its cursor open');

  // Count line ends in the raw bytes: a "\r\n" may be split across two chunks.
  const newlines = (chunk: Uint8Array) => chunk.reduce((n, byte) => n + (byte === 0x0a ? 1 : 0), 0);
  let bytes = first.value.length;
  let lines = newlines(first.value);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.length;
    lines += newlines(value);
  }
  assert.equal(lines, BULK_ROWS + 1, 'header and every row');
  assert.ok(bytes > 20_000_000, `${bytes} bytes`);
  await waitFor(async () => (await openExportCursors()) === 0, 'the cursor to close after the export');

  const leaving = await get({ format: 'ndjson', senderId: BULK_SENDER }, tokens.operator);
  const leavingReader = leaving.body!.getReader();
  await leavingReader.read();
  await waitFor(async () => (await openExportCursors()) === 1, 'the second export to start');
  await leavingReader.cancel();
  await waitFor(async () => (await openExportCursors()) === 0, 'the cursor to close when the client leaves');
  const { rows } = await server.ctx.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE \'idle in transaction%\'');
  assert.equal(rows[0]!.n, 0, 'no connection is left in a transaction');
});

test('a download cut by a database failure ends in an error, never a short file that looks complete', async () => {
  const res = await get({ format: 'csv', senderId: BULK_SENDER }, tokens.admin);
  const reader = res.body!.getReader();
  await reader.read();
  await waitFor(async () => (await openExportCursors()) === 1, 'the export to wait on the client');
  await server.ctx.db.pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'FETCH % FROM audit_export'`);
  let lines = 0;
  const decoder = new TextDecoder();
  const outcome = await (async () => {
    for (let i = 0; i < 100_000; i++) {
      const { done, value } = await reader.read();
      if (done) return 'ended';
      lines += decoder.decode(value, { stream: true }).split('\r\n').length - 1;
    }
    return 'too long';
  })().catch(() => 'failed');
  assert.equal(outcome, 'failed', `the body ${outcome} after ${lines} lines`);
  assert.ok(lines < BULK_ROWS);

  // The broken connection left the pool; the next export is whole.
  const again = await (await get({ format: 'ndjson', senderId: BULK_SENDER }, tokens.admin)).text();
  assert.equal(again.trimEnd().split('\n').length, BULK_ROWS);
});
