import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { validateOutbound } from '@dci-server/dci';
import { SenderSchema } from '@dci-server/db';
import { createAgreement } from '../agreements/agreements.js';
import type { PersonInput } from '../registry/record-input.js';
import { recordEvent, upsertPerson } from '../registry/registry-writes.js';
import { startCallbackReceiver } from '../testing/callback-receiver.js';
import { createTestSender, DciTestClient } from '../testing/dci-client.js';
import { assertSignedByServer } from '../testing/server-signature.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { resendDeadLetters } from './dead-letters.js';
import { sendDigests } from './digests.js';

let server: TestServer;
let receiver: Awaited<ReturnType<typeof startCallbackReceiver>>;
let subscriber: DciTestClient;

before(async () => {
  server = await startTestServer({ DELIVERY_MAX_ATTEMPTS: '3', DELIVERY_RETRY_WINDOW_SECONDS: '0.5', DELIVERY_PAUSE_AFTER_FAILURES: '3', DELIVERY_PAUSE_SECONDS: '3' }, { worker: true });
  receiver = await startCallbackReceiver();
  const sender = await createTestSender(server.ctx, 'subscriber', undefined, { agreement: false });
  const em = server.ctx.db.orm.em.fork();
  await createAgreement(em, {
    sender: await em.findOneOrFail(SenderSchema, { senderId: sender.senderId }),
    name: 'Notifications',
    purpose: 'Keep beneficiary lists current',
    fieldRules: [{ field: 'phone_number', action: 'deny' }],
  });
  subscriber = new DciTestClient(server.baseUrl, sender);
});
after(async () => {
  await receiver.close();
  await server.close();
});

let counter = 0;
const person = (location: string, extra: Partial<PersonInput> = {}): PersonInput => ({
  identifiers: [{ type: 'UIN', value: `N-${++counter}` }],
  givenName: `Person${counter}`,
  surname: 'Notified',
  sex: 'female',
  birthDate: '1990-01-01',
  location,
  phoneNumbers: ['+255700000000'],
  emails: [],
  ...extra,
});

const register = (input: PersonInput) => server.ctx.db.orm.em.fork().transactional((em) => upsertPerson(em, input));

