import { ActionIcon, Badge, Button, Card, Code, CopyButton, Group, Select, SimpleGrid, Stack, Table, Text, Textarea, Title, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconCheck, IconCopy } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useMe } from '../../app/auth.js';
import { request, userErrorText, type ResultOf, type UserErrors } from '../../lib/graphql.js';
import { ConfirmButton, EmptyState, formatDateTime, PageHeader, QueryState } from '../../lib/ui.js';
import { ActivateServerKeyMutation, GenerateServerKeyMutation, ImportServerKeyMutation, RetireServerKeyMutation, ServerKeysQuery } from './server-key-documents.js';

type ServerKey = ResultOf<typeof ServerKeysQuery>['serverKeys'][number];

const ALGORITHMS = ['EdDSA', 'ES256', 'RS256'];
const STATE_COLORS: Record<string, string> = { pending: 'blue', active: 'teal', retiring: 'orange', retired: 'gray' };

/** The keys we sign with, their rotation, and the JWKS receivers verify against. Admins change them; others read. */
export function ServerKeysPage() {
  const query = useQuery({ queryKey: ['serverKeys'], queryFn: () => request(ServerKeysQuery) });
  const isAdmin = useMe().role === 'admin';
  return (
    <>
      <PageHeader title="Server keys" description="The keys this server signs answers, callbacks, notifications and tokens with. A retiring key stays in the JWKS for the overlap, so what it signed still verifies." />
      <QueryState query={query}>
        {(data) => (
          <Stack>
            <KeysTable keys={data.serverKeys} isAdmin={isAdmin} />
            {isAdmin && <NewKeyForms />}
            <Jwks jwks={data.jwks} />
          </Stack>
        )}
      </QueryState>
    </>
  );
}

/** Runs a key change, reports its outcome, and refreshes the list and the JWKS. */
function useKeyChange<V>(run: (variables: V) => Promise<{ key: { kid: string } | null; userErrors: UserErrors }>, done: (kid: string) => string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: run,
    onSuccess: ({ key, userErrors }) => {
      if (userErrors.length || !key) notifications.show({ color: 'red', title: 'Refused', message: userErrorText(userErrors) });
      else notifications.show({ color: 'teal', title: 'Done', message: done(key.kid) });
      void queryClient.invalidateQueries({ queryKey: ['serverKeys'] });
    },
    onError: (error) => notifications.show({ color: 'red', title: 'Refused', message: error.message }),
  });
}

