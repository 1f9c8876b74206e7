import { BarChart } from '@mantine/charts';
import { Alert, Anchor, Card, Group, List, SegmentedControl, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import { request, type ResultOf } from '../../lib/graphql.js';
import { EmptyState, formatDateTime, PageHeader, QueryState } from '../../lib/ui.js';
import { DashboardQuery } from './dashboard-documents.js';

type Dashboard = ResultOf<typeof DashboardQuery>['dashboard'];

const WINDOWS = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 } as const;

export function DashboardPage() {
  const [window, setWindow] = useState<keyof typeof WINDOWS>('24h');
  const query = useQuery({
    queryKey: ['dashboard', window],
    queryFn: () => request(DashboardQuery, { from: new Date(Date.now() - WINDOWS[window]).toISOString() }),
    refetchInterval: 15_000,
  });
  return (
    <>
      <PageHeader title="Dashboard" description="DCI traffic, background work and risks at a glance." actions={<SegmentedControl aria-label="Time window" value={window} onChange={(v) => setWindow(v as keyof typeof WINDOWS)} data={Object.keys(WINDOWS)} />} />
      <QueryState query={query}>{(data) => <DashboardView d={data.dashboard} />}</QueryState>
    </>
  );
}

function DashboardView({ d }: { d: Dashboard }) {
  return (
    <Stack>
      {d.unsignedSenders.length > 0 && (
        <Alert color="red" title="Senders allowed unsigned requests" role="alert">
          {d.unsignedSenders.map((id) => (
            <Anchor key={id} component={Link} to={`/senders/${encodeURIComponent(id)}`} mr="sm" c="red.8" fw={600}>
              {id}
            </Anchor>
          ))}
        </Alert>
      )}
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        <Figure label="Requests" value={d.requestCount.toLocaleString()} to="/transactions" />
        <Figure label="Error rate" value={`${(d.errorRate * 100).toFixed(1)} %`} detail={`${d.errorCount.toLocaleString()} refused`} to="/transactions?dciStatus=rjct" tone={d.errorRate > 0.05 ? 'red' : undefined} />
        <Figure label="Latency p95" value={d.p95Ms === null ? '–' : `${Math.round(d.p95Ms)} ms`} detail={d.p50Ms === null ? undefined : `p50 ${Math.round(d.p50Ms)} ms`} />
        <Figure label="Async backlog" value={d.asyncBacklog.toLocaleString()} detail="callbacks not yet delivered" to="/transactions?dciStatus=pdng" />
        <Figure label="Deliveries pending" value={d.deliveries.pending.toLocaleString()} to="/subscriptions" />
        <Figure label="Deliveries failing" value={d.deliveries.failed.toLocaleString()} to="/subscriptions?deliveryStatus=failed" tone={d.deliveries.failed ? 'orange' : undefined} />
        <Figure label="Dead letters" value={d.deliveries.dead.toLocaleString()} to="/subscriptions?deliveryStatus=dead" tone={d.deliveries.dead ? 'red' : undefined} />
        <Figure label="Sender keys expiring (30 days)" value={d.expiringSenderKeys.length.toLocaleString()} tone={d.expiringSenderKeys.length ? 'orange' : undefined} />
      </SimpleGrid>
      <Card withBorder>
        <Title order={4} mb="sm">
          Requests by outcome
        </Title>
        <RequestsChart d={d} />
      </Card>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Card withBorder>
          <Title order={4} mb="sm">
            Top senders
          </Title>
          {d.topSenders.length ? (
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Sender</Table.Th>
                  <Table.Th ta="right">Requests</Table.Th>
                  <Table.Th ta="right">Refused</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {d.topSenders.map((s) => (
                  <Table.Tr key={s.senderId}>
                    <Table.Td>
                      <Anchor component={Link} to={`/transactions?senderId=${encodeURIComponent(s.senderId)}`}>
                        {s.senderId}
                      </Anchor>
                    </Table.Td>
                    <Table.Td ta="right">{s.requests.toLocaleString()}</Table.Td>
                    <Table.Td ta="right">{s.errors.toLocaleString()}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          ) : (
            <EmptyState>No requests in this window.</EmptyState>
          )}
        </Card>
        <Card withBorder>
          <Title order={4} mb="sm">
            Sender keys near expiry
          </Title>
          {d.expiringSenderKeys.length ? (
            <List>
              {d.expiringSenderKeys.map((k) => (
                <List.Item key={`${k.senderId}/${k.keyId}`}>
                  <Anchor component={Link} to={`/senders/${encodeURIComponent(k.senderId)}`}>
                    {k.senderId}
                  </Anchor>{' '}
                  {k.keyId}: {formatDateTime(k.notAfter)}
                </List.Item>
              ))}
            </List>
          ) : (
            <EmptyState>No sender key ends in the next 30 days.</EmptyState>
          )}
        </Card>
      </SimpleGrid>
    </Stack>
  );
}

function Figure({ label, value, detail, to, tone }: { label: string; value: string; detail?: string; to?: string; tone?: string }) {
  const body: ReactNode = (
    <Card withBorder h="100%">
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text fz={28} fw={700} c={tone}>
        {value}
      </Text>
      {detail && (
        <Text size="xs" c="dimmed">
          {detail}
        </Text>
      )}
    </Card>
  );
  return to ? (
    <Anchor component={Link} to={to} underline="never">
      {body}
    </Anchor>
  ) : (
    body
  );
}

const STATUS_COLORS: Record<string, string> = { succ: 'teal.6', rjct: 'red.6', pdng: 'yellow.6' };

function RequestsChart({ d }: { d: Dashboard }) {
  if (!d.requests.length) return <EmptyState>No requests in this window.</EmptyState>;
  const statuses = [...new Set(d.requests.map((b) => b.dciStatus))];
  // Every bucket of the window gets a bar, empty ones too, so time reads left to right at one scale.
  const width = d.bucketMinutes * 60_000;
  const first = Math.floor(Date.parse(d.from) / width) * width;
  const buckets = new Map<number, Record<string, number | string>>();
  for (let t = first; t < Date.parse(d.to); t += width) buckets.set(t, { time: new Date(t).toISOString().slice(5, 16).replace('T', ' '), ...Object.fromEntries(statuses.map((s) => [s, 0])) });
  for (const b of d.requests) {
    const row = buckets.get(Date.parse(b.bucketStart));
    if (row) row[b.dciStatus] = Number(row[b.dciStatus] ?? 0) + b.count;
  }
  return (
    <Group grow>
      <BarChart
        h={240}
        data={[...buckets.values()]}
        dataKey="time"
        type="stacked"
        withLegend
        yAxisProps={{ allowDecimals: false }}
        series={statuses.map((s) => ({ name: s, color: STATUS_COLORS[s] ?? 'gray.6' }))}
      />
    </Group>
  );
}
