/** One row per field: what the sender sees of it (allow, deny, mask keeping the last N characters, derive a year or an age). */
import { ActionIcon, Autocomplete, Button, NativeSelect, NumberInput, Table, Text, VisuallyHidden } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';

export const ACTIONS = ['allow', 'deny', 'mask', 'derive'] as const;
export type RuleAction = (typeof ACTIONS)[number];

export interface DraftRule {
  /** React key: rows are added and removed in any order. */
  key: string;
  field: string;
  action: RuleAction;
  keepLast: number | '';
  derive: 'year' | 'age';
}

export interface FieldRuleInput {
  field: string;
  action: string;
  keepLast?: number;
  derive?: string;
}

/**
 * Suggestions only: the server checks every rule (agreement-input.ts, from the registry's RECORD_FIELDS),
 * and any dotted path below these may be typed.
 */
const FIELD_SUGGESTIONS = [
  { group: 'Whole record (allow-list)', items: ['*', 'Person.*', 'Group.*'] },
  {
    group: 'Person',
    items: ['identifier', 'identifier.identifier_value', 'name', 'name.given_name', 'name.surname', 'name.second_name', 'name.prefix', 'name.suffix', 'sex', 'birth_date', 'birth_place', 'death_date', 'address', 'address.street_address', 'address.city', 'address.postal_code', 'phone_number', 'email', 'marital_status', 'is_disabled', 'relationship', 'registration_date', 'last_updated'],
  },
  {
    group: 'Group',
    items: ['Group.group_identifier', 'Group.group_type', 'Group.place', 'Group.address', 'Group.location', 'Group.poverty_score', 'Group.poverty_score_type', 'Group.group_head_info', 'Group.group_size', 'Group.member_list', 'Group.registration_date', 'Group.last_updated'],
  },
];

let nextKey = 0;
export function draftRule(rule: { field?: string; action?: string; keepLast?: number | null; derive?: string | null } = {}): DraftRule {
  return {
    key: `rule-${nextKey++}`,
    field: rule.field ?? '',
    action: (ACTIONS as readonly string[]).includes(rule.action ?? '') ? (rule.action as RuleAction) : 'deny',
    keepLast: rule.keepLast ?? '',
    derive: rule.derive === 'age' ? 'age' : 'year',
  };
}

/** The rules as the API takes them; rows without a field are left out. */
export function ruleInputs(rules: readonly DraftRule[]): FieldRuleInput[] {
  return rules
    .filter((r) => r.field.trim())
    .map((r) => ({
      field: r.field.trim(),
      action: r.action,
      ...(r.action === 'mask' && r.keepLast !== '' ? { keepLast: r.keepLast } : {}),
      ...(r.action === 'derive' ? { derive: r.derive } : {}),
    }));
}

export function FieldRulesEditor({ rules, onChange, readOnly, error }: { rules: DraftRule[]; onChange: (rules: DraftRule[]) => void; readOnly: boolean; error?: string }) {
  const update = (key: string, change: Partial<DraftRule>) => onChange(rules.map((r) => (r.key === key ? { ...r, ...change } : r)));
  return (
    <>
      <Table verticalSpacing={4} aria-label="Field rules">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Field</Table.Th>
            <Table.Th w={96}>Action</Table.Th>
            <Table.Th w={116}>Argument</Table.Th>
            {!readOnly && <Table.Th w={40}>
                <VisuallyHidden>Remove</VisuallyHidden>
              </Table.Th>}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rules.map((rule, index) => {
            const name = rule.field || `row ${index + 1}`;
            return (
              <Table.Tr key={rule.key}>
                <Table.Td>
                  <Autocomplete aria-label={`Field of rule ${index + 1}`} placeholder="e.g. birth_date" data={FIELD_SUGGESTIONS} value={rule.field} onChange={(field) => update(rule.key, { field })} readOnly={readOnly} size="xs" limit={40} />
                </Table.Td>
                <Table.Td>
                  <NativeSelect aria-label={`Action for ${name}`} data={[...ACTIONS]} value={rule.action} onChange={(e) => update(rule.key, { action: e.currentTarget.value as RuleAction })} disabled={readOnly} size="xs" />
                </Table.Td>
                <Table.Td>
                  {rule.action === 'mask' && (
                    <NumberInput aria-label={`Characters kept visible for ${name}`} placeholder="keep last 4" min={0} allowDecimal={false} value={rule.keepLast} onChange={(v) => update(rule.key, { keepLast: typeof v === 'number' ? v : '' })} readOnly={readOnly} size="xs" />
                  )}
                  {rule.action === 'derive' && (
                    <NativeSelect aria-label={`Derived value for ${name}`} data={[{ value: 'year', label: 'year only' }, { value: 'age', label: 'age in years' }]} value={rule.derive} onChange={(e) => update(rule.key, { derive: e.currentTarget.value as DraftRule['derive'] })} disabled={readOnly} size="xs" />
                  )}
                </Table.Td>
                {!readOnly && (
                  <Table.Td>
                    <ActionIcon variant="subtle" color="red" aria-label={`Remove rule for ${name}`} onClick={() => onChange(rules.filter((r) => r.key !== rule.key))}>
                      <IconTrash size={16} />
                    </ActionIcon>
                  </Table.Td>
                )}
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
      {rules.length === 0 && (
        <Text size="sm" c="dimmed" my="xs">
          No rules: the sender receives every field. Add <code>*</code> → deny to share only the fields you allow.
        </Text>
      )}
      {error && (
        <Text size="sm" c="red.8" role="alert" mt="xs">
          {error}
        </Text>
      )}
      {!readOnly && (
        <Button variant="light" size="xs" mt="xs" leftSection={<IconPlus size={14} />} onClick={() => onChange([...rules, draftRule()])}>
          Add rule
        </Button>
      )}
    </>
  );
}
