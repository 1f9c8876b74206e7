/**
 * `npm run bench` keeps working: a smoke run (BENCH_SMOKE=1: small registry, about a second per
 * phase) end to end, its results files written and every HTTP target answering. Nothing here is
 * about speed: no figure is compared with a threshold.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

test('the smoke bench runs end to end and writes its results', { timeout: 240_000 }, async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dci-bench-smoke-'));
  try {
    const script = fileURLToPath(new URL('./bench.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      env: { ...process.env, BENCH_SMOKE: '1', BENCH_RESULTS_DIR: dir, LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0, `the bench failed:\n${output.slice(-4000)}`);

    const files = (await fs.readdir(dir)).sort();
    assert.equal(files.length, 2, `expected one .json and one .md, got ${files.join(', ')}`);
    const json = JSON.parse(await fs.readFile(path.join(dir, files.find((f) => f.endsWith('.json'))!), 'utf8')) as {
      httpCompare: { settings: { connections: number[] }; oursPeakRssMib: number; figures: Record<string, Record<string, { requests: number }>> };
      sections: { title: string }[];
    };
    assert.deepEqual(json.httpCompare.settings.connections, [1, 16, 64]);
    for (const connections of [1, 16, 64]) {
      for (const target of ['ours', 'minimal', 'bare']) {
        assert.ok(json.httpCompare.figures[connections]![target]!.requests > 0, `${target} answered nothing at ${connections} connections`);
      }
    }
    assert.ok(json.sections.some((s) => s.title.startsWith('1. Seeding')), 'the seeding section is missing');
    const markdown = await fs.readFile(path.join(dir, files.find((f) => f.endsWith('.md'))!), 'utf8');
    assert.match(markdown, /\| 64 \| ours \(\/registry\/sync\/search\) \|/);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
