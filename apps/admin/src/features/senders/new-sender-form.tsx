import { Button, Checkbox, Group, Modal, Select, Stack, Textarea, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { request } from '../../lib/graphql.js';
import { FormProblem, linesOf, useSenderChange } from './sender-change.js';
import { CreateSenderMutation, DEFAULT_OPERATIONS, OPERATIONS, SIGNATURE_SCHEMES } from './sender-documents.js';

/** "New sender": a modal form; on success, the new sender's page. */
export function NewSenderButton() {
  const [opened, setOpened] = useState(false);
  return (
    <>
      <Button onClick={() => setOpened(true)}>New sender</Button>
      <Modal opened={opened} onClose={() => setOpened(false)} title="New sender" size="lg" closeButtonProps={{ 'aria-label': 'Close' }}>
        {opened && <NewSenderForm />}
      </Modal>
    </>
  );
}

function NewSenderForm() {
  const navigate = useNavigate();
  const [senderId, setSenderId] = useState('');
  const [name, setName] = useState('');
  const [operations, setOperations] = useState<string[]>(DEFAULT_OPERATIONS);
  const [origins, setOrigins] = useState('');
  const [scheme, setScheme] = useState<string>('dci-signature');
  const create = useSenderChange(
    senderId,
    () => request(CreateSenderMutation, { input: { senderId: senderId.trim(), name: name.trim(), allowedOperations: operations, allowedCallbackOrigins: linesOf(origins), preferredScheme: scheme } }).then((r) => r.createSender),
    (payload) => navigate(`/senders/${encodeURIComponent(payload.sender!.senderId)}`),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(undefined);
  };
  return (
    <form onSubmit={submit}>
      <Stack>
        <FormProblem problem={create.problem} title="Not created" />
        <TextInput label="Sender id" description="As the sender puts it in sender_id" required value={senderId} onChange={(e) => setSenderId(e.currentTarget.value)} data-autofocus />
        <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} />
        <Checkbox.Group label="Allowed operations" value={operations} onChange={setOperations}>
          <Group mt="xs">
            {OPERATIONS.map((op) => (
              <Checkbox key={op} value={op} label={op} />
            ))}
          </Group>
        </Checkbox.Group>
        <Textarea label="Callback origins" description="One per line, e.g. https://crvs.example.org" autosize minRows={2} value={origins} onChange={(e) => setOrigins(e.currentTarget.value)} />
        <Select label="Signature scheme" data={[...SIGNATURE_SCHEMES]} value={scheme} onChange={(v) => v && setScheme(v)} allowDeselect={false} />
        <Group justify="flex-end">
          <Button type="submit" loading={create.isPending}>
            Create sender
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
