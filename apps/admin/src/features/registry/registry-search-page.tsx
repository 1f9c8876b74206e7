import { Alert, Anchor, Badge, Button, Card, Group, JsonInput, SegmentedControl, Select, SimpleGrid, Stack, Table, Text, TextInput } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useCanChange } from '../../app/auth.js';
import { request, type ResultOf } from '../../lib/graphql.js';
import { EmptyState, PageHeader, QueryState } from '../../lib/ui.js';
import { PersonFormButton } from './person-form.js';
import { RegistryGroupsQuery, RegistryPersonsQuery } from './registry-documents.js';
import { PERSON_IDENTIFIER_TYPES, SEXES } from './registry-vocabulary.js';
import { EMPTY_SEARCH, searchExpression, searchFromParams, searchToParams, type RegistrySearch } from './search-expression.js';

const PAGE_SIZE = 25;
const SEX_CHOICES = [{ value: '', label: 'Any' }, ...SEXES.map((sex) => ({ value: sex, label: sex[0]!.toUpperCase() + sex.slice(1) }))];

export function RegistrySearchPage() {
  const [params, setParams] = useSearchParams();
  const submitted = searchFromParams(params);
  const [draft, setDraft] = useState<RegistrySearch>(submitted);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const canChange = useCanChange();
  const set = (key: keyof RegistrySearch) => (value: string) => setDraft((d) => ({ ...d, [key]: value }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setCursors([null]);
    setParams(searchToParams(draft));
  };
  const switchKind = (kind: string) => {
    const next = { ...EMPTY_SEARCH, kind: kind as RegistrySearch['kind'], identifierType: kind === 'groups' ? 'HouseholdID' : 'UIN' };
    setDraft(next);
    setCursors([null]);
    setParams(searchToParams(next));
  };
  const persons = submitted.kind === 'persons';

  return (
    <>
      <PageHeader title="Registry" description="Find persons and households, see their events, and record changes that notify subscribers." actions={canChange && <PersonFormButton />} />
      <Card withBorder mb="md" component="form" onSubmit={submit} aria-label="Registry search">
        <Stack>
          <SegmentedControl
            aria-label="Record kind"
            value={draft.kind}
            onChange={switchKind}
            data={[
              { value: 'persons', label: 'Persons' },
              { value: 'groups', label: 'Groups' },
            ]}
            w="fit-content"
          />
          <SimpleGrid cols={4}>
            {persons ? (
              <Select label="Identifier type" data={PERSON_IDENTIFIER_TYPES} value={draft.identifierType} onChange={(v) => set('identifierType')(v ?? 'UIN')} allowDeselect={false} />
            ) : (
              <TextInput label="Identifier type" value={draft.identifierType} onChange={(e) => set('identifierType')(e.currentTarget.value)} />
            )}
            <TextInput label="Identifier value" value={draft.identifierValue} onChange={(e) => set('identifierValue')(e.currentTarget.value)} />
            {persons && <TextInput label="Name" placeholder="given name, surname or both" value={draft.name} onChange={(e) => set('name')(e.currentTarget.value)} />}
            <TextInput label="Location" placeholder="region code, e.g. central_region" value={draft.location} onChange={(e) => set('location')(e.currentTarget.value)} />
            {persons && (
              <>
                <Select label="Sex" data={SEX_CHOICES} value={draft.sex} onChange={(v) => set('sex')(v ?? '')} allowDeselect={false} />
                <TextInput type="date" label="Born on or after" value={draft.bornFrom} onChange={(e) => set('bornFrom')(e.currentTarget.value)} />
                <TextInput type="date" label="Born on or before" value={draft.bornTo} onChange={(e) => set('bornTo')(e.currentTarget.value)} />
              </>
            )}
          </SimpleGrid>
          <JsonInput
            label="Advanced: DCI expression"
            description={persons ? 'combined with the fields above, e.g. {"age": {"$gte": 60}, "is_alive": true}' : 'combined with the fields above, e.g. {"poverty_score": {"$lt": 5}}'}
            value={draft.advanced}
            onChange={set('advanced')}
            autosize
            minRows={1}
          />
          <Group>
            <Button type="submit">Search</Button>
            <Button variant="default" onClick={() => switchKind(draft.kind)}>
              Clear
            </Button>
          </Group>
        </Stack>
      </Card>
      <Results search={submitted} cursors={cursors} setCursors={setCursors} />
    </>
  );
}

function Results({ search, cursors, setCursors }: { search: RegistrySearch; cursors: (string | null)[]; setCursors: (c: (string | null)[]) => void }) {
  const { expression, error } = searchExpression(search);
  const after = cursors.at(-1) ?? null;
  const identifierValue = search.identifierValue.trim() || null;
  const variables = { expression, after, first: PAGE_SIZE, identifierValue, identifierType: identifierValue ? search.identifierType : null };
  const query = useQuery({
    queryKey: ['registry', search.kind, variables],
    queryFn: async () =>
      search.kind === 'persons' ? { persons: (await request(RegistryPersonsQuery, variables)).registryPersons } : { groups: (await request(RegistryGroupsQuery, variables)).registryGroups },
    enabled: !error,
    placeholderData: keepPreviousData,
  });
  if (error)
    return (
      <Alert color="red" title="Cannot search" role="alert">
        {error}
      </Alert>
    );
  return (
    <QueryState query={query}>
      {(data) => {
        const page = data.persons ?? data.groups;
        if (!page) return null;
        return (
          <Card withBorder>
            <Group justify="space-between" mb="sm">
              <Text fw={600} role="status">
                {page.totalCount.toLocaleString()} {search.kind === 'persons' ? (page.totalCount === 1 ? 'person' : 'persons') : page.totalCount === 1 ? 'group' : 'groups'} found
              </Text>
              <Group gap="xs">
                <Text size="sm" c="dimmed">
                  Page {cursors.length} of {Math.max(1, Math.ceil(page.totalCount / PAGE_SIZE))}
                </Text>
                <Button size="xs" variant="default" disabled={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))}>
                  Previous page
                </Button>
                <Button size="xs" variant="default" disabled={!page.pageInfo.hasNextPage} onClick={() => setCursors([...cursors, page.pageInfo.endCursor])}>
                  Next page
                </Button>
              </Group>
            </Group>
            {page.totalCount === 0 ? (
              <EmptyState>Nothing in the registry matches this search.</EmptyState>
            ) : data.persons ? (
              <PersonsTable persons={data.persons.edges.map((e) => e.node)} />
            ) : (
              <GroupsTable groups={data.groups!.edges.map((e) => e.node)} />
            )}
          </Card>
        );
      }}
    </QueryState>
  );
}

