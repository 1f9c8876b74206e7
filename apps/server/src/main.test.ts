import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { freePort } from '@dci-server/db';

// The two-command start, end to end: `npm start` is `node --import tsx apps/server/src/main.ts`
// after building the console. The checkout is placed under a folder only its owner may enter,
// as when CI clones into /root/..., so that the embedded PostgreSQL must cope with it.
const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
let tmp: string;
let dataDir: string;
let pgDir: string | undefined;

before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'dci-start-'));
  await fs.chmod(tmp, 0o700);
  dataDir = path.join(tmp, 'checkout', '.data');
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

async function start(): Promise<Started> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: '', DEMO_DATA: 'true', DEMO_PERSONS: '300', LOG_LEVEL: 'info', CI: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c) => (output += c));
  child.stderr!.on('data', (c) => (output += c));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not up in 60 s:\n${output}`)), 60_000);
    child.stdout!.on('data', () => output.includes('DCI Server is up') && (clearTimeout(timer), resolve()));
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`exited with ${code}:\n${output}`))));
  });
  return { child, output: () => output, port };
}

/** Ctrl-C; resolves to the exit code, failing with the process's output when it is not 0. */
async function stop(s: Started): Promise<number | null> {
  const exited = new Promise<string>((resolve) => s.child.once('exit', (code, signal) => resolve(`${code}/${signal}`)));
  s.child.kill('SIGINT');
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
