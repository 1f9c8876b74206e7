import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { DciClient, DciRequestError, type DciClientOptions } from '@dci-server/client';
import { createTestSender, type TestSender } from '../testing/dci-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

// `npm run cli -- audit …` over a log written by real traffic (through the client SDK) plus rows a test adds for paging.
const CLI = fileURLToPath(new URL('../cli.ts', import.meta.url));
let server: TestServer;
let env: NodeJS.ProcessEnv;
let dir: string;
let sender: TestSender;
const transactionIds: string[] = [];

interface Row {
  id: string;
  senderId: string;
  operation: string;
  dciStatus: string;
  reasonCode: string | null;
  httpStatus: number;
  transactionId: string | null;
}

before(async () => {
  server = await startTestServer();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dci-audit-cli-'));
  env = { ...process.env, DATABASE_URL: server.ctx.config.databaseUrl, MASTER_KEY: randomBytes(32).toString('base64'), DEMO_DATA: 'false', LOG_LEVEL: 'warn' };
  sender = await createTestSender(server.ctx);
  const options: DciClientOptions = { baseUrl: server.baseUrl, senderId: sender.senderId, auth: { clientId: sender.clientId, clientSecret: sender.clientSecret }, signingKey: { privateKey: sender.privateJwk, kid: sender.kid } };
  const client = new DciClient(options);
  for (let i = 0; i < 2; i++) transactionIds.push((await client.search({ query_type: 'idtype-value', query: { type: 'UIN', value: `0${i}` } })).message.transaction_id);
  await client.verify({ identifier: { type: 'UIN', value: '01' }, claims: { is_alive: true } });
  const forger = new DciClient({ ...options, signingKey: { privateKey: generateKeyPairSync('ed25519').privateKey, kid: sender.kid } });
  await assert.rejects(forger.search({ query_type: 'idtype-value', query: { type: 'UIN', value: '9' } }), DciRequestError);
  // Five records of another sender, a minute apart, to page through.
  await server.ctx.db.pool.query(
    `INSERT INTO dci_transaction (sender_id, operation, endpoint, http_status, dci_status, duration_ms, transaction_id, created_at)
     SELECT 'paged', 'search', '/registry/sync/search', 200, 'succ', 2, 'paged-' || i, now() - make_interval(mins => i) FROM generate_series(1, 5) AS i`,
  );
});
after(async () => {
  await server.close();
  await fs.rm(dir, { recursive: true, force: true });
});

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { env, timeout: 60_000 }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
  });
}

async function listJson(...args: string[]): Promise<Row[]> {
  const run = await cli('audit', 'list', '--json', ...args);
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as Row[];
}

test('audit list filters like the console: sender, operation, status, reason code, time range, ids', async () => {
  const mine = await listJson('--sender', sender.senderId);
  assert.deepEqual(mine.map((r) => r.operation), ['search', 'verify', 'search', 'search'], 'newest first');
  const [refused, searches, verifies, byReason, byTransaction, byAnyId, inRange, beforeAll] = await Promise.all([
    listJson('--sender', sender.senderId, '--status', 'rjct'),
    listJson('--sender', sender.senderId, '--operation', 'search', '--status', 'succ'),
    listJson('--operation', 'verify'),
    listJson('--reason', 'err.signature.invalid', '--http-status', '401'),
    listJson('--transaction-id', transactionIds[0]!),
    listJson('--id', transactionIds[1]!),
    listJson('--sender', 'paged', '--from', new Date(Date.now() - 3.5 * 60_000).toISOString(), '--to', new Date(Date.now() - 1.5 * 60_000).toISOString()),
    listJson('--to', '2000-01-01'),
  ]);
  assert.deepEqual(refused.map((r) => [r.httpStatus, r.reasonCode]), [[401, 'err.signature.invalid']]);
  assert.equal(searches.length, 2);
  assert.equal(verifies.length, 1);
  assert.deepEqual(byReason.map((r) => r.id), refused.map((r) => r.id));
  assert.deepEqual(byTransaction.map((r) => r.transactionId), [transactionIds[0]]);
  assert.deepEqual(byAnyId.map((r) => r.transactionId), [transactionIds[1]]);
  assert.deepEqual(inRange.map((r) => r.transactionId), ['paged-2', 'paged-3']);
  assert.deepEqual(beforeAll, []);

  const table = await cli('audit', 'list', '--sender', sender.senderId, '--status', 'rjct');
  assert.match(table.stdout, /^time\s+sender\s+operation\s+http\s+status\s+reason\s+ms\s+transaction\s+id$/m);
  assert.match(table.stdout, new RegExp(`^\\S+Z\\s+${sender.senderId}\\s+search\\s+401\\s+rjct\\s+err\\.signature\\.invalid\\s`, 'm'));
});

test('audit list pages by keyset: the next cursor on stderr, each record once', async () => {
  const seen: string[] = [];
  let after: string[] = [];
  for (let page = 0; page < 5; page++) {
    const run = await cli('audit', 'list', '--sender', 'paged', '--limit', '2', '--json', ...after);
    assert.equal(run.code, 0, run.stderr);
    seen.push(...(JSON.parse(run.stdout) as Row[]).map((r) => r.transactionId!));
    const next = /^more: --after (\S+)$/m.exec(run.stderr)?.[1];
    if (!next) break;
    after = ['--after', next];
  }
  assert.deepEqual(seen, ['paged-1', 'paged-2', 'paged-3', 'paged-4', 'paged-5']);
  const bad = await cli('audit', 'list', '--after', 'garbage');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^error: --after: not a cursor from this list$/m);
});

test('audit show prints one record with its bodies, by record id or by another id', async () => {
  const [record] = await listJson('--transaction-id', transactionIds[0]!);
  const shown = await cli('audit', 'show', record!.id);
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, new RegExp(`^transactionId:\\s+${transactionIds[0]}$`, 'm'));
  assert.match(shown.stdout, /^--- request ---$/m);
  assert.match(shown.stdout, /^--- response ---$/m);
  const byTransaction = await cli('audit', 'show', transactionIds[0]!, '--json');
  const json = JSON.parse(byTransaction.stdout) as { id: string; request: { header: { sender_id: string } }; response: { header: { action: string } } };
  assert.deepEqual([json.id, json.request.header.sender_id, json.response.header.action], [record!.id, sender.senderId, 'on-search']);
  const missing = await cli('audit', 'show', 'no-such-id');
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^error: no audit record for no-such-id$/m);
});

test('audit export streams CSV or NDJSON, to stdout or a new file', async () => {
  const ndjson = await cli('audit', 'export', '--format', 'ndjson', '--sender', sender.senderId);
  assert.equal(ndjson.code, 0, ndjson.stderr);
  const lines = ndjson.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Row & { request?: unknown });
  assert.deepEqual(lines.map((l) => l.operation), ['search', 'verify', 'search', 'search']);
  assert.ok(lines.every((l) => l.request === undefined), 'metadata only, no bodies');

  const file = path.join(dir, 'paged.csv');
  const written = await cli('audit', 'export', '--sender', 'paged', '--status', 'succ', '--output', file);
  assert.equal(written.code, 0, written.stderr);
  const csv = (await fs.readFile(file, 'utf8')).trimEnd().split('\r\n');
  assert.match(csv[0]!, /^id,createdAt,senderId,operation,/);
  assert.deepEqual(csv.slice(1).map((line) => /paged-\d/.exec(line)?.[0]), ['paged-1', 'paged-2', 'paged-3', 'paged-4', 'paged-5']);
  const again = await cli('audit', 'export', '--output', file);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /exists already/);
});
