/** Database-agnostic filter tree produced from DCI search criteria and subscription filters. */

export type CmpOp = 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte' | 'in' | 'nin';

/** Dates are ISO strings: `YYYY-MM-DD`, or a full UTC timestamp from `toISOString()`. */
export type ScalarValue = string | number | boolean;

export type FilterNode =
  | { kind: 'and' | 'or'; clauses: FilterNode[] }
  | { kind: 'not'; clause: FilterNode }
  | { kind: 'cmp'; attribute: string; op: CmpOp; value: ScalarValue | ScalarValue[] }
  | { kind: 'identifier'; idType: string; value: string };

export type RecordKind = 'Person' | 'Group';

export interface SortKey {
  attribute: string;
  direction: 'asc' | 'desc';
}

export interface PageRequest {
  size: number;
  /** 1-based, as in the spec. */
  number: number;
  offset: number;
}

export interface CompiledSearch {
  recordKind: RecordKind;
  filter: FilterNode;
  sort: SortKey[];
  page: PageRequest;
}
