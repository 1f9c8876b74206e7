import { translateFilter, type RecordKind } from '@dci-server/dci';
import type { Task } from 'graphile-worker';
import { findAgreement, type AgreementTerms } from '../agreements/agreements.js';
import { authorizeQuestion } from '../agreements/authorize.js';
import type { AppContext } from '../context.js';
import { withTransaction } from '../database.js';
import { idsMatching } from '../registry/search.js';
import { scheduleBatches } from './delivery.js';

const BATCH = 500;

interface EventRow {
  id: string;
  event_type: string;
  record_kind: RecordKind;
  record_id: string;
}

interface SubscriptionRow {
  id: string;
  sender_id: string;
  batched: boolean;
  event_type: string;
  record_type: RecordKind;
  filter_type: string | null;
  filter: unknown;
}

/**
 * Turns outbox events into deliveries: one per (subscription, event) whose filter matches the
 * record, keyed so that re-running never duplicates. Events are locked while matched (SKIP LOCKED:
 * several workers share the work) and marked matched in the same transaction as their deliveries.
 */
export function matchRegistryEvents(ctx: AppContext): Task {
  return async () => {
    while ((await matchBatch(ctx)) === BATCH);
  };
}

async function matchBatch(ctx: AppContext): Promise<number> {
  return withTransaction(ctx.db.pool, async (client) => {
    const { rows: events } = await client.query<EventRow>(
      `SELECT id, event_type, record_kind, record_id FROM registry_event WHERE matched_at IS NULL ORDER BY id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
    );
    if (events.length) {
      const { rows: subscriptions } = await client.query<SubscriptionRow>(
        `SELECT s.id, x.sender_id, s.event_type, s.record_type, s.filter_type, s.filter, s.frequency IS NOT NULL AS batched
         FROM subscription s JOIN sender x ON x.id = s.sender_id WHERE s.active AND s.event_type = ANY($1)`,
        [[...new Set(events.map((e) => e.event_type))]],
      );
      const pairs: { subscription: string; event: string; status: string }[] = [];
      const agreements = new Map<string, Promise<AgreementTerms>>();
      const agreementOf = (senderId: string) => {
        let agreement = agreements.get(senderId);
        if (!agreement) agreements.set(senderId, (agreement = findAgreement(ctx.db.pool, senderId)));
        return agreement;
      };
      for (const subscription of subscriptions) {
        const candidates = events.filter((e) => e.event_type === subscription.event_type && e.record_kind === subscription.record_type);
        const matching = await matchingRecords(ctx, subscription, candidates.map((e) => e.record_id), agreementOf);
        for (const event of candidates) if (matching.has(event.record_id)) pairs.push({ subscription: subscription.id, event: event.id, status: subscription.batched ? 'batched' : 'pending' });
      }
      const { rows: created } = await client.query<{ id: string; status: string }>(
        `INSERT INTO notification_delivery (subscription_id, event_id, idempotency_key, status)
         SELECT s, e, s || ':' || e, st FROM unnest($1::uuid[], $2::bigint[], $3::text[]) AS pair(s, e, st)
         ON CONFLICT (idempotency_key) DO NOTHING RETURNING id, status`,
        [pairs.map((p) => p.subscription), pairs.map((p) => p.event), pairs.map((p) => p.status)],
      );
      // Batched deliveries wait for their subscription's digest instead of a job.
      await scheduleBatches(client, created.filter((d) => d.status === 'pending').map((d) => d.id));
      await client.query('UPDATE registry_event SET matched_at = now() WHERE id = ANY($1::bigint[])', [events.map((e) => e.id)]);
    }
    return events.length;
  });
}

async function matchingRecords(ctx: AppContext, subscription: SubscriptionRow, ids: string[], agreementOf: (senderId: string) => Promise<AgreementTerms>): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const filter = subscription.filter;
  if (filter === null || filter === undefined || (typeof filter === 'object' && !Array.isArray(filter) && !Object.keys(filter).length)) return new Set(ids);
  try {
    const compiled = translateFilter(subscription.record_type, subscription.filter_type ?? 'expression', filter);
    // Checked at subscribe time, and again now: a field denied since must not be revealed by which events match.
    authorizeQuestion(await agreementOf(subscription.sender_id), subscription.record_type, compiled);
    return await idsMatching(ctx.db.pool, subscription.record_type, compiled, ids);
  } catch (error) {
    // A filter that no longer translates, or that the agreement no longer allows, matches nothing.
    ctx.logger.warn({ err: error, subscription: subscription.id }, 'subscription filter no longer valid');
    return new Set();
  }
}
