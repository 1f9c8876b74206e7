import { DciError } from '@dci-server/dci';
import type { Sender } from '@dci-server/db';
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
