import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DciError, type CompiledSearch, type DciCode, type FilterNode } from '@dci-server/dci';
import { authorizeSearch, authorizeVerify, type AgreementScope } from './authorize.js';

const anything: AgreementScope = { allowedRegTypes: [], allowedRecordTypes: [], allowedQueryTypes: [], allowedAttributes: [], maxPageSize: null, fieldRules: [] };
const scope = (fields: Partial<AgreementScope>): AgreementScope => ({ ...anything, ...fields });

const search = (filter: FilterNode, fields: Partial<CompiledSearch> = {}): CompiledSearch => ({
  recordKind: 'Person',
  filter,
  sort: [],
  page: { size: 100, number: 1, offset: 0 },
  ...fields,
});
const byName: FilterNode = { kind: 'cmp', attribute: 'given_name', op: 'eq', value: 'Ada' };
const criteria = { reg_type: 'ns:org:RegistryType:Social', query_type: 'expression' };

function refused(code: DciCode, pattern: RegExp) {
  return (error: unknown) => error instanceof DciError && error.code === code && pattern.test(error.message);
}

test('an agreement with empty lists and no page cap allows any search unchanged', () => {
  const compiled = search(byName, { sort: [{ attribute: 'surname', direction: 'asc' }] });
  assert.deepEqual(authorizeSearch(anything, compiled, {}), compiled);
});

test('reg_type must be one of the allowed ones (case-insensitively) and given when the list is not empty', () => {
  const agreement = scope({ allowedRegTypes: ['ns:org:RegistryType:Social'] });
  assert.doesNotThrow(() => authorizeSearch(agreement, search(byName), { ...criteria, reg_type: 'NS:ORG:RegistryType:social' }));
  assert.throws(() => authorizeSearch(agreement, search(byName), { ...criteria, reg_type: 'ns:org:RegistryType:Civil' }), refused('rjct.agreement.not_covered', /reg_type 'ns:org:RegistryType:Civil'.*allowed: ns:org:RegistryType:Social/));
  assert.throws(() => authorizeSearch(agreement, search(byName), { query_type: 'expression' }), refused('rjct.agreement.not_covered', /without a reg_type/));
});

test('record kinds and query types outside the agreement are refused', () => {
  const personOnly = scope({ allowedRecordTypes: ['Person'] });
  const groupSearch = search({ kind: 'cmp', attribute: 'group_type', op: 'eq', value: 'household' }, { recordKind: 'Group' });
  assert.throws(() => authorizeSearch(personOnly, groupSearch, criteria), refused('rjct.agreement.not_covered', /Group records/));
  const idOnly = scope({ allowedQueryTypes: ['idtype-value'] });
  assert.throws(() => authorizeSearch(idOnly, search(byName), criteria), refused('rjct.agreement.not_covered', /query_type 'expression'/));
  assert.doesNotThrow(() => authorizeSearch(idOnly, search({ kind: 'identifier', idType: 'UIN', value: '1' }), { query_type: 'idtype-value' }));
});

test('every attribute and identifier type in the filter must be allowed, however deep', () => {
  const agreement = scope({ allowedAttributes: ['given_name', 'surname', 'UIN'] });
  const nested: FilterNode = {
    kind: 'and',
    clauses: [byName, { kind: 'or', clauses: [{ kind: 'identifier', idType: 'UIN', value: '1' }, { kind: 'not', clause: { kind: 'cmp', attribute: 'birth_date', op: 'lt', value: '2000-01-01' } }] }],
  };
  assert.throws(() => authorizeSearch(agreement, search(nested), criteria), refused('rjct.attribute.invalid', /searching by birth_date$/));
  const byBrn: FilterNode = { kind: 'or', clauses: [byName, { kind: 'identifier', idType: 'BRN', value: '1' }, { kind: 'cmp', attribute: 'age', op: 'gt', value: 3 }] };
  assert.throws(() => authorizeSearch(agreement, search(byBrn), criteria), refused('rjct.attribute.invalid', /searching by BRN, age$/));
  assert.doesNotThrow(() => authorizeSearch(agreement, search({ kind: 'and', clauses: [byName, { kind: 'identifier', idType: 'UIN', value: '1' }] }), criteria));
});

test('sort attributes must be allowed too', () => {
  const agreement = scope({ allowedAttributes: ['given_name'] });
  const sorted = search(byName, { sort: [{ attribute: 'given_name', direction: 'asc' }, { attribute: 'location', direction: 'desc' }] });
  assert.throws(() => authorizeSearch(agreement, sorted, criteria), refused('rjct.sort.invalid', /sorting by location$/));
});

test('page size: an explicit one over the cap is refused naming the cap; the default is lowered to it', () => {
  const agreement = scope({ maxPageSize: 20 });
  const asked = search(byName, { page: { size: 50, number: 3, offset: 100 } });
  assert.throws(() => authorizeSearch(agreement, asked, { ...criteria, pagination: { page_size: 50, page_number: 3 } }), refused('rjct.pagination.invalid', /at most 20 .*got 50/));
  assert.deepEqual(authorizeSearch(agreement, asked, criteria).page, { size: 20, number: 3, offset: 40 });
  const small = search(byName, { page: { size: 20, number: 2, offset: 20 } });
  assert.deepEqual(authorizeSearch(agreement, small, { ...criteria, pagination: { page_size: 20, page_number: 2 } }), small);
});

test('verify: registry type, record type and identifier type are checked', () => {
  const agreement = scope({ allowedRecordTypes: ['Person'], allowedAttributes: ['UIN'] });
  assert.doesNotThrow(() => authorizeVerify(agreement, { identifier: { type: 'uin' } }));
  assert.throws(() => authorizeVerify(agreement, { identifier: { type: 'NationalID' } }), refused('rjct.attribute.invalid', /look-ups by NationalID/));
  assert.throws(() => authorizeVerify(agreement, { reg_record_type: 'Group', identifier: { type: 'UIN' } }), refused('rjct.agreement.not_covered', /Group records/));
  assert.throws(() => authorizeVerify(scope({ allowedRegTypes: ['ns:org:RegistryType:Social'] }), { reg_type: 'other', identifier: { type: 'UIN' } }), refused('rjct.agreement.not_covered', /reg_type 'other'/));
});
