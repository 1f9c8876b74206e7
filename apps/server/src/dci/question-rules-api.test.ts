import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { validateOutbound } from '@dci-server/dci';
import { DataSharingAgreementSchema, SenderSchema, type FieldRule } from '@dci-server/db';
import { createAgreement } from '../agreements/agreements.js';
import { demoHousehold } from '../registry/demo-generator.js';
import { upsertPerson } from '../registry/registry-writes.js';
import { seedDemoRegistry } from '../registry/seed.js';
import { startCallbackReceiver } from '../testing/callback-receiver.js';
import { createTestSender, DciTestClient, searchItem, type Reply } from '../testing/dci-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

// Issue 8 §3: a sender the agreement denies birth_date must not learn it from the questions it may ask
// (counting matches of `birth_date <= D` while halving D gives the exact date in 17 queries).
let server: TestServer;
let denied: DciTestClient;
const person = demoHousehold(0).members[0]!;
const UIN = person.uin;
const birthDate = person.birthDate;

async function senderUnder(name: string, fieldRules: FieldRule[]): Promise<DciTestClient> {
  const sender = await createTestSender(server.ctx, name, undefined, { agreement: false });
  const em = server.ctx.db.orm.em.fork();
  await createAgreement(em, { sender: await em.findOneOrFail(SenderSchema, { senderId: sender.senderId }), name, purpose: 'tests', fieldRules });
  return new DciTestClient(server.baseUrl, sender);
}

before(async () => {
  server = await startTestServer({}, { worker: true });
  await seedDemoRegistry(server.ctx.db.pool, 20);
  denied = await senderUnder('no-birth-date', [{ field: 'birth_date', action: 'deny' }]);
});
after(() => server.close());

