import type pg from 'pg';
import { schedule } from './delivery.js';

export interface DeliverySelection {
  ids?: string[];
  subscriptionCode?: string;
}

/**
 * Sends dead-lettered deliveries again with a fresh set of attempts: by id, or every dead one
 * of a subscription, or every dead one at all. Returns the deliveries put back in the queue.
 */
export async function resendDeadLetters(pool: pg.Pool, selection: DeliverySelection = {}): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>(
    `UPDATE notification_delivery d SET status = 'pending', attempts = 0, next_attempt_at = NULL, updated_at = now()
     FROM subscription s
     WHERE s.id = d.subscription_id AND d.status = 'dead'
       AND ($1::uuid[] IS NULL OR d.id = ANY($1::uuid[]))
       AND ($2::text IS NULL OR s.code = $2)
     RETURNING d.id`,
    [selection.ids ?? null, selection.subscriptionCode ?? null],
  );
  // A subscriber being resent to is given a clean bill of health.
  await pool.query(
    `UPDATE subscription SET consecutive_failures = 0, paused_until = NULL WHERE id IN (SELECT subscription_id FROM notification_delivery WHERE id = ANY($1::uuid[]))`,
    [rows.map((r) => r.id)],
  );
  for (const row of rows) await schedule(pool, row.id, null);
  return rows.map((r) => r.id);
}
