/**
 * The whitelist of searchable attributes, one registry per record kind. Only
 * these names ever reach the database layer, which maps each one to SQL.
 */
import { DciError } from '../errors.js';
import type { CmpOp, RecordKind } from './ast.js';

export type ValueType = 'string' | 'number' | 'date' | 'boolean';

export interface AttributeDef {
  readonly type: ValueType;
  readonly ops: readonly CmpOp[];
  readonly sortable: boolean;
  /** Allowed values (matched case-insensitively, stored lower-case). */
  readonly values?: readonly string[];
}

const EQUALITY: readonly CmpOp[] = ['eq', 'ne', 'in', 'nin'];
const ORDERED: readonly CmpOp[] = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'nin'];
const BOOLEAN: readonly CmpOp[] = ['eq', 'ne'];
/** Operators allowed on identifier attributes (UIN, BRN, ...). */
export const IDENTIFIER_OPS: readonly CmpOp[] = ['eq', 'in'];

const text = (sortable = false): AttributeDef => ({ type: 'string', ops: EQUALITY, sortable });
const date = (): AttributeDef => ({ type: 'date', ops: ORDERED, sortable: true });
const number = (sortable = true): AttributeDef => ({ type: 'number', ops: ORDERED, sortable });
const flag = (): AttributeDef => ({ type: 'boolean', ops: BOOLEAN, sortable: false });

const PERSON_ATTRIBUTES: Readonly<Record<string, AttributeDef>> = {
  given_name: text(true),
  surname: text(true),
  second_name: text(),
  sex: { type: 'string', ops: EQUALITY, sortable: false, values: ['male', 'female', 'other', 'unknown'] },
  birth_date: date(),
  death_date: date(),
  registration_date: date(),
  last_updated: date(),
  /** Derived from birth_date by the database layer. */
  age: number(),
  /** Year of birth. */
  YOB: number(),
  is_alive: flag(),
  is_disabled: flag(),
  marital_status: text(),
  /** Region / district code. */
  location: text(true),
  city: text(true),
  postal_code: text(true),
  country: text(true),
};

const GROUP_ATTRIBUTES: Readonly<Record<string, AttributeDef>> = {
  group_identifier: { type: 'string', ops: IDENTIFIER_OPS, sortable: false },
  group_type: text(),
  poverty_score: number(),
  poverty_score_type: text(),
  group_size: number(),
  location: text(true),
  postal_code: text(true),
  city: text(true),
  country: text(true),
  registration_date: date(),
  last_updated: date(),
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
