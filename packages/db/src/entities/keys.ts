import { EntitySchema, type OptionalProps } from '@mikro-orm/core';
import { uuidPrimaryKey } from './common.js';

export type ServerKeyState = 'pending' | 'active' | 'retiring' | 'retired';

/** A signing key of this server; the private part is encrypted at rest (AES-256-GCM). */
export interface ServerKey {
  [OptionalProps]?: 'id' | 'createdAt' | 'state';
  id: string;
  kid: string;
  algorithm: string;
  state: ServerKeyState;
  publicJwk: Record<string, unknown>;
  privateKeyEncrypted: string;
  createdAt: Date;
  activatedAt?: Date | null;
  retiringAt?: Date | null;
  retiredAt?: Date | null;
}

export const ServerKeySchema = new EntitySchema<ServerKey>({
  name: 'ServerKey',
  tableName: 'server_key',
  properties: {
    id: uuidPrimaryKey,
    kid: { type: 'string', columnType: 'text', unique: true },
    algorithm: { type: 'string', columnType: 'text' },
    state: { type: 'string', columnType: 'text', default: 'pending' },
    publicJwk: { type: 'json' },
    privateKeyEncrypted: { type: 'string', columnType: 'text', lazy: true },
    createdAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
    activatedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    retiringAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    retiredAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
  },
});
