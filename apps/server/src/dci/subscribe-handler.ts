import { DciError } from '@dci-server/dci';
import { SenderSchema } from '@dci-server/db';
import { findAgreement } from '../agreements/agreements.js';
import type { AppContext } from '../context.js';
import { subscribe, subscriptionInfo, unsubscribe, type SubscribeCriteria } from '../subscriptions/subscriptions.js';
import { callbackUrl } from './callbacks.js';
import { itemRejection } from './item-errors.js';
import type { DciOperation, OperationRequest } from './operations.js';

interface SubscribeItem {
  reference_id: string;
  subscribe_criteria: SubscribeCriteria;
  locale?: string;
}

async function senderOf(ctx: AppContext, request: OperationRequest) {
  const em = ctx.db.orm.em.fork();
  return { em, sender: await em.findOneOrFail(SenderSchema, { senderId: request.senderId }) };
}

export const subscribeOperation: DciOperation = {
  operation: 'subscribe',
  action: 'subscribe',
  responseAction: 'on-subscribe',
  callbackPath: 'on-subscribe',
  itemsField: 'subscribe_request',
  syncPath: '/registry/sync/subscribe',
  asyncPath: '/registry/subscribe',
  job: 'dci-async-subscribe',
  async answer(ctx, request) {
    const { transaction_id, subscribe_request } = request.message as { transaction_id: string; subscribe_request: SubscribeItem[] };
    const { em, sender } = await senderOf(ctx, request);
    const agreement = request.agreement ?? (await findAgreement(ctx.db.pool, request.senderId));
    const items = [];
    for (const item of subscribe_request) {
      const base = { reference_id: item.reference_id, timestamp: new Date().toISOString() };
      try {
        // Notifications go to header.sender_uri (or the registered URI), checked like any callback.
        const subscription = await subscribe(em, sender, agreement, item.subscribe_criteria, callbackUrl(sender, request.senderUri, 'notify'));
        items.push({ ...base, status: 'succ', subscriptions: [subscriptionInfo(subscription)] });
      } catch (error) {
        if (!(error instanceof DciError)) throw error;
        items.push({ ...base, status: 'rjct', ...itemRejection(error, 'subscribe') });
      }
    }
    return { transaction_id, correlation_id: request.correlationId, subscribe_response: items };
  },
  reject({ message, correlationId }, error) {
    const { transaction_id, subscribe_request } = message as { transaction_id: string; subscribe_request: SubscribeItem[] };
    const timestamp = new Date().toISOString();
    return { transaction_id, correlation_id: correlationId, subscribe_response: subscribe_request.map((item) => ({ reference_id: item.reference_id, timestamp, status: 'rjct', ...itemRejection(error, 'subscribe') })) };
  },
};

export const unsubscribeOperation: DciOperation = {
  operation: 'unsubscribe',
  action: 'unsubscribe',
  responseAction: 'on-unsubscribe',
  callbackPath: 'on-unsubscribe',
  itemsField: 'subscription_codes',
  syncPath: '/registry/sync/unsubscribe',
  asyncPath: '/registry/unsubscribe',
  job: 'dci-async-unsubscribe',
  async answer(ctx, request) {
    const { transaction_id, subscription_codes } = request.message as { transaction_id: string; subscription_codes: string[] };
    const { em, sender } = await senderOf(ctx, request);
    const base = { transaction_id, correlation_id: request.correlationId, timestamp: new Date().toISOString() };
    try {
      const ended = await unsubscribe(em, sender, subscription_codes);
      return { ...base, status: 'succ', subscription_status: ended.map((s) => ({ code: s.code, status: 'unsubscribe' })) };
    } catch (error) {
      if (!(error instanceof DciError)) throw error;
      return unsubscribeRejection(request, error);
    }
  },
  reject: unsubscribeRejection,
};

function unsubscribeRejection({ message, correlationId }: OperationRequest, error: DciError) {
  const { transaction_id } = message as { transaction_id: string };
  return { transaction_id, correlation_id: correlationId, timestamp: new Date().toISOString(), status: 'rjct', status_reason_code: 'rjct.subscription_code.invalid', status_reason_message: error.message.slice(0, 999) };
}
