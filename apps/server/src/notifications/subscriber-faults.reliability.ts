import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PersonInput } from '../registry/record-input.js';
import { upsertPerson } from '../registry/registry-writes.js';
import { createTestSender, DciTestClient } from '../testing/dci-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { resendDeadLetters } from './dead-letters.js';

/**
 * Subscribers that answer 500, reset the connection, never answer (the delivery times out) or
 * answer slowly, next to a healthy one, all subscribed to the same events: the healthy and the
 * slow get every notification once; the others are retried up to the limit, then dead-lettered
 * with every attempt logged; a resend delivers once the subscriber is back.
 */
type Behaviour = 'healthy' | 'error500' | 'reset' | 'hanging' | 'slow';
const BEHAVIOURS: Behaviour[] = ['healthy', 'error500', 'reset', 'hanging', 'slow'];
const EVENTS = 3;
const MAX_ATTEMPTS = 2;

interface Subscriber {
  behaviour: Behaviour;
  url: string;
  received: number;
  code?: string;
  heal(): void;
  close(): Promise<void>;
}

/** A loopback subscriber that behaves as told until healed. */
async function startSubscriber(behaviour: Behaviour): Promise<Subscriber> {
  let healed = false;
  const subscriber: Subscriber = { behaviour, url: '', received: 0, heal: () => (healed = true), close: async () => {} };
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const ok = () => {
        subscriber.received++;
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"message":{"ack_status":"ACK"}}');
      };
      if (healed || behaviour === 'healthy') return ok();
      if (behaviour === 'error500') return res.writeHead(500).end('{"error":"down"}');
      if (behaviour === 'reset') return req.socket.destroy();
      if (behaviour === 'slow') return void setTimeout(ok, 1500);
      // hanging: the request is read and never answered; the server's delivery timeout ends it.
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  subscriber.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  subscriber.close = () => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return subscriber;
}

let server: TestServer;
const subscribers: Subscriber[] = [];

before(async () => {
  // No pausing here: each failing subscriber goes all the way to the dead letters.
  server = await startTestServer({ DELIVERY_MAX_ATTEMPTS: String(MAX_ATTEMPTS), DELIVERY_RETRY_WINDOW_SECONDS: '1', DELIVERY_PAUSE_AFTER_FAILURES: '100' }, { worker: true });
  for (const behaviour of BEHAVIOURS) {
    const subscriber = await startSubscriber(behaviour);
    subscribers.push(subscriber);
    const client = new DciTestClient(server.baseUrl, await createTestSender(server.ctx, `subscriber-${behaviour}`));
    const reply = await client.send(
      '/registry/sync/subscribe',
      'subscribe',
      { transaction_id: `sub-${behaviour}`, subscribe_request: [{ reference_id: 's', timestamp: new Date().toISOString(), subscribe_criteria: { reg_event_type: 'REGISTER', filter_type: 'expression', filter: {}, notify_record_type: 'Person' } }] },
      'subscribe_request',
      { sender_uri: subscriber.url },
    );
    assert.equal(reply.body.message.subscribe_response?.[0]?.status, 'succ', JSON.stringify(reply.body));
    subscriber.code = reply.body.message.subscribe_response[0].subscriptions[0].code;
  }
});
after(async () => {
  await server?.close();
  for (const s of subscribers) await s.close();
});

const person = (n: number): PersonInput => ({ identifiers: [{ type: 'UIN', value: `FAULT-${n}` }], givenName: `Fault${n}`, surname: 'Subscriber', sex: 'female', birthDate: '1990-01-01', location: 'central_region', phoneNumbers: [], emails: [] });

interface DeliveryState {
  id: string;
  status: string;
  attempts: number;
}
const deliveriesOf = async (s: Subscriber) =>
  (await server.ctx.db.pool.query<DeliveryState>('SELECT d.id, d.status, d.attempts FROM notification_delivery d JOIN subscription s ON s.id = d.subscription_id WHERE s.code = $1 ORDER BY d.id', [s.code])).rows;

async function eventually(what: string, check: () => Promise<boolean>, withinMs = 180_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(250);
  }
  assert.fail(`not within ${withinMs / 1000} s: ${what}`);
}

const byBehaviour = (b: Behaviour) => subscribers.find((s) => s.behaviour === b)!;

test(`${EVENTS} events to five subscribers (healthy, 500, reset, hanging, slow): the healthy and the slow get each once, the others are dead-lettered after ${MAX_ATTEMPTS} attempts, resend delivers`, { timeout: 10 * 60_000 }, async (t) => {
  for (let n = 0; n < EVENTS; n++) await server.ctx.db.orm.em.fork().transactional((em) => upsertPerson(em, person(n)));

  for (const behaviour of ['healthy', 'slow'] as const) {
    const s = byBehaviour(behaviour);
    await eventually(`${behaviour}: all delivered`, async () => (await deliveriesOf(s)).filter((d) => d.status === 'delivered').length === EVENTS);
  }
  for (const behaviour of ['error500', 'reset', 'hanging'] as const) {
    const s = byBehaviour(behaviour);
    await eventually(`${behaviour}: all dead-lettered`, async () => (await deliveriesOf(s)).filter((d) => d.status === 'dead').length === EVENTS);
    for (const d of await deliveriesOf(s)) assert.equal(d.attempts, MAX_ATTEMPTS, `${behaviour}: ${MAX_ATTEMPTS} attempts, no more`);
    const { rows } = await server.ctx.db.pool.query<{ http_status: number | null; error: string | null }>(
      'SELECT a.http_status, a.error FROM delivery_attempt a JOIN notification_delivery d ON d.id = a.delivery_id JOIN subscription s ON s.id = d.subscription_id WHERE s.code = $1',
      [s.code],
    );
    assert.equal(rows.length, EVENTS * MAX_ATTEMPTS, `${behaviour}: every attempt logged`);
    if (behaviour === 'error500') assert.ok(rows.every((r) => r.http_status === 500), JSON.stringify(rows));
    else assert.ok(rows.every((r) => r.http_status === null && r.error), `${behaviour}: no answer, an error logged: ${JSON.stringify(rows)}`);
    if (behaviour === 'hanging') assert.ok(rows.every((r) => /within/.test(r.error ?? '')), JSON.stringify(rows));
  }
  await sleep(1000); // a doubled delivery would arrive about now
  assert.equal(byBehaviour('healthy').received, EVENTS, 'the healthy subscriber got each notification once');
  assert.equal(byBehaviour('slow').received, EVENTS, 'the slow subscriber got each notification once');

  // Back up: dead letters are resent and delivered, once each.
  for (const behaviour of ['error500', 'reset', 'hanging'] as const) {
    const s = byBehaviour(behaviour);
    s.heal();
    const resent = await resendDeadLetters(server.ctx.db.pool, { subscriptionCode: s.code! });
    assert.equal(resent.length, EVENTS);
    await eventually(`${behaviour}: resent and delivered`, async () => (await deliveriesOf(s)).every((d) => d.status === 'delivered'));
    assert.equal(s.received, EVENTS, `${behaviour}: each resent notification arrived once`);
  }
  t.diagnostic(`subscriber faults: ${subscribers.map((s) => `${s.behaviour} received ${s.received}`).join(', ')}`);
});
