import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { ensureDatabase, openOrm, TEST_SERVER_ENV, withDatabase } from '@dci-server/db';
import type { AppContext } from '../context.js';
import { taskList } from '../jobs/tasks.js';
import { createTestContext } from '../testing/test-server.js';
import { recordTransaction } from './audit.js';
import { dropExpiredTransactionPartitions, ensureTransactionPartitions, MONTHS_AHEAD } from './partitions.js';
import { listTransactions } from './transaction-log.js';

let ctx: AppContext;
before(async () => {
  ctx = await createTestContext();
});
after(() => ctx.db.close());

const DAY = 86_400_000;
const monthName = (date: Date) => `dci_transaction_p${date.toISOString().slice(0, 4)}${date.toISOString().slice(5, 7)}`;
const monthsFrom = (date: Date, months: number) => new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, 1));

async function partitions(): Promise<string[]> {
  const { rows } = await ctx.db.pool.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'dci_transaction'::regclass ORDER BY 1`,
  );
  return rows.map((r) => r.name);
}

/** An audit row written at `createdAt` (the application always writes now(); tests back-date). */
async function auditRowAt(createdAt: Date, senderId: string): Promise<string> {
  const { rows } = await ctx.db.pool.query<{ id: string }>(
    `INSERT INTO dci_transaction (sender_id, operation, endpoint, http_status, dci_status, duration_ms, created_at)
     VALUES ($1, 'search', '/registry/sync/search', 200, 'succ', 1, $2) RETURNING id`,
    [senderId, createdAt],
  );
  return rows[0]!.id;
}

test('the audit log is partitioned by month, with this month and the next ones ready', async () => {
  const { rows } = await ctx.db.pool.query<{ relkind: string }>(`SELECT relkind FROM pg_class WHERE oid = 'dci_transaction'::regclass`);
  assert.equal(rows[0]!.relkind, 'p');
  const now = new Date();
  const names = await partitions();
  for (let m = 0; m <= MONTHS_AHEAD; m++) assert.ok(names.includes(monthName(monthsFrom(now, m))), `${monthName(monthsFrom(now, m))} in ${names}`);
  // Written by the application as ever; it lands in this month's partition.
  const id = await recordTransaction(ctx.db.pool, { correlationId: randomBytes(8).toString('hex'), operation: 'search', endpoint: '/registry/sync/search', request: {}, response: {}, httpStatus: 200, dciStatus: 'succ', durationMs: 1 });
  const found = await ctx.db.pool.query<{ partition: string }>(`SELECT tableoid::regclass::text AS partition FROM dci_transaction WHERE id = $1`, [id]);
  assert.equal(found.rows[0]!.partition, monthName(now));
});

test('ensuring partitions creates only the missing months, and concurrent calls agree', async () => {
  const start = monthsFrom(new Date(), -6);
  const [first, second] = await Promise.all([ensureTransactionPartitions(ctx.db.pool, start), ensureTransactionPartitions(ctx.db.pool, start)]);
  const created = [...first!, ...second!].sort();
  assert.ok(created.includes(monthName(start)), `${monthName(start)} created: ${created}`);
  assert.equal(new Set(created).size, created.length, 'each month created once');
  assert.deepEqual(await ensureTransactionPartitions(ctx.db.pool, start), [], 'nothing left to create');
  const names = await partitions();
  for (let m = -6; m <= -6 + MONTHS_AHEAD; m++) assert.ok(names.includes(monthName(monthsFrom(new Date(), m))));
});

test('records across months: keyset pages walk them newest first; the append-only rule holds in every partition', async () => {
  const now = new Date();
  await ensureTransactionPartitions(ctx.db.pool, new Date(now.getTime() - 70 * DAY));
  const senderId = 'across-months';
  const ids = [];
  for (const daysAgo of [65, 35, 3, 0]) ids.push(await auditRowAt(new Date(now.getTime() - daysAgo * DAY), senderId));
  const seen: string[] = [];
  let after: string | undefined;
  for (let page = 0; page < 10; page++) {
    const result = await listTransactions(ctx.db.pool, { senderId }, { first: 1, ...(after ? { after } : {}) });
    seen.push(...result.rows.map((r) => r.id));
    if (!result.hasNextPage) break;
    after = result.rows.at(-1)?.cursor;
  }
  assert.deepEqual(seen, [...ids].reverse());
  await assert.rejects(ctx.db.pool.query(`UPDATE dci_transaction SET http_status = 500 WHERE id = $1`, [ids[0]]), /append-only/);
  await assert.rejects(ctx.db.pool.query(`DELETE FROM dci_transaction WHERE id = $1`, [ids[0]]), /append-only/);
});

test('retention drops the months that ended more than AUDIT_RETENTION_DAYS ago: older rows gone, newer kept', async () => {
  const now = new Date();
  await ensureTransactionPartitions(ctx.db.pool, new Date(now.getTime() - 120 * DAY));
  const senderId = 'retention';
  const old = await auditRowAt(new Date(now.getTime() - 100 * DAY), senderId);
  const recent = await auditRowAt(new Date(now.getTime() - 20 * DAY), senderId);
  const current = await auditRowAt(now, senderId);
  const oldMonth = monthName(new Date(now.getTime() - 100 * DAY));

  const dropped = await dropExpiredTransactionPartitions(ctx.db.pool, 30, now);
  assert.ok(dropped.includes(oldMonth), `${oldMonth} dropped: ${dropped}`);
  const cutoff = now.getTime() - 30 * DAY;
  for (const name of dropped) assert.ok(monthsFrom(new Date(`${name.slice(17, 21)}-${name.slice(21)}-01T00:00:00Z`), 1).getTime() <= cutoff, `${name} ended before the cutoff`);
  const { rows } = await ctx.db.pool.query<{ id: string }>(`SELECT id FROM dci_transaction WHERE sender_id = $1`, [senderId]);
  assert.deepEqual(rows.map((r) => r.id).sort(), [recent, current].sort());
  assert.ok(!(await partitions()).includes(oldMonth));
  assert.ok(!rows.some((r) => r.id === old));
  assert.deepEqual(await dropExpiredTransactionPartitions(ctx.db.pool, 30, now), [], 'nothing more to drop');
});

test('the hourly job keeps partitions ahead and, without AUDIT_RETENTION_DAYS, drops nothing', async () => {
  const before = await partitions();
  const task = taskList(ctx)['maintain-audit-partitions'];
  assert.ok(task, 'the maintenance job is registered');
  await task({}, {} as never);
  const afterRun = await partitions();
  assert.deepEqual(afterRun.filter((p) => !before.includes(p)), [], 'already ahead: nothing created');
  assert.deepEqual(before.filter((p) => !afterRun.includes(p)), [], 'nothing dropped');
});

test('the migration converts an existing audit table and keeps its rows, indexes and triggers', async () => {
  const server = process.env[TEST_SERVER_ENV]!;
  const name = `migrate_${randomBytes(6).toString('hex')}`;
  await ensureDatabase(server, name);
  const orm = await openOrm(withDatabase(server, name), { logger: () => {} });
  try {
    const migrator = orm.getMigrator();
    await migrator.up({ to: 'Migration20261126160000_transaction_audit' });
    const db = orm.em.getConnection();
    await db.execute(
      `INSERT INTO dci_transaction (sender_id, operation, endpoint, http_status, dci_status, duration_ms, correlation_id, created_at)
       SELECT 'old-sender', 'search', '/registry/sync/search', 200, 'succ', 1, 'corr-' || i, now() - make_interval(days => i * 40) FROM generate_series(0, 4) AS i`,
    );
    const indexesBefore = await db.execute<{ indexname: string }[]>(`SELECT indexname FROM pg_indexes WHERE tablename = 'dci_transaction' ORDER BY 1`);
    await migrator.up();
    const count = await db.execute<{ n: number }[]>(`SELECT count(*)::int AS n FROM dci_transaction WHERE sender_id = 'old-sender'`);
    assert.equal(count[0]!.n, 5);
    const months = await db.execute<{ n: number }[]>(`SELECT count(DISTINCT tableoid)::int AS n FROM dci_transaction`);
    assert.equal(months[0]!.n, 5, 'one partition per month of data');
    const indexesAfter = (await db.execute<{ indexname: string }[]>(`SELECT indexname FROM pg_indexes WHERE tablename = 'dci_transaction' ORDER BY 1`)).map((r) => r.indexname);
    const expected = indexesBefore.map((r) => r.indexname).filter((n) => n !== 'dci_transaction_correlation_id_unique');
    for (const index of expected) assert.ok(indexesAfter.includes(index), `${index} kept: ${indexesAfter}`);
    assert.ok(indexesAfter.includes('dci_transaction_correlation_id_index'));
    const triggers = await db.execute<{ tgname: string }[]>(`SELECT tgname FROM pg_trigger WHERE tgrelid = 'dci_transaction'::regclass AND NOT tgisinternal ORDER BY 1`);
    assert.deepEqual(triggers.map((t) => t.tgname), ['dci_transaction_append_only', 'dci_transaction_no_delete']);
    await assert.rejects(db.execute(`DELETE FROM dci_transaction WHERE sender_id = 'old-sender'`), /append-only/);
  } finally {
    await orm.close(true);
  }
});
