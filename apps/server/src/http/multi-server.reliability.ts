import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeProtectedHeader } from 'jose';
import { startCallbackReceiver } from '../testing/callback-receiver.js';
import { createTestSender, DciTestClient, searchItem, type TestSender } from '../testing/dci-client.js';
import { createStaffPerRole, graphqlClient, type GraphqlCaller } from '../testing/graphql-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

/**
 * Two servers, each with its own worker, on one database: work sent to either is done once and
 * answered once; changes made through one server's GraphQL API (server key rotation, sender key
 * revocation, agreement end, sender deactivation) take effect on the other. The other server may
 * cache what it reads; it must see a change within SEEN_WITHIN_MS (the documented cache bound).
 */
const SEEN_WITHIN_MS = 35_000;
const ASYNC_SEARCHES = 200;
const SYNC_SEARCHES = 200;

let a: TestServer;
let b: TestServer;
let gqlA: GraphqlCaller;
let admin: string;

before(async () => {
  // One deployment: the same master key (generated for this run), as every server of it has.
  const env = { RATE_LIMIT_PER_MINUTE: '0', MASTER_KEY: randomBytes(32).toString('hex') };
  a = await startTestServer(env, { worker: true });
  b = await startTestServer(env, { worker: true, databaseUrl: () => a.ctx.config.databaseUrl! });
  gqlA = graphqlClient(a);
  admin = (await createStaffPerRole(a)).tokens.admin!;
});
after(async () => {
  await b?.close();
  await a?.close();
});

/** Polls every 100 ms until `check` holds, at most `withinMs`; returns how long it took. */
async function eventually(what: string, check: () => Promise<boolean>, withinMs = SEEN_WITHIN_MS): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < withinMs) {
    if (await check()) return Date.now() - start;
    await sleep(100);
  }
  assert.fail(`not within ${withinMs} ms: ${what}`);
}

const clientsFor = (sender: TestSender) => [new DciTestClient(a.baseUrl, sender), new DciTestClient(b.baseUrl, sender)] as const;

const byUin = (uin: string) => ({ transaction_id: randomUUID(), search_request: [searchItem('r1', { query_type: 'idtype-value', query: { type: 'UIN', value: uin } })] });

test(`${ASYNC_SEARCHES} async and ${SYNC_SEARCHES} sync searches spread over two servers and two workers: none lost, none answered twice, one audit record each`, { timeout: 5 * 60_000 }, async (t) => {
  const sender = await createTestSender(a.ctx, 'two-servers');
  const clients = clientsFor(sender);
  const receiver = await startCallbackReceiver();
  try {
    const accepted: string[] = [];
    const messageIds: string[] = [];
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < ASYNC_SEARCHES + SYNC_SEARCHES; i = next++) {
        const client = clients[i % 2]!;
        const async = i < ASYNC_SEARCHES;
        const header = client.header('search', 1, async ? { sender_uri: receiver.url } : {});
        messageIds.push(header.message_id);
        const reply = await client.post(async ? '/registry/search' : '/registry/sync/search', await client.envelope(header, byUin(String(i))));
        assert.equal(reply.status, async ? 202 : 200, JSON.stringify(reply.body));
        if (async) accepted.push(reply.body.message.correlation_id);
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));

    await receiver.waitFor(ASYNC_SEARCHES, 120_000);
    await sleep(1000); // a doubled answer would arrive about now
    const answers = new Map<string, number>();
    for (const r of receiver.received) answers.set(r.body.message?.correlation_id, (answers.get(r.body.message?.correlation_id) ?? 0) + 1);
    const lost = accepted.filter((id) => !answers.has(id));
    const doubled = [...answers].filter(([, n]) => n > 1);
    t.diagnostic(`two servers: ${accepted.length} async searches accepted, ${answers.size} answered, ${lost.length} lost, ${doubled.length} answered twice`);
    assert.deepEqual(lost, [], 'no accepted search is lost');
    assert.deepEqual(doubled, [], 'with no crash, no search is answered twice');

    const { rows } = await a.ctx.db.pool.query<{ n: number; completed: number }>(
      "SELECT count(*)::int AS n, count(*) FILTER (WHERE async_status = 'completed' OR async_status IS NULL)::int AS completed FROM dci_transaction WHERE message_id = ANY($1)",
      [messageIds],
    );
    assert.deepEqual(rows[0], { n: ASYNC_SEARCHES + SYNC_SEARCHES, completed: ASYNC_SEARCHES + SYNC_SEARCHES }, 'one audit record per request, every async one completed');
  } finally {
    await receiver.close();
  }
});

