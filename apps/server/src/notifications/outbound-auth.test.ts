import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { SenderSchema } from '@dci-server/db';
import { findAgreement } from '../agreements/agreements.js';
import { upsertPerson } from '../registry/registry-writes.js';
import { subscribe } from '../subscriptions/subscriptions.js';
import { startCallbackReceiver } from '../testing/callback-receiver.js';
import { createTestSender } from '../testing/dci-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { sealNotifyAuth } from './outbound-auth.js';

let server: TestServer;
let receiver: Awaited<ReturnType<typeof startCallbackReceiver>>;
let tokenServer: http.Server;
let tokenRequests: string[] = [];

before(async () => {
  server = await startTestServer({}, { worker: true });
  receiver = await startCallbackReceiver();
  tokenServer = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      tokenRequests.push(body);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: 'from-token-endpoint', token_type: 'Bearer', expires_in: 600 }));
    });
  });
  await new Promise<void>((resolve) => tokenServer.listen(0, '127.0.0.1', resolve));
});
after(async () => {
  await receiver.close();
  await new Promise<void>((resolve) => tokenServer.close(() => resolve()));
  await server.close();
});

let n = 0;
async function notifiedWith(auth: Parameters<typeof sealNotifyAuth>[1]): Promise<string | undefined> {
  const em = server.ctx.db.orm.em.fork();
  const test = await createTestSender(server.ctx, `auth-${++n}`);
  const sender = await em.findOneOrFail(SenderSchema, { senderId: test.senderId });
  sender.notifyAuth = sealNotifyAuth(server.ctx.masterKey, auth);
  await em.flush();
  const subscription = await subscribe(em, sender, await findAgreement(server.ctx.db.pool, sender.senderId), { reg_event_type: 'REGISTER', notify_record_type: 'Person', filter: {} }, `${receiver.url}/registry/notify`);
  await server.ctx.db.orm.em.fork().transactional((tx) => upsertPerson(tx, { identifiers: [{ type: 'UIN', value: `AUTH-${n}` }], givenName: 'A', surname: 'B', sex: 'female', phoneNumbers: [], emails: [] }));
  const deadline = Date.now() + 10_000;
  for (;;) {
    const got = receiver.received.find((r) => r.body.message?.transaction_id === subscription.code);
    if (got) return got.headers.authorization as string | undefined;
    assert.ok(Date.now() < deadline, 'no notification');
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('notifications carry no Authorization unless configured', async () => {
  assert.equal(await notifiedWith({ type: 'none' }), undefined);
});

test('a static bearer token, stored sealed, is sent as configured', async () => {
  assert.equal(await notifiedWith({ type: 'bearer', token: 'static-secret' }), 'Bearer static-secret');
});

test("OAuth2 client credentials against the subscriber's token endpoint", async () => {
  tokenRequests = [];
  const tokenUrl = `http://127.0.0.1:${(tokenServer.address() as AddressInfo).port}/token`;
  assert.equal(await notifiedWith({ type: 'oauth2', tokenUrl, clientId: 'our-id', clientSecret: 'our-secret' }), 'Bearer from-token-endpoint');
  assert.equal(tokenRequests.length, 1);
  assert.deepEqual(Object.fromEntries(new URLSearchParams(tokenRequests[0])), { grant_type: 'client_credentials', client_id: 'our-id', client_secret: 'our-secret' });
});
