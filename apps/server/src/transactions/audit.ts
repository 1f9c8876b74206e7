import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import type pg from 'pg';
import { escapeInvalidCharacters } from '../invalid-text.js';
import { JsonText } from '../json-text.js';

export interface AuditEntry {
  transactionId?: string | null;
  messageId?: string | null;
  correlationId: string;
  senderId?: string | null;
  operation: string;
  endpoint: string;
  request: unknown;
  /** Hex SHA-256 of the request body as received (after Content-Encoding); null when none could be read. */
  requestSha256?: string | null;
  /** Our answer: a value, or its JSON text when already serialised. */
  response: unknown;
  httpStatus: number;
  dciStatus: string;
  reasonCode?: string | null;
  durationMs: number;
  clientAddress?: string | null;
  /** Async calls start `pending`; the job records its progress and callback outcome later. */
  asyncStatus?: string | null;
  totalCount?: number | null;
}

/** What runs our SQL: a pg pool or client, or a MikroORM transaction (see inOrmTransaction). */
export interface SqlClient {
  query<R extends pg.QueryResultRow>(sql: string, values: unknown[]): Promise<{ rows: R[] }>;
}

const MAX_STORED_BYTES = 64 * 1024;
const MAX_STORED_DEPTH = 100;
const MAX_STORED_ID = 200;
const SECRET_KEYS = /^(client_secret|password|access_token|refresh_token|private_key|d)$/i;
/** A string PostgreSQL can store (see escapeInvalidCharacters). */
export const storableText = escapeInvalidCharacters;

/** A JSON value jsonb can hold: unstorable characters escaped, nesting capped; secrets redacted if asked. */
function storableJson(value: unknown, redactSecrets: boolean, depth = 0): unknown {
  if (typeof value === 'string') return storableText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_STORED_DEPTH) return '[nested too deep]';
  if (Array.isArray(value)) return value.map((item) => storableJson(item, redactSecrets, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [storableText(key), redactSecrets && SECRET_KEYS.test(key) ? '[redacted]' : storableJson(item, redactSecrets, depth + 1)]),
  );
}

/** What we keep of a request: storable, secrets redacted, size capped (oversized bodies keep their head). */
export function auditableRequest(body: unknown): unknown {
  const stored = storableJson(body ?? null, true);
  const text = JSON.stringify(stored);
  if (text.length <= MAX_STORED_BYTES) return stored;
  // Cutting may split a surrogate pair: drop its orphaned first half.
  return { truncated: true, size: text.length, head: text.slice(0, MAX_STORED_BYTES).replace(/[\uD800-\uDBFF]$/, '') };
}

/** Our answer, kept whole (transaction status replays it); walked to escape only when its JSON shows an unstorable escape. */
function storableResponse(response: unknown): string {
  const text = response instanceof JsonText ? response.text : JSON.stringify(response ?? null);
  if (!/\\u0000|\\ud[89a-f]/i.test(text)) return text;
  return JSON.stringify(storableJson(response instanceof JsonText ? (JSON.parse(text) as unknown) : (response ?? null), false));
}

/** An id column: cut to MAX_STORED_ID (never between the halves of a pair), then made storable. */
function storableId(id: string | null | undefined): string | null {
  if (id == null) return null;
  return storableText(id.length > MAX_STORED_ID ? id.slice(0, MAX_STORED_ID).replace(/[\uD800-\uDBFF]$/, '') : id);
}

const AUDIT_COLUMNS = [
  'transaction_id', 'message_id', 'correlation_id', 'sender_id', 'operation', 'endpoint', 'request', 'request_sha256', 'response',
  'http_status', 'dci_status', 'reason_code', 'duration_ms', 'client_address', 'async_status', 'total_count',
] as const; // prettier-ignore
/** Columns whose value auditValues gives as JSON text. */
const JSON_COLUMNS = new Set<string>(['request', 'response']);

/** Writes the one audit record of a call (append-only; a trigger refuses later edits of these columns). */
export async function recordTransaction(db: SqlClient, entry: AuditEntry): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO dci_transaction (${AUDIT_COLUMNS.join(', ')}) VALUES (${AUDIT_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`,
    auditValues(entry),
  );
  return rows[0]!.id;
}

/**
 * Writes the audit records of several calls in one statement (one round trip, one commit), as
 * one JSON array PostgreSQL unpacks into rows; returns their ids in the order of `entries`.
 */
export async function recordTransactions(db: SqlClient, entries: readonly AuditEntry[]): Promise<string[]> {
  const rows = entries.map((entry) => {
    const values = auditValues(entry);
    return `{${AUDIT_COLUMNS.map((column, i) => `"${column}":${JSON_COLUMNS.has(column) ? values[i] : JSON.stringify(values[i])}`).join(',')}}`;
  });
  const columns = AUDIT_COLUMNS.join(', ');
  const { rows: written } = await db.query<{ id: string; correlation_id: string }>(
    `INSERT INTO dci_transaction (${columns}) SELECT ${columns} FROM json_populate_recordset(null::dci_transaction, $1::json) RETURNING id, correlation_id`,
    [`[${rows.join(',')}]`],
  );
  const ids = new Map(written.map((r) => [r.correlation_id, r.id]));
  return entries.map((entry) => ids.get(entry.correlationId)!);
}

/** The values of AUDIT_COLUMNS for `entry`, storable (request and response as JSON text). */
function auditValues(entry: AuditEntry): unknown[] {
  return [
    storableId(entry.transactionId),
    storableId(entry.messageId),
    entry.correlationId,
    entry.senderId ?? null,
    entry.operation,
    entry.endpoint,
    JSON.stringify(auditableRequest(entry.request)),
    entry.requestSha256 ?? null,
    storableResponse(entry.response),
    entry.httpStatus,
    entry.dciStatus,
    entry.reasonCode ?? null,
    Math.round(entry.durationMs),
    entry.clientAddress ?? null,
    entry.asyncStatus ?? null,
    entry.totalCount ?? null,
  ];
}

/** Our SQL run inside a MikroORM transaction, so that what it writes commits with the registry change made there. */
export function inOrmTransaction(em: EntityManager): SqlClient {
  const trx = em.getTransactionContext<Knex.Transaction>();
  if (!trx) throw new Error('inOrmTransaction needs an entity manager inside a transaction');
  return {
    // knex binds `?` in order; ours are `$n`.
    async query<R extends pg.QueryResultRow>(sql: string, values: unknown[]) {
      const ordered: unknown[] = [];
      const knexSql = sql.replace(/\$(\d+)/g, (_, n: string) => (ordered.push(values[Number(n) - 1]), '?'));
      return (await trx.raw(knexSql, ordered as Knex.RawBinding[])) as { rows: R[] };
    },
  };
}

/** Replay protection: true the first time (sender, message_id) is seen; the primary key decides. */
export async function claimMessageId(db: SqlClient, senderId: string, messageId: string): Promise<boolean> {
  const { rows } = await db.query('INSERT INTO message_receipt (sender_id, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1', [senderId, messageId]);
  return rows.length === 1;
}
