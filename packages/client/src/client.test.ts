import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { demoHousehold } from '../../../apps/server/src/registry/demo-generator.js';
import { seedDemoRegistry } from '../../../apps/server/src/registry/seed.js';
import { updateSender } from '../../../apps/server/src/senders/senders.js';
import { activateServerKey, generateServerKey } from '../../../apps/server/src/keys/server-keys.js';
import { createTestSender, type TestSender } from '../../../apps/server/src/testing/dci-client.js';
import { startTestServer, type TestServer } from '../../../apps/server/src/testing/test-server.js';
import { DciClient, DciReceiver, DciRequestError, DciSignatureError, DciTokenError, TokenSource, type DciClientOptions, type DciIncoming } from './index.js';

let server: TestServer;
let sender: TestSender;
const head = demoHousehold(0).members[0]!;
const byUin = (uin: string) => ({ reg_record_type: 'Person', query_type: 'idtype-value' as const, query: { type: 'UIN', value: uin } });

/** fetch that counts what it sends per path and may rewrite what comes back. */
function countingFetch(rewrite?: (url: string, body: string) => string) {
  const calls: string[] = [];
  const wrapped: typeof fetch = async (input, init) => {
    const url = String(input);
    calls.push(new URL(url).pathname);
    const res = await fetch(input, init);
    if (!rewrite) return res;
    return new Response(rewrite(url, await res.text()), { status: res.status, headers: res.headers });
  };
  return { calls, fetch: wrapped };
}

const optionsFor = (s: TestSender, extra: Partial<DciClientOptions> = {}): DciClientOptions => ({
  baseUrl: server.baseUrl,
  senderId: s.senderId,
  auth: { clientId: s.clientId, clientSecret: s.clientSecret },
  signingKey: { privateKey: s.privateJwk, kid: s.kid },
  ...extra,
});

before(async () => {
  server = await startTestServer({}, { worker: true });
  await seedDemoRegistry(server.ctx.db.pool, 60);
  sender = await createTestSender(server.ctx);
});
after(() => server.close());

