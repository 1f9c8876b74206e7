/**
 * The whitelist of searchable attributes, one registry per record kind. Only
 * these names ever reach the database layer, which maps each one to SQL.
 */
import { DciError } from '../errors.js';
import type { CmpOp, RecordKind } from './ast.js';

export type ValueType = 'string' | 'number' | 'date' | 'boolean';

export type ValueDerivation = 'year' | 'age';

export interface AttributeDef {
  readonly type: ValueType;
  readonly ops: readonly CmpOp[];
  readonly sortable: boolean;
  /** Allowed values (matched case-insensitively, stored lower-case). */
  readonly values?: readonly string[];
  /**
   * The field of the DCI record the attribute reads (dotted path, as field rules name it), so that
   * a data-sharing agreement hiding the field also refuses questions about it.
   */
  readonly field: string;
  /** Set when the attribute is a derivation of `field` rather than the field itself (age, YOB). */
  readonly derivation?: ValueDerivation;
}

const EQUALITY: readonly CmpOp[] = ['eq', 'ne', 'in', 'nin'];
const ORDERED: readonly CmpOp[] = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'nin'];
const BOOLEAN: readonly CmpOp[] = ['eq', 'ne'];
/** Operators allowed on identifier attributes (UIN, BRN, ...). */
export const IDENTIFIER_OPS: readonly CmpOp[] = ['eq', 'in'];

const text = (field: string, sortable = false): AttributeDef => ({ type: 'string', ops: EQUALITY, sortable, field });
const date = (field: string): AttributeDef => ({ type: 'date', ops: ORDERED, sortable: true, field });
const number = (field: string, derivation?: ValueDerivation): AttributeDef => ({ type: 'number', ops: ORDERED, sortable: true, field, ...(derivation ? { derivation } : {}) });
const flag = (field: string): AttributeDef => ({ type: 'boolean', ops: BOOLEAN, sortable: false, field });

const PERSON_ATTRIBUTES: Readonly<Record<string, AttributeDef>> = {
  given_name: text('name.given_name', true),
  surname: text('name.surname', true),
  second_name: text('name.second_name'),
  sex: { type: 'string', ops: EQUALITY, sortable: false, values: ['male', 'female', 'other', 'unknown'], field: 'sex' },
  birth_date: date('birth_date'),
  death_date: date('death_date'),
  registration_date: date('registration_date'),
  last_updated: date('last_updated'),
  /** Derived from birth_date by the database layer. */
  age: number('birth_date', 'age'),
  /** Year of birth. */
  YOB: number('birth_date', 'year'),
  /** The absence of a death date: reads death_date. */
  is_alive: flag('death_date'),
  is_disabled: flag('is_disabled'),
  marital_status: text('marital_status'),
  /** Region / district code: the Address `region`. */
  location: text('address.region', true),
  city: text('address.city', true),
  postal_code: text('address.postal_code', true),
  country: text('address.country', true),
};

const GROUP_ATTRIBUTES: Readonly<Record<string, AttributeDef>> = {
  group_identifier: { type: 'string', ops: IDENTIFIER_OPS, sortable: false, field: 'group_identifier' },
  group_type: text('group_type'),
  poverty_score: number('poverty_score'),
  poverty_score_type: text('poverty_score_type'),
  group_size: number('group_size'),
  location: text('location', true),
  postal_code: text('address.postal_code', true),
  city: text('address.city', true),
  country: text('address.country', true),
  registration_date: date('registration_date'),
  last_updated: date('last_updated'),
};

const ATTRIBUTES: Readonly<Record<RecordKind, Readonly<Record<string, AttributeDef>>>> = {
  Person: PERSON_ATTRIBUTES,
  Group: GROUP_ATTRIBUTES,
};

/** Identifier types usable in idtype-value queries and, for Person, as expression attributes. */
export const IDENTIFIER_TYPES: Readonly<Record<RecordKind, readonly string[]>> = {
  Person: ['UIN', 'BRN', 'NationalID', 'MOBILE'],
  Group: ['NationalID'],
};

/** The record field holding the identifiers an identifier match reads (a list of {identifier_type, identifier_value}). */
export const IDENTIFIER_FIELDS: Readonly<Record<RecordKind, string>> = { Person: 'identifier', Group: 'group_identifier' };

export type AttributeLookup = { identifier: true; idType: string } | { identifier: false; name: string; def: AttributeDef };

export function attributesOf(kind: RecordKind): Readonly<Record<string, AttributeDef>> {
  return ATTRIBUTES[kind];
}

/** Finds an expression / predicate attribute or throws rjct.attribute.invalid. */
export function lookupAttribute(kind: RecordKind, name: string): AttributeLookup {
  if (kind === 'Person' && IDENTIFIER_TYPES.Person.includes(name)) return { identifier: true, idType: name };
  const registry = ATTRIBUTES[kind];
  const def = Object.hasOwn(registry, name) ? registry[name] : undefined;
  if (!def) {
    throw new DciError('rjct.attribute.invalid', `Unknown attribute '${name.slice(0, 64)}' for ${kind} records`);
  }
  return { identifier: false, name, def };
}

/** Matches an identifier type case-insensitively and returns its registry spelling. */
export function canonicalIdType(kind: RecordKind, type: string): string | undefined {
  const lower = type.toLowerCase();
  return IDENTIFIER_TYPES[kind].find((t) => t.toLowerCase() === lower);
}

const RECORD_KINDS: Readonly<Record<string, RecordKind>> = {
  person: 'Person',
  srperson: 'Person',
  member: 'Person',
  group: 'Group',
};

/** `Person`, `SRPerson`, `Member` → Person; `Group` → Group; case-insensitive, namespace prefix ignored. */
export function resolveRecordKind(name: string): RecordKind {
  const local = name.slice(name.lastIndexOf(':') + 1).toLowerCase();
  const kind = Object.hasOwn(RECORD_KINDS, local) ? RECORD_KINDS[local] : undefined;
  if (!kind) throw new DciError('rjct.record_type.invalid', `Unknown record type '${name.slice(0, 64)}' (use Person, SRPerson, Member or Group)`);
  return kind;
}
