import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { validateOutbound } from '@dci-server/dci';
import type { PersonInput } from '../registry/record-input.js';
import { upsertGroup, upsertPerson } from '../registry/registry-writes.js';
import { startCallbackReceiver } from '../testing/callback-receiver.js';
import { createTestSender, DciTestClient } from '../testing/dci-client.js';
import { createStaffPerRole, errorCode, graphqlClient, type GraphqlCaller } from '../testing/graphql-client.js';
import { assertSignedByServer } from '../testing/server-signature.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

let server: TestServer;
let gql: GraphqlCaller;
let tokens: Record<string, string>;
let receiver: Awaited<ReturnType<typeof startCallbackReceiver>>;
before(async () => {
  server = await startTestServer({}, { worker: true });
  gql = graphqlClient(server);
  ({ tokens } = await createStaffPerRole(server));
  receiver = await startCallbackReceiver();
});
after(async () => {
  await receiver.close();
  await server.close();
});

let counter = 0;
const person = (extra: Partial<PersonInput> = {}): PersonInput => ({
  identifiers: [{ type: 'UIN', value: `GQ-${++counter}` }],
  givenName: `Given${String(counter).padStart(3, '0')}`,
  surname: 'Staffed',
  sex: 'male',
  birthDate: '1970-01-01',
  location: 'gql_region',
  phoneNumbers: [],
  emails: [],
  ...extra,
});
const register = async (input: PersonInput) => (await server.ctx.db.orm.em.fork().transactional((em) => upsertPerson(em, input))).entity;
const household = async (head: PersonInput, value = `HH-${++counter}`) =>
  (await server.ctx.db.orm.em.fork().transactional((em) => upsertGroup(em, { identifier: { type: 'HouseholdID', value }, groupType: 'household', location: head.location, members: [{ person: head, relationship: 'head' }] }))).entity;

const PERSON_PAGE = `query($expression: JSON, $first: Int, $after: String, $type: String, $value: String) {
  registryPersons(expression: $expression, identifierType: $type, identifierValue: $value, first: $first, after: $after, sort: [{ attribute: "given_name" }]) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id givenName identifiers { type value } } } } }`;
const PERSON_FIELDS = 'person { id givenName surname deathDate identifiers { type value } events { eventType recordKind } } userErrors { field message code }';
const PERSON_INPUT = { identifiers: [{ type: 'UIN', value: 'GQ-created' }], givenName: 'Created', surname: 'ByStaff', sex: 'female', birthDate: '1991-04-05' };

test('every staff role reads the registry; operators and admins change it; auditors and anonymous callers cannot', async () => {
  const target = await register(person());
  const group = await household(person());
  for (const role of ['admin', 'operator', 'auditor']) {
    const read = await gql(
      `query($p: ID!, $g: ID!) { registryPersons(first: 1) { totalCount } registryGroups(first: 1) { totalCount } registryPerson(id: $p) { id } registryGroup(id: $g) { id } }`,
      { p: target.id, g: group.id },
      { token: tokens[role] },
    );
    assert.equal(read.errors, undefined, `${role}: ${JSON.stringify(read.errors)}`);
    assert.equal(read.data?.registryPerson.id, target.id);
  }
  assert.equal(errorCode(await gql('{ registryPersons { totalCount } }')), 'UNAUTHENTICATED');

  const mutations: [string, Record<string, unknown>][] = [
    [`mutation($input: RegistryPersonInput!) { createPerson(input: $input) { userErrors { code } } }`, { input: { ...PERSON_INPUT, identifiers: [{ type: 'UIN', value: 'GQ-denied' }] } }],
    [`mutation($id: ID!) { updatePerson(id: $id, input: { city: "Nowhere" }) { userErrors { code } } }`, { id: target.id }],
    [`mutation($id: ID!) { recordDeath(personId: $id, deathDate: "2026-01-01") { userErrors { code } } }`, { id: target.id }],
    [`mutation($g: ID!, $c: RegistryPersonInput!) { recordBirth(groupId: $g, child: $c) { userErrors { code } } }`, { g: group.id, c: { ...PERSON_INPUT, identifiers: [{ type: 'UIN', value: 'GQ-denied-child' }] } }],
    [`mutation($g: ID!, $p: ID!) { addGroupMember(groupId: $g, personId: $p, relationship: "spouse") { userErrors { code } } }`, { g: group.id, p: target.id }],
    [`mutation($g: ID!, $p: ID!) { removeGroupMember(groupId: $g, personId: $p) { userErrors { code } } }`, { g: group.id, p: target.id }],
  ];
  const before = (await server.ctx.db.pool.query('SELECT count(*)::int AS n FROM registry_event')).rows[0].n;
  for (const [mutation, variables] of mutations) {
    assert.equal(errorCode(await gql(mutation, variables, { token: tokens.auditor })), 'FORBIDDEN', mutation);
    assert.equal(errorCode(await gql(mutation, variables)), 'UNAUTHENTICATED', mutation);
  }
  assert.equal((await server.ctx.db.pool.query('SELECT count(*)::int AS n FROM registry_event')).rows[0].n, before, 'a refused caller changes nothing');

  for (const [role, [mutation, variables]] of [['operator', mutations[1]!], ['admin', mutations[4]!]] as const) {
    const reply = await gql(mutation, variables, { token: tokens[role] });
    assert.equal(reply.errors, undefined, `${role}: ${JSON.stringify(reply.errors)}`);
    assert.deepEqual(Object.values(reply.data!)[0].userErrors, []);
  }
});