function KeysTable({ keys, isAdmin }: { keys: readonly ServerKey[]; isAdmin: boolean }) {
  const activate = useKeyChange((kid: string) => request(ActivateServerKeyMutation, { kid }).then((d) => d.activateServerKey), (kid) => `${kid} signs from now on.`);
  const retire = useKeyChange((kid: string) => request(RetireServerKeyMutation, { kid }).then((d) => d.retireServerKey), (kid) => `${kid} is retired and out of the JWKS.`);
  if (!keys.length) return <EmptyState>No server key yet.</EmptyState>;
  return (
    <Card withBorder>
      <Table.ScrollContainer minWidth={900}>
        <Table fz="sm" verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Key id (kid) and algorithm</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th>Activated</Table.Th>
              <Table.Th>Retiring since</Table.Th>
              <Table.Th>Leaves the JWKS</Table.Th>
              <Table.Th>Retired</Table.Th>
              {isAdmin && <Table.Th>Actions</Table.Th>}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {keys.map((k) => (
              <Table.Tr key={k.kid} aria-label={`Key ${k.kid}`}>
                <Table.Td>
                  <Code>{k.kid}</Code>
                  <Text size="xs" c="dimmed">
                    {k.algorithm}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Stack gap={4} align="flex-start">
                    <Badge color={STATE_COLORS[k.state] ?? 'gray'} variant="dot" miw="max-content">
                      {k.state}
                    </Badge>
                    {k.signing && (
                      <Badge color="teal" variant="dot" miw="max-content">
                        signs now
                      </Badge>
                    )}
                  </Stack>
                </Table.Td>
                <Table.Td>{formatDateTime(k.createdAt)}</Table.Td>
                <Table.Td>{formatDateTime(k.activatedAt)}</Table.Td>
                <Table.Td>{formatDateTime(k.retiringAt)}</Table.Td>
                <Table.Td>{formatDateTime(k.publishedUntil)}</Table.Td>
                <Table.Td>{formatDateTime(k.retiredAt)}</Table.Td>
                {isAdmin && (
                  <Table.Td>
                    <Group gap="xs" wrap="nowrap">
                      {(k.state === 'pending' || k.state === 'retiring') && (
                        <ConfirmButton
                          size="xs"
                          color="blue"
                          aria-label={`Activate ${k.kid}`}
                          title="Activate this key?"
                          message={`${k.kid} (${k.algorithm}) will sign everything from now on. The key signing now becomes retiring and stays in the JWKS for the overlap.`}
                          confirmLabel="Activate"
                          onConfirm={() => activate.mutate(k.kid)}
                        >
                          Activate
                        </ConfirmButton>
                      )}
                      {(k.state === 'pending' || k.state === 'retiring') && (
                        <ConfirmButton size="xs" aria-label={`Retire ${k.kid}`} title="Retire this key?" message={`${k.kid} leaves the JWKS now: signatures it made stop verifying. It cannot be used again.`} confirmLabel="Retire" onConfirm={() => retire.mutate(k.kid)}>
                          Retire
                        </ConfirmButton>
                      )}
                    </Group>
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Card>
  );
}

/** Generate a key (algorithm of choice) or import one; either starts pending: published, not yet signing. */
function NewKeyForms() {
  const [algorithm, setAlgorithm] = useState('EdDSA');
  const [privateKey, setPrivateKey] = useState('');
  const generate = useKeyChange((alg: string) => request(GenerateServerKeyMutation, { algorithm: alg }).then((d) => d.generateServerKey), (kid) => `${kid} is generated and published; activate it to sign with it.`);
  const importKey = useKeyChange((pem: string) => request(ImportServerKeyMutation, { privateKey: pem }).then((d) => d.importServerKey), (kid) => `${kid} is imported and published; activate it to sign with it.`);
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }}>
      <Card withBorder component="form" onSubmit={(e) => (e.preventDefault(), generate.mutate(algorithm))}>
        <Title order={4} mb="sm">
          Generate a key
        </Title>
        <Group align="flex-end">
          <Select label="Algorithm" data={ALGORITHMS} value={algorithm} onChange={(v) => v && setAlgorithm(v)} allowDeselect={false} />
          <Button type="submit" loading={generate.isPending}>
            Generate key
          </Button>
        </Group>
        <Text size="xs" c="dimmed" mt="sm">
          The new key is published at once and signs only once activated, so receivers can fetch it first.
        </Text>
      </Card>
      <Card withBorder component="form" onSubmit={(e) => (e.preventDefault(), importKey.mutate(privateKey, { onSuccess: (r) => r.key && setPrivateKey('') }))}>
        <Title order={4} mb="sm">
          Import a key
        </Title>
        <Textarea label="Private key" description="PKCS#8 PEM or a private JWK; weak or mismatched keys are refused" autosize minRows={3} maxRows={8} styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }} value={privateKey} onChange={(e) => setPrivateKey(e.currentTarget.value)} />
        <Group justify="flex-end" mt="sm">
          <Button type="submit" disabled={!privateKey.trim()} loading={importKey.isPending}>
            Import key
          </Button>
        </Group>
      </Card>
    </SimpleGrid>
  );
}

function Jwks({ jwks }: { jwks: Record<string, unknown> }) {
  const text = JSON.stringify(jwks, null, 2);
  return (
    <Card withBorder component="section" aria-label="Published JWKS">
      <Group justify="space-between" mb="sm">
        <Title order={4}>
          JWKS as published at <Code>/.well-known/jwks.json</Code>
        </Title>
        <CopyButton value={text}>
          {({ copied, copy }) => (
            <Tooltip label={copied ? 'Copied' : 'Copy the JWKS'}>
              <ActionIcon variant="light" onClick={copy} aria-label="Copy the JWKS" color={copied ? 'teal' : undefined}>
                {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
              </ActionIcon>
            </Tooltip>
          )}
        </CopyButton>
      </Group>
      <Code block fz="xs">
        {text}
      </Code>
    </Card>
  );
}
