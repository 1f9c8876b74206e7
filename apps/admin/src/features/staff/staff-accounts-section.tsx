import { Alert, Badge, Button, Card, Group, Select, Stack, Table, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { request, userErrorText } from '../../lib/graphql.js';
import { EmptyState, formatDateTime, QueryState } from '../../lib/ui.js';
import { ShownOnce } from './shown-once.js';
import { CreateStaffUserMutation, StaffUsersQuery } from './staff-documents.js';

/** Staff accounts (admins only): the list, and a new account whose password is shown once. */
export function StaffAccountsSection() {
  const query = useQuery({ queryKey: ['staffUsers'], queryFn: () => request(StaffUsersQuery) });
  return (
    <Card withBorder>
      <Title order={3} size="h4" mb="sm">
        Staff accounts
      </Title>
      <Stack>
        <CreateStaffForm />
        <QueryState query={query}>
          {({ staffUsers }) =>
            staffUsers.length ? (
              <Table aria-label="Staff accounts">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Email</Table.Th>
                    <Table.Th>Name</Table.Th>
                    <Table.Th>Role</Table.Th>
                    <Table.Th>Status</Table.Th>
                    <Table.Th>Created</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {staffUsers.map((s) => (
                    <Table.Tr key={s.id}>
                      <Table.Td>{s.email}</Table.Td>
                      <Table.Td>{s.name || '–'}</Table.Td>
                      <Table.Td>{s.role}</Table.Td>
                      <Table.Td>{s.active ? 'Active' : <Badge color="gray">Disabled</Badge>}</Table.Td>
                      <Table.Td>{formatDateTime(s.createdAt)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            ) : (
              <EmptyState>No staff accounts.</EmptyState>
            )
          }
        </QueryState>
      </Stack>
    </Card>
  );
}

function CreateStaffForm() {
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState('operator');
  const mutation = useMutation({
    mutationFn: () => request(CreateStaffUserMutation, { email: email.trim(), role, name: name.trim() || null }),
    onSuccess: async ({ createStaffUser }) => {
      if (!createStaffUser.password) return;
      setEmail('');
      setName('');
      await queryClient.invalidateQueries({ queryKey: ['staffUsers'] });
      await queryClient.invalidateQueries({ queryKey: ['staffActions'] });
    },
  });
  const result = mutation.data?.createStaffUser;
  const problem = mutation.error?.message ?? (result?.userErrors.length ? userErrorText(result.userErrors) : undefined);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    mutation.mutate();
  };
  return (
    <Stack>
      <Group component="form" onSubmit={submit} align="flex-end" aria-label="Create a staff account">
        <TextInput label="Email" type="email" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} />
        <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} />
        <Select label="Role" data={['admin', 'operator', 'auditor']} value={role} onChange={(v) => setRole(v ?? 'operator')} allowDeselect={false} w={140} />
        <Button type="submit" loading={mutation.isPending}>
          Create account
        </Button>
      </Group>
      {problem && (
        <Alert color="red" title="No account created" role="alert">
          {problem}
        </Alert>
      )}
      {result?.password && result.staff && <ShownOnce label={`Password for ${result.staff.email}`} secret={result.password} />}
    </Stack>
  );
}
