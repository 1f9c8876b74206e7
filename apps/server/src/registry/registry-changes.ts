/**
 * Changes staff make to the registry by hand (create/update a person, a death, a birth, a change of
 * household). Each runs in one transaction with its registry events (the outbox) and its staff audit
 * record, so subscribers hear of it exactly as of an import, and nothing is audited that did not happen.
 */
import { normaliseDate } from '@dci-server/dci';
import { GroupMembershipSchema, PersonIdentifierSchema, PersonSchema, RegistryGroupSchema, type Person, type RegistryGroup } from '@dci-server/db';
import { LockMode, UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import type { StaffIdentity } from '../staff/roles.js';
import { recordStaffActionIn } from '../staff/staff-audit.js';
import { parseRecord, type PersonInput } from './record-input.js';
import { IdentifierConflictError, recordEvent, recordNewMember, upsertPerson } from './registry-writes.js';
import { isRecordId } from './registry-views.js';

/** An input problem the caller can fix; `code` says which kind (as GraphQL userErrors do). */
export class RegistryChangeError extends Error {
  constructor(
    message: string,
    readonly code: 'INVALID_INPUT' | 'NOT_FOUND' | 'CONFLICT' = 'INVALID_INPUT',
    readonly field: string | null = null,
  ) {
    super(message);
  }
}

/** What staff give for a person: a DCI person without its death (recorded by recordDeath). */
export type PersonFields = Omit<PersonInput, 'deathDate' | 'phoneNumbers' | 'emails'> & { phoneNumbers?: string[]; emails?: string[] };
export type PersonChanges = Partial<Omit<PersonFields, 'identifiers'>> & { addIdentifiers?: PersonInput['identifiers'] };

export function createPerson(em: EntityManager, actor: StaffIdentity, fields: PersonFields): Promise<Person> {
  return inTransaction(em, async (tx) => {
    const input = checkedPerson(fields);
    const entity = await registerNew(tx, input);
    await recordStaffActionIn(tx, actor, 'createPerson', entity.id, { after: input });
    return entity;
  });
}

/** Fields left out keep their value; identifiers may be added (one per type), never taken from another person. */
export function updatePerson(em: EntityManager, actor: StaffIdentity, personId: string, changes: PersonChanges): Promise<Person> {
  return inTransaction(em, async (tx) => {
    const { person, stored } = await findPerson(tx, personId);
    const { addIdentifiers = [], ...fields } = changes;
    for (const identifier of addIdentifiers) {
      const same = stored.identifiers.find((i) => i.type === identifier.type);
      if (same && same.value !== identifier.value) throw new RegistryChangeError(`the person already has a ${identifier.type} (${same.value})`, 'CONFLICT', 'addIdentifiers');
    }
    const added = addIdentifiers.filter((a) => !stored.identifiers.some((i) => i.type === a.type));
    await refuseKnownIdentifiers(tx, added);
    const input = checkedPerson({ ...stored, ...defined(fields), identifiers: [...stored.identifiers, ...added] }, stored.deathDate);
    await upsertPerson(tx, input);
    await recordStaffActionIn(tx, actor, 'updatePerson', person.id, { before: stored, after: input });
    return person;
  });
}

/** Writes UPDATE and Death, as an import of the record with its death date does. */
export function recordDeath(em: EntityManager, actor: StaffIdentity, personId: string, deathDate: string): Promise<Person> {
  return inTransaction(em, async (tx) => {
    const { person, stored } = await findPerson(tx, personId);
    if (stored.deathDate) throw new RegistryChangeError(`the death of this person is recorded already (${stored.deathDate})`, 'CONFLICT', 'personId');
    const input = checkedPerson(stored, deathDate);
    await upsertPerson(tx, input);
    await recordStaffActionIn(tx, actor, 'recordDeath', person.id, { before: { deathDate: null }, after: { deathDate: input.deathDate } });
    return person;
  });
}

/** A newborn: a new person (REGISTER, LiveBirth) who joins a household (NewHouseHoldMember, UPDATE of the group). */
export function recordBirth(em: EntityManager, actor: StaffIdentity, groupId: string, child: PersonFields, relationship = 'child'): Promise<Person> {
  return inTransaction(em, async (tx) => {
    const group = await findGroup(tx, groupId);
    if (!child.birthDate) throw new RegistryChangeError('a birth needs the birth date', 'INVALID_INPUT', 'birthDate');
    const input = checkedPerson(child);
    const entity = await registerNew(tx, input);
    recordEvent(tx, 'LiveBirth', 'Person', entity.id);
    await addMembership(tx, group, entity, relationship);
    await recordStaffActionIn(tx, actor, 'recordBirth', entity.id, { after: { groupId: group.id, relationship, person: input } });
    return entity;
  });
}

export function addGroupMember(em: EntityManager, actor: StaffIdentity, groupId: string, personId: string, relationship: string): Promise<RegistryGroup> {
  return inTransaction(em, async (tx) => {
    const group = await findGroup(tx, groupId);
    const { person } = await findPerson(tx, personId);
    if (await tx.count(GroupMembershipSchema, { group, person })) throw new RegistryChangeError('the person is a member of this group already', 'CONFLICT', 'personId');
    await addMembership(tx, group, person, relationship);
    await recordStaffActionIn(tx, actor, 'addGroupMember', group.id, { after: { personId: person.id, relationship } });
    return group;
  });
}

/** Writes UPDATE of the group (the specs name no event for leaving a household). */
export function removeGroupMember(em: EntityManager, actor: StaffIdentity, groupId: string, personId: string): Promise<RegistryGroup> {
  return inTransaction(em, async (tx) => {
    const group = await findGroup(tx, groupId);
    const membership = isRecordId(personId) ? await tx.findOne(GroupMembershipSchema, { group, person: personId }) : null;
    if (!membership) throw new RegistryChangeError(`no member ${personId} in this group`, 'NOT_FOUND', 'personId');
    const before = { personId, relationship: membership.relationship };
    tx.remove(membership);
    await tx.flush();
    const rest = await tx.find(GroupMembershipSchema, { group }, { orderBy: { isHead: 'desc' } });
    // As an import does: the head is the member called head, else the first member.
    const head = group.head?.id === personId ? (rest[0]?.person ?? null) : group.head;
    tx.assign(group, { groupSize: rest.length, head, lastUpdated: new Date() });
    recordEvent(tx, 'UPDATE', 'Group', group.id);
    await recordStaffActionIn(tx, actor, 'removeGroupMember', group.id, { before });
    return group;
  });
}

/**
 * One change, one transaction. Rows changed are locked first (group before person), so concurrent
 * changes of the same record queue; a unique key taken meanwhile by another change is a conflict.
 */
async function inTransaction<T>(em: EntityManager, work: (tx: EntityManager) => Promise<T>): Promise<T> {
  try {
    return await em.transactional(work);
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) throw new RegistryChangeError('another change took the same identifier or membership meanwhile; try again', 'CONFLICT');
    if (error instanceof IdentifierConflictError) throw new RegistryChangeError(error.message, 'CONFLICT', 'identifiers');
    throw error;
  }
}

