import { EntitySchema, type OptionalProps } from '@mikro-orm/core';
import { uuidPrimaryKey } from './common.js';

/**
 * One audit record per call to the DCI API, accepted or not. The request and response columns
 * are written once; async progress lives in the separate columns below them. The table is
 * partitioned by month of `createdAt` (its primary key in the database is (id, created_at)).
 */
export interface DciTransaction {
  [OptionalProps]?: 'id' | 'createdAt' | 'completedCount' | 'chunksSent';
  id: string;
  transactionId?: string | null;
  messageId?: string | null;
  correlationId?: string | null;
  senderId?: string | null;
  operation: string;
  endpoint: string;
  request?: unknown;
  /** Hex SHA-256 of the request body as received. */
  requestSha256?: string | null;
  response?: unknown;
  httpStatus: number;
  dciStatus: string;
  reasonCode?: string | null;
  durationMs: number;
  clientAddress?: string | null;
  createdAt: Date;
  // Async progress (the only columns updated after the call).
  asyncStatus?: string | null;
  completedCount: number;
  totalCount?: number | null;
  callbackStatus?: string | null;
  callbackAttempts?: number | null;
  callbackError?: string | null;
  completedAt?: Date | null;
  result?: unknown;
  chunksSent: number;
  // Tamper evidence: set once by the sealer (apps/server/src/transactions/audit-chain.ts).
  chainSeq?: string | null;
  chainPrev?: string | null;
  chainHash?: string | null;
}

export const DciTransactionSchema = new EntitySchema<DciTransaction>({
  name: 'DciTransaction',
  tableName: 'dci_transaction',
  properties: {
    id: uuidPrimaryKey,
    transactionId: { type: 'string', columnType: 'text', nullable: true },
    messageId: { type: 'string', columnType: 'text', nullable: true },
    correlationId: { type: 'string', columnType: 'text', nullable: true, index: true },
    senderId: { type: 'string', columnType: 'text', nullable: true },
    operation: { type: 'string', columnType: 'text' },
    endpoint: { type: 'string', columnType: 'text' },
    request: { type: 'json', nullable: true },
    requestSha256: { type: 'string', columnType: 'text', nullable: true },
    response: { type: 'json', nullable: true },
    httpStatus: { type: 'integer' },
    dciStatus: { type: 'string', columnType: 'text' },
    reasonCode: { type: 'string', columnType: 'text', nullable: true },
    durationMs: { type: 'integer' },
    clientAddress: { type: 'string', columnType: 'text', nullable: true },
    createdAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
    asyncStatus: { type: 'string', columnType: 'text', nullable: true },
    completedCount: { type: 'integer', default: 0 },
    totalCount: { type: 'integer', nullable: true },
    callbackStatus: { type: 'string', columnType: 'text', nullable: true },
    callbackAttempts: { type: 'integer', nullable: true },
    callbackError: { type: 'string', columnType: 'text', nullable: true },
    completedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    result: { type: 'json', nullable: true },
    chunksSent: { type: 'integer', default: 0 },
    chainSeq: { type: 'bigint', nullable: true },
    chainPrev: { type: 'string', columnType: 'text', nullable: true },
    chainHash: { type: 'string', columnType: 'text', nullable: true },
  },
  indexes: [
    { properties: ['senderId', 'transactionId'] },
    { properties: ['senderId', 'messageId'] },
    { properties: ['createdAt'] },
  ],
});

/** Replay protection: a (sender, message_id) pair is accepted once, enforced by the primary key. */
export interface MessageReceipt {
  [OptionalProps]?: 'receivedAt';
  senderId: string;
  messageId: string;
  receivedAt: Date;
}

export const MessageReceiptSchema = new EntitySchema<MessageReceipt>({
  name: 'MessageReceipt',
  tableName: 'message_receipt',
  properties: {
    senderId: { type: 'string', columnType: 'text', primary: true },
    messageId: { type: 'string', columnType: 'text', primary: true },
    receivedAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
  },
});