describe('sync operations', () => {
  test('search: one token for many calls, the answer verified and typed', async () => {
    const counted = countingFetch();
    const client = new DciClient(optionsFor(sender, { fetch: counted.fetch, serverId: server.ctx.config.receiverId }));
    const first = await client.search(byUin(head.uin), { referenceIds: ['me'] });
    const again = await client.search(byUin(head.uin));
    const item = first.message.search_response[0]!;
    assert.equal(item.status, 'succ');
    assert.equal(item.reference_id, 'me');
    assert.equal((item.data!.reg_records[0] as { name: { given_name: string } }).name.given_name, head.givenName);
    assert.equal(first.header.action, 'on-search');
    assert.equal(first.message.transaction_id, first.request.message.transaction_id);
    assert.equal(first.signedBy.scheme, 'dci-signature');
    assert.notEqual(first.request.header.message_id, again.request.header.message_id);
    assert.deepEqual(counted.calls.filter((p) => p === '/oauth2/client/token').length, 1, 'the token is cached');
    assert.deepEqual(counted.calls.filter((p) => p === '/.well-known/jwks.json').length, 1, 'the server keys are cached');
  });

  test('the token is renewed before it expires, not after', async () => {
    const counted = countingFetch();
    let now = Date.now();
    // Timed by a clock the test moves; the server issues 900 s tokens.
    const tokens = new TokenSource(`${server.baseUrl}/oauth2/client/token`, { clientId: sender.clientId, clientSecret: sender.clientSecret }, undefined, { fetch: counted.fetch, now: () => now });
    const token = await tokens.token();
    now += 800_000;
    assert.equal(await tokens.token(), token, 'still fresh at 800 s');
    now += 50_000;
    assert.notEqual(await tokens.token(), token, 'renewed within the last minute of 900 s');
    assert.equal(counted.calls.length, 2);
  });

  test('a token the server no longer takes is fetched anew once; other 401s are not retried', async () => {
    const spoiled = { first: true };
    const calls: string[] = [];
    // The first DCI call carries a token the server cannot read (as an expired one).
    const spoiling: typeof fetch = (input, init) => {
      calls.push(new URL(String(input)).pathname);
      if (String(input).includes('/registry/') && spoiled.first) {
        spoiled.first = false;
        return fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), authorization: 'Bearer expired.token.here' } });
      }
      return fetch(input, init);
    };
    const answer = await new DciClient(optionsFor(sender, { fetch: spoiling })).search(byUin(head.uin));
    assert.equal(answer.message.search_response[0]!.status, 'succ');
    assert.deepEqual(calls.filter((p) => p !== '/.well-known/jwks.json'), ['/oauth2/client/token', '/registry/sync/search', '/oauth2/client/token', '/registry/sync/search']);

    calls.length = 0;
    const forger = new DciClient(optionsFor(sender, { fetch: spoiling, signingKey: { privateKey: generateKeyPairSync('ed25519').privateKey, kid: sender.kid } }));
    await assert.rejects(forger.search(byUin(head.uin)), (error: unknown) => error instanceof DciRequestError && error.code === 'err.signature.invalid' && error.status === 401);
    assert.deepEqual(calls, ['/oauth2/client/token', '/registry/sync/search'], 'a bad signature is not retried');
  });

  test('private_key_jwt instead of a client secret; JWS signatures both ways', async () => {
    const jwsSender = await createTestSender(server.ctx);
    await updateSender(server.ctx.db.orm.em.fork(), jwsSender.senderId, { preferredScheme: 'jws' });
    const client = new DciClient(optionsFor(jwsSender, { auth: { clientId: jwsSender.clientId, privateKeyJwt: true }, scheme: 'jws' }));
    const answer = await client.search(byUin(head.uin));
    assert.match(answer.request.signature, /^[\w-]+\.[\w-]*\.[\w-]+$/, 'we signed with JWS');
    assert.equal(answer.signedBy.scheme, 'jws', 'the server answers in our preferred scheme');
    assert.equal(answer.message.search_response[0]!.status, 'succ');
  });

  test('verify, subscribe, unsubscribe and txnStatus round trips', async () => {
    const client = new DciClient(optionsFor(sender));
    const verified = await client.verify({ identifier: { type: 'UIN', value: head.uin }, claims: { given_name: head.givenName, surname: 'Nobody' } });
    assert.deepEqual(verified.message.verify_response[0]!.data!.claims, { given_name: true, surname: false });

    const searched = await client.search(byUin(head.uin));
    const status = await client.txnStatus(searched.request.message.transaction_id as string);
    assert.equal(status.header.action, 'txn-on-status');
    assert.equal(status.message.txnstatus_response.txn_type, 'search');

    const filter = { type: 'ns:org:QueryType:expression', value: { expression: { collection: 'Person', query: { location: { $eq: 'central_region' } } } } };
    const subscribed = await client.subscribe({ reg_event_type: 'UPDATE', filter_type: 'expression', filter, notify_record_type: 'Person' }, { senderUri: 'http://127.0.0.1:9/hook' });
    const code = subscribed.message.subscribe_response[0]!.subscriptions?.[0]?.code;
    assert.ok(code, JSON.stringify(subscribed.message));
    const ended = await client.unsubscribe([code]);
    assert.equal(ended.message.status, 'succ', JSON.stringify(ended.message));
    assert.deepEqual(ended.message.subscription_status, [{ code, status: 'unsubscribe' }]);
  });

  test('searchPages walks every page once; searchRecords flattens them', async () => {
    const client = new DciClient(optionsFor(sender));
    const query = { reg_record_type: 'Person', query_type: 'expression' as const, query: { type: 'ns:org:QueryType:expression', value: { expression: { collection: 'Person', query: { location: { $eq: 'central_region' } } } } }, sort: [{ attribute_name: 'birth_date', sort_order: 'asc' as const }] };
    const total = (await client.search({ ...query, pagination: { page_size: 1 } })).message.search_response[0]!.pagination!.total_count;
    assert.ok(total >= 3, `the demo data has ${total} such persons`);
    const pageSize = Math.ceil(total / 3);
    const pages = [];
    for await (const page of client.searchPages(query, { pageSize })) pages.push(page);
    assert.deepEqual(pages.map((p) => p.pageNumber), [1, 2, 3].slice(0, Math.ceil(total / pageSize)));
    const ids = pages.flatMap((p) => p.records.map((r) => JSON.stringify((r as { identifier: unknown }).identifier)));
    assert.equal(ids.length, total);
    assert.equal(new Set(ids).size, total, 'no record twice');
    const records = [];
    for await (const record of client.searchRecords(query, { pageSize })) records.push(record);
    assert.equal(records.length, total);
  });
});

