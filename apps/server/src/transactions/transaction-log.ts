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

function where(filter: TransactionFilter, params: unknown[]): string[] {
  const conditions: string[] = [];
  for (const [key, column] of EQUALS) {
    if (filter[key] === undefined || filter[key] === null) continue;
    params.push(filter[key]);
    conditions.push(`${column} = $${params.length}`);
  }
  if (filter.from) conditions.push(`created_at >= $${params.push(filter.from)}`);
  if (filter.to) conditions.push(`created_at < $${params.push(filter.to)}`);
  return conditions;
}

/** The DCI audit log, newest first, a page after `after`, with the number of rows matching the filter. */
export async function listTransactions(pool: pg.Pool, filter: TransactionFilter, page: { first: number; after?: string }): Promise<Page<TransactionRow>> {
  const params: unknown[] = [];
  const conditions = where(filter, params);
  const countSql = `SELECT count(*)::int AS n FROM dci_transaction ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}`;
  const countParams = [...params];
  if (page.after) {
    const [createdAt, id] = decodeCursor(page.after);
    params.push(createdAt, id);
    conditions.push(`(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
  }
  params.push(page.first + 1);
  const [rows, count] = await Promise.all([
    pool.query<TransactionRow & { position: string }>(
      `SELECT ${COLUMNS}, created_at::text AS position FROM dci_transaction ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}
       ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
      params,
    ),
    pool.query<{ n: number }>(countSql, countParams),
  ]);
  return toPage(rows.rows, page.first, count.rows[0]!.n);
}

/** One audit record with the request and response bodies as stored. */
export async function findTransaction(pool: pg.Pool, id: string): Promise<(TransactionRow & { request: unknown; response: unknown }) | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const { rows } = await pool.query<TransactionRow & { request: unknown; response: unknown }>(`SELECT ${COLUMNS}, request, response FROM dci_transaction WHERE id = $1`, [id]);
  return rows[0];
}
