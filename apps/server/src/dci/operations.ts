import { isRequestPath, type DciError, type RequestPath } from '@dci-server/dci';
import type { AgreementTerms } from '../agreements/agreements.js';
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
  asyncPath: RequestPath;
  job: string;
  answer(ctx: AppContext, request: OperationRequest): Promise<Record<string, unknown>>;
  /**
   * The answer when the whole request is refused after the ACK (e.g. the agreement ended in
   * between): every item `rjct` with the error's reason, so the sender still gets its callback.
   */
  reject(request: OperationRequest, error: DciError): Record<string, unknown>;
  /** Async only: parts of the answer too large for one message, sent before it (`records` counts progress). */
  stream?(ctx: AppContext, request: OperationRequest, send: (message: Record<string, unknown>, records: number) => Promise<void>): Promise<void>;
  /** How many records `stream` will send for this answer (progress: completed_count of total_count). */
  streamTotal?(answer: Record<string, unknown>): number;
}

/** What an answer is computed from, in the request (sync) or later in the job (async). */
export interface OperationRequest {
  senderId: string;
  /** header.sender_uri as sent (subscriptions keep it as their notification address). */
  senderUri: string | null;
  message: Record<string, unknown>;
  correlationId: string;
  mode: 'sync' | 'async';
  /** Known on the sync path; the async job looks it up again (it may have changed since the ACK). */
  agreement?: AgreementTerms;
  /** Sync path: aborted when the client has gone, so the remaining work is skipped. */
  signal?: AbortSignal;
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
    sync: true,
    // Our sync variants of async-only spec paths (e.g. subscribe) follow the async path's schema.
    schemaPath: isRequestPath(op.syncPath) ? op.syncPath : op.asyncPath,
    async handle(call: DciCall): Promise<HandlerResult> {
      const request = { senderId: call.sender.senderId, senderUri: call.header.sender_uri ?? null, message: call.message, correlationId: call.correlationId, mode: 'sync' as const, agreement: call.agreement, signal: call.signal };
      return { kind: 'sync', message: await op.answer(call.ctx, request), totalCount: itemCount(op, call.message) };
    },
  };
}

export function asyncEndpoint(op: DciOperation): DciEndpoint {
  return {
    ...base(op),
    path: op.asyncPath,
    schemaPath: op.asyncPath,
    async handle(call: DciCall): Promise<HandlerResult> {
      // The callback address is checked now, so a bad one is refused before the ACK.
      const target = callbackUrl(call.sender, call.header.sender_uri, op.callbackPath);
      return { kind: 'async', job: op.job, payload: { senderId: call.sender.senderId, senderUri: call.header.sender_uri ?? null, callbackUrl: target, message: call.message }, totalCount: itemCount(op, call.message) };
    },
  };
}
