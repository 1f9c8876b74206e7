/** The daily quota of a data-sharing agreement: search / verify items per sender per UTC day. */
import type { DataSharingAgreement } from '@dci-server/db';
import type pg from 'pg';
import { admitRequest } from '../senders/admission.js';

/**
 * Counts `items` against today's (UTC) quota in one statement, so concurrent calls never go over:
 * the row lock of ON CONFLICT DO UPDATE serialises them, and its WHERE sees the latest count.
 * A refused call uses nothing (err.quota.exceeded). Returns the items left today, or null when the
 * quota is unlimited. The request path counts its quota in admitRequest, with its other checks.
 */
export async function consumeDailyQuota(pool: pg.Pool, agreement: Pick<DataSharingAgreement, 'dailyQuota'>, senderId: string, items: number, now = new Date()): Promise<number | null> {
  if (!Number.isInteger(items) || items < 0) throw new RangeError(`items must be a whole number of at least 0, got ${items}`);
  const quota = typeof agreement.dailyQuota === 'number' ? { dailyQuota: agreement.dailyQuota, items } : null;
  return (await admitRequest(pool, { sender: { senderId, rateLimitPerMinute: 0 }, defaultRateLimit: 0, messageId: null, quota }, now)).quotaLeft;
}
