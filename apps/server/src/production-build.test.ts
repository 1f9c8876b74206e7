import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { freePort } from '@dci-server/db';
import { DciTestClient, searchItem } from './testing/dci-client.js';
import { assertSignedByServer } from './testing/server-signature.js';

// `npm run build:server` compiles packages/dci, packages/db and apps/server to JavaScript; production
// runs that output with plain node (no tsx), our packages resolving to their dist through the
// `production` export condition. This builds it and runs it as production does.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BUILD_TIMEOUT_MS = 300_000;
let tmp: string;
let server: ChildProcess | undefined;
/** Where the embedded PostgreSQL kept its data: moved out of `tmp` when its user cannot enter the checkout. */
let pgDir: string | undefined;

before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'dci-prod-'));
  await fs.chmod(tmp, 0o755); // the embedded PostgreSQL's user (when we run as root) must enter it
});
after(async () => {
  if (server && server.exitCode === null && server.signalCode === null) {
    const exited = new Promise((resolve) => server!.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
  await fs.rm(tmp, { recursive: true, force: true });
  if (pgDir) await fs.rm(pgDir, { recursive: true, force: true });
  if (pgDir) await fs.rm(`${pgDir}.password`, { force: true });
});

/** Runs a command to its end (killed after `timeoutMs`); resolves to its exit code and output. */
function run(command: string, args: string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c) => (output += c));
  child.stderr!.on('data', (c) => (output += c));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) => child.once('exit', (code) => (clearTimeout(timer), resolve({ code, output }))));
}

test('npm run build:server compiles the server, worker and CLI; the compiled server answers a signed search with NODE_ENV=production', { timeout: BUILD_TIMEOUT_MS + 120_000 }, async () => {
  const build = await run('npm', ['run', '-s', 'build:server'], BUILD_TIMEOUT_MS);
  assert.equal(build.code, 0, build.output);
  for (const file of ['apps/server/dist/main.js', 'apps/server/dist/worker.js', 'apps/server/dist/cli.js', 'packages/dci/dist/index.js', 'packages/db/dist/index.js', 'packages/db/dist/index.d.ts']) {
    assert.ok(existsSync(path.join(ROOT, file)), `${file} is built`);
  }
  assert.ok(!existsSync(path.join(ROOT, 'apps/server/dist/main.test.js')), 'tests are not part of the build');

  // The code-first GraphQL schema (type-graphql decorators with explicit types, no emitted metadata) comes out the same compiled.
  const schema = await run(process.execPath, ['--conditions=production', '-e', "import('./apps/server/dist/graphql/schema.js').then((m) => process.stdout.write(m.printedSchema()))"], 60_000);
  assert.equal(schema.code, 0, schema.output);
  assert.equal(schema.output, await fs.readFile(path.join(ROOT, 'apps/server/schema.graphql'), 'utf8'));

  const cli = await run(process.execPath, ['--conditions=production', 'apps/server/dist/cli.js', '--help'], 60_000);
  assert.equal(cli.code, 0, cli.output);
  assert.match(cli.output, /migrate/);

  const port = await freePort();
  const dataDir = path.join(tmp, 'data');
  server = spawn(process.execPath, ['--conditions=production', path.join(ROOT, 'apps/server/dist/main.js')], {
    cwd: tmp,
    env: { ...process.env, NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: '', DEMO_DATA: 'true', DEMO_PERSONS: '50', LOG_LEVEL: 'warn', CI: 'true', NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  server.stdout!.on('data', (c) => (output += c));
  server.stderr!.on('data', (c) => (output += c));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not up in 90 s:\n${output}`)), 90_000);
    server!.stdout!.on('data', () => output.includes('DCI Server is up') && (clearTimeout(timer), resolve()));
    server!.once('exit', (code) => (clearTimeout(timer), reject(new Error(`exited with ${code}:\n${output}`))));
  });

  pgDir = /embedded, data in (\S+)\)/.exec(output)?.[1];
  const base = `http://127.0.0.1:${port}`;
  const ready = await fetch(`${base}/readyz`);
  assert.equal(ready.status, 200, await ready.clone().text());
  const credentials = JSON.parse(await fs.readFile(path.join(dataDir, 'demo', 'demo-client.credentials.json'), 'utf8'));
  const privateJwk = JSON.parse(await fs.readFile(path.join(dataDir, 'demo', 'demo-client.key.jwk'), 'utf8'));
  const client = new DciTestClient(base, { senderId: credentials.sender_id, clientId: credentials.client_id, clientSecret: credentials.client_secret, kid: credentials.key_id, privateJwk });
  const reply = await client.send('/registry/sync/search', 'search', { transaction_id: 'txn-prod-build', search_request: [searchItem('r1', { reg_record_type: 'Person', query_type: 'idtype-value', query: { type: 'UIN', value: '0000000000' } })] }, 'search_request');
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  assert.equal(reply.body.message.search_response[0].status, 'succ', JSON.stringify(reply.body));
  await assertSignedByServer(base, reply.body);
  const graphql = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
  assert.deepEqual(await graphql.json(), { data: { __typename: 'Query' } });

  const exited = new Promise<number | null>((resolve) => server!.once('exit', resolve));
  server.kill('SIGTERM');
  assert.equal(await exited, 0, output);
});
