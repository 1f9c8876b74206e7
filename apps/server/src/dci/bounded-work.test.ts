import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import type pg from 'pg';
import { seedDemoRegistry } from '../registry/seed.js';
import { createTestSender, DciTestClient, searchItem } from '../testing/dci-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

// Small limits so that each bound is reached with a few requests.
const LIMITS = { SYNC_MAX_ITEMS: '3', SYNC_MAX_RECORDS: '50', SYNC_MAX_IN_FLIGHT_PER_SENDER: '1', STATEMENT_TIMEOUT_MS: '60000', RATE_LIMIT_PER_MINUTE: '0' };

let server: TestServer;
let quickTimeout: TestServer;
let client: DciTestClient;

before(async () => {
  [server, quickTimeout] = await Promise.all([startTestServer(LIMITS), startTestServer({ ...LIMITS, STATEMENT_TIMEOUT_MS: '300' })]);
  await seedDemoRegistry(server.ctx.db.pool, 100);
  client = new DciTestClient(server.baseUrl, await createTestSender(server.ctx));
});
after(() => Promise.all([server.close(), quickTimeout.close()]));

const everyone = (referenceId: string, pageSize = 20) =>
  searchItem(referenceId, {
    reg_record_type: 'Person',
    query_type: 'expression',
    query: { type: 'ns:org:QueryType:expression', value: { expression: { collection: 'Person', query: { sex: { $in: ['male', 'female'] } } } } },
    pagination: { page_size: pageSize },
  });

const message = (items: unknown[]) => ({ transaction_id: `txn-${randomUUID()}`, search_request: items });

/** A bound for requests that would wait on a held lock forever if a limit failed to act. */
const patience = () => AbortSignal.timeout(20_000);

