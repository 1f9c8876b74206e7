import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { signEnvelope } from '@dci-server/dci';
import { SenderKeySchema, SenderSchema } from '@dci-server/db';
import { SignJWT } from 'jose';
import { createTestSender, DciTestClient, searchItem, type TestSender } from '../testing/dci-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

/**
 * Every DCI endpoint × every way a request can be refused: exact HTTP status and DCI code,
 * and an audit record carrying that code.
 */
let server: TestServer;
let main: TestSender;
const senders: Record<string, TestSender> = {};

interface EndpointCase {
  path: string;
  action: string;
  operation: string;
  compact?: boolean;
  /** Header fields this endpoint's messages carry besides the common ones. */
  header?: Record<string, unknown>;
  message: () => Record<string, unknown>;
}

const now = () => new Date().toISOString();
const ENDPOINTS: EndpointCase[] = [
  ...['/registry/sync/search', '/registry/search'].map((path) => ({ path, action: 'search', operation: 'search', message: () => ({ transaction_id: randomUUID(), search_request: [searchItem('r', { query_type: 'idtype-value', query: { type: 'UIN', value: '1' } })] }) })),
  ...['/registry/sync/verify', '/registry/verify'].map((path) => ({
    path,
    action: 'verify',
    operation: 'verify',
    message: () => ({ transaction_id: randomUUID(), verify_request: [{ reference_id: 'v', timestamp: now(), verify_criteria: { identifier: { type: 'UIN', value: '1' }, claims: { is_alive: true } } }] }),
  })),
  ...['/registry/sync/txn/status', '/registry/txn/status'].map((path) => ({
    path,
    action: 'txn-status',
    operation: 'txn_status',
    message: () => ({ transaction_id: randomUUID(), txnstatus_request: { reference_id: 'q', txn_type: 'search', attribute_type: 'transaction_id', attribute_value: 'matrix-known' } }),
  })),
  ...['/registry/sync/subscribe', '/registry/subscribe'].map((path) => ({
    path,
    action: 'subscribe',
    operation: 'subscribe',
    message: () => ({
      transaction_id: randomUUID(),
      subscribe_request: [{ reference_id: 's', timestamp: now(), subscribe_criteria: { reg_event_type: 'REGISTER', filter_type: 'expression', filter: {}, notify_record_type: 'Person' } }],
    }),
  })),
  ...['/registry/sync/unsubscribe', '/registry/unsubscribe'].map((path) => ({
    path,
    action: 'unsubscribe',
    operation: 'unsubscribe',
    message: () => ({ transaction_id: randomUUID(), timestamp: now(), subscription_codes: ['SUB-UNKNOWN'] }),
  })),
  {
    path: '/registry/notify',
    action: 'notify',
    operation: 'notify',
    header: { status: 'succ' },
    message: () => ({
      transaction_id: randomUUID(),
      notify_event: [
        {
          reference_id: 'n',
          timestamp: now(),
          data: { reg_event_type: 'REGISTER', reg_record_type: 'Person', reg_records: { '@type': 'Person', identifier: [{ identifier_type: 'UIN', identifier_value: 'MATRIX-1' }], name: { given_name: 'Matrix', surname: 'Case' }, sex: 'other' } },
        },
      ],
    }),
  },
  { path: '/search', action: 'search', operation: 'search', compact: true, message: () => ({ transaction_id: randomUUID(), search_criteria: { uin: '1' } }) },
  { path: '/subscribe', action: 'subscribe', operation: 'subscribe', compact: true, message: () => ({ transaction_id: randomUUID(), subscription: { event_type: 'death', callback_url: 'http://127.0.0.1:9/registry/notify' } }) },
  { path: '/verify', action: 'verify', operation: 'verify', compact: true, message: () => ({ transaction_id: randomUUID(), verify: { uin: '1', is_alive: true } }) },
];

