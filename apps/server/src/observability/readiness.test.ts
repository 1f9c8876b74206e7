import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import type { Readiness } from './readiness.js';

let server: TestServer;
before(async () => {
  server = await startTestServer({}, { worker: true });
});
after(() => server.close());

async function readyz(): Promise<{ status: number; body: Readiness }> {
  const res = await fetch(`${server.baseUrl}/readyz`);
  return { status: res.status, body: (await res.json()) as Readiness };
}

test('with a beating worker and nothing waiting: ready', async () => {
  const { status, body } = await readyz();
  assert.equal(status, 200);
  assert.equal(body.status, 'ready');
  assert.equal(body.worker.status, 'ok');
  assert.ok(body.worker.last_seen_seconds_ago !== null && body.worker.last_seen_seconds_ago < 45);
  assert.equal(body.job_backlog.status, 'ok');
});

test('a due job waiting for minutes: the backlog is behind, degraded but still 200', async () => {
  // Due long ago, for a task no worker of this version runs: it waits for ever.
  await server.ctx.db.pool.query(`SELECT graphile_worker.add_job('readyz-test-unknown-task', '{}'::json, run_at => now() - interval '10 minutes', job_key => 'readyz-backlog')`);
  const { status, body } = await readyz();
  assert.equal(status, 200);
  assert.equal(body.status, 'degraded');
  assert.equal(body.job_backlog.status, 'behind');
  assert.ok(body.job_backlog.oldest_ready_seconds! >= 590, String(body.job_backlog.oldest_ready_seconds));
  await server.ctx.db.pool.query(`SELECT graphile_worker.remove_job('readyz-backlog')`);
  assert.equal((await readyz()).body.job_backlog.status, 'ok');
});

test('a worker silent for longer than the heartbeat allows: stale, degraded but still 200', async () => {
  // On a server of its own without a worker, so that no live heartbeat refreshes the row meanwhile.
  const alone = await startTestServer();
  try {
    await alone.ctx.db.pool.query(`INSERT INTO worker_heartbeat (worker_id, last_seen) VALUES ('readyz-test-worker', now() - interval '5 minutes')`);
    const res = await fetch(`${alone.baseUrl}/readyz`);
    const body = (await res.json()) as Readiness;
    assert.equal(res.status, 200);
    assert.equal(body.status, 'degraded');
    assert.equal(body.worker.status, 'stale');
    assert.ok(body.worker.last_seen_seconds_ago! >= 299);
  } finally {
    await alone.close();
  }
});

test('a migration not applied: 503 migrations pending', async () => {
  const { rows } = await server.ctx.db.pool.query<{ id: number; name: string }>('SELECT id, name FROM mikro_orm_migrations ORDER BY id DESC LIMIT 1');
  await server.ctx.db.pool.query('DELETE FROM mikro_orm_migrations WHERE id = $1', [rows[0]!.id]);
  try {
    const { status, body } = await readyz();
    assert.equal(status, 503);
    assert.equal(body.status, 'migrations pending');
    assert.equal(body.migrations, 'pending');
    assert.equal(body.database, 'ok');
  } finally {
    await server.ctx.db.pool.query('INSERT INTO mikro_orm_migrations (id, name) VALUES ($1, $2)', [rows[0]!.id, rows[0]!.name]);
  }
  assert.equal((await readyz()).body.migrations, 'applied');
});
