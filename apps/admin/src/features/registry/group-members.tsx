/** Adding a person to a group (found by identifier) and removing one, with confirmation. */
import { Alert, Button, Group, Modal, Select, Stack, TextInput } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { IconUsersPlus } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { request, userErrorText } from '../../lib/graphql.js';
import { ConfirmButton } from '../../lib/ui.js';
import { AddGroupMemberMutation, RegistryPersonsQuery, RemoveGroupMemberMutation } from './registry-documents.js';
import { PERSON_IDENTIFIER_TYPES } from './registry-vocabulary.js';

export function AddMemberButton({ groupId }: { groupId: string }) {
  const [opened, { open, close }] = useDisclosure(false);
  const [identifierType, setIdentifierType] = useState('UIN');
  const [identifierValue, setIdentifierValue] = useState('');
  const [relationship, setRelationship] = useState('');
  const queryClient = useQueryClient();
  const mutation = useMutation({
    mutationFn: async (): Promise<string | undefined> => {
      const found = await request(RegistryPersonsQuery, { identifierType, identifierValue: identifierValue.trim(), first: 1 });
      const person = found.registryPersons.edges[0]?.node;
      if (!person) return `No person has ${identifierType} ${identifierValue.trim()}.`;
      const { addGroupMember } = await request(AddGroupMemberMutation, { groupId, personId: person.id, relationship: relationship.trim() });
      if (addGroupMember.userErrors.length) return userErrorText(addGroupMember.userErrors);
      await queryClient.invalidateQueries({ queryKey: ['registry'] });
      notifications.show({ color: 'teal', message: `${person.givenName} ${person.surname} added to the group` });
      close();
    },
  });
  const problem = mutation.error?.message ?? mutation.data;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    mutation.mutate();
  };
  return (
    <>
      <Button
        variant="default"
        leftSection={<IconUsersPlus size={16} />}
        onClick={() => {
          setIdentifierValue('');
          setRelationship('');
          mutation.reset();
          open();
        }}
      >
        Add member
      </Button>
      <Modal opened={opened} onClose={close} title="Add a member">
        <form onSubmit={submit}>
          <Stack>
            {problem && (
              <Alert color="red" title="Not added" role="alert">
                {problem}
              </Alert>
            )}
            <Select label="Identifier type" data={PERSON_IDENTIFIER_TYPES} value={identifierType} onChange={(v) => setIdentifierType(v ?? 'UIN')} allowDeselect={false} />
            <TextInput label="Identifier value" required value={identifierValue} onChange={(e) => setIdentifierValue(e.currentTarget.value)} />
            <TextInput
              label="Relationship to the head"
              description="e.g. spouse, child, parent; head makes them the head"
              required
              value={relationship}
              onChange={(e) => setRelationship(e.currentTarget.value)}
            />
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" loading={mutation.isPending}>
                Add member
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}

export function RemoveMemberButton({ groupId, personId, name }: { groupId: string; personId: string; name: string }) {
  const queryClient = useQueryClient();
  const mutation = useMutation({
    mutationFn: () => request(RemoveGroupMemberMutation, { groupId, personId }),
    onSuccess: async ({ removeGroupMember }) => {
      if (removeGroupMember.userErrors.length) {
        notifications.show({ color: 'red', title: 'Not removed', message: userErrorText(removeGroupMember.userErrors) });
        return;
      }
      await queryClient.invalidateQueries({ queryKey: ['registry'] });
      notifications.show({ color: 'teal', message: `${name} removed from the group` });
    },
    onError: (error) => notifications.show({ color: 'red', title: 'Not removed', message: error.message }),
  });
  return (
    <ConfirmButton
      size="xs"
      title={`Remove ${name}?`}
      message={`${name} leaves this group (an UPDATE event notifies subscribers). Their person record is kept.`}
      confirmLabel="Remove member"
      onConfirm={() => mutation.mutate()}
      loading={mutation.isPending}
      aria-label={`Remove ${name}`}
    >
      Remove
    </ConfirmButton>
  );
}