async function subscribe(eventType: string, query?: Record<string, unknown>, frequency?: Record<string, string>) {
  const filter = query ? { type: 'ns:org:QueryType:expression', value: { expression: { collection: 'Person', query } } } : {};
  const reply = await subscriber.send(
    '/registry/sync/subscribe',
    'subscribe',
    { transaction_id: `sub-${Math.random()}`, subscribe_request: [{ reference_id: 's', timestamp: new Date().toISOString(), subscribe_criteria: { reg_event_type: eventType, filter_type: 'expression', filter, notify_record_type: 'Person', ...(frequency ? { frequency } : {}) } }] },
    'subscribe_request',
    { sender_uri: receiver.url },
  );
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  assert.ok(validateOutbound('on-subscribe', reply.body).ok);
  const item = reply.body.message.subscribe_response[0];
  assert.equal(item.status, 'succ', JSON.stringify(item));
  return item.subscriptions[0].code as string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const notificationsFor = (code: string) => receiver.received.filter((r) => r.body.message?.transaction_id === code);

test('subscribe → registry change → signed notify, filtered, with field rules applied; unsubscribe stops it', async () => {
  const code = await subscribe('REGISTER', { $and: [{ location: { $eq: 'central_region' } }] });
  await register(person('northern_region'));
  const central = await register(person('central_region'));
  await receiver.waitFor(1);
  await sleep(500);
  const received = notificationsFor(code);
  assert.equal(received.length, 1, 'only the record matching the filter');
  const notify = received[0]!;
  assert.equal(notify.path, '/registry/notify');
  const check = validateOutbound('notify', notify.body); // REGISTER is a social-spec event
  assert.ok(check.ok, check.ok ? '' : check.errors.join('\n'));
  await assertSignedByServer(server.baseUrl, notify.body);
  const record = notify.body.message.notify_event[0].data.reg_records;
  assert.equal(record.name.given_name, central.entity.givenName);
  assert.equal(record.phone_number, undefined, 'the agreement hides phone numbers');

  const off = await subscriber.send('/registry/sync/unsubscribe', 'unsubscribe', { transaction_id: 'u', timestamp: new Date().toISOString(), subscription_codes: [code] }, 'subscription_codes');
  assert.equal(off.status, 200, JSON.stringify(off.body));
  assert.equal(off.body.message.status, 'succ');
  assert.deepEqual(off.body.message.subscription_status, [{ code, status: 'unsubscribe' }]);
  await register(person('central_region'));
  await sleep(1500);
  assert.equal(notificationsFor(code).length, 1, 'no notification after unsubscribing');
});

test("another sender's subscription code cannot be unsubscribed", async () => {
  const code = await subscribe('Marriage');
  const other = new DciTestClient(server.baseUrl, await createTestSender(server.ctx, 'intruder'));
  const reply = await other.send('/registry/sync/unsubscribe', 'unsubscribe', { transaction_id: 'x', timestamp: new Date().toISOString(), subscription_codes: [code] }, 'subscription_codes');
  assert.equal(reply.body.message.status, 'rjct');
  assert.equal(reply.body.message.status_reason_code, 'rjct.subscription_code.invalid');
});

test('a failing receiver is retried, then dead-lettered with every attempt logged; resend delivers', async (t) => {
  const code = await subscribe('UPDATE');
  receiver.setStatus(500);
  t.after(() => receiver.setStatus(200));
  const original = person('eastern_region');
  const changed = await register(original);
  await register({ ...original, givenName: 'Changed' });
  const pool = server.ctx.db.pool;
  const deliveryOf = async () => (await pool.query<{ id: string; status: string; attempts: number }>(`SELECT d.id, d.status, d.attempts FROM notification_delivery d JOIN subscription s ON s.id = d.subscription_id WHERE s.code = $1`, [code])).rows;
  const deadline = Date.now() + 20_000;
  while ((await deliveryOf())[0]?.status !== 'dead') {
    assert.ok(Date.now() < deadline, `not dead-lettered: ${JSON.stringify(await deliveryOf())}`);
    await sleep(200);
  }
  const [dead] = await deliveryOf();
  assert.equal(dead!.attempts, 3);
  const attempts = await pool.query<{ http_status: number; error: string }>('SELECT http_status, error FROM delivery_attempt WHERE delivery_id = $1', [dead!.id]);
  assert.deepEqual(attempts.rows.map((a) => a.http_status), [500, 500, 500]);
  assert.ok(notificationsFor(code).length >= 3);

  receiver.setStatus(200);
  const before = notificationsFor(code).length;
  assert.deepEqual(await resendDeadLetters(pool, { subscriptionCode: code }), [dead!.id]);
  while ((await deliveryOf())[0]?.status !== 'delivered') {
    assert.ok(Date.now() < deadline + 10_000, 'resend not delivered');
    await sleep(200);
  }
  assert.equal(notificationsFor(code).length, before + 1);
  assert.ok(changed.entity.id);
});

test('inbound notify from a civil registry updates the registry and fans out to subscribers', async () => {
  const code = await subscribe('Death');
  const livingInput = person('western_region');
  const living = await register(livingInput);
  const registryClient = new DciTestClient(server.baseUrl, await createTestSender(server.ctx, 'civil-registry', ['notify']));
  const reply = await registryClient.send('/registry/notify', 'notify', {
    transaction_id: 'crvs-1',
    notify_event: [
      {
        reference_id: 'death-1',
        timestamp: new Date().toISOString(),
        data: {
          reg_event_type: 'spdci-common:RegistryEventType:Death',
          reg_record_type: 'Person',
          reg_records: { '@type': 'Person', identifier: [{ identifier_type: 'UIN', identifier_value: livingInput.identifiers[0]!.value }], name: { given_name: living.entity.givenName, surname: 'Notified' }, sex: 'female', death_date: '2026-11-20' },
        },
      },
    ],
  }, 'notify_event', { status: 'succ' });
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  assert.equal(reply.body.message.ack_status, 'ACK');
  const row = await server.ctx.db.pool.query<{ death_date: string }>(`SELECT to_char(death_date, 'YYYY-MM-DD') AS death_date FROM person WHERE id = $1`, [living.entity.id]);
  assert.equal(row.rows[0]!.death_date, '2026-11-20');
  const deadline = Date.now() + 10_000;
  while (!notificationsFor(code).length) {
    assert.ok(Date.now() < deadline, 'death not notified');
    await sleep(100);
  }
  const death = notificationsFor(code)[0]!.body;
  assert.equal(death.message.notify_event[0].data.reg_event_type, 'Death');
  assert.ok(validateOutbound('crvs-notify', death).ok, 'vital events follow the CRVS notify schema');
});

test('a subscriber failing in a row is paused: no attempts while paused, deliveries resume after, and health resets', async (t) => {
  const code = await subscribe('LiveBirth');
  const pool = server.ctx.db.pool;
  const health = async () => (await pool.query<{ consecutive_failures: number; paused_until: Date | null }>('SELECT consecutive_failures, paused_until FROM subscription WHERE code = $1', [code])).rows[0]!;
  const attempts = async () => (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM delivery_attempt a JOIN notification_delivery d ON d.id = a.delivery_id JOIN subscription s ON s.id = d.subscription_id WHERE s.code = $1', [code])).rows[0]!.n;
  receiver.setStatus(503);
  t.after(() => receiver.setStatus(200)); // whatever happens, later tests get a healthy receiver
  const born = async () => {
    const entity = (await register(person('coastal_region'))).entity;
    await server.ctx.db.orm.em.fork().transactional(async (em) => recordEvent(em, 'LiveBirth', 'Person', entity.id));
  };
  await born();
  const deadline = Date.now() + 30_000;
  while (!(await health()).paused_until) {
    assert.ok(Date.now() < deadline, `never paused: ${JSON.stringify((await pool.query('SELECT d.status, d.attempts, d.last_error FROM notification_delivery d JOIN subscription s ON s.id = d.subscription_id WHERE s.code = $1', [code])).rows)}`);
    await sleep(100);
  }
  assert.equal((await health()).consecutive_failures, 3);
  receiver.setStatus(200);
  await born();
  const during = await attempts();
  await sleep(500);
  assert.equal(await attempts(), during, 'no attempt while paused');
  const delivered = async () => (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM notification_delivery d JOIN subscription s ON s.id = d.subscription_id WHERE s.code = $1 AND d.status = 'delivered'`, [code])).rows[0]!.n;
  while ((await delivered()) === 0 || (await health()).consecutive_failures !== 0) {
    assert.ok(Date.now() < deadline + 10_000, 'did not resume');
    await sleep(100);
  }
  assert.equal((await health()).paused_until, null);
});

test('a frequency subscription gets one digest per scheduled time with every batched event', async () => {
  // The window starts in the future, so nothing may go out (the every-minute cron job runs too).
  const frequency = { start_time: '2099-01-01T00:00:00Z', end_time: '2100-01-01T00:00:00Z', frequency: '* * * * * ?' };
  const code = await subscribe('Divorce', undefined, frequency);
  for (let i = 0; i < 3; i++) {
    const entity = (await register(person('central_region'))).entity;
    await server.ctx.db.orm.em.fork().transactional(async (em) => recordEvent(em, 'Divorce', 'Person', entity.id));
  }
  const pool = server.ctx.db.pool;
  const statuses = async () => (await pool.query<{ status: string }>('SELECT d.status FROM notification_delivery d JOIN subscription s ON s.id = d.subscription_id WHERE s.code = $1', [code])).rows.map((r) => r.status);
  const deadline = Date.now() + 20_000;
  while ((await statuses()).length < 3) {
    assert.ok(Date.now() < deadline, 'not matched');
    await sleep(100);
  }
  assert.deepEqual(await statuses(), ['batched', 'batched', 'batched'], 'nothing is sent before the digest is due');
  await pool.query(`UPDATE subscription SET frequency = jsonb_set(frequency, '{start_time}', '"2026-01-01T00:00:00Z"') WHERE code = $1`, [code]);
  await sendDigests(server.ctx)({}, {} as never); // what the every-minute cron job runs
  while ((await statuses()).some((st) => st !== 'delivered')) {
    assert.ok(Date.now() < deadline + 10_000, 'digest not delivered');
    await sleep(100);
  }
  const digests = notificationsFor(code);
  assert.equal(digests.length, 1, 'one digest');
  assert.equal(digests[0]!.body.message.notify_event.length, 3);
  await sendDigests(server.ctx)({}, {} as never);
  assert.equal(notificationsFor(code).length, 1, 'no second digest without new events');
});

test('a frequency that is not a cron expression is refused at subscribe time', async () => {
  const reply = await subscriber.send(
    '/registry/sync/subscribe',
    'subscribe',
    { transaction_id: 'bad-freq', subscribe_request: [{ reference_id: 's', timestamp: new Date().toISOString(), subscribe_criteria: { reg_event_type: 'Death', filter: {}, notify_record_type: 'Person', frequency: { start_time: '2026-01-01T00:00:00Z', end_time: '2027-01-01T00:00:00Z', frequency: 'daily-ish' } } }] },
    'subscribe_request',
    { sender_uri: receiver.url },
  );
  const item = reply.body.message.subscribe_response[0];
  assert.equal(item.status, 'rjct');
  assert.equal(item.status_reason_code, 'rjct.notify_details.invalid');
  assert.match(item.status_reason_message, /cron/);
});