test('search by a DCI expression, paged with cursors and a total count; by identifier; bad queries are the caller’s error', async () => {
  for (let i = 0; i < 5; i++) await register(person({ location: 'paging_region' }));
  await register(person({ location: 'elsewhere_region' }));
  const expression = { $and: [{ location: { $eq: 'paging_region' } }, { sex: 'male' }] };
  const seen: string[] = [];
  let cursor: string | null = null;
  for (const expected of [2, 2, 1]) {
    const reply = await gql(PERSON_PAGE, { expression, first: 2, after: cursor }, { token: tokens.auditor });
    assert.equal(reply.errors, undefined, JSON.stringify(reply.errors));
    const page = reply.data?.registryPersons;
    assert.equal(page.totalCount, 5);
    assert.equal(page.edges.length, expected);
    assert.equal(page.pageInfo.hasNextPage, expected === 2);
    seen.push(...page.edges.map((e: { node: { givenName: string } }) => e.node.givenName));
    cursor = page.pageInfo.endCursor;
  }
  assert.deepEqual(seen, [...seen].sort(), 'in the order asked for');
  assert.equal(new Set(seen).size, 5, 'no record twice, none left out');

  const byId = await gql(PERSON_PAGE, { type: 'uin', value: `GQ-${counter}` }, { token: tokens.operator });
  assert.equal(byId.data?.registryPersons.totalCount, 1);
  assert.deepEqual(byId.data?.registryPersons.edges[0].node.identifiers, [{ type: 'UIN', value: `GQ-${counter}` }]);

  const group = await household(person(), 'HH-findme');
  const groups = await gql(`{ registryGroups(identifierType: "HouseholdID", identifierValue: "HH-findme") { totalCount edges { node { id groupSize } } } }`, {}, { token: tokens.operator });
  assert.deepEqual(groups.data?.registryGroups, { totalCount: 1, edges: [{ node: { id: group.id, groupSize: 1 } }] });
  const small = await gql(`query($e: JSON) { registryGroups(expression: $e) { totalCount edges { node { identifierValue } } } }`, { e: { group_size: { $lte: 1 }, location: 'gql_region' } }, { token: tokens.operator });
  assert.ok(small.data?.registryGroups.edges.some((e: { node: { identifierValue: string } }) => e.node.identifierValue === 'HH-findme'), JSON.stringify(small));

  for (const [variables, dciCode] of [
    [{ expression: { favourite_colour: 'blue' } }, 'rjct.attribute.invalid'],
    [{ expression: { birth_date: { $regex: '19' } } }, 'rjct.filter.invalid'],
    [{ type: 'Passport', value: 'X' }, 'rjct.attribute.invalid'],
  ] as const) {
    const reply = await gql(PERSON_PAGE, variables, { token: tokens.auditor });
    assert.equal(errorCode(reply), 'BAD_USER_INPUT', JSON.stringify(reply));
    assert.equal((reply.errors?.[0]?.extensions as { dciCode?: string }).dciCode, dciCode);
  }
  assert.equal(errorCode(await gql(PERSON_PAGE, { after: 'bm9wZQ' }, { token: tokens.auditor })), 'BAD_USER_INPUT');
  const unsortable = await gql(`{ registryPersons(sort: [{ attribute: "sex" }]) { totalCount } }`, {}, { token: tokens.auditor });
  assert.equal((unsortable.errors?.[0]?.extensions as { dciCode?: string }).dciCode, 'rjct.sort.invalid');
  assert.equal(errorCode(await gql(`{ registryPersons(identifierValue: "GQ-1") { totalCount } }`, {}, { token: tokens.auditor })), 'BAD_USER_INPUT');
});

