import { DciError, ON_VERIFY_ACTION, VERIFY_ACTION, type VerifyRequest, type VerifyRequestItem, type VerifyResponseItem } from '@dci-server/dci';
import type { AppContext } from '../context.js';
import { verifyIdentity } from '../registry/verify.js';
import type { DciEndpoint, HandlerResult } from './call.js';
import { callbackPayload } from './search-handler.js';

/** Our verify extension: per claim true / false / unknown, never the record itself. */
async function answerVerifyItem(ctx: AppContext, item: VerifyRequestItem): Promise<VerifyResponseItem> {
  const base = { reference_id: item.reference_id, timestamp: new Date().toISOString() };
  try {
    const { claims } = await verifyIdentity(ctx.db.pool, item.verify_criteria.identifier, item.verify_criteria.claims);
    return { ...base, status: 'succ', data: { claims } };
  } catch (error) {
    if (!(error instanceof DciError)) throw error;
    return { ...base, status: 'rjct', status_reason_code: 'rjct.verify_criteria.invalid', status_reason_message: error.message };
  }
}

export async function answerVerify(ctx: AppContext, message: VerifyRequest, correlationId: string) {
  const items: VerifyResponseItem[] = [];
  for (const item of message.verify_request) items.push(await answerVerifyItem(ctx, item));
  return { transaction_id: message.transaction_id, correlation_id: correlationId, verify_response: items };
}

export const syncVerify: DciEndpoint = {
  path: '/registry/sync/verify',
  operation: 'verify',
  action: VERIFY_ACTION,
  responseAction: ON_VERIFY_ACTION,
  itemsField: 'verify_request',
  async handle(call): Promise<HandlerResult> {
    const message = call.message as unknown as VerifyRequest;
    return { kind: 'sync', message: await answerVerify(call.ctx, message, call.correlationId), totalCount: message.verify_request.length };
  },
};

export const asyncVerify: DciEndpoint = {
  ...syncVerify,
  path: '/registry/verify',
  async handle(call): Promise<HandlerResult> {
    const message = call.message as unknown as VerifyRequest;
    return { kind: 'async', job: 'dci-async-verify', payload: callbackPayload(call, message, ON_VERIFY_ACTION), totalCount: message.verify_request.length };
  },
};
