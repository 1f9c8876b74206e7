import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { JWK } from 'jose';
import { createSender, updateSender } from '../apps/server/src/senders/senders.js';
import { DciTestClient, searchItem } from '../apps/server/src/testing/dci-client.js';
import type { Page } from 'playwright-core';
import { accessibilityProblems, screenshot as fullPageScreenshot, SCREENSHOT_DIR, startConsole, type ConsoleRig } from './console.js';

/**
 * From the top of the page: the header and modals are fixed, and a scrolled full-page shot
 * misplaces them. A modal is shot as the person sees it: the window only.
 */
async function screenshot(page: Page, name: string, { fullPage = true } = {}): Promise<void> {
  await page.evaluate('window.scrollTo(0, 0)');
  if (fullPage) return fullPageScreenshot(page, name);
  await fs.mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`) });
}

let rig: ConsoleRig;
before(async () => {
  rig = await startConsole();
  // A sender that may send unsigned requests: the list must flag it in red.
  const em = rig.server.ctx.db.orm.em.fork();
  await createSender(em, { senderId: 'legacy-ibr', name: 'Legacy IBR', allowedOperations: ['search'] });
  await updateSender(em, 'legacy-ibr', { allowUnsigned: true });
});
after(() => rig?.close());

const SENDER_ID = 'crvs-e2e';

/** The sender's key pair, made here as an integrator would (openssl genpkey -algorithm ed25519). */
const keys = generateKeyPairSync('ed25519');
const publicPem = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const privatePem = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const publicJwk = keys.publicKey.export({ format: 'jwk' });
// RFC 7638: SHA-256 of the required members in lexicographic order, base64url.
const fingerprint = createHash('sha256').update(JSON.stringify({ crv: publicJwk.crv, kty: publicJwk.kty, x: publicJwk.x })).digest('base64url');

test('an operator creates a sender, adds its key (fingerprint shown), creates a client (secret shown once), sets a rate limit and revokes the key', async () => {
  const page = await rig.signIn('operator', '/admin/senders');
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByRole('heading', { name: 'Senders' }).waitFor();

  await page.getByRole('button', { name: 'New sender' }).click();
  const form = page.getByRole('dialog', { name: 'New sender' });
  await form.getByRole('textbox', { name: 'Sender id' }).fill('bad id with spaces');
  await form.getByRole('textbox', { name: 'Name' }).fill('CRVS (e2e)');
  await form.getByRole('button', { name: 'Create sender' }).click();
  await form.getByRole('alert').getByText('invalid sender id "bad id with spaces"').waitFor();
  await screenshot(page, 'sender-new-form', { fullPage: false });
  assert.deepEqual(await accessibilityProblems(page), []);
  await form.getByRole('textbox', { name: 'Sender id' }).fill(SENDER_ID);
  await form.getByRole('checkbox', { name: 'subscribe', exact: true }).check();
  await form.getByRole('textbox', { name: 'Callback origins' }).fill('https://crvs.example.org');
  await form.getByRole('button', { name: 'Create sender' }).click();
  await page.getByRole('heading', { name: 'CRVS (e2e)' }).waitFor();
  assert.match(page.url(), new RegExp(`/admin/senders/${SENDER_ID}$`));
  assert.equal(await page.getByRole('textbox', { name: 'Callback origins' }).inputValue(), 'https://crvs.example.org');
  assert.equal(await page.getByRole('checkbox', { name: 'subscribe', exact: true }).isChecked(), true);

  // A private key pasted by mistake: refused with the server's reason, next to the form.
  const keyForm = page.getByRole('form', { name: 'Add a public key' });
  await keyForm.getByRole('textbox', { name: 'Public key' }).fill(privatePem);
  await keyForm.getByRole('button', { name: 'Add key' }).click();
  await keyForm.getByRole('alert').getByText('this is a private key: register only the sender’s public key').waitFor();

  await keyForm.getByRole('textbox', { name: 'Public key' }).fill(publicPem);
  await keyForm.getByRole('textbox', { name: 'Key id' }).fill('crvs-key-1');
  await keyForm.getByRole('button', { name: 'Add key' }).click();
  await keyForm.getByRole('status').getByText('Key crvs-key-1 added').waitFor();
  assert.match(await keyForm.getByRole('status').innerText(), new RegExp(`Fingerprint: ${fingerprint}`));
  await page.getByRole('row', { name: new RegExp(`crvs-key-1 EdDSA ${fingerprint}`) }).waitFor();

  // The client secret: in a modal with a copy button, once.
  await page.getByRole('button', { name: 'Create client' }).click();
  const modal = page.getByRole('dialog', { name: 'Client secret' });
  await modal.getByText('Shown only now').waitFor();
  const clientSecret = await modal.getByLabel('Client secret').innerText();
  const clientId = (await modal.getByText(/^Client id:/).innerText()).replace('Client id:', '').trim();
  assert.ok(clientSecret.length >= 20, clientSecret);
  await modal.getByRole('button', { name: 'Copy secret' }).click();
  await modal.getByRole('button', { name: 'Copied' }).waitFor();
  assert.equal(await page.evaluate<string>('navigator.clipboard.readText()'), clientSecret);
  await screenshot(page, 'sender-secret-modal', { fullPage: false });
  assert.deepEqual(await accessibilityProblems(page), []);
  await modal.getByRole('button', { name: 'I have stored it' }).click();
  await modal.waitFor({ state: 'hidden' });
  assert.equal(await page.getByText(clientSecret).count(), 0);
  assert.equal(await page.content().then((html) => html.includes(clientSecret)), false);

  // The credentials work: a signed search from the sender shows up in its recent transactions.
  const client = new DciTestClient(rig.server.baseUrl, { senderId: SENDER_ID, clientId, clientSecret, kid: 'crvs-key-1', privateJwk: { ...(keys.privateKey.export({ format: 'jwk' }) as JWK), kid: 'crvs-key-1' } });
  const reply = await client.send('/registry/sync/search', 'search', { transaction_id: 'e2e-1', search_request: [searchItem('r1', { query_type: 'idtype-value', query: { type: 'UIN', value: 'none' } })] }, 'search_request');
  assert.ok(reply.status < 500, JSON.stringify(reply.body));

  // Rate limit: its own limit, kept after a reload.
  await page.getByRole('radio', { name: 'Its own limit' }).check();
  await page.getByRole('textbox', { name: 'Limit (requests per minute)' }).fill('30');
  await page.getByRole('button', { name: 'Save rate limit' }).click();
  await page.reload();
  await page.getByRole('heading', { name: 'CRVS (e2e)' }).waitFor();
  assert.equal(await page.getByRole('radio', { name: 'Its own limit' }).isChecked(), true);
  assert.equal(await page.getByRole('textbox', { name: 'Limit (requests per minute)' }).inputValue(), '30');
  const transactions = page.getByRole('region', { name: 'Recent transactions' });
  await transactions.getByRole('cell', { name: 'search' }).waitFor();
  const link = transactions.getByRole('link').filter({ hasText: 'UTC' }).first();
  assert.match((await link.getAttribute('href')) ?? '', /^\/admin\/transactions\/[^/]+$/);

  // Revoking asks first.
  await page.getByRole('button', { name: 'Revoke key crvs-key-1' }).click();
  await page.getByRole('dialog', { name: 'Revoke this key?' }).getByRole('button', { name: 'Revoke key' }).click();
  // The dialog fades out: until it has gone, its overlay takes the next click.
  await page.getByRole('dialog').waitFor({ state: 'detached' });
  await page.getByRole('row', { name: /crvs-key-1/ }).getByText('revoked').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Revoke key crvs-key-1' }).count(), 0);

  // Deactivating asks first too; cancelling leaves it active.
  await page.getByRole('switch', { name: 'Active' }).click({ force: true });
  await page.getByRole('dialog', { name: 'Deactivate this sender?' }).getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('dialog').waitFor({ state: 'detached' });
  assert.equal(await page.getByRole('switch', { name: 'Active' }).isChecked(), true);

  await page.getByRole('region', { name: 'Usage' }).locator('.recharts-bar-rectangle path').first().waitFor();
  await screenshot(page, 'sender-detail');
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.context().close();
});

test('an operator edits identity and notify authentication (secrets never shown back), uploads a JWK file, rotates and disables a client', async () => {
  const page = await rig.signIn('operator', `/admin/senders/${SENDER_ID}`);
  await page.getByRole('heading', { name: 'CRVS (e2e)' }).waitFor();

  await page.getByRole('textbox', { name: 'Contact' }).fill('crvs-ops@example.org');
  await page.getByRole('button', { name: 'Save identity' }).click();
  await page.getByRole('radio', { name: 'Bearer token' }).check();
  await page.getByRole('textbox', { name: 'Bearer token' }).fill('notify-token-e2e');
  await page.getByRole('button', { name: 'Save authentication' }).click();
  await page.getByRole('textbox', { name: 'Bearer token' }).and(page.locator('[value=""]')).waitFor();
  await page.reload();
  await page.getByRole('heading', { name: 'CRVS (e2e)' }).waitFor();
  assert.equal(await page.getByRole('textbox', { name: 'Contact' }).inputValue(), 'crvs-ops@example.org');
  assert.equal(await page.getByRole('radio', { name: 'Bearer token' }).isChecked(), true);
  assert.equal(await page.getByRole('textbox', { name: 'Bearer token' }).inputValue(), '');
  assert.equal((await page.content()).includes('notify-token-e2e'), false);

  // A second key, uploaded as a JWK file.
  const second = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
  const secondFingerprint = createHash('sha256').update(JSON.stringify({ crv: second.crv, kty: second.kty, x: second.x })).digest('base64url');
  const keyForm = page.getByRole('form', { name: 'Add a public key' });
  const chooser = page.waitForEvent('filechooser');
  await keyForm.getByRole('button', { name: 'Upload PEM or JWK file' }).click();
  await (await chooser).setFiles({ name: 'crvs-key-2.jwk', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ ...second, kid: 'crvs-key-2' })) });
  assert.match(await keyForm.getByRole('textbox', { name: 'Public key' }).inputValue(), /"kid":"crvs-key-2"/);
  await keyForm.getByRole('button', { name: 'Add key' }).click();
  await keyForm.getByRole('status').getByText('Key crvs-key-2 added').waitFor();
  assert.match(await keyForm.getByRole('status').innerText(), new RegExp(`Fingerprint: ${secondFingerprint}`));

  // Rotating asks first, then shows the new secret once.
  const clientId = (await page.getByRole('region', { name: 'OAuth clients' }).getByRole('row').nth(1).getByRole('cell').first().innerText()).trim();
  await page.getByRole('button', { name: `Rotate secret of ${clientId}` }).click();
  await page.getByRole('dialog', { name: "Rotate this client's secret?" }).getByRole('button', { name: 'Rotate secret' }).click();
  const modal = page.getByRole('dialog', { name: 'Client secret' });
  await modal.getByText('Shown only now').waitFor();
  assert.ok((await modal.getByLabel('Client secret').innerText()).length >= 20);
  await modal.getByRole('button', { name: 'I have stored it' }).click();
  await modal.waitFor({ state: 'detached' });

  await page.getByRole('button', { name: `Disable ${clientId}` }).click();
  await page.getByRole('dialog', { name: 'Disable this client?' }).getByRole('button', { name: 'Disable client' }).click();
  await page.getByRole('row', { name: new RegExp(clientId) }).getByText('disabled').waitFor();
  assert.equal(await page.getByRole('button', { name: `Rotate secret of ${clientId}` }).count(), 0);
  await page.context().close();
});

test('the senders list: search and filters; a sender allowed unsigned requests is flagged red', async () => {
  const page = await rig.signIn('operator', '/admin/senders');
  const table = page.getByRole('table');
  await table.getByRole('link', { name: SENDER_ID }).waitFor();
  const legacy = table.getByRole('row', { name: /legacy-ibr/ });
  await legacy.getByText('unsigned allowed').waitFor();
  assert.match(await legacy.getAttribute('style') ?? '', /red/);
  await screenshot(page, 'senders-list');
  assert.deepEqual(await accessibilityProblems(page), []);

  await page.getByRole('combobox', { name: 'Unsigned requests' }).click();
  await page.getByRole('option', { name: 'Allowed' }).click();
  await table.getByRole('link', { name: SENDER_ID }).waitFor({ state: 'detached' });
  assert.equal(await table.getByRole('link', { name: 'legacy-ibr' }).count(), 1);
  // The filter is in the address: a reload (or a shared link) keeps it.
  assert.match(page.url(), /\/admin\/senders\?unsigned=yes$/);
  await page.reload();
  await table.getByRole('link', { name: 'legacy-ibr' }).waitFor();
  assert.equal(await table.getByRole('link', { name: SENDER_ID }).count(), 0);
  await page.getByRole('combobox', { name: 'Unsigned requests' }).click();
  await page.getByRole('option', { name: 'All', exact: true }).click();

  await page.getByRole('combobox', { name: 'Operation' }).click();
  await page.getByRole('option', { name: 'subscribe', exact: true }).click();
  await table.getByRole('link', { name: 'legacy-ibr' }).waitFor({ state: 'detached' });
  assert.equal(await table.getByRole('link', { name: SENDER_ID }).count(), 1);

  await page.getByRole('textbox', { name: 'Search' }).fill('nothing like this');
  await page.getByText('No sender matches these filters.').waitFor();
  await page.waitForURL(/search=nothing/);
  await page.context().close();
});

test('an auditor sees the same sender with every setting and no change control', async () => {
  const page = await rig.signIn('auditor', `/admin/senders/${SENDER_ID}`);
  await page.getByRole('heading', { name: 'CRVS (e2e)' }).waitFor();
  await page.getByText(fingerprint).waitFor();
  assert.equal(await page.getByRole('textbox', { name: 'Name' }).inputValue(), 'CRVS (e2e)');
  assert.equal(await page.getByRole('textbox', { name: 'Name' }).isDisabled(), true);
  assert.equal(await page.getByRole('radio', { name: 'Its own limit' }).isDisabled(), true);
  assert.equal(await page.getByRole('switch').count(), 0);
  assert.deepEqual(await page.getByRole('main').getByRole('button').allInnerTexts(), []);
  await screenshot(page, 'sender-detail-auditor');
  assert.deepEqual(await accessibilityProblems(page), []);

  await page.goto(`${rig.server.baseUrl}/admin/senders`);
  await page.getByRole('table').getByRole('link', { name: SENDER_ID }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'New sender' }).count(), 0);
  await page.context().close();
});