test('a page of persons or groups costs the same number of SQL queries however many records it holds (no N+1)', async () => {
  for (let i = 0; i < 6; i++) await household(person({ location: 'crowded_region' }));
  const pool = server.ctx.db.pool;
  const query = pool.query.bind(pool);
  const queriesFor = async (document: string, first: number) => {
    let count = 0;
    pool.query = ((...args: Parameters<typeof query>) => {
      count++;
      return query(...args);
    }) as typeof pool.query;
    try {
      const reply = await gql(document, { first, e: { location: 'crowded_region' } }, { token: tokens.auditor });
      assert.equal(reply.errors, undefined, JSON.stringify(reply.errors));
      assert.equal(Object.values(reply.data!)[0].edges.length, first);
    } finally {
      pool.query = query;
    }
    return count;
  };
  const persons = `query($first: Int, $e: JSON) { registryPersons(expression: $e, first: $first) { edges { node { identifiers { type } memberships { group { id } } events { eventType } } } } }`;
  const groups = `query($first: Int, $e: JSON) { registryGroups(expression: $e, first: $first) { edges { node { members { person { identifiers { value } } } events { eventType } } } } }`;
  for (const document of [persons, groups]) assert.equal(await queriesFor(document, 6), await queriesFor(document, 1));
});

test('detail: a person with identifiers, memberships and events; a group with its members and events', async () => {
  const head = person({ identifiers: [{ type: 'UIN', value: 'GQ-head' }, { type: 'MOBILE', value: '+255711000001' }] });
  const group = await household(head);
  const headId = (await server.ctx.db.pool.query(`SELECT person_id FROM person_identifier WHERE identifier_value = 'GQ-head'`)).rows[0].person_id as string;
  const reply = await gql(
    `query($p: ID!, $g: ID!) {
      registryPerson(id: $p) { id identifiers { type value } memberships { relationship isHead group { id identifierValue groupType } } events { eventType recordKind recordId } }
      registryGroup(id: $g) { id groupSize headId members { relationship isHead person { id givenName } } events { eventType } } }`,
    { p: headId, g: group.id },
    { token: tokens.auditor },
  );
  assert.equal(reply.errors, undefined, JSON.stringify(reply.errors));
  const { registryPerson: p, registryGroup: g } = reply.data!;
  assert.deepEqual(p.identifiers, [{ type: 'UIN', value: 'GQ-head' }, { type: 'MOBILE', value: '+255711000001' }]);
  assert.deepEqual(p.memberships, [{ relationship: 'head', isHead: true, group: { id: group.id, identifierValue: group.identifierValue, groupType: 'household' } }]);
  assert.deepEqual(p.events, [{ eventType: 'REGISTER', recordKind: 'Person', recordId: headId }]);
  assert.deepEqual({ ...g, members: g.members.map((m: { person: { id: string } }) => m.person.id) }, { id: group.id, groupSize: 1, headId, members: [headId], events: [{ eventType: 'REGISTER' }] });
  const missing = await gql(`{ registryPerson(id: "00000000-0000-0000-0000-000000000000") { id } registryGroup(id: "nope") { id } }`, {}, { token: tokens.auditor });
  assert.deepEqual(missing.data, { registryPerson: null, registryGroup: null });
});

