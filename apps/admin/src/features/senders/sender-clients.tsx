import { Alert, Badge, Button, Card, Code, CopyButton, Group, Modal, Stack, Table, Text, Title } from '@mantine/core';
import { IconAlertTriangle, IconCheck, IconCopy } from '@tabler/icons-react';
import { useState } from 'react';
import { useCanChange } from '../../app/auth.js';
import { request } from '../../lib/graphql.js';
import { ConfirmButton, EmptyState, formatDateTime } from '../../lib/ui.js';
import { FormProblem, READABLE_ALERT_TITLE, useSenderChange } from './sender-change.js';
import { CreateOAuthClientMutation, DisableOAuthClientMutation, RotateOAuthClientSecretMutation } from './sender-documents.js';
import type { SenderDetail } from './sender-settings-forms.js';

interface Credentials {
  clientId: string;
  clientSecret: string;
}

/** OAuth2 clients (client credentials): create, rotate the secret, disable; secrets are shown once. */
export function SenderClients({ sender }: { sender: SenderDetail }) {
  const canChange = useCanChange();
  // The secret lives only here, until the modal closes: it is never fetched again.
  const [secret, setSecret] = useState<Credentials>();
  const showSecret = (payload: { clientId?: string | null; clientSecret?: string | null }) => {
    if (payload.clientId && payload.clientSecret) setSecret({ clientId: payload.clientId, clientSecret: payload.clientSecret });
  };
  const create = useSenderChange(sender.senderId, () => request(CreateOAuthClientMutation, { senderId: sender.senderId }).then((r) => r.createOAuthClient), showSecret);
  const rotate = useSenderChange(sender.senderId, (clientId: string) => request(RotateOAuthClientSecretMutation, { clientId }).then((r) => r.rotateOAuthClientSecret), showSecret);
  const disable = useSenderChange(sender.senderId, (clientId: string) => request(DisableOAuthClientMutation, { clientId }).then((r) => r.disableOAuthClient));
  return (
    <Card withBorder component="section" aria-label="OAuth clients">
      <Stack>
        <Group justify="space-between">
          <Title order={3} size="h4">
            OAuth clients
          </Title>
          {canChange && (
            <Button variant="light" onClick={() => create.mutate(undefined)} loading={create.isPending}>
              Create client
            </Button>
          )}
        </Group>
        <FormProblem problem={create.problem ?? rotate.problem ?? disable.problem} title="Not done" />
        {sender.clients.length ? (
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Client id</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Last obtained a token</Table.Th>
                {canChange && <Table.Th aria-label="Actions" />}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {sender.clients.map((c) => (
                <Table.Tr key={c.clientId}>
                  <Table.Td>
                    <Code>{c.clientId}</Code>
                  </Table.Td>
                  <Table.Td>
                    <Badge color={c.active ? 'teal.9' : 'gray.7'} variant="filled">
                      {c.active ? 'active' : 'disabled'}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{c.lastUsedAt ? formatDateTime(c.lastUsedAt) : 'never'}</Table.Td>
                  {canChange && (
                    <Table.Td>
                      {c.active && (
                        <Group gap="xs" justify="flex-end">
                          <ConfirmButton size="xs" variant="default" aria-label={`Rotate secret of ${c.clientId}`} title="Rotate this client's secret?" message="The current secret stops working at once; the new one is shown once." confirmLabel="Rotate secret" onConfirm={() => rotate.mutate(c.clientId)}>
                            Rotate secret
                          </ConfirmButton>
                          <ConfirmButton size="xs" aria-label={`Disable ${c.clientId}`} title="Disable this client?" message="It gets no more tokens. This cannot be undone." confirmLabel="Disable client" onConfirm={() => disable.mutate(c.clientId)}>
                            Disable
                          </ConfirmButton>
                        </Group>
                      )}
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        ) : (
          <EmptyState>No OAuth client: the sender cannot obtain tokens.</EmptyState>
        )}
      </Stack>
      <SecretModal
        credentials={secret}
        onClose={() => {
          setSecret(undefined);
          // The mutation results hold the secret too: drop them.
          create.reset();
          rotate.reset();
        }}
      />
    </Card>
  );
}

function SecretModal({ credentials, onClose }: { credentials: Credentials | undefined; onClose: () => void }) {
  return (
    <Modal opened={!!credentials} onClose={onClose} title="Client secret" size="lg" closeOnClickOutside={false} closeButtonProps={{ 'aria-label': 'Close' }}>
      {credentials && (
        <Stack>
          <Alert color="orange" icon={<IconAlertTriangle aria-hidden />} title="Shown only now" styles={READABLE_ALERT_TITLE}>
            Copy the secret and give it to the sender&apos;s operators now. It is not stored in readable form and will never be shown again; if it is lost, rotate it.
          </Alert>
          <Text size="sm">
            Client id: <Code>{credentials.clientId}</Code>
          </Text>
          <Group wrap="nowrap" align="center">
            <Code block style={{ flex: 1, wordBreak: 'break-all' }} aria-label="Client secret">
              {credentials.clientSecret}
            </Code>
            <CopyButton value={credentials.clientSecret}>
              {({ copied, copy }) => (
                <Button onClick={copy} leftSection={copied ? <IconCheck size={16} aria-hidden /> : <IconCopy size={16} aria-hidden />}>
                  {copied ? 'Copied' : 'Copy secret'}
                </Button>
              )}
            </CopyButton>
          </Group>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              I have stored it
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
