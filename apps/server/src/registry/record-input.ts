import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';

/** What the registry stores of one person, read from a DCI Person record. */
export interface PersonInput {
  identifiers: { type: string; value: string }[];
  givenName: string;
  surname: string;
  secondName?: string;
  prefix?: string;
  suffix?: string;
  sex: string;
  birthDate?: string;
  birthPlace?: string;
  deathDate?: string;
  maritalStatus?: string;
  isDisabled?: boolean;
  streetAddress?: string;
  city?: string;
  location?: string;
  postalCode?: string;
  country?: string;
  phoneNumbers: string[];
  emails: string[];
}

export interface MemberInput {
  person: PersonInput;
  relationship: string;
}

export interface GroupInput {
  identifier: { type: string; value: string };
  groupType: string;
  povertyScore?: number;
  povertyScoreType?: string;
  streetAddress?: string;
  city?: string;
  location?: string;
  postalCode?: string;
  country?: string;
  latitude?: number;
  longitude?: number;
  members: MemberInput[];
}

const identifier = {
  type: 'object',
  required: ['identifier_type', 'identifier_value'],
  properties: { identifier_type: { type: 'string', minLength: 1, maxLength: 64 }, identifier_value: { type: ['string', 'number'], minLength: 1, maxLength: 128 } },
};
const date = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}' };
const stringOrList = { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] };
const address = {
  type: 'object',
  properties: { street_address: { type: 'string' }, city: { type: 'string' }, region: { type: 'string' }, location: { type: 'string' }, postal_code: { type: ['string', 'number'] }, country: { type: 'string' } },
};
// Some DCI producers send one Address, others a list of them (we keep the first).
const addressOrList = { anyOf: [address, { type: 'string' }, { type: 'array', items: { anyOf: [address, { type: 'string' }] } }] };
const person = {
  type: 'object',
  required: ['identifier', 'name', 'sex'],
  properties: {
    identifier: { type: 'array', minItems: 1, items: identifier },
    name: {
      type: 'object',
      required: ['given_name', 'surname'],
      properties: { given_name: { type: 'string', minLength: 1 }, surname: { type: 'string', minLength: 1 }, second_name: { type: 'string' }, prefix: { type: 'string' }, suffix: { type: 'string' } },
    },
    sex: { type: 'string', enum: ['male', 'female', 'other', 'unknown'] },
    birth_date: date,
    death_date: date,
    birth_place: { type: 'string' },
    marital_status: { type: 'string' },
    is_disabled: { type: 'boolean' },
    address: addressOrList,
    phone_number: stringOrList,
    email: stringOrList,
  },
};
const member = {
  type: 'object',
  required: ['demographic_info'],
  properties: { demographic_info: person, relationship: { type: 'string' }, is_disabled: { type: 'boolean' }, marital_status: { type: 'string' } },
};
const group = {
  type: 'object',
  required: ['group_identifier', 'group_type', 'member_list'],
  properties: {
    group_identifier: { anyOf: [{ type: 'array', minItems: 1, items: identifier }, identifier] },
    group_type: { type: 'string', minLength: 1 },
    poverty_score: { type: 'number' },
    poverty_score_type: { type: 'string' },
    location: { type: 'string' },
    address: addressOrList,
    place: { type: 'object', properties: { geo: { type: 'object', properties: { latitude: { type: ['string', 'number'] }, longitude: { type: ['string', 'number'] } } } } },
    member_list: { type: 'array', items: member },
  },
};

const ajv = new Ajv({ allErrors: false, strict: false });
(addFormatsModule as unknown as (a: Ajv) => void)(ajv);
const validatePerson = ajv.compile(person);
const validateGroup = ajv.compile(group);

export type RecordInput = { kind: 'Person'; person: PersonInput } | { kind: 'Group'; group: GroupInput };

/** Reads one DCI Person or Group record (the spec's social-registry shapes); throws a readable message. */
export function parseRecord(value: unknown): RecordInput {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('a record must be a JSON object');
  const record = value as Record<string, unknown>;
  const type = String(record['@type'] ?? (record.group_identifier ? 'Group' : 'Person')).replace(/^.*:/, '');
  if (type === 'Group') {
    if (!validateGroup(record)) throw new Error(`Group ${describe(validateGroup.errors)}`);
    return { kind: 'Group', group: toGroup(record) };
  }
  if (!['Person', 'SRPerson', 'Member'].includes(type)) throw new Error(`unknown record @type "${type}" (expected Person or Group)`);
  const body = type === 'Member' ? (record.demographic_info as Record<string, unknown>) : record;
  if (!validatePerson(body)) throw new Error(`Person ${describe(validatePerson.errors)}`);
  return { kind: 'Person', person: toPerson(body) };
}

function describe(errors: ErrorObject[] | null | undefined): string {
  const e = errors?.[0];
  return e ? `${e.instancePath || 'record'} ${e.message}${e.params && 'allowedValues' in e.params ? ` (${(e.params.allowedValues as string[]).join(', ')})` : ''}` : 'is invalid';
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- validated by ajv above

const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);
const opt = (v: unknown): string | undefined => (v === undefined || v === null || v === '' ? undefined : String(v));

function addressOf(record: Json) {
  const given = Array.isArray(record.address) ? record.address[0] : record.address;
  const a = typeof given === 'string' ? { street_address: given } : (given ?? {});
  return { streetAddress: opt(a.street_address), city: opt(a.city), location: opt(record.location ?? a.region ?? a.location), postalCode: opt(a.postal_code), country: opt(a.country) };
}

function toPerson(p: Json, extra: Json = {}): PersonInput {
  return {
    identifiers: (p.identifier as Json[]).map((i) => ({ type: String(i.identifier_type), value: String(i.identifier_value) })),
    givenName: p.name.given_name,
    surname: p.name.surname,
    secondName: opt(p.name.second_name),
    prefix: opt(p.name.prefix),
    suffix: opt(p.name.suffix),
    sex: p.sex,
    birthDate: p.birth_date?.slice(0, 10),
    birthPlace: opt(p.birth_place),
    deathDate: p.death_date?.slice(0, 10),
    maritalStatus: opt(extra.marital_status ?? p.marital_status),
    isDisabled: extra.is_disabled ?? p.is_disabled,
    ...addressOf(p),
    phoneNumbers: list(p.phone_number),
    emails: list(p.email),
  };
}

function toGroup(g: Json): GroupInput {
  const id = Array.isArray(g.group_identifier) ? g.group_identifier[0] : g.group_identifier;
  const geo = g.place?.geo;
  return {
    identifier: { type: String(id.identifier_type), value: String(id.identifier_value) },
    groupType: g.group_type,
    povertyScore: g.poverty_score,
    povertyScoreType: opt(g.poverty_score_type),
    ...addressOf(g),
    latitude: geo?.latitude === undefined ? undefined : Number(geo.latitude),
    longitude: geo?.longitude === undefined ? undefined : Number(geo.longitude),
    members: (g.member_list as Json[]).map((m) => ({ person: toPerson(m.demographic_info, m), relationship: opt(m.relationship) ?? 'member' })),
  };
}
