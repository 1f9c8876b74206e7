import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { validateOutbound } from '@dci-server/dci';
import { DataSharingAgreementSchema, SenderSchema, type FieldRule } from '@dci-server/db';
import { createAgreement } from '../agreements/agreements.js';
import { startWorker, type WorkerHandle } from '../jobs/worker.js';
import { taskList } from '../jobs/tasks.js';
import { demoHousehold } from '../registry/demo-generator.js';
import { seedDemoRegistry } from '../registry/seed.js';
import { startCallbackReceiver } from '../testing/callback-receiver.js';
import { createTestSender, DciTestClient, searchItem, type Reply } from '../testing/dci-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

// Issue 8 §3 (txn status re-applies the agreement in force now) and §7 (status of an unknown transaction).
let server: TestServer;
let worker: WorkerHandle;
const person = demoHousehold(0).members[0]!;
const byUin = (ref: string) => searchItem(ref, { reg_record_type: 'Person', query_type: 'idtype-value', query: { type: 'UIN', value: person.uin } });

const runWorker = async () => (worker = await startWorker(server.ctx.db.pool, taskList(server.ctx), server.ctx.logger, 1));

before(async () => {
  server = await startTestServer();
  await seedDemoRegistry(server.ctx.db.pool, 20);
  await runWorker();
});
after(async () => {
  await worker.stop();
  await server.close();
});

async function senderWith(name: string, fieldRules: FieldRule[] = []): Promise<DciTestClient> {
  const sender = await createTestSender(server.ctx, name, undefined, { agreement: false });
  await newAgreement(sender.senderId, fieldRules);
  return new DciTestClient(server.baseUrl, sender);
}

/** Replaces the sender's agreement (the newest active one governs). */
async function newAgreement(senderId: string, fieldRules: FieldRule[]) {
  const em = server.ctx.db.orm.em.fork();
  const sender = await em.findOneOrFail(SenderSchema, { senderId });
  await em.nativeUpdate(DataSharingAgreementSchema, { sender }, { active: false });
  await createAgreement(em, { sender, name: `terms ${fieldRules.length}`, purpose: 'tests', fieldRules });
}

const statusQuery = (transactionId: string, ref = 'st') => ({
  transaction_id: `status-${Math.random()}`,
  txnstatus_request: { reference_id: ref, txn_type: 'search', attribute_type: 'transaction_id', attribute_value: transactionId },
});
const syncStatus = (client: DciTestClient, transactionId: string) => client.send('/registry/sync/txn/status', 'txn-status', statusQuery(transactionId), 'txnstatus_request');

