import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { translateSearchCriteria, type CompiledSearch } from '@dci-server/dci';
import type { AppContext } from '../context.js';
import { createTestContext } from '../testing/test-server.js';
import type { PersonInput } from './record-input.js';
import { upsertPerson } from './registry-writes.js';
import { pageWithCount, recordsInOrder } from './search.js';
import { seedDemoRegistry } from './seed.js';

let ctx: AppContext;

before(async () => {
  ctx = await createTestContext();
  await seedDemoRegistry(ctx.db.pool, 400);
});
after(() => ctx.db.close());

async function ids(sql: string, params: unknown[] = []): Promise<string[]> {
  return (await ctx.db.pool.query<{ id: string }>(sql, params)).rows.map((r) => r.id);
}

const criteria = (query: object, page: { size: number; number: number }, sort: object[] = [], collection = 'Person'): CompiledSearch =>
  translateSearchCriteria(
    {
      query_type: 'expression',
      query: { type: 'ns:org:QueryType:expression', value: { expression: { collection, query } } },
      sort,
      pagination: { page_size: page.size, page_number: page.number },
    },
    { maxPageSize: 1000 },
  );

/** Every page from the first until one comes back short, with the count each page reported. */
async function walkPages(query: object, size: number, exactUpTo: number, sort: object[] = []) {
  const pages: { ids: string[]; count: { totalCount: number; exact: boolean } }[] = [];
  for (let number = 1; number <= 1000; number++) {
    const page = await pageWithCount(ctx.db.pool, criteria(query, { size, number }, sort), exactUpTo);
    pages.push(page);
    if (page.ids.length < size) break;
  }
  return pages;
}

const females = { sex: 'female' };
const femaleIds = () => ids(`SELECT id FROM person WHERE sex = 'female' ORDER BY id`);

test('pages of a search cover every match once, in order, with no gap, whatever the count rule', async () => {
  const expected = await femaleIds();
  assert.ok(expected.length > 100, 'enough matches for several pages');
  for (const exactUpTo of [0, 25, 10_000]) {
    const walked = (await walkPages(females, 17, exactUpTo)).flatMap((p) => p.ids);
    assert.deepEqual(walked, expected, `exactUpTo ${exactUpTo}`);
  }

  // Sorted by a key with many ties and NULLs last: the id breaks ties, so pages never overlap.
  const sort = [{ attribute_name: 'birth_date', sort_order: 'desc' }];
  const byBirth = await ids(`SELECT id FROM person WHERE sex = 'female' ORDER BY birth_date DESC NULLS LAST, id`);
  assert.deepEqual((await walkPages(females, 13, 25, sort)).flatMap((p) => p.ids), byBirth);
  const ascending = await ids(`SELECT id FROM person WHERE sex = 'female' ORDER BY birth_date NULLS LAST, id`);
  assert.deepEqual((await walkPages(females, 50, 25, [{ attribute_name: 'birth_date' }])).flatMap((p) => p.ids), ascending);
});

test('total_count is exact up to the limit, or once a page reaches the last match; otherwise an estimate never below what is known to exist', async () => {
  const total = (await femaleIds()).length;

  // Within the limit: every page says the exact count.
  for (const page of await walkPages(females, 17, total)) assert.deepEqual(page.count, { totalCount: total, exact: true });

  // One below the limit: the first pages estimate, at least one more than the records up to their end.
  const pages = await walkPages(females, 17, total - 1);
  pages.slice(0, -1).forEach((page, i) => {
    assert.equal(page.count.exact, false, `page ${i + 1}`);
    assert.ok(page.count.totalCount >= (i + 1) * 17 + 1, `page ${i + 1}: ${page.count.totalCount}`);
  });
  // The page that holds the last match knows the total.
  assert.deepEqual(pages.at(-1)!.count, { totalCount: total, exact: true });

  // A page that ends exactly on the last match, and pages past the end, are exact too.
  assert.deepEqual((await pageWithCount(ctx.db.pool, criteria(females, { size: total, number: 1 }), 0)).count, { totalCount: total, exact: true });
  const beyond = await pageWithCount(ctx.db.pool, criteria(females, { size: 10, number: 1000 }), 0);
  assert.deepEqual(beyond, { ids: [], count: { totalCount: total, exact: true } });
  assert.deepEqual(await pageWithCount(ctx.db.pool, criteria({ given_name: 'Nobody' }, { size: 10, number: 1 }), 0), { ids: [], count: { totalCount: 0, exact: true } });
});

