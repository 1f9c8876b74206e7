import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { canonicalJson, validateOutbound } from '@dci-server/dci';
import { SenderSchema } from '@dci-server/db';
import { demoHousehold } from '../registry/demo-generator.js';
import { seedDemoRegistry } from '../registry/seed.js';
import { startCallbackReceiver } from '../testing/callback-receiver.js';
import { createTestSender, DciTestClient, searchItem, type Reply } from '../testing/dci-client.js';
import { assertSignedByServer } from '../testing/server-signature.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

let server: TestServer;
let client: DciTestClient;
const head = demoHousehold(0).members[0]!;

before(async () => {
  server = await startTestServer({}, { worker: true });
  await seedDemoRegistry(server.ctx.db.pool, 300);
  client = new DciTestClient(server.baseUrl, await createTestSender(server.ctx));
});
after(() => server.close());

const search = (items: Record<string, unknown>[], overrides: Record<string, unknown> = {}, path = '/registry/sync/search') =>
  client.send(path, 'search', { transaction_id: `txn-${Math.random()}`, search_request: items }, 'search_request', overrides);

/** Our answer's signature checks out against the published JWKS. */
function assertValid(kind: Parameters<typeof validateOutbound>[0], body: unknown) {
  const v = validateOutbound(kind, body);
  assert.ok(v.ok, v.ok ? '' : v.errors.join('\n'));
}

const rejected = (reply: Reply, status: number, code: string) => {
  assert.equal(reply.status, status, JSON.stringify(reply.body));
  assert.equal(reply.body.errors?.[0]?.code, code, JSON.stringify(reply.body));
  assertValid('ack', { message: reply.body.message });
};

