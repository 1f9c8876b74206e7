import { Anchor, Badge, Button, Group, NativeSelect, SegmentedControl, Table, Text } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { useCanChange } from '../../app/auth.js';
import { request } from '../../lib/graphql.js';
import { EmptyState, PageHeader, QueryState } from '../../lib/ui.js';
import { TONES } from './tones.js';
import { AgreementsQuery, SenderChoicesQuery, type AgreementData } from './agreement-documents.js';

const STATES = { all: undefined, active: true, ended: false } as const;
type State = keyof typeof STATES;

/** Every sender's agreements, filtered by sender and state (kept in the address, so a filtered list can be shared). */
export function AgreementsListPage() {
  const canChange = useCanChange();
  const [params, setParams] = useSearchParams();
  const senderId = params.get('senderId') ?? '';
  const state = (params.get('state') as State | null) ?? 'all';
  const setParam = (key: string, value: string) =>
    setParams((p) => {
      if (value) p.set(key, value);
      else p.delete(key);
      return p;
    });
  const senders = useQuery({ queryKey: ['agreement-sender-choices'], queryFn: () => request(SenderChoicesQuery) });
  const agreements = useQuery({
    queryKey: ['agreements', senderId, state],
    queryFn: () => request(AgreementsQuery, { senderId: senderId || undefined, active: STATES[state] }),
    // The list stays in place while a new filter loads.
    placeholderData: keepPreviousData,
  });
  const newAgreementPath = `/agreements/new${senderId ? `?senderId=${encodeURIComponent(senderId)}` : ''}`;
  return (
    <>
      <PageHeader
        title="Agreements"
        description="What each sender may ask for and see. No agreement in force, no data."
        actions={
          canChange && (
            <Button component={Link} to={newAgreementPath} leftSection={<IconPlus size={16} />}>
              New agreement
            </Button>
          )
        }
      />
      <Group mb="md" align="flex-end">
        <NativeSelect
          label="Sender"
          w={260}
          value={senderId}
          onChange={(e) => setParam('senderId', e.currentTarget.value)}
          data={[{ value: '', label: 'All senders' }, ...(senders.data?.senders ?? []).map((s) => ({ value: s.senderId, label: s.name === s.senderId ? s.senderId : `${s.name} (${s.senderId})` }))]}
        />
        <SegmentedControl aria-label="State" value={state} onChange={(v) => setParam('state', v === 'all' ? '' : v)} data={[{ value: 'all', label: 'All' }, { value: 'active', label: 'Active' }, { value: 'ended', label: 'Ended' }]} />
      </Group>
      <QueryState query={agreements}>{(data) => (data.agreements.length ? <AgreementsTable agreements={data.agreements} /> : <EmptyState>No agreements match these filters.</EmptyState>)}</QueryState>
    </>
  );
}

function AgreementsTable({ agreements }: { agreements: readonly AgreementData[] }) {
  return (
    <Table highlightOnHover>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Agreement</Table.Th>
          <Table.Th>Sender</Table.Th>
          <Table.Th>Purpose</Table.Th>
          <Table.Th>Valid</Table.Th>
          <Table.Th ta="right">Field rules</Table.Th>
          <Table.Th>State</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {agreements.map((a) => (
          <Table.Tr key={a.id}>
            <Table.Td>
              <Anchor component={Link} to={`/agreements/${a.id}`} fw={500}>
                {a.name}
              </Anchor>
            </Table.Td>
            <Table.Td>
              <Anchor component={Link} to={`/senders/${encodeURIComponent(a.senderId)}`}>
                {a.senderId}
              </Anchor>
            </Table.Td>
            <Table.Td maw={360}>
              <Text size="sm" lineClamp={2}>
                {a.purpose}
              </Text>
            </Table.Td>
            <Table.Td>
              <Text size="sm">{validity(a)}</Text>
            </Table.Td>
            <Table.Td ta="right">{a.fieldRules.length}</Table.Td>
            <Table.Td>
              <AgreementStateBadge active={a.active} />
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

const day = (value: string) => value.slice(0, 10);

/** "always", "from 2026-01-01", "until 2027-01-01 (exclusive)", or both. */
export function validity(a: Pick<AgreementData, 'validFrom' | 'validTo'>): string {
  if (!a.validFrom && !a.validTo) return 'always';
  return [a.validFrom && `from ${day(a.validFrom)}`, a.validTo && `until ${day(a.validTo)}`].filter(Boolean).join(' ');
}

export function AgreementStateBadge({ active, size }: { active: boolean; size?: string }) {
  return (
    <Badge size={size} color={active ? TONES.good : TONES.neutral} variant={active ? 'filled' : 'outline'}>
      {active ? 'active' : 'ended'}
    </Badge>
  );
}