before(async () => {
  server = await startTestServer();
  main = await createTestSender(server.ctx, 'matrix-main');
  for (const name of ['other', 'inactive', 'revoked-key']) senders[name] = await createTestSender(server.ctx, `matrix-${name}`);
  senders['only-search'] = await createTestSender(server.ctx, 'matrix-only-search', ['search']);
  senders['only-verify'] = await createTestSender(server.ctx, 'matrix-only-verify', ['verify']);
  senders['no-agreement'] = await createTestSender(server.ctx, 'matrix-no-agreement', undefined, { agreement: false });
  // An earlier transaction for the txn-status endpoints to find.
  const known = await new DciTestClient(server.baseUrl, main).send('/registry/sync/search', 'search', { transaction_id: 'matrix-known', search_request: [searchItem('k', { query_type: 'idtype-value', query: { type: 'UIN', value: '1' } })] }, 'search_request');
  assert.equal(known.status, 200);
});
after(() => server.close());

interface Options {
  sender?: TestSender;
  token?: string | null;
  scope?: string;
  headerOverrides?: Record<string, unknown>;
  sign?: (header: Record<string, unknown>, message: unknown, sender: TestSender) => Promise<string | undefined>;
  tamper?: boolean;
  envelope?: Record<string, unknown>;
}

