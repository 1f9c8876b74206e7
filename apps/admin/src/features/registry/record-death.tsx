import { Alert, Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { request, userErrorText } from '../../lib/graphql.js';
import { RecordDeathMutation } from './registry-documents.js';

const today = () => new Date().toISOString().slice(0, 10);

/** Records a death (UPDATE and Death events): a date, then an explicit confirmation, since subscribers are notified. */
export function RecordDeathButton({ personId, name }: { personId: string; name: string }) {
  const [opened, { open, close }] = useDisclosure(false);
  const [deathDate, setDeathDate] = useState(today);
  const queryClient = useQueryClient();
  const mutation = useMutation({
    mutationFn: () => request(RecordDeathMutation, { personId, deathDate }),
    onSuccess: async ({ recordDeath }) => {
      if (!recordDeath.person) return;
      await queryClient.invalidateQueries({ queryKey: ['registry'] });
      notifications.show({ color: 'teal', message: `Death of ${name} recorded; subscribers to Death events will be notified.` });
      close();
    },
  });
  const problem = mutation.error?.message ?? (mutation.data?.recordDeath.userErrors.length ? userErrorText(mutation.data.recordDeath.userErrors) : undefined);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    mutation.mutate();
  };
  return (
    <>
      <Button
        color="red"
        variant="light"
        onClick={() => {
          setDeathDate(today());
          mutation.reset();
          open();
        }}
      >
        Record death
      </Button>
      <Modal opened={opened} onClose={close} title={`Record the death of ${name}`}>
        <form onSubmit={submit}>
          <Stack>
            {problem && (
              <Alert color="red" title="Not recorded" role="alert">
                {problem}
              </Alert>
            )}
            <TextInput type="date" label="Date of death" required max={today()} value={deathDate} onChange={(e) => setDeathDate(e.currentTarget.value)} />
            <Text size="sm">This adds a Death event to the registry: every sender subscribed to Death events for this person is notified. It cannot be undone from the console.</Text>
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" color="red" loading={mutation.isPending}>
                Confirm death
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}
