import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { SenderSchema } from '@dci-server/db';
import { startCallbackReceiver } from '../testing/callback-receiver.js';
import { createTestSender, DciTestClient, searchItem } from '../testing/dci-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

let server: TestServer;
let receiver: Awaited<ReturnType<typeof startCallbackReceiver>>;
/** By name, as senders register it: an IP literal is refused before any socket is chosen. */
let origin: string;

before(async () => {
  [server, receiver] = await Promise.all([startTestServer({}, { worker: true }), startCallbackReceiver()]);
  origin = receiver.url.replace('127.0.0.1', 'localhost');
});
after(() => Promise.all([server.close(), receiver.close()]));

const asyncSearch = (client: DciTestClient, transactionId: string) =>
  client.send('/registry/search', 'search', { transaction_id: transactionId, search_request: [searchItem('r', { query_type: 'idtype-value', query: { type: 'UIN', value: 'none' } })] }, 'search_request', {
    sender_uri: origin,
  });

async function callbackOutcome(transactionId: string): Promise<{ callback_status: string | null; callback_attempts: number; callback_error: string | null }> {
  const { rows } = await server.ctx.db.pool.query('SELECT callback_status, callback_attempts, callback_error FROM dci_transaction WHERE transaction_id = $1 AND async_status IS NOT NULL', [transactionId]);
  return rows[0];
}

/** Polls until `check` holds: at most 30 s (job retries back off), every 100 ms. */
async function eventually(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`never happened: ${what}`);
}

test("a sender refused loopback callbacks stays refused after an allowed sender's callback left a kept-alive socket to the same origin", async () => {
  // A may call back to loopback; B only registered the origin as its URI, which does not allow loopback addresses.
  const allowed = new DciTestClient(server.baseUrl, await createTestSender(server.ctx));
  const refusedSender = await createTestSender(server.ctx);
  await server.ctx.db.orm.em.fork().nativeUpdate(SenderSchema, { senderId: refusedSender.senderId }, { allowLoopbackCallbacks: false, senderUri: origin });
  const refused = new DciTestClient(server.baseUrl, refusedSender);

  const first = `a-${randomUUID()}`;
  assert.equal((await asyncSearch(allowed, first)).status, 202);
  await receiver.waitFor(1);

  const fromB = `b-${randomUUID()}`;
  assert.equal((await asyncSearch(refused, fromB)).status, 202);
  // Refused on the first attempt and on the retry, though A's socket to the receiver is kept alive.
  await eventually('two refused attempts', async () => ((await callbackOutcome(fromB))?.callback_attempts ?? 0) >= 2);
  const outcome = await callbackOutcome(fromB);
  assert.equal(outcome.callback_status, 'retrying');
  assert.match(outcome.callback_error ?? '', /refusing to connect to loopback address/);

  const second = `a-${randomUUID()}`;
  assert.equal((await asyncSearch(allowed, second)).status, 202);
  await receiver.waitFor(2);
  assert.deepEqual(
    receiver.received.map((r) => r.body.message.transaction_id),
    [first, second],
  );
});
