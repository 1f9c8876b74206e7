import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { accessibilityProblems, dialogsSettled, screenshot, startConsole, type ConsoleRig } from './console.js';

let rig: ConsoleRig;
before(async () => {
  rig = await startConsole();
});
after(() => rig?.close());

const readMe = (baseUrl: string, token: string) =>
  fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ me { email role } }' }),
  }).then(async (res) => ({ status: res.status, body: (await res.json()) as { data?: { me: { email: string; role: string } | null }; errors?: { extensions?: { code?: string } }[] } }));

test('an admin creates an auditor (password shown once), creates an API token (shown once) that reads `me`, revokes it, and the audit log shows it all', async () => {
  const page = await rig.signIn('admin', '/admin/staff');
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByRole('heading', { name: 'Staff and API tokens' }).waitFor();
  await page.getByRole('table', { name: 'Staff accounts' }).getByRole('cell', { name: 'operator@example.org', exact: true }).first().waitFor();

  const accountForm = page.getByRole('form', { name: 'Create a staff account' });
  await accountForm.getByRole('textbox', { name: 'Email' }).fill('new.auditor@example.org');
  await accountForm.getByRole('textbox', { name: 'Name' }).fill('New Auditor');
  await accountForm.getByLabel('Role', { exact: true }).click();
  await page.getByRole('option', { name: 'auditor' }).click();
  await accountForm.getByRole('button', { name: 'Create account' }).click();
  const passwordBox = page.getByRole('status').filter({ hasText: 'Password for new.auditor@example.org' });
  const password = (await passwordBox.locator('code').textContent())?.trim() ?? '';
  assert.ok(password.length >= 12, 'a strong password is shown');
  await passwordBox.getByRole('button', { name: 'Copy password for new.auditor@example.org' }).click();
  assert.equal(await page.evaluate('navigator.clipboard.readText()'), password, 'the copy button copies it');
  await page.getByRole('table', { name: 'Staff accounts' }).getByRole('cell', { name: 'new.auditor@example.org', exact: true }).first().waitFor();

  const tokenForm = page.getByRole('form', { name: 'Create an API token' });
  await tokenForm.getByRole('textbox', { name: 'Token name' }).fill('nightly-export');
  await tokenForm.getByRole('button', { name: 'Create token' }).click();
  const tokenBox = page.getByRole('status').filter({ hasText: 'New API token' });
  const token = (await tokenBox.locator('code').textContent())?.trim() ?? '';
  assert.ok(token.length > 20, 'the token is shown');
  await page.getByRole('cell', { name: 'nightly-export', exact: true }).waitFor();
  await screenshot(page, 'staff-admin');
  assert.deepEqual(await accessibilityProblems(page), []);

  const me = await readMe(rig.server.baseUrl, token);
  assert.deepEqual(me.body.data?.me, { email: 'admin@example.org', role: 'admin' }, JSON.stringify(me.body));

  // Shown once: after a reload neither secret is on the page.
  await page.reload();
  await page.getByRole('cell', { name: 'nightly-export', exact: true }).waitFor();
  const text = await page.locator('body').innerText();
  assert.ok(!text.includes(token) && !text.includes(password), 'secrets are not shown again');

  await page.getByRole('button', { name: 'Revoke nightly-export' }).click();
  const confirm = page.getByRole('dialog', { name: 'Revoke the token “nightly-export”?' });
  await confirm.waitFor();
  await dialogsSettled(page);
  assert.deepEqual(await accessibilityProblems(page), []);
  await confirm.getByRole('button', { name: 'Revoke token' }).click();
  await page
    .getByRole('row', { name: /nightly-export/ })
    .getByText('Revoked')
    .waitFor();
  const refused = await readMe(rig.server.baseUrl, token);
  assert.notEqual(refused.body.data?.me?.email, 'admin@example.org', 'a revoked token reads nothing');
  assert.ok(refused.status === 401 || refused.body.data?.me === null || refused.body.errors?.length, JSON.stringify(refused));

  const log = page.getByRole('table', { name: 'Staff actions' });
  for (const action of ['createStaffUser', 'createApiToken', 'revokeApiToken']) await log.getByRole('cell', { name: action, exact: true }).first().waitFor();
  const created = log.getByRole('row').filter({ hasText: 'createStaffUser' });
  await created.getByRole('cell', { name: 'staff:admin@example.org' }).waitFor();
  await created.getByRole('cell', { name: 'new.auditor@example.org', exact: true }).first().waitFor();
  await created.getByText('Before / after').click();
  await created.getByText('"role": "auditor"').waitFor();
  assert.ok(!(await log.innerText()).includes(password), 'the audit log never holds the password');

  await page.getByRole('textbox', { name: 'Action' }).fill('revokeApiToken');
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.getByText('1 action', { exact: true }).waitFor();
  await page.evaluate('window.scrollTo(0, 0)'); // a full-page shot of a scrolled page paints the sticky header mid-page
  await screenshot(page, 'staff-audit-log');
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.context().close();

  // The new auditor can sign in with the password shown once.
  const context = await rig.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const auditor = await context.newPage();
  await auditor.goto(`${rig.server.baseUrl}/admin/staff`);
  await auditor.getByRole('textbox', { name: 'Email' }).fill('new.auditor@example.org');
  await auditor.getByRole('textbox', { name: 'Password' }).fill(password);
  await auditor.getByRole('button', { name: 'Sign in' }).click();
  await auditor.getByRole('heading', { name: 'Your API tokens' }).waitFor();
  await context.close();
});

test('an operator manages only their own tokens and sees no staff accounts or audit log; an auditor reads the log but no accounts', async () => {
  const operator = await rig.signIn('operator', '/admin/staff');
  await operator.getByRole('heading', { name: 'Your API tokens' }).waitFor();
  await operator.getByRole('form', { name: 'Create an API token' }).getByRole('textbox', { name: 'Token name' }).fill('operator-script');
  await operator.getByRole('button', { name: 'Create token' }).click();
  await operator.getByRole('cell', { name: 'operator-script', exact: true }).waitFor();
  assert.equal(await operator.getByRole('heading', { name: 'Staff accounts' }).count(), 0);
  assert.equal(await operator.getByRole('heading', { name: 'Staff audit log' }).count(), 0);
  assert.equal(await operator.getByRole('cell', { name: 'nightly-export', exact: true }).count(), 0, "another person's tokens are not listed");
  await screenshot(operator, 'staff-operator');
  assert.deepEqual(await accessibilityProblems(operator), []);
  await operator.context().close();

  const auditor = await rig.signIn('auditor', '/admin/staff');
  await auditor.getByRole('heading', { name: 'Staff audit log' }).waitFor();
  assert.equal(await auditor.getByRole('heading', { name: 'Staff accounts' }).count(), 0);
  await auditor.getByRole('table', { name: 'Staff actions' }).getByRole('cell', { name: 'createApiToken', exact: true }).first().waitFor();
  assert.deepEqual(await accessibilityProblems(auditor), []);
  await auditor.context().close();
});
