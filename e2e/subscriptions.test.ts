/**
 * Subscriptions and deliveries in the console: a sender subscribes through the DCI API with a receiver
 * that fails, a death is recorded, the delivery is dead-lettered, staff see every attempt in the
 * timeline and resend it (one, then all matching) once the receiver is back.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { createPerson, recordDeath } from '../apps/server/src/registry/registry-changes.js';
import type { StaffIdentity } from '../apps/server/src/staff/roles.js';
import { startCallbackReceiver } from '../apps/server/src/testing/callback-receiver.js';
import { createTestSender, DciTestClient } from '../apps/server/src/testing/dci-client.js';
import { accessibilityProblems, screenshot, startConsole, type ConsoleRig } from './console.js';

let rig: ConsoleRig;
let receiver: Awaited<ReturnType<typeof startCallbackReceiver>>;
let sender: DciTestClient;

before(async () => {
  // Two quick attempts, then a dead letter; no automatic back-off, so the resend is tried at once.
  rig = await startConsole({ DELIVERY_MAX_ATTEMPTS: '2', DELIVERY_RETRY_WINDOW_SECONDS: '2', DELIVERY_PAUSE_AFTER_FAILURES: '1000' }, { worker: true });
  receiver = await startCallbackReceiver(500);
  sender = new DciTestClient(rig.server.baseUrl, await createTestSender(rig.server.ctx, 'e2e-deaths'));
});
after(async () => {
  await receiver?.close();
  await rig?.close();
});

async function subscribe(eventType: string): Promise<string> {
  const reply = await sender.send(
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

const registrar: StaffIdentity = { userId: null, email: 'registrar@example.org', role: 'admin', via: 'cli' };
let people = 0;

/** A person is registered, then their death recorded, as staff do in the registry screen. */
async function aDeath(): Promise<void> {
  const n = ++people;
  const person = await createPerson(rig.server.ctx.db.orm.em.fork(), registrar, { identifiers: [{ type: 'UIN', value: `E2E-DEATH-${n}` }], givenName: `Person${n}`, surname: 'Deceased', sex: 'female' });
  await recordDeath(rig.server.ctx.db.orm.em.fork(), registrar, person.id, '2026-01-15');
}

const deliveries = async (code: string, status: string) =>
  (await rig.server.ctx.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM notification_delivery d JOIN subscription s ON s.id = d.subscription_id WHERE s.code = $1 AND d.status = $2', [code, status])).rows[0]!.n;

/** Polls until `check` holds: bounded in time, never a fixed wait for the outcome. */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const countOf = (text: string, pattern: RegExp) => [...text.matchAll(pattern)].length;

const deliveryCards = (page: Page) => page.getByRole('article', { name: /^Delivery / });

test('a dead-lettered delivery: every attempt in the timeline with HTTP 500, resent one by one and all matching the filter', async () => {
  const code = await subscribe('Death');
  await aDeath();
  await until('the delivery is dead-lettered', async () => (await deliveries(code, 'dead')) === 1);

  const page = await rig.signIn('operator', '/admin/subscriptions?deliveryStatus=dead');
  await page.getByRole('heading', { name: 'Subscriptions' }).waitFor();
  const row = page.getByRole('row').filter({ hasText: code });
  await row.waitFor();
  assert.match(await row.innerText(), /e2e-deaths/);
  await screenshot(page, 'subscriptions-list');
  assert.deepEqual(await accessibilityProblems(page), []);

  await row.getByRole('link', { name: code }).click();
  await page.getByRole('heading', { name: `Subscription ${code}` }).waitFor();
  const card = deliveryCards(page).first();
  await card.getByText('Dead letter: no more attempts').waitFor();
  assert.equal(countOf(await card.innerText(), /Attempt \d+\s+HTTP 500/g), 2, 'both attempts are listed with their status');
  assert.match(await card.innerText(), /ack_status/, "the receiver's answer is shown");
  assert.match(await card.innerText(), /Next attempt/, 'the first attempt says when the next one was due');
  await screenshot(page, 'subscription-detail-dead-letter');
  assert.deepEqual(await accessibilityProblems(page), []);

  receiver.setStatus(200);
  const before = receiver.received.length;
  await card.getByRole('button', { name: 'Resend' }).click();
  await card.getByText('Delivered', { exact: true }).waitFor({ timeout: 30_000 });
  assert.equal(countOf(await card.innerText(), /Attempt \d+\s+HTTP 200/g), 1, 'the fresh attempt succeeded');
  assert.ok(receiver.received.length > before, 'the notification reached the receiver');
  await screenshot(page, 'subscription-detail-delivered');

  // A second outage: the bulk resend states how many dead letters match before resending them.
  receiver.setStatus(500);
  await aDeath();
  await until('a second dead letter', async () => (await deliveries(code, 'dead')) === 1);
  receiver.setStatus(200);
  await page.getByRole('button', { name: 'Resend all dead letters' }).click();
  const dialog = page.getByRole('dialog', { name: 'Resend dead letters?' });
  await dialog.getByText(`1 dead letter matches this filter (subscription ${code})`).waitFor();
  await screenshot(page, 'subscription-resend-all-confirmation');
  await dialog.getByRole('button', { name: 'Resend 1' }).click();
  await until('both delivered', async () => (await deliveries(code, 'delivered')) === 2);
  await page.getByText('2 deliveries, newest first').waitFor();
  await until('the timeline shows both delivered', async () => (await deliveryCards(page).getByText('Delivered', { exact: true }).count()) === 2);
  await page.context().close();
});

test('pause, resume and cancel (with confirmation); an auditor sees no change buttons', async () => {
  const code = await subscribe('Marriage');
  const auditor = await rig.signIn('auditor', `/admin/subscriptions/${code}`);
  await auditor.getByRole('heading', { name: `Subscription ${code}` }).waitFor();
  await auditor.getByText('No delivery yet.').waitFor();
  for (const name of ['Pause', 'Cancel subscription', 'Resend all dead letters']) assert.equal(await auditor.getByRole('button', { name }).count(), 0, `auditor sees no ${name}`);
  await auditor.context().close();

  const page = await rig.signIn('operator', `/admin/subscriptions/${code}`);
  const header = page.getByText(/is notified of Marriage events/);
  await page.getByRole('button', { name: 'Pause' }).click();
  await header.getByText('paused', { exact: true }).waitFor();
  await page.getByRole('button', { name: 'Resume' }).click();
  await header.getByText('active', { exact: true }).waitFor();
  await page.getByRole('button', { name: 'Cancel subscription' }).click();
  const dialog = page.getByRole('dialog', { name: 'Cancel this subscription?' });
  await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
  await dialog.waitFor({ state: 'hidden' });
  assert.equal(await header.getByText('cancelled', { exact: true }).count(), 0, 'dismissing the confirmation changes nothing');
  await page.getByRole('button', { name: 'Cancel subscription' }).click();
  await page.getByRole('dialog', { name: 'Cancel this subscription?' }).getByRole('button', { name: 'Cancel subscription' }).click();
  await header.getByText('cancelled', { exact: true }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Pause' }).count(), 0, 'a cancelled subscription cannot be paused');

  await page.goto(`${rig.server.baseUrl}/admin/subscriptions?status=cancelled`);
  await page.getByRole('row').filter({ hasText: code }).waitFor();
  await page.goto(`${rig.server.baseUrl}/admin/subscriptions/SUB-NOPE`);
  await page.getByRole('heading', { name: 'Subscription not found' }).waitFor();
  await page.context().close();
});
