import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { isAlive, startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.js';

// One cluster per data folder, shared by every process that opens it; only its owner stops it.
const FIXTURE = fileURLToPath(new URL('./cluster-owner.fixture.ts', import.meta.url));
let tmp: string;
const running: EmbeddedPostgres[] = [];
const children: ChildProcess[] = [];
const supervisionFailures: Error[] = [];

before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'dci-embedded-'));
  await fs.chmod(tmp, 0o755); // the postgres system user (when we run as root) must enter it
});
after(async () => {
  for (const child of children) child.kill('SIGKILL');
  for (const cluster of running) await cluster.stop();
  for (const dir of await fs.readdir(tmp)) {
    const pid = postmasterPid(path.join(tmp, dir));
    if (!pid || !isAlive(pid)) continue;
    process.kill(pid, 'SIGINT'); // left by a killed fixture whose cluster nobody took over
    await eventually('the leftover server stopped', () => !isAlive(pid), 15);
  }
  await fs.rm(tmp, { recursive: true, force: true });
});

async function start(dir: string, options: { supervise?: boolean } = {}): Promise<EmbeddedPostgres> {
  const cluster = await startEmbeddedPostgres({ dataDir: path.join(tmp, dir), supervise: options.supervise ? { onFailure: (e) => supervisionFailures.push(e) } : undefined });
  running.push(cluster);
  return cluster;
}

/** The cluster opened by another process; resolves once it has printed its role. */
async function startInChild(dir: string): Promise<{ child: ChildProcess; role: string; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, path.join(tmp, dir)], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (chunk) => resolve(String(chunk)));
    child.once('exit', (code) => reject(new Error(`fixture exited with ${code}`)));
  });
  return { child, ...JSON.parse(line) };
}

async function selectOne(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return (await client.query('SELECT 1 AS one')).rows[0].one;
  } finally {
    await client.end();
  }
}

function postmasterPid(dataDir: string): number | undefined {
  try {
    return Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return undefined;
  }
}

/** Polls `check` every 100 ms for at most `seconds`. */
async function eventually(what: string, check: () => boolean | Promise<boolean>, seconds = 60): Promise<void> {
  for (let i = 0; i < seconds * 10; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`not within ${seconds} s: ${what}`);
}

test('a second start on the same folder attaches to the running cluster; only the owner stops it', async () => {
  const owner = await start('shared');
  const attached = await start('shared');
  assert.equal(owner.role, 'owner');
  assert.equal(attached.role, 'attached');
  assert.equal(attached.port, owner.port);
  assert.equal(await selectOne(attached.url), 1);
  await attached.stop();
  assert.equal(await selectOne(owner.url), 1, 'the owner\'s cluster survives the attached process');
  await owner.stop();
  assert.equal(postmasterPid(owner.dataDir), undefined, 'the owner stopped it');
});

test('another process attaches too, and leaves the cluster running when it exits', async () => {
  const owner = await start('across-processes');
  const other = await startInChild('across-processes');
  assert.equal(other.role, 'attached');
  assert.equal(other.port, owner.port);
  const exited = new Promise((resolve) => other.child.once('exit', resolve));
  other.child.kill('SIGINT');
  assert.equal(await exited, 0);
  assert.equal(await selectOne(owner.url), 1);
});

test('two processes starting together on an empty folder: one owns, the other attaches', async () => {
  const [a, b] = await Promise.all([startInChild('race'), startInChild('race')]);
  assert.deepEqual([a.role, b.role].sort(), ['attached', 'owner']);
  assert.equal(a.port, b.port);
});

test('a cluster whose owner was killed is stopped and started again by the next process', async () => {
  const dead = await startInChild('dead-owner');
  const dataDir = path.join(tmp, 'dead-owner');
  const leftover = postmasterPid(dataDir)!;
  const gone = new Promise((resolve) => dead.child.once('exit', resolve));
  dead.child.kill('SIGKILL');
  await gone;
  assert.ok(isAlive(leftover), 'postgres outlives its killed owner');
  const next = await start('dead-owner');
  assert.equal(next.role, 'owner');
  assert.ok(!isAlive(leftover), 'the leftover server was stopped');
  assert.equal(await selectOne(next.url), 1);
});

test('a supervising owner restarts PostgreSQL killed under it, on the same port', async () => {
  const owner = await start('supervised', { supervise: true });
  const first = postmasterPid(owner.dataDir)!;
  process.kill(first, 'SIGKILL');
  await eventually('health says down', () => owner.health().state === 'down');
  const health = owner.health();
  assert.match(health.state === 'down' ? health.reason : '', /embedded PostgreSQL exited \(SIGKILL\)/);
  await eventually('health says ready again', () => owner.health().state === 'ready');
  assert.notEqual(postmasterPid(owner.dataDir), first);
  assert.equal(await selectOne(owner.url), 1);
  assert.deepEqual(supervisionFailures, []);
});

test('a supervised attached process takes the cluster over when its owner dies', async () => {
  const owner = await startInChild('takeover');
  const attached = await start('takeover', { supervise: true });
  assert.equal(attached.role, 'attached');
  owner.child.kill('SIGKILL');
  await eventually('it owns the cluster', () => attached.role === 'owner' && attached.health().state === 'ready');
  assert.equal(attached.port, owner.port, 'same port, so its open pools find it again');
  assert.equal(await selectOne(attached.url), 1);
  assert.deepEqual(supervisionFailures, []);
});

test('an unsupervised attached process (the CLI) reports the database down when the owner stops it, without hanging', async () => {
  const owner = await startInChild('cli');
  const attached = await start('cli');
  const exited = new Promise((resolve) => owner.child.once('exit', resolve));
  owner.child.kill('SIGINT');
  await exited;
  await eventually('health says down', () => attached.health().state === 'down');
  await assert.rejects(selectOne(attached.url), /ECONNREFUSED/);
  assert.equal(attached.role, 'attached', 'it does not start a cluster of its own');
});
