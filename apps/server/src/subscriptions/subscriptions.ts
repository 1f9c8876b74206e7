import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DciError, resolveRecordKind, translateFilter, type FilterNode, type RecordKind } from '@dci-server/dci';
import { SubscriptionSchema, type Sender, type Subscription } from '@dci-server/db';
import { authorizeQuestion, type AgreementScope } from '../agreements/authorize.js';
import { checkFrequency, type Frequency } from '../notifications/schedule.js';
import { normalizeEventType } from './event-types.js';

export interface SubscribeCriteria {
  reg_type?: string;
  reg_event_type: string;
  frequency?: Record<string, unknown>;
  filter_type?: string;
  filter?: unknown;
  notify_record_type: string;
}

/** Subscription codes are what senders hold on to: short, unguessable, stable. */
function newCode(): string {
  return `SUB-${randomBytes(10).toString('base64url').toUpperCase().replace(/[^A-Z0-9]/g, 'X')}`;
}

/**
 * Creates a subscription of `sender` to one event type, notified at `callbackUrl`. The filter is
 * checked now with the search query language (same whitelist) and against the sender's agreement
 * like a search (a notification is the answer to the filter's question), so a bad one is refused at once.
 */
export async function subscribe(em: EntityManager, sender: Sender, agreement: AgreementScope, criteria: SubscribeCriteria, callbackUrl: string): Promise<Subscription> {
  const eventType = normalizeEventType(criteria.reg_event_type);
  let recordKind: RecordKind;
  try {
    recordKind = resolveRecordKind(criteria.notify_record_type);
  } catch (error) {
    throw new DciError('rjct.notify_details.invalid', (error as Error).message);
  }
  const filter = criteria.filter === undefined || isEmptyFilter(criteria.filter) ? MATCH_ALL : translateFilter(recordKind, criteria.filter_type ?? 'expression', criteria.filter);
  authorizeQuestion(agreement, recordKind, filter);
  if (criteria.frequency) {
    try {
      checkFrequency(criteria.frequency as unknown as Frequency);
    } catch (error) {
      throw new DciError('rjct.notify_details.invalid', (error as Error).message);
    }
  }
  const existing = await em.findOne(SubscriptionSchema, { sender, eventType, recordType: recordKind, callbackUrl, active: true });
  if (existing && JSON.stringify(existing.filter ?? null) === JSON.stringify(criteria.filter ?? null)) {
    throw new DciError('rjct.event.already_subscribed', `Already subscribed to ${eventType} with this filter as ${existing.code}`);
  }
  const subscription = em.create(SubscriptionSchema, {
    code: newCode(),
    sender,
    eventType,
    regType: criteria.reg_type ?? null,
    recordType: recordKind,
    callbackUrl,
    filterType: criteria.filter_type ?? null,
    filter: criteria.filter ?? null,
    frequency: criteria.frequency ?? null,
  });
  await em.flush();
  return subscription;
}

const MATCH_ALL: FilterNode = { kind: 'and', clauses: [] };

function isEmptyFilter(filter: unknown): boolean {
  return filter === null || (typeof filter === 'object' && Object.keys(filter).length === 0);
}

/** Ends the sender's own subscriptions; unknown codes or other senders' codes refuse the whole request. */
export async function unsubscribe(em: EntityManager, sender: Sender, codes: string[]): Promise<Subscription[]> {
  const found = await em.find(SubscriptionSchema, { code: { $in: codes }, sender });
  const missing = codes.filter((code) => !found.some((s) => s.code === code));
  if (missing.length) throw new DciError('rjct.subscription_code.invalid', `Unknown subscription codes for ${sender.senderId}: ${missing.join(', ')}`);
  for (const subscription of found) subscription.active = false;
  await em.flush();
  return found;
}

/** The spec's SubscriptionInfo for one subscription. */
export function subscriptionInfo(subscription: Subscription) {
  return {
    code: subscription.code,
    status: subscription.active ? 'subscribe' : 'unsubscribe',
    timestamp: subscription.updatedAt.toISOString(),
    ...(subscription.regType ? { reg_type: subscription.regType } : {}),
    reg_event_type: subscription.eventType,
    ...(subscription.frequency ? { frequency: subscription.frequency } : {}),
    ...(subscription.filterType ? { filter_type: subscription.filterType } : {}),
    ...(subscription.filter ? { filter: subscription.filter } : {}),
    notify_record_type: subscription.recordType,
  };
}
