import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { DEMO_AGREEMENT_NAME, listAgreements } from '../apps/server/src/agreements/agreements.js';
import { createPerson } from '../apps/server/src/registry/registry-changes.js';
import { CLI_IDENTITY } from '../apps/server/src/staff/roles.js';
import { createTestSender, DciTestClient, searchItem, type TestSender } from '../apps/server/src/testing/dci-client.js';
import { accessibilityProblems, screenshot, startConsole, type ConsoleRig } from './console.js';

const UIN = 'AGR-E2E-1001';
let rig: ConsoleRig;
let sender: TestSender;
let agreementId: string;

before(async () => {
  rig = await startConsole();
  const ctx = rig.server.ctx;
  sender = await createTestSender(ctx, 'agreements-e2e');
  agreementId = (await listAgreements(ctx.db.orm.em.fork(), { senderId: sender.senderId }))[0]!.id;
  await createPerson(ctx.db.orm.em.fork(), CLI_IDENTITY, { identifiers: [{ type: 'UIN', value: UIN }], givenName: 'Amina', surname: 'Preview', sex: 'female', birthDate: '1990-04-12', phoneNumbers: ['+255700000123'] });
});
after(() => rig?.close());

/** What the sender gets for our person in a real signed DCI sync search. */
async function searchAsSender(): Promise<{ httpStatus: number; status?: string; record?: Record<string, unknown>; body: Record<string, unknown> }> {
  const client = new DciTestClient(rig.server.baseUrl, sender);
  const reply = await client.send('/registry/sync/search', 'search', { transaction_id: 'agreements-e2e', search_request: [searchItem('r1', { query_type: 'idtype-value', query: { type: 'UIN', value: UIN } })] }, 'search_request');
  const item = reply.body.message?.search_response?.[0];
  return { httpStatus: reply.status, status: item?.status, record: item?.data?.reg_records?.[0], body: reply.body };
}

/** The preview row of one field: its "Sender receives" cell. */
const received = (page: Page, field: string) => page.getByRole('table', { name: 'Record as stored and as the sender receives it' }).getByRole('row', { name: new RegExp(`^${field.replace(/[.[\]]/g, '\\$&')}(\\s|$)`) }).getByRole('cell').nth(1);

test('an operator denies birth_date, sees it leave the live preview before saving, saves, and the sender gets no birth_date; then ends the agreement', async () => {
  assert.equal((await searchAsSender()).record?.birth_date, '1990-04-12', 'the demo agreement shares everything');
  const page = await rig.signIn('operator', '/admin/agreements');
  await page.getByRole('link', { name: DEMO_AGREEMENT_NAME }).first().waitFor();
  await page.getByRole('combobox', { name: 'Sender' }).selectOption(sender.senderId);
  await assertEventually(page, async () => (await page.locator('tbody tr').count()) === 1, "only this sender's one agreement is listed");
  await page.getByRole('row', { name: new RegExp(sender.senderId) }).waitFor();
  await screenshot(page, 'agreements-list');
  assert.deepEqual(await accessibilityProblems(page), []);

  await page.getByRole('table').getByRole('link').first().click();
  await page.waitForURL(new RegExp(`/admin/agreements/${agreementId}$`));
  // The preview starts on a real person (the registry's first); we look at ours.
  // The preview fills in its first record while loading: type ours again if that overwrote it.
  const identifier = page.getByRole('textbox', { name: 'Identifier', exact: true });
  await identifier.fill(UIN);
  await assertEventually(
    page,
    async () => {
      if ((await identifier.inputValue()) !== UIN) await identifier.fill(UIN);
      return (await received(page, 'birth_date').textContent({ timeout: 500 })) === '1990-04-12';
    },
    'the preview shows the stored birth date',
  );

  await page.getByRole('button', { name: 'Add rule' }).click();
  await page.getByRole('combobox', { name: 'Field of rule 1' }).fill('birth_date');
  await page.keyboard.press('Escape');
  await page.getByRole('combobox', { name: 'Action for birth_date' }).selectOption('deny');
  await assertEventually(page, async () => (await received(page, 'birth_date').textContent({ timeout: 500 })) === 'not shared', 'birth_date leaves the preview before saving');
  await page.getByRole('button', { name: 'Add rule' }).click();
  await page.getByRole('combobox', { name: 'Field of rule 2' }).fill('phone_number');
  await page.keyboard.press('Escape');
  await page.getByRole('combobox', { name: 'Action for phone_number' }).selectOption('mask');
  await page.getByRole('textbox', { name: 'Characters kept visible for phone_number' }).fill('3');
  await assertEventually(page, async () => /123\s*changed$/.test((await received(page, 'phone_number[0]').textContent({ timeout: 500 })) ?? ''), 'the masked phone keeps its last 3 digits');
  assert.equal(await received(page, 'name.given_name').textContent(), 'Amina');
  await page.getByText('unsaved changes').waitFor();
  // A rule the server would refuse: the preview says why instead of showing a record.
  await page.getByRole('button', { name: 'Add rule' }).click();
  await page.getByRole('combobox', { name: 'Field of rule 3' }).fill('shoe_size');
  await page.keyboard.press('Escape');
  await page.getByRole('status').getByText("rule for 'shoe_size': no such record field").waitFor();
  await page.getByRole('button', { name: 'Remove rule for shoe_size' }).click();
  await assertEventually(page, async () => (await received(page, 'birth_date').textContent({ timeout: 500 })) === 'not shared', 'the preview is back');
  await screenshotWhole(page, 'agreement-editor-preview');
  assert.deepEqual(await accessibilityProblems(page), []);
  assert.equal((await searchAsSender()).record?.birth_date, '1990-04-12', 'nothing is saved by previewing');

  // The server's refusal is shown next to the field at fault.
  await page.getByRole('textbox', { name: 'Name' }).fill(' ');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('name is required').waitFor();
  assert.equal(await page.getByRole('textbox', { name: 'Name' }).getAttribute('aria-invalid'), 'true', 'shown on the Name field');
  await page.getByRole('textbox', { name: 'Name' }).fill('Targeting pilot');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Agreement saved').waitFor();
  await page.getByRole('heading', { name: 'Targeting pilot' }).waitFor();

  const shared = (await searchAsSender()).record;
  assert.ok(shared, 'the sender still receives the person');
  assert.equal(shared.birth_date, undefined, 'no birth_date any more');
  assert.match(JSON.stringify(shared.phone_number), /123/);
  assert.doesNotMatch(JSON.stringify(shared.phone_number), /700000123/);

  await page.getByRole('button', { name: 'End agreement' }).click();
  const dialog = page.getByRole('dialog', { name: 'End this agreement?' });
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'hidden' });
  assert.equal((await searchAsSender()).status, 'succ', 'cancelling ends nothing');
  await page.getByRole('button', { name: 'End agreement' }).click();
  await dialog.getByRole('button', { name: 'End agreement' }).click();
  await page.getByText('Agreement ended').waitFor();
  await dialog.waitFor({ state: 'hidden' });
  await page.getByText('ended', { exact: true }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'End agreement' }).count(), 0);
  const afterEnd = await searchAsSender();
  assert.equal(afterEnd.httpStatus, 403, 'no agreement in force, no data');
  assert.equal(afterEnd.record, undefined);
  assert.match(JSON.stringify(afterEnd.body), /no active data-sharing agreement/);
  await page.context().close();
});

