import { DataSharingAgreementSchema } from './agreements.js';
import { ServerKeySchema } from './keys.js';
import { GroupMembershipSchema, PersonIdentifierSchema, PersonSchema, RegistryGroupSchema } from './registry.js';
import { OAuthClientSchema, SenderKeySchema, SenderSchema } from './senders.js';
import { StaffUserSchema } from './staff.js';
import { DeliveryAttemptSchema, NotificationDeliverySchema, RegistryEventSchema, SubscriptionSchema } from './subscriptions.js';
import { DciTransactionSchema, MessageReceiptSchema } from './transactions.js';

export * from './agreements.js';
export * from './keys.js';
export * from './registry.js';
export * from './senders.js';
export * from './staff.js';
export * from './subscriptions.js';
export * from './transactions.js';

export const allEntities = [
  PersonSchema,
  PersonIdentifierSchema,
  RegistryGroupSchema,
  GroupMembershipSchema,
  SenderSchema,
  SenderKeySchema,
  OAuthClientSchema,
  DataSharingAgreementSchema,
  ServerKeySchema,
  DciTransactionSchema,
  MessageReceiptSchema,
  SubscriptionSchema,
  RegistryEventSchema,
  NotificationDeliverySchema,
  DeliveryAttemptSchema,
  StaffUserSchema,
];
