import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

// The SDK as an integrator gets it: `npm pack`, installed into an empty project outside the repository.
const run = promisify(execFile);
const PACKAGE = fileURLToPath(new URL('..', import.meta.url));
const REPO = path.resolve(PACKAGE, '../..');
let project: string;

before(async () => {
  project = await fs.mkdtemp(path.join(os.tmpdir(), 'dci-client-pack-'));
  await run('npm', ['run', 'build'], { cwd: PACKAGE, timeout: 240_000 });
  const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', project], { cwd: PACKAGE, timeout: 60_000 });
  const [{ filename }] = JSON.parse(stdout) as [{ filename: string }];
  await fs.writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'integrator', private: true, type: 'module' }));
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', `./${filename}`], { cwd: project, timeout: 240_000 });
});
after(() => fs.rm(project, { recursive: true, force: true }));

test('the packed tarball holds built JS and .d.ts, and nothing of the unpublished workspace packages', async () => {
  const installed = path.join(project, 'node_modules/@dci-server/client');
  const files = await fs.readdir(path.join(installed, 'dist'));
  assert.ok(files.includes('index.js') && files.includes('index.d.ts'), files.join(', '));
  for (const file of ['index.js', 'index.d.ts']) assert.doesNotMatch(await fs.readFile(path.join(installed, 'dist', file), 'utf8'), /@dci-server\/(dci|db)/, file);
});

test('installed alone, it imports, signs an envelope and answers a bad callback from the bundled error catalogue', async () => {
  const script = `
    import { generateKeyPairSync } from 'node:crypto';
    import { DciClient, DciReceiver } from '@dci-server/client';
    const { privateKey } = generateKeyPairSync('ed25519');
    const client = new DciClient({ baseUrl: 'http://127.0.0.1:9', senderId: 'acme', auth: { clientId: 'acme-1', clientSecret: 's' }, signingKey: { privateKey, kid: 'k1' }, scheme: 'jws' });
    const envelope = await client.sign('search', { transaction_id: 't', search_request: [] }, 0);
    const answer = await new DciReceiver({ jwksUrl: 'http://127.0.0.1:9/jwks', onMessage() {} }).receive('{');
    console.log(JSON.stringify({ jws: envelope.signature.split('.').length, status: answer.status, code: answer.body.errors[0].code }));`;
  await fs.writeFile(path.join(project, 'use.mjs'), script);
  const { stdout } = await run(process.execPath, ['use.mjs'], { cwd: project, timeout: 30_000 });
  assert.deepEqual(JSON.parse(stdout), { jws: 3, status: 400, code: 'err.request.bad' });
});

test('its types check in a TypeScript project that has only the tarball', async () => {
  const source = `
    import { DciClient, type DciAnswer, type SearchResponse } from '@dci-server/client';
    declare const client: DciClient;
    const answer: DciAnswer<SearchResponse> = await client.search({ query_type: 'idtype-value', query: { type: 'UIN', value: '1' } });
    const status: 'rcvd' | 'pdng' | 'succ' | 'rjct' | undefined = answer.message.search_response[0]?.status;
    // @ts-expect-error query_type is checked
    await client.search({ query_type: 'sql', query: {} });
    export { status };`;
  await fs.writeFile(path.join(project, 'use.ts'), source);
  const tsc = path.join(REPO, 'node_modules/typescript/bin/tsc');
  const args = ['--noEmit', '--strict', '--skipLibCheck', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--typeRoots', path.join(REPO, 'node_modules/@types'), '--types', 'node', 'use.ts'];
  const result = await run(process.execPath, [tsc, ...args], { cwd: project, timeout: 60_000 }).catch((error: { stdout: string }) => ({ stdout: error.stdout, failed: true }));
  assert.ok(!('failed' in result), result.stdout);
});
