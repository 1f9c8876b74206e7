import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { AppContext } from '../context.js';
import { createTestContext } from '../testing/test-server.js';
import { DEMO_ADMIN_EMAIL, ensureDemoAdmin } from './demo-admin.js';
import { checkPassword } from './staff-users.js';

let ctx: AppContext;
let dir: string;
before(async () => {
  ctx = await createTestContext();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dci-demo-admin-'));
});
after(async () => {
  await ctx.db.close();
  await fs.rm(dir, { recursive: true, force: true });
});

test('demo mode creates one admin and writes its credentials to a 0600 file; once only', async () => {
  const file = await ensureDemoAdmin(ctx.db.pool, dir);
  assert.equal(file, path.join(dir, 'demo', 'admin.credentials.json'));
  const credentials = JSON.parse(await fs.readFile(file!, 'utf8')) as { email: string; password: string };
  assert.equal(credentials.email, DEMO_ADMIN_EMAIL);
  assert.equal((await fs.stat(file!)).mode & 0o777, 0o600);
  const identity = await checkPassword(ctx.db.pool, credentials.email, credentials.password, { maxFailures: 5, lockoutSeconds: 60 });
  assert.equal(identity.role, 'admin');
  assert.equal(await ensureDemoAdmin(ctx.db.pool, dir), undefined, 'not again once staff exist');
});
