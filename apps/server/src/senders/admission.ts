/**
 * Admitting a request in one statement: the sender's rate window, the replay receipt of its
 * message_id and the agreement's daily quota, written together (one round trip, one commit)
 * instead of one statement each. Each step runs only if the one before let the request through:
 * a rate-limited request claims nothing and uses no quota, a replay uses no quota, a request over
 * its quota keeps its (spent) message_id. Concurrent requests never go over a limit: the row locks
 * of ON CONFLICT DO UPDATE serialise them, and each WHERE sees the latest count. Rate windows are
 * fixed minutes counted in PostgreSQL, so a limit holds across all server processes. The pipeline
 * runs this on Database.admissionPool (commits without waiting for the flush; see database.ts).
 */
import { DciError } from '@dci-server/dci';
import type { Sender } from '@dci-server/db';
import type pg from 'pg';
import { effectiveRateLimit } from './rate-limit.js';

const ADMIT_SQL = `WITH rate AS (
    INSERT INTO rate_window (sender_id, window_start, count) SELECT $1, $2, 1 WHERE $3::int > 0
    ON CONFLICT (sender_id, window_start) DO UPDATE SET count = rate_window.count + 1 RETURNING count),
  within_rate AS (SELECT $3::int = 0 OR (SELECT count FROM rate) <= $3::int AS ok),
  claim AS (
    INSERT INTO message_receipt (sender_id, message_id) SELECT $1, $4::text WHERE $4::text IS NOT NULL AND (SELECT ok FROM within_rate)
    ON CONFLICT DO NOTHING RETURNING 1),
  fresh AS (SELECT (SELECT ok FROM within_rate) AND ($4::text IS NULL OR EXISTS (SELECT 1 FROM claim)) AS ok),
  quota AS (
    INSERT INTO agreement_quota_usage (sender_id, day, used) SELECT $1, $5::date, $6::int WHERE $7::int IS NOT NULL AND $6::int <= $7::int AND (SELECT ok FROM fresh)
    ON CONFLICT (sender_id, day) DO UPDATE SET used = agreement_quota_usage.used + excluded.used WHERE agreement_quota_usage.used + excluded.used <= $7::int
    RETURNING used)
  SELECT (SELECT count FROM rate) AS "rateCount", EXISTS (SELECT 1 FROM claim) AS claimed, (SELECT used FROM quota) AS "quotaUsed"`;

export interface Admission {
  sender: Pick<Sender, 'senderId' | 'rateLimitPerMinute'>;
  /** RATE_LIMIT_PER_MINUTE: the limit of senders without one of their own (0 = none). */
  defaultRateLimit: number;
  /** Claimed once (replay protection); null when nothing is to be claimed here (registry writes claim theirs with the change). */
  messageId: string | null;
  /** Items counted against the agreement's `dailyQuota`; null when no quota applies (unlimited, or not a search / verify). */
  quota: { dailyQuota: number; items: number } | null;
}

/**
 * Admits the request, or throws err.rate_limited (with the seconds to wait as `retryAfter`),
 * rjct.message_id.duplicate or err.quota.exceeded. Returns the quota items left today (null: no quota).
 */
export async function admitRequest(pool: pg.Pool, admission: Admission, now = new Date()): Promise<{ quotaLeft: number | null }> {
  const { sender, messageId, quota } = admission;
  const limit = effectiveRateLimit(sender, admission.defaultRateLimit);
  const windowStart = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
  const day = now.toISOString().slice(0, 10);
  const { rows } = await pool.query<{ rateCount: number | null; claimed: boolean; quotaUsed: number | null }>({
    name: 'admit-request',
    text: ADMIT_SQL,
    values: [sender.senderId, windowStart, limit, messageId, day, quota?.items ?? 0, quota?.dailyQuota ?? null],
  });
  const { rateCount, claimed, quotaUsed } = rows[0]!;
  if (rateCount !== null) {
    // The first request of a window clears the sender's older windows.
    if (rateCount === 1) await pool.query('DELETE FROM rate_window WHERE sender_id = $1 AND window_start < $2', [sender.senderId, windowStart]);
    if (rateCount > limit) {
      const retryAfter = Math.max(1, Math.ceil((windowStart.getTime() + 60_000 - now.getTime()) / 1000));
      throw new DciError('err.rate_limited', `Sender ${sender.senderId} may send ${limit} requests per minute; retry in ${retryAfter} s`, { retryAfter });
    }
  }
  if (messageId !== null && !claimed) throw new DciError('rjct.message_id.duplicate', `message_id ${messageId} was already received from ${sender.senderId}`);
  if (!quota) return { quotaLeft: null };
  if (quotaUsed !== null) return { quotaLeft: quota.dailyQuota - quotaUsed };
  const { rows: usage } = await pool.query<{ used: number }>('SELECT used FROM agreement_quota_usage WHERE sender_id = $1 AND day = $2', [sender.senderId, day]);
  throw new DciError(
    'err.quota.exceeded',
    `Daily quota of the data-sharing agreement exceeded: ${usage[0]?.used ?? 0} of ${quota.dailyQuota} search / verify items used today, ${quota.items} more asked (resets at 00:00 UTC)`,
  );
}
