import { execFileSync } from 'node:child_process';

export interface RunAs {
  uid: number;
  gid: number;
}

const SYSTEM_USER = 'postgres';

/**
 * PostgreSQL refuses to run as root. As root we run it as the `postgres` system user,
 * creating that user when the machine has none; as anyone else we run it as ourselves.
 */
export function resolveRunAs(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const existing = lookup();
  if (existing) return existing;
  try {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', SYSTEM_USER], { stdio: 'pipe' });
  } catch (error) {
    throw new Error(`PostgreSQL cannot run as root and creating a '${SYSTEM_USER}' user failed: ${(error as Error).message}`, { cause: error });
  }
  const created = lookup();
  if (!created) throw new Error(`created the '${SYSTEM_USER}' user but cannot look it up`);
  return created;
}

function lookup(): RunAs | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', SYSTEM_USER], { stdio: 'pipe' }).toString().trim());
    const gid = Number(execFileSync('id', ['-g', SYSTEM_USER], { stdio: 'pipe' }).toString().trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}
