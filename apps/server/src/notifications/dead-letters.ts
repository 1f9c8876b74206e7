import type pg from 'pg';
import { scheduleEach } from './delivery.js';

/** Which dead letters to resend; every given field must match, none given means every dead letter. */
export interface DeliverySelection {
  ids?: string[];
  subscriptionCode?: string;
  /** The DCI sender id of the subscriber. */
  senderId?: string;
  /** As stored (normalised, e.g. `Death`). */
  eventType?: string;
  /** Dead-lettered at or after this time. */
  from?: Date;
  /** Dead-lettered before this time. */
  to?: Date;
}

/** The dead letters a selection names, as SQL over `d` (with `s`, `x`, `e` joined) and its parameters. */
function deadLettersWhere(selection: DeliverySelection): { sql: string; params: unknown[] } {
  return {
    sql: `s.id = d.subscription_id AND e.id = d.event_id AND d.status = 'dead'
       AND ($1::uuid[] IS NULL OR d.id = ANY($1::uuid[]))
       AND ($2::text IS NULL OR s.code = $2)
       AND ($3::text IS NULL OR x.sender_id = $3)
       AND ($4::text IS NULL OR e.event_type = $4)
       AND ($5::timestamptz IS NULL OR d.updated_at >= $5)
       AND ($6::timestamptz IS NULL OR d.updated_at < $6)`,
    params: [selection.ids ?? null, selection.subscriptionCode ?? null, selection.senderId ?? null, selection.eventType ?? null, selection.from ?? null, selection.to ?? null],
  };
}

/** How many dead letters `resendDeadLetters(selection)` would resend now (for a confirmation). */
export async function countDeadLetters(pool: pg.Pool, selection: DeliverySelection = {}): Promise<number> {
  const where = deadLettersWhere(selection);
  const { rows } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM notification_delivery d, subscription s JOIN sender x ON x.id = s.sender_id, registry_event e WHERE ${where.sql}`,
    where.params,
  );
  return rows[0]!.n;
}

/**
 * Sends dead-lettered deliveries again with a fresh set of attempts. Returns every delivery put
 * back in the queue (all that matched, in one statement, not a page of them).
 */
export async function resendDeadLetters(pool: pg.Pool, selection: DeliverySelection = {}): Promise<string[]> {
  const where = deadLettersWhere(selection);
  const { rows } = await pool.query<{ id: string }>(
    `UPDATE notification_delivery d SET status = 'pending', attempts = 0, next_attempt_at = NULL, updated_at = now()
     FROM subscription s JOIN sender x ON x.id = s.sender_id, registry_event e
     WHERE ${where.sql}
     RETURNING d.id`,
    where.params,
  );
  // A subscriber being resent to is given a clean bill of health.
  await pool.query(
    `UPDATE subscription SET consecutive_failures = 0, paused_until = NULL WHERE id IN (SELECT subscription_id FROM notification_delivery WHERE id = ANY($1::uuid[]))`,
    [rows.map((r) => r.id)],
  );
  await scheduleEach(pool, rows.map((row) => ({ id: row.id, runAt: null })));
  return rows.map((r) => r.id);
}
