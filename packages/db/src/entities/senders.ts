import { EntitySchema, type OptionalProps, type Ref } from '@mikro-orm/core';
import { timestamps, uuidPrimaryKey } from './common.js';

/** An external system allowed to call the DCI API (the sender registry). */
export interface Sender {
  [OptionalProps]?: 'id' | 'createdAt' | 'updatedAt' | 'active' | 'allowedOperations' | 'preferredScheme' | 'allowedCallbackOrigins' | 'allowUnsigned' | 'allowLoopbackCallbacks';
  id: string;
  senderId: string;
  name: string;
  description?: string | null;
  contact?: string | null;
  active: boolean;
  allowedOperations: string[];
  senderUri?: string | null;
  preferredScheme: string;
  allowedCallbackOrigins: string[];
  /** Loopback/private callback targets are refused unless this is set (demo sender, tests). */
  allowLoopbackCallbacks: boolean;
  /** Accept messages without a signature; the console flags such senders in red. */
  allowUnsigned: boolean;
  rateLimitPerMinute?: number | null;
  /** How we authenticate our notifications to this sender; secrets are sealed (AES-256-GCM). */
  notifyAuth?: NotifyAuth | null;
  createdAt: Date;
  updatedAt: Date;
}

export type NotifyAuth = { type: 'bearer'; tokenSealed: string } | { type: 'oauth2'; tokenUrl: string; clientId: string; clientSecretSealed: string; scope?: string };

export const SenderSchema = new EntitySchema<Sender>({
  name: 'Sender',
  tableName: 'sender',
  properties: {
    id: uuidPrimaryKey,
    senderId: { type: 'string', columnType: 'text', unique: true },
    name: { type: 'string', columnType: 'text' },
    description: { type: 'string', columnType: 'text', nullable: true },
    contact: { type: 'string', columnType: 'text', nullable: true },
    active: { type: 'boolean', default: true },
    allowedOperations: { type: 'string[]', columnType: 'text[]', defaultRaw: "'{}'" },
    senderUri: { type: 'string', columnType: 'text', nullable: true },
    preferredScheme: { type: 'string', columnType: 'text', default: 'dci-signature' },
    allowedCallbackOrigins: { type: 'string[]', columnType: 'text[]', defaultRaw: "'{}'" },
    allowLoopbackCallbacks: { type: 'boolean', default: false },
    allowUnsigned: { type: 'boolean', default: false },
    rateLimitPerMinute: { type: 'integer', nullable: true },
    notifyAuth: { type: 'json', nullable: true },
    ...timestamps,
  },
});

/** A public key a sender signs its messages with. */
export interface SenderKey {
  [OptionalProps]?: 'id' | 'createdAt' | 'revoked';
  id: string;
  sender: Ref<Sender>;
  keyId: string;
  algorithm: string;
  publicJwk: Record<string, unknown>;
  fingerprint: string;
  notBefore?: Date | null;
  notAfter?: Date | null;
  revoked: boolean;
  createdAt: Date;
}

export const SenderKeySchema = new EntitySchema<SenderKey>({
  name: 'SenderKey',
  tableName: 'sender_key',
  properties: {
    id: uuidPrimaryKey,
    sender: { kind: 'm:1', entity: 'Sender', ref: true, deleteRule: 'cascade' },
    keyId: { type: 'string', columnType: 'text' },
    algorithm: { type: 'string', columnType: 'text' },
    publicJwk: { type: 'json' },
    fingerprint: { type: 'string', columnType: 'text' },
    notBefore: { type: 'Date', columnType: 'timestamptz', nullable: true },
    notAfter: { type: 'Date', columnType: 'timestamptz', nullable: true },
    revoked: { type: 'boolean', default: false },
    createdAt: timestamps.createdAt,
  },
  uniques: [{ properties: ['sender', 'keyId'] }],
});

/** OAuth2 client credentials of a sender; the secret is stored only as a slow hash. */
export interface OAuthClient {
  [OptionalProps]?: 'id' | 'createdAt' | 'updatedAt' | 'active';
  id: string;
  clientId: string;
  sender: Ref<Sender>;
  secretHash: string;
  active: boolean;
  /** When it last obtained a token. */
  lastUsedAt?: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export const OAuthClientSchema = new EntitySchema<OAuthClient>({
  name: 'OAuthClient',
  tableName: 'oauth_client',
  properties: {
    id: uuidPrimaryKey,
    clientId: { type: 'string', columnType: 'text', unique: true },
    sender: { kind: 'm:1', entity: 'Sender', ref: true, deleteRule: 'cascade', index: true },
    secretHash: { type: 'string', columnType: 'text' },
    active: { type: 'boolean', default: true },
    lastUsedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    ...timestamps,
  },
});