test('a server key rotated through server A: server B signs its tokens with the new key', { timeout: 2 * 60_000 }, async (t) => {
  const sender = await createTestSender(a.ctx, 'rotation');
  const generated = await gqlA('mutation { generateServerKey(algorithm: "ES256") { key { kid } userErrors { message } } }', {}, { token: admin });
  const kid = generated.data?.generateServerKey.key.kid as string;
  assert.ok(kid, JSON.stringify(generated));
  const activated = await gqlA('mutation($kid: String!) { activateServerKey(kid: $kid) { key { kid } userErrors { message } } }', { kid }, { token: admin });
  assert.deepEqual(activated.data?.activateServerKey.userErrors, []);
  const lag = await eventually('B issues tokens signed with the new key', async () => {
    const token = await new DciTestClient(b.baseUrl, sender).accessToken();
    return decodeProtectedHeader(token).kid === kid;
  });
  t.diagnostic(`server key rotation seen by B after ${lag} ms`);
  // And the tokens B now issues work on B and A's tokens on A.
  for (const client of clientsFor(sender)) assert.equal((await client.send('/registry/sync/search', 'search', byUin('1'), 'search_request')).status, 200);
});

test('a sender key revoked through server A: server B refuses signatures made with it', { timeout: 2 * 60_000 }, async (t) => {
  const sender = await createTestSender(a.ctx, 'revoked-key');
  const [, onB] = clientsFor(sender);
  assert.equal((await onB.send('/registry/sync/search', 'search', byUin('1'), 'search_request')).status, 200);
  // A second key first, so that the sender keeps one.
  const publicKey = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const added = await gqlA('mutation($i: AddSenderKeyInput!) { addSenderKey(input: $i) { userErrors { message } } }', { i: { senderId: sender.senderId, publicKey, keyId: 'second' } }, { token: admin });
  assert.deepEqual(added.data?.addSenderKey.userErrors, []);
  const revoked = await gqlA('mutation($s: String!, $k: String!) { revokeSenderKey(senderId: $s, keyId: $k) { userErrors { message } } }', { s: sender.senderId, k: sender.kid }, { token: admin });
  assert.deepEqual(revoked.data?.revokeSenderKey.userErrors, []);
  const lag = await eventually('B refuses the revoked key', async () => {
    const reply = await onB.send('/registry/sync/search', 'search', byUin('1'), 'search_request');
    return reply.status === 401 && reply.body.errors[0].code === 'err.signature.invalid';
  });
  t.diagnostic(`sender key revocation seen by B after ${lag} ms`);
});

test('an agreement ended and a sender deactivated through server A: server B refuses at once or within the cache bound', { timeout: 2 * 60_000 }, async (t) => {
  const ended = await createTestSender(a.ctx, 'ended-agreement');
  const [, endedOnB] = clientsFor(ended);
  assert.equal((await endedOnB.send('/registry/sync/search', 'search', byUin('1'), 'search_request')).status, 200);
  const listed = await gqlA('query($s: String) { agreements(senderId: $s, active: true) { id } }', { s: ended.senderId }, { token: admin });
  for (const { id } of listed.data?.agreements as { id: string }[]) {
    assert.deepEqual((await gqlA('mutation($id: ID!) { endAgreement(id: $id) { userErrors { message } } }', { id }, { token: admin })).data?.endAgreement.userErrors, []);
  }
  const agreementLag = await eventually('B refuses for want of an agreement', async () => {
    const reply = await endedOnB.send('/registry/sync/search', 'search', byUin('1'), 'search_request');
    return reply.status === 403 && reply.body.errors[0].code === 'err.agreement.missing';
  });

  const deactivated = await createTestSender(a.ctx, 'deactivated');
  const [, deactivatedOnB] = clientsFor(deactivated);
  assert.equal((await deactivatedOnB.send('/registry/sync/search', 'search', byUin('1'), 'search_request')).status, 200);
  const set = await gqlA('mutation($s: String!) { setSenderActive(senderId: $s, active: false) { userErrors { message } } }', { s: deactivated.senderId }, { token: admin });
  assert.deepEqual(set.data?.setSenderActive.userErrors, []);
  const senderLag = await eventually('B refuses the inactive sender', async () => {
    const reply = await deactivatedOnB.send('/registry/sync/search', 'search', byUin('1'), 'search_request');
    return reply.status === 403 && reply.body.errors[0].code === 'err.sender.inactive';
  });
  t.diagnostic(`agreement end seen by B after ${agreementLag} ms, sender deactivation after ${senderLag} ms`);
});
