import fs from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { createStaffUser } from './staff-users.js';

export const DEMO_ADMIN_EMAIL = 'admin@demo.local';

/**
 * Demo mode only: when no staff account exists yet, an admin whose password is written to
 * DATA_DIR/demo/admin.credentials.json (0600), so the console can be tried at once.
 */
export async function ensureDemoAdmin(pool: pg.Pool, dataDir: string): Promise<string | undefined> {
  const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM staff_user');
  if (rows[0]!.n > 0) return undefined;
  const { password } = await createStaffUser(pool, { email: DEMO_ADMIN_EMAIL, name: 'Demo admin', role: 'admin' });
  const dir = path.join(dataDir, 'demo');
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, 'admin.credentials.json');
  await fs.writeFile(file, JSON.stringify({ email: DEMO_ADMIN_EMAIL, password }, null, 2) + '\n', { mode: 0o600 });
  return file;
}
