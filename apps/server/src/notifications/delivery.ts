import type { RecordKind } from '@dci-server/dci';
import type { Task } from 'graphile-worker';
import type pg from 'pg';
import type { AppContext } from '../context.js';
import { withTransaction } from '../database.js';
import { isSuccess } from '../outbound/post-json.js';
import { retryDelaySeconds } from './backoff.js';
import { prepareNotify, responseExcerpt, type NotifySender } from './send-notify.js';

interface DeliveryRow {
  id: string;
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

/** A job names one delivery (a retry, a resend) or a batch of one subscription's deliveries (fan-out rounds). */
export type DeliveryPayload = { deliveryId: string } | { deliveryId: string }[];

/**
 * How many deliveries of one subscription a job sends at once. They are locked together, sent
 * concurrently and recorded in one commit, so a worker killed mid-wave sends at most this many
 * twice per job it was running (at least once: none is lost).
 */
export const DELIVERY_WAVE = 16;

/**
 * Sends notifications, wave by wave. A delivery's row stays locked while it is sent, so two
 * workers never send the same delivery at once, and a worker that dies releases it with its
 * connection. Failures retry with backoff until the last attempt, then the delivery is dead-lettered.
 */
export function deliverNotification(ctx: AppContext): Task {
  return async (payload) => {
    const job = payload as DeliveryPayload;
    const ids = (Array.isArray(job) ? job : [job]).map((d) => d.deliveryId);
    for (let i = 0; i < ids.length; i += DELIVERY_WAVE) await deliverWave(ctx, ids.slice(i, i + DELIVERY_WAVE));
  };
}

async function deliverWave(ctx: AppContext, ids: string[]): Promise<void> {
  await withTransaction(ctx.db.pool, async (client) => {
    // Only deliveries still to send; one locked by another worker is being sent there.
    const { rows } = await client.query<DeliveryRow>(
      `SELECT d.id, d.attempts, s.id AS subscription_id, s.code, s.active, s.callback_url, s.reg_type, s.record_type, s.paused_until, s.suspended_at,
              s.sender_id AS sender_uuid, e.id AS event_id, e.event_type, e.record_id, e.created_at AS event_at
       FROM notification_delivery d JOIN subscription s ON s.id = d.subscription_id JOIN registry_event e ON e.id = d.event_id
       WHERE d.id = ANY($1::uuid[]) AND d.status IN ('pending', 'failed') ORDER BY e.id FOR UPDATE OF d SKIP LOCKED`,
      [ids],
    );
    const bySubscription = new Map<string, DeliveryRow[]>();
    for (const row of rows) bySubscription.set(row.subscription_id, [...(bySubscription.get(row.subscription_id) ?? []), row]);
    for (const group of bySubscription.values()) await deliverToSubscription(ctx, client, group);
  });
}

async function deliverToSubscription(ctx: AppContext, client: pg.PoolClient, deliveries: DeliveryRow[]): Promise<void> {
  const subscription = deliveries[0]!;
  const ids = deliveries.map((d) => d.id);
  if (!subscription.active) {
    await client.query(`UPDATE notification_delivery SET status = 'cancelled', updated_at = now() WHERE id = ANY($1::uuid[])`, [ids]);
    return;
  }
  // Paused by staff: the deliveries wait, untouched, until resumeSubscription schedules them again.
  if (subscription.suspended_at) return;
  if (subscription.paused_until && subscription.paused_until > new Date()) {
    // The endpoint has been failing: wait for the pause to end without spending an attempt.
    await scheduleEach(client, ids.map((id) => ({ id, runAt: subscription.paused_until })));
    return;
  }
  const events = deliveries.map((d) => ({ id: d.event_id, eventType: d.event_type, recordId: d.record_id, createdAt: d.event_at }));
  const target = { code: subscription.code, callbackUrl: subscription.callback_url, regType: subscription.reg_type, recordType: subscription.record_type, senderUuid: subscription.sender_uuid };
  const send: NotifySender | Error = await prepareNotify(ctx, client, target, events).catch((error: unknown) => error as Error);
  // Recorded in the order the answers came back, as one-at-a-time sending would have.
  const outcomes: Outcome[] = [];
  await Promise.all(
    deliveries.map(async (delivery, i) => {
      const started = performance.now();
      let httpStatus: number | null = null;
      let excerpt: string | null = null;
      let error: string | null = null;
      try {
        if (send instanceof Error) throw send;
        const answer = await send([events[i]!]);
        httpStatus = answer.status;
        excerpt = responseExcerpt(answer.body);
        if (!isSuccess(httpStatus)) error = `HTTP ${httpStatus}`;
      } catch (e) {
        error = (e as Error).message;
      }
      outcomes.push(outcomeOf(ctx, delivery, { httpStatus, excerpt, error, latencyMs: Math.round(performance.now() - started) }));
    }),
  );
  await record(ctx, client, subscription.subscription_id, outcomes);
}

interface Outcome {
  id: string;
  status: 'delivered' | 'failed' | 'dead';
  attempts: number;
  httpStatus: number | null;
  latencyMs: number;
  excerpt: string | null;
  error: string | null;
  next: Date | null;
}

function outcomeOf(ctx: AppContext, delivery: DeliveryRow, answer: Pick<Outcome, 'httpStatus' | 'excerpt' | 'error' | 'latencyMs'>): Outcome {
  const attempts = delivery.attempts + 1;
  const { maxAttempts, retryWindowSeconds } = ctx.config.delivery;
  const dead = attempts >= maxAttempts;
  const next = answer.error && !dead ? new Date(Date.now() + retryDelaySeconds(attempts, maxAttempts, retryWindowSeconds) * 1000) : null;
  const status = !answer.error ? 'delivered' : dead ? 'dead' : 'failed';
  ctx.metrics.observeDeliveryAttempt(status);
  return { id: delivery.id, status, attempts, next, ...answer };
}

/** Every attempt, each delivery's new state and its retry, then the subscriber's health: two statements for the whole wave. */
async function record(ctx: AppContext, client: pg.PoolClient, subscriptionId: string, outcomes: Outcome[]): Promise<void> {
  const column = <K extends keyof Outcome>(key: K) => outcomes.map((o) => o[key]);
  await client.query(
    `WITH outcome AS (
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::int[], $5::int[], $6::text[], $7::text[], $8::timestamptz[])
         WITH ORDINALITY AS o(id, status, attempts, http_status, latency_ms, excerpt, error, next_attempt_at, n)),
     attempt AS (
       INSERT INTO delivery_attempt (delivery_id, http_status, latency_ms, response_excerpt, error, next_attempt_at)
       SELECT id, http_status, latency_ms, excerpt, error, next_attempt_at FROM outcome ORDER BY n),
     delivery AS (
       UPDATE notification_delivery d SET status = o.status, attempts = o.attempts, last_http_status = o.http_status, last_error = left(o.error, 500),
         delivered_at = CASE WHEN o.status = 'delivered' THEN now() ELSE d.delivered_at END, next_attempt_at = o.next_attempt_at, updated_at = now()
       FROM outcome o WHERE d.id = o.id)
     SELECT graphile_worker.add_job('deliver-notification', json_build_object('deliveryId', id::text), run_at => next_attempt_at, job_key => 'delivery:' || id)
     FROM outcome WHERE next_attempt_at IS NOT NULL`,
    [column('id'), column('status'), column('attempts'), column('httpStatus'), column('latencyMs'), column('excerpt'), column('error'), column('next')],
  );
  // As if sent one by one: a success resets the failure count, each failure after the last success adds one.
  const lastSuccess = outcomes.findLastIndex((o) => o.status === 'delivered');
  const failuresAfter = outcomes.length - 1 - lastSuccess;
  const { pauseAfterFailures, pauseSeconds } = ctx.config.delivery;
  await client.query(
    `UPDATE subscription SET consecutive_failures = CASE WHEN $2 THEN 0 ELSE consecutive_failures END + $3,
       paused_until = CASE WHEN $3 > 0 AND CASE WHEN $2 THEN 0 ELSE consecutive_failures END + $3 >= $4 THEN now() + make_interval(secs => $5)
                           WHEN $2 THEN NULL ELSE paused_until END
     WHERE id = $1 AND ($3 > 0 OR consecutive_failures <> 0)`,
    [subscriptionId, lastSuccess >= 0, failuresAfter, pauseAfterFailures, pauseSeconds],
  );
}

/** Queues each delivery on its own (its own job key, at its own time; `null`: now). */
export async function scheduleEach(db: pg.PoolClient | pg.Pool, deliveries: readonly { id: string; runAt: Date | null }[]): Promise<void> {
  if (!deliveries.length) return;
  await db.query(
    `SELECT graphile_worker.add_job('deliver-notification', json_build_object('deliveryId', id::text), run_at => coalesce(run_at, now()), job_key => 'delivery:' || id)
     FROM unnest($1::uuid[], $2::timestamptz[]) AS t(id, run_at)`,
    [deliveries.map((d) => d.id), deliveries.map((d) => d.runAt)],
  );
}

/** Deliveries per batch job (a job sends them DELIVERY_WAVE at a time). */
const DELIVERY_BATCH = 500;

/**
 * Queues deliveries to send now in batches: a job per subscription (and per DELIVERY_BATCH), in
 * event order, rather than a job per delivery. The jobs have no key: joining a waiting keyed job
 * locks its row inside the caller's transaction, and graphile-worker's batched job completion
 * then deadlocks with the matcher.
 */
export async function scheduleBatches(db: pg.PoolClient | pg.Pool, deliveryIds: readonly string[]): Promise<void> {
  if (!deliveryIds.length) return;
  await db.query(
    `SELECT graphile_worker.add_job('deliver-notification', json_agg(json_build_object('deliveryId', id) ORDER BY event_id))
     FROM (SELECT id, event_id, subscription_id, (row_number() OVER (PARTITION BY subscription_id ORDER BY event_id) - 1) / $2 AS chunk
           FROM notification_delivery WHERE id = ANY($1::uuid[])) batch
     GROUP BY subscription_id, chunk`,
    [deliveryIds, DELIVERY_BATCH],
  );
}
