import { Button, Card, Checkbox, Fieldset, Group, NumberInput, Radio, Select, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent, type ReactNode } from 'react';
import { useCanChange } from '../../app/auth.js';
import { request, type ResultOf, type VariablesOf } from '../../lib/graphql.js';
import { FormProblem, linesOf, useSenderChange } from './sender-change.js';
import './sender-read-only.css';
import { OPERATIONS, SetSenderRateLimitMutation, SIGNATURE_SCHEMES, UpdateSenderMutation, type SenderQuery } from './sender-documents.js';

export type SenderDetail = NonNullable<ResultOf<typeof SenderQuery>['sender']>;

/**
 * A card holding one form. Auditors get the same fields disabled and no save button: they see
 * every setting and can change none.
 */
export function SettingsCard({ title, problem, saving, onSubmit, children, saveLabel = 'Save' }: { title: string; problem: string | undefined; saving: boolean; onSubmit: () => void; children: ReactNode; saveLabel?: string }) {
  const canChange = useCanChange();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit();
  };
  return (
    <Card withBorder component="section" aria-label={title}>
      <form onSubmit={submit}>
        <Stack>
          <Title order={3} size="h4">
            {title}
          </Title>
          <FormProblem problem={problem} />
          <Fieldset variant="unstyled" disabled={!canChange} className={canChange ? undefined : 'sender-read-only'}>
            <Stack>{children}</Stack>
          </Fieldset>
          {canChange && (
            <Group justify="flex-end">
              <Button type="submit" loading={saving}>
                {saveLabel}
              </Button>
            </Group>
          )}
        </Stack>
      </form>
    </Card>
  );
}

const updateSender = (senderId: string) => (input: VariablesOf<typeof UpdateSenderMutation>['input']) => request(UpdateSenderMutation, { senderId, input }).then((r) => r.updateSender);

export function IdentityForm({ sender }: { sender: SenderDetail }) {
  const [name, setName] = useState(sender.name);
  const [description, setDescription] = useState(sender.description ?? '');
  const [contact, setContact] = useState(sender.contact ?? '');
  const [senderUri, setSenderUri] = useState(sender.senderUri ?? '');
  const save = useSenderChange(sender.senderId, updateSender(sender.senderId));
  return (
    <SettingsCard title="Identity" problem={save.problem} saving={save.isPending} onSubmit={() => save.mutate({ name, description, contact, senderUri: senderUri || undefined })} saveLabel="Save identity">
      <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} />
      <Textarea label="Description" autosize minRows={2} value={description} onChange={(e) => setDescription(e.currentTarget.value)} />
      <TextInput label="Contact" description="Who to call about this system" value={contact} onChange={(e) => setContact(e.currentTarget.value)} />
      <TextInput label="Sender URI" description="Its DCI base address, if it has one" value={senderUri} onChange={(e) => setSenderUri(e.currentTarget.value)} />
    </SettingsCard>
  );
}

export function AccessForm({ sender }: { sender: SenderDetail }) {
  const [operations, setOperations] = useState<string[]>([...sender.allowedOperations]);
  const [scheme, setScheme] = useState(sender.preferredScheme);
  const [origins, setOrigins] = useState(sender.allowedCallbackOrigins.join('\n'));
  const [allowUnsigned, setAllowUnsigned] = useState(sender.allowUnsigned);
  const save = useSenderChange(sender.senderId, updateSender(sender.senderId));
  return (
    <SettingsCard title="Access" problem={save.problem} saving={save.isPending} onSubmit={() => save.mutate({ allowedOperations: operations, preferredScheme: scheme, allowedCallbackOrigins: linesOf(origins), allowUnsigned })} saveLabel="Save access">
      <Checkbox.Group label="Allowed operations" value={operations} onChange={setOperations}>
        <Group mt="xs">
          {OPERATIONS.map((op) => (
            <Checkbox key={op} value={op} label={op} />
          ))}
        </Group>
      </Checkbox.Group>
      <Select label="Signature scheme" description="How its requests are signed" data={[...SIGNATURE_SCHEMES]} value={scheme} onChange={(v) => v && setScheme(v)} allowDeselect={false} />
      <Textarea label="Callback origins" description="One per line; async answers go only there" autosize minRows={2} value={origins} onChange={(e) => setOrigins(e.currentTarget.value)} />
      <Checkbox
        color="red.8"
        label="Accept unsigned requests"
        description={<Text span size="xs" c="red.8">A risk: anyone holding a token can send in this sender&apos;s name</Text>}
        checked={allowUnsigned}
        onChange={(e) => setAllowUnsigned(e.currentTarget.checked)}
      />
    </SettingsCard>
  );
}

type RateLimitMode = 'default' | 'own' | 'unlimited';

const modeOf = (perMinute: number | null): RateLimitMode => (perMinute === null ? 'default' : perMinute === 0 ? 'unlimited' : 'own');

export function RateLimitForm({ sender }: { sender: SenderDetail }) {
  const [mode, setMode] = useState<RateLimitMode>(modeOf(sender.rateLimitPerMinute));
  const [perMinute, setPerMinute] = useState<number | string>(sender.rateLimitPerMinute || 60);
  const save = useSenderChange(sender.senderId, (value: number | null) => request(SetSenderRateLimitMutation, { senderId: sender.senderId, perMinute: value }).then((r) => r.setSenderRateLimit));
  const submit = () => save.mutate(mode === 'default' ? null : mode === 'unlimited' ? 0 : Number(perMinute));
  return (
    <SettingsCard title="Rate limit" problem={save.problem} saving={save.isPending} onSubmit={submit} saveLabel="Save rate limit">
      <Radio.Group label="Requests per minute" value={mode} onChange={(v) => setMode(v as RateLimitMode)}>
        <Stack mt="xs" gap="xs">
          <Radio value="default" label="Server default (RATE_LIMIT_PER_MINUTE)" />
          <Radio value="own" label="Its own limit" />
          <Radio value="unlimited" label="Unlimited" />
        </Stack>
      </Radio.Group>
      {mode === 'own' && <NumberInput label="Limit (requests per minute)" min={1} allowDecimal={false} required value={perMinute} onChange={setPerMinute} />}
    </SettingsCard>
  );
}
