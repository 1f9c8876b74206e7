import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createPublicKey, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { verifyEnvelope } from '@dci-server/dci';
import { demoHousehold } from '../registry/demo-generator.js';
import { seedDemoRegistry } from '../registry/seed.js';
import { ensureDemoSender } from '../senders/demo-sender.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

// `npm run cli -- call …` and `npm run demo:search` as a newcomer runs them, against a running server, as the demo sender.
const CLI = fileURLToPath(new URL('../cli.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
let server: TestServer;
let dataDir: string;
let env: NodeJS.ProcessEnv;
const head = demoHousehold(0).members[0]!;

before(async () => {
  server = await startTestServer({}, { worker: true });
  await seedDemoRegistry(server.ctx.db.pool, 20);
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'dci-call-'));
  await ensureDemoSender(server.ctx.db.orm.em.fork(), dataDir, server.baseUrl);
  env = { ...process.env, DATA_DIR: dataDir, DATABASE_URL: server.ctx.config.databaseUrl, MASTER_KEY: randomBytes(32).toString('base64'), DEMO_DATA: 'false', LOG_LEVEL: 'warn' };
});
after(async () => {
  await server.close();
  await fs.rm(dataDir, { recursive: true, force: true });
});

function node(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return nodeWithInput('', ...args);
}

function nodeWithInput(input: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['--import', 'tsx', ...args], { env, cwd: REPO, timeout: 60_000 }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
    child.stdin?.end(input);
  });
}

/** The JSON document after a `--- title ---` line. */
function section(stdout: string, title: RegExp): Record<string, any> { // eslint-disable-line @typescript-eslint/no-explicit-any -- printed JSON
  const parts = stdout.split(/^--- .* ---$/m);
  const titles = stdout.match(/^--- .* ---$/gm) ?? [];
  const index = titles.findIndex((t) => title.test(t));
  assert.ok(index >= 0, `no section ${title} in:\n${stdout}`);
  return JSON.parse(parts[index + 1]!);
}

