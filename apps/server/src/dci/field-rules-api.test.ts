import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SenderSchema } from '@dci-server/db';
import { createAgreement } from '../agreements/agreements.js';
import { demoHousehold } from '../registry/demo-generator.js';
import { seedDemoRegistry } from '../registry/seed.js';
import { startCallbackReceiver } from '../testing/callback-receiver.js';
import { createTestSender, DciTestClient, searchItem } from '../testing/dci-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

// One agreement, seen through every way data leaves: sync search, async callback, verify.
let server: TestServer;
let client: DciTestClient;
const person = demoHousehold(0).members[0]!;

before(async () => {
  server = await startTestServer({}, { worker: true });
  await seedDemoRegistry(server.ctx.db.pool, 50);
  const sender = await createTestSender(server.ctx, 'restricted', undefined, { agreement: false });
  const em = server.ctx.db.orm.em.fork();
  await createAgreement(em, {
    sender: await em.findOneOrFail(SenderSchema, { senderId: sender.senderId }),
    name: 'Benefit eligibility',
    purpose: 'Check eligibility for cash transfers',
    legalBasis: 'Social Protection Act s.12',
    allowedQueryTypes: ['idtype-value'],
    maxPageSize: 10,
    fieldRules: [
      { field: 'birth_date', action: 'derive', derive: 'year' },
      { field: 'identifier.identifier_value', action: 'mask', keepLast: 4 },
      { field: 'phone_number', action: 'deny' },
      { field: 'name.surname', action: 'deny' },
    ],
  });
  client = new DciTestClient(server.baseUrl, sender);
});
after(() => server.close());

const byUin = (ref: string) => searchItem(ref, { reg_record_type: 'Person', query_type: 'idtype-value', query: { type: 'UIN', value: person.uin } });

function assertRestricted(record: Record<string, any>) { // eslint-disable-line @typescript-eslint/no-explicit-any -- DCI record JSON
  assert.equal(record.birth_date, person.birthDate.slice(0, 4), 'birth date reduced to the year');
  assert.equal(record.identifier[0].identifier_value, `******${person.uin.slice(-4)}`, 'identifier masked');
  assert.equal(record.phone_number, undefined, 'phone denied');
  assert.equal(record.name.surname, undefined, 'surname denied');
  assert.equal(record.name.given_name, person.givenName, 'other fields shared');
}

test('sync search applies the field rules', async () => {
  const reply = await client.send('/registry/sync/search', 'search', { transaction_id: 'fr-1', search_request: [byUin('a')] }, 'search_request');
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  assertRestricted(reply.body.message.search_response[0].data.reg_records[0]);
});

test('the async on-search callback applies the same rules', async () => {
  const receiver = await startCallbackReceiver();
  try {
    const reply = await client.send('/registry/search', 'search', { transaction_id: 'fr-2', search_request: [byUin('b')] }, 'search_request', { sender_uri: receiver.url });
    assert.equal(reply.status, 202, JSON.stringify(reply.body));
    const [callback] = await receiver.waitFor(1);
    assertRestricted(callback!.body.message.search_response[0].data.reg_records[0]);
  } finally {
    await receiver.close();
  }
});

test('what the agreement does not cover is refused per item: query type, page size', async () => {
  const reply = await client.send('/registry/sync/search', 'search', {
    transaction_id: 'fr-3',
    search_request: [
      searchItem('expr', { reg_record_type: 'Person', query_type: 'expression', query: { value: { expression: { collection: 'Person', query: { sex: { $eq: 'female' } } } } } }),
      searchItem('big', { reg_record_type: 'Person', query_type: 'idtype-value', query: { type: 'UIN', value: person.uin }, pagination: { page_size: 100 } }),
    ],
  }, 'search_request');
  const [expr, big] = reply.body.message.search_response;
  assert.equal(expr.status, 'rjct');
  assert.match(expr.status_reason_message, /query_type/);
  assert.equal(big.status, 'rjct');
  assert.equal(big.status_reason_code, 'rjct.pagination.invalid');
});

test('verify answers claims on hidden or derived fields as unknown', async () => {
  const reply = await client.send('/registry/sync/verify', 'verify', {
    transaction_id: 'fr-4',
    verify_request: [{ reference_id: 'v', timestamp: new Date().toISOString(), verify_criteria: { identifier: { type: 'UIN', value: person.uin }, claims: { given_name: person.givenName, surname: person.surname, birth_date: person.birthDate } } }],
  }, 'verify_request');
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  assert.deepEqual(reply.body.message.verify_response[0].data.claims, { given_name: true, surname: 'unknown', birth_date: 'unknown' });
});

test('the daily quota counts items; past it the answer is 429 err.quota.exceeded, and a replay costs nothing', async () => {
  const sender = await createTestSender(server.ctx, 'quota-limited', undefined, { agreement: false });
  const em = server.ctx.db.orm.em.fork();
  await createAgreement(em, { sender: await em.findOneOrFail(SenderSchema, { senderId: sender.senderId }), name: 'Two a day', purpose: 'pilot', dailyQuota: 2 });
  const limited = new DciTestClient(server.baseUrl, sender);
  const two = await limited.send('/registry/sync/search', 'search', { transaction_id: 'q-1', search_request: [byUin('a'), byUin('b')] }, 'search_request');
  assert.equal(two.status, 200, JSON.stringify(two.body));
  const envelope = await limited.envelope(limited.header('search', 1), { transaction_id: 'q-2', search_request: [byUin('c')] });
  const over = await limited.post('/registry/sync/search', envelope);
  assert.equal(over.status, 429, JSON.stringify(over.body));
  assert.equal(over.body.errors[0].code, 'err.quota.exceeded');
  const replay = await limited.post('/registry/sync/search', envelope);
  assert.equal(replay.body.errors[0].code, 'rjct.message_id.duplicate');
});
