import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureDatabase, isAlive, startEmbeddedPostgres, withDatabase, type EmbeddedPostgres } from '@dci-server/db';
import { createTestSender, DciTestClient, searchItem } from '../testing/dci-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

/**
 * PostgreSQL SIGKILLed three times under a steady DCI load, then brought back: by its owner
 * (the embedded mode, `supervise`) or by hand (a `DATABASE_URL` cluster the server does not own).
 * While it is down every DCI answer is a 503 with a DCI error body; the server recovers by
 * itself; every request that got a success answer has its audit record.
 */
let tmp: string;
const clusters: EmbeddedPostgres[] = [];
const servers: TestServer[] = [];

before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'dci-outage-load-'));
  await fs.chmod(tmp, 0o755); // the postgres system user (when we run as root) must enter it
});
after(async () => {
  for (const server of servers) await server.close().catch(() => {});
  for (const cluster of clusters) await cluster.stop().catch(() => {});
  await fs.rm(tmp, { recursive: true, force: true });
});

interface Outcome {
  messageId: string;
  status: number;
  code?: string;
  ack?: string;
}

const KILLS = 3;
const WORKERS = 4;
/** Bounds on the load, whatever happens: requests per worker and seconds overall. */
const MAX_REQUESTS_PER_WORKER = 5000;
const MAX_SECONDS = 240;

const postmasterPid = async (dataDir: string) => Number((await fs.readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);

async function eventually(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await sleep(100);
  }
  assert.fail(`not within 60 s: ${what}`);
}

for (const mode of ['embedded (its owner restarts it)', 'DATABASE_URL (restarted by hand)'] as const) {
  test(`PostgreSQL SIGKILLed ${KILLS} times under DCI load, ${mode}: 503 with a DCI body while down, recovery, an audit record for every success`, { timeout: MAX_SECONDS * 2000 }, async (t) => {
    const supervised = mode.startsWith('embedded');
    const dataDir = path.join(tmp, supervised ? 'embedded' : 'external');
    const start = (port?: number) => startEmbeddedPostgres({ dataDir, port, ...(supervised ? { supervise: { onFailure: (error) => assert.fail(error) } } : {}) });
    let cluster = await start();
    clusters.push(cluster);
    await ensureDatabase(cluster.url, 'dci');
    const server = await startTestServer({ RATE_LIMIT_PER_MINUTE: '0', DELIVERY_MAX_ATTEMPTS: '1' }, { databaseUrl: () => withDatabase(cluster.url, 'dci') });
    servers.push(server);
    const client = new DciTestClient(server.baseUrl, await createTestSender(server.ctx));
    await client.accessToken();

    const outcomes: Outcome[] = [];
    let stopping = false;
    const deadline = Date.now() + MAX_SECONDS * 1000;
    const worker = async (n: number) => {
      for (let i = 0; i < MAX_REQUESTS_PER_WORKER && !stopping && Date.now() < deadline; i++) {
        // Sync searches and async ones (the audit record and the job commit together).
        const path = (n + i) % 3 === 0 ? '/registry/search' : '/registry/sync/search';
        const header = client.header('search', 1, path === '/registry/search' ? { sender_uri: 'http://127.0.0.1:9/registry/on-search' } : {});
        const message = { transaction_id: randomUUID(), search_request: [searchItem('r1', { query_type: 'idtype-value', query: { type: 'UIN', value: String(i) } })] };
        const reply = await client.post(path, await client.envelope(header, message));
        outcomes.push({ messageId: header.message_id, status: reply.status, code: reply.body.errors?.[0]?.code, ack: reply.body.message?.ack_status });
        if (reply.status === 503) await sleep(20); // a client backing off a little, as Retry-After asks
      }
    };
    const load = Promise.all(Array.from({ length: WORKERS }, (_, n) => worker(n)));
    const successes = () => outcomes.filter((o) => o.status === 200 || o.status === 202).length;

    for (let kill = 0; kill < KILLS; kill++) {
      const before = successes();
      await eventually('requests succeed', async () => successes() > before + 20);
      const port = cluster.port;
      const pid = await postmasterPid(cluster.dataDir);
      process.kill(pid, 'SIGKILL');
      await eventually('PostgreSQL has died', async () => !isAlive(pid));
      const downFrom = outcomes.length;
      await eventually('DCI answers 503 while PostgreSQL is down', async () => outcomes.slice(downFrom).some((o) => o.status === 503));
      if (!supervised) {
        await sleep(1000); // down for a while: every request in that time is refused
        await cluster.stop(); // lets go of the dead cluster, so that this process may start it again
        cluster = await start(port);
        clusters.push(cluster);
      }
      const back = successes();
      await eventually('the server recovers by itself', async () => successes() > back + 20);
    }
    stopping = true;
    await load;

    const statuses = new Map<number, number>();
    for (const o of outcomes) statuses.set(o.status, (statuses.get(o.status) ?? 0) + 1);
    t.diagnostic(`${mode}: ${KILLS} kills, ${outcomes.length} requests; statuses ${[...statuses].map(([s, n]) => `${s}×${n}`).join(' ')}`);
    const unexpected = outcomes.filter((o) => ![200, 202, 503].includes(o.status));
    assert.deepEqual(unexpected.slice(0, 5), [], 'only successes and 503s');
    const badRefusals = outcomes.filter((o) => o.status === 503 && (o.code !== 'err.service.unavailable' || o.ack !== 'ERR'));
    assert.deepEqual(badRefusals.slice(0, 5), [], 'every 503 carries a DCI error body');

    const succeeded = outcomes.filter((o) => o.status === 200 || o.status === 202).map((o) => o.messageId);
    const { rows } = await server.ctx.db.pool.query<{ message_id: string }>('SELECT message_id FROM dci_transaction WHERE sender_id = $1 AND http_status IN (200, 202) AND message_id = ANY($2)', [client.sender.senderId, succeeded]);
    const audited = new Set(rows.map((r) => r.message_id));
    const missing = succeeded.filter((id) => !audited.has(id));
    t.diagnostic(`${mode}: ${succeeded.length} success answers, ${audited.size} of them audited`);
    assert.deepEqual(missing, [], 'every success answer has its audit record');
  });
}
