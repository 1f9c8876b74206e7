import { Alert, Anchor, Button, Card, Code, Group, SegmentedControl, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { useCanChange } from '../../app/auth.js';
import { request, userErrorText, type ResultOf } from '../../lib/graphql.js';
import { ConfirmButton, EmptyState, formatDateTime, PageHeader, QueryState } from '../../lib/ui.js';
import { DeliveryCard } from './delivery-timeline.js';
import { CancelSubscriptionMutation, PauseSubscriptionMutation, ResumeSubscriptionMutation, SubscriptionQuery } from './subscription-documents.js';
import { DELIVERY_STATUSES, ResendDeadLettersButton, SubscriptionStatus } from './subscription-ui.js';

type Subscription = NonNullable<ResultOf<typeof SubscriptionQuery>['subscription']>;

const PAGE_SIZE = 20;

/** One subscription: what it asks for, pause / resume / cancel, and a timeline of every delivery and attempt. */
export function SubscriptionDetailPage() {
  const code = useParams().code!;
  const [params, setParams] = useSearchParams();
  const canChange = useCanChange();
  const status = params.get('deliveryStatus') ?? undefined;
  const [cursors, setCursors] = useState<string[]>([]);
  const after = cursors.at(-1);
  const query = useQuery({
    queryKey: ['subscription', code, status, after],
    queryFn: () => request(SubscriptionQuery, { code, status, first: PAGE_SIZE, after }),
    placeholderData: keepPreviousData,
    // Deliveries move on by themselves (retries, resends): keep the timeline current.
    refetchInterval: 3_000,
  });
  const showStatus = (value: string) => {
    setParams(value === 'all' ? {} : { deliveryStatus: value }, { replace: true });
    setCursors([]);
  };
  return (
    <QueryState query={query}>
      {({ subscription }) =>
        subscription ? (
          <Stack>
            <SubscriptionHeader s={subscription} />
            <SubscriptionFacts s={subscription} />
            <Card withBorder>
              <Group justify="space-between" mb="md">
                <Title order={3}>Deliveries</Title>
                <SegmentedControl aria-label="Deliveries to show" value={status ?? 'all'} onChange={showStatus} data={['all', ...DELIVERY_STATUSES]} />
              </Group>
              <Text size="sm" c="dimmed" mb="sm">
                {subscription.deliveries.totalCount.toLocaleString()} {status ?? ''} {subscription.deliveries.totalCount === 1 ? 'delivery' : 'deliveries'}, newest first
              </Text>
              {subscription.deliveries.edges.length === 0 ? (
                <EmptyState>No delivery {status ? `in state ${status}` : 'yet'}.</EmptyState>
              ) : (
                <Stack>
                  {subscription.deliveries.edges.map(({ node }) => (
                    <DeliveryCard key={node.id} delivery={node} canChange={canChange} />
                  ))}
                </Stack>
              )}
              <Group justify="flex-end" mt="md">
                <Button variant="default" disabled={!cursors.length} onClick={() => setCursors(cursors.slice(0, -1))}>
                  Newer
                </Button>
                <Button variant="default" disabled={!subscription.deliveries.pageInfo.hasNextPage} onClick={() => setCursors([...cursors, subscription.deliveries.pageInfo.endCursor!])}>
                  Older
                </Button>
              </Group>
            </Card>
          </Stack>
        ) : (
          <>
            <PageHeader title="Subscription not found" />
            <Alert color="red" role="alert">
              No subscription has the code {code}. <Anchor component={Link} to="/subscriptions">Back to the list</Anchor>
            </Alert>
          </>
        )
      }
    </QueryState>
  );
}

function SubscriptionHeader({ s }: { s: Subscription }) {
  const canChange = useCanChange();
  const queryClient = useQueryClient();
  const change = useMutation({
    mutationFn: (action: 'pause' | 'resume' | 'cancel') =>
      ({
        pause: () => request(PauseSubscriptionMutation, { code: s.code }).then((d) => d.pauseSubscription),
        resume: () => request(ResumeSubscriptionMutation, { code: s.code }).then((d) => d.resumeSubscription),
        cancel: () => request(CancelSubscriptionMutation, { code: s.code }).then((d) => d.cancelSubscription),
      })[action](),
    onSuccess: (payload, action) => {
      if (payload.userErrors.length) notifications.show({ color: 'red', title: `Could not ${action} the subscription`, message: userErrorText(payload.userErrors) });
      void queryClient.invalidateQueries({ queryKey: ['subscription'] });
      void queryClient.invalidateQueries({ queryKey: ['subscriptions'] });
    },
    onError: (error, action) => notifications.show({ color: 'red', title: `Could not ${action} the subscription`, message: error.message }),
  });
  const ended = s.status === 'cancelled';
  const actions = canChange && !ended && (
    <>
      {s.status === 'paused' || s.status === 'backing_off' ? (
        <Button onClick={() => change.mutate('resume')} loading={change.isPending && change.variables === 'resume'}>
          Resume
        </Button>
      ) : (
        <Button variant="default" onClick={() => change.mutate('pause')} loading={change.isPending && change.variables === 'pause'}>
          Pause
        </Button>
      )}
      <ResendDeadLettersButton filter={{ subscriptionCode: s.code }} label="Resend all dead letters" />
      <ConfirmButton title="Cancel this subscription?" message={`${s.senderId} will get no more notifications for ${s.eventType}; deliveries not yet sent are cancelled. This cannot be undone.`} confirmLabel="Cancel subscription" onConfirm={() => change.mutate('cancel')}>
        Cancel subscription
      </ConfirmButton>
    </>
  );
  return (
    <PageHeader
      title={`Subscription ${s.code}`}
      description={
        <>
          <SubscriptionStatus status={s.status} /> {s.senderId} is notified of {s.eventType} events on {s.recordType} records.
        </>
      }
      actions={actions}
    />
  );
}

function SubscriptionFacts({ s }: { s: Subscription }) {
  const facts: [string, ReactNode][] = [
    ['Sender', <Anchor component={Link} to={`/senders/${encodeURIComponent(s.senderId)}`}>{s.senderId}</Anchor>],
    ['Event type', s.regType ? `${s.eventType} (${s.regType})` : s.eventType],
    ['Callback URL', <Code>{s.callbackUrl}</Code>],
    ['Filter', s.filter ? <Code>{JSON.stringify(s.filter)}</Code> : 'none'],
    ['Frequency', s.frequency ? <Code>{JSON.stringify(s.frequency)}</Code> : 'each event at once'],
    ['Failures in a row', s.consecutiveFailures],
    ['Backing off until', formatDateTime(s.pausedUntil)],
    ['Paused by staff since', formatDateTime(s.suspendedAt)],
    ['Created', formatDateTime(s.createdAt)],
    ['Updated', formatDateTime(s.updatedAt)],
  ];
  return (
    <Card withBorder>
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="sm" component="dl" m={0}>
        {facts.map(([label, value]) => (
          <div key={label}>
            <Text component="dt" size="xs" c="dimmed">
              {label}
            </Text>
            <Text component="dd" size="sm" m={0}>
              {value}
            </Text>
          </div>
        ))}
      </SimpleGrid>
    </Card>
  );
}
