import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FieldRule } from '@dci-server/db';
import { SUPPORTED_CLAIMS } from '@dci-server/dci';
import { allowedClaims } from './claims.js';

const claims = { given_name: 'Ada', surname: 'Lovelace', birth_date: '1990-02-03', is_alive: true, sex: 'female', city: 'Riverside', favourite_colour: 'blue' };
const split = (...fieldRules: FieldRule[]) => allowedClaims({ fieldRules }, claims);

test('without rules every supported claim is allowed; unknown claims are refused', () => {
  assert.deepEqual(split(), { allowed: ['given_name', 'surname', 'birth_date', 'is_alive', 'sex', 'city'], refused: ['favourite_colour'] });
  const all = Object.fromEntries(Object.keys(SUPPORTED_CLAIMS).map((name) => [name, true]));
  assert.deepEqual(allowedClaims({ fieldRules: [] }, all).refused, []);
});

test('claims on denied, masked or derived fields are refused, including through a parent field', () => {
  assert.deepEqual(split({ field: 'name', action: 'deny' }, { field: 'birth_date', action: 'derive', derive: 'year' }, { field: 'address', action: 'mask' }), {
    allowed: ['is_alive', 'sex'],
    refused: ['given_name', 'surname', 'birth_date', 'city', 'favourite_colour'],
  });
  // is_alive reads death_date.
  assert.deepEqual(split({ field: 'death_date', action: 'deny' }, { field: 'Person.name.surname', action: 'mask' }).refused, ['surname', 'is_alive', 'favourite_colour']);
});

test("with {field: '*', action: 'deny'} only claims on allowed fields pass; Group rules do not matter", () => {
  assert.deepEqual(split({ field: '*', action: 'deny' }, { field: 'sex', action: 'allow' }, { field: 'address', action: 'allow' }, { field: 'Group.sex', action: 'deny' }), {
    allowed: ['sex', 'city'],
    refused: ['given_name', 'surname', 'birth_date', 'is_alive', 'favourite_colour'],
  });
  assert.deepEqual(split({ field: 'Group.*', action: 'deny' }).refused, ['favourite_colour']);
});
