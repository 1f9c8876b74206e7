import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DciError } from '@dci-server/dci';
import type { AppContext } from '../context.js';
import { createTestContext } from '../testing/test-server.js';
import { consumeDailyQuota } from './quota.js';

let ctx: AppContext;
before(async () => {
  ctx = await createTestContext();
});
after(() => ctx.db.close());

const DAY = new Date('2026-03-10T23:59:00Z');
const NEXT_DAY = new Date('2026-03-11T00:01:00Z');

function exceeded(pattern: RegExp) {
  return (error: unknown) => error instanceof DciError && error.code === 'err.quota.exceeded' && pattern.test(error.message);
}

async function used(senderId: string, day: string): Promise<number | undefined> {
  const { rows } = await ctx.db.pool.query<{ used: number }>('SELECT used FROM agreement_quota_usage WHERE sender_id = $1 AND day = $2', [senderId, day]);
  return rows[0]?.used;
}

test('items count against the quota per UTC day; a refused call uses nothing', async () => {
  const agreement = { dailyQuota: 5 };
  assert.equal(await consumeDailyQuota(ctx.db.pool, agreement, 'q-seq', 3, DAY), 2);
  await assert.rejects(() => consumeDailyQuota(ctx.db.pool, agreement, 'q-seq', 3, DAY), exceeded(/3 of 5 .* used today, 3 more asked/));
  assert.equal(await consumeDailyQuota(ctx.db.pool, agreement, 'q-seq', 2, DAY), 0);
  await assert.rejects(() => consumeDailyQuota(ctx.db.pool, agreement, 'q-seq', 1, DAY), exceeded(/5 of 5/));
  assert.equal(await used('q-seq', '2026-03-10'), 5);
  // A new UTC day starts from zero; other senders count apart.
  assert.equal(await consumeDailyQuota(ctx.db.pool, agreement, 'q-seq', 5, NEXT_DAY), 0);
  assert.equal(await consumeDailyQuota(ctx.db.pool, agreement, 'q-other', 1, DAY), 4);
});

test('more items than the whole quota are refused without touching the counter', async () => {
  await assert.rejects(() => consumeDailyQuota(ctx.db.pool, { dailyQuota: 2 }, 'q-big', 3, DAY), exceeded(/0 of 2/));
  assert.equal(await used('q-big', '2026-03-10'), undefined);
});

test('no quota: unlimited, nothing counted', async () => {
  assert.equal(await consumeDailyQuota(ctx.db.pool, { dailyQuota: null }, 'q-free', 1000, DAY), null);
  assert.equal(await used('q-free', '2026-03-10'), undefined);
});

test('concurrent calls never exceed the quota', async () => {
  const agreement = { dailyQuota: 20 };
  const results = await Promise.allSettled(Array.from({ length: 30 }, () => consumeDailyQuota(ctx.db.pool, agreement, 'q-race', 3, DAY)));
  const granted = results.filter((r) => r.status === 'fulfilled').length;
  assert.equal(granted, 6);
  for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof DciError && r.reason.code === 'err.quota.exceeded');
  assert.equal(await used('q-race', '2026-03-10'), 18);
});
