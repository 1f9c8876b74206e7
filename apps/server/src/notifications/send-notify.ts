import type { RecordKind } from '@dci-server/dci';
import type { Sender } from '@dci-server/db';
import { findAgreement } from '../agreements/agreements.js';
import { applyFieldRules } from '../agreements/apply-field-rules.js';
import type { AppContext } from '../context.js';
import { responseHeader, signFor } from '../dci/responses.js';
import { DEFAULT_REG_TYPE } from '../dci/search-handler.js';
import { policyFor } from '../outbound/address-policy.js';
import { postJson, type PostResult } from '../outbound/post-json.js';
import { recordsByIds, type Queryable } from '../registry/search.js';
import { SENDER_COLUMNS } from '../senders/sender-auth.js';
import { authorizationFor } from './outbound-auth.js';

export interface NotifyTarget {
  code: string;
  callbackUrl: string;
  regType: string | null;
  recordType: RecordKind;
  senderUuid: string;
}

export interface NotifyEvent {
  id: string;
  eventType: string;
  recordId: string;
  createdAt: Date;
}

/** Sends one signed notify envelope carrying the given events to the prepared target. */
export type NotifySender = (events: readonly NotifyEvent[]) => Promise<PostResult>;

/**
 * Loads once what notifications to one target need (the subscriber, its agreement, the current
 * records of `events`, the authorization header), then sends envelopes of any subset of those
 * events: one (a delivery) or many (a digest), each record as the subscriber's agreement lets it
 * see it, each envelope signed once. Throws when the target cannot be notified at all.
 */
export async function prepareNotify(ctx: AppContext, db: Queryable, target: NotifyTarget, events: readonly NotifyEvent[]): Promise<NotifySender> {
  const { rows } = await db.query<Sender>(`SELECT ${SENDER_COLUMNS} FROM sender s WHERE s.id = $1`, [target.senderUuid]);
  const sender = rows[0];
  if (!sender) throw new Error(`sender ${target.senderUuid} no longer exists`);
  const agreement = await findAgreement(db, sender.senderId);
  const records = await recordsByIds(db, target.recordType, events.map((e) => e.recordId));
  const authorization = await authorizationFor(sender, ctx.masterKey);
  const headers: Record<string, string> = authorization ? { authorization } : {};
  const policy = policyFor(sender, target.callbackUrl);
  return async (subset) => {
    const message = {
      // The subscription code and the event id identify a notification; receivers may dedupe on the pair.
      transaction_id: target.code,
      notify_event: subset.map((event) => {
        const record = records.get(event.recordId);
        if (!record) throw new Error(`record ${event.recordId} no longer exists`);
        return {
          reference_id: String(event.id),
          timestamp: event.createdAt.toISOString(),
          data: { version: '1.0.0', reg_type: target.regType ?? DEFAULT_REG_TYPE, reg_event_type: event.eventType, reg_record_type: target.recordType, reg_records: applyFieldRules(agreement, record) },
        };
      }),
    };
    const envelope = await signFor(ctx, sender, responseHeader(ctx, sender, 'notify', subset.length), message);
    const answer = await postJson(target.callbackUrl, envelope, policy, headers);
    return authorization ? withoutCredential(answer, authorization) : answer;
  };
}

/** A receiver may echo what we sent it: the credential we presented never reaches our logs or delivery attempts. */
function withoutCredential(answer: PostResult, authorization: string): PostResult {
  const credential = authorization.replace(/^\S+\s+/, '');
  return answer.body?.includes(credential) ? { ...answer, body: answer.body.replaceAll(credential, '[redacted]') } : answer;
}

/** POSTs one signed notify envelope carrying `events`; returns the receiver's answer, throws when nothing could be sent. */
export async function sendNotify(ctx: AppContext, target: NotifyTarget, events: readonly NotifyEvent[]): Promise<PostResult> {
  return (await prepareNotify(ctx, ctx.db.pool, target, events))(events);
}

/** How much of a receiver's answer each attempt keeps: enough to read an error message. */
export const RESPONSE_EXCERPT_CHARS = 500;

export const responseExcerpt = (body: string | undefined): string | null => (body ? body.slice(0, RESPONSE_EXCERPT_CHARS) : null);
