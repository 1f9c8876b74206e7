import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { createStaffUser } from '../apps/server/src/staff/staff-users.js';
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

test('a browser opening /graphql gets the bundled GraphQL IDE, which runs queries as the signed-in user', async () => {
  const { password } = await createStaffUser(server.ctx.db.pool, { email: 'ide@example.org', role: 'auditor' });
  const context = await browser.newContext();
  const page = await context.newPage();
  const offline: string[] = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(server.baseUrl)) offline.push(request.url());
  });
  // Sign in the way the console does: the session cookie lands in the browser context.
  const login = await page.request.post(`${server.baseUrl}/graphql`, {
    data: { query: 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { staff { email } } }', variables: { e: 'ide@example.org', p: password } },
  });
  assert.equal(login.status(), 200);

  await page.goto(`${server.baseUrl}/graphql`);
  // The editor loads its language workers first; on a busy machine that takes a while.
  await page.locator('.graphiql-query-editor .monaco-editor').waitFor({ timeout: 30_000 });
  await page.locator('.graphiql-execute-button').click();
  await page.locator('.graphiql-response').getByText('ide@example.org').waitFor({ timeout: 30_000 });
  assert.deepEqual(offline, [], 'every asset comes from our server');
  await context.close();
});
