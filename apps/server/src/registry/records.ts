/**
 * Registry rows → DCI Person / Member / Group records (the social-registry shapes of the spec's
 * SearchResponse example). The NDJSON import (record-input.ts) reads these same shapes back.
 */
import type { RecordKind } from '@dci-server/dci';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
/** One record of `reg_records`: a plain JSON object. */
export type DciRecord = { [key: string]: Json };

export interface IdentifierRow {
  identifier_type: string;
  identifier_value: string;
}

/** A person row as selected by search.ts (dates as `YYYY-MM-DD` text, identifiers aggregated). */
export interface PersonRow {
  id: string;
  given_name: string;
  surname: string;
  second_name: string | null;
  prefix: string | null;
  suffix: string | null;
  sex: string;
  birth_date: string | null;
  birth_place: string | null;
  death_date: string | null;
  marital_status: string | null;
  is_disabled: boolean;
  street_address: string | null;
  city: string | null;
  location: string | null;
  postal_code: string | null;
  country: string | null;
  phone_numbers: string[];
  emails: string[];
  registration_date: Date;
  last_updated: Date;
  identifiers: IdentifierRow[];
}

export interface MemberRow extends PersonRow {
  group_id: string;
  relationship: string;
}

export interface GroupRow {
  id: string;
  identifier_type: string;
  identifier_value: string;
  group_type: string;
  head_id: string | null;
  group_size: number;
  poverty_score: number | null;
  poverty_score_type: string | null;
  street_address: string | null;
  city: string | null;
  location: string | null;
  postal_code: string | null;
  country: string | null;
  latitude: number | null;
  longitude: number | null;
  registration_date: Date;
  last_updated: Date;
}

/** Top-level field names of each record kind, for field-level access rules. */
export const RECORD_FIELDS = {
  Person: ['identifier', 'name', 'sex', 'birth_date', 'birth_place', 'death_date', 'address', 'phone_number', 'email', 'marital_status', 'is_disabled', 'registration_date', 'last_updated'],
  Member: ['member_identifier', 'demographic_info', 'relationship', 'is_disabled', 'marital_status', 'registration_date'],
  Group: ['group_identifier', 'group_type', 'place', 'address', 'location', 'poverty_score', 'poverty_score_type', 'group_head_info', 'group_size', 'member_list', 'registration_date', 'last_updated'],
} as const satisfies Record<RecordKind | 'Member', readonly string[]>;

export function personRecord(row: PersonRow): DciRecord {
  return defined({
    '@type': 'Person',
    identifier: identifiers(row.identifiers),
    name: defined({ '@type': 'Name', given_name: row.given_name, surname: row.surname, second_name: row.second_name, prefix: row.prefix, suffix: row.suffix }),
    sex: row.sex,
    birth_date: row.birth_date,
    birth_place: row.birth_place,
    death_date: row.death_date,
    address: address(row, row.location),
    phone_number: nonEmpty(row.phone_numbers),
    email: nonEmpty(row.emails),
    marital_status: row.marital_status,
    is_disabled: row.is_disabled,
    registration_date: row.registration_date.toISOString(),
    last_updated: row.last_updated.toISOString(),
  });
}

export function memberRecord(row: MemberRow): DciRecord {
  return defined({
    '@type': 'Member',
    member_identifier: identifiers(row.identifiers),
    demographic_info: personRecord(row),
    relationship: row.relationship,
    is_disabled: row.is_disabled,
    marital_status: row.marital_status,
    registration_date: row.registration_date.toISOString(),
  });
}

/** `members` are this group's member rows, head first. */
export function groupRecord(row: GroupRow, members: readonly MemberRow[]): DciRecord {
  const head = members.find((m) => m.id === row.head_id);
  const geo = row.latitude === null || row.longitude === null ? undefined : { '@type': 'GeoCoordinates', latitude: row.latitude, longitude: row.longitude };
  return defined({
    '@type': 'Group',
    group_identifier: identifiers([row]),
    group_type: row.group_type,
    place: geo && { '@type': 'Place', geo },
    // Top-level like Person's, because that is where the import reads a group's address.
    address: address(row, null),
    location: row.location,
    poverty_score: row.poverty_score,
    poverty_score_type: row.poverty_score_type,
    group_head_info: head && memberRecord(head),
    group_size: row.group_size,
    member_list: members.map(memberRecord),
    registration_date: row.registration_date.toISOString(),
    last_updated: row.last_updated.toISOString(),
  });
}

type AddressRow = Pick<PersonRow, 'street_address' | 'city' | 'postal_code' | 'country'>;

/** Our `location` (region / district code) is the Address `region`. */
function address(row: AddressRow, region: string | null): DciRecord | undefined {
  const fields = { street_address: row.street_address, city: row.city, region, postal_code: row.postal_code, country: row.country };
  return Object.values(fields).some((v) => v !== null) ? defined({ '@type': 'Address', ...fields }) : undefined;
}

function identifiers(rows: readonly IdentifierRow[]): DciRecord[] {
  return rows.map((i) => ({ '@type': 'Identifier', identifier_type: i.identifier_type, identifier_value: i.identifier_value }));
}

function nonEmpty(list: readonly string[]): string[] | undefined {
  return list.length ? [...list] : undefined;
}

/** Records omit absent fields rather than sending nulls. A plain loop: this runs for every object of every answer. */
function defined(fields: Record<string, Json | undefined>): DciRecord {
  const record: DciRecord = {};
  for (const key in fields) {
    const value = fields[key];
    if (value !== null && value !== undefined) record[key] = value;
  }
  return record;
}
