import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFrequency, lastFireTime } from './schedule.js';

const spec = { start_time: '2026-01-01T00:00:00Z', end_time: '2027-01-01T00:00:00Z', frequency: '0 0 0 5,15 * ? *' };

test("the spec's Quartz example: 00:00 on the 5th and 15th of each month", () => {
  assert.equal(lastFireTime(spec, new Date('2026-11-25T10:00:00Z'))?.toISOString(), '2026-11-15T00:00:00.000Z');
  assert.equal(lastFireTime(spec, new Date('2026-11-15T00:00:00Z'))?.toISOString(), '2026-11-15T00:00:00.000Z');
});

test('outside the window there is no digest time', () => {
  assert.equal(lastFireTime(spec, new Date('2025-12-31T00:00:00Z')), undefined);
  assert.equal(lastFireTime(spec, new Date('2027-03-01T00:00:00Z'))?.toISOString(), '2026-12-15T00:00:00.000Z');
});

test('five-field cron works too; garbage is refused', () => {
  assert.equal(lastFireTime({ frequency: '*/10 * * * *' }, new Date('2026-11-25T10:07:00Z'))?.toISOString(), '2026-11-25T10:00:00.000Z');
  assert.throws(() => checkFrequency({ frequency: 'every tuesday' }), /not a cron expression/);
});