describe('trust and refusals', () => {
  test('an answer changed on the way is refused (DciSignatureError)', async () => {
    const tampered = countingFetch((url, body) => (url.endsWith('/registry/sync/search') ? body.replace(head.givenName, 'Mallory') : body));
    const client = new DciClient(optionsFor(sender, { fetch: tampered.fetch }));
    await assert.rejects(client.search(byUin(head.uin)), (error: unknown) => error instanceof DciSignatureError && /does not match/.test(error.reason));
  });

  test('an answer signed under another server id is refused when serverId is set', async () => {
    const client = new DciClient(optionsFor(sender, { serverId: 'some-other-server' }));
    await assert.rejects(client.search(byUin(head.uin)), DciSignatureError);
  });

  test('after a server key rotation the new key is fetched from the JWKS at once', async () => {
    const counted = countingFetch();
    const client = new DciClient(optionsFor(sender, { fetch: counted.fetch }));
    const before = await client.search(byUin(head.uin));
    const em = server.ctx.db.orm.em.fork();
    const { kid } = await generateServerKey(em, server.ctx.masterKey, 'ES256');
    await activateServerKey(em, kid, server.ctx.keyring);
    const afterRotation = await client.search(byUin(head.uin));
    assert.notEqual(before.signedBy.kid, kid);
    assert.equal(afterRotation.signedBy.kid, kid);
    assert.equal(counted.calls.filter((p) => p === '/.well-known/jwks.json').length, 2);
  });

  test('refusals: wrong secret (DciTokenError), no agreement (DciRequestError with the DCI code)', async () => {
    const wrong = new DciClient(optionsFor(sender, { auth: { clientId: sender.clientId, clientSecret: 'nope' } }));
    await assert.rejects(wrong.search(byUin(head.uin)), (error: unknown) => error instanceof DciTokenError && error.status === 401 && error.error === 'invalid_client');
    const noAgreement = await createTestSender(server.ctx, undefined, undefined, { agreement: false });
    await assert.rejects(new DciClient(optionsFor(noAgreement)).search(byUin(head.uin)), (error: unknown) => error instanceof DciRequestError && error.code === 'err.agreement.missing' && error.status === 403 && typeof error.correlationId === 'string');
  });
});

test('async search: ACK now, the signed on-search callback arrives at a DciReceiver', async () => {
  const arrived: DciIncoming[] = [];
  let wake = () => {};
  const receiver = new DciReceiver({ jwksUrl: `${server.baseUrl}/.well-known/jwks.json`, onMessage: (m) => void (arrived.push(m), wake()) });
  const listener = http.createServer(receiver.middleware());
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  try {
    const client = new DciClient(optionsFor(sender));
    const accepted = await client.searchAsync(byUin(head.uin), { callbackUri: `http://127.0.0.1:${(listener.address() as AddressInfo).port}` });
    assert.equal(accepted.ack.ack_status, 'ACK');
    const deadline = Date.now() + 20_000;
    while (arrived.length === 0 && Date.now() < deadline) await new Promise<void>((resolve) => ((wake = resolve), setTimeout(resolve, 200)));
    const [callback] = arrived;
    assert.ok(callback, 'the callback arrived');
    assert.equal(callback.action, 'on-search');
    if (callback.action !== 'on-search') return;
    assert.equal(callback.message.transaction_id, accepted.transactionId);
    assert.equal(callback.message.correlation_id, accepted.ack.correlation_id);
    assert.equal(callback.message.search_response[0]!.status, 'succ');
  } finally {
    await new Promise((resolve) => listener.close(resolve));
  }
});
