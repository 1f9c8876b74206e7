/** Validation of new agreements, so that a typo in a rule cannot silently share or hide a field. */
import type { FieldRule, Sender } from '@dci-server/db';
import { attributesOf, IDENTIFIER_TYPES, resolveRecordKind, type RecordKind } from '@dci-server/dci';
import { RECORD_FIELDS } from '../registry/records.js';
import { isDerivation, ruleTarget, WHOLE_RECORD } from './field-rules.js';

export const QUERY_TYPES = ['idtype-value', 'expression', 'predicate'] as const;
const ACTIONS: readonly string[] = ['allow', 'deny', 'mask', 'derive'] satisfies FieldRule['action'][];

export interface NewAgreement {
  sender: Sender;
  name: string;
  purpose: string;
  legalBasis?: string | null;
  validFrom?: Date | null;
  validTo?: Date | null;
  /** Every list: empty (the default) means any. */
  allowedRegTypes?: string[];
  /** Person / Group (SRPerson and Member are stored as Person). */
  allowedRecordTypes?: string[];
  allowedQueryTypes?: string[];
  /** Searchable attribute names and identifier types (UIN, BRN, ...). */
  allowedAttributes?: string[];
  maxPageSize?: number | null;
  /** Search / verify items per UTC day; null = unlimited. */
  dailyQuota?: number | null;
  fieldRules?: FieldRule[];
}

export type CheckedAgreement = Required<NewAgreement>;

export class InvalidAgreementError extends Error {
  override readonly name = 'InvalidAgreementError';
}

/** Top-level fields rules may name, per kind; a member's `relationship` is a Person fact. */
const RULE_FIELDS: Readonly<Record<RecordKind, readonly string[]>> = {
  Person: [...RECORD_FIELDS.Person, 'relationship'],
  Group: RECORD_FIELDS.Group,
};

/** The input with every field filled in and record types in their canonical spelling; throws InvalidAgreementError. */
export function checkAgreementInput(input: NewAgreement): CheckedAgreement {
  if (!input.name.trim()) fail('name is required');
  if (!input.purpose.trim()) fail('purpose is required');
  const validFrom = input.validFrom ?? null;
  const validTo = input.validTo ?? null;
  if (validFrom && validTo && validFrom >= validTo) fail('validFrom must be before validTo');
  checkCount('maxPageSize', input.maxPageSize, 1);
  checkCount('dailyQuota', input.dailyQuota, 0);
  const allowedQueryTypes = input.allowedQueryTypes ?? [];
  for (const type of allowedQueryTypes) {
    if (!(QUERY_TYPES as readonly string[]).includes(type)) fail(`unknown query type '${type}' (use ${QUERY_TYPES.join(', ')})`);
  }
  const allowedAttributes = input.allowedAttributes ?? [];
  const attributes = new Set<string>(
    (['Person', 'Group'] as const).flatMap((kind) => [...Object.keys(attributesOf(kind)), ...IDENTIFIER_TYPES[kind]]),
  );
  for (const name of allowedAttributes) if (!attributes.has(name)) fail(`unknown attribute '${name}'`);
  const fieldRules = input.fieldRules ?? [];
  fieldRules.forEach(checkFieldRule);
  return {
    sender: input.sender,
    name: input.name.trim(),
    purpose: input.purpose.trim(),
    legalBasis: input.legalBasis ?? null,
    validFrom,
    validTo,
    allowedRegTypes: input.allowedRegTypes ?? [],
    allowedRecordTypes: [...new Set((input.allowedRecordTypes ?? []).map(recordKind))],
    allowedQueryTypes,
    allowedAttributes,
    maxPageSize: input.maxPageSize ?? null,
    dailyQuota: input.dailyQuota ?? null,
    fieldRules,
  };
}

export function checkFieldRule(rule: FieldRule): void {
  if (!ACTIONS.includes(rule.action)) fail(`rule for '${rule.field}': unknown action '${rule.action}'`);
  const { kind, path } = ruleTarget(rule.field);
  if (path === WHOLE_RECORD) {
    if (rule.action !== 'allow' && rule.action !== 'deny') fail(`rule for '${rule.field}': the whole record can only be allowed or denied`);
  } else {
    const top = path.split('.')[0]!;
    const known = (kind ? [kind] : (['Person', 'Group'] as const)).some((k) => RULE_FIELDS[k].includes(top));
    if (!/^[a-z_]+(\.[a-z_]+)*$/.test(path) || !known) fail(`rule for '${rule.field}': no such record field`);
  }
  if (rule.keepLast !== undefined && (rule.action !== 'mask' || !Number.isInteger(rule.keepLast) || rule.keepLast < 0)) {
    fail(`rule for '${rule.field}': keepLast must be a whole number of at least 0, on mask rules only`);
  }
  if ((rule.action === 'derive') !== (rule.derive !== undefined) || (rule.derive !== undefined && !isDerivation(rule.derive))) {
    fail(`rule for '${rule.field}': derive rules need derive: 'year' or 'age' (and only they)`);
  }
}

function recordKind(name: string): RecordKind {
  try {
    return resolveRecordKind(name);
  } catch {
    return fail(`unknown record type '${name}' (use Person or Group)`);
  }
}

function checkCount(name: string, value: number | null | undefined, min: number): void {
  if (value !== null && value !== undefined && (!Number.isInteger(value) || value < min)) fail(`${name} must be a whole number of at least ${min}`);
}

function fail(message: string): never {
  throw new InvalidAgreementError(message);
}
