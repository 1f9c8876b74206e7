/** The daily quota of a data-sharing agreement: search / verify items per sender per UTC day. */
import type { DataSharingAgreement } from '@dci-server/db';
import { DciError } from '@dci-server/dci';
import type pg from 'pg';

/**
 * Counts `items` against today's (UTC) quota in one statement, so concurrent calls never go over:
 * the row lock of ON CONFLICT DO UPDATE serialises them, and its WHERE sees the latest count.
 * A refused call uses nothing. Returns the items left today, or null when the quota is unlimited.
 */
export async function consumeDailyQuota(
  pool: pg.Pool | pg.PoolClient,
  agreement: Pick<DataSharingAgreement, 'dailyQuota'>,
  senderId: string,
  items: number,
  now = new Date(),
): Promise<number | null> {
  if (!Number.isInteger(items) || items < 0) throw new RangeError(`items must be a whole number of at least 0, got ${items}`);
  const quota = agreement.dailyQuota;
  if (typeof quota !== 'number') return null;
  const day = now.toISOString().slice(0, 10);
  if (items <= quota) {
    const { rows } = await pool.query<{ used: number }>(
      `INSERT INTO agreement_quota_usage (sender_id, day, used) VALUES ($1, $2, $3)
       ON CONFLICT (sender_id, day) DO UPDATE SET used = agreement_quota_usage.used + excluded.used
       WHERE agreement_quota_usage.used + excluded.used <= $4
       RETURNING used`,
      [senderId, day, items, quota],
    );
    if (rows[0]) return quota - rows[0].used;
  }
  const { rows } = await pool.query<{ used: number }>('SELECT used FROM agreement_quota_usage WHERE sender_id = $1 AND day = $2', [senderId, day]);
  const used = rows[0]?.used ?? 0;
  throw new DciError(
    'err.quota.exceeded',
    `Daily quota of the data-sharing agreement exceeded: ${used} of ${quota} search / verify items used today, ${items} more asked (resets at 00:00 UTC)`,
  );
}