describe('sync search', () => {
  test('idtype-value finds one person; the answer is signed and follows the spec', async () => {
    const reply = await search([searchItem('r1', { reg_record_type: 'Person', query_type: 'idtype-value', query: { type: 'UIN', value: head.uin } })]);
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assertValid('sync-search-response', reply.body);
    await assertSignedByServer(server.baseUrl, reply.body);
    const item = reply.body.message.search_response[0];
    assert.equal(item.status, 'succ');
    assert.equal(item.pagination.total_count, 1);
    assert.equal(item.data.reg_records[0].name.given_name, head.givenName);
    assert.equal(reply.body.header.action, 'on-search');
  });

  test('a sync answer goes out as RFC 8785 text: the very text signed, and what the audit record keeps', async () => {
    const message = { transaction_id: 'txn-canonical', search_request: [searchItem('g', { reg_record_type: 'Group', query_type: 'expression', query: { type: 'ns:org:QueryType:expression', value: { expression: { collection: 'Group', query: { group_size: { $gte: 1 } } } } }, pagination: { page_size: 20, page_number: 1 } })] };
    const res = await fetch(`${server.baseUrl}/registry/sync/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await client.accessToken()}` },
      body: JSON.stringify(await client.envelope(client.header('search', 1), message)),
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
    const text = await res.text();
    const answer = JSON.parse(text) as { header: unknown; message: { correlation_id: string; search_response: { data: { reg_records: unknown[] } }[] }; signature: string };
    assert.equal(answer.message.search_response[0]!.data.reg_records.length, 20);
    assert.equal(text, canonicalJson(answer));
    await assertSignedByServer(server.baseUrl, answer);
    const { rows } = await server.ctx.db.pool.query('SELECT response FROM dci_transaction WHERE correlation_id = $1', [answer.message.correlation_id]);
    assert.deepEqual(rows[0]?.response, answer);
  });

  test('expression with sort and pagination; several items per message each answered', async () => {
    const expression = (page: number) =>
      searchItem(`p${page}`, {
        reg_record_type: 'Group',
        query_type: 'expression',
        query: { type: 'ns:org:QueryType:expression', value: { expression: { collection: 'Group', query: { $and: [{ poverty_score: { $lt: 50 } }, { group_size: { $gte: 2 } }] } } } },
        sort: [{ attribute_name: 'poverty_score', sort_order: 'desc' }],
        pagination: { page_size: 5, page_number: page },
      });
    const reply = await search([expression(1), expression(2), expression(10_000)]);
    assertValid('sync-search-response', reply.body);
    const [first, second, beyond] = reply.body.message.search_response;
    assert.equal(first.data.reg_records.length, 5);
    const scores = [...first.data.reg_records, ...second.data.reg_records].map((g: { poverty_score: number }) => g.poverty_score);
    assert.deepEqual(scores, [...scores].sort((a, b) => b - a));
    assert.ok(scores.every((s) => s < 50));
    assert.equal(first.pagination.total_count, second.pagination.total_count);
    assert.equal(beyond.status, 'succ');
    assert.deepEqual(beyond.data.reg_records, []);
    assert.ok(first.data.reg_records[0].member_list.length >= 2);
  });

  test('predicate query', async () => {
    const reply = await search([
      searchItem('pr', {
        reg_record_type: 'Person',
        query_type: 'predicate',
        query: [{ seq_num: 1, expression1: { attribute_name: 'sex', operator: 'eq', attribute_value: 'female' }, condition: 'and', expression2: { attribute_name: 'age', operator: 'ge', attribute_value: 18 } }],
        pagination: { page_size: 50 },
      }),
    ]);
    const item = reply.body.message.search_response[0];
    assert.equal(item.status, 'succ', JSON.stringify(item));
    assert.ok(item.pagination.total_count > 0);
    assert.ok(item.data.reg_records.every((p: { sex: string }) => p.sex === 'female'));
  });

  for (const [label, pagination] of [
    ['zero', { page_size: 0 }],
    ['negative', { page_size: -1 }],
    ['over the cap', { page_size: 5000 }],
  ] as const) {
    test(`page_size ${label} rejects that item with rjct.pagination.invalid`, async () => {
      const reply = await search([searchItem('bad', { query_type: 'idtype-value', query: { type: 'UIN', value: head.uin }, pagination })]);
      assert.equal(reply.status, 200);
      assertValid('sync-search-response', reply.body);
      assert.equal(reply.body.message.search_response[0].status, 'rjct');
      assert.equal(reply.body.message.search_response[0].status_reason_code, 'rjct.pagination.invalid');
    });
  }

  test('an unknown attribute is a clear rejection, never a server error', async () => {
    const reply = await search([searchItem('u', { reg_record_type: 'Person', query_type: 'expression', query: { value: { expression: { collection: 'Person', query: { 'password; drop table person': { $eq: 1 } } } } } })]);
    assert.equal(reply.status, 200);
    const item = reply.body.message.search_response[0];
    assert.equal(item.status, 'rjct');
    assert.equal(item.status_reason_code, 'rjct.search_criteria.invalid');
  });
});

describe('header rules', () => {
  const item = () => searchItem('h', { query_type: 'idtype-value', query: { type: 'UIN', value: head.uin } });
  const cases: [string, Record<string, unknown>, number, string][] = [
    ['unsupported version', { version: '9.9.9' }, 400, 'rjct.version.invalid'],
    ['action not matching the endpoint', { action: 'subscribe' }, 400, 'rjct.action.invalid'],
    ['sender_id of another sender', { sender_id: 'someone-else' }, 400, 'rjct.sender_id.invalid'],
    ['receiver_id not ours', { receiver_id: 'another-registry' }, 400, 'rjct.receiver_id.invalid'],
    ['message_ts without time zone', { message_ts: '2026-11-25T10:00:00' }, 400, 'rjct.message_ts.invalid'],
    ['stale message_ts', { message_ts: new Date(Date.now() - 3_600_000).toISOString() }, 400, 'rjct.message_ts.invalid'],
    ['total_count not matching the items', { total_count: 3 }, 400, 'rjct.total_count.invalid'],
  ];
  for (const [label, overrides, status, code] of cases) {
    test(label, async () => rejected(await search([item()], overrides), status, code));
  }

  test('a replayed message_id is rejected as duplicate', async () => {
    const header = client.header('search', 1);
    const envelope = await client.envelope(header, { transaction_id: 't-dup', search_request: [item()] });
    assert.equal((await client.post('/registry/sync/search', envelope)).status, 200);
    rejected(await client.post('/registry/sync/search', envelope), 409, 'rjct.message_id.duplicate');
  });
});

