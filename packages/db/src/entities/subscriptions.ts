import { EntitySchema, type OptionalProps, type Ref } from '@mikro-orm/core';
import { timestamps, uuidPrimaryKey } from './common.js';
import type { Sender } from './senders.js';

/** A sender's standing request to be notified of registry events matching a filter. */
export interface Subscription {
  [OptionalProps]?: 'id' | 'createdAt' | 'updatedAt' | 'active' | 'consecutiveFailures';
  id: string;
  code: string;
  sender: Ref<Sender>;
  eventType: string;
  regType?: string | null;
  recordType: string;
  callbackUrl: string;
  filterType?: string | null;
  filter?: unknown;
  frequency?: Record<string, unknown> | null;
  active: boolean;
  /** Failed deliveries in a row; past the threshold deliveries pause until `pausedUntil`. */
  consecutiveFailures: number;
  pausedUntil?: Date | null;
  /** Paused by staff: nothing is sent (events still queue up) until resumed. */
  suspendedAt?: Date | null;
  lastDigestAt?: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export const SubscriptionSchema = new EntitySchema<Subscription>({
  name: 'Subscription',
  tableName: 'subscription',
  properties: {
    id: uuidPrimaryKey,
    code: { type: 'string', columnType: 'text', unique: true },
    sender: { kind: 'm:1', entity: 'Sender', ref: true, deleteRule: 'cascade', index: true },
    eventType: { type: 'string', columnType: 'text' },
    regType: { type: 'string', columnType: 'text', nullable: true },
    recordType: { type: 'string', columnType: 'text' },
    callbackUrl: { type: 'string', columnType: 'text' },
    filterType: { type: 'string', columnType: 'text', nullable: true },
    filter: { type: 'json', nullable: true },
    frequency: { type: 'json', nullable: true },
    active: { type: 'boolean', default: true },
    consecutiveFailures: { type: 'integer', default: 0 },
    pausedUntil: { type: 'Date', columnType: 'timestamptz', nullable: true },
    suspendedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    lastDigestAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    ...timestamps,
  },
  indexes: [{ properties: ['eventType', 'active'] }],
});

/** The transactional outbox: written in the same transaction as the registry change. */
export interface RegistryEvent {
  [OptionalProps]?: 'id' | 'createdAt';
  id: string;
  eventType: string;
  recordKind: string;
  recordId: string;
  payload?: Record<string, unknown> | null;
  createdAt: Date;
  matchedAt?: Date | null;
}

export const RegistryEventSchema = new EntitySchema<RegistryEvent>({
  name: 'RegistryEvent',
  tableName: 'registry_event',
  properties: {
    id: { type: 'bigint', primary: true, autoincrement: true },
    eventType: { type: 'string', columnType: 'text' },
    recordKind: { type: 'string', columnType: 'text' },
    recordId: { type: 'uuid' },
    payload: { type: 'json', nullable: true },
    createdAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
    matchedAt: { type: 'Date', columnType: 'timestamptz', nullable: true, index: true },
  },
});

/**
 * pending → delivered, or → failed (will retry) → … → dead (dead letter); cancelled when the
 * subscription ended; batched while waiting for a frequency subscription's next digest.
 */
export type DeliveryStatus = 'pending' | 'batched' | 'delivered' | 'failed' | 'dead' | 'cancelled';

/** One notification of one event to one subscription; the idempotency key makes matching re-runnable. */
export interface NotificationDelivery {
  [OptionalProps]?: 'id' | 'createdAt' | 'updatedAt' | 'status' | 'attempts';
  id: string;
  subscription: Ref<Subscription>;
  event: Ref<RegistryEvent>;
  idempotencyKey: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt?: Date | null;
  lastHttpStatus?: number | null;
  lastError?: string | null;
  deliveredAt?: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export const NotificationDeliverySchema = new EntitySchema<NotificationDelivery>({
  name: 'NotificationDelivery',
  tableName: 'notification_delivery',
  properties: {
    id: uuidPrimaryKey,
    subscription: { kind: 'm:1', entity: 'Subscription', ref: true, deleteRule: 'cascade', index: true },
    event: { kind: 'm:1', entity: 'RegistryEvent', ref: true, deleteRule: 'cascade', index: true },
    idempotencyKey: { type: 'string', columnType: 'text', unique: true },
    status: { type: 'string', columnType: 'text', default: 'pending' },
    attempts: { type: 'integer', default: 0 },
    nextAttemptAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    lastHttpStatus: { type: 'integer', nullable: true },
    lastError: { type: 'string', columnType: 'text', nullable: true },
    deliveredAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    ...timestamps,
  },
  indexes: [{ properties: ['status'] }],
});

/** Every attempt to deliver a notification, kept for operators. */
export interface DeliveryAttempt {
  [OptionalProps]?: 'id' | 'attemptedAt';
  id: string;
  delivery: Ref<NotificationDelivery>;
  attemptedAt: Date;
  httpStatus?: number | null;
  latencyMs?: number | null;
  /** The start of the receiver's answer, for diagnosis. */
  responseExcerpt?: string | null;
  error?: string | null;
  /** When the delivery was scheduled to be tried again after this attempt; null when it was not. */
  nextAttemptAt?: Date | null;
}

export const DeliveryAttemptSchema = new EntitySchema<DeliveryAttempt>({
  name: 'DeliveryAttempt',
  tableName: 'delivery_attempt',
  properties: {
    id: { type: 'bigint', primary: true, autoincrement: true },
    delivery: { kind: 'm:1', entity: 'NotificationDelivery', ref: true, deleteRule: 'cascade', index: true },
    attemptedAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
    httpStatus: { type: 'integer', nullable: true },
    latencyMs: { type: 'integer', nullable: true },
    responseExcerpt: { type: 'string', columnType: 'text', nullable: true },
    error: { type: 'string', columnType: 'text', nullable: true },
    nextAttemptAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
  },
});
