import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { accessibilityProblems, screenshot, startConsole, type ConsoleRig } from './console.js';

let rig: ConsoleRig;
before(async () => {
  rig = await startConsole();
});
after(() => rig?.close());

test('signing in: wrong password refused with the reason, then the dashboard; signing out ends the session', async () => {
  const context = await rig.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${rig.server.baseUrl}/admin/`);
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  await screenshot(page, 'login');
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.getByRole('textbox', { name: 'Email' }).fill('admin@example.org');
  await page.getByRole('textbox', { name: 'Password' }).fill('wrong password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').getByText('wrong email or password').waitFor();

  await page.getByRole('textbox', { name: 'Password' }).fill(rig.passwords.admin);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  await page.getByText('admin@example.org').waitFor();
  await screenshot(page, 'dashboard');
  assert.deepEqual(await accessibilityProblems(page), []);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  await page.goto(`${rig.server.baseUrl}/admin/`);
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  await context.close();
});

test('an expired session sends the person to the login page, then back to where they were', async () => {
  const page = await rig.signIn('auditor', '/admin/');
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  await rig.server.ctx.db.pool.query('DELETE FROM staff_session');
  await page.goto(`${rig.server.baseUrl}/admin/no-such-page?x=1`);
  await page.getByText('Please sign in to continue.').waitFor();
  assert.match(page.url(), /\/admin\/login\?next=%2Fno-such-page%3Fx%3D1$/);
  await page.getByRole('textbox', { name: 'Email' }).fill('auditor@example.org');
  await page.getByRole('textbox', { name: 'Password' }).fill(rig.passwords.auditor);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Not found' }).waitFor();
  assert.match(page.url(), /\/admin\/no-such-page\?x=1$/);
  await page.context().close();
});
