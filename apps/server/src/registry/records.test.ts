import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRecord, type GroupInput, type PersonInput } from './record-input.js';
import { groupRecord, personRecord, RECORD_FIELDS, type GroupRow, type MemberRow, type PersonRow } from './records.js';

const stamp = new Date('2024-03-04T05:06:07.089Z');

const personRow = (uin: string, fields: Partial<PersonRow> = {}): PersonRow => ({
  id: `id-${uin}`,
  given_name: 'Ada',
  surname: 'Lovelace',
  second_name: null,
  prefix: null,
  suffix: null,
  sex: 'female',
  birth_date: '1990-02-03',
  birth_place: null,
  death_date: null,
  marital_status: null,
  is_disabled: false,
  street_address: null,
  city: null,
  location: null,
  postal_code: null,
  country: null,
  phone_numbers: [],
  emails: [],
  registration_date: stamp,
  last_updated: stamp,
  identifiers: [{ identifier_type: 'UIN', identifier_value: uin }],
  ...fields,
});

const fullPerson = personRow('1001', {
  second_name: 'Augusta',
  prefix: 'Ms.',
  suffix: 'Jr.',
  birth_place: 'London',
  death_date: '2020-05-06',
  marital_status: 'married',
  is_disabled: true,
  street_address: '1 Main St',
  city: 'Riverside',
  location: 'central_region',
  postal_code: '10001',
  country: 'TZ',
  phone_numbers: ['+255700000001', '+255700000002'],
  emails: ['ada@example.org'],
  identifiers: [
    { identifier_type: 'UIN', identifier_value: '1001' },
    { identifier_type: 'NationalID', identifier_value: 'NID-1001' },
  ],
});

const fullPersonInput: PersonInput = {
  identifiers: [
    { type: 'UIN', value: '1001' },
    { type: 'NationalID', value: 'NID-1001' },
  ],
  givenName: 'Ada',
  surname: 'Lovelace',
  secondName: 'Augusta',
  prefix: 'Ms.',
  suffix: 'Jr.',
  sex: 'female',
  birthDate: '1990-02-03',
  birthPlace: 'London',
  deathDate: '2020-05-06',
  maritalStatus: 'married',
  isDisabled: true,
  streetAddress: '1 Main St',
  city: 'Riverside',
  location: 'central_region',
  postalCode: '10001',
  country: 'TZ',
  phoneNumbers: ['+255700000001', '+255700000002'],
  emails: ['ada@example.org'],
};

const groupRow: GroupRow = {
  id: 'g',
  identifier_type: 'HouseholdID',
  identifier_value: 'HH-1',
  group_type: 'household',
  head_id: 'id-1001',
  group_size: 2,
  poverty_score: 31.5,
  poverty_score_type: 'PMT',
  street_address: '1 Main St',
  city: 'Riverside',
  location: 'central_region',
  postal_code: '10001',
  country: 'TZ',
  latitude: -6.5,
  longitude: 35.25,
  registration_date: stamp,
  last_updated: stamp,
};

test('a Person record follows the spec shape and omits absent fields', () => {
  assert.deepEqual(personRecord(fullPerson), {
    '@type': 'Person',
    identifier: [
      { '@type': 'Identifier', identifier_type: 'UIN', identifier_value: '1001' },
      { '@type': 'Identifier', identifier_type: 'NationalID', identifier_value: 'NID-1001' },
    ],
    name: { '@type': 'Name', given_name: 'Ada', surname: 'Lovelace', second_name: 'Augusta', prefix: 'Ms.', suffix: 'Jr.' },
    sex: 'female',
    birth_date: '1990-02-03',
    birth_place: 'London',
    death_date: '2020-05-06',
    address: { '@type': 'Address', street_address: '1 Main St', city: 'Riverside', region: 'central_region', postal_code: '10001', country: 'TZ' },
    phone_number: ['+255700000001', '+255700000002'],
    email: ['ada@example.org'],
    marital_status: 'married',
    is_disabled: true,
    registration_date: '2024-03-04T05:06:07.089Z',
    last_updated: '2024-03-04T05:06:07.089Z',
  });
  assert.deepEqual(personRecord(personRow('7')), {
    '@type': 'Person',
    identifier: [{ '@type': 'Identifier', identifier_type: 'UIN', identifier_value: '7' }],
    name: { '@type': 'Name', given_name: 'Ada', surname: 'Lovelace' },
    sex: 'female',
    birth_date: '1990-02-03',
    is_disabled: false,
    registration_date: '2024-03-04T05:06:07.089Z',
    last_updated: '2024-03-04T05:06:07.089Z',
  });
});

test('every top-level field a record can have is listed in RECORD_FIELDS', () => {
  const keys = (r: object) => Object.keys(r).filter((k) => k !== '@type');
  const person = personRecord(fullPerson);
  assert.deepEqual(keys(person).sort(), [...RECORD_FIELDS.Person].sort());
  const member: MemberRow = { ...fullPerson, group_id: 'g', relationship: 'head' };
  const group = groupRecord(groupRow, [member]);
  assert.deepEqual(keys(group).sort(), [...RECORD_FIELDS.Group].sort());
  assert.deepEqual(keys(group.group_head_info as object).sort(), [...RECORD_FIELDS.Member].sort());
});

test('a shaped Person parses back through the import reader unchanged', () => {
  assert.deepEqual(parseRecord(personRecord(fullPerson)), { kind: 'Person', person: fullPersonInput });
});

test('a shaped Group (with members and head) parses back through the import reader unchanged', () => {
  const child: MemberRow = { ...personRow('1002', { given_name: 'Kid', birth_date: '2015-01-01', marital_status: 'single' }), group_id: 'g', relationship: 'child' };
  const members: MemberRow[] = [{ ...fullPerson, group_id: 'g', relationship: 'head' }, child];
  const record = groupRecord(groupRow, members);
  assert.deepEqual(record.group_head_info, (record.member_list as object[])[0]);
  assert.deepEqual(record.place, { '@type': 'Place', geo: { '@type': 'GeoCoordinates', latitude: -6.5, longitude: 35.25 } });

  const expected: GroupInput = {
    identifier: { type: 'HouseholdID', value: 'HH-1' },
    groupType: 'household',
    povertyScore: 31.5,
    povertyScoreType: 'PMT',
    streetAddress: '1 Main St',
    city: 'Riverside',
    location: 'central_region',
    postalCode: '10001',
    country: 'TZ',
    latitude: -6.5,
    longitude: 35.25,
    members: [
      { person: fullPersonInput, relationship: 'head' },
      {
        person: { identifiers: [{ type: 'UIN', value: '1002' }], givenName: 'Kid', surname: 'Lovelace', secondName: undefined, prefix: undefined, suffix: undefined, sex: 'female', birthDate: '2015-01-01', birthPlace: undefined, deathDate: undefined, maritalStatus: 'single', isDisabled: false, streetAddress: undefined, city: undefined, location: undefined, postalCode: undefined, country: undefined, phoneNumbers: [], emails: [] },
        relationship: 'child',
      },
    ],
  };
  assert.deepEqual(parseRecord(record), { kind: 'Group', group: expected });
});
