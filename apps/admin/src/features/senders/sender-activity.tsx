import { BarChart } from '@mantine/charts';
import { Anchor, Badge, Card, Group, Stack, Table, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { request } from '../../lib/graphql.js';
import { EmptyState, formatDateTime, QueryState } from '../../lib/ui.js';
import { SenderTransactionsQuery } from './sender-documents.js';
import type { SenderDetail } from './sender-settings-forms.js';

const OUTCOME_COLORS: Record<string, string> = { succ: 'teal.6', rjct: 'red.6', pdng: 'yellow.6' };

const USAGE_DAYS = 14;

/** Its DCI requests per day (the last 14 UTC days, quiet days too), stacked by outcome. */
export function SenderUsage({ sender }: { sender: SenderDetail }) {
  const outcomes = [...new Set(sender.usage.map((b) => b.dciStatus))];
  const days = new Map<string, Record<string, number | string>>();
  const today = new Date();
  for (let back = USAGE_DAYS - 1; back >= 0; back--) {
    const day = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - back)).toISOString().slice(0, 10);
    days.set(day, { day: day.slice(5) });
  }
  for (const b of sender.usage) {
    const row = days.get(b.bucketStart.slice(0, 10));
    if (row) row[b.dciStatus] = Number(row[b.dciStatus] ?? 0) + b.count;
  }
  return (
    <Card withBorder component="section" aria-label="Usage">
      <Title order={3} size="h4" mb="sm">
        Requests per day (last 14 days, UTC)
      </Title>
      {sender.usage.length ? (
        <BarChart h={220} data={[...days.values()]} dataKey="day" type="stacked" withLegend yAxisProps={{ allowDecimals: false }} series={outcomes.map((s) => ({ name: s, color: OUTCOME_COLORS[s] ?? 'gray.6' }))} />
      ) : (
        <EmptyState>No requests in the last 14 days.</EmptyState>
      )}
    </Card>
  );
}

const STATUS_BADGE: Record<string, string> = { succ: 'teal.9', rjct: 'red.8', pdng: 'yellow.9' };

/** Its ten latest transactions, each linking to the audit. */
export function SenderTransactions({ senderId }: { senderId: string }) {
  const query = useQuery({ queryKey: ['transactions', { senderId, first: 10 }], queryFn: () => request(SenderTransactionsQuery, { senderId }) });
  return (
    <Card withBorder component="section" aria-label="Recent transactions">
      <Stack>
        <Group justify="space-between">
          <Title order={3} size="h4">
            Recent transactions
          </Title>
          <Anchor component={Link} to={`/transactions?senderId=${encodeURIComponent(senderId)}`} size="sm">
            All its transactions
          </Anchor>
        </Group>
        <QueryState query={query}>
          {(data) =>
            data.transactions.edges.length ? (
              <Table>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Time</Table.Th>
                    <Table.Th>Operation</Table.Th>
                    <Table.Th>Outcome</Table.Th>
                    <Table.Th>Reason</Table.Th>
                    <Table.Th ta="right">HTTP</Table.Th>
                    <Table.Th ta="right">Duration</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.transactions.edges.map(({ node: t }) => (
                    <Table.Tr key={t.id}>
                      <Table.Td>
                        <Anchor component={Link} to={`/transactions/${encodeURIComponent(t.id)}`}>
                          {formatDateTime(t.createdAt)}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>{t.operation}</Table.Td>
                      <Table.Td>
                        <Badge color={STATUS_BADGE[t.dciStatus] ?? 'gray.7'} variant="filled">
                          {t.dciStatus}
                        </Badge>
                      </Table.Td>
                      <Table.Td>{t.reasonCode ?? '–'}</Table.Td>
                      <Table.Td ta="right">{t.httpStatus}</Table.Td>
                      <Table.Td ta="right">{t.durationMs} ms</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            ) : (
              <EmptyState>No transaction from this sender yet.</EmptyState>
            )
          }
        </QueryState>
      </Stack>
    </Card>
  );
}
