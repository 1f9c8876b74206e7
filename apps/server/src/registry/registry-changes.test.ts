import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { AppContext } from '../context.js';
import type { StaffIdentity } from '../staff/roles.js';
import { recordStaffActionIn } from '../staff/staff-audit.js';
import { createTestContext } from '../testing/test-server.js';
import { addGroupMember, createPerson, recordBirth, recordDeath, RegistryChangeError, removeGroupMember, updatePerson, type PersonFields } from './registry-changes.js';
import { upsertGroup } from './registry-writes.js';

let ctx: AppContext;
before(async () => {
  ctx = await createTestContext();
});
after(() => ctx.db.close());

const staff: StaffIdentity = { userId: null, email: 'clerk@example.org', role: 'operator', via: 'token', tokenId: 't1' };
const em = () => ctx.db.orm.em.fork();

let counter = 0;
const fields = (extra: Partial<PersonFields> = {}): PersonFields => ({
  identifiers: [{ type: 'UIN', value: `RC-${++counter}` }],
  givenName: `Given${counter}`,
  surname: 'Changed',
  sex: 'female',
  birthDate: '1980-05-06',
  location: 'central_region',
  ...extra,
});

/** Events of a record after `since` (an event id), oldest first. */
async function eventsSince(since: string, recordId?: string) {
  const { rows } = await ctx.db.pool.query<{ event_type: string; record_kind: string; record_id: string; payload: Record<string, unknown> | null }>(
    `SELECT event_type, record_kind, record_id, payload FROM registry_event WHERE id > $1 AND ($2::uuid IS NULL OR record_id = $2) ORDER BY id`,
    [since, recordId ?? null],
  );
  return rows;
}
const lastEventId = async () => (await ctx.db.pool.query<{ id: string }>('SELECT coalesce(max(id), 0)::text AS id FROM registry_event')).rows[0]!.id;
const auditOf = async (target: string) => (await ctx.db.pool.query('SELECT actor, action, before, after FROM staff_audit WHERE target = $1 ORDER BY id', [target])).rows;

async function household(head: PersonFields) {
  const identifier = { type: 'HouseholdID', value: `H-${++counter}` };
  return em().transactional(async (tx) => (await upsertGroup(tx, { identifier, groupType: 'household', members: [{ person: { ...head, phoneNumbers: [], emails: [] }, relationship: 'head' }] })).entity);
}

test('createPerson: REGISTER in the outbox and the audit record, with the same transaction', async () => {
  const since = await lastEventId();
  const person = await createPerson(em(), staff, fields());
  assert.deepEqual((await eventsSince(since)).map((e) => [e.event_type, e.record_kind, e.record_id]), [['REGISTER', 'Person', person.id]]);
  const [audit] = await auditOf(person.id);
  assert.equal(audit.actor, 'token:t1:clerk@example.org');
  assert.equal(audit.action, 'createPerson');
  assert.equal(audit.after.givenName, person.givenName);

  const again = await createPerson(em(), staff, fields({ identifiers: [{ type: 'UIN', value: `RC-${counter}` }] })).catch((e: unknown) => e);
  assert.ok(again instanceof RegistryChangeError && again.code === 'CONFLICT', String(again));
  assert.deepEqual(await eventsSince(since), [{ event_type: 'REGISTER', record_kind: 'Person', record_id: person.id, payload: null }], 'a refused change writes nothing');
});

test('input is checked by the import rules and by the calendar; nothing is written when refused', async () => {
  const since = await lastEventId();
  const refusals: [Partial<PersonFields>, RegExp, string | null][] = [
    [{ sex: 'robot' }, /sex/, null],
    [{ identifiers: [] }, /identifier/, null],
    [{ birthDate: '2020-02-30' }, /not a date/, 'birthDate'],
    [{ birthDate: '2999-01-01' }, /future/, 'birthDate'],
    [{ givenName: '' }, /given_name/, null],
  ];
  for (const [extra, message, field] of refusals) {
    const error = await createPerson(em(), staff, fields(extra)).catch((e: unknown) => e);
    assert.ok(error instanceof RegistryChangeError, `${JSON.stringify(extra)}: ${String(error)}`);
    assert.match(error.message, message);
    assert.equal(error.field, field);
  }
  assert.deepEqual(await eventsSince(since), []);
  assert.equal((await ctx.db.pool.query(`SELECT 1 FROM staff_audit WHERE action = 'createPerson' AND after->>'sex' = 'robot'`)).rowCount, 0);
});

