import type { TxnStatusRequest } from '@dci-server/dci';
import { transactionStatus } from '../transactions/txn-status.js';
import type { DciOperation } from './operations.js';

export const txnStatusOperation: DciOperation = {
  operation: 'txn_status',
  action: 'txn-status',
  responseAction: 'txn-on-status',
  callbackPath: 'txn/on-status',
  itemsField: 'txnstatus_request',
  syncPath: '/registry/sync/txn/status',
  asyncPath: '/registry/txn/status',
  job: 'dci-async-txn-status',
  async answer(ctx, { senderId, message, correlationId }) {
    const { transaction_id, txnstatus_request: request } = message as unknown as TxnStatusRequest;
    return {
      transaction_id,
      correlation_id: correlationId,
      txnstatus_response: { txn_type: request.txn_type, txn_status: await transactionStatus(ctx.db.pool, senderId, request) },
    };
  },
};
