import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, afterEach, before, test } from 'node:test';
import { freePort, isAlive } from '@dci-server/db';
import { DciTestClient, searchItem } from './testing/dci-client.js';

// The two-command start, end to end: `npm start` is `node --import tsx apps/server/src/main.ts`
// after building the console. The checkout is placed under a folder only its owner may enter,
// as when CI clones into /root/..., so that the embedded PostgreSQL must cope with it.
const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));
const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));
let tmp: string;
let dataDir: string;
let pgDir: string | undefined;
/** Every server and worker a test starts: stopped after it even when it fails half-way. */
const processes: ChildProcess[] = [];

before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'dci-start-'));
  await fs.chmod(tmp, 0o700);
  dataDir = path.join(tmp, 'checkout', '.data');
});
afterEach(async () => {
  for (const child of processes.splice(0).filter((p) => p.exitCode === null && p.signalCode === null)) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    await exited;
  }
});
after(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
  if (pgDir) await fs.rm(pgDir, { recursive: true, force: true });
  if (pgDir) await fs.rm(`${pgDir}.password`, { force: true });
});

interface Started {
  child: ChildProcess;
  output: () => string;
  port: number;
}

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** `node main.ts` (or `npm start` when asked), on a free port over DATA_DIR; resolves once it says it is up. */
async function start(options: { npm?: boolean } = {}): Promise<Started> {
  const port = await freePort();
  const env = { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: '', DEMO_DATA: 'true', DEMO_PERSONS: '300', LOG_LEVEL: 'info', CI: 'true' };
  const child = options.npm ? spawn('npm', ['start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] }) : spawn(process.execPath, ['--import', 'tsx', MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  return { child, output: await readyOutput(child, 'DCI Server is up'), port };
}

/** Collects a process's output; resolves once `marker` appears in it. */
async function readyOutput(child: ChildProcess, marker: string): Promise<() => string> {
  processes.push(child);
  let output = '';
  child.stdout!.on('data', (c) => (output += c));
  child.stderr!.on('data', (c) => (output += c));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not up in 60 s:\n${output}`)), 60_000);
    child.stdout!.on('data', () => output.includes(marker) && (clearTimeout(timer), resolve()));
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`exited with ${code}:\n${output}`))));
  });
  return () => output;
}

/** Ctrl-C (or `signal`); resolves to the exit code, failing with the process's output when it is not 0. */
async function stop(s: Pick<Started, 'child' | 'output'>, signal: NodeJS.Signals = 'SIGINT'): Promise<number | null> {
  const exited = new Promise<string>((resolve) => s.child.once('exit', (code, signal) => resolve(`${code}/${signal}`)));
  s.child.kill(signal);
  const how = await exited;
  assert.equal(how, '0/null', `stopped with ${how}:\n${s.output().slice(-3000)}`);
  return 0;
}

const postgresDataDir = (output: string) => /embedded, data in (\S+)\)/.exec(output)?.[1];

test('first start: embedded database, migrations, demo data, demo sender files, URLs printed; Ctrl-C leaves nothing running', async () => {
  const s = await start();
  const ready = await fetch(`http://127.0.0.1:${s.port}/readyz`);
  assert.equal(ready.status, 200);
  for (const name of ['DCI API', 'Token', 'JWKS', 'Console', 'Docs']) assert.match(s.output(), new RegExp(`${name}\\s+http://`));
  const credentials = JSON.parse(await fs.readFile(path.join(dataDir, 'demo', 'demo-client.credentials.json'), 'utf8'));
  assert.deepEqual(Object.keys(credentials).sort(), ['base_url', 'client_id', 'client_secret', 'key_id', 'sender_id', 'token_url']);
  const key = JSON.parse(await fs.readFile(path.join(dataDir, 'demo', 'demo-client.key.jwk'), 'utf8'));
  assert.equal(key.kid, credentials.key_id);
  assert.ok(key.d, 'the private key is in the demo key file');
  for (const page of ['/admin/', '/docs', '/docs/EXTENSIONS.md']) assert.equal((await fetch(`http://127.0.0.1:${s.port}${page}`)).status, 200, page);

  pgDir = postgresDataDir(s.output());
  assert.ok(pgDir, 'the data folder is printed');
  if (process.getuid?.() === 0) assert.ok(!pgDir.startsWith(tmp), 'as root, the cluster moves out of the folder postgres cannot enter');
  assert.equal(await stop(s), 0);
  assert.ok(!existsSync(path.join(pgDir, 'postmaster.pid')), 'postgres stopped with the server');
});

test('second start reuses the data and does not recreate the demo sender', async () => {
  const before = await fs.readFile(path.join(dataDir, 'demo', 'demo-client.credentials.json'), 'utf8');
  const s = await start();
  assert.doesNotMatch(s.output(), /loading demo data/);
  assert.doesNotMatch(s.output(), /demo sender demo-client created/);
  assert.equal(await fs.readFile(path.join(dataDir, 'demo', 'demo-client.credentials.json'), 'utf8'), before);
  assert.equal(await stop(s), 0);
});

/** The demo sender, as an integrator holding its credential files would call us. */
async function demoClient(port: number): Promise<DciTestClient> {
  const credentials = JSON.parse(await fs.readFile(path.join(dataDir, 'demo', 'demo-client.credentials.json'), 'utf8'));
  const privateJwk = JSON.parse(await fs.readFile(path.join(dataDir, 'demo', 'demo-client.key.jwk'), 'utf8'));
  return new DciTestClient(`http://127.0.0.1:${port}`, { senderId: credentials.sender_id, clientId: credentials.client_id, clientSecret: credentials.client_secret, kid: credentials.key_id, privateJwk });
}

/** /readyz is 200, a token is issued, the JWKS is served and a signed DCI search is answered. */
async function assertServing(port: number): Promise<void> {
  const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
  assert.equal(ready.status, 200, await ready.clone().text());
  assert.equal((await fetch(`http://127.0.0.1:${port}/.well-known/jwks.json`)).status, 200);
  const client = await demoClient(port);
  const reply = await client.send('/registry/sync/search', 'search', { transaction_id: `txn-${Date.now()}`, search_request: [searchItem('r1', { reg_record_type: 'Person', query_type: 'idtype-value', query: { type: 'UIN', value: '0000000000' } })] }, 'search_request');
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
}

function run(file: string, args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], { env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'warn', ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c) => (output += c));
  child.stderr!.on('data', (c) => (output += c));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

