import { Anchor, Badge, Card, Group, Stack, Table, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { useCanChange } from '../../app/auth.js';
import { request } from '../../lib/graphql.js';
import { EmptyState, formatDateTime, PageHeader, QueryState } from '../../lib/ui.js';
import { DetailFields } from './detail-fields.js';
import { AddMemberButton, RemoveMemberButton } from './group-members.js';
import { RecordBirthButton } from './person-form.js';
import { RegistryGroupQuery } from './registry-documents.js';
import { EventsTimeline } from './registry-events.js';

export function GroupDetailPage() {
  const { id = '' } = useParams();
  const canChange = useCanChange();
  const query = useQuery({ queryKey: ['registry', 'group', id], queryFn: () => request(RegistryGroupQuery, { id }) });
  return (
    <QueryState query={query}>
      {({ registryGroup: g }) => {
        if (!g)
          return (
            <PageHeader
              title="Group not found"
              description={
                <Anchor component={Link} to="/registry?kind=groups" underline="always">
                  Back to the registry
                </Anchor>
              }
            />
          );
        return (
          <>
            <PageHeader
              title={`${g.groupType[0]?.toUpperCase()}${g.groupType.slice(1)} ${g.identifierValue}`}
              description={
                <>
                  <Anchor component={Link} to="/registry?kind=groups" underline="always">
                    Registry
                  </Anchor>{' '}
                  · Group {g.id}
                </>
              }
              actions={
                canChange && (
                  <>
                    <AddMemberButton groupId={g.id} />
                    <RecordBirthButton groupId={g.id} location={g.location} />
                  </>
                )
              }
            />
            <Stack>
              <Card withBorder>
                <DetailFields
                  fields={[
                    ['Identifier', `${g.identifierType} ${g.identifierValue}`],
                    ['Type', g.groupType],
                    ['Members', g.groupSize],
                    ['Poverty score', g.povertyScore === null ? null : `${g.povertyScore}${g.povertyScoreType ? ` (${g.povertyScoreType})` : ''}`],
                    ['Address', [g.streetAddress, g.city, g.postalCode, g.country].filter(Boolean).join(', ')],
                    ['Location', g.location],
                    ['Registered', formatDateTime(g.registrationDate)],
                    ['Last updated', formatDateTime(g.lastUpdated)],
                  ]}
                />
              </Card>
              <Card withBorder>
                <Title order={3} size="h4" mb="sm">
                  Members
                </Title>
                {g.members.length ? (
                  <Table>
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>Name</Table.Th>
                        <Table.Th>Relationship</Table.Th>
                        <Table.Th>Identifiers</Table.Th>
                        <Table.Th>Sex</Table.Th>
                        <Table.Th>Birth date</Table.Th>
                        {canChange && <Table.Th>Actions</Table.Th>}
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {g.members.map((m) => {
                        const name = `${m.person.givenName} ${m.person.surname}`;
                        return (
                          <Table.Tr key={m.person.id}>
                            <Table.Td>
                              <Group gap="xs">
                                <Anchor component={Link} to={`/registry/persons/${encodeURIComponent(m.person.id)}`}>
                                  {name}
                                </Anchor>
                                {m.person.deathDate && <Badge color="gray">Died {m.person.deathDate}</Badge>}
                              </Group>
                            </Table.Td>
                            <Table.Td>{m.isHead ? <Badge>Head</Badge> : m.relationship}</Table.Td>
                            <Table.Td>{m.person.identifiers.map((i) => `${i.type} ${i.value}`).join(', ')}</Table.Td>
                            <Table.Td>{m.person.sex}</Table.Td>
                            <Table.Td>{m.person.birthDate ?? '–'}</Table.Td>
                            {canChange && (
                              <Table.Td>
                                <RemoveMemberButton groupId={g.id} personId={m.person.id} name={name} />
                              </Table.Td>
                            )}
                          </Table.Tr>
                        );
                      })}
                    </Table.Tbody>
                  </Table>
                ) : (
                  <EmptyState>No members.</EmptyState>
                )}
              </Card>
              <Card withBorder>
                <Title order={3} size="h4" mb="sm">
                  Events
                </Title>
                <EventsTimeline events={g.events} />
              </Card>
            </Stack>
          </>
        );
      }}
    </QueryState>
  );
}
