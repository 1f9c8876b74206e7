import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DciError } from '../errors.js';
import type { DciCode } from '../errors.js';
import { translateFilter, translateSearchCriteria } from './translate.js';
import { resolveRecordKind } from './attributes.js';

const expression = (query: unknown, collection = 'Person') => ({
  query_type: 'expression',
  query: { type: 'ns:org:QueryType:expression', value: { expression: { collection, query } } },
});

function rejects(fn: () => unknown, code: DciCode, fragment: string) {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof DciError, String(error));
    assert.equal(error.code, code);
    assert.ok(error.message.includes(fragment), `"${error.message}" should mention "${fragment}"`);
    return true;
  });
}

test('idtype-value becomes an identifier node; type matched case-insensitively', () => {
  const result = translateSearchCriteria({ query_type: 'idtype-value', query: { type: 'uin', value: '123' } });
  assert.deepEqual(result, {
    recordKind: 'Person',
    filter: { kind: 'identifier', idType: 'UIN', value: '123' },
    sort: [],
    page: { size: 100, number: 1, offset: 0 },
  });
  rejects(() => translateSearchCriteria({ query_type: 'idtype-value', query: { type: 'PASSPORT', value: '1' } }), 'rjct.attribute.invalid', 'PASSPORT');
  rejects(() => translateSearchCriteria({ query_type: 'idtype-value', query: { type: 'UIN', value: {} } }), 'rjct.search_criteria.invalid', 'Identifier value');
});

test('the spec example expression on Group, with sort and pagination', () => {
  const result = translateSearchCriteria(
    {
      reg_record_type: 'spdci:Group',
      ...expression({ $and: [{ poverty_score: { $lt: 5 } }, { location: { $eq: 'central_region' } }, { group_size: { $lt: 5 } }] }, 'Group'),
      sort: [{ attribute_name: 'poverty_score', sort_order: 'desc' }, { attribute_name: 'registration_date' }],
      pagination: { page_size: 20, page_number: 3 },
    },
    { maxPageSize: 50 },
  );
  assert.deepEqual(result, {
    recordKind: 'Group',
    filter: {
      kind: 'and',
      clauses: [
        { kind: 'cmp', attribute: 'poverty_score', op: 'lt', value: 5 },
        { kind: 'cmp', attribute: 'location', op: 'eq', value: 'central_region' },
        { kind: 'cmp', attribute: 'group_size', op: 'lt', value: 5 },
      ],
    },
    sort: [
      { attribute: 'poverty_score', direction: 'desc' },
      { attribute: 'registration_date', direction: 'asc' },
    ],
    page: { size: 20, number: 3, offset: 40 },
  });
});

test('expression: shorthand, $or/$not, $in/$nin, identifier attributes and value coercion', () => {
  const { filter } = translateSearchCriteria(
    expression({
      sex: 'Female',
      $or: [{ age: { $gte: '18', $lt: 65 } }, { is_disabled: true }],
      $not: { location: { $in: ['north', 'south'] } },
      UIN: { $in: ['1', 2] },
      birth_date: { $gt: '1990-01-01T10:00:00+02:00' },
    }),
  );
  assert.deepEqual(filter, {
    kind: 'and',
    clauses: [
      { kind: 'cmp', attribute: 'sex', op: 'eq', value: 'female' },
      {
        kind: 'or',
        clauses: [
          { kind: 'and', clauses: [{ kind: 'cmp', attribute: 'age', op: 'gte', value: 18 }, { kind: 'cmp', attribute: 'age', op: 'lt', value: 65 }] },
          { kind: 'cmp', attribute: 'is_disabled', op: 'eq', value: true },
        ],
      },
      { kind: 'not', clause: { kind: 'cmp', attribute: 'location', op: 'in', value: ['north', 'south'] } },
      { kind: 'or', clauses: [{ kind: 'identifier', idType: 'UIN', value: '1' }, { kind: 'identifier', idType: 'UIN', value: '2' }] },
      { kind: 'cmp', attribute: 'birth_date', op: 'gt', value: '1990-01-01T08:00:00.000Z' },
    ],
  });
});