/** Polls `check` every 100 ms for at most 60 s. */
async function eventually(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`not within 60 s: ${what}`);
}

const postmasterPid = async (s: Started) => Number((await fs.readFile(path.join(postgresDataDir(s.output())!, 'postmaster.pid'), 'utf8')).split('\n')[0]);

test('the CLI, a worker and a second server attach to the running server\'s database and never stop it', async () => {
  const s = await start();
  const postgres = await postmasterPid(s);

  const list = await run(CLI, ['senders', 'list']);
  assert.equal(list.code, 0, list.output);
  assert.match(list.output, /demo-client/);
  const generated = await run(CLI, ['keys', 'generate']); // the README's key-rotation workflow
  assert.equal(generated.code, 0, generated.output);
  await assertServing(s.port);

  const worker = spawn(process.execPath, ['--import', 'tsx', WORKER], { env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', DEMO_DATA: 'true', LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const workerOutput = await readyOutput(worker, 'background worker started');
  assert.match(workerOutput(), /using the embedded PostgreSQL another process runs/);
  await stop({ child: worker, output: workerOutput });
  await assertServing(s.port);

  const second = await start();
  assert.match(second.output(), /using the embedded PostgreSQL another process runs/);
  await assertServing(second.port);
  await stop(second);

  await assertServing(s.port);
  assert.equal(await postmasterPid(s), postgres, 'the same PostgreSQL throughout');
  assert.equal(await stop(s), 0);
  assert.ok(!isAlive(postgres), 'its owner stopped it');
});

test('PostgreSQL killed under the server: /readyz says why, then it is restarted and requests succeed again', async () => {
  const s = await start();
  process.kill(await postmasterPid(s), 'SIGKILL');
  await eventually('/readyz says PostgreSQL died', async () => {
    const res = await fetch(`http://127.0.0.1:${s.port}/readyz`).catch((error) => assert.fail(`${error.cause}\n${s.output().slice(-5000)}`));
    const body = (await res.json()) as { database?: string; error?: string };
    // Until the server has seen the exit, /readyz may report the failed query instead.
    return res.status === 503 && body.database === 'down' && /embedded PostgreSQL exited \(SIGKILL\)/.test(body.error ?? '');
  });
  await eventually('/readyz is 200 again', async () => (await fetch(`http://127.0.0.1:${s.port}/readyz`).catch((error) => assert.fail(`${error.cause}\n${s.output().slice(-5000)}`))).status === 200);
  await assertServing(s.port);
  assert.equal(await stop(s), 0);
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`${signal} to the npm process of \`npm start\` stops the server, its worker and PostgreSQL`, async () => {
    const s = await start({ npm: true });
    assert.doesNotMatch(s.output(), /using the embedded PostgreSQL another process runs/, 'it started its own');
    const server = Number(/"pid":(\d+)/.exec(s.output())?.[1]);
    const postgres = await postmasterPid(s);
    assert.ok(isAlive(server) && isAlive(postgres));
    assert.equal(await stop(s, signal), 0, 'npm exits 0');
    assert.ok(!isAlive(server), 'the Node server has exited');
    assert.ok(!isAlive(postgres), 'PostgreSQL has stopped');
  });
}

test('npm killed outright (SIGKILL): the server notices and stops itself and PostgreSQL', async () => {
  const s = await start({ npm: true });
  const server = Number(/"pid":(\d+)/.exec(s.output())?.[1]);
  const postgres = await postmasterPid(s);
  s.child.kill('SIGKILL');
  for (let i = 0; i < 300 && (isAlive(server) || isAlive(postgres)); i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(!isAlive(server), 'the Node server has exited');
  assert.ok(!isAlive(postgres), 'PostgreSQL has stopped');
});