test('updatePerson: UPDATE, fields left out kept, identifiers added but never taken from another person', async () => {
  const person = await createPerson(em(), staff, fields({ city: 'Riverside' }));
  const other = await createPerson(em(), staff, fields());
  const since = await lastEventId();
  await updatePerson(em(), staff, person.id, { surname: 'Renamed', addIdentifiers: [{ type: 'MOBILE', value: `+2557${counter}` }] });
  assert.deepEqual((await eventsSince(since)).map((e) => e.event_type), ['UPDATE']);
  const { rows } = await ctx.db.pool.query('SELECT surname, city, given_name FROM person WHERE id = $1', [person.id]);
  assert.deepEqual(rows[0], { surname: 'Renamed', city: 'Riverside', given_name: person.givenName });
  const audit = (await auditOf(person.id)).at(-1);
  assert.equal(audit.before.surname, 'Changed');
  assert.equal(audit.after.surname, 'Renamed');

  const stolen = await updatePerson(em(), staff, person.id, { addIdentifiers: [{ type: 'BRN', value: 'x' }, ...(await identifiersOf(other.id))] }).catch((e: unknown) => e);
  assert.ok(stolen instanceof RegistryChangeError, String(stolen));
  const missing = await updatePerson(em(), staff, 'not-a-uuid', { surname: 'X' }).catch((e: unknown) => e);
  assert.ok(missing instanceof RegistryChangeError && missing.code === 'NOT_FOUND');
  assert.deepEqual((await eventsSince(since)).map((e) => e.event_type), ['UPDATE']);
});

const identifiersOf = async (personId: string) =>
  (await ctx.db.pool.query<{ type: string; value: string }>('SELECT identifier_type AS type, identifier_value AS value FROM person_identifier WHERE person_id = $1', [personId])).rows;

test('recordDeath: UPDATE and Death, as an import of the record with its death date; once only, never before birth', async () => {
  const person = await createPerson(em(), staff, fields({ birthDate: '1950-01-01' }));
  const early = await recordDeath(em(), staff, person.id, '1949-12-31').catch((e: unknown) => e);
  assert.ok(early instanceof RegistryChangeError && /before the birth/.test(early.message));
  const since = await lastEventId();
  await recordDeath(em(), staff, person.id, '2026-01-15');
  assert.deepEqual((await eventsSince(since)).map((e) => [e.event_type, e.record_id]), [['UPDATE', person.id], ['Death', person.id]]);
  assert.equal((await ctx.db.pool.query(`SELECT to_char(death_date, 'YYYY-MM-DD') AS d FROM person WHERE id = $1`, [person.id])).rows[0].d, '2026-01-15');
  const twice = await recordDeath(em(), staff, person.id, '2026-01-16').catch((e: unknown) => e);
  assert.ok(twice instanceof RegistryChangeError && twice.code === 'CONFLICT');
  assert.deepEqual((await auditOf(person.id)).map((a) => a.action), ['createPerson', 'recordDeath']);
});

test('recordBirth: the child is registered (REGISTER, LiveBirth) and joins the household (NewHouseHoldMember, UPDATE)', async () => {
  const group = await household(fields());
  const since = await lastEventId();
  const child = await recordBirth(em(), staff, group.id, fields({ birthDate: '2026-03-01' }));
  const events = await eventsSince(since);
  assert.deepEqual(
    events.map((e) => [e.event_type, e.record_kind, e.record_id]),
    [['REGISTER', 'Person', child.id], ['LiveBirth', 'Person', child.id], ['NewHouseHoldMember', 'Group', group.id], ['UPDATE', 'Group', group.id]],
  );
  assert.deepEqual(events[2]!.payload, { person_id: child.id });
  const { rows } = await ctx.db.pool.query('SELECT g.group_size, m.relationship, m.is_head FROM registry_group g JOIN group_membership m ON m.group_id = g.id WHERE m.person_id = $1', [child.id]);
  assert.deepEqual(rows, [{ group_size: 2, relationship: 'child', is_head: false }]);

  const noDate = await recordBirth(em(), staff, group.id, fields({ birthDate: undefined })).catch((e: unknown) => e);
  assert.ok(noDate instanceof RegistryChangeError && noDate.field === 'birthDate');
  const noGroup = await recordBirth(em(), staff, '00000000-0000-0000-0000-000000000000', fields()).catch((e: unknown) => e);
  assert.ok(noGroup instanceof RegistryChangeError && noGroup.code === 'NOT_FOUND');
  assert.equal((await eventsSince(since)).length, 4);
});

