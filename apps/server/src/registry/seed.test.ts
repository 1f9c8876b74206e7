import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { AppContext } from '../context.js';
import { createTestContext } from '../testing/test-server.js';
import { demoHousehold } from './demo-generator.js';
import { seedDemoRegistry } from './seed.js';

let ctx: AppContext;
before(async () => {
  ctx = await createTestContext();
});
after(() => ctx.db.close());

const count = async (sql: string) => Number((await ctx.db.pool.query(sql)).rows[0].n);

test('the demo generator is deterministic', () => {
  assert.deepEqual(demoHousehold(42), demoHousehold(42));
  assert.notDeepEqual(demoHousehold(42), demoHousehold(43));
});

const registryIndexes = async () =>
  (await ctx.db.pool.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE tablename IN ('person', 'person_identifier', 'registry_group', 'group_membership') ORDER BY indexname`)).rows.map((r) => r.indexdef);

test('seeding loads exactly N persons in consistent households, and appends on a second run', async () => {
  const indexes = await registryIndexes();
  assert.ok(indexes.length > 10);
  const first = await seedDemoRegistry(ctx.db.pool, 1234);
  // Into the empty registry, the secondary indexes were built after the load: all of them are back, as they were.
  assert.deepEqual(await registryIndexes(), indexes);
  const { rows: invalid } = await ctx.db.pool.query(`SELECT indexrelid::regclass::text AS name FROM pg_index WHERE NOT indisvalid`);
  assert.deepEqual(invalid, []);
  assert.equal(first.persons, 1234);
  assert.equal(await count('SELECT count(*) n FROM person'), 1234);
  assert.equal(await count('SELECT count(*) n FROM group_membership'), 1234);
  assert.equal(await count('SELECT count(*) n FROM registry_group'), first.households);
  assert.equal(await count(`SELECT count(*) n FROM person_identifier WHERE identifier_type = 'UIN'`), 1234);
  assert.equal(await count('SELECT count(*) n FROM registry_group g WHERE g.group_size <> (SELECT count(*) FROM group_membership m WHERE m.group_id = g.id)'), 0);
  assert.equal(await count('SELECT count(*) n FROM registry_group g WHERE NOT EXISTS (SELECT 1 FROM group_membership m WHERE m.group_id = g.id AND m.person_id = g.head_id AND m.is_head)'), 0);

  const second = await seedDemoRegistry(ctx.db.pool, 100);
  assert.equal(second.firstHousehold, first.households);
  assert.equal(await count('SELECT count(*) n FROM person'), 1334);
});

test('seeding ends with fresh planner statistics (ANALYZE) and a visibility map (VACUUM) on the registry tables', async () => {
  const { rows } = await ctx.db.pool.query(`SELECT relname FROM pg_stat_user_tables WHERE relname IN ('person', 'person_identifier', 'registry_group', 'group_membership') AND last_analyze IS NOT NULL ORDER BY relname`);
  assert.deepEqual(rows.map((r) => r.relname), ['group_membership', 'person', 'person_identifier', 'registry_group']);
  const vacuumed = await ctx.db.pool.query(`SELECT relname FROM pg_stat_user_tables WHERE relname IN ('person', 'registry_group') AND last_vacuum IS NOT NULL ORDER BY relname`);
  assert.deepEqual(vacuumed.rows.map((r) => r.relname), ['person', 'registry_group']);
});
