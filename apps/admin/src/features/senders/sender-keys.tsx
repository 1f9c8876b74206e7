import { Alert, Badge, Button, Card, Code, FileButton, Group, Stack, Table, Textarea, TextInput, Title } from '@mantine/core';
import { IconUpload } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { useCanChange } from '../../app/auth.js';
import { request } from '../../lib/graphql.js';
import { ConfirmButton, EmptyState, formatDateTime } from '../../lib/ui.js';
import { FormProblem, READABLE_ALERT_TITLE, useSenderChange } from './sender-change.js';
import { AddSenderKeyMutation, RevokeSenderKeyMutation } from './sender-documents.js';
import type { SenderDetail } from './sender-settings-forms.js';

/** The keys the sender signs its requests with: add (paste or upload), see fingerprints, revoke. */
export function SenderKeys({ sender }: { sender: SenderDetail }) {
  const canChange = useCanChange();
  const revoke = useSenderChange(sender.senderId, (keyId: string) => request(RevokeSenderKeyMutation, { senderId: sender.senderId, keyId }).then((r) => r.revokeSenderKey));
  return (
    <Card withBorder component="section" aria-label="Public keys">
      <Stack>
        <Title order={3} size="h4">
          Public keys
        </Title>
        <FormProblem problem={revoke.problem} title="Not revoked" />
        {sender.keys.length ? (
          <Table.ScrollContainer minWidth={800}>
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Key id</Table.Th>
                  <Table.Th>Algorithm</Table.Th>
                  <Table.Th>Fingerprint (RFC 7638)</Table.Th>
                  <Table.Th>Valid</Table.Th>
                  <Table.Th>Status</Table.Th>
                  {canChange && <Table.Th aria-label="Actions" />}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {sender.keys.map((k) => (
                  <Table.Tr key={k.keyId}>
                    <Table.Td>{k.keyId}</Table.Td>
                    <Table.Td>{k.algorithm}</Table.Td>
                    <Table.Td>
                      <Code>{k.fingerprint}</Code>
                    </Table.Td>
                    <Table.Td fz="xs">
                      {k.notBefore || k.notAfter ? (
                        <>
                          from {formatDateTime(k.notBefore)}
                          <br />
                          until {formatDateTime(k.notAfter)}
                        </>
                      ) : (
                        'always'
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Badge color={k.revoked ? 'red.8' : 'teal.9'} variant="filled">
                        {k.revoked ? 'revoked' : 'in use'}
                      </Badge>
                    </Table.Td>
                    {canChange && (
                      <Table.Td>
                        {!k.revoked && (
                          <ConfirmButton
                            size="xs"
                            aria-label={`Revoke key ${k.keyId}`}
                            title="Revoke this key?"
                            message={`Requests signed with ${k.keyId} will be refused from now on. This cannot be undone.`}
                            confirmLabel="Revoke key"
                            loading={revoke.isPending && revoke.variables === k.keyId}
                            onConfirm={() => revoke.mutate(k.keyId)}
                          >
                            Revoke
                          </ConfirmButton>
                        )}
                      </Table.Td>
                    )}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        ) : (
          <EmptyState>No key yet: its signed requests cannot be verified.</EmptyState>
        )}
        {canChange && <AddKeyForm sender={sender} />}
      </Stack>
    </Card>
  );
}

function AddKeyForm({ sender }: { sender: SenderDetail }) {
  const [publicKey, setPublicKey] = useState('');
  const [keyId, setKeyId] = useState('');
  const [added, setAdded] = useState<{ keyId: string; fingerprint: string }>();
  const known = new Set(sender.keys.map((k) => k.keyId));
  const add = useSenderChange(
    sender.senderId,
    () => request(AddSenderKeyMutation, { input: { senderId: sender.senderId, publicKey, keyId: keyId.trim() || undefined } }).then((r) => r.addSenderKey),
    (payload) => {
      setAdded(payload.sender?.keys.find((k) => !known.has(k.keyId)));
      setPublicKey('');
      setKeyId('');
    },
  );
  const upload = async (file: File | null) => {
    if (file) setPublicKey(await file.text());
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setAdded(undefined);
    add.mutate(undefined);
  };
  return (
    <form onSubmit={submit} aria-label="Add a public key">
      <Stack gap="sm">
        <Title order={4} size="h5">
          Add a public key
        </Title>
        {added && (
          <Alert color="teal" title={`Key ${added.keyId} added`} role="status" styles={READABLE_ALERT_TITLE}>
            Fingerprint: <Code>{added.fingerprint}</Code>
          </Alert>
        )}
        <FormProblem problem={add.problem} title="Key not added" />
        <Textarea
          label="Public key"
          description="SPKI PEM (-----BEGIN PUBLIC KEY-----) or a public JWK; Ed25519, EC P-256 or RSA ≥ 2048"
          required
          autosize
          minRows={3}
          maxRows={10}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
          value={publicKey}
          onChange={(e) => setPublicKey(e.currentTarget.value)}
        />
        <Group align="flex-end">
          <TextInput label="Key id" description="Optional: default the JWK's kid, else its fingerprint" value={keyId} onChange={(e) => setKeyId(e.currentTarget.value)} w={320} />
          <FileButton onChange={upload} accept=".pem,.jwk,.json,.txt,application/json,application/x-pem-file">
            {(props) => (
              <Button {...props} variant="default" leftSection={<IconUpload size={16} aria-hidden />}>
                Upload PEM or JWK file
              </Button>
            )}
          </FileButton>
          <Button type="submit" loading={add.isPending}>
            Add key
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
