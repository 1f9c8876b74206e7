/**
 * The registry as staff see it: persons with identifiers, memberships and events; groups with members
 * and events. Searches reuse the DCI query language (translateFilter → filter-sql); records are
 * loaded for a whole page at once (a fixed number of queries, however long the page).
 */
import { DciError, translateFilter, translateSort, type FilterNode, type RecordKind } from '@dci-server/dci';
import type pg from 'pg';
import { searchIds } from './search.js';

export interface IdentifierView {
  type: string;
  value: string;
}

export interface PersonSummary {
  id: string;
  givenName: string;
  surname: string;
  secondName: string | null;
  prefix: string | null;
  suffix: string | null;
  sex: string;
  birthDate: string | null;
  birthPlace: string | null;
  deathDate: string | null;
  maritalStatus: string | null;
  isDisabled: boolean;
  streetAddress: string | null;
  city: string | null;
  location: string | null;
  postalCode: string | null;
  country: string | null;
  phoneNumbers: string[];
  emails: string[];
  registrationDate: Date;
  lastUpdated: Date;
  identifiers: IdentifierView[];
}

export interface GroupSummary {
  id: string;
  identifierType: string;
  identifierValue: string;
  groupType: string;
  headId: string | null;
  groupSize: number;
  povertyScore: number | null;
  povertyScoreType: string | null;
  streetAddress: string | null;
  city: string | null;
  location: string | null;
  postalCode: string | null;
  country: string | null;
  latitude: number | null;
  longitude: number | null;
  registrationDate: Date;
  lastUpdated: Date;
}

export interface RegistryEventView {
  id: string;
  eventType: string;
  recordKind: string;
  recordId: string;
  payload: Record<string, unknown> | null;
  createdAt: Date;
  /** When the notifier matched it against subscriptions (null: not yet). */
  matchedAt: Date | null;
}

export interface PersonView extends PersonSummary {
  memberships: { relationship: string; isHead: boolean; group: GroupSummary }[];
  events: RegistryEventView[];
}

export interface GroupView extends GroupSummary {
  members: { relationship: string; isHead: boolean; person: PersonSummary }[];
  events: RegistryEventView[];
}

/** Registry rows are keyed by UUID; anything else names no record (and must not reach a uuid cast). */
export const isRecordId = (id: string): boolean => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);

/** Newest events shown per record; the full history stays in registry_event. */
export const EVENTS_PER_RECORD = 50;

export interface RegistrySearch {
  /** A DCI expression query (`{$and: [{location: {$eq: …}}]}`); `{}` or none: every record. */
  expression?: unknown;
  identifier?: { type: string; value: string };
  /** DCI sort keys: `[{attribute_name, sort_order}]`. */
  sort?: { attribute_name: string; sort_order: 'asc' | 'desc' }[];
  offset: number;
  size: number;
}

/** One page of matching records, in `sort` order then id, and how many match in all. Bad queries throw DciError. */
export async function searchRegistryViews<K extends RecordKind>(pool: pg.Pool, kind: K, search: RegistrySearch): Promise<{ totalCount: number; records: (K extends 'Person' ? PersonView : GroupView)[] }> {
  const clauses: FilterNode[] = [];
  if (search.expression !== undefined && search.expression !== null) clauses.push(translateFilter(kind, 'expression', { value: { expression: { collection: kind, query: search.expression } } }));
  if (search.identifier) clauses.push(identifierFilter(kind, search.identifier));
  const sort = translateSort(kind, search.sort);
  const page = { size: search.size, offset: search.offset, number: Math.floor(search.offset / search.size) + 1 };
  const { totalCount, ids } = await searchIds(pool, { recordKind: kind, filter: { kind: 'and', clauses }, sort, page });
  const views = kind === 'Person' ? await personViews(pool, ids) : await groupViews(pool, ids);
  // A record deleted between the two queries is left out rather than answered as null.
  return { totalCount, records: ids.flatMap((id) => views.get(id) ?? []) as (K extends 'Person' ? PersonView : GroupView)[] };
}

/**
 * A person's identifier types are the DCI ones (UIN, BRN, …, checked as idtype-value queries are); a
 * group's are whatever its registry uses (HouseholdID…), which DCI cannot name, so they match as stored.
 */
function identifierFilter(kind: RecordKind, identifier: { type: string; value: string }): FilterNode {
  if (kind === 'Person') return translateFilter(kind, 'idtype-value', identifier);
  if (!identifier.type || !identifier.value) throw new DciError('rjct.search_criteria.invalid', 'an identifier search needs its type and its value');
  return { kind: 'identifier', idType: identifier.type, value: identifier.value };
}