test('call search prints the signed request and the answer, verified', async () => {
  const run = await node(CLI, 'call', 'search', 'UIN', head.uin);
  assert.equal(run.code, 0, run.stderr);
  const request = section(run.stdout, /request/);
  assert.equal(request.header.sender_id, 'demo-client');
  assert.match(request.signature, /^namespace="dci"/);
  assert.match(run.stdout, /--- response \(signature valid: key srv-\S+, dci-signature\) ---/);
  const response = section(run.stdout, /response/);
  assert.equal(response.message.search_response[0].data.reg_records[0].name.given_name, head.givenName);
  // The printed answer is the server's signed envelope, as received.
  const jwks = (await (await fetch(`${server.baseUrl}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
  const check = await verifyEnvelope(response as never, (kid) => createPublicKey({ key: jwks.keys.find((k) => k.kid === kid) as never, format: 'jwk' }));
  assert.ok(check.ok);
});

test('call verify and call txn-status, in JWS, as one JSON document with --json', async () => {
  const verified = await node(CLI, 'call', 'verify', 'UIN', head.uin, '--claim', `given_name=${head.givenName}`, '--claim', `is_alive=${head.deathDate === undefined}`, '--scheme', 'jws', '--json');
  assert.equal(verified.code, 0, verified.stderr);
  const doc = JSON.parse(verified.stdout) as { request: { signature: string; message: { transaction_id: string } }; response: { message: { verify_response: { data: { claims: unknown } }[] } }; signedBy: { kid: string } };
  assert.match(doc.request.signature, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  assert.deepEqual(doc.response.message.verify_response[0]!.data.claims, { given_name: true, is_alive: true });

  const searched = JSON.parse((await node(CLI, 'call', 'search', 'UIN', head.uin, '--json')).stdout) as { request: { message: { transaction_id: string } } };
  const status = await node(CLI, 'call', 'txn-status', searched.request.message.transaction_id, '--json');
  assert.equal(status.code, 0, status.stderr);
  const answer = JSON.parse(status.stdout) as { response: { header: { action: string }; message: { txnstatus_response: { txn_status: { search_response: { status: string }[] } } } } };
  assert.equal(answer.response.header.action, 'txn-on-status');
  assert.equal(answer.response.message.txnstatus_response.txn_status.search_response[0]!.status, 'succ');
});

test('call failures are one line: bad claim, refused request, server not running', async () => {
  const badClaim = await node(CLI, 'call', 'verify', 'UIN', head.uin, '--claim', 'is_alive=maybe');
  assert.equal(badClaim.code, 1);
  assert.match(badClaim.stderr, /^error: --claim is_alive takes true or false$/m);

  const credentials = JSON.parse(await fs.readFile(path.join(dataDir, 'demo/demo-client.credentials.json'), 'utf8')) as Record<string, string>;
  const wrong = path.join(dataDir, 'wrong.credentials.json');
  await fs.writeFile(wrong, JSON.stringify({ ...credentials, client_secret: 'wrong' }));
  const refused = await node(CLI, 'call', 'search', 'UIN', head.uin, '--credentials', wrong);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /^error: token request failed \(HTTP 401\): invalid_client/m);

  const closed = net.createServer().listen(0, '127.0.0.1');
  await once(closed, 'listening');
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve)); // nothing listens there now
  const away = path.join(dataDir, 'away.credentials.json');
  await fs.writeFile(away, JSON.stringify({ ...credentials, base_url: `http://127.0.0.1:${port}`, token_url: `http://127.0.0.1:${port}/oauth2/client/token` }));
  const unreachable = await node(CLI, 'call', 'search', 'UIN', head.uin, '--credentials', away);
  assert.equal(unreachable.code, 1);
  assert.match(unreachable.stderr, /^error: cannot reach http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED \(is the server running\?\)$/m);
  for (const run of [badClaim, refused, unreachable]) assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
});

test('npm run demo:search (scripts/demo-call.ts) and examples/sdk-search.ts get verified answers through the SDK', async () => {
  const demo = await node('scripts/demo-call.ts', 'UIN', head.uin);
  assert.equal(demo.code, 0, demo.stderr);
  assert.match(demo.stdout, /--- response signature: valid \(key srv-\S+, dci-signature\) ---/);
  assert.equal(section(demo.stdout, /response ---/).message.search_response[0].data.reg_records[0].name.given_name, head.givenName);

  const example = await node('examples/sdk-search.ts', demoHousehold(0).location);
  assert.equal(example.code, 0, example.stderr);
  assert.match(example.stdout, /^page 1: \d+ of \d+ households in /m);
  assert.match(example.stdout, /^async search \S+: ACK$/m);
  assert.match(example.stdout, /^callback on-search \(signature checked, key srv-\S+\): \d+ households$/m);
});

test("sign, then POST with a token as the README's curl recipe does (demo key by default; stdin with --credentials)", async () => {
  const credentials = JSON.parse(await fs.readFile(path.join(dataDir, 'demo/demo-client.credentials.json'), 'utf8')) as Record<string, string>;
  const tokenReply = await fetch(credentials.token_url!, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: credentials.client_id!, client_secret: credentials.client_secret! }) });
  const { access_token: token } = (await tokenReply.json()) as { access_token: string };
  const message = await fs.readFile(path.join(REPO, 'examples/search-uin.json'), 'utf8');
  const signed = [
    await node(CLI, 'sign', 'examples/search-uin.json'),
    await nodeWithInput(message, CLI, 'sign', '-', '--credentials', path.join(dataDir, 'demo/demo-client.credentials.json'), '--key', path.join(dataDir, 'demo/demo-client.key.jwk'), '--scheme', 'jws'),
  ];
  for (const run of signed) {
    assert.equal(run.code, 0, run.stderr);
    const body = JSON.parse(run.stdout) as { header: { sender_id: string } };
    assert.equal(body.header.sender_id, 'demo-client');
    const res = await fetch(`${credentials.base_url}/registry/sync/search`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: run.stdout });
    const answer = (await res.json()) as { header: { action: string }; message: { search_response: { status: string }[] } };
    assert.equal(res.status, 200, JSON.stringify(answer));
    assert.deepEqual([answer.header.action, answer.message.search_response[0]!.status], ['on-search', 'succ']);
  }
});
