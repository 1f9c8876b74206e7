import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { startConsole, type ConsoleRig } from './console.js';

let rig: ConsoleRig;
before(async () => {
  rig = await startConsole();
});
after(() => rig?.close());

/** Every CSP violation the page reports, from the moment it starts loading. */
async function watchViolations(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (globalThis as unknown as { cspViolations: string[] }).cspViolations = seen;
    type Violation = { effectiveDirective: string; blockedURI: string; sourceFile: string; lineNumber: number };
    (globalThis as unknown as { document: EventTarget }).document.addEventListener('securitypolicyviolation', (event) => {
      const e = event as unknown as Violation;
      seen.push(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
  const consoleErrors: string[] = [];
  page.on('console', (message) => message.type() === 'error' && /Content Security Policy/i.test(message.text()) && consoleErrors.push(message.text()));
  return async () => [...(await page.evaluate(() => (globalThis as unknown as { cspViolations?: string[] }).cspViolations ?? [])), ...consoleErrors];
}

test('the console works under our Content-Security-Policy: every screen renders with no violation', async () => {
  const page = await rig.signIn('admin');
  const violations = await watchViolations(page);
  for (const [path, heading] of [
    ['/admin/', 'Dashboard'],
    ['/admin/senders', 'Senders'],
    ['/admin/transactions', 'Transactions'],
    ['/admin/registry', 'Registry'],
    ['/admin/keys', 'Server keys'],
  ] as const) {
    await page.goto(`${rig.server.baseUrl}${path}`);
    await page.getByRole('heading', { name: heading, exact: true }).first().waitFor();
    assert.deepEqual(await violations(), [], path);
  }
  await page.context().close();
});

test('the GraphQL IDE and /docs load under the CSP with no violation', async () => {
  const page = await rig.signIn('auditor');
  const violations = await watchViolations(page);
  await page.goto(`${rig.server.baseUrl}/graphql`);
  // The editor loads its language workers first; on a busy machine that takes a while.
  await page.locator('.graphiql-query-editor .monaco-editor').waitFor({ timeout: 30_000 });
  await page.locator('.graphiql-execute-button').click();
  await page.locator('.graphiql-response').getByText('auditor@example.org').waitFor({ timeout: 30_000 });
  assert.deepEqual(await violations(), [], '/graphql');

  await page.goto(`${rig.server.baseUrl}/docs`);
  await page.waitForLoadState('load');
  await page.getByRole('heading', { name: 'Search the registry (answer in the response)' }).first().waitFor();
  // The reference bundles zod, which probes once whether eval is allowed (`try { Function('') }`) and
  // goes without when it is not: that refused probe is the only violation there may be.
  const zodProbe = /^script-src blocked eval \(.*\/docs\/assets\/scalar\/standalone\.js:\d+\)$/;
  assert.deepEqual((await violations()).filter((v) => !zodProbe.test(v)), [], '/docs');
  await page.context().close();
});
