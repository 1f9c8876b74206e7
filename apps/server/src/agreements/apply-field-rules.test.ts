import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FieldRule } from '@dci-server/db';
import type { DciRecord } from '../registry/records.js';
import { applyFieldRules } from './apply-field-rules.js';

const NOW = new Date('2025-06-01T12:00:00Z');

const person = (uin: string, birthDate: string): DciRecord => ({
  '@type': 'Person',
  identifier: [
    { '@type': 'Identifier', identifier_type: 'UIN', identifier_value: uin },
    { '@type': 'Identifier', identifier_type: 'NationalID', identifier_value: `NID-${uin}` },
  ],
  name: { '@type': 'Name', given_name: 'Ada', surname: 'Lovelace', second_name: 'Augusta', suffix: 'Jr.' },
  sex: 'female',
  birth_date: birthDate,
  address: { '@type': 'Address', street_address: '1 Main St', city: 'Riverside', region: 'central_region', postal_code: '10001', country: 'TZ' },
  phone_number: ['+255700000001', '+255700000002'],
  marital_status: 'married',
  is_disabled: true,
  registration_date: '2024-03-04T05:06:07.089Z',
});

const member = (uin: string, birthDate: string, relationship: string): DciRecord => ({
  '@type': 'Member',
  member_identifier: (person(uin, birthDate).identifier as DciRecord[]).map((i) => ({ ...i })),
  demographic_info: person(uin, birthDate),
  relationship,
  is_disabled: true,
  marital_status: 'married',
});

const group = (): DciRecord => ({
  '@type': 'Group',
  group_identifier: [{ '@type': 'Identifier', identifier_type: 'HouseholdID', identifier_value: 'HH-12345' }],
  group_type: 'household',
  address: { '@type': 'Address', street_address: '1 Main St', city: 'Riverside', postal_code: '10001', country: 'TZ' },
  location: 'central_region',
  poverty_score: 31.5,
  group_head_info: member('1001', '1990-02-03', 'head'),
  group_size: 2,
  member_list: [member('1001', '1990-02-03', 'head'), member('2002', '2015-07-01', 'child')],
});

const apply = (record: DciRecord, ...fieldRules: FieldRule[]) => applyFieldRules({ fieldRules }, record, NOW);

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) Object.values(value).forEach(deepFreeze);
  return Object.freeze(value);
}

test('without rules every field is shared, in a copy of the record', () => {
  for (const record of [member('1001', '1990-02-03', 'head'), group()]) assert.deepEqual(apply(record), record);
  const input = person('1001', '1990-02-03');
  const output = apply(input);
  assert.deepEqual(output, input);
  (output.name as DciRecord).given_name = 'changed';
  assert.equal((input.name as DciRecord).given_name, 'Ada');
});

/** Every object and array inside `value` (itself included). */
function objectsIn(value: unknown, found = new Set<object>()): Set<object> {
  if (typeof value === 'object' && value !== null) {
    found.add(value);
    Object.values(value).forEach((item) => objectsIn(item, found));
  }
  return found;
}

test('the answer shares no object with the input, whatever the rules (no rules, allow-lists, masks, derived values shared again)', () => {
  const ruleSets: FieldRule[][] = [
    [],
    [{ field: 'Group.poverty_score', action: 'deny' }],
    [{ field: 'Person.sex', action: 'deny' }],
    [{ field: '*', action: 'deny' }, { field: 'name', action: 'allow' }, { field: 'identifier', action: 'mask' }, { field: 'member_list', action: 'allow' }, { field: 'group_head_info', action: 'allow' }],
    [{ field: 'birth_date', action: 'derive', derive: 'age' }, { field: 'address.city', action: 'deny' }],
  ];
  const derived = apply(person('1001', '1990-02-03'), { field: 'birth_date', action: 'derive', derive: 'age' });
  const inputs = [person('1001', '1990-02-03'), member('1001', '1990-02-03', 'head'), group(), derived, JSON.parse('{"@type":"Person","__proto__":{"x":1},"sex":"female"}') as DciRecord];
  for (const [i, rules] of ruleSets.entries()) {
    for (const input of inputs) {
      const output = apply(input, ...rules);
      const shared = [...objectsIn(output)].filter((object) => objectsIn(input).has(object));
      assert.deepEqual(shared, [], `rule set ${i}, ${String(input['@type'])}`);
    }
  }
  // Without rules the copy is exact, an own `__proto__` field included.
  const odd = inputs[4]!;
  assert.deepEqual(Object.entries(apply(odd)), Object.entries(odd));
  assert.equal(Object.getPrototypeOf(apply(odd)), Object.prototype);
});