/** Sends a sync search now; the reply is awaited later (or never, when `signal` aborts it). */
async function startSearch(from: DciTestClient, items: unknown[], signal: AbortSignal = patience()): Promise<{ messageId: string; reply: Promise<Response> }> {
  const header = from.header('search', items.length);
  const body = JSON.stringify(await from.envelope(header, message(items)));
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${await from.accessToken()}` };
  return { messageId: header.message_id, reply: fetch(`${from.baseUrl}/registry/sync/search`, { method: 'POST', headers, body, signal }) };
}

/** Holds an exclusive lock on the person table until released: searches wait on it, visibly. */
async function lockPersons(target: TestServer): Promise<{ release(): Promise<void> }> {
  const lock = await target.ctx.db.pool.connect();
  await lock.query('BEGIN');
  await lock.query('LOCK TABLE person IN ACCESS EXCLUSIVE MODE');
  return {
    async release() {
      await lock.query('ROLLBACK');
      lock.release();
    },
  };
}

/** How many of the server's queries are waiting on a lock, i.e. searches blocked by lockPersons. */
async function waitingSearches(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%person%' AND pid <> pg_backend_pid()",
  );
  return rows[0]!.n;
}

/** Polls until `check` holds: at most 10 s, every 50 ms. */
async function eventually(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`never happened: ${what}`);
}

test('more items than SYNC_MAX_ITEMS: refused with rjct.total_count.limit_exceeded before any work; the async endpoint takes them', async () => {
  const items = [everyone('a'), everyone('b'), everyone('c'), everyone('d')];
  const header = client.header('search', items.length);
  const refused = await client.post('/registry/sync/search', await client.envelope(header, message(items)));
  assert.equal(refused.status, 400, JSON.stringify(refused.body));
  assert.equal(refused.body.errors[0].code, 'rjct.total_count.limit_exceeded');
  assert.match(refused.body.errors[0].message, /at most 3 items .*async endpoint/);
  // Refused before the replay check: the same message_id, cut down to the limit, is answered.
  const fitting = await client.post('/registry/sync/search', await client.envelope({ ...header, total_count: 3 }, message(items.slice(0, 3))));
  assert.equal(fitting.status, 200, JSON.stringify(fitting.body));

  const asyncReply = await client.send('/registry/search', 'search', message(items), 'search_request', { sender_uri: 'http://127.0.0.1:9/cb' });
  assert.equal(asyncReply.status, 202, JSON.stringify(asyncReply.body));
});

test('a sync answer holds at most SYNC_MAX_RECORDS records: an item that would go over is rejected and told to page or go async', async () => {
  const reply = await client.send('/registry/sync/search', 'search', message([everyone('first', 30), everyone('too-big', 30), everyone('fits', 20)]), 'search_request');
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  const [first, tooBig, fits] = reply.body.message.search_response;
  assert.deepEqual([first.status, first.data.reg_records.length], ['succ', 30]);
  assert.equal(tooBig.status, 'rjct');
  assert.equal(tooBig.status_reason_code, 'rjct.search.too_many_records_found');
  assert.match(tooBig.status_reason_message, /at most 50 in all .*page_size.*async endpoint/);
  assert.equal(tooBig.data, undefined);
  assert.deepEqual([fits.status, fits.data.reg_records.length], ['succ', 20]);
});

test('a search slower than STATEMENT_TIMEOUT_MS is cancelled and its item rejected with rjct.search.timeout', async () => {
  const sender = new DciTestClient(quickTimeout.baseUrl, await createTestSender(quickTimeout.ctx));
  const lock = await lockPersons(quickTimeout);
  try {
    const reply = await (await startSearch(sender, [everyone('slow')])).reply;
    const body = (await reply.json()) as { message: { search_response: Record<string, string>[] } };
    assert.equal(reply.status, 200, JSON.stringify(body));
    const [item] = body.message.search_response;
    assert.equal(item!.status, 'rjct');
    assert.match(item!.status_reason_message!, /^rjct\.search\.timeout: The search took longer than 300 ms/);
    assert.equal(await waitingSearches(quickTimeout.ctx.db.pool), 0);
  } finally {
    await lock.release();
  }
});

test('when the client disconnects, its running query is cancelled and the remaining items are not run', async () => {
  const sender = new DciTestClient(server.baseUrl, await createTestSender(server.ctx));
  await sender.accessToken();
  const lock = await lockPersons(server);
  let messageId = '';
  try {
    const disconnect = new AbortController();
    const started = await startSearch(sender, [everyone('x'), everyone('y'), everyone('z')], disconnect.signal);
    messageId = started.messageId;
    started.reply.catch(() => {}); // aborted below
    await eventually('the search waits on the lock', async () => (await waitingSearches(server.ctx.db.pool)) === 1);
    disconnect.abort();
    // Still locked: only a cancel can end the waiting query.
    await eventually('the abandoned query is cancelled', async () => (await waitingSearches(server.ctx.db.pool)) === 0);
  } finally {
    await lock.release();
  }
  await eventually('the request is audited as aborted', async () => {
    const { rows } = await server.ctx.db.pool.query<{ reason_code: string; http_status: number }>('SELECT reason_code, http_status FROM dci_transaction WHERE message_id = $1', [messageId]);
    return rows.length === 1 && rows[0]!.reason_code === 'err.request.aborted' && rows[0]!.http_status === 499;
  });
});

test("a sender over its cap of sync requests in flight gets 429 with Retry-After; another sender's requests are still admitted", async () => {
  const heavy = new DciTestClient(server.baseUrl, await createTestSender(server.ctx));
  const other = new DciTestClient(server.baseUrl, await createTestSender(server.ctx));
  await Promise.all([heavy.accessToken(), other.accessToken()]);
  const lock = await lockPersons(server);
  let released = false;
  try {
    const first = await startSearch(heavy, [everyone('h1')]);
    await eventually("the heavy sender's first search is running", async () => (await waitingSearches(server.ctx.db.pool)) === 1);

    const second = await (await startSearch(heavy, [everyone('h2')])).reply;
    const refusal = (await second.json()) as { errors: { code: string; message: string }[] };
    assert.equal(second.status, 429, JSON.stringify(refusal));
    assert.equal(refusal.errors[0]!.code, 'err.rate_limited');
    assert.match(refusal.errors[0]!.message, /already has 1 sync requests in progress/);
    assert.ok(Number(second.headers.get('retry-after')) >= 1);

    const others = await startSearch(other, [everyone('o1')]);
    await eventually("the other sender's search is admitted and running too", async () => (await waitingSearches(server.ctx.db.pool)) === 2);
    await lock.release();
    released = true;
    assert.deepEqual((await Promise.all([first.reply, others.reply])).map((r) => r.status), [200, 200]);
  } finally {
    if (!released) await lock.release();
  }
  // The slot is free again once the answer has gone.
  const again = await heavy.send('/registry/sync/search', 'search', message([everyone('h3')]), 'search_request');
  assert.equal(again.status, 200, JSON.stringify(again.body));
});
