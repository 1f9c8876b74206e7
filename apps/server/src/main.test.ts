import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
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

/** One request on a connection of its own (no keep-alive race): answered in full, refused at connect, or cut. */
function postOnce(port: number, path: string, body: unknown, token: string): Promise<{ kind: 'answered'; status: number; body: unknown } | { kind: 'refused' } | { kind: 'cut'; error: string }> {
  return new Promise((resolve) => {
    const payload = JSON.stringify(body);
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), authorization: `Bearer ${token}` } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        try {
          resolve({ kind: 'answered', status: res.statusCode!, body: JSON.parse(text) });
        } catch {
          resolve({ kind: 'cut', error: `incomplete body (${res.statusCode}): ${text.slice(0, 200)}` });
        }
      });
      res.on('error', (error) => resolve({ kind: 'cut', error: error.message }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED' ? { kind: 'refused' } : { kind: 'cut', error: `${error.code}: ${error.message}` }));
    req.setTimeout(60_000, () => req.destroy(new Error('no answer in 60 s')));
    req.end(payload);
  });
}

const SIGTERM_LOAD_CLIENTS = process.env.RELIABILITY_FULL === '1' ? 8 : 3;

test(`SIGTERM under load (${SIGTERM_LOAD_CLIENTS} clients): requests in flight are answered in full; every request the server took is recorded, every success answer too`, async (t) => {
  const s = await start();
  const client = await demoClient(s.port);
  const token = await client.accessToken();
  const sent: { transactionId: string; result: Awaited<ReturnType<typeof postOnce>> }[] = [];
  const load = async (n: number) => {
    for (let i = 0; i < 10_000; i++) {
      const transactionId = `sigterm-${n}-${i}`;
      const path = i % 3 === 0 ? '/registry/search' : '/registry/sync/search';
      const header = client.header('search', 1, path === '/registry/search' ? { sender_uri: 'http://127.0.0.1:9/registry/on-search' } : {});
      const message = { transaction_id: transactionId, search_request: [searchItem('r1', { reg_record_type: 'Person', query_type: 'expression', query: { type: 'ns:org:QueryType:expression', value: { expression: { collection: 'Person', query: { sex: { $in: ['male', 'female'] } } } } }, pagination: { page_size: 50 } })] };
      const result = await postOnce(s.port, path, await client.envelope(header, message), token);
      sent.push({ transactionId, result });
      if (result.kind === 'refused') return; // the server has stopped listening
    }
  };
  const loads = Array.from({ length: SIGTERM_LOAD_CLIENTS }, (_, n) => load(n));
  await eventually('some requests answered', async () => sent.length >= 20);
  assert.equal(await stop(s, 'SIGTERM'), 0, 'exits 0');
  await Promise.all(loads);

  const answered = sent.filter((x) => x.result.kind === 'answered');
  const cut = sent.filter((x) => x.result.kind === 'cut');
  const statuses = answered.map((x) => (x.result as { status: number }).status);
  // 429: more sync searches at once than SYNC_MAX_IN_FLIGHT_PER_SENDER, a complete answer too.
  assert.ok(statuses.every((st) => [200, 202, 429, 503].includes(st)), `only successes, 429 and 503: ${[...new Set(statuses)]}`);

  // Back up on the same data: what the first run recorded.
  const again = await start();
  const asker = await demoClient(again.port);
  const recorded = async (transactionId: string) => {
    const reply = await asker.send('/registry/sync/txn/status', 'txn-status', { transaction_id: `ask-${transactionId}`, txnstatus_request: { reference_id: 'st', txn_type: 'search', attribute_type: 'transaction_id', attribute_value: transactionId } }, 'txnstatus_request');
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    const item = reply.body.message.txnstatus_response.txn_status.search_response[0];
    return !(item.status === 'rjct' && /transaction\.not_found/.test(item.status_reason_message ?? ''));
  };
  const unrecordedSuccesses = [];
  for (const x of answered) if ([200, 202].includes((x.result as { status: number }).status) && !(await recorded(x.transactionId))) unrecordedSuccesses.push(x.transactionId);
  assert.deepEqual(unrecordedSuccesses, [], 'every success answer has its audit record');
  // A connection reset before the server read the request is not a request cut half-way; one it had taken is.
  const cutAfterTaken = [];
  for (const x of cut) if (await recorded(x.transactionId)) cutAfterTaken.push(x);
  assert.deepEqual(cutAfterTaken, [], 'no request the server took was cut half-way');
  t.diagnostic(`SIGTERM under load: ${sent.length} requests, ${answered.length} answered (${statuses.filter((st) => st < 300).length} successes, ${statuses.filter((st) => st === 503).length} 503), ${cut.length} reset before being read, ${sent.length - answered.length - cut.length} refused after the listener closed`);
  assert.equal(await stop(again), 0);
});
