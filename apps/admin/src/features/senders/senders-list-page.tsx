import { Anchor, Badge, Card, Group, Select, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconSearch } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useCanChange } from '../../app/auth.js';
import { request, type ResultOf, type VariablesOf } from '../../lib/graphql.js';
import { EmptyState, PageHeader, QueryState } from '../../lib/ui.js';
import { NewSenderButton } from './new-sender-form.js';
import { OPERATIONS, SendersQuery } from './sender-documents.js';

type SenderRow = ResultOf<typeof SendersQuery>['senders'][number];

/** Select values for a yes/no filter: '' means either. */
const asBoolean = (value: string | null): boolean | undefined => (value === 'yes' ? true : value === 'no' ? false : undefined);

/** The filters live in the address (?active=yes&operation=search&unsigned=yes&search=crvs): links and Back keep them. */
function useFilterParams() {
  const [params, setParams] = useSearchParams();
  const set = (name: string) => (value: string | null) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        if (value) next.set(name, value);
        else next.delete(name);
        return next;
      },
      { replace: true },
    );
  return { get: (name: string) => params.get(name) ?? '', set };
}

export function SendersListPage() {
  const canChange = useCanChange();
  const filters = useFilterParams();
  const [search, setSearch] = useState(filters.get('search'));
  const [debouncedSearch] = useDebouncedValue(search.trim(), 250);
  const setSearchParam = filters.set('search');
  // Only the settled search goes into the address (the setter is new each render).
  useEffect(() => setSearchParam(debouncedSearch), [debouncedSearch]);
  const active = filters.get('active');
  const operation = filters.get('operation');
  const unsigned = filters.get('unsigned');
  const filter: VariablesOf<typeof SendersQuery>['filter'] = {
    search: debouncedSearch || undefined,
    active: asBoolean(active),
    operation: operation || undefined,
    allowUnsigned: asBoolean(unsigned),
  };
  const query = useQuery({ queryKey: ['senders', filter], queryFn: () => request(SendersQuery, { filter }), placeholderData: keepPreviousData });
  return (
    <>
      <PageHeader title="Senders" description="Systems that send DCI requests: their keys, OAuth clients and limits." actions={canChange && <NewSenderButton />} />
      <Card withBorder mb="md">
        <Group align="flex-end">
          <TextInput label="Search" placeholder="Sender id or name" leftSection={<IconSearch size={16} aria-hidden />} value={search} onChange={(e) => setSearch(e.currentTarget.value)} w={260} />
          <Select
            label="Status"
            data={[
              { value: '', label: 'All' },
              { value: 'yes', label: 'Active' },
              { value: 'no', label: 'Inactive' },
            ]}
            value={active}
            onChange={filters.set('active')}
            allowDeselect={false}
            w={140}
          />
          <Select label="Operation" data={[{ value: '', label: 'Any' }, ...OPERATIONS]} value={operation} onChange={filters.set('operation')} allowDeselect={false} w={160} />
          <Select
            label="Unsigned requests"
            data={[
              { value: '', label: 'All' },
              { value: 'yes', label: 'Allowed' },
              { value: 'no', label: 'Refused' },
            ]}
            value={unsigned}
            onChange={filters.set('unsigned')}
            allowDeselect={false}
            w={170}
          />
        </Group>
      </Card>
      <QueryState query={query}>{(data) => (data.senders.length ? <SendersTable senders={data.senders} /> : <EmptyState>No sender matches these filters.</EmptyState>)}</QueryState>
    </>
  );
}

function SendersTable({ senders }: { senders: readonly SenderRow[] }) {
  return (
    <Table.ScrollContainer minWidth={900}>
      <Table striped highlightOnHover>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Sender id</Table.Th>
            <Table.Th>Name</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Operations</Table.Th>
            <Table.Th ta="right">Keys in use</Table.Th>
            <Table.Th ta="right">Active clients</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {senders.map((s) => (
            <Table.Tr key={s.senderId} bg={s.allowUnsigned ? 'red.0' : undefined}>
              <Table.Td>
                <Anchor component={Link} to={`/senders/${encodeURIComponent(s.senderId)}`} fw={600}>
                  {s.senderId}
                </Anchor>
                {s.allowUnsigned && (
                  <Badge color="red.8" variant="filled" ml="xs" size="sm">
                    unsigned allowed
                  </Badge>
                )}
              </Table.Td>
              <Table.Td>{s.name}</Table.Td>
              <Table.Td>
                <Badge color={s.active ? 'teal.9' : 'gray.7'} variant="filled">
                  {s.active ? 'active' : 'inactive'}
                </Badge>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{s.allowedOperations.join(', ')}</Text>
              </Table.Td>
              <Table.Td ta="right">{s.keys.filter((k) => !k.revoked).length}</Table.Td>
              <Table.Td ta="right">{s.clients.filter((c) => c.active).length}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