test('expression: garbage is rejected with a message naming the bad thing', () => {
  rejects(() => translateSearchCriteria(expression({ password: 'x' })), 'rjct.attribute.invalid', "'password'");
  rejects(() => translateSearchCriteria(expression({ __proto__: 'x', constructor: 1 })), 'rjct.attribute.invalid', "'constructor'");
  rejects(() => translateSearchCriteria(expression({ given_name: { $regex: '.*' } })), 'rjct.search_criteria.invalid', "'$regex'");
  rejects(() => translateSearchCriteria(expression({ $where: 'sleep(1)' })), 'rjct.search_criteria.invalid', "'$where'");
  rejects(() => translateSearchCriteria(expression({ given_name: { $lt: 'B' } })), 'rjct.search_criteria.invalid', "'lt' is not allowed on 'given_name'");
  rejects(() => translateSearchCriteria(expression({ UIN: { $ne: '1' } })), 'rjct.search_criteria.invalid', "'ne' is not allowed on 'UIN'");
  rejects(() => translateSearchCriteria(expression({ birth_date: '2023-02-30' })), 'rjct.search_criteria.invalid', "'birth_date' needs an ISO date");
  rejects(() => translateSearchCriteria(expression({ birth_date: '1990-01-01T10:00:00' })), 'rjct.search_criteria.invalid', "'birth_date'");
  rejects(() => translateSearchCriteria(expression({ age: 'old' })), 'rjct.search_criteria.invalid', "'age' needs a finite number");
  rejects(() => translateSearchCriteria(expression({ age: Number.POSITIVE_INFINITY })), 'rjct.search_criteria.invalid', "'age' needs a finite number");
  rejects(() => translateSearchCriteria(expression({ is_alive: 'yes' })), 'rjct.search_criteria.invalid', "'is_alive' needs true or false");
  rejects(() => translateSearchCriteria(expression({ sex: 'robot' })), 'rjct.search_criteria.invalid', 'one of male, female');
  rejects(() => translateSearchCriteria(expression({ location: { $in: [] } })), 'rjct.search_criteria.invalid', 'non-empty array');
  rejects(() => translateSearchCriteria(expression({ location: { $in: Array.from({ length: 1001 }, (_, i) => `r${i}`) } })), 'rjct.search_criteria.invalid', 'at most 1000');
  rejects(() => translateSearchCriteria(expression({ location: null })), 'rjct.search_criteria.invalid', "'location'");
  rejects(() => translateSearchCriteria(expression({})), 'rjct.search_criteria.invalid', 'at least one condition');
  rejects(() => translateSearchCriteria(expression({ $and: [] })), 'rjct.search_criteria.invalid', "'$and'");
  rejects(() => translateSearchCriteria(expression({ poverty_score: { $lt: 5 } }, 'Person')), 'rjct.attribute.invalid', "'poverty_score' for Person");
});

test('expression: depth above 8 and more than 100 conditions are rejected', () => {
  let deep: Record<string, unknown> = { age: 1 };
  for (let i = 0; i < 8; i++) deep = { $not: deep };
  rejects(() => translateSearchCriteria(expression(deep)), 'rjct.search_criteria.invalid', 'deeper than 8');
  let ok: Record<string, unknown> = { age: 1 };
  for (let i = 0; i < 7; i++) ok = { $not: ok };
  assert.equal(translateSearchCriteria(expression(ok)).filter.kind, 'not');
  const many = { $or: Array.from({ length: 101 }, (_, i) => ({ age: i })) };
  rejects(() => translateSearchCriteria(expression(many)), 'rjct.search_criteria.invalid', 'more than 100 conditions');
});

