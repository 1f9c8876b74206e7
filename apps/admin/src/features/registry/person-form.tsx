/** Registering, editing and recording the birth of a person: one form, in a dialog. */
import { Alert, Button, Group, Modal, Select, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { IconPencil, IconUserPlus } from '@tabler/icons-react';
import { useState, type FormEvent, type ReactNode } from 'react';
import { useNavigate } from 'react-router';
import { request, userErrorText, type ResultOf, type UserErrors } from '../../lib/graphql.js';
import { CreatePersonMutation, RecordBirthMutation, UpdatePersonMutation, type RegistryPersonQuery } from './registry-documents.js';
import { PERSON_IDENTIFIER_TYPES, SEXES } from './registry-vocabulary.js';

const TEXT_FIELDS = ['givenName', 'surname', 'secondName', 'birthDate', 'birthPlace', 'location', 'city', 'country'] as const;

type PersonFields = Record<(typeof TEXT_FIELDS)[number] | 'sex' | 'identifierType' | 'identifierValue', string>;
type Person = NonNullable<ResultOf<typeof RegistryPersonQuery>['registryPerson']>;

const blank = (identifierType = 'UIN'): PersonFields => ({
  givenName: '',
  surname: '',
  secondName: '',
  birthDate: '',
  birthPlace: '',
  location: '',
  city: '',
  country: '',
  sex: 'female',
  identifierType,
  identifierValue: '',
});
const fromPerson = (p: Person): PersonFields => ({ ...blank(), ...Object.fromEntries(TEXT_FIELDS.map((f) => [f, p[f] ?? ''])), sex: p.sex });

/** The fields a new person needs (empty optional fields left out). */
function personInput(f: PersonFields) {
  const optional = Object.fromEntries(TEXT_FIELDS.filter((k) => !['givenName', 'surname'].includes(k) && f[k].trim()).map((k) => [k, f[k].trim()]));
  return { givenName: f.givenName.trim(), surname: f.surname.trim(), sex: f.sex, identifiers: [{ type: f.identifierType, value: f.identifierValue.trim() }], ...optional };
}

function PersonFieldsForm({ fields, setFields, withIdentifier, birthRequired }: { fields: PersonFields; setFields: (f: PersonFields) => void; withIdentifier: boolean; birthRequired?: boolean }) {
  const text = (key: keyof PersonFields, label: string, required = false, type = 'text') => (
    <TextInput label={label} type={type} required={required} value={fields[key]} onChange={(e) => setFields({ ...fields, [key]: e.currentTarget.value })} />
  );
  return (
    <SimpleGrid cols={2}>
      {text('givenName', 'Given name', true)}
      {text('surname', 'Surname', true)}
      {text('secondName', 'Second name')}
      <Select label="Sex" required data={SEXES} value={fields.sex} onChange={(v) => setFields({ ...fields, sex: v ?? 'unknown' })} allowDeselect={false} />
      {text('birthDate', 'Birth date', birthRequired, 'date')}
      {text('birthPlace', 'Birth place')}
      {text('location', 'Location (region code)')}
      {text('city', 'City')}
      {text('country', 'Country')}
      {withIdentifier && (
        <>
          <Select
            label="Identifier type"
            required
            data={PERSON_IDENTIFIER_TYPES}
            value={fields.identifierType}
            onChange={(v) => setFields({ ...fields, identifierType: v ?? 'UIN' })}
            allowDeselect={false}
          />
          {text('identifierValue', 'Identifier value', true)}
        </>
      )}
    </SimpleGrid>
  );
}

/** A dialog with the person fields; `save` returns the server's user errors (empty: saved). */
function PersonDialog({
  label,
  icon,
  title,
  initial,
  withIdentifier,
  birthRequired,
  extra,
  save,
  variant = 'filled',
}: {
  label: string;
  icon: ReactNode;
  title: string;
  initial: () => PersonFields;
  withIdentifier: boolean;
  birthRequired?: boolean;
  extra?: ReactNode;
  save: (fields: PersonFields) => Promise<UserErrors>;
  variant?: string;
}) {
  const [opened, { open, close }] = useDisclosure(false);
  const [fields, setFields] = useState<PersonFields>(initial);
  const mutation = useMutation({ mutationFn: save, onSuccess: (errors) => errors.length === 0 && close() });
  const problem = mutation.error?.message ?? (mutation.data?.length ? userErrorText(mutation.data) : undefined);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    mutation.mutate(fields);
  };
  return (
    <>
      <Button
        leftSection={icon}
        variant={variant}
        onClick={() => {
          setFields(initial());
          mutation.reset();
          open();
        }}
      >
        {label}
      </Button>
      <Modal opened={opened} onClose={close} title={title} size="lg">
        <form onSubmit={submit}>
          <Stack>
            {problem && (
              <Alert color="red" title="Not saved" role="alert" style={{ whiteSpace: 'pre-line' }}>
                {problem}
              </Alert>
            )}
            <PersonFieldsForm fields={fields} setFields={setFields} withIdentifier={withIdentifier} birthRequired={birthRequired} />
            {extra}
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" loading={mutation.isPending}>
                {label}
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}

/** Registers a new person (REGISTER event) and opens their record. */
export function PersonFormButton() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  return (
    <PersonDialog
      label="Register person"
      title="Register a person"
      icon={<IconUserPlus size={16} />}
      initial={() => blank()}
      withIdentifier
      save={async (fields) => {
        const { createPerson } = await request(CreatePersonMutation, { input: personInput(fields) });
        if (createPerson.person) {
          await queryClient.invalidateQueries({ queryKey: ['registry'] });
          notifications.show({ color: 'teal', message: `${fields.givenName} ${fields.surname} registered` });
          navigate(`/registry/persons/${encodeURIComponent(createPerson.person.id)}`);
        }
        return createPerson.userErrors;
      }}
    />
  );
}

