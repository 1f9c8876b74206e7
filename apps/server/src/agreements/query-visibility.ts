/**
 * A question is also an answer: counting the matches of `birth_date <= D` while narrowing D gives
 * the exact birth date in a few queries, whatever the answer's records show. So a filter, sort or
 * subscription filter may only read fields the sender sees (see field-rules.ts for the rules):
 * - a field shared as is may be used freely;
 * - a derived field only through the attribute of the same derivation (`YOB` when the rule shares
 *   the birth year, `age` when it shares the age), since that reveals nothing more;
 * - a masked identifier only as a look-up key, one value per query: the sender must already hold
 *   the whole value, and one value per query cannot be bisected;
 * - anything else (denied, outside a `*` allow-list, masked, derived otherwise) is refused.
 */
import type { DataSharingAgreement } from '@dci-server/db';
import { DciError, queryReferences, type FieldReference, type FilterNode, type RecordKind, type SortKey } from '@dci-server/dci';
import { KindRules } from './field-rules.js';

type Visibility = 'shown' | 'lookup-key' | 'hidden';

/** Throws rjct.attribute.not_visible unless the agreement lets the sender see every field the query reads. */
export function refuseHiddenFields(agreement: Pick<DataSharingAgreement, 'fieldRules'>, kind: RecordKind, filter: FilterNode, sort: readonly SortKey[] = []): void {
  const rules = new KindRules(agreement.fieldRules, kind);
  const references = queryReferences(kind, filter, sort);
  const seen = references.map((reference) => ({ reference, visibility: visibility(rules, reference) }));
  const hidden = seen.filter((s) => s.visibility === 'hidden').map((s) => s.reference);
  if (hidden.length) {
    const uses = [...new Set(hidden.map((r) => (r.use === 'sort' ? 'sort' : 'filter')))].join(' or ');
    throw new DciError('rjct.attribute.not_visible', `The data-sharing agreement hides ${describe(hidden)} from this sender, so the query cannot ${uses} by it`);
  }
  const lookups = seen.filter((s) => s.visibility === 'lookup-key');
  if (lookups.length > 1) {
    throw new DciError('rjct.attribute.not_visible', `The data-sharing agreement masks ${describe(lookups.map((s) => s.reference))}: look up one value per query`);
  }
}

function visibility(rules: KindRules, reference: FieldReference): Visibility {
  if (reference.identifier) {
    // An identifier match reads both the type and the value of the record's identifiers.
    const actions = [rules.effectiveAction(`${reference.field}.identifier_type`), rules.effectiveAction(`${reference.field}.identifier_value`)];
    if (actions.every((action) => action === 'allow')) return 'shown';
    return actions.every((action) => action === 'allow' || action === 'mask') ? 'lookup-key' : 'hidden';
  }
  const rule = rules.effectiveRule(reference.field);
  if (rule.action === 'allow') return 'shown';
  return rule.action === 'derive' && reference.derivation !== undefined && rule.derive === reference.derivation ? 'shown' : 'hidden';
}

function describe(references: readonly FieldReference[]): string {
  const names = [...new Set(references.map((r) => (r.attribute === r.field ? r.attribute : `${r.attribute} (${r.field})`)))];
  return names.sort().join(', ');
}
