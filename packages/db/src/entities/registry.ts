import { EntitySchema, type OptionalProps, type Ref } from '@mikro-orm/core';
import { timestamps, uuidPrimaryKey } from './common.js';

/** A registered individual, shaped after the DCI social-registry `SRPerson`. */
export interface Person {
  [OptionalProps]?: 'id' | 'createdAt' | 'updatedAt' | 'isDisabled' | 'registrationDate' | 'lastUpdated';
  id: string;
  givenName: string;
  surname: string;
  secondName?: string | null;
  prefix?: string | null;
  suffix?: string | null;
  sex: string;
  birthDate?: string | null;
  birthPlace?: string | null;
  deathDate?: string | null;
  maritalStatus?: string | null;
  isDisabled: boolean;
  streetAddress?: string | null;
  city?: string | null;
  location?: string | null;
  postalCode?: string | null;
  country?: string | null;
  phoneNumbers: string[];
  emails: string[];
  extra?: Record<string, unknown> | null;
  registrationDate: Date;
  lastUpdated: Date;
  createdAt: Date;
  updatedAt: Date;
}

export const PersonSchema = new EntitySchema<Person>({
  name: 'Person',
  tableName: 'person',
  properties: {
    id: uuidPrimaryKey,
    givenName: { type: 'string', columnType: 'text' },
    surname: { type: 'string', columnType: 'text' },
    secondName: { type: 'string', columnType: 'text', nullable: true },
    prefix: { type: 'string', columnType: 'text', nullable: true },
    suffix: { type: 'string', columnType: 'text', nullable: true },
    sex: { type: 'string', columnType: 'text' },
    birthDate: { type: 'string', columnType: 'date', nullable: true },
    birthPlace: { type: 'string', columnType: 'text', nullable: true },
    deathDate: { type: 'string', columnType: 'date', nullable: true },
    maritalStatus: { type: 'string', columnType: 'text', nullable: true },
    isDisabled: { type: 'boolean', default: false },
    streetAddress: { type: 'string', columnType: 'text', nullable: true },
    city: { type: 'string', columnType: 'text', nullable: true },
    location: { type: 'string', columnType: 'text', nullable: true },
    postalCode: { type: 'string', columnType: 'text', nullable: true },
    country: { type: 'string', columnType: 'text', nullable: true },
    phoneNumbers: { type: 'string[]', columnType: 'text[]', defaultRaw: "'{}'" },
    emails: { type: 'string[]', columnType: 'text[]', defaultRaw: "'{}'" },
    extra: { type: 'json', nullable: true },
    registrationDate: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
    lastUpdated: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
    ...timestamps,
  },
  indexes: [
    { properties: ['surname', 'givenName'] },
    { properties: ['birthDate'] },
    { properties: ['location'] },
    { properties: ['lastUpdated'] },
  ],
});

/** An identifier of a person (UIN, BRN, NationalID, MOBILE…); one value per type is unique. */
export interface PersonIdentifier {
  [OptionalProps]?: 'id';
  id: string;
  person: Ref<Person>;
  identifierType: string;
  identifierValue: string;
}

export const PersonIdentifierSchema = new EntitySchema<PersonIdentifier>({
  name: 'PersonIdentifier',
  tableName: 'person_identifier',
  properties: {
    id: { type: 'bigint', primary: true, autoincrement: true },
    person: { kind: 'm:1', entity: 'Person', ref: true, deleteRule: 'cascade', index: true },
    identifierType: { type: 'string', columnType: 'text' },
    identifierValue: { type: 'string', columnType: 'text' },
  },
  uniques: [{ properties: ['identifierType', 'identifierValue'] }],
});

/** A household or other group of persons, shaped after the DCI social-registry `Group`. */
export interface RegistryGroup {
  [OptionalProps]?: 'id' | 'createdAt' | 'updatedAt' | 'groupSize' | 'registrationDate' | 'lastUpdated';
  id: string;
  identifierType: string;
  identifierValue: string;
  groupType: string;
  head?: Ref<Person> | null;
  groupSize: number;
  povertyScore?: number | null;
  povertyScoreType?: string | null;
  streetAddress?: string | null;
  city?: string | null;
  location?: string | null;
  postalCode?: string | null;
  country?: string | null;
  latitude?: number | null;
  longitude?: number | null;
  extra?: Record<string, unknown> | null;
  registrationDate: Date;
  lastUpdated: Date;
  createdAt: Date;
  updatedAt: Date;
}

export const RegistryGroupSchema = new EntitySchema<RegistryGroup>({
  name: 'RegistryGroup',
  tableName: 'registry_group',
  properties: {
    id: uuidPrimaryKey,
    identifierType: { type: 'string', columnType: 'text' },
    identifierValue: { type: 'string', columnType: 'text' },
    groupType: { type: 'string', columnType: 'text' },
    head: { kind: 'm:1', entity: 'Person', ref: true, nullable: true, deleteRule: 'set null', index: true },
    groupSize: { type: 'integer', default: 0 },
    povertyScore: { type: 'double', columnType: 'double precision', nullable: true },
    povertyScoreType: { type: 'string', columnType: 'text', nullable: true },
    streetAddress: { type: 'string', columnType: 'text', nullable: true },
    city: { type: 'string', columnType: 'text', nullable: true },
    location: { type: 'string', columnType: 'text', nullable: true },
    postalCode: { type: 'string', columnType: 'text', nullable: true },
    country: { type: 'string', columnType: 'text', nullable: true },
    latitude: { type: 'double', columnType: 'double precision', nullable: true },
    longitude: { type: 'double', columnType: 'double precision', nullable: true },
    extra: { type: 'json', nullable: true },
    registrationDate: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
    lastUpdated: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
    ...timestamps,
  },
  uniques: [{ properties: ['identifierType', 'identifierValue'] }],
  indexes: [{ properties: ['location'] }, { properties: ['povertyScore'] }, { properties: ['groupSize'] }, { properties: ['lastUpdated'] }],
});

/** A person's membership of a group, with the relationship to the group head. */
export interface GroupMembership {
  [OptionalProps]?: 'isHead';
  group: Ref<RegistryGroup>;
  person: Ref<Person>;
  relationship: string;
  isHead: boolean;
}

export const GroupMembershipSchema = new EntitySchema<GroupMembership>({
  name: 'GroupMembership',
  tableName: 'group_membership',
  properties: {
    group: { kind: 'm:1', entity: 'RegistryGroup', ref: true, primary: true, deleteRule: 'cascade' },
    person: { kind: 'm:1', entity: 'Person', ref: true, primary: true, deleteRule: 'cascade', index: true },
    relationship: { type: 'string', columnType: 'text' },
    isHead: { type: 'boolean', default: false },
  },
});
