/** Per-translation state: record kind, error code and the nesting / size budget. */
import { DciError } from '../errors.js';
import type { RecordKind } from './ast.js';

export const MAX_DEPTH = 8;
export const MAX_CONDITIONS = 100;

/** Search criteria and subscription filters report the same problems under different spec codes. */
export type InvalidQueryCode = 'rjct.search_criteria.invalid' | 'rjct.filter.invalid';

export class QueryContext {
  private conditions = 0;

  constructor(
    readonly recordKind: RecordKind,
    readonly invalidCode: InvalidQueryCode,
  ) {}

  invalid(message: string): DciError {
    return new DciError(this.invalidCode, message);
  }

  enter(depth: number): void {
    if (depth > MAX_DEPTH) throw this.invalid(`Query nesting is deeper than ${MAX_DEPTH} levels`);
  }

  /** Counts one comparison; in/nin count once however many values they list. */
  countCondition(): void {
    this.conditions += 1;
    if (this.conditions > MAX_CONDITIONS) throw this.invalid(`Query has more than ${MAX_CONDITIONS} conditions`);
  }

  get conditionCount(): number {
    return this.conditions;
  }
}
