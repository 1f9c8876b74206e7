/**
 * The live preview: a real registry record as the sender would receive it under the draft rules,
 * beside the record as stored, each field marked shared, changed (masked or derived) or not shared.
 */
import { Alert, Badge, Card, Group, Loader, NativeSelect, Table, Text, TextInput, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { request } from '../../lib/graphql.js';
import { FirstPersonQuery, PreviewAgreementQuery } from './agreement-documents.js';
import { TONES } from './tones.js';
import type { FieldRuleInput } from './field-rules-editor.js';

const IDENTIFIER_TYPES = { Person: ['UIN', 'BRN', 'NationalID', 'MOBILE'], Group: ['NationalID'] } as const;
type RecordType = keyof typeof IDENTIFIER_TYPES;

export function AgreementPreview({ senderId, rules }: { senderId: string; rules: FieldRuleInput[] }) {
  const [recordType, setRecordType] = useState<RecordType>('Person');
  const [identifierType, setIdentifierType] = useState('UIN');
  const [identifierValue, setIdentifierValue] = useState('');
  const firstPerson = useQuery({ queryKey: ['agreement-preview-first-person'], queryFn: () => request(FirstPersonQuery) });
  // Start on a real person, so the preview shows something before anyone types an identifier.
  const suggested = firstPerson.data?.registryPersons.edges[0]?.node.identifiers[0];
  useEffect(() => {
    if (!suggested) return;
    setIdentifierType((type) => (identifierValue ? type : suggested.type));
    setIdentifierValue((value) => value || suggested.value);
    // Runs when the suggestion arrives; what the person typed is kept.
  }, [suggested?.type, suggested?.value]);

  // Debounced as a string: a fresh object each render would restart the wait on every render.
  const debounced = useDebounced(JSON.stringify({ senderId, rules, recordType, identifierType, identifierValue: identifierValue.trim() }), 300);
  const draft = JSON.parse(debounced) as { senderId: string; rules: FieldRuleInput[]; recordType: RecordType; identifierType: string; identifierValue: string };
  const preview = useQuery({
    queryKey: ['agreement-preview', debounced],
    queryFn: () => request(PreviewAgreementQuery, { senderId: draft.senderId, fieldRules: draft.rules, recordRef: { recordType: draft.recordType, identifierType: draft.identifierType, identifierValue: draft.identifierValue } }),
    enabled: Boolean(draft.senderId && draft.identifierValue),
    placeholderData: keepPreviousData,
  });
  const result = preview.data?.previewAgreement;

  return (
    <Card withBorder component="section" aria-labelledby="live-preview-title">
      <Group justify="space-between" mb="xs">
        <Title order={4} id="live-preview-title">
          Live preview
        </Title>
        {preview.isFetching && <Loader size="xs" role="status" aria-label="Updating preview" />}
      </Group>
      <Text size="sm" c="dimmed" mb="sm">
        A registry record as {senderId || 'the sender'} would receive it under the rules on this page (nothing is saved).
      </Text>
      <Group grow mb="sm" align="flex-end">
        <NativeSelect
          label="Record type"
          size="xs"
          data={Object.keys(IDENTIFIER_TYPES)}
          value={recordType}
          onChange={(e) => {
            const type = e.currentTarget.value as RecordType;
            setRecordType(type);
            setIdentifierType(IDENTIFIER_TYPES[type][0]);
          }}
        />
        <NativeSelect label="Identifier type" size="xs" data={[...IDENTIFIER_TYPES[recordType]]} value={identifierType} onChange={(e) => setIdentifierType(e.currentTarget.value)} />
        <TextInput label="Identifier" size="xs" value={identifierValue} onChange={(e) => setIdentifierValue(e.currentTarget.value)} placeholder={firstPerson.isPending ? 'Loading…' : 'e.g. a UIN'} />
      </Group>
      {!senderId ? (
        <Text size="sm" c="dimmed">
          Choose a sender to preview.
        </Text>
      ) : !draft.identifierValue ? (
        <Text size="sm" c="dimmed">
          {firstPerson.isPending ? 'Finding a record…' : 'Enter the identifier of a registry record to preview.'}
        </Text>
      ) : preview.isError ? (
        <Alert color="red" title="Could not preview" role="alert">
          {preview.error.message}
        </Alert>
      ) : result?.userErrors.length ? (
        <Alert color="orange" title="No preview" role="status">
          {result.userErrors.map((e) => e.message).join('\n')}
        </Alert>
      ) : result?.original ? (
        <FieldDiff original={result.original} shared={result.shared ?? {}} />
      ) : (
        <Loader size="sm" role="status" aria-label="Loading preview" />
      )}
    </Card>
  );
}

/** `value` once it has stopped changing for `ms`. */
function useDebounced(value: string, ms: number): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

type Status = 'shared' | 'changed' | 'hidden' | 'added';
const STATUS_LABEL: Record<Status, { label: string; color: string }> = {
  shared: { label: 'shared', color: TONES.neutral },
  changed: { label: 'changed', color: TONES.changed },
  hidden: { label: 'not shared', color: TONES.hidden },
  added: { label: 'added', color: TONES.added },
};

/** Each leaf field of both records, side by side, in the stored record's order. */
function FieldDiff({ original, shared }: { original: Record<string, unknown>; shared: Record<string, unknown> }) {
  const stored = leaves(original);
  const received = leaves(shared);
  const paths = [...new Set([...stored.keys(), ...received.keys()])];
  const rows = paths.map((path) => {
    const before = stored.get(path);
    const after = received.get(path);
    const status: Status = !received.has(path) ? 'hidden' : !stored.has(path) ? 'added' : before === after ? 'shared' : 'changed';
    return { path, before, after, status };
  });
  const count = (status: Status) => rows.filter((r) => r.status === status).length;
  return (
    <>
      <Group gap="xs" mb="xs" aria-label="Summary">
        {(['shared', 'changed', 'hidden'] as const).map((status) => (
          <Badge key={status} color={STATUS_LABEL[status].color} variant="outline">
            {count(status)} {STATUS_LABEL[status].label}
          </Badge>
        ))}
      </Group>
      <Table.ScrollContainer minWidth={420} maxHeight={560}>
        <Table striped={false} verticalSpacing={4} fz="xs" aria-label="Record as stored and as the sender receives it" stickyHeader>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Field</Table.Th>
              <Table.Th>Stored</Table.Th>
              <Table.Th>Sender receives</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map(({ path, before, after, status }) => (
              <Table.Tr key={path} bg={status === 'hidden' ? 'red.0' : status === 'changed' ? 'orange.0' : undefined}>
                <Table.Th scope="row" fw={500}>
                  <code>{path}</code>
                </Table.Th>
                <Table.Td>{before ?? '–'}</Table.Td>
                <Table.Td>
                  {status === 'hidden' ? (
                    <Badge color={TONES.hidden} variant="outline" size="sm">
                      not shared
                    </Badge>
                  ) : (
                    <Group gap={6}>
                      <span>{after}</span>
                      {status !== 'shared' && (
                        <Badge color={STATUS_LABEL[status].color} variant="outline" size="sm">
                          {STATUS_LABEL[status].label}
                        </Badge>
                      )}
                    </Group>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </>
  );
}

/** `{name: {given_name: 'A'}, identifier: [{…}]}` → `name.given_name` → 'A', `identifier[0].identifier_value` → …; `@type` markers left out. */
function leaves(value: unknown, path = '', out = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(value)) value.forEach((item, i) => leaves(item, `${path}[${i}]`, out));
  else if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) if (key !== '@type') leaves(child, path ? `${path}.${key}` : key, out);
  } else if (path) out.set(path, String(value));
  return out;
}
