import { PasswordInput, Radio, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useCanChange } from '../../app/auth.js';
import { request, type VariablesOf } from '../../lib/graphql.js';
import { useSenderChange } from './sender-change.js';
import { SetNotifyAuthMutation } from './sender-documents.js';
import { SettingsCard, type SenderDetail } from './sender-settings-forms.js';

type Mode = 'none' | 'bearer' | 'oauth2';

/** How our notifications authenticate to the sender. Secrets go in, never come back out. */
export function NotifyAuthForm({ sender }: { sender: SenderDetail }) {
  const canChange = useCanChange();
  const current = sender.notifyAuth;
  const [mode, setMode] = useState<Mode>((current?.type as Mode | undefined) ?? 'none');
  const [bearerToken, setBearerToken] = useState('');
  const [tokenUrl, setTokenUrl] = useState(current?.tokenUrl ?? '');
  const [clientId, setClientId] = useState(current?.clientId ?? '');
  const [clientSecret, setClientSecret] = useState('');
  const [scope, setScope] = useState(current?.scope ?? '');
  const save = useSenderChange(
    sender.senderId,
    (input: VariablesOf<typeof SetNotifyAuthMutation>['input']) => request(SetNotifyAuthMutation, { senderId: sender.senderId, input }).then((r) => r.setNotifyAuth),
    () => {
      setBearerToken('');
      setClientSecret('');
    },
  );
  const submit = () => save.mutate(mode === 'none' ? { none: true } : mode === 'bearer' ? { bearerToken } : { oauth2: { tokenUrl, clientId, clientSecret, scope: scope || undefined } });
  return (
    <SettingsCard title="Notification authentication" problem={save.problem} saving={save.isPending} onSubmit={submit} saveLabel="Save authentication">
      <Text size="sm" c="dimmed">
        How our notifications to this sender authenticate. Stored sealed; secrets are never shown{canChange && ', so type them again to change them'}.
      </Text>
      <Radio.Group label="Method" value={mode} onChange={(v) => setMode(v as Mode)}>
        <Stack mt="xs" gap="xs">
          <Radio value="none" label="None" />
          <Radio value="bearer" label="Bearer token" />
          <Radio value="oauth2" label="OAuth2 client credentials" />
        </Stack>
      </Radio.Group>
      {mode === 'bearer' && canChange && <PasswordInput label="Bearer token" required autoComplete="off" value={bearerToken} onChange={(e) => setBearerToken(e.currentTarget.value)} />}
      {mode === 'oauth2' && (
        <>
          <TextInput label="Token URL" required value={tokenUrl} onChange={(e) => setTokenUrl(e.currentTarget.value)} />
          <TextInput label="Client id" required value={clientId} onChange={(e) => setClientId(e.currentTarget.value)} />
          {canChange && <PasswordInput label="Client secret" required autoComplete="off" value={clientSecret} onChange={(e) => setClientSecret(e.currentTarget.value)} />}
          <TextInput label="Scope" value={scope} onChange={(e) => setScope(e.currentTarget.value)} />
        </>
      )}
    </SettingsCard>
  );
}