describe('authentication and signatures', () => {
  const message = () => ({ transaction_id: 't', search_request: [searchItem('a', { query_type: 'idtype-value', query: { type: 'UIN', value: head.uin } })] });

  test('no bearer token → 401 with WWW-Authenticate', async () => {
    const reply = await client.post('/registry/sync/search', await client.envelope(client.header('search', 1), message()), { token: null });
    rejected(reply, 401, 'err.auth.missing_token');
    assert.match(reply.headers.get('www-authenticate') ?? '', /^Bearer/);
  });

  test('a forged token → 401', async () => rejected(await client.post('/registry/sync/search', await client.envelope(client.header('search', 1), message()), { token: 'eyJhbGciOiJub25lIn0.e30.' }), 401, 'err.auth.invalid_token'));

  test('missing signature → err.signature.missing', async () => rejected(await client.post('/registry/sync/search', await client.envelope(client.header('search', 1), message(), { sign: false })), 401, 'err.signature.missing'));

  test('a message altered after signing → err.signature.invalid', async () => {
    const envelope = await client.envelope(client.header('search', 1), message());
    (envelope.message as ReturnType<typeof message>).transaction_id = 'changed';
    rejected(await client.post('/registry/sync/search', envelope), 401, 'err.signature.invalid');
  });

  test("our answer is signed in the sender's preferred scheme (JWS here)", async () => {
    const jwsSender = await createTestSender(server.ctx, 'prefers-jws');
    await server.ctx.db.orm.em.fork().nativeUpdate(SenderSchema, { senderId: jwsSender.senderId }, { preferredScheme: 'jws' });
    const reply = await new DciTestClient(server.baseUrl, jwsSender).send('/registry/sync/search', 'search', message(), 'search_request');
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.match(reply.body.signature, /^[\w-]+\.[\w-]*\.[\w-]+$/, 'a compact JWS');
    await assertSignedByServer(server.baseUrl, reply.body);
  });

  test('JWS signatures are accepted too', async () => {
    const jwsClient = new DciTestClient(server.baseUrl, client.sender, 'jws');
    const reply = await jwsClient.send('/registry/sync/search', 'search', message(), 'search_request');
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
  });
});

describe('transport', () => {
  test('non-JSON content type → 415', async () => rejected(await client.post('/registry/sync/search', null, { contentType: 'text/plain', raw: 'hello' }), 415, 'err.request.unsupported_media_type'));
  test('malformed JSON → 400', async () => rejected(await client.post('/registry/sync/search', null, { raw: '{"header": ' }), 400, 'err.request.malformed_json'));
  test('body over the limit → 413', async () => rejected(await client.post('/registry/sync/search', null, { raw: JSON.stringify({ pad: 'x'.repeat(1_100_000) }) }), 413, 'err.request.too_large'));
  test('an envelope that breaks the spec schema → 400 err.request.bad', async () => {
    const reply = await client.post('/registry/sync/search', await client.envelope(client.header('search', 1), { transaction_id: 't', search_request: [{ reference_id: 'x' }] }));
    rejected(reply, 400, 'err.request.bad');
  });
});

