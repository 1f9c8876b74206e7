import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../apps/server/src/testing/test-server.js';
import { launchBrowser } from './browser.js';
import { accessibilityProblems, screenshot } from './console.js';

/** helmet's default policy (less upgrade-insecure-requests, which has no meaning on plain-HTTP loopback). */
const HELMET_DEFAULT_CSP =
  "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'self';img-src 'self' data:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' https: 'unsafe-inline'";

let server: TestServer;
let browser: Browser;
before(async () => {
  server = await startTestServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/** A context whose pages get helmet's default CSP, recording what the page fetched elsewhere, was refused, or logged as an error. */
async function underDefaultCsp(): Promise<{ context: BrowserContext; page: Page; outside: string[]; refused: string[]; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.route(`${server.baseUrl}/**`, async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': HELMET_DEFAULT_CSP } });
  });
  const page = await context.newPage();
  const outside: string[] = [];
  const refused: string[] = [];
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('request', (request) => {
    if (!request.url().startsWith(server.baseUrl) && !request.url().startsWith('data:')) outside.push(request.url());
  });
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) refused.push(message.text());
    else if (message.type() === 'error') errors.push(message.text());
  });
  return { context, page, outside, refused, errors };
}

test('/docs renders the API reference from /openapi.json, and its search finds an operation', async () => {
  const { context, page, outside, refused, errors } = await underDefaultCsp();
  await page.goto(`${server.baseUrl}/docs`);
  await page.getByRole('heading', { name: 'DCI Server API', level: 1 }).waitFor({ timeout: 30_000 });
  // Text is drawn (so web fonts, if any, are fetched) once the page has settled.
  await page.waitForLoadState('networkidle');
  await screenshot(page, 'docs-reference', { fullPage: false });

  await page.getByRole('button', { name: /Search/ }).first().click();
  await page.getByRole('combobox', { name: 'Enter search query' }).fill('verify claims');
  const result = page.getByRole('option', { name: /Verify claims without disclosure \(answer in the response\)/ });
  await result.waitFor();
  await result.click();
  const operation = page.getByRole('heading', { name: 'Verify claims without disclosure (answer in the response)' });
  await operation.waitFor();
  await page.waitForURL(/#.*sync\/verify/);
  await page.getByText('/registry/sync/verify').first().waitFor();
  // The reference is one long page: what the reader sees after picking the result.
  await screenshot(page, 'docs-reference-verify', { fullPage: false });

  assert.deepEqual(outside, [], 'every asset comes from our server');
  assert.deepEqual(refused, [], 'nothing is refused by the default CSP');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the guide explains signing and lists the error catalogue; both pages pass the accessibility check', async () => {
  const { context, page, outside, refused, errors } = await underDefaultCsp();
  await page.goto(`${server.baseUrl}/docs`);
  await page.getByRole('link', { name: 'Integration guide' }).click();
  await page.getByRole('heading', { name: 'Integration guide', level: 1 }).waitFor();
  await page.getByRole('heading', { name: 'Signing' }).waitFor();
  const codes = page.getByRole('table', { name: /Every code the server answers with/ });
  await codes.getByRole('row', { name: /rjct\.message_id\.duplicate 409/ }).waitFor();
  await screenshot(page, 'docs-guide');
  await page.goto(`${server.baseUrl}/docs/guide#signing`);
  await screenshot(page, 'docs-guide-signing', { fullPage: false });
  assert.deepEqual(outside, []);
  assert.deepEqual(refused, []);
  assert.deepEqual(errors, []);
  await context.close();

  // axe is injected as an inline script, which the CSP above would refuse: a plain context runs the check.
  const plain = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const checked = await plain.newPage();
  await checked.goto(`${server.baseUrl}/docs/guide`);
  assert.deepEqual(await accessibilityProblems(checked), []);
  await checked.goto(`${server.baseUrl}/docs`);
  await checked.getByRole('heading', { name: 'DCI Server API', level: 1 }).waitFor({ timeout: 30_000 });
  assert.deepEqual(await accessibilityProblems(checked), []);
  await plain.close();
});
