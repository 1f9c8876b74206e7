import { Alert, Anchor, Badge, Group, SimpleGrid, Stack, Switch, Text } from '@mantine/core';
import { modals } from '@mantine/modals';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { useCanChange } from '../../app/auth.js';
import { request } from '../../lib/graphql.js';
import { PageHeader, QueryState } from '../../lib/ui.js';
import { SenderTransactions, SenderUsage } from './sender-activity.js';
import { FormProblem, useSenderChange } from './sender-change.js';
import { SenderClients } from './sender-clients.js';
import { SenderQuery, SetSenderActiveMutation } from './sender-documents.js';
import { SenderKeys } from './sender-keys.js';
import { NotifyAuthForm } from './sender-notify-auth.js';
import { AccessForm, IdentityForm, RateLimitForm, type SenderDetail } from './sender-settings-forms.js';

export function SenderDetailPage() {
  const senderId = useParams().senderId!;
  const query = useQuery({ queryKey: ['sender', senderId], queryFn: () => request(SenderQuery, { senderId }) });
  return (
    <QueryState query={query}>
      {(data) =>
        data.sender ? (
          <SenderView sender={data.sender} />
        ) : (
          <>
            <PageHeader title="Sender not found" />
            <Alert color="orange" role="alert">
              There is no sender <strong>{senderId}</strong>.{' '}
              <Anchor component={Link} to="/senders">
                Back to the senders
              </Anchor>
            </Alert>
          </>
        )
      }
    </QueryState>
  );
}

function SenderView({ sender }: { sender: SenderDetail }) {
  return (
    <Stack>
      <PageHeader
        title={sender.name}
        description={
          <>
            <Anchor component={Link} to="/senders" size="sm" underline="always">
              Senders
            </Anchor>{' '}
            / {sender.senderId}
          </>
        }
        actions={<ActiveToggle sender={sender} />}
      />
      {sender.allowUnsigned && (
        <Alert color="red" title="Unsigned requests accepted" role="alert">
          This sender&apos;s requests are accepted without a signature. Turn it off under Access once it signs.
        </Alert>
      )}
      <SimpleGrid cols={2}>
        <IdentityForm sender={sender} />
        <AccessForm sender={sender} />
        <RateLimitForm sender={sender} />
        <NotifyAuthForm sender={sender} />
      </SimpleGrid>
      <SenderKeys sender={sender} />
      <SenderClients sender={sender} />
      <SenderUsage sender={sender} />
      <SenderTransactions senderId={sender.senderId} />
    </Stack>
  );
}

/** Active / inactive; deactivating asks first (its tokens and calls are refused at once). */
function ActiveToggle({ sender }: { sender: SenderDetail }) {
  const canChange = useCanChange();
  const setActive = useSenderChange(sender.senderId, (active: boolean) => request(SetSenderActiveMutation, { senderId: sender.senderId, active }).then((r) => r.setSenderActive));
  if (!canChange) {
    return (
      <Badge size="lg" color={sender.active ? 'teal.9' : 'gray.7'} variant="filled">
        {sender.active ? 'active' : 'inactive'}
      </Badge>
    );
  }
  const change = (active: boolean) => {
    if (active) return setActive.mutate(true);
    modals.openConfirmModal({
      title: 'Deactivate this sender?',
      children: <Text size="sm">{sender.senderId} will get no more tokens and its calls will be refused until it is activated again.</Text>,
      labels: { confirm: 'Deactivate', cancel: 'Cancel' },
      confirmProps: { color: 'red' },
      onConfirm: () => setActive.mutate(false),
    });
  };
  return (
    <Stack gap={4} align="flex-end">
      <Group>
        <Switch size="md" label={sender.active ? 'Active' : 'Inactive'} aria-label="Active" checked={sender.active} disabled={setActive.isPending} onChange={(e) => change(e.currentTarget.checked)} />
      </Group>
      <FormProblem problem={setActive.problem} />
    </Stack>
  );
}