test('each mutation writes its registry events and a staff audit record; input problems are userErrors', async () => {
  const events = async (recordId: string) => (await server.ctx.db.pool.query('SELECT event_type FROM registry_event WHERE record_id = $1 ORDER BY id', [recordId])).rows.map((r) => r.event_type);
  const created = await gql(`mutation($input: RegistryPersonInput!) { createPerson(input: $input) { ${PERSON_FIELDS} } }`, { input: PERSON_INPUT }, { token: tokens.operator });
  const adult = created.data?.createPerson.person;
  assert.deepEqual(created.data?.createPerson.userErrors, []);
  assert.deepEqual(adult.events, [{ eventType: 'REGISTER', recordKind: 'Person' }]);

  const updated = await gql(`mutation($id: ID!) { updatePerson(id: $id, input: { surname: "Renamed", addIdentifiers: [{ type: "BRN", value: "GQ-BRN-1" }] }) { ${PERSON_FIELDS} } }`, { id: adult.id }, { token: tokens.operator });
  assert.equal(updated.data?.updatePerson.person.surname, 'Renamed');
  assert.deepEqual(updated.data?.updatePerson.person.identifiers.map((i: { type: string }) => i.type), ['UIN', 'BRN']);

  const group = await household(person());
  const born = await gql(
    `mutation($g: ID!, $c: RegistryPersonInput!) { recordBirth(groupId: $g, child: $c) { ${PERSON_FIELDS} } }`,
    { g: group.id, c: { identifiers: [{ type: 'BRN', value: 'GQ-newborn' }], givenName: 'Baby', surname: 'Staffed', sex: 'female', birthDate: '2026-02-02' } },
    { token: tokens.admin },
  );
  const child = born.data?.recordBirth.person;
  assert.deepEqual(born.data?.recordBirth.userErrors, []);
  assert.deepEqual(await events(child.id), ['REGISTER', 'LiveBirth']);

  const added = await gql(`mutation($g: ID!, $p: ID!) { addGroupMember(groupId: $g, personId: $p, relationship: "aunt") { group { groupSize } userErrors { code } } }`, { g: group.id, p: adult.id }, { token: tokens.operator });
  assert.deepEqual(added.data?.addGroupMember, { group: { groupSize: 3 }, userErrors: [] });
  const removed = await gql(`mutation($g: ID!, $p: ID!) { removeGroupMember(groupId: $g, personId: $p) { group { groupSize } userErrors { code } } }`, { g: group.id, p: adult.id }, { token: tokens.operator });
  assert.deepEqual(removed.data?.removeGroupMember, { group: { groupSize: 2 }, userErrors: [] });
  assert.deepEqual(await events(group.id), ['REGISTER', 'NewHouseHoldMember', 'UPDATE', 'NewHouseHoldMember', 'UPDATE', 'UPDATE']);

  const died = await gql(`mutation($id: ID!) { recordDeath(personId: $id, deathDate: "2026-03-03") { ${PERSON_FIELDS} } }`, { id: adult.id }, { token: tokens.operator });
  assert.equal(died.data?.recordDeath.person.deathDate, '2026-03-03');
  assert.deepEqual(await events(adult.id), ['REGISTER', 'UPDATE', 'UPDATE', 'Death']);

  const audit = await server.ctx.db.pool.query(`SELECT actor, action FROM staff_audit WHERE target = ANY($1) ORDER BY id`, [[adult.id, child.id, group.id]]);
  assert.deepEqual(
    audit.rows.map((r) => [r.action, r.actor.replace(/^token:[^:]+:/, 'token:')]),
    [
      ['createPerson', 'token:operator@example.org'],
      ['updatePerson', 'token:operator@example.org'],
      ['recordBirth', 'token:admin@example.org'],
      ['addGroupMember', 'token:operator@example.org'],
      ['removeGroupMember', 'token:operator@example.org'],
      ['recordDeath', 'token:operator@example.org'],
    ],
  );

  const problems: [string, Record<string, unknown>, string, string | null][] = [
    [`mutation($input: RegistryPersonInput!) { createPerson(input: $input) { ${PERSON_FIELDS} } }`, { input: PERSON_INPUT }, 'CONFLICT', 'identifiers'],
    [`mutation($input: RegistryPersonInput!) { createPerson(input: $input) { ${PERSON_FIELDS} } }`, { input: { ...PERSON_INPUT, identifiers: [{ type: 'UIN', value: 'GQ-bad' }], sex: 'robot' } }, 'INVALID_INPUT', null],
    [`mutation($id: ID!) { recordDeath(personId: $id, deathDate: "2026-04-04") { ${PERSON_FIELDS} } }`, { id: adult.id }, 'CONFLICT', 'personId'],
    [`mutation { recordDeath(personId: "nope", deathDate: "2026-04-04") { ${PERSON_FIELDS} } }`, {}, 'NOT_FOUND', 'personId'],
    [`mutation($id: ID!) { updatePerson(id: $id, input: { birthDate: "yesterday" }) { ${PERSON_FIELDS} } }`, { id: child.id }, 'INVALID_INPUT', 'birthDate'],
  ];
  for (const [mutation, variables, code, field] of problems) {
    const reply = await gql(mutation, variables, { token: tokens.operator });
    assert.equal(reply.errors, undefined, JSON.stringify(reply.errors));
    const payload = Object.values(reply.data!)[0];
    assert.equal(payload.person, null);
    assert.deepEqual([payload.userErrors[0].code, payload.userErrors[0].field], [code, field], JSON.stringify(payload));
  }
  assert.equal((await server.ctx.db.pool.query(`SELECT count(*)::int AS n FROM staff_audit WHERE target = ANY($1)`, [[adult.id, child.id, group.id]])).rows[0].n, 6, 'refused changes are not audited');
});

