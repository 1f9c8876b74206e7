/** Server keys in the console: an admin generates an ES256 key, activates it and finds it in the JWKS; operators only read. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { accessibilityProblems, screenshot, startConsole, type ConsoleRig } from './console.js';

let rig: ConsoleRig;
before(async () => {
  rig = await startConsole();
});
after(() => rig?.close());

test('an admin generates an ES256 key, activates it with confirmation and finds its kid in /.well-known/jwks.json', async () => {
  const page = await rig.signIn('admin', '/admin/keys');
  await page.getByRole('heading', { name: 'Server keys' }).waitFor();
  const oldKid = (await page.getByRole('row').filter({ hasText: 'signs now' }).locator('code').innerText()).trim();

  await page.getByLabel('Algorithm', { exact: true }).first().click();
  await page.getByRole('option', { name: 'ES256' }).click();
  await page.getByRole('button', { name: 'Generate key' }).click();
  const row = page.getByRole('row').filter({ hasText: 'ES256' }).filter({ hasText: 'pending' });
  await row.waitFor();
  const kid = (await row.locator('code').innerText()).trim();

  await row.getByRole('button', { name: `Activate ${kid}` }).click();
  const dialog = page.getByRole('dialog', { name: 'Activate this key?' });
  await dialog.getByText(`${kid} (ES256) will sign everything from now on`).waitFor();
  await dialog.getByRole('button', { name: 'Activate' }).click();
  await page.getByRole('row', { name: `Key ${kid}` }).getByText('signs now').waitFor();
  const old = page.getByRole('row', { name: `Key ${oldKid}` });
  await old.getByText('retiring').waitFor();
  assert.match(await old.innerText(), /UTC[\s\S]*UTC[\s\S]*UTC[\s\S]*UTC/, 'the retiring key shows when it leaves the JWKS');

  const published = (await (await fetch(`${rig.server.baseUrl}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
  assert.ok(published.keys.some((k) => k.kid === kid), 'the new key is published');
  assert.match(await page.getByRole('region', { name: 'Published JWKS' }).innerText(), new RegExp(kid));
  // Toasts fade out by themselves; axe judges the page, not a toast mid-fade.
  await page.locator('.mantine-Notification-root').last().waitFor({ state: 'detached', timeout: 15_000 });
  await screenshot(page, 'keys');
  assert.deepEqual(await accessibilityProblems(page), []);

  await page.getByRole('textbox', { name: 'Private key' }).fill('not a key');
  await page.getByRole('button', { name: 'Import key' }).click();
  await page.getByRole('alert').filter({ hasText: 'Refused' }).waitFor();
  await page.context().close();
});

test('an operator reads the keys and the JWKS but sees no change buttons', async () => {
  const page = await rig.signIn('operator', '/admin/keys');
  await page.getByRole('heading', { name: 'Server keys' }).waitFor();
  await page.getByText('signs now').waitFor();
  await page.getByRole('region', { name: 'Published JWKS' }).waitFor();
  for (const name of [/^Activate/, /^Retire/, /^Generate key/, /^Import key/]) assert.equal(await page.getByRole('button', { name }).count(), 0, `no ${name} button`);
  await screenshot(page, 'keys-operator');
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.context().close();
});
