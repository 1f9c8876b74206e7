import type { MsgHeader, RequestPath } from '@dci-server/dci';
import type { Sender } from '@dci-server/db';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AgreementTerms } from '../agreements/agreements.js';
import type { AppContext } from '../context.js';
import type { Operation } from '../senders/senders.js';

/** An authenticated, validated DCI request, as the operation handlers receive it. */
export interface DciCall<M = Record<string, unknown>> {
  ctx: AppContext;
  sender: Sender;
  header: MsgHeader;
  message: M;
  correlationId: string;
  /** The data-sharing agreement the request was admitted under. */
  agreement: AgreementTerms;
  /** Aborted when the client goes away before its answer is ready: the work stops. */
  signal: AbortSignal;
}

/** What a handler answers: a sync response message, or work to do after the ACK. */
export type HandlerResult =
  | { kind: 'sync'; message: Record<string, unknown>; totalCount: number }
  | { kind: 'async'; job: string; payload: Record<string, unknown>; totalCount: number }
  /**
   * A registry change (inbound notify): the pipeline applies it in the transaction that also writes
   * the audit record, so the two commit together or not at all; the answer is the acknowledgement.
   */
  | { kind: 'write'; apply(em: EntityManager): Promise<void> };

export interface DciEndpoint {
  path: string;
  /** The spec path whose request schema this endpoint's messages must follow. */
  schemaPath: RequestPath;
  operation: Operation;
  /** header.action the request must carry. */
  action: string;
  /** header.action of our answer (sync response or callback). */
  responseAction: string;
  /** Name of the array in the message whose length header.total_count must equal. */
  itemsField: string;
  /** Answers in the HTTP response, so bounded by the sync limits (items per request, requests in flight per sender). */
  sync?: boolean;
  /** Compact form: the body is translated into a standard, unsigned envelope first. */
  compact?: boolean;
  toEnvelope?: (body: unknown) => Record<string, unknown>;
  /** The handler answers with a registry write (`kind: 'write'`): its message_id is claimed in that write's transaction. */
  writes?: boolean;
  handle(call: DciCall): Promise<HandlerResult>;
}