const expression = (query: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  ({ reg_record_type: 'Person', query_type: 'expression', query: { type: 'ns:org:QueryType:expression', value: { expression: { collection: 'Person', query } } }, ...extra });
const atMost = (day: string) => expression({ $and: [{ UIN }, { birth_date: { $lte: day } }] });

async function searchItems(client: DciTestClient, criteria: Record<string, unknown>[], path = '/registry/sync/search', overrides = {}): Promise<Reply> {
  const items = criteria.map((c, i) => searchItem(`q${i}`, c));
  return client.send(path, 'search', { transaction_id: `qr-${Math.random()}`, search_request: items }, 'search_request', overrides);
}

/** A refused item: the spec's reason code, our precise code in the message, and no count to read. */
function assertHidden(item: Record<string, unknown>, field: RegExp) {
  assert.equal(item.status, 'rjct', JSON.stringify(item));
  assert.match(String(item.status_reason_message), /^rjct\.attribute\.not_visible: /);
  assert.match(String(item.status_reason_message), field);
  assert.equal(item.pagination, undefined, 'no total_count to count matches with');
  assert.equal(item.data, undefined);
}

test('an expression filter on a denied field is refused; the bisection learns nothing', async () => {
  const reply = await searchItems(denied, [atMost('2100-01-01'), atMost('1900-01-01'), expression({ UIN })]);
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  assert.ok(validateOutbound('sync-search-response', reply.body).ok);
  const [late, early, plain] = reply.body.message.search_response;
  assertHidden(late, /birth_date/);
  assert.equal(late.status_reason_code, 'rjct.search_criteria.invalid');
  assertHidden(early, /birth_date/);
  // The same person without the denied condition is found, without the field.
  assert.equal(plain.status, 'succ');
  assert.equal(plain.data.reg_records.length, 1);
  assert.equal(plain.data.reg_records[0].birth_date, undefined);
});

test('a predicate query on a denied field is refused', async () => {
  const reply = await searchItems(denied, [
    {
      reg_record_type: 'Person',
      query_type: 'predicate',
      query: [{ seq_num: 1, expression1: { attribute_name: 'UIN', operator: 'eq', attribute_value: UIN }, condition: 'and', expression2: { attribute_name: 'birth_date', operator: 'le', attribute_value: birthDate } }],
    },
  ]);
  assertHidden(reply.body.message.search_response[0], /birth_date/);
});

test('attributes derived from a denied field (age, YOB, is_alive from death_date) are refused too', async () => {
  const reply = await searchItems(denied, [expression({ $and: [{ UIN }, { age: { $gte: 30 } }] }), expression({ $and: [{ UIN }, { YOB: { $lt: 1990 } }] })]);
  const [age, yob] = reply.body.message.search_response;
  assertHidden(age, /age \(birth_date\)/);
  assertHidden(yob, /YOB \(birth_date\)/);
  const noDeath = await senderUnder('no-death-date', [{ field: 'death_date', action: 'deny' }]);
  assertHidden((await searchItems(noDeath, [expression({ $and: [{ UIN }, { is_alive: true }] })])).body.message.search_response[0], /is_alive \(death_date\)/);
});

test('sorting by a denied field (or one derived from it) is refused', async () => {
  const reply = await searchItems(denied, [expression({ sex: 'female' }, { sort: [{ attribute_name: 'birth_date', sort_order: 'asc' }] }), expression({ sex: 'female' }, { sort: [{ attribute_name: 'age' }] })]);
  const [byDate, byAge] = reply.body.message.search_response;
  assertHidden(byDate, /cannot sort by it/);
  assertHidden(byAge, /age \(birth_date\)/);
});

test('the compact /search is held to the same rule', async () => {
  const exact = await denied.post('/search', { transaction_id: `compact-${Math.random()}`, sender_id: denied.sender.senderId, search_criteria: { uin: UIN, birth_date: birthDate } });
  assert.equal(exact.status, 200, JSON.stringify(exact.body));
  assertHidden(exact.body.message.search_response[0], /birth_date/);
  const year = await denied.post('/search', { transaction_id: `compact-${Math.random()}`, sender_id: denied.sender.senderId, search_criteria: { uin: UIN, YOB: Number(birthDate.slice(0, 4)) } });
  assertHidden(year.body.message.search_response[0], /YOB/);
});

test('an async search is refused the same way, in its on-search callback', async () => {
  const receiver = await startCallbackReceiver();
  try {
    const reply = await searchItems(denied, [atMost(birthDate)], '/registry/search', { sender_uri: receiver.url });
    assert.equal(reply.status, 202, JSON.stringify(reply.body));
    const [callback] = await receiver.waitFor(1);
    assert.ok(validateOutbound('on-search', callback!.body).ok);
    assertHidden(callback!.body.message.search_response[0], /birth_date/);
  } finally {
    await receiver.close();
  }
});

test('a subscription filter on a denied field is refused, so no notification can reveal it', async () => {
  const receiver = await startCallbackReceiver();
  try {
    const filter = { type: 'ns:org:QueryType:expression', value: { expression: { collection: 'Person', query: { birth_date: { $lte: birthDate } } } } };
    const reply = await denied.send(
      '/registry/sync/subscribe',
      'subscribe',
      { transaction_id: `sub-${Math.random()}`, subscribe_request: [{ reference_id: 's', timestamp: new Date().toISOString(), subscribe_criteria: { reg_event_type: 'UPDATE', filter_type: 'expression', filter, notify_record_type: 'Person' } }] },
      'subscribe_request',
      { sender_uri: receiver.url },
    );
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.ok(validateOutbound('on-subscribe', reply.body).ok);
    const item = reply.body.message.subscribe_response[0];
    assert.equal(item.status, 'rjct');
    assert.match(item.status_reason_message, /^rjct\.attribute\.not_visible: .*birth_date/);
    const { rows } = await server.ctx.db.pool.query(`SELECT count(*)::int AS n FROM subscription s JOIN sender x ON x.id = s.sender_id WHERE x.sender_id = $1`, [denied.sender.senderId]);
    assert.equal(rows[0].n, 0, 'no subscription was created');
  } finally {
    await receiver.close();
  }
});

test('a subscription filter made before the field was denied stops matching: no notification reveals it', async () => {
  const sender = await createTestSender(server.ctx, 'denied-later', undefined, { agreement: false });
  const em = server.ctx.db.orm.em.fork();
  const entity = await em.findOneOrFail(SenderSchema, { senderId: sender.senderId });
  await createAgreement(em, { sender: entity, name: 'everything', purpose: 'tests' });
  const client = new DciTestClient(server.baseUrl, sender);
  const receiver = await startCallbackReceiver();
  try {
    const subscribe = async (query: Record<string, unknown>) => {
      const filter = { type: 'ns:org:QueryType:expression', value: { expression: { collection: 'Person', query } } };
      const reply = await client.send(
        '/registry/sync/subscribe',
        'subscribe',
        { transaction_id: `sub-${Math.random()}`, subscribe_request: [{ reference_id: 's', timestamp: new Date().toISOString(), subscribe_criteria: { reg_event_type: 'REGISTER', filter_type: 'expression', filter, notify_record_type: 'Person' } }] },
        'subscribe_request',
        { sender_uri: receiver.url },
      );
      const item = reply.body.message.subscribe_response[0];
      assert.equal(item.status, 'succ', JSON.stringify(item));
      return item.subscriptions[0].code as string;
    };
    const byBirthDate = await subscribe({ birth_date: { $lte: '1950-06-01' } });
    const control = await subscribe({ sex: 'female' });

    await em.nativeUpdate(DataSharingAgreementSchema, { sender: entity }, { active: false });
    await createAgreement(em, { sender: entity, name: 'no birth date', purpose: 'tests', fieldRules: [{ field: 'birth_date', action: 'deny' }] });
    await server.ctx.db.orm.em.fork().transactional((tx) =>
      upsertPerson(tx, { identifiers: [{ type: 'UIN', value: 'LATE-DENY-1' }], givenName: 'Old', surname: 'Enough', sex: 'female', birthDate: '1950-01-01', phoneNumbers: [], emails: [] }),
    );
    const deliveries = async (code: string) =>
      (await server.ctx.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM notification_delivery d JOIN subscription s ON s.id = d.subscription_id WHERE s.code = $1', [code])).rows[0]!.n;
    // Both subscriptions are matched against the event in one transaction: once the control has its delivery, the other was decided.
    const deadline = Date.now() + 15_000;
    while ((await deliveries(control)) === 0) {
      assert.ok(Date.now() < deadline, 'the matcher never ran');
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(await deliveries(byBirthDate), 0);
  } finally {
    await receiver.close();
  }
});

test('outside a "*" allow-list nothing can be asked about; a derived field only through its own derivation', async () => {
  const allowList = await senderUnder('allow-list', [
    { field: '*', action: 'deny' },
    { field: 'identifier', action: 'allow' },
    { field: 'name.given_name', action: 'allow' },
    { field: 'birth_date', action: 'derive', derive: 'year' },
  ]);
  const reply = await searchItems(allowList, [
    expression({ $and: [{ UIN }, { sex: person.sex }] }),
    expression({ $and: [{ UIN }, { given_name: person.givenName }] }),
    expression({ $and: [{ UIN }, { YOB: Number(birthDate.slice(0, 4)) }] }),
    expression({ $and: [{ UIN }, { age: { $gte: 0 } }] }),
    expression({ $and: [{ UIN }, { birth_date: { $lte: birthDate } }] }),
  ]);
  const [sex, name, yob, age, exact] = reply.body.message.search_response;
  assertHidden(sex, /sex/);
  assert.equal(name.status, 'succ', JSON.stringify(name));
  assert.equal(name.pagination.total_count, 1);
  assert.equal(yob.status, 'succ', 'the year is shared, so asking by it reveals nothing more');
  assert.equal(yob.data.reg_records[0].birth_date, birthDate.slice(0, 4));
  assertHidden(age, /age/);
  assertHidden(exact, /birth_date/);
});

test('a masked identifier is a look-up key for one value at a time; a denied one is no key at all', async () => {
  const masked = await senderUnder('masked-id', [{ field: 'identifier.identifier_value', action: 'mask', keepLast: 4 }]);
  const other = demoHousehold(1).members[0]!.uin;
  const reply = await searchItems(masked, [expression({ UIN }), expression({ UIN: { $in: [UIN, other] } })]);
  const [one, many] = reply.body.message.search_response;
  assert.equal(one.status, 'succ', JSON.stringify(one));
  assert.equal(one.pagination.total_count, 1);
  assertHidden(many, /one value per query/);

  const hiddenIds = await senderUnder('denied-id', [{ field: 'identifier', action: 'deny' }]);
  assertHidden((await searchItems(hiddenIds, [{ reg_record_type: 'Person', query_type: 'idtype-value', query: { type: 'UIN', value: UIN } }])).body.message.search_response[0], /UIN \(identifier\)/);
  const verify = await hiddenIds.send('/registry/sync/verify', 'verify', {
    transaction_id: `v-${Math.random()}`,
    verify_request: [{ reference_id: 'v', timestamp: new Date().toISOString(), verify_criteria: { identifier: { type: 'UIN', value: UIN }, claims: { given_name: person.givenName } } }],
  }, 'verify_request');
  assert.equal(verify.status, 200, JSON.stringify(verify.body));
  const item = verify.body.message.verify_response[0];
  assert.equal(item.status, 'rjct', 'whether the person exists would tell the identifier');
  assert.match(item.status_reason_message, /hides UIN \(identifier\)/);
});