test('the input is never changed, whatever the rules', () => {
  const input = deepFreeze(group());
  const before = structuredClone(input);
  apply(input, { field: '*', action: 'deny' }, { field: 'name', action: 'allow' }, { field: 'birth_date', action: 'derive', derive: 'age' }, { field: 'identifier', action: 'mask' });
  apply(input, { field: 'Group.member_list', action: 'deny' }, { field: 'address.city', action: 'deny' });
  assert.deepEqual(input, before);
});

test('deny removes a field, a nested field or a whole array', () => {
  const output = apply(person('1001', '1990-02-03'), { field: 'sex', action: 'deny' }, { field: 'name.second_name', action: 'deny' }, { field: 'address.street_address', action: 'deny' }, { field: 'phone_number', action: 'deny' });
  assert.equal(output.sex, undefined);
  assert.equal(output.phone_number, undefined);
  assert.deepEqual(output.name, { '@type': 'Name', given_name: 'Ada', surname: 'Lovelace', suffix: 'Jr.' });
  assert.deepEqual(output.address, { '@type': 'Address', city: 'Riverside', region: 'central_region', postal_code: '10001', country: 'TZ' });
  assert.equal(output.marital_status, 'married');
});

test('mask keeps the last characters (4 by default) of strings, in arrays and through dotted paths', () => {
  const output = apply(
    person('1001', '1990-02-03'),
    { field: 'phone_number', action: 'mask' },
    { field: 'identifier.identifier_value', action: 'mask', keepLast: 2 },
    { field: 'name.given_name', action: 'mask' },
    { field: 'address', action: 'mask', keepLast: 0 },
    { field: 'is_disabled', action: 'mask' },
  );
  assert.deepEqual(output.phone_number, ['*********0001', '*********0002']);
  assert.deepEqual(output.identifier, [
    { '@type': 'Identifier', identifier_type: 'UIN', identifier_value: '**01' },
    { '@type': 'Identifier', identifier_type: 'NationalID', identifier_value: '******01' },
  ]);
  // Shorter than keepLast: masked entirely rather than shown whole.
  assert.equal((output.name as DciRecord).given_name, '***');
  assert.deepEqual(output.address, { '@type': 'Address', street_address: '*********', city: '*********', region: '**************', postal_code: '*****', country: '**' });
  // A boolean cannot be masked without showing it.
  assert.equal(output.is_disabled, undefined);
});

test('derive gives the birth year or the age, and leaves out what is not a date', () => {
  assert.equal(apply(person('1', '1990-02-03'), { field: 'birth_date', action: 'derive', derive: 'year' }).birth_date, '1990');
  assert.deepEqual(apply(person('1', '1990-06-01'), { field: 'birth_date', action: 'derive', derive: 'age' }).birth_date, { age: 35 });
  assert.deepEqual(apply(person('1', '1990-06-02'), { field: 'birth_date', action: 'derive', derive: 'age' }).birth_date, { age: 34 });
  assert.equal(apply(person('1', '1990-02-03'), { field: 'registration_date', action: 'derive', derive: 'year' }).registration_date, '2024');
  assert.equal(apply(person('1', '1990-02-03'), { field: 'sex', action: 'derive', derive: 'year' }).sex, undefined);
  assert.equal(apply(person('1', '1990-02-03'), { field: 'birth_date', action: 'derive', derive: 'decade' }).birth_date, undefined);
});

test("{field: '*', action: 'deny'} shares only what is allowed, masked or derived", () => {
  const output = apply(
    person('1001', '1990-02-03'),
    { field: '*', action: 'deny' },
    { field: 'name.given_name', action: 'allow' },
    { field: 'identifier.identifier_type', action: 'allow' },
    { field: 'birth_date', action: 'derive', derive: 'year' },
    { field: 'address', action: 'allow' },
    { field: 'address.street_address', action: 'deny' },
  );
  assert.deepEqual(output, {
    '@type': 'Person',
    identifier: [
      { '@type': 'Identifier', identifier_type: 'UIN' },
      { '@type': 'Identifier', identifier_type: 'NationalID' },
    ],
    name: { '@type': 'Name', given_name: 'Ada' },
    birth_date: '1990',
    address: { '@type': 'Address', city: 'Riverside', region: 'central_region', postal_code: '10001', country: 'TZ' },
  });
  assert.deepEqual(apply(person('1', '1990-02-03'), { field: '*', action: 'deny' }), { '@type': 'Person' });
});