test('an estimated count is the planner estimate from the statistics ANALYZE keeps', async () => {
  await ctx.db.pool.query('ANALYZE person');
  const everyone = (await ctx.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM person')).rows[0]!.n;
  // With no condition the estimate is the table's row count, which ANALYZE of a small table knows exactly.
  const unfiltered: CompiledSearch = { recordKind: 'Person', filter: { kind: 'and', clauses: [] }, sort: [], page: { size: 10, number: 1, offset: 0 } };
  const page = await pageWithCount(ctx.db.pool, unfiltered, 0);
  assert.deepEqual(page.count, { totalCount: everyone, exact: false });
});

test('records of a page come back in the page order, for persons and groups', async () => {
  const sort = [{ attribute_name: 'birth_date', sort_order: 'desc' }];
  const page = await pageWithCount(ctx.db.pool, criteria(females, { size: 20, number: 3 }, sort), 10_000);
  const records = await recordsInOrder(ctx.db.pool, 'Person', page.ids);
  const expected = await ids(`SELECT id FROM person WHERE sex = 'female' ORDER BY birth_date DESC NULLS LAST, id OFFSET 40 LIMIT 20`);
  assert.deepEqual(page.ids, expected);
  const uinsOf = await ids(`SELECT i.identifier_value AS id FROM unnest($1::uuid[]) WITH ORDINALITY AS p(id, n) JOIN person_identifier i ON i.person_id = p.id AND i.identifier_type = 'UIN' ORDER BY p.n`, [expected]);
  assert.deepEqual(
    records.map((r) => (r.identifier as { identifier_type: string; identifier_value: string }[]).find((i) => i.identifier_type === 'UIN')!.identifier_value),
    uinsOf,
  );

  const poor = { $and: [{ poverty_score: { $lt: 40 } }, { location: 'central_region' }] };
  const groupPage = await pageWithCount(ctx.db.pool, criteria(poor, { size: 5, number: 2 }, [], 'Group'), 10_000);
  assert.deepEqual(groupPage.ids, await ids(`SELECT id FROM registry_group WHERE poverty_score < 40 AND location = 'central_region' ORDER BY id OFFSET 5 LIMIT 5`));
  const groups = await recordsInOrder(ctx.db.pool, 'Group', groupPage.ids);
  assert.equal(groups.length, groupPage.ids.length);
  assert.ok(groups.every((g) => Array.isArray(g.member_list) && g.member_list.length > 0));
});

test('age and YOB comparisons (rewritten as birth_date ranges) match exactly what the derived expressions match', async () => {
  const today = (await ctx.db.pool.query<{ d: string }>(`SELECT to_char(current_date, 'YYYY-MM-DD') AS d`)).rows[0]!.d;
  const shifted = async (years: number, days: number) =>
    (await ctx.db.pool.query<{ d: string }>(`SELECT to_char(($1::date - make_interval(years => $2::int))::date + $3::int, 'YYYY-MM-DD') AS d`, [today, years, days])).rows[0]!.d;
  // Birthdays around today's date k years ago, leap-day births, future and missing birth dates.
  const births: (string | undefined)[] = ['2000-02-29', '2004-02-29', '1996-02-28', '1996-03-01', undefined];
  for (const years of [0, 1, 17, 18, 25, 26]) for (const days of [-1, 0, 1]) births.push(await shifted(years, days));
  births.push(await shifted(0, 10), await shifted(-1, 20));
  const em = ctx.db.orm.em.fork();
  for (const [i, birthDate] of births.entries()) {
    const person: PersonInput = { identifiers: [{ type: 'UIN', value: `AGE-${i}` }], givenName: 'A', surname: 'AgeCase', sex: 'female', birthDate, phoneNumbers: [], emails: [] };
    await upsertPerson(em, person);
  }
  await em.flush();

  const ageSql = "date_part('year', age(current_date, birth_date))";
  const sql = { lt: '<', lte: '<=', gt: '>', gte: '>=', eq: '=', ne: 'IS DISTINCT FROM' } as const;
  const cases: [string, keyof typeof sql, number][] = [];
  for (const op of Object.keys(sql) as (keyof typeof sql)[]) {
    for (const n of [-1, 0, 0.5, 1, 17.5, 18, 25, 26, 250]) cases.push(['age', op, n]);
    for (const n of [0, 1996, 1996.5, 2000, 2004, Number(today.slice(0, 4)) + 1, 10_000, 1e12]) cases.push(['YOB', op, n]);
  }
  for (const [attribute, op, n] of cases) {
    const column = attribute === 'age' ? ageSql : 'extract(year from birth_date)';
    const expected = await ids(`SELECT id FROM person WHERE surname = 'AgeCase' AND ${column} ${sql[op]} $1::numeric ORDER BY id`, [n]);
    const query = { $and: [{ surname: 'AgeCase' }, { [attribute]: { [`$${op}`]: n } }] };
    const found = await pageWithCount(ctx.db.pool, criteria(query, { size: 100, number: 1 }), 10_000);
    assert.deepEqual(found.ids, expected, `${attribute} ${op} ${n}`);
  }
});

test('"age ≥ k" is "birth_date ≤ today − k years" on every day of a leap cycle and more, leap-day births included', async () => {
  // The identity the age rewrite rests on, checked for other days than today.
  const { rows } = await ctx.db.pool.query<{ n: number }>(`
    SELECT count(*)::int AS n
    FROM (SELECT g::date AS day FROM generate_series('2023-01-01'::date, '2029-12-31'::date, '1 day') AS g) t,
         unnest(ARRAY[1, 2, 4, 18, 25, 100]) AS k(years),
         LATERAL (SELECT (t.day - make_interval(years => k.years))::date + d AS birth FROM generate_series(-2, 2) AS d
                  UNION ALL SELECT b FROM unnest(ARRAY['2000-02-29'::date, '2020-02-29'::date, '2021-02-28'::date, '2021-03-01'::date]) AS b) b
    WHERE (date_part('year', age(t.day, b.birth)) >= k.years) IS DISTINCT FROM (b.birth <= (t.day - make_interval(years => k.years))::date)`);
  assert.equal(rows[0]!.n, 0);
});
