import type pg from 'pg';

export interface AuditEntry {
  transactionId?: string | null;
  messageId?: string | null;
  correlationId: string;
  senderId?: string | null;
  operation: string;
  endpoint: string;
  request: unknown;
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

const MAX_STORED_BYTES = 64 * 1024;
const SECRET_KEYS = /^(client_secret|password|access_token|refresh_token|private_key|d)$/i;

/** What we keep of a request: secrets redacted, size capped (oversized bodies keep their head). */
export function auditableRequest(body: unknown): unknown {
  const redacted = JSON.parse(JSON.stringify(body ?? null, (key, value: unknown) => (SECRET_KEYS.test(key) ? '[redacted]' : value))) as unknown;
  const text = JSON.stringify(redacted);
  if (text === undefined || text.length <= MAX_STORED_BYTES) return redacted;
  return { truncated: true, size: text.length, head: text.slice(0, MAX_STORED_BYTES) };
}

/** Writes the one audit record of a call (append-only; a trigger refuses later edits of these columns). */
export async function recordTransaction(db: pg.Pool | pg.PoolClient, entry: AuditEntry): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO dci_transaction (transaction_id, message_id, correlation_id, sender_id, operation, endpoint, request, response,
       http_status, dci_status, reason_code, duration_ms, client_address, async_status, total_count)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
    [
      entry.transactionId ?? null,
      entry.messageId ?? null,
      entry.correlationId,
      entry.senderId ?? null,
      entry.operation,
      entry.endpoint,
      JSON.stringify(auditableRequest(entry.request)),
      JSON.stringify(entry.response ?? null),
      entry.httpStatus,
      entry.dciStatus,
      entry.reasonCode ?? null,
      Math.round(entry.durationMs),
      entry.clientAddress ?? null,
      entry.asyncStatus ?? null,
      entry.totalCount ?? null,
    ],
  );
  return rows[0]!.id;
}

/** Replay protection: true the first time (sender, message_id) is seen; the primary key decides. */
export async function claimMessageId(db: pg.Pool | pg.PoolClient, senderId: string, messageId: string): Promise<boolean> {
  const { rowCount } = await db.query('INSERT INTO message_receipt (sender_id, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [senderId, messageId]);
  return rowCount === 1;
}
