import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { recordEvent, upsertPerson } from '../registry/registry-writes.js';
import { startCallbackReceiver } from '../testing/callback-receiver.js';
import { createTestSender, DciTestClient } from '../testing/dci-client.js';
import { createStaffPerRole, errorCode, graphqlClient, type GraphqlCaller } from '../testing/graphql-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

let server: TestServer;
let gql: GraphqlCaller;
let tokens: Record<string, string>;
let receiver: Awaited<ReturnType<typeof startCallbackReceiver>>;
let alpha: DciTestClient;
let beta: DciTestClient;

before(async () => {
  // Two attempts, quickly retried; no automatic back-off, so that only staff pause subscriptions here.
  server = await startTestServer({ DELIVERY_MAX_ATTEMPTS: '2', DELIVERY_RETRY_WINDOW_SECONDS: '0.5', DELIVERY_PAUSE_AFTER_FAILURES: '1000' }, { worker: true });
  gql = graphqlClient(server);
  ({ tokens } = await createStaffPerRole(server));
  receiver = await startCallbackReceiver();
  alpha = new DciTestClient(server.baseUrl, await createTestSender(server.ctx, 'sub-alpha'));
  beta = new DciTestClient(server.baseUrl, await createTestSender(server.ctx, 'sub-beta'));
});
after(async () => {
  await receiver.close();
  await server.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it holds: bounded in time, never a fixed wait for the outcome. */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `timed out waiting: ${what}`);
    await sleep(100);
  }
}

async function subscribe(client: DciTestClient, eventType: string): Promise<string> {
  const reply = await client.send(
    '/registry/sync/subscribe',
    'subscribe',
    { transaction_id: `sub-${Math.random()}`, subscribe_request: [{ reference_id: 's', timestamp: new Date().toISOString(), subscribe_criteria: { reg_event_type: eventType, filter: {}, notify_record_type: 'Person' } }] },
    'subscribe_request',
    { sender_uri: receiver.url },
  );
  const item = reply.body.message.subscribe_response[0];
  assert.equal(item.status, 'succ', JSON.stringify(item));
  return item.subscriptions[0].code as string;
}

let counter = 0;
/** A registry change that raises `eventType` for a new person, written as an import would; returns the person's id. */
async function happen(eventType: string): Promise<string> {
  return server.ctx.db.orm.em.fork().transactional(async (em) => {
    const { entity } = await upsertPerson(em, { identifiers: [{ type: 'UIN', value: `SUB-${++counter}` }], givenName: `P${counter}`, surname: 'Subscribed', sex: 'male', phoneNumbers: [], emails: [] });
    await em.flush();
    recordEvent(em, eventType, 'Person', entity.id);
    return entity.id;
  });
}

