import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { demoHousehold } from '../registry/demo-generator.js';
import { seedDemoRegistry } from '../registry/seed.js';
import { createTestSender, DciTestClient, searchItem } from '../testing/dci-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

/** One sample line of the exposition, e.g. `dci_requests_total{...} 3`, parsed. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseSamples(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      assert.ok(match, `a Prometheus sample line: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

const find = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

async function scrape(server: TestServer, headers: Record<string, string> = {}): Promise<{ status: number; type: string; samples: Sample[]; text: string }> {
  const res = await fetch(`${server.baseUrl}/metrics`, { headers });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', samples: res.status === 200 ? parseSamples(text) : [], text };
}

describe('/metrics after DCI traffic', () => {
  let server: TestServer;
  let client: DciTestClient;
  const logLines: Record<string, unknown>[] = [];
  const head = demoHousehold(0).members[0]!;

  before(async () => {
    const logTo = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
        done();
      },
    });
    server = await startTestServer({ METRICS_MAX_SENDERS: '2' }, { worker: true, logTo });
    await seedDemoRegistry(server.ctx.db.pool, 50);
    client = new DciTestClient(server.baseUrl, await createTestSender(server.ctx, 'metrics-sender'));
  });
  after(() => server.close());

  const search = (transactionId: string) =>
    client.send('/registry/sync/search', 'search', { transaction_id: transactionId, search_request: [searchItem('r1', { reg_record_type: 'Person', query_type: 'idtype-value', query: { type: 'UIN', value: head.uin } })] }, 'search_request');

  test('requests by endpoint, operation, status and sender; refusals by catalogue code; latency histograms', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await search(`txn-metrics-${i}`)).status, 200);
    const unauthenticated = await client.post('/registry/sync/search', {}, { token: null });
    assert.equal(unauthenticated.status, 401);

    const { status, type, samples } = await scrape(server);
    assert.equal(status, 200);
    assert.match(type, /^text\/plain; version=0\.0\.4/);
    const ok = find(samples, 'dci_requests_total', { endpoint: '/registry/sync/search', operation: 'search', status: '200', sender: 'metrics-sender' });
    assert.equal(ok[0]?.value, 3);
    assert.equal(find(samples, 'dci_requests_total', { status: '401', sender: 'unknown' })[0]?.value, 1, 'no token: the unknown sender');
    assert.equal(find(samples, 'dci_request_errors_total', { operation: 'search', code: 'err.auth.missing_token' })[0]?.value, 1, 'refusals by catalogue code');
    assert.equal(find(samples, 'dci_request_duration_seconds_count', { endpoint: '/registry/sync/search', status: '200' })[0]?.value, 3);
    assert.equal(find(samples, 'dci_request_duration_seconds_bucket', { endpoint: '/registry/sync/search', status: '200', le: '+Inf' })[0]?.value, 3);
    assert.ok(find(samples, 'http_requests_total', { method: 'POST', route: '/oauth2/client/token', status: '200' })[0]?.value, 'the token endpoint is counted under its route');
  });

  test('pool use, job queue, deliveries, keys, worker and process figures are read at scrape time', async () => {
    const { samples } = await scrape(server);
    for (const state of ['total', 'idle', 'waiting']) {
      assert.equal(find(samples, 'dci_db_pool_connections', { pool: 'pg', state }).length, 1, `pg ${state}`);
      assert.equal(find(samples, 'dci_db_pool_connections', { pool: 'orm', state }).length, 1, `orm ${state}`);
    }
    assert.ok(find(samples, 'dci_db_pool_connections', { pool: 'pg', state: 'total' })[0]!.value >= 1);
    assert.equal(find(samples, 'dci_metrics_database_up')[0]?.value, 1);
    for (const status of ['pending', 'failed', 'dead']) assert.equal(find(samples, 'dci_notification_deliveries', { status }).length, 1, status);
    assert.ok(find(samples, 'dci_server_active_key_age_seconds')[0]!.value >= 0);
    assert.ok(find(samples, 'dci_worker_last_seen_seconds')[0]!.value < 45, 'the worker beats');
    assert.equal(find(samples, 'dci_job_queue_oldest_ready_seconds').length, 1);
    assert.ok(find(samples, 'process_resident_memory_bytes').length === 1 && find(samples, 'nodejs_eventloop_lag_seconds').length === 1, 'default process metrics');

    // A job that no worker may take yet (scheduled) is counted under its task.
    await server.ctx.db.pool.query(`SELECT graphile_worker.add_job('sweep-notifications', '{}'::json, run_at => now() + interval '1 hour', job_key => 'metrics-test')`);
    const after = await scrape(server);
    assert.ok(find(after.samples, 'dci_job_queue_jobs', { task: 'sweep-notifications', state: 'scheduled' })[0]!.value >= 1);
  });

  test('scrapes arriving together all get the database figures', async () => {
    const scrapes = await Promise.all(Array.from({ length: 5 }, () => scrape(server)));
    for (const { status, samples } of scrapes) {
      assert.equal(status, 200);
      assert.equal(find(samples, 'dci_metrics_database_up')[0]?.value, 1);
      assert.equal(find(samples, 'dci_notification_deliveries').length, 3);
    }
  });

  test("a sender whose keys all expire gets a key-expiry figure; one key without end date means none", async () => {
    await server.ctx.db.pool.query(`UPDATE sender_key SET not_after = now() + interval '10 days' WHERE key_id = 'metrics-sender-key'`);
    const expiring = find((await scrape(server)).samples, 'dci_sender_key_expiry_seconds', { sender: 'metrics-sender' })[0];
    assert.ok(expiring && expiring.value > 9 * 86_400 && expiring.value <= 10 * 86_400, `10 days: ${expiring?.value}`);
    await server.ctx.db.pool.query(`UPDATE sender_key SET not_after = NULL WHERE key_id = 'metrics-sender-key'`);
    assert.equal(find((await scrape(server)).samples, 'dci_sender_key_expiry_seconds', { sender: 'metrics-sender' }).length, 0);
  });

  test('sender labels are capped (METRICS_MAX_SENDERS): later senders count as other; label values stay bounded', async () => {
    for (const id of ['metrics-second', 'metrics-third', 'metrics-fourth']) {
      const other = new DciTestClient(server.baseUrl, await createTestSender(server.ctx, id));
      const reply = await other.send('/registry/sync/search', 'search', { transaction_id: `txn-${id}`, search_request: [searchItem('r1', { reg_record_type: 'Person', query_type: 'idtype-value', query: { type: 'UIN', value: head.uin } })] }, 'search_request');
      assert.equal(reply.status, 200);
    }
    // Refusals with made-up ids, paths and transaction ids must not create labels either.
    await client.post('/registry/sync/search', { header: { sender_id: 'made-up-sender', message_id: 'x'.repeat(100) } });
    await fetch(`${server.baseUrl}/no/such/path/${'y'.repeat(50)}`);

    const { samples, text } = await scrape(server);
    const senders = new Set(find(samples, 'dci_requests_total').map((s) => s.labels.sender));
    assert.deepEqual([...senders].sort(), ['metrics-second', 'metrics-sender', 'other', 'unknown']);
    assert.equal(find(samples, 'dci_requests_total', { sender: 'other' }).reduce((n, s) => n + s.value, 0), 2);
    assert.doesNotMatch(text, /made-up-sender|x{100}|y{50}|txn-metrics/, 'no request-supplied text in labels');
    const routes = new Set(find(samples, 'http_requests_total').map((s) => s.labels.route));
    assert.ok(routes.has('other') && [...routes].every((r) => r === 'other' || r!.startsWith('/')), [...routes].join(', '));
  });

  test("each DCI request's log line carries its correlation id and transaction id", async () => {
    const reply = await search('txn-logged-1');
    const correlationId = reply.body.message.correlation_id as string;
    assert.ok(correlationId);
    const line = logLines.find((l) => l.msg === 'request completed' && l.correlation_id === correlationId);
    assert.ok(line, 'the request line names the correlation id');
    assert.equal(line.transaction_id, 'txn-logged-1');
    assert.equal(line.sender_id, 'metrics-sender');
    assert.equal(typeof line.message_id, 'string');
    assert.ok(!JSON.stringify(logLines).includes(client.sender.clientSecret), 'no client secret in the logs');
  });
});

describe('/metrics access', () => {
  test('with METRICS_TOKEN: 401 without the bearer token, 200 with it', async () => {
    const server = await startTestServer({ METRICS_TOKEN: 'metrics-token-0123456789' });
    try {
      const anonymous = await scrape(server);
      assert.equal(anonymous.status, 401);
      assert.equal(JSON.parse(anonymous.text).error, 'unauthorized');
      assert.equal((await scrape(server, { authorization: 'Bearer wrong-token-0123456789x' })).status, 401);
      assert.equal((await scrape(server, { authorization: 'Bearer metrics-token-0123456789' })).status, 200);
    } finally {
      await server.close();
    }
  });

  test('METRICS_ENABLED=false: no /metrics at all', async () => {
    const server = await startTestServer({ METRICS_ENABLED: 'false' });
    try {
      assert.equal((await scrape(server)).status, 404);
    } finally {
      await server.close();
    }
  });
});
