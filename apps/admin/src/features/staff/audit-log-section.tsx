import { Button, Card, Code, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { request } from '../../lib/graphql.js';
import { EmptyState, formatDateTime, QueryState } from '../../lib/ui.js';
import { StaffActionsQuery } from './staff-documents.js';

const PAGE_SIZE = 25;
const FILTERS = ['actor', 'action', 'target'] as const;
type Filter = Record<(typeof FILTERS)[number], string>;

/** The staff audit log, newest first: who did what to which target, with the state before and after. */
export function AuditLogSection() {
  const [draft, setDraft] = useState<Filter>({ actor: '', action: '', target: '' });
  const [filter, setFilter] = useState<Filter>(draft);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const variables = { first: PAGE_SIZE, after: cursors.at(-1) ?? null, ...Object.fromEntries(FILTERS.filter((k) => filter[k].trim()).map((k) => [k, filter[k].trim()])) };
  const query = useQuery({ queryKey: ['staffActions', variables], queryFn: () => request(StaffActionsQuery, variables), placeholderData: keepPreviousData });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setCursors([null]);
    setFilter(draft);
  };
  return (
    <Card withBorder>
      <Title order={3} size="h4" mb="sm">
        Staff audit log
      </Title>
      <Stack>
        <Group component="form" onSubmit={submit} align="flex-end" aria-label="Filter the audit log">
          <TextInput label="Actor" placeholder="staff:admin@example.org" value={draft.actor} onChange={(e) => setDraft({ ...draft, actor: e.currentTarget.value })} />
          <TextInput label="Action" placeholder="recordDeath" value={draft.action} onChange={(e) => setDraft({ ...draft, action: e.currentTarget.value })} />
          <TextInput label="Target" value={draft.target} onChange={(e) => setDraft({ ...draft, target: e.currentTarget.value })} />
          <Button type="submit" variant="default">
            Filter
          </Button>
        </Group>
        <QueryState query={query}>
          {({ staffActions: page }) => (
            <>
              <Group justify="space-between">
                <Text size="sm" fw={600}>
                  {page.totalCount.toLocaleString()} {page.totalCount === 1 ? 'action' : 'actions'}
                </Text>
                <Group gap="xs">
                  <Button size="xs" variant="default" disabled={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))}>
                    Newer
                  </Button>
                  <Button size="xs" variant="default" disabled={!page.pageInfo.hasNextPage} onClick={() => setCursors([...cursors, page.pageInfo.endCursor])}>
                    Older
                  </Button>
                </Group>
              </Group>
              {page.edges.length ? (
                <Table aria-label="Staff actions">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>When</Table.Th>
                      <Table.Th>Who</Table.Th>
                      <Table.Th>What</Table.Th>
                      <Table.Th>Target</Table.Th>
                      <Table.Th>Change</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {page.edges.map(({ node: a }) => (
                      <Table.Tr key={a.id}>
                        <Table.Td>{formatDateTime(a.at)}</Table.Td>
                        <Table.Td>{a.actor}</Table.Td>
                        <Table.Td>{a.action}</Table.Td>
                        <Table.Td>{a.target ?? '–'}</Table.Td>
                        <Table.Td>
                          {a.before !== null || a.after !== null ? (
                            <details>
                              <summary>
                                <Text span size="sm">
                                  Before / after
                                </Text>
                              </summary>
                              <Group align="flex-start" grow wrap="nowrap">
                                <Code block>{JSON.stringify(a.before, null, 2)}</Code>
                                <Code block>{JSON.stringify(a.after, null, 2)}</Code>
                              </Group>
                            </details>
                          ) : (
                            '–'
                          )}
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              ) : (
                <EmptyState>No staff actions match.</EmptyState>
              )}
            </>
          )}
        </QueryState>
      </Stack>
    </Card>
  );
}
