import { Anchor, Badge, Button, Card, Group, NumberInput, Select, SimpleGrid, Stack, Table, Text, TextInput } from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { request } from '../../lib/graphql.js';
import { EmptyState, formatDateTime, PageHeader, QueryState } from '../../lib/ui.js';
import { TransactionsQuery, type TransactionFilter, type TransactionListRow } from './transaction-documents.js';
import { exportHref, filterFromSearch, isoFromLocalInput, localInputFromIso, searchFromFilter } from './transaction-filters.js';
import { DCI_STATUS_OPTIONS, DciStatusBadge, HttpStatusBadge, OPERATION_OPTIONS } from './transaction-status.js';

const PAGE_SIZE = 50;
const COUNT_LIMIT = 10_000;
/** The newest page refreshes itself so new transactions appear without a reload. */
const LIVE_INTERVAL_MS = 3_000;

export function TransactionsListPage() {
  const [search, setSearch] = useSearchParams();
  const filter = filterFromSearch(search);
  const filterKey = searchFromFilter(filter).toString();
  return (
    <>
      <PageHeader
        title="Transactions"
        description="Every call to the DCI API, accepted or refused, newest first."
        actions={
          <>
            <Button component="a" href={exportHref(filter, 'csv')} download variant="default" leftSection={<IconDownload size={16} />}>
              Export CSV
            </Button>
            <Button component="a" href={exportHref(filter, 'ndjson')} download variant="default" leftSection={<IconDownload size={16} />}>
              Export NDJSON
            </Button>
          </>
        }
      />
      <Stack>
        <FilterForm key={`form?${filterKey}`} filter={filter} onApply={(next) => setSearch(searchFromFilter(next))} />
        {/* A new filter starts again from the newest page. */}
        <TransactionPages key={`pages?${filterKey}`} filter={filter} />
      </Stack>
    </>
  );
}

