import { Anchor, Button, Card, Group, Select, Table, Text, TextInput } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useCanChange } from '../../app/auth.js';
import { request } from '../../lib/graphql.js';
import { EmptyState, formatDateTime, PageHeader, QueryState } from '../../lib/ui.js';
import { SubscriptionsQuery } from './subscription-documents.js';
import { DELIVERY_STATUSES, DeliveryStatus, EVENT_TYPES, ResendDeadLettersButton, SUBSCRIPTION_STATUSES, SubscriptionStatus } from './subscription-ui.js';

const PAGE_SIZE = 25;
const FILTERS = ['senderId', 'eventType', 'status', 'deliveryStatus'] as const;

/** Subscriptions filtered by sender, event type, status and delivery status (the dashboard links here), in cursor pages. */
export function SubscriptionsListPage() {
  const [params, setParams] = useSearchParams();
  const filter = Object.fromEntries(FILTERS.flatMap((name) => (params.get(name) ? [[name, params.get(name)!]] : []))) as Partial<Record<(typeof FILTERS)[number], string>>;
  // Cursors of the pages before this one, so "Previous" goes back without the server keeping state.
  const [cursors, setCursors] = useState<string[]>([]);
  const after = cursors.at(-1);
  const query = useQuery({
    queryKey: ['subscriptions', filter, after],
    queryFn: () => request(SubscriptionsQuery, { filter, first: PAGE_SIZE, after, deliveryStatus: filter.deliveryStatus }),
    placeholderData: keepPreviousData,
    refetchInterval: 10_000,
  });
  const setFilter = (name: (typeof FILTERS)[number], value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
    setCursors([]);
  };
  const canChange = useCanChange();
  return (
    <>
      <PageHeader
        title="Subscriptions"
        description="Senders' standing requests to be notified of registry events, and how their deliveries fare."
        actions={canChange && <ResendDeadLettersButton filter={{ senderId: filter.senderId, eventType: filter.eventType }} label="Resend dead letters matching the filter" />}
      />
      <Card withBorder mb="md">
        <Group align="flex-end">
          <SenderFilter value={filter.senderId ?? ''} onChange={(v) => setFilter('senderId', v)} />
          <Select label="Event type" placeholder="Any" clearable data={EVENT_TYPES} value={filter.eventType ?? null} onChange={(v) => setFilter('eventType', v)} />
          <Select label="Status" placeholder="Any" clearable data={SUBSCRIPTION_STATUSES.map((s) => ({ value: s, label: s.replace('_', ' ') }))} value={filter.status ?? null} onChange={(v) => setFilter('status', v)} />
          <Select label="Has deliveries" placeholder="Any" clearable data={DELIVERY_STATUSES.map((s) => ({ value: s, label: s === 'dead' ? 'dead letters' : s }))} value={filter.deliveryStatus ?? null} onChange={(v) => setFilter('deliveryStatus', v)} />
        </Group>
      </Card>
      <QueryState query={query}>
        {({ subscriptions }) => (
          <>
            <Text size="sm" c="dimmed" mb="xs">
              {subscriptions.totalCount.toLocaleString()} {subscriptions.totalCount === 1 ? 'subscription' : 'subscriptions'}
              {filter.deliveryStatus && (
                <>
                  {' '}
                  with deliveries in state <DeliveryStatus status={filter.deliveryStatus} />
                </>
              )}
            </Text>
            {subscriptions.edges.length === 0 ? (
              <EmptyState>No subscription matches these filters.</EmptyState>
            ) : (
              <Table.ScrollContainer minWidth={900}>
                <Table striped highlightOnHover>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Code</Table.Th>
                      <Table.Th>Sender</Table.Th>
                      <Table.Th>Event</Table.Th>
                      <Table.Th>Status</Table.Th>
                      <Table.Th ta="right">Failures in a row</Table.Th>
                      <Table.Th ta="right">{filter.deliveryStatus ? `Deliveries ${filter.deliveryStatus}` : 'Deliveries'}</Table.Th>
                      <Table.Th>Callback</Table.Th>
                      <Table.Th>Created</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {subscriptions.edges.map(({ node: s }) => (
                      <Table.Tr key={s.id}>
                        <Table.Td>
                          <Anchor component={Link} to={`/subscriptions/${encodeURIComponent(s.code)}`} ff="monospace" size="sm" style={{ whiteSpace: 'nowrap' }}>
                            {s.code}
                          </Anchor>
                        </Table.Td>
                        <Table.Td style={{ whiteSpace: 'nowrap' }}>{s.senderId}</Table.Td>
                        <Table.Td>
                          {s.eventType} <Text span size="xs" c="dimmed">({s.recordType})</Text>
                        </Table.Td>
                        <Table.Td>
                          <SubscriptionStatus status={s.status} />
                        </Table.Td>
                        <Table.Td ta="right">{s.consecutiveFailures}</Table.Td>
                        <Table.Td ta="right">{s.deliveries.totalCount.toLocaleString()}</Table.Td>
                        <Table.Td>
                          <Text size="sm" truncate="end" maw={240} title={s.callbackUrl}>
                            {s.callbackUrl}
                          </Text>
                        </Table.Td>
                        <Table.Td>{formatDateTime(s.createdAt)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
            <Group justify="flex-end" mt="md">
              <Button variant="default" disabled={!cursors.length} onClick={() => setCursors(cursors.slice(0, -1))}>
                Previous page
              </Button>
              <Button variant="default" disabled={!subscriptions.pageInfo.hasNextPage} onClick={() => setCursors([...cursors, subscriptions.pageInfo.endCursor!])}>
                Next page
              </Button>
            </Group>
          </>
        )}
      </QueryState>
    </>
  );
}

/** The sender filter applies when the person stops typing (Enter or leaving the field), not on every key. */
function SenderFilter({ value, onChange }: { value: string; onChange: (value: string | null) => void }) {
  const [draft, setDraft] = useState(value);
  const apply = () => onChange(draft.trim() || null);
  return <TextInput label="Sender" placeholder="sender id" value={draft} onChange={(e) => setDraft(e.currentTarget.value)} onBlur={apply} onKeyDown={(e) => e.key === 'Enter' && apply()} />;
}