async function tokenFor(sender: TestSender, scope?: string): Promise<string> {
  const res = await fetch(`${server.baseUrl}/oauth2/client/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: sender.clientId, client_secret: sender.clientSecret, ...(scope ? { scope } : {}) }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

const defaultSign = (header: Record<string, unknown>, message: unknown, sender: TestSender) =>
  signEnvelope(header, message, { scheme: 'dci-signature', privateKey: sender.privateJwk as import('node:crypto').JsonWebKey, kid: sender.kid, senderId: sender.senderId });

async function build(endpoint: EndpointCase, options: Options) {
  const sender = options.sender ?? main;
  const message = endpoint.message();
  if (endpoint.compact) return { ...message, sender_id: (options.headerOverrides?.sender_id as string) ?? sender.senderId };
  const items = Object.values(message).find(Array.isArray) as unknown[] | undefined;
  const header = { version: '1.0.0', message_id: randomUUID(), message_ts: now(), action: endpoint.action, sender_id: sender.senderId, total_count: items?.length ?? 1, sender_uri: 'http://127.0.0.1:9/cb', ...endpoint.header, ...options.headerOverrides };
  const signature = await (options.sign ?? defaultSign)(header, message, sender);
  const envelope: Record<string, unknown> = { ...(signature ? { signature } : {}), header, message };
  if (options.tamper) (envelope.message as { transaction_id: string }).transaction_id = 'tampered';
  return envelope;
}

async function call(endpoint: EndpointCase, options: Options = {}) {
  const sender = options.sender ?? main;
  const token = options.token === undefined ? await tokenFor(sender, options.scope) : options.token;
  const body = options.envelope ?? (await build(endpoint, options));
  const client = new DciTestClient(server.baseUrl, sender);
  return { reply: await client.post(endpoint.path, body, { token }), body };
}

async function expectRejected(reply: Awaited<ReturnType<typeof call>>['reply'], status: number, code: string) {
  assert.equal(reply.status, status, JSON.stringify(reply.body));
  assert.equal(reply.body.errors?.[0]?.code, code);
  const audit = await server.ctx.db.pool.query<{ reason_code: string; http_status: number }>('SELECT reason_code, http_status FROM dci_transaction WHERE correlation_id = $1', [reply.body.message.correlation_id]);
  assert.deepEqual(audit.rows, [{ reason_code: code, http_status: status }], 'audited with its code');
}

async function expiredToken(): Promise<string> {
  const key = await server.ctx.keyring.signingKey();
  const past = Math.floor(Date.now() / 1000) - 3600;
  return new SignJWT({ scope: 'search verify txn_status', client_id: main.clientId })
    .setProtectedHeader({ alg: key.algorithm, kid: key.kid, typ: 'at+jwt' })
    .setIssuer(server.baseUrl)
    .setAudience(server.baseUrl)
    .setSubject(main.senderId)
    .setIssuedAt(past - 900)
    .setExpirationTime(past)
    .sign(key.privateKey);
}

for (const endpoint of ENDPOINTS) {
  describe(`${endpoint.path}`, () => {
    test('no token → 401 err.auth.missing_token', async () => expectRejected((await call(endpoint, { token: null })).reply, 401, 'err.auth.missing_token'));
    test('expired token → 401 err.auth.invalid_token', async () => expectRejected((await call(endpoint, { token: await expiredToken() })).reply, 401, 'err.auth.invalid_token'));
    test("another sender's token → 400 rjct.sender_id.invalid", async () => expectRejected((await call(endpoint, { token: await tokenFor(senders.other!) })).reply, 400, 'rjct.sender_id.invalid'));
    test('token without the scope → 403 err.operation.not_allowed', async () => {
      const scope = endpoint.operation === 'txn_status' ? 'search' : 'txn_status';
      await expectRejected((await call(endpoint, { scope })).reply, 403, 'err.operation.not_allowed');
    });
    test('inactive sender → 403 err.sender.inactive', async () => {
      const token = await tokenFor(senders.inactive!);
      await server.ctx.db.orm.em.fork().nativeUpdate(SenderSchema, { senderId: senders.inactive!.senderId }, { active: false });
      try {
        await expectRejected((await call(endpoint, { sender: senders.inactive!, token })).reply, 403, 'err.sender.inactive');
      } finally {
        await server.ctx.db.orm.em.fork().nativeUpdate(SenderSchema, { senderId: senders.inactive!.senderId }, { active: true });
      }
    });
    test('operation the sender is not allowed → 403 err.operation.not_allowed', async () => {
      const noOps = senders[endpoint.operation === 'search' ? 'only-verify' : 'only-search']!;
      await expectRejected((await call(endpoint, { sender: noOps, token: await tokenFor(noOps) })).reply, 403, 'err.operation.not_allowed');
    });
    test('no data-sharing agreement → 403 err.agreement.missing', async () => expectRejected((await call(endpoint, { sender: senders['no-agreement']! })).reply, 403, 'err.agreement.missing'));
    test('stale message_ts → 400 rjct.message_ts.invalid', async () => {
      if (endpoint.compact) return; // the compact form carries no timestamp: we stamp it on arrival
      await expectRejected((await call(endpoint, { headerOverrides: { message_ts: new Date(Date.now() - 3_600_000).toISOString() } })).reply, 400, 'rjct.message_ts.invalid');
    });
    test('replayed message_id → 409 rjct.message_id.duplicate', async () => {
      const first = await call(endpoint);
      assert.ok(first.reply.status < 300, JSON.stringify(first.reply.body));
      await expectRejected((await call(endpoint, { envelope: first.body })).reply, 409, 'rjct.message_id.duplicate');
    });
    if (endpoint.compact) return; // no envelope, so no message signature: bearer authentication only
    test('missing signature → 401 err.signature.missing', async () => expectRejected((await call(endpoint, { sign: async () => undefined })).reply, 401, 'err.signature.missing'));
    test('bad signature (message changed after signing) → 401 err.signature.invalid', async () => expectRejected((await call(endpoint, { tamper: true })).reply, 401, 'err.signature.invalid'));
    test('expired signature → 401 err.signature.invalid', async () => {
      const sign = (h: Record<string, unknown>, m: unknown, s: TestSender) =>
        signEnvelope(h, m, { scheme: 'dci-signature', privateKey: s.privateJwk as import('node:crypto').JsonWebKey, kid: s.kid, senderId: s.senderId, now: new Date(Date.now() - 600_000), ttlSeconds: 120 });
      await expectRejected((await call(endpoint, { sign })).reply, 401, 'err.signature.invalid');
    });
    test('unknown kid → 401 err.signature.invalid', async () => {
      const sign = (h: Record<string, unknown>, m: unknown, s: TestSender) => signEnvelope(h, m, { scheme: 'dci-signature', privateKey: s.privateJwk as import('node:crypto').JsonWebKey, kid: 'no-such-key', senderId: s.senderId });
      await expectRejected((await call(endpoint, { sign })).reply, 401, 'err.signature.invalid');
    });
    test('revoked key → 401 err.signature.invalid', async () => {
      const revoked = senders['revoked-key']!;
      await server.ctx.db.orm.em.fork().nativeUpdate(SenderKeySchema, { keyId: revoked.kid }, { revoked: true });
      await expectRejected((await call(endpoint, { sender: revoked })).reply, 401, 'err.signature.invalid');
    });
  });
}