test('recordDeath through GraphQL ends in a signed Death notification at a local subscriber', async () => {
  const subscriber = new DciTestClient(server.baseUrl, await createTestSender(server.ctx, 'death-watcher'));
  const reply = await subscriber.send(
    '/registry/sync/subscribe',
    'subscribe',
    {
      transaction_id: 'gql-death',
      subscribe_request: [
        {
          reference_id: 's',
          timestamp: new Date().toISOString(),
          subscribe_criteria: { reg_event_type: 'Death', filter_type: 'expression', filter: { type: 'ns:org:QueryType:expression', value: { expression: { collection: 'Person', query: { location: { $eq: 'mourning_region' } } } } }, notify_record_type: 'Person' },
        },
      ],
    },
    'subscribe_request',
    { sender_uri: receiver.url },
  );
  assert.equal(reply.body.message?.subscribe_response?.[0]?.status, 'succ', JSON.stringify(reply.body));
  const code = reply.body.message.subscribe_response[0].subscriptions[0].code as string;
  const elsewhere = await register(person({ location: 'elsewhere_region' }));
  const watched = await register(person({ location: 'mourning_region' }));

  for (const id of [elsewhere.id, watched.id]) {
    const died = await gql(`mutation($id: ID!) { recordDeath(personId: $id, deathDate: "2026-05-05") { userErrors { message } } }`, { id }, { token: tokens.operator });
    assert.deepEqual(died.data?.recordDeath.userErrors, [], JSON.stringify(died));
  }
  await receiver.waitFor(1);
  const [notify, ...more] = receiver.received.filter((r) => r.body.message?.transaction_id === code);
  assert.equal(more.length, 0, 'only the person the subscription filter matches');
  assert.equal(notify!.path, '/registry/notify');
  await assertSignedByServer(server.baseUrl, notify!.body);
  const event = notify!.body.message.notify_event[0];
  assert.equal(event.data.reg_event_type, 'Death');
  assert.equal(event.data.reg_records.death_date, '2026-05-05');
  assert.equal(event.data.reg_records.identifier[0].identifier_value, `GQ-${counter}`);
  assert.ok(validateOutbound('crvs-notify', notify!.body).ok, 'a vital event follows the CRVS notify schema');
});
