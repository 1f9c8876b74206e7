import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FieldRule, Sender } from '@dci-server/db';
import { checkAgreementInput, InvalidAgreementError, type NewAgreement } from './agreement-input.js';

const sender = {} as Sender;
const input = (fields: Partial<NewAgreement> = {}): NewAgreement => ({ sender, name: 'Benefits', purpose: 'Eligibility checks', ...fields });

function invalid(pattern: RegExp) {
  return (error: unknown) => error instanceof InvalidAgreementError && pattern.test(error.message);
}

test('defaults fill every field; record types get their canonical spelling', () => {
  assert.deepEqual(checkAgreementInput(input({ allowedRecordTypes: ['SRPerson', 'person', 'Group'] })), {
    sender,
    name: 'Benefits',
    purpose: 'Eligibility checks',
    legalBasis: null,
    validFrom: null,
    validTo: null,
    allowedRegTypes: [],
    allowedRecordTypes: ['Person', 'Group'],
    allowedQueryTypes: [],
    allowedAttributes: [],
    maxPageSize: null,
    dailyQuota: null,
    fieldRules: [],
  });
});

test('unknown types, attributes, windows and counts are refused', () => {
  assert.throws(() => checkAgreementInput(input({ allowedRecordTypes: ['Household'] })), invalid(/record type 'Household'/));
  assert.throws(() => checkAgreementInput(input({ allowedQueryTypes: ['sql'] })), invalid(/query type 'sql'/));
  assert.throws(() => checkAgreementInput(input({ allowedAttributes: ['UIN', 'password'] })), invalid(/attribute 'password'/));
  assert.throws(() => checkAgreementInput(input({ validFrom: new Date('2026-01-01'), validTo: new Date('2025-01-01') })), invalid(/before validTo/));
  assert.throws(() => checkAgreementInput(input({ maxPageSize: 0 })), invalid(/maxPageSize/));
  assert.throws(() => checkAgreementInput(input({ dailyQuota: 1.5 })), invalid(/dailyQuota/));
  assert.throws(() => checkAgreementInput(input({ name: ' ' })), invalid(/name/));
});

test('field rules must name a real field, a known action and a known derivation', () => {
  const rules = (...fieldRules: FieldRule[]) => checkAgreementInput(input({ fieldRules }));
  assert.doesNotThrow(() =>
    rules(
      { field: '*', action: 'deny' },
      { field: 'Person.name.given_name', action: 'allow' },
      { field: 'Group.poverty_score', action: 'mask', keepLast: 1 },
      { field: 'birth_date', action: 'derive', derive: 'age' },
      { field: 'relationship', action: 'deny' },
    ),
  );
  assert.throws(() => rules({ field: 'birthdate', action: 'deny' }), invalid(/'birthdate': no such record field/));
  assert.throws(() => rules({ field: 'Group.sex', action: 'deny' }), invalid(/no such record field/));
  assert.throws(() => rules({ field: '*', action: 'mask' }), invalid(/only be allowed or denied/));
  assert.throws(() => rules({ field: 'sex', action: 'hide' as FieldRule['action'] }), invalid(/unknown action 'hide'/));
  assert.throws(() => rules({ field: 'sex', action: 'mask', keepLast: -1 }), invalid(/keepLast/));
  assert.throws(() => rules({ field: 'birth_date', action: 'derive' }), invalid(/derive: 'year' or 'age'/));
  assert.throws(() => rules({ field: 'birth_date', action: 'derive', derive: 'month' }), invalid(/derive: 'year' or 'age'/));
});
