/**
 * A registry record as a sender would receive it: the console's live preview of an agreement's
 * field rules, in force or drafted. The record is found and shaped by the same registry search
 * as a DCI answer, and the rules applied by the same applyFieldRules.
 */
import type { FieldRule } from '@dci-server/db';
import { DciError, resolveRecordKind, translateSearchCriteria, type RecordKind } from '@dci-server/dci';
import type { EntityManager } from '@mikro-orm/postgresql';
import type pg from 'pg';
import type { DciRecord } from '../registry/records.js';
import { recordsByIds, searchRegistry } from '../registry/search.js';
import { findSender } from '../senders/senders.js';
import { checkFieldRule, InvalidAgreementError } from './agreement-input.js';
import { findAgreement } from './agreements.js';
import { applyFieldRules } from './apply-field-rules.js';

/** A registry record: by its id, or by one of its identifiers (an idtype-value search). */
export interface RecordRef {
  /** Person (default) or Group, in any spelling a DCI search accepts. */
  recordType?: string;
  id?: string;
  identifierType?: string;
  identifierValue?: string;
}

export interface AgreementPreview {
  recordKind: RecordKind;
  /** The agreement whose rules were applied; null for draft rules. */
  agreementId: string | null;
  fieldRules: FieldRule[];
  /** The record as stored, before any rule. */
  original: DciRecord;
  /** The record as the sender receives it. */
  shared: DciRecord;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `ref`'s record under `draftRules` when given (checked like a saved agreement's), else under the
 * sender's agreement in force now. Throws InvalidAgreementError (bad rule, no record, no agreement)
 * or SenderError (no such sender).
 */
export async function previewAgreement(pool: pg.Pool, em: EntityManager, senderId: string, ref: RecordRef, draftRules?: FieldRule[]): Promise<AgreementPreview> {
  await findSender(em, senderId);
  draftRules?.forEach(checkFieldRule);
  const terms = draftRules ? { id: null, fieldRules: draftRules } : await agreementInForce(pool, senderId);
  const { kind, record } = await findRecord(pool, ref);
  return { recordKind: kind, agreementId: terms.id, fieldRules: terms.fieldRules, original: record, shared: applyFieldRules(terms, record) };
}

async function agreementInForce(pool: pg.Pool, senderId: string): Promise<{ id: string; fieldRules: FieldRule[] }> {
  try {
    return await findAgreement(pool, senderId);
  } catch (error) {
    if (error instanceof DciError) throw new InvalidAgreementError(`${error.message}: the sender receives no records`);
    throw error;
  }
}

async function findRecord(pool: pg.Pool, ref: RecordRef): Promise<{ kind: RecordKind; record: DciRecord }> {
  const kind = inDciTerms(() => resolveRecordKind(ref.recordType ?? 'Person'));
  const byIdentifier = ref.identifierType !== undefined || ref.identifierValue !== undefined;
  if (byIdentifier === (ref.id !== undefined)) throw new InvalidAgreementError('give the record either an id or an identifierType and identifierValue');
  let record: DciRecord | undefined;
  if (ref.id !== undefined) {
    record = UUID.test(ref.id) ? (await recordsByIds(pool, kind, [ref.id])).get(ref.id) : undefined;
  } else {
    const query = { type: ref.identifierType ?? '', value: ref.identifierValue ?? '' };
    const compiled = inDciTerms(() => translateSearchCriteria({ reg_record_type: kind, query_type: 'idtype-value', query, pagination: { page_size: 1 } }));
    record = (await searchRegistry(pool, compiled)).records[0];
  }
  if (!record) throw new InvalidAgreementError(`no ${kind} ${ref.id ?? `with ${ref.identifierType} ${ref.identifierValue}`} in the registry`);
  return { kind, record };
}

/** The DCI translation's refusals, as input problems of the preview. */
function inDciTerms<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof DciError) throw new InvalidAgreementError(error.message);
    throw error;
  }
}