test('an operator creates an agreement for a chosen sender', async () => {
  const newcomer = await createTestSender(rig.server.ctx, 'agreements-new', undefined, { agreement: false });
  const page = await rig.signIn('operator', `/admin/agreements?senderId=${newcomer.senderId}`);
  await page.getByText('No agreements match these filters.').waitFor();
  await page.getByRole('link', { name: 'New agreement' }).click();
  assert.equal(await page.getByRole('combobox', { name: 'Sender' }).inputValue(), newcomer.senderId);
  await page.getByRole('button', { name: 'Create agreement' }).click();
  await page.getByText('name and purpose are required').first().waitFor();
  for (const name of ['Name', 'Purpose']) assert.equal(await page.getByRole('textbox', { name }).getAttribute('aria-invalid'), 'true', `shown on ${name}`);
  await screenshotWhole(page, 'agreement-new');
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.getByRole('textbox', { name: 'Name' }).fill('Verification only');
  await page.getByRole('textbox', { name: 'Purpose' }).fill('Checking that a beneficiary is alive before payment');
  await page.getByRole('checkbox', { name: 'Person' }).check();
  await page.getByRole('textbox', { name: 'Daily quota' }).fill('500');
  await page.getByRole('button', { name: 'Create agreement' }).click();
  await page.getByRole('heading', { name: 'Verification only' }).waitFor();
  assert.match(page.url(), /\/admin\/agreements\/[0-9a-f-]{36}$/);
  await page.getByRole('textbox', { name: 'Daily quota' }).waitFor();
  assert.equal(await page.getByRole('textbox', { name: 'Daily quota' }).inputValue(), '500');
  await page.context().close();
});

test('an auditor reads agreements and the preview but sees no change controls', async () => {
  const page = await rig.signIn('auditor', '/admin/agreements');
  await page.getByRole('link', { name: 'Targeting pilot' }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'New agreement' }).count(), 0);
  await page.getByRole('link', { name: 'Targeting pilot' }).click();
  await page.getByText('Your role can read agreements but not change them.').waitFor();
  const identifier = page.getByRole('textbox', { name: 'Identifier', exact: true });
  await identifier.fill(UIN);
  await assertEventually(
    page,
    async () => {
      if ((await identifier.inputValue()) !== UIN) await identifier.fill(UIN);
      return (await received(page, 'birth_date').textContent({ timeout: 500 })) === 'not shared';
    },
    'the auditor sees the preview under the saved rules',
  );
  for (const name of ['Save', 'End agreement', 'Add rule', 'Remove rule for birth_date']) assert.equal(await page.getByRole('button', { name }).count(), 0, `no ${name} button`);
  assert.equal(await page.getByRole('textbox', { name: 'Name' }).getAttribute('readonly'), '');
  assert.ok(await page.getByRole('combobox', { name: 'Action for birth_date' }).isDisabled());
  await screenshotWhole(page, 'agreement-auditor');
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.context().close();
});

/** A long page at 1280 px in one viewport-sized shot: a full-page shot repeats the console's fixed header mid-page. */
async function screenshotWhole(page: Page, name: string): Promise<void> {
  const height = Number(await page.evaluate('document.documentElement.scrollHeight'));
  await page.setViewportSize({ width: 1280, height });
  await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
  await screenshot(page, name);
  await page.setViewportSize({ width: 1280, height: 800 });
}

/** Polls a condition the page reaches after a debounce and a round trip (bounded: 50 × 100 ms). */
async function assertEventually(page: Page, check: () => Promise<boolean>, message: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await screenshot(page, 'failure');
  assert.fail(message);
}
