import { DciError } from '@dci-server/dci';
import type { Sender } from '@dci-server/db';
import type pg from 'pg';
import type { AppContext } from '../context.js';

/**
 * A sender's requests per minute: its own limit when one is set (0 = none), else the configured
 * default (RATE_LIMIT_PER_MINUTE, 0 = none).
 */
export const effectiveRateLimit = (sender: Pick<Sender, 'rateLimitPerMinute'>, defaultPerMinute: number): number => sender.rateLimitPerMinute ?? defaultPerMinute;

/** The limit in words, for operators: how many, and where it comes from. */
export function describeRateLimit(sender: Pick<Sender, 'rateLimitPerMinute'>, defaultPerMinute: number): string {
  const limit = effectiveRateLimit(sender, defaultPerMinute);
  const amount = limit ? `at most ${limit} request${limit === 1 ? '' : 's'} per minute` : 'no rate limit';
  return sender.rateLimitPerMinute === null || sender.rateLimitPerMinute === undefined ? `${amount} (the default, RATE_LIMIT_PER_MINUTE)` : `${amount} (set for this sender)`;
}

/**
 * Fixed one-minute windows counted in PostgreSQL, so the limit holds across all server
 * processes. Over the limit → err.rate_limited with the seconds to wait (sent as Retry-After).
 */
export async function enforceRateLimit(pool: pg.Pool, sender: Sender, defaultPerMinute: number, now = new Date()): Promise<void> {
  const limit = effectiveRateLimit(sender, defaultPerMinute);
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

/** Sync requests each sender has in flight, per running app (a test process runs several). */
const inFlight = new WeakMap<AppContext, Map<string, number>>();

/**
 * Fairness: a sender may have at most SYNC_MAX_IN_FLIGHT_PER_SENDER sync requests being answered
 * at once by this process, so one heavy sender cannot take every database connection and stall
 * the others. Beyond that → err.rate_limited with Retry-After. The slot is given back when the
 * response is done or the client has gone (`done` emits 'close').
 */
export function holdSyncSlot(ctx: AppContext, sender: Sender, done: { once(event: 'close', listener: () => void): unknown }): void {
  let counts = inFlight.get(ctx);
  if (!counts) inFlight.set(ctx, (counts = new Map()));
  const held = counts.get(sender.senderId) ?? 0;
  const max = ctx.config.sync.maxInFlightPerSender;
  if (held >= max) {
    throw new DciError('err.rate_limited', `Sender ${sender.senderId} already has ${held} sync requests in progress (at most ${max}); wait for them, or use the async endpoints`, { retryAfter: 1 });
  }
  counts.set(sender.senderId, held + 1);
  done.once('close', () => {
    const left = (counts.get(sender.senderId) ?? 1) - 1;
    if (left > 0) counts.set(sender.senderId, left);
    else counts.delete(sender.senderId);
  });
}