test('predicate: seq_num order, conditions, ge/le mapping, items ANDed', () => {
  const { filter } = translateSearchCriteria({
    query_type: 'predicate',
    query: [
      { seq_num: 2, expression1: { attribute_name: 'location', operator: 'in', attribute_value: ['north'] }, condition: 'not', expression2: { attribute_name: 'is_alive', operator: 'eq', attribute_value: false } },
      { seq_num: 1, expression1: { attribute_name: 'YOB', operator: 'ge', attribute_value: '1980' }, condition: 'or', expression2: { attribute_name: 'age', operator: 'le', attribute_value: 10 } },
    ],
  });
  assert.deepEqual(filter, {
    kind: 'and',
    clauses: [
      { kind: 'or', clauses: [{ kind: 'cmp', attribute: 'YOB', op: 'gte', value: 1980 }, { kind: 'cmp', attribute: 'age', op: 'lte', value: 10 }] },
      { kind: 'and', clauses: [{ kind: 'cmp', attribute: 'location', op: 'in', value: ['north'] }, { kind: 'not', clause: { kind: 'cmp', attribute: 'is_alive', op: 'eq', value: false } }] },
    ],
  });
  const single = translateSearchCriteria({ query_type: 'predicate', query: [{ expression1: { attribute_name: 'UIN', operator: 'eq', attribute_value: '7' } }] });
  assert.deepEqual(single.filter, { kind: 'identifier', idType: 'UIN', value: '7' });
  rejects(() => translateSearchCriteria({ query_type: 'predicate', query: [{ expression1: { attribute_name: 'age', operator: 'ne', attribute_value: 1 } }] }), 'rjct.search_criteria.invalid', '"ne"');
  rejects(() => translateSearchCriteria({ query_type: 'predicate', query: [{ expression1: { attribute_name: 'age', operator: 'eq', attribute_value: 1 }, condition: 'xor', expression2: { attribute_name: 'age', operator: 'eq', attribute_value: 2 } }] }), 'rjct.search_criteria.invalid', '"xor"');
  rejects(() => translateSearchCriteria({ query_type: 'predicate', query: [] }), 'rjct.search_criteria.invalid', 'non-empty array');
});

test('unknown query_type and record types are rejected', () => {
  rejects(() => translateSearchCriteria({ query_type: 'graphql', query: {} }), 'rjct.query_type.invalid', '"graphql"');
  rejects(() => translateSearchCriteria({ reg_record_type: 'Vehicle', query_type: 'idtype-value', query: { type: 'UIN', value: '1' } }), 'rjct.record_type.invalid', 'Vehicle');
  rejects(() => translateSearchCriteria({ reg_record_type: 'Group', ...expression({ age: 1 }, 'Person') }), 'rjct.search_criteria.invalid', 'Conflicting');
  assert.equal(resolveRecordKind('SRPerson'), 'Person');
  assert.equal(resolveRecordKind('spdci-extensions-dci:Member'), 'Person');
  assert.equal(resolveRecordKind('GROUP'), 'Group');
});

test('sort rules: whitelisted sortable keys only, at most 3, no duplicates', () => {
  const base = { query_type: 'idtype-value', query: { type: 'UIN', value: '1' } };
  rejects(() => translateSearchCriteria({ ...base, sort: [{ attribute_name: 'sex' }] }), 'rjct.sort.invalid', '"sex"');
  rejects(() => translateSearchCriteria({ ...base, sort: [{ attribute_name: 'surname', sort_order: 'up' }] }), 'rjct.sort.invalid', '"up"');
  rejects(() => translateSearchCriteria({ ...base, sort: [{ attribute_name: 'surname' }, { attribute_name: 'surname' }] }), 'rjct.sort.invalid', 'Duplicate');
  const four = ['surname', 'given_name', 'age', 'YOB'].map((attribute_name) => ({ attribute_name }));
  rejects(() => translateSearchCriteria({ ...base, sort: four }), 'rjct.sort.invalid', 'at most 3');
});

test('pagination: page_size must be an integer from 1 to the cap; page_number defaults to 1', () => {
  const base = { query_type: 'idtype-value', query: { type: 'UIN', value: '1' } };
  for (const page_size of [0, -1, 2.5, 1001, '10']) {
    rejects(() => translateSearchCriteria({ ...base, pagination: { page_size } }), 'rjct.pagination.invalid', 'page_size must be an integer from 1 to 1000');
  }
  rejects(() => translateSearchCriteria({ ...base, pagination: { page_size: 10, page_number: 0 } }), 'rjct.pagination.invalid', 'page_number');
  assert.deepEqual(translateSearchCriteria({ ...base, pagination: { page_size: 1000 } }).page, { size: 1000, number: 1, offset: 0 });
  assert.deepEqual(translateSearchCriteria(base, { maxPageSize: 10 }).page, { size: 10, number: 1, offset: 0 });
});

test('subscription filters: empty expression means all records; errors use rjct.filter.invalid', () => {
  assert.deepEqual(translateFilter('Person', 'expression', { value: { expression: { query: {} } } }), { kind: 'and', clauses: [] });
  rejects(() => translateFilter('Person', 'expression', { value: { expression: { query: { age: { $bad: 1 } } } } }), 'rjct.filter.invalid', '$bad');
});
