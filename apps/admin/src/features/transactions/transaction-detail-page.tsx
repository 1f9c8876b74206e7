import { Alert, Anchor, Card, Group, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { useMe } from '../../app/auth.js';
import { request } from '../../lib/graphql.js';
import { formatDateTime, PageHeader, QueryState } from '../../lib/ui.js';
import { CopyValue, JsonView } from './json-view.js';
import { TransactionBodiesQuery, TransactionQuery, type TransactionDetail } from './transaction-documents.js';
import { DciStatusBadge, HttpStatusBadge } from './transaction-status.js';

/** Roles the server shows request and response bodies to. */
const BODY_READERS = ['admin', 'auditor'];

export function TransactionDetailPage() {
  const { id = '' } = useParams();
  const query = useQuery({ queryKey: ['transaction', id], queryFn: () => request(TransactionQuery, { id }) });
  return (
    <>
      <PageHeader
        title="Transaction"
        description={
          <Anchor component={Link} to="/transactions" size="sm">
            ← All transactions
          </Anchor>
        }
      />
      <QueryState query={query}>
        {({ transaction }) =>
          transaction ? (
            <Stack>
              <TransactionFields t={transaction} />
              <Bodies id={transaction.id} />
            </Stack>
          ) : (
            <Alert color="orange" title="Not found" role="alert">
              No transaction has the id {id}.
            </Alert>
          )
        }
      </QueryState>
    </>
  );
}

function TransactionFields({ t }: { t: TransactionDetail }) {
  const rows: [string, ReactNode][] = [
    ['Time', formatDateTime(t.createdAt)],
    ['Sender', t.senderId ? <Anchor component={Link} to={`/senders/${encodeURIComponent(t.senderId)}`}>{t.senderId}</Anchor> : 'unknown (not authenticated)'],
    ['Operation', t.operation],
    ['Endpoint', <Text key="e" ff="monospace" size="sm">{t.endpoint}</Text>],
    ['DCI status', <DciStatusBadge key="s" status={t.dciStatus} />],
    ['HTTP status', <HttpStatusBadge key="h" status={t.httpStatus} />],
    ['Reason code', t.reasonCode ? <Text key="r" ff="monospace" size="sm">{t.reasonCode}</Text> : '–'],
    ['Duration', `${t.durationMs} ms`],
    ['Client address', t.clientAddress ?? '–'],
  ];
  const ids: [string, string | null][] = [
    ['Record id', t.id],
    ['Transaction id', t.transactionId],
    ['Message id', t.messageId],
    ['Correlation id', t.correlationId],
  ];
  const async: [string, ReactNode][] = t.asyncStatus
    ? [
        ['Async status', t.asyncStatus],
        ['Completed', t.totalCount === null ? String(t.completedCount) : `${t.completedCount} of ${t.totalCount}`],
        ['Callback', t.callbackStatus ?? '–'],
      ]
    : [];
  return (
    <SimpleGrid cols={2}>
      <Card withBorder>
        <FieldTable rows={[...rows, ...async]} />
      </Card>
      <Card withBorder>
        <FieldTable
          rows={ids.map(([label, value]) => [
            label,
            value ? (
              <Group key={label} gap={4} wrap="nowrap">
                <Text ff="monospace" size="sm" style={{ wordBreak: 'break-all' }}>
                  {value}
                </Text>
                <CopyValue value={value} label={`Copy ${label.toLowerCase()}`} />
              </Group>
            ) : (
              '–'
            ),
          ])}
        />
      </Card>
    </SimpleGrid>
  );
}

function FieldTable({ rows }: { rows: [string, ReactNode][] }) {
  return (
    <Table variant="vertical" withRowBorders={false} verticalSpacing={4}>
      <Table.Tbody>
        {rows.map(([label, value]) => (
          <Table.Tr key={label}>
            <Table.Th w={150}>{label}</Table.Th>
            <Table.Td>{value}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function Bodies({ id }: { id: string }) {
  const me = useMe();
  const allowed = BODY_READERS.includes(me.role);
  const query = useQuery({ queryKey: ['transaction-bodies', id], queryFn: () => request(TransactionBodiesQuery, { id }), enabled: allowed });
  if (!allowed) {
    return (
      <Alert color="gray" title="Request and response not shown">
        Request and response bodies can hold personal data: only admins and auditors may read them. You are signed in as {me.role}.
      </Alert>
    );
  }
  return (
    <QueryState query={query}>
      {({ transaction }) => (
        <SimpleGrid cols={2}>
          <JsonView title="Request" value={transaction?.request} />
          <JsonView title="Response" value={transaction?.response} />
        </SimpleGrid>
      )}
    </QueryState>
  );
}
