import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DciError, translateSearchCriteria, type CompiledSearch, type DciCode } from '@dci-server/dci';
import type { AppContext } from '../context.js';
import { createTestContext } from '../testing/test-server.js';
import { filterToSql } from './filter-sql.js';
import { parseRecord, type GroupInput, type PersonInput } from './record-input.js';
import type { DciRecord } from './records.js';
import { upsertGroup, upsertPerson } from './registry-writes.js';
import { searchPages, searchRegistry } from './search.js';
import { seedDemoRegistry } from './seed.js';

let ctx: AppContext;
let total: number;

const crafted = (uin: string, fields: Partial<PersonInput>): PersonInput => ({
  identifiers: [{ type: 'UIN', value: uin }],
  givenName: 'X',
  surname: 'Crafted',
  sex: 'male',
  phoneNumbers: [],
  emails: [],
  ...fields,
});
const zed = crafted('T-1', {
  identifiers: [{ type: 'UIN', value: 'T-1' }, { type: 'NationalID', value: 'NID-T-1' }],
  givenName: 'Zed',
  birthDate: '1980-06-15',
  deathDate: '2020-03-01',
  maritalStatus: 'married',
  location: 'test_region',
  city: 'Testville',
  phoneNumbers: ['+255700000009'],
});
const yara = crafted('T-2', { givenName: 'Yara', sex: 'female', birthDate: '1990-01-01', isDisabled: true, location: 'test_region' });
const xavi = crafted('T-3', { givenName: 'Xavi', maritalStatus: 'single' });
const craftedGroup: GroupInput = {
  identifier: { type: 'HouseholdID', value: 'CRAFT-1' },
  groupType: 'household',
  povertyScore: 2.5,
  povertyScoreType: 'PMT',
  streetAddress: '9 Test Rd',
  city: 'Testville',
  location: 'test_region',
  postalCode: '99999',
  country: 'TZ',
  latitude: -6.25,
  longitude: 35.5,
  members: [
    { person: zed, relationship: 'head' },
    { person: yara, relationship: 'spouse' },
  ],
};

before(async () => {
  ctx = await createTestContext();
  await seedDemoRegistry(ctx.db.pool, 300);
  const em = ctx.db.orm.em.fork();
  await upsertPerson(em, xavi);
  await upsertGroup(em, craftedGroup);
  await em.flush();
  total = (await rows<{ n: number }>('SELECT count(*)::int AS n FROM person'))[0]!.n;
});
after(() => ctx.db.close());

async function rows<T extends object>(sql: string, params: unknown[] = []): Promise<T[]> {
  return (await ctx.db.pool.query<T>(sql, params)).rows;
}

/** UINs of persons matching a plain-SQL condition: the oracle the searches are checked against. */
async function uinsWhere(where: string, order = 'i.identifier_value'): Promise<string[]> {
  const found = await rows<{ uin: string }>(`SELECT i.identifier_value AS uin FROM person p JOIN person_identifier i ON i.person_id = p.id AND i.identifier_type = 'UIN' WHERE ${where} ORDER BY ${order}`);
  return found.map((r) => r.uin);
}

const expression = (query: object, extra: object = {}, collection = 'Person') => ({
  query_type: 'expression',
  query: { type: 'ns:org:QueryType:expression', value: { expression: { collection, query } } },
  pagination: { page_size: 1000 },
  ...extra,
});
const compile = (criteria: object): CompiledSearch => translateSearchCriteria(criteria, { maxPageSize: 1000 });
const search = (criteria: object) => searchRegistry(ctx.db.pool, compile(criteria));

interface Identifier {
  identifier_type: string;
  identifier_value: string;
}
const uinOf = (record: DciRecord): string => (record.identifier as unknown as Identifier[]).find((i) => i.identifier_type === 'UIN')!.identifier_value;
const uins = (records: DciRecord[]) => records.map(uinOf);
const sorted = (list: string[]) => [...list].sort();
/** Crafted persons matching `query` (ANDed with surname Crafted), by UIN. */
const craftedMatching = async (query: object) => sorted(uins((await search(expression({ $and: [{ surname: 'Crafted' }, query] }))).records));

