import { EntitySchema, type OptionalProps } from '@mikro-orm/core';
import { timestamps, uuidPrimaryKey } from './common.js';

/** A person who manages the server through the console or GraphQL. */
export interface StaffUser {
  [OptionalProps]?: 'id' | 'createdAt' | 'updatedAt' | 'active' | 'role';
  id: string;
  email: string;
  name: string;
  passwordHash: string;
  role: string;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export const StaffUserSchema = new EntitySchema<StaffUser>({
  name: 'StaffUser',
  tableName: 'staff_user',
  properties: {
    id: uuidPrimaryKey,
    email: { type: 'string', columnType: 'text', unique: true },
    name: { type: 'string', columnType: 'text' },
    passwordHash: { type: 'string', columnType: 'text' },
    role: { type: 'string', columnType: 'text', default: 'admin' },
    active: { type: 'boolean', default: true },
    ...timestamps,
  },
});
