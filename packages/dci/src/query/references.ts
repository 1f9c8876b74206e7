/** Which record fields a query reads: what a data-sharing agreement must let the sender see before it may ask. */
import type { FilterNode, RecordKind, SortKey } from './ast.js';
import { attributesOf, IDENTIFIER_FIELDS, type ValueDerivation } from './attributes.js';

export interface FieldReference {
  /** The attribute or identifier type, as the query names it. */
  attribute: string;
  /** The record field read (dotted path, as field rules name it). */
  field: string;
  /** Set when the attribute is a derivation of the field (age, YOB). */
  derivation?: ValueDerivation;
  /** A match on the record's identifier list, by a value the sender supplies. */
  identifier: boolean;
  use: 'filter' | 'sort';
}

/** Every field the filter and sort read, once per comparison (so callers can count look-ups). */
export function queryReferences(kind: RecordKind, filter: FilterNode, sort: readonly SortKey[] = []): FieldReference[] {
  const found: FieldReference[] = [];
  const visit = (node: FilterNode): void => {
    switch (node.kind) {
      case 'and':
      case 'or':
        node.clauses.forEach(visit);
        break;
      case 'not':
        visit(node.clause);
        break;
      case 'identifier':
        found.push({ attribute: node.idType, field: IDENTIFIER_FIELDS[kind], identifier: true, use: 'filter' });
        break;
      case 'cmp':
        found.push(attributeReference(kind, node.attribute, 'filter'));
    }
  };
  visit(filter);
  return [...found, ...sort.map((key) => attributeReference(kind, key.attribute, 'sort'))];
}

function attributeReference(kind: RecordKind, attribute: string, use: FieldReference['use']): FieldReference {
  const def = Object.hasOwn(attributesOf(kind), attribute) ? attributesOf(kind)[attribute] : undefined;
  // An attribute outside the whitelist never reaches the database; it reads nothing we could name.
  const field = def?.field ?? attribute;
  return { attribute, field, ...(def?.derivation ? { derivation: def.derivation } : {}), identifier: field === IDENTIFIER_FIELDS[kind], use };
}
