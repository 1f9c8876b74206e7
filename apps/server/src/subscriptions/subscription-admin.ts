/**
 * Subscriptions as staff see and steer them: listing with delivery history, and pause / resume /
 * cancel. (Senders manage their own through DCI subscribe / unsubscribe, see subscriptions.ts.)
 */
import type pg from 'pg';
import { withTransaction } from '../database.js';
import { countDeadLetters, resendDeadLetters, type DeliverySelection } from '../notifications/dead-letters.js';
import { scheduleEach } from '../notifications/delivery.js';
import { decodeCursor, toPage, type Page } from '../pagination/keyset-cursor.js';
import { normalizeEventType } from './event-types.js';

/**
 * active; paused (by staff: nothing is sent until resumed, events still queue up); backing_off
 * (the endpoint kept failing: deliveries wait until pausedUntil); cancelled (unsubscribed or
 * cancelled by staff: nothing more is sent).
 */
export const SUBSCRIPTION_STATUSES = ['active', 'paused', 'backing_off', 'cancelled'] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

export class SubscriptionAdminError extends Error {
  override readonly name = 'SubscriptionAdminError';
  constructor(
    message: string,
    readonly code: 'INVALID_INPUT' | 'NOT_FOUND' | 'CONFLICT',
  ) {
    super(message);
  }
}

export interface SubscriptionFilter {
  /** The DCI sender id. */
  senderId?: string;
  /** Any spelling subscribe accepts (`Death`, `spdci-common:RegistryEventType:Death`). */
  eventType?: string;
  status?: string;
  /** Only subscriptions with at least one delivery in this state (e.g. dead). */
  deliveryStatus?: string;
}

export const DELIVERY_STATUSES = ['pending', 'batched', 'delivered', 'failed', 'dead', 'cancelled'] as const;

