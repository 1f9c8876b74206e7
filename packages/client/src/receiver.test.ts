import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { signEnvelope } from '@dci-server/dci';
import express from 'express';
import { startTestServer, type TestServer } from '../../../apps/server/src/testing/test-server.js';
import { DciReceiver, ServerKeys, type DciIncoming } from './index.js';

let server: TestServer;
let receiverUrl: string;
let close: () => Promise<void>;
const received: DciIncoming[] = [];
let failNext = false;

/** A notification as the server sends it, signed with the server's own active key (or another key). */
async function notification(options: { key?: 'server' | 'stranger'; action?: string } = {}) {
  const header = { version: '1.0.0', message_id: randomUUID(), message_ts: new Date().toISOString(), action: options.action ?? 'notify', status: 'succ', sender_id: server.ctx.config.receiverId, receiver_id: 'acme', total_count: 1 };
  const message = {
    transaction_id: 'sub-code-1',
    notify_event: [{ reference_id: '42', timestamp: new Date().toISOString(), data: { reg_event_type: 'Death', reg_record_type: 'Person', reg_records: { name: { given_name: 'Ada' } } } }],
  };
  const signing = await server.ctx.keyring.signingKey();
  const stranger = { privateKey: generateKeyPairSync('ed25519').privateKey, kid: signing.kid };
  const key = options.key === 'stranger' ? stranger : { privateKey: signing.keyObject, kid: signing.kid };
  const signature = await signEnvelope(header, message, { scheme: 'dci-signature', ...key, senderId: server.ctx.config.receiverId });
  return { signature, header, message };
}

const post = async (body: unknown) => {
  const res = await fetch(receiverUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as { message: { ack_status: string; error?: { code: string } }; errors?: { code: string }[] } };
};

before(async () => {
  server = await startTestServer();
  const receiver = new DciReceiver({
    jwksUrl: `${server.baseUrl}/.well-known/jwks.json`,
    serverId: server.ctx.config.receiverId,
    onMessage(incoming) {
      if (failNext) {
        failNext = false;
        throw new Error('our database is down');
      }
      received.push(incoming);
    },
  });
  const app = express();
  app.post('/registry/notify', express.json(), receiver.middleware());
  const listener = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => listener.once('listening', resolve));
  receiverUrl = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/registry/notify`;
  close = () => new Promise((resolve) => listener.close(() => resolve()));
});
after(async () => {
  await close();
  await server.close();
});

test('Express middleware: a notification signed by the server is ACKed and handed over typed; its replay is refused', async () => {
  const envelope = await notification();
  const first = await post(envelope);
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.equal(first.body.message.ack_status, 'ACK');
  const incoming = received.at(-1)!;
  assert.equal(incoming.action, 'notify');
  if (incoming.action === 'notify') assert.deepEqual(incoming.message.notify_event, envelope.message.notify_event);
  assert.equal(incoming.header.message_id, envelope.header.message_id);

  const count = received.length;
  const replay = await post(envelope);
  assert.equal(replay.status, 409);
  assert.equal(replay.body.errors?.[0]?.code, 'rjct.message_id.duplicate');
  assert.equal(received.length, count, 'a replay is not handed over');
});

test('refused: changed on the way, signed by a key the server does not publish, unsigned, not a callback', async () => {
  const count = received.length;
  const tampered = await notification();
  tampered.message.notify_event[0]!.data.reg_records.name.given_name = 'Eve';
  const stranger = await notification({ key: 'stranger' });
  const { signature: _dropped, ...unsigned } = await notification();
  const [changed, foreign, missing, wrongAction, notJson] = await Promise.all([post(tampered), post(stranger), post(unsigned), post(await notification({ action: 'search' })), post([1, 2])]);
  assert.deepEqual([changed.status, changed.body.errors?.[0]?.code], [401, 'err.signature.invalid']);
  assert.deepEqual([foreign.status, foreign.body.errors?.[0]?.code], [401, 'err.signature.invalid']);
  assert.deepEqual([missing.status, missing.body.errors?.[0]?.code], [401, 'err.signature.missing']);
  assert.deepEqual([wrongAction.status, wrongAction.body.errors?.[0]?.code], [400, 'err.request.bad']);
  assert.deepEqual([notJson.status, notJson.body.errors?.[0]?.code], [400, 'err.request.bad']);
  assert.equal(received.length, count, 'nothing refused is handed over');
});

test('a handler that fails answers 500, and the same message is taken when it comes again', async () => {
  const envelope = await notification();
  failNext = true;
  const failed = await post(envelope);
  assert.equal(failed.status, 500);
  assert.doesNotMatch(JSON.stringify(failed.body), /database is down/, 'no internal detail leaks');
  const retried = await post(envelope);
  assert.equal(retried.status, 200, JSON.stringify(retried.body));
  assert.equal(received.at(-1)!.header.message_id, envelope.header.message_id);
});

test('receive() without a framework takes the body as text or parsed JSON', async () => {
  const taken: string[] = [];
  const receiver = new DciReceiver({ jwksUrl: `${server.baseUrl}/.well-known/jwks.json`, onMessage: (m) => void taken.push(m.header.message_id) });
  const envelope = await notification();
  assert.equal((await receiver.receive(JSON.stringify(envelope))).status, 200);
  assert.equal((await receiver.receive(envelope)).status, 409);
  assert.equal((await receiver.receive('{not json')).status, 400);
  assert.deepEqual(taken, [envelope.header.message_id]);
});

test('ServerKeys: a kid still missing after a fetch is not asked for again during the cooldown; a known one is cached', async () => {
  let fetches = 0;
  const counting: typeof fetch = (input, init) => {
    fetches++;
    return fetch(input, init);
  };
  const keys = new ServerKeys(`${server.baseUrl}/.well-known/jwks.json`, { fetch: counting });
  const { kid } = await server.ctx.keyring.signingKey();
  assert.ok(await keys.get(kid));
  assert.ok(await keys.get(kid));
  assert.equal(fetches, 1);
  assert.equal(await keys.get('forged-kid'), undefined);
  assert.equal(await keys.get('forged-kid'), undefined);
  assert.equal(fetches, 2, 'one fetch for the unknown kid, none for the repeat');
});