test('a deny on a field wins over allows below it; the most restrictive of duplicate rules wins', () => {
  assert.equal(apply(person('1', '1990-02-03'), { field: 'name', action: 'deny' }, { field: 'name.given_name', action: 'allow' }).name, undefined);
  assert.equal(apply(person('1', '1990-02-03'), { field: 'sex', action: 'allow' }, { field: 'sex', action: 'deny' }).sex, undefined);
  assert.equal(apply(person('1', '1990-02-03'), { field: 'sex', action: 'allow' }, { field: 'sex', action: 'mask' }).sex, '**male');
});

test('Group records: Group rules on the group, Person rules inside every member and the head', () => {
  const output = apply(
    group(),
    { field: 'Group.poverty_score', action: 'deny' },
    { field: 'Group.group_identifier.identifier_value', action: 'mask' },
    { field: 'address.city', action: 'deny' },
    { field: 'Person.birth_date', action: 'derive', derive: 'year' },
    { field: 'identifier.identifier_value', action: 'mask', keepLast: 2 },
    { field: 'Person.name', action: 'deny' },
    { field: 'relationship', action: 'deny' },
  );
  assert.equal(output.poverty_score, undefined);
  assert.equal(output.group_type, 'household');
  assert.deepEqual(output.group_identifier, [{ '@type': 'Identifier', identifier_type: 'HouseholdID', identifier_value: '****2345' }]);
  // Unprefixed: applies to the group's address and to the members' addresses.
  assert.deepEqual(output.address, { '@type': 'Address', street_address: '1 Main St', postal_code: '10001', country: 'TZ' });
  const members = output.member_list as DciRecord[];
  assert.equal(members.length, 2);
  for (const [m, uin, year] of [[members[0]!, '1001', '1990'], [output.group_head_info as DciRecord, '1001', '1990'], [members[1]!, '2002', '2015']] as const) {
    const info = m.demographic_info as DciRecord;
    assert.equal(info.birth_date, year);
    assert.equal(info.name, undefined);
    assert.equal((info.address as DciRecord).city, undefined);
    assert.equal((info.identifier as DciRecord[])[0]!.identifier_value, `**${uin.slice(-2)}`);
    // member_identifier is the person's identifier, so the same rule covers it.
    assert.equal((m.member_identifier as DciRecord[])[0]!.identifier_value, `**${uin.slice(-2)}`);
    assert.equal(m.relationship, undefined);
    assert.equal(m.marital_status, 'married');
  }
});

test('Group allow-list: members only when the group rules let member_list through', () => {
  const onlyType = apply(group(), { field: 'Group.*', action: 'deny' }, { field: 'Group.group_type', action: 'allow' });
  assert.deepEqual(onlyType, { '@type': 'Group', group_type: 'household' });

  const members = apply(group(), { field: '*', action: 'deny' }, { field: 'Group.member_list', action: 'allow' }, { field: 'Person.sex', action: 'allow' }, { field: 'relationship', action: 'allow' });
  assert.deepEqual(members, {
    '@type': 'Group',
    member_list: [
      { '@type': 'Member', demographic_info: { '@type': 'Person', sex: 'female' }, relationship: 'head' },
      { '@type': 'Member', demographic_info: { '@type': 'Person', sex: 'female' }, relationship: 'child' },
    ],
  });
});

test('Person-prefixed rules leave the group itself alone, Group-prefixed ones leave people alone', () => {
  const output = apply(group(), { field: 'Person.address', action: 'deny' }, { field: 'Group.group_head_info', action: 'deny' });
  assert.equal((output.address as DciRecord).city, 'Riverside');
  assert.equal(output.group_head_info, undefined);
  assert.equal(((output.member_list as DciRecord[])[0]!.demographic_info as DciRecord).address, undefined);
});

test('sharing a shared record again under the same rules changes nothing (transaction status re-shares stored answers)', () => {
  for (const derive of ['year', 'age']) {
    const rules: FieldRule[] = [
      { field: 'birth_date', action: 'derive', derive },
      { field: 'identifier.identifier_value', action: 'mask', keepLast: 4 },
      { field: 'phone_number', action: 'deny' },
    ];
    const once = applyFieldRules({ fieldRules: rules }, person('1234567890', '1985-07-20'), NOW);
    assert.deepEqual(applyFieldRules({ fieldRules: rules }, once, NOW), once, derive);
  }
  // A derivation never turns into another: the stored year is not an age.
  const year = applyFieldRules({ fieldRules: [{ field: 'birth_date', action: 'derive', derive: 'year' }] }, person('1', '1985-07-20'), NOW);
  assert.equal(applyFieldRules({ fieldRules: [{ field: 'birth_date', action: 'derive', derive: 'age' }] }, year, NOW).birth_date, undefined);
});