export interface SubscriptionRow {
  id: string;
  code: string;
  senderId: string;
  eventType: string;
  regType: string | null;
  recordType: string;
  callbackUrl: string;
  filterType: string | null;
  filter: unknown;
  frequency: unknown;
  status: SubscriptionStatus;
  consecutiveFailures: number;
  pausedUntil: Date | null;
  suspendedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const STATUS_SQL = `CASE WHEN NOT s.active THEN 'cancelled' WHEN s.suspended_at IS NOT NULL THEN 'paused' WHEN s.paused_until > now() THEN 'backing_off' ELSE 'active' END`;

const SUBSCRIPTION_COLUMNS = `s.id, s.code, x.sender_id AS "senderId", s.event_type AS "eventType", s.reg_type AS "regType", s.record_type AS "recordType",
  s.callback_url AS "callbackUrl", s.filter_type AS "filterType", s.filter, s.frequency, ${STATUS_SQL} AS status,
  s.consecutive_failures AS "consecutiveFailures", s.paused_until AS "pausedUntil", s.suspended_at AS "suspendedAt", s.created_at AS "createdAt", s.updated_at AS "updatedAt"`;

const SUBSCRIPTIONS_FROM = 'subscription s JOIN sender x ON x.id = s.sender_id';

function subscriptionConditions(filter: SubscriptionFilter, params: unknown[]): string[] {
  const conditions: string[] = [];
  if (filter.senderId !== undefined) conditions.push(`x.sender_id = $${params.push(filter.senderId)}`);
  if (filter.eventType !== undefined) conditions.push(`s.event_type = $${params.push(eventTypeOf(filter.eventType))}`);
  if (filter.status !== undefined) {
    if (!(SUBSCRIPTION_STATUSES as readonly string[]).includes(filter.status)) throw new SubscriptionAdminError(`unknown status ${filter.status}: use ${SUBSCRIPTION_STATUSES.join(', ')}`, 'INVALID_INPUT');
    conditions.push(`${STATUS_SQL} = $${params.push(filter.status)}`);
  }
  if (filter.deliveryStatus !== undefined) {
    if (!(DELIVERY_STATUSES as readonly string[]).includes(filter.deliveryStatus)) throw new SubscriptionAdminError(`unknown delivery status ${filter.deliveryStatus}: use ${DELIVERY_STATUSES.join(', ')}`, 'INVALID_INPUT');
    conditions.push(`EXISTS (SELECT 1 FROM notification_delivery d WHERE d.subscription_id = s.id AND d.status = $${params.push(filter.deliveryStatus)})`);
  }
  return conditions;
}

function eventTypeOf(value: string): string {
  try {
    return normalizeEventType(value);
  } catch (error) {
    throw new SubscriptionAdminError((error as Error).message, 'INVALID_INPUT');
  }
}

export interface PageRequest {
  first: number;
  after?: string;
}

/** Newest first; the total counts every subscription matching the filter. Throws RangeError for a bad cursor. */
export async function listSubscriptions(pool: pg.Pool, filter: SubscriptionFilter, page: PageRequest): Promise<Page<SubscriptionRow>> {
  const params: unknown[] = [];
  const conditions = subscriptionConditions(filter, params);
  const countParams = [...params];
  const countSql = `SELECT count(*)::int AS n FROM ${SUBSCRIPTIONS_FROM} ${whereSql(conditions)}`;
  if (page.after) conditions.push(afterSql('s', page.after, params));
  params.push(page.first + 1);
  const [rows, count] = await Promise.all([
    pool.query<SubscriptionRow & { position: string }>(
      `SELECT ${SUBSCRIPTION_COLUMNS}, s.created_at::text AS position FROM ${SUBSCRIPTIONS_FROM} ${whereSql(conditions)}
       ORDER BY s.created_at DESC, s.id DESC LIMIT $${params.length}`,
      params,
    ),
    pool.query<{ n: number }>(countSql, countParams),
  ]);
  return toPage(rows.rows, page.first, count.rows[0]!.n);
}

export async function findSubscription(db: pg.Pool | pg.PoolClient, code: string): Promise<SubscriptionRow | undefined> {
  const { rows } = await db.query<SubscriptionRow>(`SELECT ${SUBSCRIPTION_COLUMNS} FROM ${SUBSCRIPTIONS_FROM} WHERE s.code = $1`, [code]);
  return rows[0];
}

export interface DeliveryRow {
  id: string;
  subscriptionId: string;
  subscriptionCode: string;
  eventId: string;
  eventType: string;
  recordId: string;
  status: string;
  attempts: number;
  nextAttemptAt: Date | null;
  lastHttpStatus: number | null;
  lastError: string | null;
  deliveredAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const DELIVERY_COLUMNS = `d.id, d.subscription_id AS "subscriptionId", s.code AS "subscriptionCode", e.id::text AS "eventId", e.event_type AS "eventType", e.record_id AS "recordId",
  d.status, d.attempts, d.next_attempt_at AS "nextAttemptAt", d.last_http_status AS "lastHttpStatus", d.last_error AS "lastError",
  d.delivered_at AS "deliveredAt", d.created_at AS "createdAt", d.updated_at AS "updatedAt"`;

/**
 * One page of deliveries for each of `subscriptionIds`, newest first, in two queries whatever
 * their number (a list of subscriptions showing deliveries costs no query per row).
 */
export async function listDeliveries(pool: pg.Pool, subscriptionIds: readonly string[], options: PageRequest & { status?: string }): Promise<Map<string, Page<DeliveryRow>>> {
  const params: unknown[] = [subscriptionIds, options.status ?? null];
  const after = options.after ? afterSql('d', options.after, params) : 'true';
  params.push(options.first + 1);
  const [rows, counts] = await Promise.all([
    pool.query<DeliveryRow & { position: string }>(
      `SELECT page.* FROM unnest($1::uuid[]) AS sid CROSS JOIN LATERAL (
         SELECT ${DELIVERY_COLUMNS}, d.created_at::text AS position
         FROM notification_delivery d JOIN registry_event e ON e.id = d.event_id JOIN subscription s ON s.id = d.subscription_id
         WHERE d.subscription_id = sid AND ($2::text IS NULL OR d.status = $2) AND ${after}
         ORDER BY d.created_at DESC, d.id DESC LIMIT $${params.length}) page`,
      params,
    ),
    pool.query<{ sid: string; n: number }>(
      `SELECT d.subscription_id AS sid, count(*)::int AS n FROM notification_delivery d
       WHERE d.subscription_id = ANY($1::uuid[]) AND ($2::text IS NULL OR d.status = $2) GROUP BY d.subscription_id`,
      [subscriptionIds, options.status ?? null],
    ),
  ]);
  const totals = new Map(counts.rows.map((r) => [r.sid, r.n]));
  return new Map(subscriptionIds.map((id) => [id, toPage(rows.rows.filter((r) => r.subscriptionId === id), options.first, totals.get(id) ?? 0)]));
}

export interface AttemptRow {
  deliveryId: string;
  attemptedAt: Date;
  httpStatus: number | null;
  latencyMs: number | null;
  responseExcerpt: string | null;
  error: string | null;
  nextAttemptAt: Date | null;
}

/** Every attempt of each delivery, oldest first, in one query. */
export async function attemptsOf(pool: pg.Pool, deliveryIds: readonly string[]): Promise<Map<string, AttemptRow[]>> {
  const { rows } = await pool.query<AttemptRow>(
    `SELECT delivery_id AS "deliveryId", attempted_at AS "attemptedAt", http_status AS "httpStatus", latency_ms AS "latencyMs",
       response_excerpt AS "responseExcerpt", error, next_attempt_at AS "nextAttemptAt"
     FROM delivery_attempt WHERE delivery_id = ANY($1::uuid[]) ORDER BY id`,
    [deliveryIds],
  );
  const byDelivery = new Map<string, AttemptRow[]>(deliveryIds.map((id) => [id, []]));
  for (const row of rows) byDelivery.get(row.deliveryId)?.push(row);
  return byDelivery;
}

export async function findDelivery(pool: pg.Pool, id: string): Promise<DeliveryRow | undefined> {
  if (!UUID.test(id)) return undefined;
  const { rows } = await pool.query<DeliveryRow>(
    `SELECT ${DELIVERY_COLUMNS} FROM notification_delivery d JOIN registry_event e ON e.id = d.event_id JOIN subscription s ON s.id = d.subscription_id WHERE d.id = $1`,
    [id],
  );
  return rows[0];
}

export interface SubscriptionChange {
  before: SubscriptionRow;
  after: SubscriptionRow;
}

/** Stops sending to the subscriber until resumed; events keep being matched, so nothing is lost. */
export function pauseSubscription(pool: pg.Pool, code: string): Promise<SubscriptionChange> {
  return change(pool, code, async (client, before) => {
    if (before.status === 'cancelled') throw new SubscriptionAdminError(`subscription ${code} is cancelled`, 'CONFLICT');
    if (before.status === 'paused') throw new SubscriptionAdminError(`subscription ${code} is already paused`, 'CONFLICT');
    await client.query('UPDATE subscription SET suspended_at = now(), updated_at = now() WHERE id = $1', [before.id]);
  });
}

/**
 * Sends again, at once: lifts a staff pause and a failure back-off alike, and queues every
 * delivery left waiting (each at its own next attempt time, if that is still ahead).
 */
export function resumeSubscription(pool: pg.Pool, code: string): Promise<SubscriptionChange & { queued: number }> {
  let queued = 0;
  return change(pool, code, async (client, before) => {
    if (before.status === 'cancelled') throw new SubscriptionAdminError(`subscription ${code} is cancelled: the sender must subscribe again`, 'CONFLICT');
    if (before.status === 'active') throw new SubscriptionAdminError(`subscription ${code} is not paused`, 'CONFLICT');
    await client.query('UPDATE subscription SET suspended_at = NULL, paused_until = NULL, consecutive_failures = 0, updated_at = now() WHERE id = $1', [before.id]);
    const { rows } = await client.query<{ id: string; next_attempt_at: Date | null }>(`SELECT id, next_attempt_at FROM notification_delivery WHERE subscription_id = $1 AND status IN ('pending', 'failed')`, [before.id]);
    await scheduleEach(client, rows.map((row) => ({ id: row.id, runAt: row.next_attempt_at })));
    queued = rows.length;
  }).then((result) => ({ ...result, queued }));
}

/** Ends the subscription as an unsubscribe would; deliveries not yet sent are cancelled. */
export function cancelSubscription(pool: pg.Pool, code: string): Promise<SubscriptionChange> {
  return change(pool, code, async (client, before) => {
    if (before.status === 'cancelled') throw new SubscriptionAdminError(`subscription ${code} is already cancelled`, 'CONFLICT');
    await client.query('UPDATE subscription SET active = false, suspended_at = NULL, updated_at = now() WHERE id = $1', [before.id]);
    await client.query(`UPDATE notification_delivery SET status = 'cancelled', next_attempt_at = NULL, updated_at = now() WHERE subscription_id = $1 AND status IN ('pending', 'failed', 'batched')`, [before.id]);
  });
}

async function change(pool: pg.Pool, code: string, work: (client: pg.PoolClient, before: SubscriptionRow) => Promise<void>): Promise<SubscriptionChange> {
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<{ id: string }>('SELECT id FROM subscription WHERE code = $1 FOR UPDATE', [code]);
    if (!rows[0]) throw new SubscriptionAdminError(`no subscription ${code}`, 'NOT_FOUND');
    const before = (await findSubscription(client, code))!;
    await work(client, before);
    return { before, after: (await findSubscription(client, code))! };
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const whereSql = (conditions: string[]) => (conditions.length ? `WHERE ${conditions.join(' AND ')}` : '');

/** Rows after the cursor in (created_at DESC, id DESC) order of the table aliased `alias`. */
function afterSql(alias: string, cursor: string, params: unknown[]): string {
  const [createdAt, id] = decodeCursor(cursor);
  params.push(createdAt, id);
  return `(${alias}.created_at, ${alias}.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`;
}

/** Resends one dead letter; any other state is refused (a delivered one was received, an open one is still being tried). */
export async function resendDelivery(pool: pg.Pool, id: string): Promise<string[]> {
  const delivery = await findDelivery(pool, id);
  if (!delivery) throw new SubscriptionAdminError(`no delivery ${id}`, 'NOT_FOUND');
  if (delivery.status !== 'dead') throw new SubscriptionAdminError(`delivery ${id} is ${delivery.status}: only dead letters are resent`, 'CONFLICT');
  return resendDeadLetters(pool, { ids: [id] });
}

/** Checks a dead-letter filter and normalises its event type. */
async function deadLetterSelection(pool: pg.Pool, selection: Omit<DeliverySelection, 'ids'>): Promise<Omit<DeliverySelection, 'ids'>> {
  if (selection.subscriptionCode !== undefined && !(await findSubscription(pool, selection.subscriptionCode))) throw new SubscriptionAdminError(`no subscription ${selection.subscriptionCode}`, 'NOT_FOUND');
  if (selection.from && selection.to && selection.from >= selection.to) throw new SubscriptionAdminError('from must be before to', 'INVALID_INPUT');
  return { ...selection, ...(selection.eventType !== undefined ? { eventType: eventTypeOf(selection.eventType) } : {}) };
}

/** Every dead letter of one subscription, or matching a filter (sender, event type, when they died). */
export async function resendDeadLettersMatching(pool: pg.Pool, selection: Omit<DeliverySelection, 'ids'>): Promise<string[]> {
  return resendDeadLetters(pool, await deadLetterSelection(pool, selection));
}

/** How many dead letters `resendDeadLettersMatching(selection)` would resend now. */
export async function countDeadLettersMatching(pool: pg.Pool, selection: Omit<DeliverySelection, 'ids'>): Promise<number> {
  return countDeadLetters(pool, await deadLetterSelection(pool, selection));
}