/** Whether the matcher has looked at every event of the record (and created whatever deliveries it should). */
const matched = async (recordId: string) => (await server.ctx.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM registry_event WHERE record_id = $1 AND matched_at IS NULL', [recordId])).rows[0]!.n === 0;

/** Whether the worker has run (and finished) every job naming the delivery (its own, or a batch of its subscription's). */
const jobDone = async (deliveryId: string) =>
  (await server.ctx.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM graphile_worker._private_jobs WHERE key = $1 OR strpos(payload::text, $2) > 0`, [`delivery:${deliveryId}`, deliveryId])).rows[0]!.n === 0;

const notified = (code: string) => receiver.received.filter((r) => r.body.message?.transaction_id === code).length;

const deliveriesOf = async (code: string, status?: string) =>
  (await server.ctx.db.pool.query<{ id: string; status: string }>('SELECT d.id, d.status FROM notification_delivery d JOIN subscription s ON s.id = d.subscription_id WHERE s.code = $1 AND ($2::text IS NULL OR d.status = $2)', [code, status ?? null])).rows;

const LIST = `query($filter: NotificationSubscriptionFilterInput, $first: Int, $after: String) {
  subscriptions(filter: $filter, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { code senderId eventType status callbackUrl } } }
}`;
const DETAIL = `query($code: String!, $first: Int) { subscription(code: $code) {
  code status consecutiveFailures
  deliveries(first: $first) { totalCount pageInfo { hasNextPage } edges { node { id status attemptCount lastHttpStatus nextAttemptAt
    attempts { attemptedAt httpStatus latencyMs responseExcerpt error nextAttemptAt } } } }
} }`;
const CHANGE = (name: string) => `mutation($code: String!) { ${name}(code: $code) { subscription { code status } userErrors { message code } } }`;
const RESEND_ONE = 'mutation($id: ID!) { resendDelivery(id: $id) { resentCount deliveryIds userErrors { message code } } }';
const RESEND = 'mutation($filter: DeadLetterFilterInput!) { resendDeadLetters(filter: $filter) { resentCount deliveryIds userErrors { message code } } }';

test('subscriptions: filtered by sender, event type and status, paged with a total count', async () => {
  const codes = [await subscribe(alpha, 'REGISTER'), await subscribe(alpha, 'Death'), await subscribe(alpha, 'Marriage'), await subscribe(beta, 'spdci-common:RegistryEventType:Death')];
  const all = await gql(LIST, {}, { token: tokens.auditor });
  assert.equal(all.errors, undefined, JSON.stringify(all.errors));
  assert.equal(all.data?.subscriptions.totalCount, 4);
  assert.deepEqual(all.data?.subscriptions.edges.map((e: { node: { code: string } }) => e.node.code), [...codes].reverse(), 'newest first');
  assert.equal(all.data?.subscriptions.edges[0].node.callbackUrl, `${receiver.url}/registry/notify`);

  const count = async (filter: Record<string, unknown>) => (await gql(LIST, { filter }, { token: tokens.operator })).data?.subscriptions.totalCount;
  assert.equal(await count({ senderId: 'sub-alpha' }), 3);
  assert.equal(await count({ eventType: 'Death' }), 2);
  assert.equal(await count({ eventType: 'spdci-common:RegistryEventType:Death', senderId: 'sub-beta' }), 1);
  assert.equal(await count({ status: 'active' }), 4);
  assert.equal(await count({ status: 'cancelled' }), 0);

  const first = await gql(LIST, { filter: { senderId: 'sub-alpha' }, first: 2 }, { token: tokens.operator });
  assert.equal(first.data?.subscriptions.pageInfo.hasNextPage, true);
  assert.equal(first.data?.subscriptions.totalCount, 3, 'the total covers every page');
  const second = await gql(LIST, { filter: { senderId: 'sub-alpha' }, first: 2, after: first.data?.subscriptions.pageInfo.endCursor }, { token: tokens.operator });
  assert.equal(second.data?.subscriptions.pageInfo.hasNextPage, false);
  const paged = [...first.data!.subscriptions.edges, ...second.data!.subscriptions.edges].map((e: { node: { code: string } }) => e.node.code);
  assert.deepEqual(paged, codes.slice(0, 3).reverse(), 'pages neither overlap nor skip');

  assert.equal(errorCode(await gql(LIST, { after: 'bm90LWEtY3Vyc29y' }, { token: tokens.operator })), 'BAD_USER_INPUT');
  assert.equal(errorCode(await gql(LIST, { filter: { status: 'sleeping' } }, { token: tokens.operator })), 'BAD_USER_INPUT');
  assert.equal(errorCode(await gql(LIST, { filter: { eventType: 'Coronation' } }, { token: tokens.operator })), 'BAD_USER_INPUT');
  assert.equal(errorCode(await gql(LIST)), 'UNAUTHENTICATED');
  assert.equal((await gql(DETAIL, { code: 'SUB-NOPE' }, { token: tokens.auditor })).data?.subscription, null);
});

test('a receiver answering 500: every attempt listed with status, latency, answer and next attempt; resending one delivery', async (t) => {
  const code = await subscribe(alpha, 'LiveBirth');
  receiver.setStatus(500);
  t.after(() => receiver.setStatus(200));
  await happen('LiveBirth');
  await until('dead-lettered', async () => (await deliveriesOf(code, 'dead')).length === 1);

  const detail = await gql(DETAIL, { code }, { token: tokens.auditor });
  assert.equal(detail.errors, undefined, JSON.stringify(detail.errors));
  assert.equal(detail.data?.subscription.deliveries.totalCount, 1);
  const delivery = detail.data?.subscription.deliveries.edges[0].node;
  assert.deepEqual([delivery.status, delivery.attemptCount, delivery.lastHttpStatus, delivery.nextAttemptAt], ['dead', 2, 500, null]);
  const attempts = delivery.attempts as { attemptedAt: string; httpStatus: number; latencyMs: number; responseExcerpt: string; error: string; nextAttemptAt: string | null }[];
  assert.deepEqual(attempts.map((a) => [a.httpStatus, a.error, a.responseExcerpt]), [
    [500, 'HTTP 500', '{"message":{"ack_status":"ACK"}}'],
    [500, 'HTTP 500', '{"message":{"ack_status":"ACK"}}'],
  ]);
  assert.ok(attempts.every((a) => Number.isInteger(a.latencyMs) && a.latencyMs >= 0), 'latency recorded');
  assert.ok(attempts[0]!.nextAttemptAt && new Date(attempts[0]!.nextAttemptAt) > new Date(attempts[0]!.attemptedAt), 'the retry was scheduled');
  assert.equal(attempts[1]!.nextAttemptAt, null, 'no retry after the last attempt');
  assert.ok(new Date(attempts[1]!.attemptedAt) >= new Date(attempts[0]!.attemptedAt));

  const single = await gql('query($id: ID!) { delivery(id: $id) { id subscriptionCode status attempts { httpStatus } } }', { id: delivery.id }, { token: tokens.auditor });
  assert.deepEqual(single.data?.delivery, { id: delivery.id, subscriptionCode: code, status: 'dead', attempts: [{ httpStatus: 500 }, { httpStatus: 500 }] });
  assert.equal((await gql('query { delivery(id: "nope") { id } }', {}, { token: tokens.auditor })).data?.delivery, null);
  assert.equal(errorCode(await gql(RESEND_ONE, { id: delivery.id }, { token: tokens.auditor })), 'FORBIDDEN');
  receiver.setStatus(200);
  const resent = await gql(RESEND_ONE, { id: delivery.id }, { token: tokens.operator });
  assert.deepEqual(resent.data?.resendDelivery, { resentCount: 1, deliveryIds: [delivery.id], userErrors: [] });
  await until('delivered after resend', async () => (await deliveriesOf(code, 'delivered')).length === 1);
  assert.equal(notified(code), 3);
  const again = await gql(RESEND_ONE, { id: delivery.id }, { token: tokens.admin });
  assert.deepEqual(again.data?.resendDelivery, { resentCount: 0, deliveryIds: [], userErrors: [{ message: `delivery ${delivery.id} is delivered: only dead letters are resent`, code: 'CONFLICT' }] });
  assert.equal((await gql(RESEND_ONE, { id: '00000000-0000-0000-0000-000000000000' }, { token: tokens.admin })).data?.resendDelivery.userErrors[0].code, 'NOT_FOUND');
  const last = (await gql(DETAIL, { code }, { token: tokens.auditor })).data?.subscription.deliveries.edges[0].node;
  assert.deepEqual(last.attempts.map((a: { httpStatus: number }) => a.httpStatus), [500, 500, 200], 'the history is kept across a resend');
});

test('resending dead letters counts all that matched, not a page; by subscription and by sender, event type and time', async (t) => {
  const code = await subscribe(beta, 'Divorce');
  receiver.setStatus(500);
  t.after(() => receiver.setStatus(200));
  for (let i = 0; i < 3; i++) await happen('Divorce');
  await until('three dead letters', async () => (await deliveriesOf(code, 'dead')).length === 3);
  const page = (await gql(DETAIL, { code, first: 1 }, { token: tokens.auditor })).data?.subscription.deliveries;
  assert.deepEqual([page.totalCount, page.edges.length, page.pageInfo.hasNextPage], [3, 1, true]);

  for (const role of ['auditor']) assert.equal(errorCode(await gql(RESEND, { filter: { senderId: 'sub-beta' } }, { token: tokens[role] })), 'FORBIDDEN');
  const longAgo = await gql(RESEND, { filter: { senderId: 'sub-beta', to: '2020-01-01T00:00:00Z' } }, { token: tokens.operator });
  assert.equal(longAgo.data?.resendDeadLetters.resentCount, 0, 'none died before 2020');
  const otherType = await gql(RESEND, { filter: { senderId: 'sub-beta', eventType: 'Marriage' } }, { token: tokens.operator });
  assert.equal(otherType.data?.resendDeadLetters.resentCount, 0);
  const matched = await gql(RESEND, { filter: { senderId: 'sub-beta', eventType: 'spdci-common:RegistryEventType:Divorce', from: new Date(Date.now() - 3_600_000).toISOString() } }, { token: tokens.operator });
  assert.equal(matched.data?.resendDeadLetters.resentCount, 3, JSON.stringify(matched));
  assert.deepEqual(new Set(matched.data?.resendDeadLetters.deliveryIds), new Set((await deliveriesOf(code)).map((d) => d.id)));

  await until('dead again', async () => (await deliveriesOf(code, 'dead')).length === 3);
  const bySubscription = await gql(RESEND, { filter: { subscriptionCode: code } }, { token: tokens.admin });
  assert.equal(bySubscription.data?.resendDeadLetters.resentCount, 3);
  const unknown = await gql(RESEND, { filter: { subscriptionCode: 'SUB-NOPE' } }, { token: tokens.admin });
  assert.deepEqual(unknown.data?.resendDeadLetters.userErrors, [{ message: 'no subscription SUB-NOPE', code: 'NOT_FOUND' }]);
  const backwards = await gql(RESEND, { filter: { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' } }, { token: tokens.admin });
  assert.equal(backwards.data?.resendDeadLetters.userErrors[0].code, 'INVALID_INPUT');

  const audit = await server.ctx.db.pool.query<{ action: string; after: { resentCount: number } }>(`SELECT action, after FROM staff_audit WHERE action = 'resendDeadLetters' ORDER BY id`);
  assert.deepEqual(audit.rows.map((r) => r.after.resentCount), [0, 0, 3, 3], 'each resend is audited with its count');
});

test('the console can count dead letters before resending them and list the subscriptions that have some', async (t) => {
  const code = await subscribe(beta, 'NewHouseHoldMember');
  receiver.setStatus(500);
  t.after(() => receiver.setStatus(200));
  for (let i = 0; i < 2; i++) await happen('NewHouseHoldMember');
  await until('two dead letters', async () => (await deliveriesOf(code, 'dead')).length === 2);

  const COUNT = 'query($filter: DeadLetterFilterInput!) { deadLetterCount(filter: $filter) }';
  const counted = await gql(COUNT, { filter: { subscriptionCode: code } }, { token: tokens.auditor });
  assert.equal(counted.data?.deadLetterCount, 2, JSON.stringify(counted));
  assert.equal((await gql(COUNT, { filter: { subscriptionCode: code, eventType: 'Marriage' } }, { token: tokens.auditor })).data?.deadLetterCount, 0);
  assert.equal(errorCode(await gql(COUNT, { filter: { subscriptionCode: 'SUB-NOPE' } }, { token: tokens.auditor })), 'BAD_USER_INPUT');

  const withDead = await gql(LIST, { filter: { deliveryStatus: 'dead', eventType: 'NewHouseHoldMember' } }, { token: tokens.auditor });
  assert.deepEqual(withDead.data?.subscriptions.edges.map((e: { node: { code: string } }) => e.node.code), [code]);
  const withDelivered = await gql(LIST, { filter: { deliveryStatus: 'delivered', eventType: 'NewHouseHoldMember' } }, { token: tokens.auditor });
  assert.equal(withDelivered.data?.subscriptions.totalCount, 0);
  const unknownStatus = await gql(LIST, { filter: { deliveryStatus: 'lost' } }, { token: tokens.auditor });
  assert.equal(errorCode(unknownStatus), 'BAD_USER_INPUT');
  assert.match(unknownStatus.errors?.[0]?.message ?? '', /unknown delivery status lost/);

  receiver.setStatus(200);
  const resent = await gql(RESEND, { filter: { subscriptionCode: code } }, { token: tokens.operator });
  assert.equal(resent.data?.resendDeadLetters.resentCount, 2, 'the count shown is what gets resent');
  await until('delivered after the resend', async () => (await deliveriesOf(code, 'delivered')).length === 2);
});

test('pause holds deliveries without spending attempts, resume sends them, cancel ends the subscription; auditors may not', async () => {
  const code = await subscribe(alpha, 'UPDATE');
  for (const name of ['pauseSubscription', 'resumeSubscription', 'cancelSubscription']) assert.equal(errorCode(await gql(CHANGE(name), { code }, { token: tokens.auditor })), 'FORBIDDEN');

  const paused = await gql(CHANGE('pauseSubscription'), { code }, { token: tokens.operator });
  assert.deepEqual(paused.data?.pauseSubscription, { subscription: { code, status: 'paused' }, userErrors: [] });
  assert.equal((await gql(CHANGE('pauseSubscription'), { code }, { token: tokens.operator })).data?.pauseSubscription.userErrors[0].code, 'CONFLICT');
  assert.equal((await gql(LIST, { filter: { status: 'paused' } }, { token: tokens.auditor })).data?.subscriptions.edges[0].node.code, code);

  await happen('UPDATE');
  await until('matched while paused', async () => (await deliveriesOf(code)).length === 1);
  const [pending] = await deliveriesOf(code);
  await until('the delivery job ran', () => jobDone(pending!.id));
  assert.equal(notified(code), 0, 'nothing sent while paused');
  const held = (await gql(DETAIL, { code }, { token: tokens.auditor })).data?.subscription.deliveries.edges[0].node;
  assert.deepEqual([held.status, held.attemptCount, held.attempts], ['pending', 0, []]);

  const resumed = await gql(CHANGE('resumeSubscription'), { code }, { token: tokens.admin });
  assert.deepEqual(resumed.data?.resumeSubscription.subscription, { code, status: 'active' });
  await until('sent after resume', async () => notified(code) === 1);
  assert.equal((await gql(CHANGE('resumeSubscription'), { code }, { token: tokens.admin })).data?.resumeSubscription.userErrors[0].message, `subscription ${code} is not paused`);

  const cancelled = await gql(CHANGE('cancelSubscription'), { code }, { token: tokens.operator });
  assert.deepEqual(cancelled.data?.cancelSubscription.subscription, { code, status: 'cancelled' });
  for (const name of ['pauseSubscription', 'resumeSubscription', 'cancelSubscription']) {
    assert.equal((await gql(CHANGE(name), { code }, { token: tokens.operator })).data?.[name].userErrors[0].code, 'CONFLICT');
  }
  assert.equal((await gql(CHANGE('pauseSubscription'), { code: 'SUB-NOPE' }, { token: tokens.operator })).data?.pauseSubscription.userErrors[0].code, 'NOT_FOUND');
  const later = await happen('UPDATE');
  await until('matched after cancelling', () => matched(later));
  assert.equal((await deliveriesOf(code)).length, 1, 'a cancelled subscription matches nothing more');

  const audit = await server.ctx.db.pool.query<{ actor: string; action: string; before: { status: string }; after: { status: string } }>(`SELECT actor, action, before, after FROM staff_audit WHERE target = $1 ORDER BY id`, [code]);
  assert.deepEqual(audit.rows.map((r) => [r.action, r.before.status, r.after.status]), [
    ['pauseSubscription', 'active', 'paused'],
    ['resumeSubscription', 'paused', 'active'],
    ['cancelSubscription', 'active', 'cancelled'],
  ]);
  assert.match(audit.rows[1]!.actor, /admin@example.org/);
});

test('a list of subscriptions with their deliveries and attempts costs the same queries for 1 or many (no N+1)', async () => {
  const pool = server.ctx.db.pool;
  const original = pool.query.bind(pool);
  const seen: string[] = [];
  // Only this door's own reads are counted: the worker shares the pool and runs its own queries meanwhile.
  const ours = /subscription s JOIN sender x|AS sid CROSS JOIN LATERAL|FROM delivery_attempt WHERE delivery_id|FROM notification_delivery d\s+WHERE d.subscription_id = ANY/;
  (pool as { query: unknown }).query = (...args: Parameters<typeof pool.query>) => {
    const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text: string }).text;
    if (ours.test(text)) seen.push(text);
    return (original as (...a: unknown[]) => unknown)(...args);
  };
  const queriesFor = async (first: number) => {
    seen.length = 0;
    const reply = await gql(`query($first: Int) { subscriptions(first: $first) { edges { node { code deliveries(first: 10) { totalCount edges { node { id attempts { httpStatus } } } } } } } }`, { first }, { token: tokens.auditor });
    assert.equal(reply.errors, undefined, JSON.stringify(reply.errors));
    assert.equal(reply.data?.subscriptions.edges.length, first);
    assert.ok(reply.data?.subscriptions.edges.some((e: { node: { deliveries: { edges: { node: { attempts: unknown[] } }[] } } }) => e.node.deliveries.edges.some((d) => d.node.attempts.length)), 'attempts are listed');
    return seen.length;
  };
  try {
    const total = (await gql('{ subscriptions { totalCount } }', {}, { token: tokens.auditor })).data?.subscriptions.totalCount;
    assert.ok(total >= 6);
    assert.equal(await queriesFor(total), await queriesFor(2));
    assert.equal(await queriesFor(total), 5, 'page and total; every delivery page, and their totals; every attempt');
  } finally {
    (pool as { query: unknown }).query = original;
  }
});