describe('verify, txn status, compact form', () => {
  test('verify answers per claim, never the record', async () => {
    const reply = await client.send('/registry/sync/verify', 'verify', {
      transaction_id: 'v1',
      verify_request: [{ reference_id: 'v', timestamp: new Date().toISOString(), verify_criteria: { identifier: { type: 'UIN', value: head.uin }, claims: { is_alive: head.deathDate === undefined, birth_date: head.birthDate, given_name: 'Nobody' } } }],
    }, 'verify_request');
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assertValid('sync-verify-response', reply.body);
    assert.deepEqual(reply.body.message.verify_response[0].data.claims, { is_alive: true, birth_date: true, given_name: false });
  });

  test('txn status returns an earlier sync search of the same sender', async () => {
    await client.send('/registry/sync/search', 'search', { transaction_id: 'txn-lookup', search_request: [searchItem('look', { query_type: 'idtype-value', query: { type: 'UIN', value: head.uin } })] }, 'search_request');
    const reply = await client.send('/registry/sync/txn/status', 'txn-status', { transaction_id: 's1', txnstatus_request: { reference_id: 'q1', txn_type: 'search', attribute_type: 'transaction_id', attribute_value: 'txn-lookup' } }, 'txnstatus_request');
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assertValid('sync-txn-status-response', reply.body);
    assert.equal(reply.body.message.txnstatus_response.txn_status.search_response[0].reference_id, 'look');
  });

  test('txn status of an unknown transaction → 200, its item rjct (see txn-status-api.test.ts)', async () => {
    const reply = await client.send('/registry/sync/txn/status', 'txn-status', { transaction_id: 's2', txnstatus_request: { reference_id: 'q2', txn_type: 'search', attribute_type: 'transaction_id', attribute_value: 'never-sent' } }, 'txnstatus_request');
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assertValid('sync-txn-status-response', reply.body);
    assert.equal(reply.body.message.txnstatus_response.txn_status.search_response[0].status, 'rjct');
  });

  test('compact /search maps onto the same search', async () => {
    const reply = await client.post('/search', { transaction_id: `compact-${Date.now()}`, sender_id: client.sender.senderId, search_criteria: { uin: head.uin } });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.equal(reply.body.message.search_response[0].data.reg_records.length, 1);
  });
});

describe('async search', () => {
  test('ACK at once, then a signed on-search callback; txn status then shows the answer', async () => {
    const receiver = await startCallbackReceiver();
    try {
      const reply = await search([searchItem('async-1', { query_type: 'idtype-value', query: { type: 'UIN', value: head.uin } })], { sender_uri: receiver.url }, '/registry/search');
      assert.equal(reply.status, 202, JSON.stringify(reply.body));
      assertValid('ack', reply.body);
      assert.equal(reply.body.message.ack_status, 'ACK');
      const [callback] = await receiver.waitFor(1);
      assert.equal(callback!.path, '/registry/on-search');
      assertValid('on-search', callback!.body);
      await assertSignedByServer(server.baseUrl, callback!.body);
      assert.equal(callback!.body.message.correlation_id, reply.body.message.correlation_id);
      assert.equal(callback!.body.message.search_response[0].data.reg_records.length, 1);
      const rows = await server.ctx.db.pool.query(`SELECT async_status, callback_status, completed_count, total_count FROM dci_transaction WHERE correlation_id = $1`, [reply.body.message.correlation_id]);
      await waitUntil(async () => (await server.ctx.db.pool.query(`SELECT async_status FROM dci_transaction WHERE correlation_id = $1`, [reply.body.message.correlation_id])).rows[0]?.async_status === 'completed');
      assert.equal(rows.rows[0].total_count, 1);
    } finally {
      await receiver.close();
    }
  });

  test('a callback origin the sender did not register is refused before the ACK', async () => {
    const reply = await search([searchItem('x', { query_type: 'idtype-value', query: { type: 'UIN', value: head.uin } })], { sender_uri: 'https://attacker.example' }, '/registry/search');
    rejected(reply, 400, 'err.sender_uri.invalid');
  });
});

describe('audit', () => {
  test('every call left exactly one record, accepted or not, and records cannot be edited', async () => {
    const { rows } = await server.ctx.db.pool.query<{ n: number; unauthenticated: number }>(`SELECT count(*)::int n, count(*) FILTER (WHERE sender_id IS NULL)::int unauthenticated FROM dci_transaction`);
    assert.ok(rows[0]!.n >= 25);
    assert.ok(rows[0]!.unauthenticated >= 4, 'transport and token failures are audited without a sender');
    await assert.rejects(server.ctx.db.pool.query(`UPDATE dci_transaction SET response = '{}'`), /append-only/);
    await assert.rejects(server.ctx.db.pool.query(`DELETE FROM dci_transaction`), /append-only/);
  });
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

