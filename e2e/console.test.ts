import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../apps/server/src/testing/test-server.js';
import { launchBrowser } from './browser.js';

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

test('the console is served at /admin and shows the server ready', async () => {
  const page = await browser.newPage();
  await page.goto(`${server.baseUrl}/admin/`);
  await page.getByRole('heading', { name: 'DCI Server console' }).waitFor();
  await page.getByTestId('server-status').filter({ hasText: 'ready' }).waitFor({ timeout: 10_000 });
  assert.equal(await page.getByTestId('server-status').textContent(), 'ready');
});
