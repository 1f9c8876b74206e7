import assert from 'node:assert/strict';
import { test } from 'node:test';
import { retryDelaySeconds } from './backoff.js';

test('10 attempts span about 24 hours, growing exponentially', () => {
  const delays = Array.from({ length: 9 }, (_, i) => retryDelaySeconds(i + 1, 10, 86_400, () => 0.5));
  const total = delays.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(total - 86_400) < 1, String(total));
  for (let i = 1; i < delays.length; i++) assert.equal(delays[i], delays[i - 1]! * 2);
});

test('jitter stays within ±20 %', () => {
  const middle = retryDelaySeconds(3, 10, 86_400, () => 0.5);
  assert.ok(Math.abs(retryDelaySeconds(3, 10, 86_400, () => 0) - middle * 0.8) < 1e-9);
  assert.ok(Math.abs(retryDelaySeconds(3, 10, 86_400, () => 1) - middle * 1.2) < 1e-9);
});
