import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { createTestSender, DciTestClient, searchItem } from '../testing/dci-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { recordTransaction } from './audit.js';
import { sealAll, sealAuditChain, verifyAuditChain } from './audit-chain.js';

let server: TestServer;
before(async () => {
  server = await startTestServer({}, { worker: true });
});
after(() => server.close());

const pool = () => server.ctx.db.pool;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An edit made the way an attacker with database access would: triggers off for this statement's session. */
async function asAttacker(sql: string, values: unknown[]): Promise<void> {
  const client = await pool().connect();
  try {
    await client.query('SET session_replication_role = replica');
    await client.query(sql, values);
  } finally {
    await client.query('RESET session_replication_role').catch(() => {});
    client.release();
  }
}

const CLI = fileURLToPath(new URL('../cli.ts', import.meta.url));
function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, DATABASE_URL: server.ctx.config.databaseUrl, DEMO_DATA: 'false', LOG_LEVEL: 'warn' };
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { env }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
  });
}

test('the worker seals real DCI requests onto the chain within seconds', async () => {
  const client = new DciTestClient(server.baseUrl, await createTestSender(server.ctx));
  for (let i = 0; i < 3; i++) {
    const reply = await client.send('/registry/sync/search', 'search', { transaction_id: randomUUID(), search_request: [searchItem('r1', { query_type: 'idtype-value', query: { type: 'UIN', value: String(i) } })] }, 'search_request');
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
  }
  let report = await verifyAuditChain(pool());
  for (let i = 0; i < 100 && report.unsealed > 0; i++) {
    await sleep(100);
    report = await verifyAuditChain(pool());
  }
  assert.equal(report.unsealed, 0, 'the worker sealed every row');
  assert.equal(report.ok, true);
  assert.ok(report.verified >= 3);
  assert.equal(report.firstSeq, '1');
});

test('concurrent writers and racing sealers still give one unbroken chain in sealing order', async () => {
  const before = (await verifyAuditChain(pool())).verified;
  const writes = Array.from({ length: 300 }, (_, i) =>
    recordTransaction(pool(), { correlationId: randomUUID(), operation: 'search', endpoint: '/registry/sync/search', request: { i }, response: { ok: i }, httpStatus: 200, dciStatus: 'succ', durationMs: 1 }),
  );
  const sealers = Array.from({ length: 6 }, () => sleep(Math.random() * 50).then(() => sealAuditChain(pool(), 40)));
  await Promise.all([...writes, ...sealers]);
  await sealAll(pool());
  const report = await verifyAuditChain(pool(), { pageSize: 97 }); // pages that do not divide the count
  assert.equal(report.ok, true, JSON.stringify(report.firstBreak));
  assert.equal(report.unsealed, 0);
  assert.equal(report.verified, before + 300);
  const { rows } = await pool().query<{ n: number; distinct_seqs: number; max: string }>(
    'SELECT count(*)::int AS n, count(DISTINCT chain_seq)::int AS distinct_seqs, max(chain_seq) AS max FROM dci_transaction',
  );
  assert.equal(rows[0]!.distinct_seqs, rows[0]!.n, 'every row has its own sequence number');
  assert.equal(rows[0]!.max, String(rows[0]!.n), 'no gaps');
});

test('sealed rows cannot be changed through normal SQL: neither what the hash covers nor the seal', async () => {
  const { rows } = await pool().query<{ id: string }>('SELECT id FROM dci_transaction WHERE chain_seq = 2');
  const id = rows[0]!.id;
  await assert.rejects(pool().query("UPDATE dci_transaction SET chain_hash = repeat('0', 64) WHERE id = $1", [id]), /already sealed/);
  await assert.rejects(pool().query("UPDATE dci_transaction SET dci_status = 'rjct' WHERE id = $1", [id]), /append-only/);
  await assert.rejects(pool().query('UPDATE dci_transaction SET duration_ms = 0 WHERE id = $1', [id]), /append-only/);
  // Async progress stays writable.
  await pool().query('UPDATE dci_transaction SET completed_count = completed_count WHERE id = $1', [id]);
});

test('a row edited directly in the database is caught: audit verify names the first broken link', async () => {
  const clean = await cli('audit', 'verify');
  assert.equal(clean.code, 0, clean.stderr);
  const head = /^head: (\d+:[0-9a-f]{64})/m.exec(clean.stdout)?.[1];
  assert.ok(head, clean.stdout);

  const { rows } = await pool().query<{ id: string; http_status: number }>('SELECT id, http_status FROM dci_transaction WHERE chain_seq = 5');
  const { id, http_status: status } = rows[0]!;
  await asAttacker('UPDATE dci_transaction SET http_status = 500 WHERE id = $1', [id]);
  const broken = await cli('audit', 'verify', '--json');
  assert.equal(broken.code, 1);
  const report = JSON.parse(broken.stdout) as { ok: boolean; firstBreak: { seq: string; id: string; reason: string }; verified: number };
  assert.equal(report.ok, false);
  assert.deepEqual(report.firstBreak, { seq: '5', id, reason: 'its content was changed after it was sealed' });
  assert.equal(report.verified, 4);

  // Recomputing that row's hash moves the break to the next link.
  const forged = await pool().query<{ chain_hash: string }>('SELECT chain_hash FROM dci_transaction WHERE id = $1', [id]);
  await asAttacker("UPDATE dci_transaction SET chain_hash = repeat('a', 64) WHERE id = $1", [id]);
  assert.equal((await verifyAuditChain(pool())).firstBreak?.seq, '5');
  await asAttacker('UPDATE dci_transaction SET http_status = $2, chain_hash = $3 WHERE id = $1', [id, status, forged.rows[0]!.chain_hash]);
  assert.equal((await verifyAuditChain(pool())).ok, true, 'restored, the chain holds again');

  // An anchor kept elsewhere catches a chain rewritten from some row on.
  const [seq] = head.split(':');
  await asAttacker("UPDATE dci_transaction SET chain_hash = repeat('b', 64) WHERE chain_seq = $1", [seq]);
  const rewritten = await cli('audit', 'verify', '--anchor', head);
  assert.equal(rewritten.code, 1);
  assert.match(rewritten.stdout, new RegExp(`^BROKEN at seq ${seq}`, 'm'));
});

test('a row deleted from the chain is reported as missing', async () => {
  await asAttacker('DELETE FROM dci_transaction WHERE chain_seq = 3', []);
  const report = await verifyAuditChain(pool());
  assert.equal(report.ok, false);
  assert.deepEqual(report.firstBreak, { seq: '3', id: null, reason: 'rows 3…3 are missing' });
});
