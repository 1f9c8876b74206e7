import { Alert, Badge, Button, Card, Group, Select, Stack, Table, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useMe } from '../../app/auth.js';
import { request, userErrorText } from '../../lib/graphql.js';
import { ConfirmButton, EmptyState, formatDateTime, QueryState } from '../../lib/ui.js';
import { ShownOnce } from './shown-once.js';
import { ApiTokensQuery, CreateApiTokenMutation, RevokeApiTokenMutation } from './staff-documents.js';

const ROLES_AT_MOST: Record<string, string[]> = { admin: ['admin', 'operator', 'auditor'], operator: ['operator', 'auditor'], auditor: ['auditor'] };

/** Personal API tokens for scripts: create (shown once), list, revoke. An admin sees everyone's. */
export function ApiTokensSection() {
  const me = useMe();
  const query = useQuery({ queryKey: ['apiTokens'], queryFn: () => request(ApiTokensQuery) });
  return (
    <Card withBorder>
      <Title order={3} size="h4" mb="sm">
        {me.role === 'admin' ? 'API tokens' : 'Your API tokens'}
      </Title>
      <Stack>
        <CreateTokenForm />
        <QueryState query={query}>
          {({ apiTokens }) =>
            apiTokens.length ? (
              <Table aria-label="API tokens">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Name</Table.Th>
                    {me.role === 'admin' && <Table.Th>Owner</Table.Th>}
                    <Table.Th>Role</Table.Th>
                    <Table.Th>Created</Table.Th>
                    <Table.Th>Expires</Table.Th>
                    <Table.Th>Last used</Table.Th>
                    <Table.Th>Status</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {apiTokens.map((t) => (
                    <Table.Tr key={t.id}>
                      <Table.Td>{t.name}</Table.Td>
                      {me.role === 'admin' && <Table.Td>{t.email}</Table.Td>}
                      <Table.Td>{t.role}</Table.Td>
                      <Table.Td>{formatDateTime(t.createdAt)}</Table.Td>
                      <Table.Td>{t.expiresAt ? formatDateTime(t.expiresAt) : 'Never'}</Table.Td>
                      <Table.Td>{t.lastUsedAt ? formatDateTime(t.lastUsedAt) : 'Never'}</Table.Td>
                      <Table.Td>{t.revoked ? <Badge color="gray">Revoked</Badge> : <RevokeTokenButton id={t.id} name={t.name} />}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            ) : (
              <EmptyState>No API tokens yet.</EmptyState>
            )
          }
        </QueryState>
      </Stack>
    </Card>
  );
}

function CreateTokenForm() {
  const me = useMe();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [role, setRole] = useState(me.role);
  const [expiresOn, setExpiresOn] = useState('');
  const mutation = useMutation({
    mutationFn: () => request(CreateApiTokenMutation, { name: name.trim(), role, expiresAt: expiresOn ? new Date(`${expiresOn}T23:59:59Z`).toISOString() : null }),
    onSuccess: async ({ createApiToken }) => {
      if (!createApiToken.token) return;
      setName('');
      await queryClient.invalidateQueries({ queryKey: ['apiTokens'] });
      await queryClient.invalidateQueries({ queryKey: ['staffActions'] });
    },
  });
  const result = mutation.data?.createApiToken;
  const problem = mutation.error?.message ?? (result?.userErrors.length ? userErrorText(result.userErrors) : undefined);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    mutation.mutate();
  };
  return (
    <Stack>
      <Group component="form" onSubmit={submit} align="flex-end" aria-label="Create an API token">
        <TextInput label="Token name" description="what uses it, e.g. nightly-export" required value={name} onChange={(e) => setName(e.currentTarget.value)} />
        <Select label="Role" description="at most your own" data={ROLES_AT_MOST[me.role] ?? [me.role]} value={role} onChange={(v) => setRole(v ?? me.role)} allowDeselect={false} w={140} />
        <TextInput type="date" label="Expires on" description="empty: never" value={expiresOn} onChange={(e) => setExpiresOn(e.currentTarget.value)} />
        <Button type="submit" loading={mutation.isPending}>
          Create token
        </Button>
      </Group>
      {problem && (
        <Alert color="red" title="No token created" role="alert">
          {problem}
        </Alert>
      )}
      {result?.token && <ShownOnce label="New API token" secret={result.token} />}
    </Stack>
  );
}

function RevokeTokenButton({ id, name }: { id: string; name: string }) {
  const queryClient = useQueryClient();
  const mutation = useMutation({
    mutationFn: () => request(RevokeApiTokenMutation, { id }),
    onSuccess: async ({ revokeApiToken }) => {
      if (revokeApiToken.userErrors.length) notifications.show({ color: 'red', title: 'Not revoked', message: userErrorText(revokeApiToken.userErrors) });
      await queryClient.invalidateQueries({ queryKey: ['apiTokens'] });
      await queryClient.invalidateQueries({ queryKey: ['staffActions'] });
    },
    onError: (error) => notifications.show({ color: 'red', title: 'Not revoked', message: error.message }),
  });
  return (
    <ConfirmButton
      size="xs"
      title={`Revoke the token “${name}”?`}
      message="Scripts using it are refused from now on. This cannot be undone."
      confirmLabel="Revoke token"
      onConfirm={() => mutation.mutate()}
      loading={mutation.isPending}
      aria-label={`Revoke ${name}`}
    >
      Revoke
    </ConfirmButton>
  );
}