async function auditRow(correlationId: string) {
  const { rows } = await server.ctx.db.pool.query(`SELECT async_status, callback_status, callback_attempts, dci_status FROM dci_transaction WHERE correlation_id = $1`, [correlationId]);
  return rows[0];
}

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not in time`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function assertValid(kind: Parameters<typeof validateOutbound>[0], body: unknown) {
  const v = validateOutbound(kind, body);
  assert.ok(v.ok, v.ok ? '' : v.errors.join('\n'));
}

const firstRecord = (reply: Reply) => reply.body.message.txnstatus_response.txn_status.search_response[0].data.reg_records[0];

test('txn status of a sync search shares the stored answer under the agreement in force now', async () => {
  const client = await senderWith('later-denied');
  const search = await client.send('/registry/sync/search', 'search', { transaction_id: 'before-deny', search_request: [byUin('a')] }, 'search_request');
  assert.equal(search.body.message.search_response[0].data.reg_records[0].birth_date, person.birthDate);

  await newAgreement(client.sender.senderId, [{ field: 'birth_date', action: 'deny' }]);
  const status = await syncStatus(client, 'before-deny');
  assert.equal(status.status, 200, JSON.stringify(status.body));
  assertValid('sync-txn-status-response', status.body);
  const record = firstRecord(status);
  assert.equal(record.birth_date, undefined, 'denied since the search: not replayed');
  assert.equal(record.name.given_name, person.givenName, 'what is still shared stays');
});

test('txn status of an async search (its stored result) does the same; rules unchanged keep derived values', async () => {
  const client = await senderWith('async-later-denied', [{ field: 'birth_date', action: 'derive', derive: 'year' }]);
  const receiver = await startCallbackReceiver();
  try {
    const ack = await client.send('/registry/search', 'search', { transaction_id: 'async-before-deny', search_request: [byUin('b')] }, 'search_request', { sender_uri: receiver.url });
    assert.equal(ack.status, 202, JSON.stringify(ack.body));
    await receiver.waitFor(1);
  } finally {
    await receiver.close();
  }
  assert.equal(firstRecord(await syncStatus(client, 'async-before-deny')).birth_date, person.birthDate.slice(0, 4), 'the year, as the callback had it');
  await newAgreement(client.sender.senderId, [{ field: 'birth_date', action: 'deny' }, { field: 'name', action: 'mask', keepLast: 1 }]);
  const record = firstRecord(await syncStatus(client, 'async-before-deny'));
  assert.equal(record.birth_date, undefined);
  assert.equal(record.name.given_name, `${'*'.repeat(Array.from(person.givenName).length - 1)}${person.givenName.slice(-1)}`);
});

test('sync txn status of a transaction we never saw: 200 with a spec-valid rjct item, not a 404', async () => {
  const client = await senderWith('asks-unknown-sync');
  const reply = await syncStatus(client, 'never-sent');
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  assertValid('sync-txn-status-response', reply.body);
  const { txn_type, txn_status } = reply.body.message.txnstatus_response;
  assert.equal(txn_type, 'search');
  assert.equal(txn_status.transaction_id, 'never-sent');
  const [item] = txn_status.search_response;
  assert.equal(item.reference_id, 'st');
  assert.equal(item.status, 'rjct');
  assert.equal(item.status_reason_code, 'rjct.reference_id.invalid');
  assert.match(item.status_reason_message, /^rjct\.transaction\.not_found: .*never-sent/);
});

test('async txn status of an unknown transaction: one txn-on-status callback, the job neither fails nor retries, the audit row is final', async () => {
  const client = await senderWith('asks-unknown-async');
  const receiver = await startCallbackReceiver();
  try {
    const ack = await client.send('/registry/txn/status', 'txn-status', statusQuery('never-sent-either', 'q7'), 'txnstatus_request', { sender_uri: receiver.url });
    assert.equal(ack.status, 202, JSON.stringify(ack.body));
    const [callback] = await receiver.waitFor(1);
    assert.equal(callback!.path, '/registry/txn/on-status');
    assertValid('txn-on-status', callback!.body);
    const item = callback!.body.message.txnstatus_response.txn_status.search_response[0];
    assert.equal(item.reference_id, 'q7');
    assert.equal(item.status, 'rjct');
    assert.match(item.status_reason_message, /^rjct\.transaction\.not_found/);

    const correlationId = ack.body.message.correlation_id;
    await waitUntil(async () => (await auditRow(correlationId))?.async_status === 'completed', 'audit row completed');
    const row = await auditRow(correlationId);
    assert.equal(row.callback_status, 'delivered');
    assert.equal(row.callback_attempts, 1, 'delivered at the first attempt: no retry');
    const { rows } = await server.ctx.db.pool.query(`SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE task_identifier = 'dci-async-txn-status'`);
    assert.equal(rows[0].n, 0, 'no job left to retry');
    assert.equal(receiver.received.length, 1);
  } finally {
    await receiver.close();
  }
});

test('a request refused after its ACK (agreement ended before the job ran) gets a rjct callback, not retries', async () => {
  const client = await senderWith('agreement-ends');
  const receiver = await startCallbackReceiver();
  await worker.stop();
  try {
    const ack = await client.send('/registry/search', 'search', { transaction_id: 'ends', search_request: [byUin('c'), byUin('d')] }, 'search_request', { sender_uri: receiver.url });
    assert.equal(ack.status, 202, JSON.stringify(ack.body));
    await server.ctx.db.orm.em.fork().nativeUpdate(DataSharingAgreementSchema, { sender: { senderId: client.sender.senderId } }, { active: false });
    await runWorker();
    const [callback] = await receiver.waitFor(1);
    assertValid('on-search', callback!.body);
    const items = callback!.body.message.search_response;
    assert.deepEqual(items.map((i: { reference_id: string; status: string }) => [i.reference_id, i.status]), [['c', 'rjct'], ['d', 'rjct']]);
    assert.match(items[0].status_reason_message, /^err\.agreement\.missing: /);
    const correlationId = ack.body.message.correlation_id;
    await waitUntil(async () => (await auditRow(correlationId))?.async_status === 'completed', 'audit row completed');
    assert.equal((await auditRow(correlationId)).callback_attempts, 1);
  } finally {
    await receiver.close();
  }
});
