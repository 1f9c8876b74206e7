import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { AppContext } from '../context.js';
import { createTestContext } from '../testing/test-server.js';
import { importNdjson } from './import.js';

let ctx: AppContext;
let dir: string;
before(async () => {
  ctx = await createTestContext();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dci-import-'));
});
after(async () => {
  await ctx.db.close();
  await fs.rm(dir, { recursive: true, force: true });
});

const person = (uin: string, given: string, extra: object = {}) => ({
  '@type': 'Person',
  identifier: [{ identifier_type: 'UIN', identifier_value: uin }],
  name: { given_name: given, surname: 'Tester' },
  sex: 'female',
  birth_date: '1990-02-03',
  address: { city: 'Riverside', region: 'central_region', postal_code: '10001' },
  ...extra,
});

const group = {
  '@type': 'Group',
  group_identifier: [{ identifier_type: 'HouseholdID', identifier_value: 'G-1' }],
  group_type: 'household',
  poverty_score: 31.5,
  location: 'northern_region',
  member_list: [
    { '@type': 'Member', relationship: 'head', demographic_info: person('2001', 'Head') },
    { '@type': 'Member', relationship: 'child', demographic_info: person('2002', 'Kid', { birth_date: '2015-01-01' }) },
  ],
};

async function write(lines: string[]): Promise<string> {
  const file = path.join(dir, `${Math.random()}.ndjson`);
  await fs.writeFile(file, lines.join('\n') + '\n');
  return file;
}

const query = async (sql: string, params: unknown[] = []) => (await ctx.db.pool.query(sql, params)).rows;

test('imports good lines, reports bad ones with their line numbers, and is idempotent', async () => {
  const file = await write([
    JSON.stringify(person('1001', 'Ada')),
    '{not json',
    JSON.stringify({ '@type': 'Person', name: { given_name: 'NoId', surname: 'X' }, sex: 'female' }),
    '',
    JSON.stringify(group),
    JSON.stringify(person('1002', 'Bea', { sex: 'robot' })),
  ]);
  const report = await importNdjson(ctx.db.orm.em.fork(), file);
  assert.equal(report.created, 2);
  assert.deepEqual(report.errors.map((e) => e.line), [2, 3, 6]);
  assert.match(report.errors[0]!.message, /invalid JSON/);
  assert.match(report.errors[1]!.message, /identifier/);
  assert.match(report.errors[2]!.message, /sex/);
  assert.equal((await query('SELECT count(*)::int n FROM person'))[0].n, 3);
  const [g] = await query(`SELECT group_size, location, poverty_score FROM registry_group WHERE identifier_value = 'G-1'`);
  assert.deepEqual(g, { group_size: 2, location: 'northern_region', poverty_score: 31.5 });

  const again = await importNdjson(ctx.db.orm.em.fork(), await write([JSON.stringify(person('1001', 'Adaline')), JSON.stringify(group)]));
  assert.deepEqual({ created: again.created, updated: again.updated, errors: again.errors }, { created: 0, updated: 2, errors: [] });
  assert.equal((await query('SELECT count(*)::int n FROM person'))[0].n, 3);
  assert.equal((await query(`SELECT p.given_name FROM person p JOIN person_identifier i ON i.person_id = p.id WHERE i.identifier_value = '1001'`))[0].given_name, 'Adaline');
});

test('every import change is written to the outbox', async () => {
  const events = await query('SELECT event_type, record_kind FROM registry_event ORDER BY id');
  assert.ok(events.some((e) => e.event_type === 'REGISTER' && e.record_kind === 'Person'));
  assert.ok(events.some((e) => e.event_type === 'REGISTER' && e.record_kind === 'Group'));
  assert.ok(events.some((e) => e.event_type === 'UPDATE' && e.record_kind === 'Person'));
});

test('address may be one Address or a list of them (the first is kept)', async () => {
  const listed = person('3001', 'Listed', { address: [{ city: 'Lakeside', region: 'eastern_region' }, { city: 'Elsewhere' }] });
  const report = await importNdjson(ctx.db.orm.em.fork(), await write([JSON.stringify(listed), JSON.stringify(person('3002', 'Plain', { address: ['12 Main St'] }))]));
  assert.deepEqual(report.errors, []);
  const rows = await query(`SELECT p.city, p.location, p.street_address FROM person p JOIN person_identifier i ON i.person_id = p.id WHERE i.identifier_value IN ('3001', '3002') ORDER BY i.identifier_value`);
  assert.deepEqual(rows, [
    { city: 'Lakeside', location: 'eastern_region', street_address: null },
    { city: null, location: null, street_address: '12 Main St' },
  ]);
});

test('an import refreshes planner statistics (ANALYZE)', async () => {
  const [row] = await query(`SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'person'`);
  assert.ok(row.last_analyze instanceof Date, 'person was analyzed');
});