const PERSON_SUMMARY = `p.id, p.given_name AS "givenName", p.surname, p.second_name AS "secondName", p.prefix, p.suffix, p.sex,
  to_char(p.birth_date, 'YYYY-MM-DD') AS "birthDate", p.birth_place AS "birthPlace", to_char(p.death_date, 'YYYY-MM-DD') AS "deathDate",
  p.marital_status AS "maritalStatus", p.is_disabled AS "isDisabled", p.street_address AS "streetAddress", p.city, p.location,
  p.postal_code AS "postalCode", p.country, p.phone_numbers AS "phoneNumbers", p.emails, p.registration_date AS "registrationDate",
  p.last_updated AS "lastUpdated",
  (SELECT coalesce(json_agg(json_build_object('type', i.identifier_type, 'value', i.identifier_value) ORDER BY i.id), '[]')
   FROM person_identifier i WHERE i.person_id = p.id) AS identifiers`;

const GROUP_SUMMARY = `g.id, g.identifier_type AS "identifierType", g.identifier_value AS "identifierValue", g.group_type AS "groupType",
  g.head_id AS "headId", g.group_size AS "groupSize", g.poverty_score AS "povertyScore", g.poverty_score_type AS "povertyScoreType",
  g.street_address AS "streetAddress", g.city, g.location, g.postal_code AS "postalCode", g.country, g.latitude, g.longitude,
  g.registration_date AS "registrationDate", g.last_updated AS "lastUpdated"`;

/** Persons by id with their memberships and newest events: three queries. */
export async function personViews(pool: pg.Pool, ids: readonly string[]): Promise<Map<string, PersonView>> {
  if (!ids.length) return new Map();
  const [persons, memberships, events] = await Promise.all([
    pool.query<PersonSummary>(`SELECT ${PERSON_SUMMARY} FROM person p WHERE p.id = ANY($1::uuid[])`, [ids]),
    pool.query<GroupSummary & { personId: string; relationship: string; isHead: boolean }>(
      `SELECT m.person_id AS "personId", m.relationship, m.is_head AS "isHead", ${GROUP_SUMMARY}
       FROM group_membership m JOIN registry_group g ON g.id = m.group_id WHERE m.person_id = ANY($1::uuid[]) ORDER BY g.identifier_value, g.id`,
      [ids],
    ),
    eventsOf(pool, ids),
  ]);
  const views = new Map(persons.rows.map((p) => [p.id, { ...p, memberships: [], events: events.get(p.id) ?? [] } as PersonView]));
  for (const { personId, relationship, isHead, ...group } of memberships.rows) views.get(personId)?.memberships.push({ relationship, isHead, group });
  return views;
}

/** Groups by id with their members (head first, then oldest) and newest events: three queries. */
export async function groupViews(pool: pg.Pool, ids: readonly string[]): Promise<Map<string, GroupView>> {
  if (!ids.length) return new Map();
  const [groups, members, events] = await Promise.all([
    pool.query<GroupSummary>(`SELECT ${GROUP_SUMMARY} FROM registry_group g WHERE g.id = ANY($1::uuid[])`, [ids]),
    pool.query<PersonSummary & { groupId: string; relationship: string; isHead: boolean }>(
      `SELECT m.group_id AS "groupId", m.relationship, m.is_head AS "isHead", ${PERSON_SUMMARY}
       FROM group_membership m JOIN person p ON p.id = m.person_id WHERE m.group_id = ANY($1::uuid[])
       ORDER BY m.is_head DESC, p.birth_date NULLS LAST, p.id`,
      [ids],
    ),
    eventsOf(pool, ids),
  ]);
  const views = new Map(groups.rows.map((g) => [g.id, { ...g, members: [], events: events.get(g.id) ?? [] } as GroupView]));
  for (const { groupId, relationship, isHead, ...person } of members.rows) views.get(groupId)?.members.push({ relationship, isHead, person });
  return views;
}

async function eventsOf(pool: pg.Pool, recordIds: readonly string[]): Promise<Map<string, RegistryEventView[]>> {
  const { rows } = await pool.query<RegistryEventView>(
    `SELECT id::text, event_type AS "eventType", record_kind AS "recordKind", record_id AS "recordId", payload, created_at AS "createdAt", matched_at AS "matchedAt"
     FROM (SELECT e.*, row_number() OVER (PARTITION BY e.record_id ORDER BY e.id DESC) AS n FROM registry_event e WHERE e.record_id = ANY($1::uuid[])) e
     WHERE n <= $2 ORDER BY id DESC`,
    [recordIds, EVENTS_PER_RECORD],
  );
  const byRecord = new Map<string, RegistryEventView[]>();
  for (const event of rows) byRecord.set(event.recordId, [...(byRecord.get(event.recordId) ?? []), event]);
  return byRecord;
}
