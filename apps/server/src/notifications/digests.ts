import type { RecordKind } from '@dci-server/dci';
import type { Task } from 'graphile-worker';
import type { AppContext } from '../context.js';
import { withTransaction } from '../database.js';
import { isSuccess } from '../outbound/post-json.js';
import { lastFireTime, type Frequency } from './schedule.js';
import { responseExcerpt, sendNotify } from './send-notify.js';

interface DueSubscription {
  id: string;
  code: string;
  callback_url: string;
  reg_type: string | null;
  record_type: RecordKind;
  sender_id: string;
  frequency: Frequency;
  last_digest_at: Date | null;
}

/**
 * Frequency subscriptions get one digest per scheduled time: every batched event since the last
 * digest, in one notify message. A failed digest stays batched and is tried again at the next
 * run (every minute), each try counted on its deliveries until they are dead-lettered.
 */
export function sendDigests(ctx: AppContext): Task {
  return async () => {
    const now = new Date();
    const { rows } = await ctx.db.pool.query<DueSubscription>(
      `SELECT s.id, s.code, s.callback_url, s.reg_type, s.record_type, s.sender_id, s.frequency, s.last_digest_at FROM subscription s
       WHERE s.active AND s.suspended_at IS NULL AND s.frequency IS NOT NULL AND EXISTS (SELECT 1 FROM notification_delivery d WHERE d.subscription_id = s.id AND d.status = 'batched')`,
    );
    for (const subscription of rows) {
      const due = lastFireTime(subscription.frequency, now);
      if (due && (!subscription.last_digest_at || subscription.last_digest_at < due)) await sendDigest(ctx, subscription);
    }
  };
}

async function sendDigest(ctx: AppContext, subscription: DueSubscription): Promise<void> {
  await withTransaction(ctx.db.pool, async (client) => {
    const { rows } = await client.query<{ id: string; attempts: number; event_id: string; event_type: string; record_id: string; created_at: Date }>(
      `SELECT d.id, d.attempts, e.id AS event_id, e.event_type, e.record_id, e.created_at FROM notification_delivery d JOIN registry_event e ON e.id = d.event_id
       WHERE d.subscription_id = $1 AND d.status = 'batched' ORDER BY e.id LIMIT 1000 FOR UPDATE OF d SKIP LOCKED`,
      [subscription.id],
    );
    if (!rows.length) return;
    const target = { code: subscription.code, callbackUrl: subscription.callback_url, regType: subscription.reg_type, recordType: subscription.record_type, senderUuid: subscription.sender_id };
    let status: number | null = null;
    let excerpt: string | null = null;
    let error: string | null = null;
    const started = performance.now();
    try {
      const answer = await sendNotify(ctx, target, rows.map((r) => ({ id: r.event_id, eventType: r.event_type, recordId: r.record_id, createdAt: r.created_at })));
      status = answer.status;
      excerpt = responseExcerpt(answer.body);
      if (!isSuccess(status)) error = `HTTP ${status}`;
    } catch (e) {
      error = (e as Error).message;
    }
    const ids = rows.map((r) => r.id);
    await client.query('INSERT INTO delivery_attempt (delivery_id, http_status, latency_ms, response_excerpt, error) SELECT id, $2, $3, $4, $5 FROM unnest($1::uuid[]) AS id', [
      ids,
      status,
      Math.round(performance.now() - started),
      excerpt,
      error,
    ]);
    if (error) {
      await client.query(
        `UPDATE notification_delivery SET attempts = attempts + 1, last_http_status = $2, last_error = $3, updated_at = now(),
           status = CASE WHEN attempts + 1 >= $4 THEN 'dead' ELSE 'batched' END WHERE id = ANY($1::uuid[])`,
        [ids, status, error.slice(0, 500), ctx.config.delivery.maxAttempts],
      );
    } else {
      await client.query(`UPDATE notification_delivery SET status = 'delivered', attempts = attempts + 1, last_http_status = $2, last_error = NULL, delivered_at = now(), updated_at = now() WHERE id = ANY($1::uuid[])`, [ids, status]);
      await client.query('UPDATE subscription SET last_digest_at = now() WHERE id = $1', [subscription.id]);
    }
  });
}
