import type { EntityManager } from '@mikro-orm/postgresql';
import { GroupMembershipSchema, PersonIdentifierSchema, PersonSchema, RegistryEventSchema, RegistryGroupSchema, type Person, type RegistryGroup } from '@dci-server/db';
import type { GroupInput, PersonInput } from './record-input.js';

export type Upserted<T> = { entity: T; created: boolean };

/** A record whose identifiers name two or more different persons: we never merge them silently. */
export class IdentifierConflictError extends Error {}

/**
 * Creates or updates a person found by any of its identifiers, and records the change in the
 * outbox (registry_event) in the same transaction, so subscribers hear of every change.
 */
export async function upsertPerson(em: EntityManager, input: PersonInput): Promise<Upserted<Person>> {
  const known = await em.find(PersonIdentifierSchema, { $or: input.identifiers.map((i) => ({ identifierType: i.type, identifierValue: i.value })) }, { populate: ['person'] });
  const owners = new Set(known.map((k) => k.person.id));
  if (owners.size > 1) throw new IdentifierConflictError(`identifiers belong to ${owners.size} different persons; refusing to merge them`);
  const { identifiers, ...fields } = input;
  const existing = known[0]?.person.getEntity();
  const diedNow = Boolean(fields.deathDate) && !existing?.deathDate;
  const person = existing ?? em.create(PersonSchema, { ...fields, isDisabled: fields.isDisabled ?? false });
  if (existing) em.assign(existing, { ...defined(fields), lastUpdated: new Date() });
  for (const identifier of identifiers) {
    if (!known.some((k) => k.identifierType === identifier.type)) em.create(PersonIdentifierSchema, { person, identifierType: identifier.type, identifierValue: identifier.value });
  }
  await em.flush();
  em.create(RegistryEventSchema, { eventType: existing ? 'UPDATE' : 'REGISTER', recordKind: 'Person', recordId: person.id });
  if (diedNow) em.create(RegistryEventSchema, { eventType: 'Death', recordKind: 'Person', recordId: person.id });
  return { entity: person, created: !existing };
}

/** Writes a registry event of a declared type (e.g. a LiveBirth reported by a civil registry). */
export function recordEvent(em: EntityManager, eventType: string, recordKind: 'Person' | 'Group', recordId: string, payload?: Record<string, unknown>): void {
  em.create(RegistryEventSchema, { eventType, recordKind, recordId, payload });
}

/** A person joined a group: the event names the newcomer. */
export function recordNewMember(em: EntityManager, groupId: string, personId: string): void {
  recordEvent(em, 'NewHouseHoldMember', 'Group', groupId, { person_id: personId });
}

/** Creates or updates a group by its identifier, upserting its members and replacing memberships. */
export async function upsertGroup(em: EntityManager, input: GroupInput): Promise<Upserted<RegistryGroup>> {
  const { identifier, members, ...fields } = input;
  const existing = await em.findOne(RegistryGroupSchema, { identifierType: identifier.type, identifierValue: identifier.value });
  const group = existing ?? em.create(RegistryGroupSchema, { identifierType: identifier.type, identifierValue: identifier.value, ...fields });
  if (existing) em.assign(existing, { ...defined(fields), lastUpdated: new Date() });
  const persons = [];
  for (const member of members) persons.push({ person: (await upsertPerson(em, member.person)).entity, relationship: member.relationship });
  await em.flush();
  const before = new Set((await em.find(GroupMembershipSchema, { group })).map((m) => m.person.id));
  await em.nativeDelete(GroupMembershipSchema, { group });
  for (const { person, relationship } of persons) {
    em.create(GroupMembershipSchema, { group, person, relationship, isHead: relationship === 'head' });
    if (existing && !before.has(person.id)) recordNewMember(em, group.id, person.id);
  }
  const head = persons.find((p) => p.relationship === 'head')?.person ?? persons[0]?.person ?? null;
  em.assign(group, { groupSize: persons.length, head });
  em.create(RegistryEventSchema, { eventType: existing ? 'UPDATE' : 'REGISTER', recordKind: 'Group', recordId: group.id });
  await em.flush();
  return { entity: group, created: !existing };
}

/** Fields a record leaves out keep their stored value. */
function defined<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<T>;
}