function rejects(run: () => unknown, code: DciCode) {
  return assert.rejects(async () => run(), (error: unknown) => {
    assert.ok(error instanceof DciError, `expected a DciError, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  });
}

test('idtype-value finds a person by UIN or NationalID', async () => {
  const byUin = await search({ query_type: 'idtype-value', query: { type: 'uin', value: '0000000000' } });
  const byNid = await search({ query_type: 'idtype-value', query: { type: 'NationalID', value: 'NID000000000' } });
  assert.equal(byUin.totalCount, 1);
  assert.deepEqual(byNid, byUin);
  const [record] = byUin.records;
  assert.deepEqual(record!.identifier, [
    { '@type': 'Identifier', identifier_type: 'UIN', identifier_value: '0000000000' },
    { '@type': 'Identifier', identifier_type: 'NationalID', identifier_value: 'NID000000000' },
  ]);
  assert.equal(record!['@type'], 'Person');
  assert.match(String(record!.birth_date), /^\d{4}-\d{2}-\d{2}$/);

  assert.deepEqual(await search({ query_type: 'idtype-value', query: { type: 'UIN', value: 'nobody' } }), { totalCount: 0, records: [] });
});

test('a crafted person comes back as a full DCI Person record', async () => {
  const { records } = await search({ query_type: 'idtype-value', query: { type: 'UIN', value: 'T-1' } });
  const { registration_date: registered, last_updated: updated, ...rest } = records[0]!;
  assert.match(String(registered), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  assert.match(String(updated), /Z$/);
  assert.deepEqual(rest, {
    '@type': 'Person',
    identifier: [
      { '@type': 'Identifier', identifier_type: 'UIN', identifier_value: 'T-1' },
      { '@type': 'Identifier', identifier_type: 'NationalID', identifier_value: 'NID-T-1' },
    ],
    name: { '@type': 'Name', given_name: 'Zed', surname: 'Crafted' },
    sex: 'male',
    birth_date: '1980-06-15',
    death_date: '2020-03-01',
    address: { '@type': 'Address', city: 'Testville', region: 'test_region' },
    phone_number: ['+255700000009'],
    marital_status: 'married',
    is_disabled: false,
  });
});

test('expressions combine with $and, $or and $not; negations and $ne match NULLs', async () => {
  assert.deepEqual(await craftedMatching({ $or: [{ sex: 'female' }, { given_name: 'Xavi' }] }), ['T-2', 'T-3']);
  assert.deepEqual(await craftedMatching({ $not: { sex: 'male' } }), ['T-2']);
  // Yara has no marital_status: "not married" must still include her.
  assert.deepEqual(await craftedMatching({ $not: { marital_status: 'married' } }), ['T-2', 'T-3']);
  assert.deepEqual(await craftedMatching({ marital_status: { $ne: 'married' } }), ['T-2', 'T-3']);
  assert.deepEqual(await craftedMatching({ $and: [{ location: 'test_region' }, { $not: { $or: [{ is_disabled: true }, { given_name: 'Nobody' }] } }] }), ['T-1']);
});

test('$in and $nin (a NULL is in no list)', async () => {
  assert.deepEqual(await craftedMatching({ given_name: { $in: ['Zed', 'Yara', 'Nobody'] } }), ['T-1', 'T-2']);
  assert.deepEqual(await craftedMatching({ location: { $nin: ['test_region'] } }), ['T-3']);
  assert.deepEqual(await craftedMatching({ UIN: { $in: ['T-1', 'T-3'] } }), ['T-1', 'T-3']);

  const regions = await search(expression({ location: { $in: ['central_region', 'coastal_region'] } }));
  assert.deepEqual(sorted(uins(regions.records)), await uinsWhere(`p.location IN ('central_region', 'coastal_region')`));
  assert.ok(regions.totalCount > 0);
});

test('date comparisons on dates and on timestamps (date-only values compare by UTC day)', async () => {
  assert.deepEqual(await craftedMatching({ birth_date: { $lt: '1985-01-01' } }), ['T-1']);
  assert.deepEqual(await craftedMatching({ birth_date: { $gte: '1985-01-01' } }), ['T-2']);
  assert.deepEqual(await craftedMatching({ birth_date: '1990-01-01T10:00:00+05:00' }), ['T-2']);
  assert.deepEqual(await craftedMatching({ death_date: { $lte: '2020-03-01' } }), ['T-1']);

  const today = new Date().toISOString().slice(0, 10);
  assert.deepEqual(await craftedMatching({ registration_date: today }), ['T-1', 'T-2', 'T-3']);
  assert.deepEqual(await craftedMatching({ registration_date: { $lt: '2000-01-01T00:00:00Z' } }), []);
  assert.deepEqual(await craftedMatching({ last_updated: { $gt: new Date(Date.now() - 3_600_000).toISOString() } }), ['T-1', 'T-2', 'T-3']);

  const recent = await search(expression({ registration_date: { $gte: '2024-01-01' } }));
  assert.ok(recent.totalCount > 3 && recent.totalCount < total);
  assert.deepEqual(sorted(uins(recent.records)), await uinsWhere(`(p.registration_date AT TIME ZONE 'UTC')::date >= '2024-01-01'`));
});

test('age and YOB are derived from birth_date', async () => {
  const [{ today }] = (await rows<{ today: string }>(`SELECT current_date::text AS today`)) as [{ today: string }];
  const people = await rows<{ uin: string; birth: string | null }>(
    `SELECT i.identifier_value AS uin, p.birth_date::text AS birth FROM person p JOIN person_identifier i ON i.person_id = p.id AND i.identifier_type = 'UIN'`,
  );
  const ageOf = (birth: string) => Number(today.slice(0, 4)) - Number(birth.slice(0, 4)) - (today.slice(5) < birth.slice(5) ? 1 : 0);
  const young = people.filter((p) => p.birth && ageOf(p.birth) >= 18 && ageOf(p.birth) < 30).map((p) => p.uin);
  const found = await search(expression({ age: { $gte: 18, $lt: 30 } }));
  assert.ok(young.length > 0);
  assert.deepEqual(sorted(uins(found.records)), sorted(young));

  const born1990 = people.filter((p) => p.birth?.startsWith('1990-')).map((p) => p.uin);
  assert.ok(born1990.length > 1);
  assert.deepEqual(sorted(uins((await search(expression({ YOB: 1990 }))).records)), sorted(born1990));
  // The spec's own example sends YOB as a string.
  assert.deepEqual(await craftedMatching({ YOB: '1980' }), ['T-1']);
});

test('is_alive is the absence of a death date', async () => {
  const dead = await search(expression({ is_alive: false }));
  assert.deepEqual(sorted(uins(dead.records)), await uinsWhere('p.death_date IS NOT NULL'));
  assert.ok(uins(dead.records).includes('T-1'));
  const alive = await search(expression({ is_alive: true }));
  assert.equal(alive.totalCount + dead.totalCount, total);
});

interface Member {
  relationship: string;
  demographic_info: DciRecord;
}

test('Group search by poverty_score, location and group_size returns members and the head', async () => {
  const result = await search(expression({ $and: [{ poverty_score: { $lt: 60 } }, { location: 'central_region' }, { group_size: { $gte: 3 } }] }, {}, 'Group'));
  const expected = await rows<{ id: string; size: number }>(
    `SELECT identifier_value AS id, group_size AS size FROM registry_group WHERE poverty_score < 60 AND location = 'central_region' AND group_size >= 3 ORDER BY id`,
  );
  assert.ok(expected.length > 1);
  assert.equal(result.totalCount, expected.length);
  const ids = result.records.map((g) => (g.group_identifier as unknown as Identifier[])[0]!.identifier_value);
  assert.deepEqual(sorted(ids), expected.map((g) => g.id));
  for (const group of result.records) {
    const members = group.member_list as unknown as Member[];
    assert.equal(members.length, group.group_size);
    assert.equal(members[0]!.relationship, 'head');
    assert.deepEqual(group.group_head_info, members[0]);
    assert.equal(group.location, 'central_region');
    assert.ok((group.place as { geo?: object }).geo);
    const id = (group.group_identifier as unknown as Identifier[])[0]!.identifier_value;
    const stored = await rows<{ uin: string }>(
      `SELECT i.identifier_value AS uin FROM group_membership m JOIN registry_group g ON g.id = m.group_id JOIN person_identifier i ON i.person_id = m.person_id AND i.identifier_type = 'UIN' WHERE g.identifier_value = $1`,
      [id],
    );
    assert.deepEqual(sorted(members.map((m) => uinOf(m.demographic_info))), sorted(stored.map((s) => s.uin)));
  }
});

test('a searched Group parses back (through the import reader) to what was imported', async () => {
  const { records } = await search(expression({ group_identifier: 'CRAFT-1' }, {}, 'Group'));
  assert.equal(records.length, 1);
  const normalise = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;
  const expected = { ...craftedGroup, members: craftedGroup.members.map((m) => ({ ...m, person: { ...m.person, isDisabled: m.person.isDisabled ?? false } })) };
  assert.deepEqual(normalise(parseRecord(records[0])), normalise({ kind: 'Group', group: expected }));
});

const everyone = { sex: { $in: ['male', 'female', 'other', 'unknown'] } };

async function allPages(sort: object[], pageSize: number): Promise<string[]> {
  const seen: string[] = [];
  for (let page = 1; ; page++) {
    const { records, totalCount } = await search(expression(everyone, { sort, pagination: { page_size: pageSize, page_number: page } }));
    assert.equal(totalCount, total);
    if (!records.length) return seen;
    seen.push(...uins(records));
  }
}

test('sorting ascending and descending, with ties broken stably across pages', async () => {
  const bySurname = await allPages([{ attribute_name: 'surname' }], 25);
  assert.deepEqual(bySurname, await uinsWhere('TRUE', 'p.surname, p.id'));
  const byLocation = await allPages([{ attribute_name: 'location', sort_order: 'desc' }, { attribute_name: 'given_name' }], 40);
  assert.deepEqual(byLocation, await uinsWhere('TRUE', 'p.location DESC NULLS LAST, p.given_name, p.id'));
});

test('pagination: pages are slices of one order, and a page past the end is empty but counted', async () => {
  const sort = [{ attribute_name: 'birth_date', sort_order: 'desc' }];
  const first50 = await search(expression(everyone, { sort, pagination: { page_size: 50, page_number: 1 } }));
  const page3 = await search(expression(everyone, { sort, pagination: { page_size: 10, page_number: 3 } }));
  assert.deepEqual(uins(page3.records), uins(first50.records).slice(20, 30));
  const beyond = await search(expression(everyone, { sort, pagination: { page_size: 10, page_number: 1000 } }));
  assert.deepEqual(beyond, { totalCount: total, records: [] });
});

test('unknown attributes, wrong record kinds, bad operators and values are DciErrors, never SQL errors', async () => {
  const run = (compiled: Partial<CompiledSearch>) => searchRegistry(ctx.db.pool, { recordKind: 'Person', filter: { kind: 'and', clauses: [] }, sort: [], page: { size: 10, number: 1, offset: 0 }, ...compiled });
  await rejects(() => search(expression({ shoe_size: 42 })), 'rjct.attribute.invalid');
  await rejects(() => run({ filter: { kind: 'cmp', attribute: "x'; DROP TABLE person; --", op: 'eq', value: 'a' } }), 'rjct.attribute.invalid');
  await rejects(() => run({ recordKind: 'Group', filter: { kind: 'cmp', attribute: 'given_name', op: 'eq', value: 'Zed' } }), 'rjct.attribute.invalid');
  await rejects(() => run({ filter: { kind: 'cmp', attribute: 'age', op: 'gt', value: 'old' } }), 'rjct.search_criteria.invalid');
  await rejects(() => run({ filter: { kind: 'cmp', attribute: 'birth_date', op: 'eq', value: '2020-02-30' } }), 'rjct.search_criteria.invalid');
  await rejects(() => run({ filter: { kind: 'cmp', attribute: 'is_alive', op: 'lt', value: true } }), 'rjct.search_criteria.invalid');
  await rejects(() => run({ filter: { kind: 'cmp', attribute: 'city', op: 'in', value: [] } }), 'rjct.search_criteria.invalid');
  await rejects(() => run({ sort: [{ attribute: 'hasOwnProperty', direction: 'asc' }] }), 'rjct.sort.invalid');
  await rejects(() => run({ sort: [{ attribute: 'is_alive', direction: 'asc' }] }), 'rjct.sort.invalid');
  assert.throws(() => filterToSql('Person', { kind: 'cmp', attribute: 'constructor', op: 'eq', value: 'x' }, []), DciError);
});

async function walk(compiled: CompiledSearch, pageSize: number, key: (r: DciRecord) => string): Promise<string[]> {
  const seen: string[] = [];
  for await (const page of searchPages(ctx.db.pool, compiled, pageSize)) {
    assert.ok(page.length > 0 && page.length <= pageSize);
    seen.push(...page.map(key));
  }
  return seen;
}

test('searchPages walks every matching record exactly once, in sort order', async () => {
  const unsorted = await walk(compile(expression(everyone)), 37, uinOf);
  assert.equal(unsorted.length, total);
  assert.equal(new Set(unsorted).size, total);

  // Mostly-NULL death dates and many equal names exercise the keyset's NULL and tie handling.
  const sort = [{ attribute_name: 'death_date', sort_order: 'desc' }, { attribute_name: 'given_name' }];
  const compiled = compile(expression(everyone, { sort }));
  const keyset = await walk(compiled, 13, uinOf);
  assert.deepEqual(keyset, uins((await searchRegistry(ctx.db.pool, compiled)).records));
  assert.equal(new Set(keyset).size, total);

  const groupKey = (g: DciRecord) => (g.group_identifier as unknown as Identifier[])[0]!.identifier_value;
  const groups = compile(expression({ group_size: { $gte: 1 } }, { sort: [{ attribute_name: 'registration_date', sort_order: 'desc' }] }, 'Group'));
  const walked = await walk(groups, 10, groupKey);
  assert.deepEqual(walked, (await searchRegistry(ctx.db.pool, groups)).records.map(groupKey));
  assert.equal(new Set(walked).size, (await rows<{ n: number }>('SELECT count(*)::int AS n FROM registry_group'))[0]!.n);

  assert.deepEqual(await walk(compile(expression({ given_name: 'Nobody' })), 10, uinOf), []);
});
