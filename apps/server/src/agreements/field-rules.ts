/**
 * Field rules of a data-sharing agreement, resolved for one record kind.
 *
 * A rule's `field` is a dotted path into the record (`sex`, `name.given_name`, `identifier`,
 * `identifier.identifier_value`; a path through an array applies to each element), optionally
 * prefixed `Person.` or `Group.` to target one kind; unprefixed rules apply to both kinds wherever
 * the field exists. Group members are people: Person rules also govern `member_list[]` and
 * `group_head_info` (see apply-field-rules.ts).
 *
 * Semantics (deny-safe):
 * - a field without a rule is shared as is, unless the agreement says `{field: '*', action: 'deny'}`,
 *   which makes it an allow-list (`Person.*` / `Group.*` do so for one kind only);
 * - deny, mask and derive cover the field's whole subtree, even where a deeper rule says allow;
 * - allow shares the subtree, but deeper rules still apply (`name` allow + `name.suffix` deny);
 * - several rules on the same field: the most restrictive wins (deny, then mask / derive, then allow),
 *   ties go to the first listed.
 */
import type { FieldRule } from '@dci-server/db';
import type { RecordKind } from '@dci-server/dci';

export type RuleAction = FieldRule['action'];
/** What happens to fields without a rule of their own. */
export type DefaultAction = 'allow' | 'deny';

export const WHOLE_RECORD = '*';
export const DEFAULT_KEEP_LAST = 4;
export const DERIVATIONS = ['year', 'age'] as const;
export type Derivation = (typeof DERIVATIONS)[number];

const RESTRICTIVENESS: Readonly<Record<RuleAction, number>> = { allow: 0, mask: 1, derive: 1, deny: 2 };

/** The rules that apply to one record kind, by path. */
export class KindRules {
  readonly recordDefault: DefaultAction;
  private readonly byPath = new Map<string, FieldRule>();
  /** Every path that has a rule somewhere below it. */
  private readonly ancestors = new Set<string>();

  constructor(rules: readonly FieldRule[], kind: RecordKind) {
    let recordDefault: DefaultAction = 'allow';
    for (const rule of rules) {
      const target = ruleTarget(rule.field);
      if (target.kind && target.kind !== kind) continue;
      if (target.path === WHOLE_RECORD) {
        // Only allow / deny make sense for the whole record; anything else fails closed.
        if (rule.action !== 'allow') recordDefault = 'deny';
        continue;
      }
      const current = this.byPath.get(target.path);
      if (!current || RESTRICTIVENESS[rule.action] > RESTRICTIVENESS[current.action]) this.byPath.set(target.path, rule);
      const segments = target.path.split('.');
      for (let i = 1; i < segments.length; i++) this.ancestors.add(segments.slice(0, i).join('.'));
    }
    this.recordDefault = recordDefault;
  }

  /** No rule at all for this kind: every field is shared as it is. */
  get sharesAll(): boolean {
    return this.recordDefault === 'allow' && this.byPath.size === 0;
  }

  ruleAt(path: string): FieldRule | undefined {
    return this.byPath.get(path);
  }

  hasRulesBelow(path: string): boolean {
    return this.ancestors.has(path);
  }

  /** How a reader of `path` sees it: the nearest deny / mask / derive on it or above, else allow or the record default. */
  effectiveRule(path: string): Pick<FieldRule, 'action' | 'derive'> {
    let inherited: DefaultAction = this.recordDefault;
    const segments = path.split('.');
    for (let i = 1; i <= segments.length; i++) {
      const rule = this.byPath.get(segments.slice(0, i).join('.'));
      if (!rule) continue;
      if (rule.action !== 'allow') return rule;
      inherited = 'allow';
    }
    return { action: inherited };
  }

  effectiveAction(path: string): RuleAction {
    return this.effectiveRule(path).action;
  }
}

/** `Person.name.given_name` → Person, `name.given_name`; `*` and `Group.*` → the whole record. */
export function ruleTarget(field: string): { kind?: RecordKind; path: string } {
  const dot = field.indexOf('.');
  const head = dot < 0 ? field : field.slice(0, dot);
  if (dot > 0 && (head === 'Person' || head === 'Group')) return { kind: head, path: field.slice(dot + 1) };
  return { path: field };
}

export function isDerivation(value: unknown): value is Derivation {
  return (DERIVATIONS as readonly unknown[]).includes(value);
}
