import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { createTestSender, DciTestClient, searchItem } from '../apps/server/src/testing/dci-client.js';
import { accessibilityProblems, screenshot, startConsole, type ConsoleRig } from './console.js';

let rig: ConsoleRig;
let client: DciTestClient;
let senderId: string;

const search = (transactionId: string) => ({
  transaction_id: transactionId,
  search_request: [searchItem('r1', { reg_record_type: 'Person', query_type: 'idtype-value', query: { type: 'UIN', value: '4242' } })],
});

before(async () => {
  rig = await startConsole();
  const sender = await createTestSender(rig.server.ctx);
  senderId = sender.senderId;
  client = new DciTestClient(rig.server.baseUrl, sender);
  assert.equal((await client.send('/registry/sync/search', 'search', search('txn-e2e-audit'), 'search_request')).status, 200);
  // Some other traffic the filters must leave out: a refused call from nobody.
  assert.equal((await client.post('/registry/sync/search', {}, { token: null })).status, 401);
});
after(() => rig?.close());

test('a signed DCI search is found in the audit by sender, opened with its request and response, and exported as CSV', async () => {
  const page = await rig.signIn('auditor', '/admin/transactions');
  await page.getByRole('heading', { name: 'Transactions' }).waitFor();
  await page.getByRole('table', { name: 'Transactions' }).getByText('err.auth.missing_token').waitFor();

  await page.getByRole('textbox', { name: 'Sender' }).fill(senderId);
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.waitForURL(new RegExp(`/admin/transactions\\?senderId=${senderId}$`));
  const table = page.getByRole('table', { name: 'Transactions' });
  await table.getByText('txn-e2e-audit').waitFor();
  assert.equal(await table.getByText('err.auth.missing_token').count(), 0, 'the filter leaves out other senders');
  await page.getByText('1 matching').waitFor();
  await screenshot(page, 'transactions-list');
  assert.deepEqual(await accessibilityProblems(page), []);

  // The export carries the same filter as the screen.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
  assert.match(download.suggestedFilename(), /^transactions-.*\.csv$/);
  const csv = await fs.readFile((await download.path())!, 'utf8');
  const lines = csv.trimEnd().split('\r\n');
  assert.equal(lines.length, 2, csv);
  assert.ok(lines[0]!.startsWith('id,createdAt,senderId,operation'));
  assert.ok(lines[1]!.includes(`,${senderId},search,`) && lines[1]!.includes(',txn-e2e-audit,'), lines[1]);

  await table.getByRole('link', { name: new RegExp(`from ${senderId}$`) }).click();
  await page.getByRole('heading', { name: 'Transaction', exact: true }).waitFor();
  await page.getByRole('heading', { name: 'Request' }).waitFor();
  await page.getByRole('heading', { name: 'Response' }).waitFor();
  await page.getByText('"on-search"').waitFor();
  await page.getByText('"txn-e2e-audit"').first().waitFor();
  await page.getByRole('button', { name: 'Copy request JSON' }).waitFor();
  await screenshot(page, 'transaction-detail');
  assert.deepEqual(await accessibilityProblems(page), []);

  // Objects fold away with the keyboard (native details/summary).
  const header = page.locator('summary', { hasText: '"header"' }).first();
  await header.focus();
  await page.keyboard.press('Enter');
  assert.equal(await header.evaluate((summary) => summary.parentElement!.hasAttribute('open')), false);
  await page.context().close();
});

test('new transactions appear on the newest page without a reload', async () => {
  const page = await rig.signIn('operator', `/admin/transactions?senderId=${senderId}`);
  const table = page.getByRole('table', { name: 'Transactions' });
  await table.getByText('txn-e2e-audit').waitFor();
  await page.getByText('Live').waitFor();
  assert.equal((await client.send('/registry/sync/search', 'search', search('txn-e2e-later'), 'search_request')).status, 200);
  await table.getByText('txn-e2e-later').waitFor({ timeout: 15_000 });
  await page.getByText('2 matching').waitFor();
  await page.context().close();
});

test('dashboard links keep their filter (?dciStatus=rjct); operators see the record but not the bodies', async () => {
  const page = await rig.signIn('operator', '/admin/transactions?dciStatus=rjct');
  const table = page.getByRole('table', { name: 'Transactions' });
  await table.getByText('err.auth.missing_token').waitFor();
  assert.equal(await table.getByText('txn-e2e-audit').count(), 0);
  assert.equal(await page.getByRole('textbox', { name: 'DCI status' }).or(page.getByRole('combobox', { name: 'DCI status' })).first().inputValue(), 'rjct (rejected)');

  await table.getByRole('link').first().click();
  await page.getByText('only admins and auditors may read them').waitFor();
  await page.getByText('401', { exact: true }).waitFor();
  await screenshot(page, 'transaction-detail-operator');
  assert.deepEqual(await accessibilityProblems(page), []);

  await page.goto(`${rig.server.baseUrl}/admin/transactions?anyId=no-such-id&from=not-a-date`);
  await page.getByText('No transaction matches these filters.').waitFor();
  await screenshot(page, 'transactions-empty');
  await page.context().close();
});
