import { Anchor, Badge, Card, SimpleGrid, Stack, Table, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { useCanChange } from '../../app/auth.js';
import { request } from '../../lib/graphql.js';
import { EmptyState, formatDateTime, PageHeader, QueryState } from '../../lib/ui.js';
import { DetailFields } from './detail-fields.js';
import { EditPersonButton } from './person-form.js';
import { RecordDeathButton } from './record-death.js';
import { RegistryPersonQuery } from './registry-documents.js';
import { EventsTimeline } from './registry-events.js';

export function PersonDetailPage() {
  const { id = '' } = useParams();
  const canChange = useCanChange();
  const query = useQuery({ queryKey: ['registry', 'person', id], queryFn: () => request(RegistryPersonQuery, { id }) });
  return (
    <QueryState query={query}>
      {({ registryPerson: p }) => {
        if (!p)
          return (
            <PageHeader
              title="Person not found"
              description={
                <Anchor component={Link} to="/registry" underline="always">
                  Back to the registry
                </Anchor>
              }
            />
          );
        const name = [p.prefix, p.givenName, p.secondName, p.surname, p.suffix].filter(Boolean).join(' ');
        return (
          <>
            <PageHeader
              title={name}
              description={
                <>
                  <Anchor component={Link} to="/registry" underline="always">
                    Registry
                  </Anchor>{' '}
                  · Person {p.id}
                </>
              }
              actions={
                canChange && (
                  <>
                    <EditPersonButton person={p} />
                    {!p.deathDate && <RecordDeathButton personId={p.id} name={name} />}
                  </>
                )
              }
            />
            <Stack>
              {p.deathDate && (
                <Badge color="gray" size="lg">
                  Died {p.deathDate}
                </Badge>
              )}
              <Card withBorder>
                <DetailFields
                  fields={[
                    ['Sex', p.sex],
                    ['Birth date', p.birthDate],
                    ['Birth place', p.birthPlace],
                    ['Death date', p.deathDate],
                    ['Marital status', p.maritalStatus],
                    ['Disability', p.isDisabled ? 'Yes' : 'No'],
                    ['Address', [p.streetAddress, p.city, p.postalCode, p.country].filter(Boolean).join(', ')],
                    ['Location', p.location],
                    ['Phone', p.phoneNumbers.join(', ')],
                    ['Email', p.emails.join(', ')],
                    ['Registered', formatDateTime(p.registrationDate)],
                    ['Last updated', formatDateTime(p.lastUpdated)],
                  ]}
                />
              </Card>
              <SimpleGrid cols={2}>
                <Card withBorder>
                  <Title order={3} size="h4" mb="sm">
                    Identifiers
                  </Title>
                  <Table>
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>Type</Table.Th>
                        <Table.Th>Value</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {p.identifiers.map((i) => (
                        <Table.Tr key={`${i.type}/${i.value}`}>
                          <Table.Td>{i.type}</Table.Td>
                          <Table.Td>{i.value}</Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Card>
                <Card withBorder>
                  <Title order={3} size="h4" mb="sm">
                    Households and groups
                  </Title>
                  {p.memberships.length ? (
                    <Table>
                      <Table.Thead>
                        <Table.Tr>
                          <Table.Th>Group</Table.Th>
                          <Table.Th>Relationship</Table.Th>
                          <Table.Th ta="right">Members</Table.Th>
                        </Table.Tr>
                      </Table.Thead>
                      <Table.Tbody>
                        {p.memberships.map((m) => (
                          <Table.Tr key={m.group.id}>
                            <Table.Td>
                              <Anchor component={Link} to={`/registry/groups/${encodeURIComponent(m.group.id)}`}>
                                {m.group.groupType} {m.group.identifierValue}
                              </Anchor>
                            </Table.Td>
                            <Table.Td>{m.isHead ? <Badge>Head</Badge> : m.relationship}</Table.Td>
                            <Table.Td ta="right">{m.group.groupSize}</Table.Td>
                          </Table.Tr>
                        ))}
                      </Table.Tbody>
                    </Table>
                  ) : (
                    <EmptyState>Not a member of any household.</EmptyState>
                  )}
                </Card>
              </SimpleGrid>
              <Card withBorder>
                <Title order={3} size="h4" mb="sm">
                  Events
                </Title>
                <EventsTimeline events={p.events} />
              </Card>
            </Stack>
          </>
        );
      }}
    </QueryState>
  );
}
