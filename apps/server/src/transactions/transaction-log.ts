import type pg from 'pg';
import { decodeCursor, toPage, type Page } from '../pagination/keyset-cursor.js';

/** What staff filter the DCI audit log by; every field optional, all given ones must match. */
export interface TransactionFilter {
  senderId?: string;
  operation?: string;
  dciStatus?: string;
  reasonCode?: string;
  httpStatus?: number;
  from?: Date;
  to?: Date;
  transactionId?: string;
  messageId?: string;
  correlationId?: string;
  /** any one of the ids: the record's own, the transaction, message or correlation id */
  anyId?: string;
}

export interface TransactionRow {
  id: string;
  transactionId: string | null;
  messageId: string | null;
  correlationId: string | null;
  senderId: string | null;
  operation: string;
  endpoint: string;
  httpStatus: number;
  dciStatus: string;
  reasonCode: string | null;
  durationMs: number;
  clientAddress: string | null;
  createdAt: Date;
  asyncStatus: string | null;
  completedCount: number;
  totalCount: number | null;
  callbackStatus: string | null;
}

const COLUMNS = `id, transaction_id AS "transactionId", message_id AS "messageId", correlation_id AS "correlationId", sender_id AS "senderId",
  operation, endpoint, http_status AS "httpStatus", dci_status AS "dciStatus", reason_code AS "reasonCode", duration_ms AS "durationMs",
  client_address AS "clientAddress", created_at AS "createdAt", async_status AS "asyncStatus", completed_count AS "completedCount",
  total_count AS "totalCount", callback_status AS "callbackStatus"`;

const EQUALS: [keyof TransactionFilter, string][] = [
  ['senderId', 'sender_id'],
  ['operation', 'operation'],
  ['dciStatus', 'dci_status'],
  ['reasonCode', 'reason_code'],
  ['httpStatus', 'http_status'],
  ['transactionId', 'transaction_id'],
  ['messageId', 'message_id'],
  ['correlationId', 'correlation_id'],
];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The filter as a SQL WHERE clause ('' for none), its values appended to `params`: the one translation the list, count and export share. */
export function transactionWhere(filter: TransactionFilter, params: unknown[]): string {
  const conditions: string[] = [];
  for (const [key, column] of EQUALS) {
    if (filter[key] === undefined || filter[key] === null) continue;
    params.push(filter[key]);
    conditions.push(`${column} = $${params.length}`);
  }
  if (filter.from) conditions.push(`created_at >= $${params.push(filter.from)}`);
  if (filter.to) conditions.push(`created_at < $${params.push(filter.to)}`);
  if (filter.anyId) {
    const n = params.push(filter.anyId);
    const ids = [`transaction_id = $${n}`, `message_id = $${n}`, `correlation_id = $${n}`];
    if (UUID.test(filter.anyId)) ids.push(`id = $${n}::uuid`);
    conditions.push(`(${ids.join(' OR ')})`);
  }
  return conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
}

/**
 * The DCI audit log, newest first, a page after `after`. Keyset paging: a page costs the same at
 * row 10 as at row 1,000,000. Counting is separate (countTransactions) because it is not free.
 */
export async function listTransactions(pool: pg.Pool, filter: TransactionFilter, page: { first: number; after?: string }): Promise<Omit<Page<TransactionRow>, 'totalCount'>> {
  const params: unknown[] = [];
  let where = transactionWhere(filter, params);
  if (page.after) {
    const [createdAt, id] = decodeCursor(page.after);
    params.push(createdAt, id);
    where = `${where ? `${where} AND` : 'WHERE'} (created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`;
  }
  params.push(page.first + 1);
  const rows = await pool.query<TransactionRow & { position: string }>(
    `SELECT ${COLUMNS}, created_at::text AS position FROM dci_transaction ${where} ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
    params,
  );
  const { rows: pageRows, hasNextPage } = toPage(rows.rows, page.first, 0); // counted apart, only when asked
  return { rows: pageRows, hasNextPage };
}

/**
 * Rows matching the filter. An exact count reads every matching row (seconds on millions), so
 * with `atMost` counting stops there: the answer is then "atMost or more".
 */
export async function countTransactions(pool: pg.Pool, filter: TransactionFilter, atMost?: number): Promise<number> {
  const params: unknown[] = [];
  const where = transactionWhere(filter, params);
  const sql =
    atMost === undefined
      ? `SELECT count(*)::int AS n FROM dci_transaction ${where}`
      : `SELECT count(*)::int AS n FROM (SELECT 1 FROM dci_transaction ${where} LIMIT $${params.push(atMost)}) AS capped`;
  const { rows } = await pool.query<{ n: number }>(sql, params);
  return rows[0]!.n;
}

/**
 * Every row matching the filter, newest first, read through a server-side cursor `batchSize` rows
 * at a time: memory holds one batch, however many rows match. Stopping early (return/throw)
 * closes the cursor and gives the connection back.
 */
export async function* streamTransactions(pool: pg.Pool, filter: TransactionFilter, batchSize = 500): AsyncGenerator<TransactionRow[]> {
  const params: unknown[] = [];
  const where = transactionWhere(filter, params);
  const client = await pool.connect();
  let failed = false;
  try {
    await client.query('BEGIN READ ONLY');
    await client.query(`DECLARE audit_export NO SCROLL CURSOR FOR SELECT ${COLUMNS} FROM dci_transaction ${where} ORDER BY created_at DESC, id DESC`, params);
    for (;;) {
      const { rows } = await client.query<TransactionRow>(`FETCH ${batchSize} FROM audit_export`);
      if (rows.length === 0) break;
      yield rows;
      if (rows.length < batchSize) break;
    }
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    // Ending the transaction closes the cursor; a broken connection is not given back to the pool.
    await client.query('ROLLBACK').catch(() => (failed = true));
    client.release(failed);
  }
}

/** One audit record with the request and response bodies as stored. */
export async function findTransaction(pool: pg.Pool, id: string): Promise<(TransactionRow & { request: unknown; response: unknown }) | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const { rows } = await pool.query<TransactionRow & { request: unknown; response: unknown }>(`SELECT ${COLUMNS}, request, response FROM dci_transaction WHERE id = $1`, [id]);
  return rows[0];
}