type PersonRow = ResultOf<typeof RegistryPersonsQuery>['registryPersons']['edges'][number]['node'];
type GroupRow = ResultOf<typeof RegistryGroupsQuery>['registryGroups']['edges'][number]['node'];

function PersonsTable({ persons }: { persons: PersonRow[] }) {
  return (
    <Table striped highlightOnHover>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Name</Table.Th>
          <Table.Th>Identifiers</Table.Th>
          <Table.Th>Sex</Table.Th>
          <Table.Th>Birth date</Table.Th>
          <Table.Th>Location</Table.Th>
          <Table.Th>Status</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {persons.map((p) => (
          <Table.Tr key={p.id}>
            <Table.Td>
              <Anchor component={Link} to={`/registry/persons/${encodeURIComponent(p.id)}`}>
                {p.givenName} {p.surname}
              </Anchor>
            </Table.Td>
            <Table.Td>{p.identifiers.map((i) => `${i.type} ${i.value}`).join(', ')}</Table.Td>
            <Table.Td>{p.sex}</Table.Td>
            <Table.Td>{p.birthDate ?? '–'}</Table.Td>
            <Table.Td>{p.location ?? '–'}</Table.Td>
            <Table.Td>
              {p.deathDate ? (
                <Badge color="gray">Died {p.deathDate}</Badge>
              ) : (
                <Text span size="sm">
                  Alive
                </Text>
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function GroupsTable({ groups }: { groups: GroupRow[] }) {
  return (
    <Table striped highlightOnHover>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Identifier</Table.Th>
          <Table.Th>Type</Table.Th>
          <Table.Th ta="right">Members</Table.Th>
          <Table.Th>Location</Table.Th>
          <Table.Th ta="right">Poverty score</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {groups.map((g) => (
          <Table.Tr key={g.id}>
            <Table.Td>
              <Anchor component={Link} to={`/registry/groups/${encodeURIComponent(g.id)}`}>
                {g.identifierType} {g.identifierValue}
              </Anchor>
            </Table.Td>
            <Table.Td>{g.groupType}</Table.Td>
            <Table.Td ta="right">{g.groupSize}</Table.Td>
            <Table.Td>{g.location ?? '–'}</Table.Td>
            <Table.Td ta="right">{g.povertyScore ?? '–'}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
