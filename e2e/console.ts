/**
 * What every console journey needs: the real server on a fresh database, a staff account per role,
 * a browser signed in as one of them, and screenshots kept as test artifacts (test-results/screens).
 */
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { createStaffUser } from '../apps/server/src/staff/staff-users.js';
import { startTestServer, type TestServer } from '../apps/server/src/testing/test-server.js';
import { launchBrowser } from './browser.js';

export const SCREENSHOT_DIR = path.resolve(fileURLToPath(import.meta.url), '../../test-results/screens');

export interface ConsoleRig {
  server: TestServer;
  browser: Browser;
  passwords: Record<'admin' | 'operator' | 'auditor', string>;
  /** A fresh browser context signed in through the login page as `role`, on `path`. */
  signIn(role: 'admin' | 'operator' | 'auditor', path?: string): Promise<Page>;
  close(): Promise<void>;
}

export async function startConsole(env: Record<string, string> = {}, options: { worker?: boolean } = {}): Promise<ConsoleRig> {
  const server = await startTestServer(env, options);
  const browser = await launchBrowser();
  const passwords = {} as ConsoleRig['passwords'];
  for (const role of ['admin', 'operator', 'auditor'] as const) passwords[role] = (await createStaffUser(server.ctx.db.pool, { email: `${role}@example.org`, role })).password;
  return {
    server,
    browser,
    passwords,
    async signIn(role, target = '/admin/') {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await page.goto(`${server.baseUrl}${target}`);
      await page.getByRole('textbox', { name: 'Email' }).fill(`${role}@example.org`);
      await page.getByRole('textbox', { name: 'Password' }).fill(passwords[role]);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('navigation', { name: 'Sections' }).waitFor();
      return page;
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/** Saves what the person sees, for reviewing every screen (CI keeps test-results/). */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  await fs.mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: options.fullPage ?? true });
}

const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** Runs axe-core on the page; returns the serious and critical violations (tests assert there are none). */
/** Waits until every open dialog has finished its opening transition (axe measures contrast on what is painted). */
export async function dialogsSettled(page: Page): Promise<void> {
  const dialogs = page.locator('[role=dialog]');
  // A function, not a string: our Content-Security-Policy rightly refuses eval.
  const opacities = () => dialogs.evaluateAll((elements) => elements.map((e) => (globalThis as unknown as { getComputedStyle(e: unknown): { opacity: string } }).getComputedStyle(e).opacity));
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await page.waitForTimeout(50)) {
    if ((await opacities()).every((opacity) => opacity === '1')) return;
  }
  throw new Error('a dialog was still fading in after 10 s');
}

export async function accessibilityProblems(page: Page): Promise<string[]> {
  // Evaluated through the browser's debugging protocol: the console's CSP (rightly) refuses an injected inline <script>.
  await page.evaluate(await fs.readFile(AXE_SCRIPT, 'utf8'));
  const violations = await page.evaluate(async () => {
    const result = await (globalThis as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe.run();
    return result.violations;
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
