import { EntitySchema, type OptionalProps, type Ref } from '@mikro-orm/core';
import { timestamps, uuidPrimaryKey } from './common.js';
import type { Sender } from './senders.js';

/** How one record field is shared: as is, not at all, masked, or derived (e.g. birth year). */
export interface FieldRule {
  field: string;
  action: 'allow' | 'deny' | 'mask' | 'derive';
  keepLast?: number;
  derive?: string;
}

/** A data-sharing agreement: what a sender may ask for and which fields it may see. */
export interface DataSharingAgreement {
  [OptionalProps]?: 'id' | 'createdAt' | 'updatedAt' | 'active' | 'allowedRegTypes' | 'allowedRecordTypes' | 'allowedQueryTypes' | 'allowedAttributes' | 'fieldRules';
  id: string;
  sender: Ref<Sender>;
  name: string;
  purpose: string;
  legalBasis?: string | null;
  validFrom?: Date | null;
  validTo?: Date | null;
  active: boolean;
  allowedRegTypes: string[];
  allowedRecordTypes: string[];
  allowedQueryTypes: string[];
  allowedAttributes: string[];
  maxPageSize?: number | null;
  dailyQuota?: number | null;
  fieldRules: FieldRule[];
  createdAt: Date;
  updatedAt: Date;
}

export const DataSharingAgreementSchema = new EntitySchema<DataSharingAgreement>({
  name: 'DataSharingAgreement',
  tableName: 'data_sharing_agreement',
  properties: {
    id: uuidPrimaryKey,
    sender: { kind: 'm:1', entity: 'Sender', ref: true, deleteRule: 'cascade', index: true },
    name: { type: 'string', columnType: 'text' },
    purpose: { type: 'string', columnType: 'text' },
    legalBasis: { type: 'string', columnType: 'text', nullable: true },
    validFrom: { type: 'Date', columnType: 'timestamptz', nullable: true },
    validTo: { type: 'Date', columnType: 'timestamptz', nullable: true },
    active: { type: 'boolean', default: true },
    allowedRegTypes: { type: 'string[]', columnType: 'text[]', defaultRaw: "'{}'" },
    allowedRecordTypes: { type: 'string[]', columnType: 'text[]', defaultRaw: "'{}'" },
    allowedQueryTypes: { type: 'string[]', columnType: 'text[]', defaultRaw: "'{}'" },
    allowedAttributes: { type: 'string[]', columnType: 'text[]', defaultRaw: "'{}'" },
    maxPageSize: { type: 'integer', nullable: true },
    dailyQuota: { type: 'integer', nullable: true },
    fieldRules: { type: 'json', defaultRaw: "'[]'" },
    ...timestamps,
  },
});
