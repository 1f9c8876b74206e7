/**
 * Checks a search, verify or subscribe item against the agreement's scope: registry type, record
 * type, query type, the attributes it filters / sorts / looks up by (named in the agreement and
 * visible under its field rules), and page size. An empty allowed list means "any". Refusals are
 * item-level DciErrors the handlers turn into `rjct` items.
 */
import type { DataSharingAgreement } from '@dci-server/db';
import { canonicalIdType, DciError, queryReferences, resolveRecordKind, type CompiledSearch, type FilterNode, type PageRequest, type RecordKind, type SortKey } from '@dci-server/dci';
import { refuseHiddenFields } from './query-visibility.js';

export type AgreementScope = Pick<DataSharingAgreement, 'allowedRegTypes' | 'allowedRecordTypes' | 'allowedQueryTypes' | 'allowedAttributes' | 'maxPageSize' | 'fieldRules'>;

/** The parts of `search_criteria` that compiled searches do not keep; pass `search_criteria` itself. */
export interface SearchCriteriaScope {
  /** The registry type answered; callers pass their default when the request names none. */
  reg_type?: unknown;
  query_type?: unknown;
  pagination?: unknown;
}

export interface VerifyCriteriaScope {
  reg_type?: unknown;
  reg_record_type?: unknown;
  identifier: { type: string };
}

/** Throws when the agreement does not cover the search; returns it with the page fitted to the agreement. */
export function authorizeSearch(agreement: AgreementScope, compiled: CompiledSearch, criteria: SearchCriteriaScope): CompiledSearch {
  checkRegType(agreement, criteria.reg_type);
  const queryType = text(criteria.query_type);
  if (agreement.allowedQueryTypes.length && !agreement.allowedQueryTypes.includes(queryType)) {
    throw notCovered(`query_type '${queryType}'`, agreement.allowedQueryTypes);
  }
  authorizeQuestion(agreement, compiled.recordKind, compiled.filter, compiled.sort);
  return { ...compiled, page: fitPage(compiled.page, agreement.maxPageSize, criteria.pagination) };
}

/**
 * What any question about records needs, whichever way it comes (search, subscription filter):
 * a record kind the agreement covers, and only attributes it names and lets the sender see.
 */
export function authorizeQuestion(agreement: AgreementScope, kind: RecordKind, filter: FilterNode, sort: readonly SortKey[] = []): void {
  checkRecordKind(agreement, kind);
  const filtered = queryReferences(kind, filter).map((reference) => reference.attribute);
  const refused = [...new Set(filtered)].filter((name) => !attributeAllowed(agreement, name));
  if (refused.length) {
    throw new DciError('rjct.attribute.invalid', `The data-sharing agreement does not allow searching by ${refused.sort().join(', ')}`);
  }
  const refusedSort = sort.filter((key) => !attributeAllowed(agreement, key.attribute)).map((key) => key.attribute);
  if (refusedSort.length) {
    throw new DciError('rjct.sort.invalid', `The data-sharing agreement does not allow sorting by ${refusedSort.join(', ')}`);
  }
  refuseHiddenFields(agreement, kind, filter, sort);
}

/** Throws when the agreement does not cover a verify item (registry type, record type, identifier type). */
export function authorizeVerify(agreement: AgreementScope, criteria: VerifyCriteriaScope): void {
  checkRegType(agreement, criteria.reg_type);
  const kind = criteria.reg_record_type === undefined ? 'Person' : resolveRecordKind(text(criteria.reg_record_type));
  checkRecordKind(agreement, kind);
  const idType = canonicalIdType(kind, criteria.identifier.type) ?? criteria.identifier.type;
  if (!attributeAllowed(agreement, idType)) {
    throw new DciError('rjct.attribute.invalid', `The data-sharing agreement does not allow look-ups by ${idType.slice(0, 64)}`);
  }
  // Whether a verify finds the person tells whether the identifier exists: a look-up like a search's.
  refuseHiddenFields(agreement, kind, { kind: 'identifier', idType, value: '' });
}

function checkRegType(agreement: AgreementScope, regType: unknown): void {
  const allowed = agreement.allowedRegTypes;
  if (!allowed.length) return;
  if (regType === undefined) throw notCovered('requests without a reg_type', allowed);
  const name = text(regType);
  // Registry type names are namespaced identifiers; their case carries no meaning.
  if (!allowed.some((a) => a.toLowerCase() === name.toLowerCase())) throw notCovered(`reg_type '${name}'`, allowed);
}

function checkRecordKind(agreement: AgreementScope, kind: RecordKind): void {
  const allowed = agreement.allowedRecordTypes;
  if (allowed.length && !allowed.includes(kind)) throw notCovered(`${kind} records`, allowed);
}

function attributeAllowed(agreement: AgreementScope, name: string): boolean {
  return !agreement.allowedAttributes.length || agreement.allowedAttributes.includes(name);
}

/**
 * A page_size the sender asked for above the agreement's cap is refused, naming the cap (as
 * translateSearchCriteria does for the server's own cap): quietly returning smaller pages would
 * make a client that counts pages skip records. A default page size, which the sender did not
 * ask for, is lowered to the cap instead.
 */
function fitPage(page: PageRequest, maxPageSize: number | null | undefined, pagination: unknown): PageRequest {
  if (typeof maxPageSize !== 'number' || page.size <= maxPageSize) return page;
  if (pagination !== undefined) {
    throw new DciError('rjct.pagination.invalid', `page_size must be at most ${maxPageSize} under the data-sharing agreement, got ${page.size}`);
  }
  return { size: maxPageSize, number: page.number, offset: (page.number - 1) * maxPageSize };
}

function notCovered(what: string, allowed: readonly string[]): DciError {
  return new DciError('rjct.agreement.not_covered', `The data-sharing agreement does not cover ${what} (allowed: ${allowed.join(', ')})`);
}

function text(value: unknown): string {
  return (typeof value === 'string' ? value : String(value)).slice(0, 64);
}
