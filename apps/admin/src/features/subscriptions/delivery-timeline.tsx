/** One delivery and every attempt at it: when, HTTP status, latency, the receiver's answer, the error, the next try. */
import { Badge, Button, Card, Code, Group, Stack, Text, Timeline } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconCheck, IconClock, IconSkull, IconX } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { request, userErrorText, type ResultOf } from '../../lib/graphql.js';
import { formatDateTime } from '../../lib/ui.js';
import { ResendDeliveryMutation, type SubscriptionQuery } from './subscription-documents.js';
import { DeliveryStatus } from './subscription-ui.js';

type Delivery = NonNullable<ResultOf<typeof SubscriptionQuery>['subscription']>['deliveries']['edges'][number]['node'];
type Attempt = Delivery['attempts'][number];

const FINAL = ['delivered', 'dead', 'cancelled'];

const answered = (a: Attempt) => a.httpStatus !== null && a.httpStatus >= 200 && a.httpStatus < 300;

export function DeliveryCard({ delivery, canChange }: { delivery: Delivery; canChange: boolean }) {
  const queryClient = useQueryClient();
  const resend = useMutation({
    mutationFn: () => request(ResendDeliveryMutation, { id: delivery.id }),
    onSuccess: ({ resendDelivery: r }) => {
      if (r.userErrors.length) notifications.show({ color: 'red', title: 'Not resent', message: userErrorText(r.userErrors) });
      else notifications.show({ color: 'teal', title: 'Resent', message: 'The delivery is queued again with a fresh set of attempts.' });
      void queryClient.invalidateQueries({ queryKey: ['subscription'] });
    },
    onError: (error) => notifications.show({ color: 'red', title: 'Not resent', message: error.message }),
  });
  return (
    <Card withBorder component="article" aria-label={`Delivery ${delivery.id}`}>
      <Group justify="space-between" mb="sm">
        <Group gap="xs">
          <DeliveryStatus status={delivery.status} />
          <Text fw={600}>{delivery.eventType}</Text>
          <Text size="sm" c="dimmed">
            event {delivery.eventId} · record <Code>{delivery.recordId}</Code>
          </Text>
        </Group>
        {canChange && delivery.status === 'dead' && (
          <Button size="xs" variant="light" loading={resend.isPending} onClick={() => resend.mutate()}>
            Resend
          </Button>
        )}
      </Group>
      <Timeline bulletSize={22} lineWidth={2} active={delivery.attempts.length + (FINAL.includes(delivery.status) ? 1 : 0)}>
        <Timeline.Item bullet={<IconClock size={12} />} title="Queued">
          <Text size="xs" c="dimmed">
            {formatDateTime(delivery.createdAt)}
          </Text>
        </Timeline.Item>
        {delivery.attempts.map((attempt, i) => (
          <Timeline.Item key={attempt.attemptedAt + i} color={answered(attempt) ? 'teal' : 'red'} bullet={answered(attempt) ? <IconCheck size={12} /> : <IconX size={12} />} title={<AttemptTitle attempt={attempt} n={i + 1} />}>
            <AttemptDetail attempt={attempt} />
          </Timeline.Item>
        ))}
        <Timeline.Item {...outcome(delivery)} />
      </Timeline>
    </Card>
  );
}

function AttemptTitle({ attempt, n }: { attempt: Attempt; n: number }) {
  return (
    <Group gap="xs">
      <Text fw={600} size="sm">
        Attempt {n}
      </Text>
      <Badge variant="dot" miw="max-content" color={answered(attempt) ? 'teal' : 'red'}>
        {attempt.httpStatus === null ? 'no answer' : `HTTP ${attempt.httpStatus}`}
      </Badge>
      {attempt.latencyMs !== null && (
        <Text size="sm" c="dimmed">
          {attempt.latencyMs} ms
        </Text>
      )}
    </Group>
  );
}

function AttemptDetail({ attempt }: { attempt: Attempt }) {
  return (
    <Stack gap={4} mt={4}>
      <Text size="xs" c="dimmed">
        {formatDateTime(attempt.attemptedAt)}
      </Text>
      {attempt.responseExcerpt && (
        <Code block fz="xs">
          {attempt.responseExcerpt}
        </Code>
      )}
      {attempt.error && attempt.error !== `HTTP ${attempt.httpStatus}` && (
        <Text size="sm" c="red.8">
          {attempt.error}
        </Text>
      )}
      {attempt.nextAttemptAt && <Text size="xs">Next attempt {formatDateTime(attempt.nextAttemptAt)}</Text>}
    </Stack>
  );
}

/** The last item of the timeline: where the delivery stands now. */
function outcome(d: Delivery) {
  const at = (text: string) => (
    <Text size="xs" c="dimmed">
      {text}
    </Text>
  );
  switch (d.status) {
    case 'delivered':
      return { color: 'teal', bullet: <IconCheck size={12} />, title: 'Delivered', children: at(formatDateTime(d.deliveredAt)) };
    case 'dead':
      return { color: 'red', bullet: <IconSkull size={12} />, title: 'Dead letter: no more attempts', children: at(formatDateTime(d.updatedAt)) };
    case 'cancelled':
      return { color: 'gray', bullet: <IconX size={12} />, title: 'Cancelled', children: at(formatDateTime(d.updatedAt)) };
    default:
      return { bullet: <IconClock size={12} />, title: d.nextAttemptAt ? 'Next attempt' : 'Waiting to be sent', children: at(d.nextAttemptAt ? formatDateTime(d.nextAttemptAt) : d.status) };
  }
}