function FilterForm({ filter, onApply }: { filter: TransactionFilter; onApply: (filter: TransactionFilter) => void }) {
  const [draft, setDraft] = useState({
    anyId: filter.anyId ?? '',
    senderId: filter.senderId ?? '',
    operation: filter.operation ?? null,
    dciStatus: filter.dciStatus ?? null,
    reasonCode: filter.reasonCode ?? '',
    httpStatus: filter.httpStatus ?? '',
    from: localInputFromIso(filter.from),
    to: localInputFromIso(filter.to),
  });
  const set = <K extends keyof typeof draft>(key: K, value: (typeof draft)[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onApply({
      anyId: draft.anyId.trim() || undefined,
      senderId: draft.senderId.trim() || undefined,
      operation: draft.operation ?? undefined,
      dciStatus: draft.dciStatus ?? undefined,
      reasonCode: draft.reasonCode.trim() || undefined,
      httpStatus: typeof draft.httpStatus === 'number' ? draft.httpStatus : undefined,
      from: isoFromLocalInput(draft.from),
      to: isoFromLocalInput(draft.to),
    });
  };
  return (
    <Card withBorder component="form" onSubmit={submit} role="search" aria-label="Filter transactions">
      <SimpleGrid cols={4} spacing="sm">
        <TextInput label="Any id" description="transaction, message, correlation or record id" value={draft.anyId} onChange={(e) => set('anyId', e.currentTarget.value)} />
        <TextInput label="Sender" description="sender id" value={draft.senderId} onChange={(e) => set('senderId', e.currentTarget.value)} />
        <Select label="Operation" description="DCI operation" data={OPERATION_OPTIONS} value={draft.operation} onChange={(v) => set('operation', v)} clearable placeholder="any" />
        <Select label="DCI status" description="the answer's status" data={DCI_STATUS_OPTIONS} value={draft.dciStatus} onChange={(v) => set('dciStatus', v)} clearable placeholder="any" />
        <TextInput label="Reason code" description="e.g. err.auth.missing_token" value={draft.reasonCode} onChange={(e) => set('reasonCode', e.currentTarget.value)} />
        <NumberInput label="HTTP status" description="e.g. 401" min={100} max={599} allowDecimal={false} value={draft.httpStatus} onChange={(v) => set('httpStatus', v)} />
        <TextInput type="datetime-local" label="From (UTC)" description="inclusive" value={draft.from} onChange={(e) => set('from', e.currentTarget.value)} />
        <TextInput type="datetime-local" label="To (UTC)" description="exclusive" value={draft.to} onChange={(e) => set('to', e.currentTarget.value)} />
      </SimpleGrid>
      <Group justify="flex-end" mt="sm">
        <Button variant="subtle" onClick={() => onApply({})}>
          Clear filters
        </Button>
        <Button type="submit">Apply filters</Button>
      </Group>
    </Card>
  );
}

function TransactionPages({ filter }: { filter: TransactionFilter }) {
  // The cursors of the pages before this one: "Previous" goes back one, the first page has none.
  const [cursors, setCursors] = useState<string[]>([]);
  const after = cursors.at(-1);
  const onNewest = cursors.length === 0;
  const query = useQuery({
    queryKey: ['transactions', filter, after ?? null],
    queryFn: () => request(TransactionsQuery, { filter, first: PAGE_SIZE, after }),
    placeholderData: keepPreviousData,
    refetchInterval: onNewest ? LIVE_INTERVAL_MS : false,
  });
  return (
    <QueryState query={query}>
      {({ transactions }) => {
        const count = transactions.countAtMost;
        const rows = transactions.edges.map((e) => e.node);
        const first = cursors.length * PAGE_SIZE + 1;
        return (
          <Card withBorder p={0}>
            <Group justify="space-between" p="sm">
              <Group gap="xs">
                <Text size="sm" aria-live="polite">
                  {count >= COUNT_LIMIT ? `More than ${COUNT_LIMIT.toLocaleString()}` : count.toLocaleString()} matching
                  {rows.length > 0 && ` · showing ${first.toLocaleString()}–${(first + rows.length - 1).toLocaleString()}`}
                </Text>
                {onNewest && (
                  <Badge variant="dot" color="teal" title={`refreshed every ${LIVE_INTERVAL_MS / 1000} s`}>
                    Live
                  </Badge>
                )}
              </Group>
              <Group gap="xs">
                {!onNewest && (
                  <Button variant="subtle" size="xs" onClick={() => setCursors([])}>
                    Newest
                  </Button>
                )}
                <Button variant="default" size="xs" disabled={onNewest} onClick={() => setCursors((c) => c.slice(0, -1))}>
                  Previous
                </Button>
                <Button
                  variant="default"
                  size="xs"
                  disabled={!transactions.pageInfo.hasNextPage || !transactions.pageInfo.endCursor}
                  onClick={() => setCursors((c) => [...c, transactions.pageInfo.endCursor!])}
                >
                  Next
                </Button>
              </Group>
            </Group>
            {rows.length ? <TransactionTable rows={rows} /> : <EmptyState>No transaction matches these filters.</EmptyState>}
          </Card>
        );
      }}
    </QueryState>
  );
}

function TransactionTable({ rows }: { rows: TransactionListRow[] }) {
  return (
    <Table.ScrollContainer minWidth={1000}>
      <Table striped highlightOnHover verticalSpacing="xs" aria-label="Transactions">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Time</Table.Th>
            <Table.Th>Sender</Table.Th>
            <Table.Th>Operation</Table.Th>
            <Table.Th>DCI status</Table.Th>
            <Table.Th>HTTP</Table.Th>
            <Table.Th>Reason code</Table.Th>
            <Table.Th ta="right">Duration</Table.Th>
            <Table.Th>Transaction id</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((t) => (
            <Table.Tr key={t.id}>
              <Table.Td>
                <Anchor component={Link} to={`/transactions/${t.id}`} size="sm" aria-label={`Transaction at ${formatDateTime(t.createdAt)}${t.senderId ? ` from ${t.senderId}` : ''}`}>
                  {formatDateTime(t.createdAt)}
                </Anchor>
              </Table.Td>
              <Table.Td>{t.senderId ?? <Text c="dimmed" size="sm">unknown</Text>}</Table.Td>
              <Table.Td>
                {t.operation}
                {t.asyncStatus && (
                  <Text span c="dimmed" size="xs">
                    {' '}
                    (async: {t.asyncStatus})
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                <DciStatusBadge status={t.dciStatus} />
              </Table.Td>
              <Table.Td>
                <HttpStatusBadge status={t.httpStatus} />
              </Table.Td>
              <Table.Td>
                <Text size="sm" ff="monospace">
                  {t.reasonCode ?? ''}
                </Text>
              </Table.Td>
              <Table.Td ta="right">{t.durationMs} ms</Table.Td>
              <Table.Td>
                <Text size="sm" ff="monospace" truncate maw={220} title={t.transactionId ?? undefined}>
                  {t.transactionId ?? ''}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