async function addMembership(em: EntityManager, group: RegistryGroup, person: Person, relationship: string): Promise<void> {
  const isHead = relationship === 'head';
  if (isHead && (await em.count(GroupMembershipSchema, { group, isHead: true }))) throw new RegistryChangeError('the group has a head already', 'CONFLICT', 'relationship');
  em.create(GroupMembershipSchema, { group, person, relationship, isHead });
  await em.flush();
  em.assign(group, { groupSize: await em.count(GroupMembershipSchema, { group }), head: isHead || !group.head ? person : group.head, lastUpdated: new Date() });
  recordNewMember(em, group.id, person.id);
  recordEvent(em, 'UPDATE', 'Group', group.id);
  await em.flush();
}

async function findPerson(em: EntityManager, personId: string): Promise<{ person: Person; stored: PersonInput }> {
  const person = isRecordId(personId) ? await em.findOne(PersonSchema, personId, { lockMode: LockMode.PESSIMISTIC_WRITE }) : null;
  if (!person) throw new RegistryChangeError(`no person ${personId}`, 'NOT_FOUND', 'personId');
  const identifiers = await em.find(PersonIdentifierSchema, { person }, { orderBy: { id: 'asc' } });
  const { givenName, surname, sex, phoneNumbers, emails } = person;
  const optional = { secondName: person.secondName, prefix: person.prefix, suffix: person.suffix, birthDate: person.birthDate, birthPlace: person.birthPlace, deathDate: person.deathDate, maritalStatus: person.maritalStatus, isDisabled: person.isDisabled, streetAddress: person.streetAddress, city: person.city, location: person.location, postalCode: person.postalCode, country: person.country };
  const stored = { identifiers: identifiers.map((i) => ({ type: i.identifierType, value: i.identifierValue })), givenName, surname, sex, phoneNumbers, emails, ...defined(optional) } as PersonInput;
  return { person, stored };
}