test('add and remove a member: NewHouseHoldMember + UPDATE, then UPDATE; the head moves on when the head leaves', async () => {
  const group = await household(fields());
  const newcomer = await createPerson(em(), staff, fields());
  const since = await lastEventId();
  await addGroupMember(em(), staff, group.id, newcomer.id, 'spouse');
  assert.deepEqual((await eventsSince(since)).map((e) => [e.event_type, e.payload]), [['NewHouseHoldMember', { person_id: newcomer.id }], ['UPDATE', null]]);
  const twice = await addGroupMember(em(), staff, group.id, newcomer.id, 'spouse').catch((e: unknown) => e);
  assert.ok(twice instanceof RegistryChangeError && twice.code === 'CONFLICT');
  const secondHead = await addGroupMember(em(), staff, group.id, (await createPerson(em(), staff, fields())).id, 'head').catch((e: unknown) => e);
  assert.ok(secondHead instanceof RegistryChangeError && secondHead.field === 'relationship');

  const mid = await lastEventId();
  const headId = (await ctx.db.pool.query('SELECT head_id FROM registry_group WHERE id = $1', [group.id])).rows[0].head_id as string;
  await removeGroupMember(em(), staff, group.id, headId);
  assert.deepEqual((await eventsSince(mid)).map((e) => [e.event_type, e.record_id]), [['UPDATE', group.id]]);
  assert.deepEqual((await ctx.db.pool.query('SELECT group_size, head_id FROM registry_group WHERE id = $1', [group.id])).rows[0], { group_size: 1, head_id: newcomer.id });
  const gone = await removeGroupMember(em(), staff, group.id, headId).catch((e: unknown) => e);
  assert.ok(gone instanceof RegistryChangeError && gone.code === 'NOT_FOUND');
  assert.deepEqual((await auditOf(group.id)).map((a) => a.action), ['addGroupMember', 'removeGroupMember']);
});

test('the audit record is written in the change’s transaction: it rolls back with it', async () => {
  const target = `rollback-${++counter}`;
  const failed = await em()
    .transactional(async (tx) => {
      await recordStaffActionIn(tx, staff, 'createPerson', target, { after: { password: 'x' } });
      throw new Error('the change failed after its audit record');
    })
    .catch((e: unknown) => e);
  assert.match(String(failed), /change failed/);
  assert.deepEqual(await auditOf(target), []);
});

test('concurrent changes of one record queue: a death recorded meanwhile is seen, and an identifier is given once', async () => {
  const person = await createPerson(em(), staff, fields());
  const since = await lastEventId();
  // Another change of the person is in flight (its row locked, its death written, not yet committed).
  const other = await ctx.db.pool.connect();
  try {
    await other.query('BEGIN');
    await other.query(`SELECT 1 FROM person WHERE id = $1 FOR UPDATE`, [person.id]);
    await other.query(`UPDATE person SET death_date = '2026-02-01' WHERE id = $1`, [person.id]);
    const death = recordDeath(em(), staff, person.id, '2026-02-02').catch((e: unknown) => e);
    await waitForLockWait(other);
    await other.query('COMMIT');
    const refused = await death;
    assert.ok(refused instanceof RegistryChangeError && refused.code === 'CONFLICT', `the queued change saw the death: ${String(refused)}`);
  } finally {
    other.release();
  }
  assert.deepEqual(await eventsSince(since, person.id), []);

  const twins = await Promise.allSettled([createPerson(em(), staff, fields({ identifiers: [{ type: 'UIN', value: 'RC-twin' }] })), createPerson(em(), staff, fields({ identifiers: [{ type: 'UIN', value: 'RC-twin' }] }))]);
  assert.deepEqual(twins.map((t) => t.status).sort(), ['fulfilled', 'rejected']);
  assert.ok(twins.some((t) => t.status === 'rejected' && t.reason instanceof RegistryChangeError && t.reason.code === 'CONFLICT'), String(twins.map((t) => t.status === 'rejected' && t.reason)));
});

/** Until another session waits for a lock `holder` holds (bounded). */
async function waitForLockWait(holder: { query: (sql: string) => Promise<{ rows: { pid: number }[] }> }) {
  const pid = (await holder.query('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  for (let i = 0; i < 200; i++) {
    const { rowCount } = await ctx.db.pool.query('SELECT 1 FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))', [pid]);
    if (rowCount) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail('the change never waited for the lock');
}
