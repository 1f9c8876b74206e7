import type { RecordKind } from '@dci-server/dci';
import type { Task } from 'graphile-worker';
import type pg from 'pg';
import type { AppContext } from '../context.js';
import { withTransaction } from '../database.js';
import { isSuccess } from '../outbound/post-json.js';
import { retryDelaySeconds } from './backoff.js';
import { responseExcerpt, sendNotify } from './send-notify.js';

interface DeliveryRow {
  id: string;
  status: string;
  attempts: number;
  subscription_id: string;
  code: string;
  active: boolean;
  callback_url: string;
  reg_type: string | null;
  record_type: RecordKind;
  paused_until: Date | null;
  suspended_at: Date | null;
  sender_uuid: string;
  event_id: string;
  event_type: string;
  record_id: string;
  event_at: Date;
}

/**
 * Sends one notification. The delivery row stays locked during the POST, so two workers never
 * send the same delivery at once, and a worker that dies releases it with its connection.
 * Failures retry with backoff until the last attempt, then the delivery is dead-lettered.
 */
export function deliverNotification(ctx: AppContext): Task {
  return async (payload) => {
    const { deliveryId } = payload as { deliveryId: string };
    await withTransaction(ctx.db.pool, async (client) => {
      const { rows } = await client.query<DeliveryRow>(
        `SELECT d.id, d.status, d.attempts, s.id AS subscription_id, s.code, s.active, s.callback_url, s.reg_type, s.record_type, s.paused_until, s.suspended_at,
                s.sender_id AS sender_uuid, e.id AS event_id, e.event_type, e.record_id, e.created_at AS event_at
         FROM notification_delivery d JOIN subscription s ON s.id = d.subscription_id JOIN registry_event e ON e.id = d.event_id
         WHERE d.id = $1 FOR UPDATE OF d SKIP LOCKED`,
        [deliveryId],
      );
      const delivery = rows[0];
      if (delivery && (delivery.status === 'pending' || delivery.status === 'failed')) await attempt(ctx, client, delivery);
    });
  };
}

async function attempt(ctx: AppContext, client: pg.PoolClient, delivery: DeliveryRow): Promise<void> {
  if (!delivery.active) {
    await client.query(`UPDATE notification_delivery SET status = 'cancelled', updated_at = now() WHERE id = $1`, [delivery.id]);
    return;
  }
  // Paused by staff: the delivery waits, untouched, until resumeSubscription schedules it again.
  if (delivery.suspended_at) return;
  if (delivery.paused_until && delivery.paused_until > new Date()) {
    // The endpoint has been failing: wait for the pause to end without spending an attempt.
    await schedule(client, delivery.id, delivery.paused_until);
    return;
  }
  let httpStatus: number | null = null;
  let excerpt: string | null = null;
  let error: string | null = null;
  const started = performance.now();
  try {
    const target = { code: delivery.code, callbackUrl: delivery.callback_url, regType: delivery.reg_type, recordType: delivery.record_type, senderUuid: delivery.sender_uuid };
    const answer = await sendNotify(ctx, target, [{ id: delivery.event_id, eventType: delivery.event_type, recordId: delivery.record_id, createdAt: delivery.event_at }]);
    httpStatus = answer.status;
    excerpt = responseExcerpt(answer.body);
    if (!isSuccess(httpStatus)) error = `HTTP ${httpStatus}`;
  } catch (e) {
    error = (e as Error).message;
  }
  const latencyMs = Math.round(performance.now() - started);
  const attempts = delivery.attempts + 1;
  const { maxAttempts, retryWindowSeconds, pauseAfterFailures, pauseSeconds } = ctx.config.delivery;
  const dead = attempts >= maxAttempts;
  const next = error && !dead ? new Date(Date.now() + retryDelaySeconds(attempts, maxAttempts, retryWindowSeconds) * 1000) : null;
  ctx.metrics.observeDeliveryAttempt(!error ? 'delivered' : dead ? 'dead' : 'failed');
  await client.query('INSERT INTO delivery_attempt (delivery_id, http_status, latency_ms, response_excerpt, error, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6)', [
    delivery.id,
    httpStatus,
    latencyMs,
    excerpt,
    error,
    next,
  ]);
  if (!error) {
    await client.query(`UPDATE notification_delivery SET status = 'delivered', attempts = $2, last_http_status = $3, last_error = NULL, delivered_at = now(), next_attempt_at = NULL, updated_at = now() WHERE id = $1`, [delivery.id, attempts, httpStatus]);
    await client.query('UPDATE subscription SET consecutive_failures = 0, paused_until = NULL WHERE id = $1 AND consecutive_failures <> 0', [delivery.subscription_id]);
    return;
  }
  await client.query(`UPDATE notification_delivery SET status = $2, attempts = $3, last_http_status = $4, last_error = $5, next_attempt_at = $6, updated_at = now() WHERE id = $1`, [
    delivery.id,
    dead ? 'dead' : 'failed',
    attempts,
    httpStatus,
    error.slice(0, 500),
    next,
  ]);
  await client.query(
    `UPDATE subscription SET consecutive_failures = consecutive_failures + 1,
       paused_until = CASE WHEN consecutive_failures + 1 >= $2 THEN now() + make_interval(secs => $3) ELSE paused_until END
     WHERE id = $1`,
    [delivery.subscription_id, pauseAfterFailures, pauseSeconds],
  );
  if (next) await schedule(client, delivery.id, next);
}

export async function schedule(db: pg.PoolClient | pg.Pool, deliveryId: string, runAt: Date | null): Promise<void> {
  await db.query(`SELECT graphile_worker.add_job('deliver-notification', json_build_object('deliveryId', $1::text), run_at => coalesce($2::timestamptz, now()), job_key => 'delivery:' || $1)`, [deliveryId, runAt]);
}
