/** Pieces the subscription list and detail share: status colours and the bulk dead-letter resend. */
import { Badge, Button, Text } from '@mantine/core';
import { modals } from '@mantine/modals';
import { notifications } from '@mantine/notifications';
import { IconRefresh } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { request, userErrorText, type VariablesOf } from '../../lib/graphql.js';
import { DeadLetterCountQuery, ResendDeadLettersMutation } from './subscription-documents.js';

const SUBSCRIPTION_COLORS: Record<string, string> = { active: 'teal', paused: 'gray', backing_off: 'orange', cancelled: 'dark' };
const DELIVERY_COLORS: Record<string, string> = { pending: 'blue', batched: 'blue', delivered: 'teal', failed: 'orange', dead: 'red', cancelled: 'gray' };

export const SUBSCRIPTION_STATUSES = ['active', 'paused', 'backing_off', 'cancelled'];
export const DELIVERY_STATUSES = ['pending', 'batched', 'delivered', 'failed', 'dead', 'cancelled'];
export const EVENT_TYPES = ['REGISTER', 'UPDATE', 'NewHouseHoldMember', 'LiveBirth', 'Death', 'Marriage', 'Divorce'];

export function SubscriptionStatus({ status }: { status: string }) {
  return (
    <Badge color={SUBSCRIPTION_COLORS[status] ?? 'gray'} variant="dot" miw="max-content">
      {status.replace('_', ' ')}
    </Badge>
  );
}

export function DeliveryStatus({ status }: { status: string }) {
  return (
    <Badge color={DELIVERY_COLORS[status] ?? 'gray'} variant="dot" miw="max-content">
      {status === 'dead' ? 'dead letter' : status}
    </Badge>
  );
}

type DeadLetterFilter = VariablesOf<typeof DeadLetterCountQuery>['filter'];

/** The dead-letter filter in words, for the confirmation. */
function describe(filter: DeadLetterFilter): string {
  const parts = [filter.subscriptionCode && `subscription ${filter.subscriptionCode}`, filter.senderId && `sender ${filter.senderId}`, filter.eventType && `event type ${filter.eventType}`].filter(Boolean);
  return parts.length ? `this filter (${parts.join(', ')})` : 'this filter (every subscription)';
}

/**
 * "Resend all dead letters matching the filter": asks the server how many match, shows that count
 * in a confirmation, then resends them all (every match, not a page).
 */
export function ResendDeadLettersButton({ filter, label = 'Resend dead letters' }: { filter: DeadLetterFilter; label?: string }) {
  const queryClient = useQueryClient();
  const resend = useMutation({
    mutationFn: () => request(ResendDeadLettersMutation, { filter }),
    onSuccess: ({ resendDeadLetters: r }) => {
      if (r.userErrors.length) notifications.show({ color: 'red', title: 'Nothing was resent', message: userErrorText(r.userErrors) });
      else notifications.show({ color: 'teal', title: 'Resent', message: `${r.resentCount} dead ${r.resentCount === 1 ? 'letter is' : 'letters are'} queued again.` });
      void queryClient.invalidateQueries({ queryKey: ['subscription'] });
      void queryClient.invalidateQueries({ queryKey: ['subscriptions'] });
    },
    onError: (error) => notifications.show({ color: 'red', title: 'Nothing was resent', message: error.message }),
  });
  const count = useMutation({
    mutationFn: () => request(DeadLetterCountQuery, { filter }),
    onSuccess: ({ deadLetterCount: n }) => {
      if (n === 0) {
        notifications.show({ title: 'No dead letters', message: 'No dead letter matches this filter.' });
        return;
      }
      modals.openConfirmModal({
        title: 'Resend dead letters?',
        children: (
          <Text size="sm">
            {n} dead {n === 1 ? 'letter matches' : 'letters match'} {describe(filter)}. Each gets a fresh set of attempts.
          </Text>
        ),
        labels: { confirm: `Resend ${n}`, cancel: 'Cancel' },
        onConfirm: () => resend.mutate(),
      });
    },
    onError: (error) => notifications.show({ color: 'red', title: 'Could not count the dead letters', message: error.message }),
  });
  return (
    <Button variant="light" leftSection={<IconRefresh size={16} />} loading={count.isPending || resend.isPending} onClick={() => count.mutate()}>
      {label}
    </Button>
  );
}
