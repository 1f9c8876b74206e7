import type { AppContext } from '../context.js';
import type { Operation } from '../senders/senders.js';
import type { DciCall, DciEndpoint, HandlerResult } from './call.js';
import { callbackUrl } from './callbacks.js';

/**
 * One DCI operation answered both ways: in the HTTP response (sync path), or after an ACK by a
 * job that POSTs the same answer to the sender's callback (async path).
 */
export interface DciOperation {
  operation: Operation;
  action: string;
  responseAction: string;
  /** Callback path suffix, e.g. `on-search` or `txn/on-status`. */
  callbackPath: string;
  itemsField: string;
  syncPath: string;
  asyncPath: string;
  job: string;
  answer(ctx: AppContext, senderId: string, message: Record<string, unknown>, correlationId: string): Promise<Record<string, unknown>>;
}

/** How many items a message carries (header.total_count). */
export function itemCount(op: DciOperation, message: Record<string, unknown>): number {
  const items = message[op.itemsField];
  return Array.isArray(items) ? items.length : 1;
}

const base = (op: DciOperation) => ({ operation: op.operation, action: op.action, responseAction: op.responseAction, itemsField: op.itemsField });

export function syncEndpoint(op: DciOperation): DciEndpoint {
  return {
    ...base(op),
    path: op.syncPath,
    async handle(call: DciCall): Promise<HandlerResult> {
      return { kind: 'sync', message: await op.answer(call.ctx, call.sender.senderId, call.message, call.correlationId), totalCount: itemCount(op, call.message) };
    },
  };
}

export function asyncEndpoint(op: DciOperation): DciEndpoint {
  return {
    ...base(op),
    path: op.asyncPath,
    async handle(call: DciCall): Promise<HandlerResult> {
      // The callback address is checked now, so a bad one is refused before the ACK.
      const target = callbackUrl(call.sender, call.header.sender_uri, op.callbackPath);
      return { kind: 'async', job: op.job, payload: { senderId: call.sender.senderId, callbackUrl: target, message: call.message }, totalCount: itemCount(op, call.message) };
    },
  };
}
