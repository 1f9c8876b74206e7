import { Alert, Anchor, Badge, Button, Card, Checkbox, Grid, Group, NativeSelect, NumberInput, SimpleGrid, Stack, TagsInput, Text, Textarea, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { useCanChange } from '../../app/auth.js';
import { request, type UserErrors } from '../../lib/graphql.js';
import { ConfirmButton, formatDateTime, PageHeader, QueryState } from '../../lib/ui.js';
import { AgreementQuery, CreateAgreementMutation, EndAgreementMutation, SenderChoicesQuery, UpdateAgreementMutation, type AgreementData } from './agreement-documents.js';
import { TONES } from './tones.js';
import { AgreementPreview } from './agreement-preview.js';
import { draftRule, FieldRulesEditor, ruleInputs, type DraftRule } from './field-rules-editor.js';
import { AgreementStateBadge, validity } from './agreements-list-page.js';

const RECORD_TYPES = ['Person', 'Group'];
const QUERY_TYPES = [
  { value: 'idtype-value', label: 'by identifier (idtype-value)' },
  { value: 'expression', label: 'expression' },
  { value: 'predicate', label: 'predicate' },
];

interface Form {
  senderId: string;
  name: string;
  purpose: string;
  legalBasis: string;
  /** YYYY-MM-DD, UTC midnight; '' for none. */
  validFrom: string;
  validTo: string;
  allowedRecordTypes: string[];
  allowedQueryTypes: string[];
  allowedAttributes: string[];
  allowedRegTypes: string[];
  maxPageSize: number | '';
  dailyQuota: number | '';
  fieldRules: DraftRule[];
}

function formOf(a: AgreementData | null, senderId = ''): Form {
  return {
    senderId: a?.senderId ?? senderId,
    name: a?.name ?? '',
    purpose: a?.purpose ?? '',
    legalBasis: a?.legalBasis ?? '',
    validFrom: a?.validFrom?.slice(0, 10) ?? '',
    validTo: a?.validTo?.slice(0, 10) ?? '',
    allowedRecordTypes: [...(a?.allowedRecordTypes ?? [])],
    allowedQueryTypes: [...(a?.allowedQueryTypes ?? [])],
    allowedAttributes: [...(a?.allowedAttributes ?? [])],
    allowedRegTypes: [...(a?.allowedRegTypes ?? [])],
    maxPageSize: a?.maxPageSize ?? '',
    dailyQuota: a?.dailyQuota ?? '',
    fieldRules: (a?.fieldRules ?? []).map((r) => draftRule(r)),
  };
}

/** The terms as the API takes them; an emptied optional term is sent as null, which clears it. */
function termsOf(form: Form) {
  const date = (day: string) => (day ? new Date(`${day}T00:00:00.000Z`).toISOString() : null);
  const count = (value: number | '') => (value === '' ? null : value);
  return {
    name: form.name,
    purpose: form.purpose,
    legalBasis: form.legalBasis.trim() || null,
    validFrom: date(form.validFrom),
    validTo: date(form.validTo),
    allowedRecordTypes: form.allowedRecordTypes,
    allowedQueryTypes: form.allowedQueryTypes,
    allowedAttributes: form.allowedAttributes,
    allowedRegTypes: form.allowedRegTypes,
    maxPageSize: count(form.maxPageSize),
    dailyQuota: count(form.dailyQuota),
    fieldRules: ruleInputs(form.fieldRules),
  };
}

type FormField = keyof Form;
/** Which inputs a server message is about, so it is shown next to them (the server names only some). */
function fieldsOf(error: UserErrors[number]): FormField[] {
  const named = error.field?.replace(/^input\./, '');
  if (named && named in formOf(null)) return [named as FormField];
  const m = error.message;
  if (/^rule for /.test(m)) return ['fieldRules'];
  if (/^unknown query type/.test(m)) return ['allowedQueryTypes'];
  if (/^unknown attribute/.test(m)) return ['allowedAttributes'];
  if (/^unknown record type/.test(m)) return ['allowedRecordTypes'];
  if (/sender/i.test(m)) return ['senderId'];
  return (['name', 'purpose', 'validFrom', 'validTo', 'maxPageSize', 'dailyQuota'] as const).filter((field) => new RegExp(`^(${field}\\b|.* and ${field} )`).test(m));
}

export function AgreementDetailPage() {
  const { id } = useParams();
  const query = useQuery({ queryKey: ['agreement', id], queryFn: () => request(AgreementQuery, { id: id! }), enabled: Boolean(id) });
  return (
    <QueryState query={query}>
      {(data) =>
        data.agreement ? (
          <AgreementEditor key={data.agreement.id} agreement={data.agreement} />
        ) : (
          <Alert color="red" title="No such agreement" role="alert">
            There is no agreement {id}. <Anchor component={Link} to="/agreements">Back to the agreements</Anchor>
          </Alert>
        )
      }
    </QueryState>
  );
}

export function NewAgreementPage() {
  const [params] = useSearchParams();
  return <AgreementEditor agreement={null} senderId={params.get('senderId') ?? ''} />;
}

function AgreementEditor({ agreement, senderId }: { agreement: AgreementData | null; senderId?: string }) {
  const canChange = useCanChange();
  const readOnly = !canChange;
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [saved, setSaved] = useState(() => formOf(agreement, senderId));
  const [form, setForm] = useState(saved);
  const [errors, setErrors] = useState<UserErrors>([]);
  const set = <K extends FormField>(key: K, value: Form[K]) => setForm((f) => ({ ...f, [key]: value }));
  const dirty = JSON.stringify(termsOf(form)) !== JSON.stringify(termsOf(saved)) || form.senderId !== saved.senderId;
  const senders = useQuery({ queryKey: ['agreement-sender-choices'], queryFn: () => request(SenderChoicesQuery), enabled: !agreement });

  const afterChange = (result: AgreementData | null | undefined, userErrors: UserErrors, message: string) => {
    setErrors(userErrors);
    if (!result) return;
    void queryClient.invalidateQueries({ queryKey: ['agreements'] });
    queryClient.setQueryData(['agreement', result.id], { agreement: result });
    notifications.show({ color: 'green', message });
    if (!agreement) {
      navigate(`/agreements/${result.id}`, { replace: true });
      return;
    }
    const next = formOf(result);
    setSaved(next);
    setForm(next);
  };
  const save = useMutation({
    mutationFn: async () => {
      if (agreement) return (await request(UpdateAgreementMutation, { id: agreement.id, input: termsOf(form) })).updateAgreement;
      return (await request(CreateAgreementMutation, { input: { ...termsOf(form), senderId: form.senderId } })).createAgreement;
    },
    onSuccess: (payload) => afterChange(payload.agreement, payload.userErrors, agreement ? 'Agreement saved: the next DCI call is answered under these terms.' : 'Agreement created.'),
  });
  const end = useMutation({
    mutationFn: async () => (await request(EndAgreementMutation, { id: agreement!.id })).endAgreement,
    onSuccess: (payload) => afterChange(payload.agreement, payload.userErrors, 'Agreement ended: the sender receives nothing under it any more.'),
  });

  const errorFor = (field: FormField) =>
    errors
      .filter((e) => fieldsOf(e).includes(field))
      .map((e) => e.message)
      .join('\n') || undefined;
  const otherErrors = errors.filter((e) => !fieldsOf(e).length);
  const failure = save.error ?? end.error;

  return (
    <>
      <PageHeader
        title={agreement ? agreement.name : 'New agreement'}
        description={
          agreement ? (
            <>
              For <Anchor component={Link} to={`/senders/${encodeURIComponent(agreement.senderId)}`} size="sm" underline="always">{agreement.senderId}</Anchor> · valid {validity(agreement)} · last changed {formatDateTime(agreement.updatedAt)}
            </>
          ) : (
            'What one sender may ask for and see.'
          )
        }
        actions={
          <>
            {agreement && (
              <AgreementStateBadge active={agreement.active} size="lg" />
            )}
            {dirty && !readOnly && (
              <Badge size="lg" color={TONES.changed} variant="outline">
                unsaved changes
              </Badge>
            )}
            {canChange && agreement?.active && (
              <ConfirmButton title="End this agreement?" message={`${agreement.senderId} will receive no data under "${agreement.name}" from its next request. The agreement is kept, so past answers stay explainable.`} confirmLabel="End agreement" onConfirm={() => end.mutate()} loading={end.isPending}>
                End agreement
              </ConfirmButton>
            )}
            {canChange && (
              <Button onClick={() => save.mutate()} loading={save.isPending} disabled={!dirty && Boolean(agreement)}>
                {agreement ? 'Save' : 'Create agreement'}
              </Button>
            )}
          </>
        }
      />
      <Stack>
        {readOnly && (
          <Alert color="blue" title="Read only">
            Your role can read agreements but not change them.
          </Alert>
        )}
        {failure && (
          <Alert color="red" title="Not saved" role="alert">
            {failure.message}
          </Alert>
        )}
        {otherErrors.length > 0 && (
          <Alert color="red" title="Not saved" role="alert">
            {otherErrors.map((e) => e.message).join('\n')}
          </Alert>
        )}
        <Card withBorder component="section" aria-labelledby="terms-title">
          <Title order={4} id="terms-title" mb="sm">
            Terms
          </Title>
          <SimpleGrid cols={3}>
            {agreement ? (
              <TextInput label="Sender" value={agreement.senderId} readOnly error={errorFor('senderId')} />
            ) : (
              <NativeSelect label="Sender" required value={form.senderId} onChange={(e) => set('senderId', e.currentTarget.value)} error={errorFor('senderId')} data={[{ value: '', label: senders.isPending ? 'Loading…' : 'Choose a sender' }, ...(senders.data?.senders ?? []).map((s) => ({ value: s.senderId, label: s.senderId }))]} />
            )}
            <TextInput label="Name" required value={form.name} onChange={(e) => set('name', e.currentTarget.value)} error={errorFor('name')} readOnly={readOnly} />
            <TextInput label="Legal basis" value={form.legalBasis} onChange={(e) => set('legalBasis', e.currentTarget.value)} readOnly={readOnly} placeholder="e.g. Social Protection Act, s. 12" />
          </SimpleGrid>
          <Textarea label="Purpose" required mt="sm" autosize minRows={2} value={form.purpose} onChange={(e) => set('purpose', e.currentTarget.value)} error={errorFor('purpose')} readOnly={readOnly} />
          <SimpleGrid cols={4} mt="sm">
            <TextInput type="date" label="Valid from (UTC)" value={form.validFrom} onChange={(e) => set('validFrom', e.currentTarget.value)} error={errorFor('validFrom')} readOnly={readOnly} />
            <TextInput type="date" label="Valid until (UTC, exclusive)" value={form.validTo} onChange={(e) => set('validTo', e.currentTarget.value)} error={errorFor('validTo')} readOnly={readOnly} />
            <NumberInput label="Page size cap" description="empty: the server's" min={1} allowDecimal={false} value={form.maxPageSize} onChange={(v) => set('maxPageSize', typeof v === 'number' ? v : '')} error={errorFor('maxPageSize')} readOnly={readOnly} />
            <NumberInput label="Daily quota" description="items per UTC day; empty: unlimited" min={0} allowDecimal={false} value={form.dailyQuota} onChange={(v) => set('dailyQuota', typeof v === 'number' ? v : '')} error={errorFor('dailyQuota')} readOnly={readOnly} />
          </SimpleGrid>
          <SimpleGrid cols={2} mt="sm">
            <Checkbox.Group label="Record types" description="none ticked: any" value={form.allowedRecordTypes} onChange={(v) => set('allowedRecordTypes', v)} error={errorFor('allowedRecordTypes')} readOnly={readOnly}>
              <Group mt={6}>
                {RECORD_TYPES.map((t) => (
                  <Checkbox key={t} value={t} label={t} disabled={readOnly} />
                ))}
              </Group>
            </Checkbox.Group>
            <Checkbox.Group label="Query types" description="none ticked: any" value={form.allowedQueryTypes} onChange={(v) => set('allowedQueryTypes', v)} error={errorFor('allowedQueryTypes')} readOnly={readOnly}>
              <Group mt={6}>
                {QUERY_TYPES.map((t) => (
                  <Checkbox key={t.value} value={t.value} label={t.label} disabled={readOnly} />
                ))}
              </Group>
            </Checkbox.Group>
            <TagsInput label="Searchable attributes and identifier types" description="empty: any; Enter after each" value={form.allowedAttributes} onChange={(v) => set('allowedAttributes', v)} error={errorFor('allowedAttributes')} readOnly={readOnly} placeholder={readOnly ? undefined : 'e.g. UIN, birth_date'} />
            <TagsInput label="Registry types" description="empty: any" value={form.allowedRegTypes} onChange={(v) => set('allowedRegTypes', v)} error={errorFor('allowedRegTypes')} readOnly={readOnly} placeholder={readOnly ? undefined : 'e.g. ns:org:RegistryType:Social'} />
          </SimpleGrid>
        </Card>
        <Grid>
          <Grid.Col span={6}>
            <Card withBorder component="section" aria-labelledby="rules-title">
              <Title order={4} id="rules-title">
                Field rules
              </Title>
              <Text size="sm" c="dimmed" mb="xs">
                What the sender sees of each field. Mask keeps the last characters; derive shares a year or an age instead of a date.
              </Text>
              <FieldRulesEditor rules={form.fieldRules} onChange={(rules) => set('fieldRules', rules)} readOnly={readOnly} error={errorFor('fieldRules')} />
            </Card>
          </Grid.Col>
          <Grid.Col span={6}>
            <AgreementPreview senderId={form.senderId} rules={ruleInputs(form.fieldRules)} />
          </Grid.Col>
        </Grid>
      </Stack>
    </>
  );
}
