import { DciError } from '@dci-server/dci';
import type { Sender } from '@dci-server/db';
import type pg from 'pg';

/**
 * Fixed one-minute windows counted in PostgreSQL, so the limit holds across all server
 * processes. Over the limit → err.rate_limited with the seconds to wait (sent as Retry-After).
 */
export async function enforceRateLimit(pool: pg.Pool, sender: Sender, now = new Date()): Promise<void> {
  const limit = sender.rateLimitPerMinute;
  if (!limit) return;
  const windowStart = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
  const { rows } = await pool.query<{ count: number }>(
    `INSERT INTO rate_window (sender_id, window_start, count) VALUES ($1, $2, 1)
     ON CONFLICT (sender_id, window_start) DO UPDATE SET count = rate_window.count + 1 RETURNING count`,
    [sender.senderId, windowStart],
  );
  if (rows[0]!.count > limit) {
    const retryAfter = Math.max(1, Math.ceil((windowStart.getTime() + 60_000 - now.getTime()) / 1000));
    throw new DciError('err.rate_limited', `Sender ${sender.senderId} may send ${limit} requests per minute; retry in ${retryAfter} s`, { retryAfter });
  }
  if (rows[0]!.count === 1) await pool.query('DELETE FROM rate_window WHERE sender_id = $1 AND window_start < $2', [sender.senderId, windowStart]);
}
