import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DciError, type FilterNode, type RecordKind, type SortKey } from '@dci-server/dci';
import type { FieldRule } from '@dci-server/db';
import { refuseHiddenFields } from './query-visibility.js';

const cmp = (attribute: string, value: string | number | boolean = 'x'): FilterNode => ({ kind: 'cmp', attribute, op: 'eq', value });
const id = (value: string, idType = 'UIN'): FilterNode => ({ kind: 'identifier', idType, value });
const and = (...clauses: FilterNode[]): FilterNode => ({ kind: 'and', clauses });

function check(fieldRules: FieldRule[], filter: FilterNode, sort: SortKey[] = [], kind: RecordKind = 'Person'): string | undefined {
  try {
    refuseHiddenFields({ fieldRules }, kind, filter, sort);
    return undefined;
  } catch (error) {
    assert.ok(error instanceof DciError && error.code === 'rjct.attribute.not_visible', String(error));
    return error.message;
  }
}

test('no rules: every attribute may be asked about', () => {
  assert.equal(check([], and(cmp('birth_date', '1990-01-01'), cmp('age', 3), id('1'), { kind: 'not', clause: cmp('location') }), [{ attribute: 'surname', direction: 'asc' }]), undefined);
});

test('a denied field is refused in any position, and so is everything derived from it', () => {
  const rules: FieldRule[] = [{ field: 'birth_date', action: 'deny' }];
  assert.match(check(rules, and(id('1'), { kind: 'not', clause: cmp('birth_date', '1990-01-01') }))!, /hides birth_date .*cannot filter/);
  assert.match(check(rules, cmp('YOB', 1990))!, /YOB \(birth_date\)/);
  assert.match(check(rules, cmp('age', 30))!, /age \(birth_date\)/);
  assert.match(check(rules, cmp('sex', 'male'), [{ attribute: 'age', direction: 'asc' }])!, /cannot sort/);
});

test('rules on a parent cover its fields; Person. / Group. rules only their kind', () => {
  assert.match(check([{ field: 'name', action: 'deny' }], cmp('given_name'))!, /given_name \(name.given_name\)/);
  assert.match(check([{ field: 'address', action: 'mask' }], cmp('location'))!, /location \(address.region\)/);
  assert.equal(check([{ field: 'Group.location', action: 'deny' }], cmp('location')), undefined);
  assert.match(check([{ field: 'Group.location', action: 'deny' }], cmp('location'), [], 'Group')!, /location/);
  assert.match(check([{ field: 'death_date', action: 'deny' }], cmp('is_alive', true))!, /is_alive \(death_date\)/);
});

test('an allow-list refuses what it does not name', () => {
  const rules: FieldRule[] = [{ field: '*', action: 'deny' }, { field: 'sex', action: 'allow' }];
  assert.equal(check(rules, cmp('sex', 'male')), undefined);
  assert.match(check(rules, cmp('surname'))!, /surname/);
  assert.match(check(rules, id('1'))!, /UIN \(identifier\)/);
});

test('a derived field may be asked about only through the same derivation', () => {
  const year: FieldRule[] = [{ field: 'birth_date', action: 'derive', derive: 'year' }];
  assert.equal(check(year, cmp('YOB', 1990)), undefined);
  assert.match(check(year, cmp('age', 30))!, /age/);
  assert.match(check(year, cmp('birth_date', '1990-01-01'))!, /birth_date/);
  const age: FieldRule[] = [{ field: 'birth_date', action: 'derive', derive: 'age' }];
  assert.equal(check(age, cmp('age', 30), [{ attribute: 'age', direction: 'desc' }]), undefined);
  assert.match(check(age, cmp('YOB', 1990))!, /YOB/);
});

test('a masked identifier is a key for one value per query; a denied one none at all', () => {
  const masked: FieldRule[] = [{ field: 'identifier.identifier_value', action: 'mask', keepLast: 4 }];
  assert.equal(check(masked, and(id('1'), cmp('sex', 'male'))), undefined);
  assert.match(check(masked, { kind: 'or', clauses: [id('1'), id('2')] })!, /one value per query/);
  assert.match(check([{ field: 'identifier', action: 'deny' }], id('1'))!, /UIN \(identifier\)/);
  assert.match(check([{ field: 'identifier', action: 'derive', derive: 'year' }], id('1'))!, /UIN/);
  assert.match(check([{ field: 'group_identifier', action: 'deny' }], cmp('group_identifier', 'HH-1'), [], 'Group')!, /group_identifier/);
});