async function findGroup(em: EntityManager, groupId: string): Promise<RegistryGroup> {
  const group = isRecordId(groupId) ? await em.findOne(RegistryGroupSchema, groupId, { lockMode: LockMode.PESSIMISTIC_WRITE }) : null;
  if (!group) throw new RegistryChangeError(`no group ${groupId}`, 'NOT_FOUND', 'groupId');
  return group;
}

/** A new person, never an update of a known one (whose identifier may have been registered meanwhile). */
async function registerNew(em: EntityManager, input: PersonInput): Promise<Person> {
  await refuseKnownIdentifiers(em, input.identifiers);
  const { entity, created } = await upsertPerson(em, input);
  if (!created) throw new RegistryChangeError('another change registered this person meanwhile', 'CONFLICT', 'identifiers');
  return entity;
}

async function refuseKnownIdentifiers(em: EntityManager, identifiers: PersonInput['identifiers']): Promise<void> {
  if (!identifiers.length) return;
  const known = await em.findOne(PersonIdentifierSchema, { $or: identifiers.map((i) => ({ identifierType: i.type, identifierValue: i.value })) });
  if (known) throw new RegistryChangeError(`${known.identifierType} ${known.identifierValue} belongs to another person already`, 'CONFLICT', 'identifiers');
}

/**
 * Checks a person as the import does (the same DCI record rules), plus real calendar dates: none in
 * the future, no death before birth.
 */
function checkedPerson(fields: PersonFields, deathDate?: string | null): PersonInput {
  const today = new Date().toISOString().slice(0, 10);
  for (const [field, value] of [['birthDate', fields.birthDate], ['deathDate', deathDate]] as const) {
    if (!value) continue;
    const day = normaliseDate(value)?.slice(0, 10);
    if (!day || day !== value.slice(0, 10)) throw new RegistryChangeError(`${field} is not a date (YYYY-MM-DD): ${value.slice(0, 40)}`, 'INVALID_INPUT', field);
    if (day > today) throw new RegistryChangeError(`${field} is in the future`, 'INVALID_INPUT', field);
  }
  if (deathDate && fields.birthDate && deathDate.slice(0, 10) < fields.birthDate.slice(0, 10)) throw new RegistryChangeError('the death date is before the birth date', 'INVALID_INPUT', 'deathDate');
  const record = {
    '@type': 'Person',
    identifier: fields.identifiers.map((i) => ({ identifier_type: i.type, identifier_value: i.value })),
    name: { given_name: fields.givenName, surname: fields.surname, second_name: fields.secondName, prefix: fields.prefix, suffix: fields.suffix },
    sex: fields.sex,
    birth_date: fields.birthDate,
    death_date: deathDate ?? undefined,
    birth_place: fields.birthPlace,
    marital_status: fields.maritalStatus,
    is_disabled: fields.isDisabled,
    address: { street_address: fields.streetAddress, city: fields.city, location: fields.location, postal_code: fields.postalCode, country: fields.country },
    phone_number: fields.phoneNumbers ?? [],
    email: fields.emails ?? [],
  };
  try {
    const parsed = parseRecord(JSON.parse(JSON.stringify(record, (_, v: unknown) => (v === null ? undefined : v))));
    if (parsed.kind !== 'Person') throw new Error('not a person');
    return parsed.person;
  } catch (error) {
    throw new RegistryChangeError((error as Error).message);
  }
}

/** Values left out (undefined or null) are not changes. */
function defined<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== null)) as Partial<T>;
}
