import { DciError, type TxnStatusRequest } from '@dci-server/dci';
import { findAgreement } from '../agreements/agreements.js';
import { transactionStatus } from '../transactions/txn-status.js';
import { itemRejection } from './item-errors.js';
import type { DciOperation, OperationRequest } from './operations.js';

export const txnStatusOperation: DciOperation = {
  operation: 'txn_status',
  action: 'txn-status',
  responseAction: 'txn-on-status',
  callbackPath: 'txn/on-status',
  itemsField: 'txnstatus_request',
  syncPath: '/registry/sync/txn/status',
  asyncPath: '/registry/txn/status',
  job: 'dci-async-txn-status',
  async answer(ctx, request) {
    const { senderId, message, agreement: known } = request;
    const { txnstatus_request: query } = message as unknown as TxnStatusRequest;
    const agreement = known ?? (await findAgreement(ctx.db.pool, senderId));
    try {
      return txnStatusAnswer(request, await transactionStatus(ctx.db.pool, senderId, agreement, query));
    } catch (error) {
      if (!(error instanceof DciError)) throw error;
      return txnStatusRejection(request, error);
    }
  },
  reject: txnStatusRejection,
};

function txnStatusAnswer({ message, correlationId }: OperationRequest, txnStatus: unknown) {
  const { transaction_id, txnstatus_request: query } = message as unknown as TxnStatusRequest;
  return { transaction_id, correlation_id: correlationId, txnstatus_response: { txn_type: query.txn_type, txn_status: txnStatus } };
}

/**
 * A refused status query (e.g. a transaction we never saw) is still a status answer: the spec's
 * search-response shape with the query's item `rjct`, so the sender learns why in the usual place.
 */
function txnStatusRejection(request: OperationRequest, error: DciError) {
  const { transaction_id, txnstatus_request: query } = request.message as unknown as TxnStatusRequest;
  const asked = query.attribute_type === 'transaction_id' && typeof query.attribute_value === 'string' ? query.attribute_value : transaction_id;
  return txnStatusAnswer(request, {
    transaction_id: asked,
    correlation_id: request.correlationId,
    search_response: [{ reference_id: query.reference_id, timestamp: new Date().toISOString(), status: 'rjct', ...itemRejection(error, 'txn_status') }],
  });
}
