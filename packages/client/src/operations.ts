import { randomUUID } from 'node:crypto';

/** The DCI operations the client speaks: where each goes and how its message is shaped. */
export const OPERATIONS = {
  search: { syncPath: '/registry/sync/search', asyncPath: '/registry/search', action: 'search', itemsField: 'search_request', callbackAction: 'on-search' },
  verify: { syncPath: '/registry/sync/verify', asyncPath: '/registry/verify', action: 'verify', itemsField: 'verify_request', callbackAction: 'on-verify' },
  subscribe: { syncPath: '/registry/sync/subscribe', asyncPath: '/registry/subscribe', action: 'subscribe', itemsField: 'subscribe_request', callbackAction: 'on-subscribe' },
  unsubscribe: { syncPath: '/registry/sync/unsubscribe', asyncPath: '/registry/unsubscribe', action: 'unsubscribe', itemsField: 'subscription_codes', callbackAction: 'on-unsubscribe' },
  txnStatus: { syncPath: '/registry/sync/txn/status', asyncPath: '/registry/txn/status', action: 'txn-status', itemsField: 'txnstatus_request', callbackAction: 'txn-on-status' },
} as const;

export type OperationName = keyof typeof OPERATIONS;

export const DEFAULT_REG_TYPE = 'ns:org:RegistryType:Social';

/** The items of a request, each with a reference_id (given, or `ref-1`, `ref-2`, …) and a timestamp. */
export function items<K extends string, C>(field: K, criteria: readonly C[], referenceIds: readonly string[] = []) {
  const timestamp = new Date().toISOString();
  return criteria.map((c, i) => ({ reference_id: referenceIds[i] ?? `ref-${i + 1}`, timestamp, [field]: c }) as { reference_id: string; timestamp: string } & Record<K, C>);
}

export const newTransactionId = (): string => randomUUID();
