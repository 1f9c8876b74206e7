import type { TxnStatusRequest } from '@dci-server/dci';
import type { AppContext } from '../context.js';
import { transactionStatus } from '../transactions/txn-status.js';
import type { DciEndpoint, HandlerResult } from './call.js';
import { callbackPayload } from './search-handler.js';

export async function answerTxnStatus(ctx: AppContext, senderId: string, message: TxnStatusRequest, correlationId: string) {
  const request = message.txnstatus_request;
  return {
    transaction_id: message.transaction_id,
    correlation_id: correlationId,
    txnstatus_response: { txn_type: request.txn_type, txn_status: await transactionStatus(ctx.db.pool, senderId, request) },
  };
}

export const syncTxnStatus: DciEndpoint = {
  path: '/registry/sync/txn/status',
  operation: 'txn_status',
  action: 'txn-status',
  responseAction: 'txn-on-status',
  itemsField: 'txnstatus_request',
  async handle(call): Promise<HandlerResult> {
    const message = call.message as unknown as TxnStatusRequest;
    return { kind: 'sync', message: await answerTxnStatus(call.ctx, call.sender.senderId, message, call.correlationId), totalCount: 1 };
  },
};

export const asyncTxnStatus: DciEndpoint = {
  ...syncTxnStatus,
  path: '/registry/txn/status',
  async handle(call): Promise<HandlerResult> {
    return { kind: 'async', job: 'dci-async-txn-status', payload: callbackPayload(call, call.message, 'txn/on-status'), totalCount: 1 };
  },
};
