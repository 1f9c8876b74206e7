import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { createTestSender, DciTestClient, searchItem, type Reply } from '../testing/dci-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

const CLI = fileURLToPath(new URL('../cli.ts', import.meta.url));
let server: TestServer;

before(async () => {
  server = await startTestServer({ RATE_LIMIT_PER_MINUTE: '3' });
});
after(() => server.close());

/** The CLI as operators run it, on the test server's database. */
function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, DATABASE_URL: server.ctx.db.url, DEMO_DATA: 'false', LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '3' };
  return new Promise((resolve) => execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { env }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr })));
}

/** Seven searches: they span at most two one-minute windows, so one window sees at least four. */
async function sevenSearches(client: DciTestClient): Promise<Reply[]> {
  const replies: Reply[] = [];
  for (let i = 0; i < 7; i++) {
    const message = { transaction_id: `t-${randomUUID()}`, search_request: [searchItem('r', { query_type: 'idtype-value', query: { type: 'UIN', value: 'none' } })] };
    replies.push(await client.send('/registry/sync/search', 'search', message, 'search_request'));
  }
  return replies;
}

function assertLimited(replies: Reply[], perMinute: number): void {
  const refused = replies.filter((r) => r.status === 429);
  assert.ok(refused.length >= 7 - 2 * perMinute, replies.map((r) => r.status).join(','));
  assert.ok(replies.every((r) => r.status === 200 || r.status === 429), replies.map((r) => r.status).join(','));
  assert.equal(refused[0]!.body.errors[0].code, 'err.rate_limited');
  assert.match(refused[0]!.body.errors[0].message, new RegExp(`may send ${perMinute} requests per minute`));
  assert.ok(Number(refused[0]!.headers.get('retry-after')) >= 1);
}

test('a sender without a limit of its own gets the default (RATE_LIMIT_PER_MINUTE): 429 err.rate_limited with Retry-After', async () => {
  assertLimited(await sevenSearches(new DciTestClient(server.baseUrl, await createTestSender(server.ctx))), 3);
});

test('senders rate-limit sets, lifts and resets a per-sender limit, which then applies', async () => {
  const strict = await createTestSender(server.ctx);
  const free = await createTestSender(server.ctx);
  const [set, lifted, unknown, zero] = await Promise.all([
    cli('senders', 'rate-limit', strict.senderId, '--per-minute', '1'),
    cli('senders', 'rate-limit', free.senderId, '--unlimited'),
    cli('senders', 'rate-limit', 'no-such-sender', '--per-minute', '5'),
    cli('senders', 'rate-limit', strict.senderId, '--per-minute', '0'),
  ]);
  assert.equal(set.code, 0, set.stderr);
  assert.equal(set.stdout.trim(), `sender ${strict.senderId}: at most 1 request per minute (set for this sender)`);
  assert.equal(lifted.stdout.trim(), `sender ${free.senderId}: no rate limit (set for this sender)`);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /^error: no sender no-such-sender$/m);
  assert.equal(zero.code, 1);
  assert.match(zero.stderr, /at least 1 \(use --unlimited for none\)/);

  assertLimited(await sevenSearches(new DciTestClient(server.baseUrl, strict)), 1);
  assert.deepEqual([...new Set((await sevenSearches(new DciTestClient(server.baseUrl, free))).map((r) => r.status))], [200]);

  const reset = await cli('senders', 'rate-limit', free.senderId, '--default');
  assert.equal(reset.stdout.trim(), `sender ${free.senderId}: at most 3 requests per minute (the default, RATE_LIMIT_PER_MINUTE)`);
});