/** Changes a person's fields (UPDATE event); only the fields changed are sent. */
export function EditPersonButton({ person }: { person: Person }) {
  const queryClient = useQueryClient();
  return (
    <PersonDialog
      label="Edit person"
      title={`Edit ${person.givenName} ${person.surname}`}
      icon={<IconPencil size={16} />}
      variant="default"
      initial={() => fromPerson(person)}
      withIdentifier={false}
      save={async (fields) => {
        const before = fromPerson(person);
        const input = Object.fromEntries(([...TEXT_FIELDS, 'sex'] as const).filter((k) => fields[k].trim() !== before[k]).map((k) => [k, fields[k].trim() || null]));
        if (!Object.keys(input).length) return [];
        const { updatePerson } = await request(UpdatePersonMutation, { id: person.id, input });
        if (updatePerson.person) await queryClient.invalidateQueries({ queryKey: ['registry'] });
        return updatePerson.userErrors;
      }}
    />
  );
}

/** Registers a newborn in a household (REGISTER, LiveBirth, NewHouseHoldMember, UPDATE events). */
export function RecordBirthButton({ groupId, location }: { groupId: string; location: string | null }) {
  const queryClient = useQueryClient();
  const [relationship, setRelationship] = useState('child');
  return (
    <PersonDialog
      label="Record a birth"
      title="Record a birth in this household"
      icon={<IconUserPlus size={16} />}
      initial={() => ({ ...blank('BRN'), location: location ?? '', birthDate: new Date().toISOString().slice(0, 10) })}
      withIdentifier
      birthRequired
      extra={<TextInput label="Relationship to the head of the household" required value={relationship} onChange={(e) => setRelationship(e.currentTarget.value)} />}
      save={async (fields) => {
        const { recordBirth } = await request(RecordBirthMutation, { groupId, child: personInput(fields), relationship });
        if (recordBirth.person) {
          await queryClient.invalidateQueries({ queryKey: ['registry'] });
          notifications.show({ color: 'teal', message: `Birth of ${fields.givenName} ${fields.surname} recorded` });
        }
        return recordBirth.userErrors;
      }}
    />
  );
}
