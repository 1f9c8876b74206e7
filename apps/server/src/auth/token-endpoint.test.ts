import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { OAuthClientSchema, SenderSchema } from '@dci-server/db';
import { importJWK, SignJWT } from 'jose';
import { createTestSender, DciTestClient, searchItem, type TestSender } from '../testing/dci-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

let server: TestServer;
let sender: TestSender;
let tokenUrl: string;
before(async () => {
  server = await startTestServer();
  sender = await createTestSender(server.ctx, 'token-tester', ['search', 'verify']);
  tokenUrl = `${server.baseUrl}/oauth2/client/token`;
});
after(() => server.close());

const form = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields) });
const basic = (id: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` });

async function assertion(claims: Partial<{ iss: string; aud: string; jti: string; exp: number }> = {}) {
  const key = await importJWK(sender.privateJwk, 'EdDSA');
  return new SignJWT({})
    .setProtectedHeader({ alg: 'EdDSA', kid: sender.kid })
    .setIssuer(claims.iss ?? sender.senderId)
    .setSubject(claims.iss ?? sender.senderId)
    .setAudience(claims.aud ?? tokenUrl)
    .setJti(claims.jti ?? randomUUID())
    .setIssuedAt()
    .setExpirationTime(claims.exp ?? '2m')
    .sign(key);
}

test('client_secret_basic and client_secret_post both give a short-lived bearer token limited to the allowed operations', async () => {
  for (const res of [await form({ grant_type: 'client_credentials' }, basic(sender.clientId, sender.clientSecret)), await form({ grant_type: 'client_credentials', client_id: sender.clientId, client_secret: sender.clientSecret })]) {
    assert.equal(res.status, 200);
    const body = (await res.json()) as { token_type: string; expires_in: number; scope: string; access_token: string };
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 900);
    assert.equal(body.scope, 'search verify');
    assert.equal(res.headers.get('cache-control'), 'no-store');
  }
});

test('RFC-shaped errors: wrong secret, unknown grant, scope beyond the allowed operations, not a form', async () => {
  const wrong = await form({ grant_type: 'client_credentials' }, basic(sender.clientId, 'nope'));
  assert.equal(wrong.status, 401);
  assert.equal(((await wrong.json()) as { error: string }).error, 'invalid_client');
  assert.match(wrong.headers.get('www-authenticate') ?? '', /Basic/);
  const grant = await form({ grant_type: 'password' }, basic(sender.clientId, sender.clientSecret));
  assert.deepEqual([grant.status, ((await grant.json()) as { error: string }).error], [400, 'unsupported_grant_type']);
  const scope = await form({ grant_type: 'client_credentials', scope: 'search notify' }, basic(sender.clientId, sender.clientSecret));
  assert.deepEqual([scope.status, ((await scope.json()) as { error: string }).error], [400, 'invalid_scope']);
  const json = await fetch(tokenUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"grant_type":"client_credentials"}' });
  assert.equal(json.status, 400);
});

test('private_key_jwt (RFC 7523): a signed assertion works once; wrong audience and replays are refused', async () => {
  const jwt = await assertion();
  const fields = { grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: jwt };
  const ok = await form(fields);
  assert.equal(ok.status, 200, await ok.clone().text());
  const token = ((await ok.json()) as { access_token: string }).access_token;
  const client = new DciTestClient(server.baseUrl, sender);
  const reply = await client.post('/registry/sync/search', await client.envelope(client.header('search', 1), { transaction_id: 't', search_request: [searchItem('r', { query_type: 'idtype-value', query: { type: 'UIN', value: 'x' } })] }), { token });
  assert.equal(reply.status, 200, JSON.stringify(reply.body));

  const replay = await form(fields);
  assert.equal(replay.status, 401);
  assert.match(((await replay.json()) as { error_description: string }).error_description, /already used/);
  const wrongAudience = await form({ ...fields, client_assertion: await assertion({ aud: 'https://elsewhere.example/token' }) });
  assert.equal(wrongAudience.status, 401);
});

test('a token of a client disabled after issue, or of a sender deactivated after issue, is refused', async () => {
  const other = await createTestSender(server.ctx, 'soon-disabled', ['search']);
  const client = new DciTestClient(server.baseUrl, other);
  const envelope = async () => client.envelope(client.header('search', 1), { transaction_id: 't', search_request: [searchItem('r', { query_type: 'idtype-value', query: { type: 'UIN', value: 'x' } })] });
  assert.equal((await client.post('/registry/sync/search', await envelope())).status, 200);
  const em = server.ctx.db.orm.em.fork();
  await em.nativeUpdate(OAuthClientSchema, { clientId: other.clientId }, { active: false });
  const refused = await client.post('/registry/sync/search', await envelope());
  assert.deepEqual([refused.status, refused.body.errors[0].code], [401, 'err.auth.invalid_token']);

  const third = await createTestSender(server.ctx, 'soon-inactive', ['search']);
  const thirdClient = new DciTestClient(server.baseUrl, third);
  await thirdClient.accessToken();
  await em.nativeUpdate(SenderSchema, { senderId: third.senderId }, { active: false });
  const inactive = await thirdClient.post('/registry/sync/search', await thirdClient.envelope(thirdClient.header('search', 1), { transaction_id: 't', search_request: [searchItem('r', { query_type: 'idtype-value', query: { type: 'UIN', value: 'x' } })] }));
  assert.deepEqual([inactive.status, inactive.body.errors[0].code], [403, 'err.sender.inactive']);
});

test('per-sender rate limit: over the limit → 429 err.rate_limited with Retry-After', async () => {
  const limited = await createTestSender(server.ctx, 'rate-limited', ['search']);
  await server.ctx.db.orm.em.fork().nativeUpdate(SenderSchema, { senderId: limited.senderId }, { rateLimitPerMinute: 3 });
  const client = new DciTestClient(server.baseUrl, limited);
  const replies = [];
  // 7 requests span at most two one-minute windows, so one window sees more than 3.
  for (let i = 0; i < 7; i++) {
    replies.push(await client.send('/registry/sync/search', 'search', { transaction_id: `t${i}`, search_request: [searchItem('r', { query_type: 'idtype-value', query: { type: 'UIN', value: 'x' } })] }, 'search_request'));
  }
  const refused = replies.find((r) => r.status === 429);
  assert.ok(refused, replies.map((r) => r.status).join(','));
  assert.equal(replies.filter((r) => r.status === 200).length <= 6, true);
  assert.equal(refused.body.errors[0].code, 'err.rate_limited');
  assert.ok(Number(refused.headers.get('retry-after')) >= 1);
});

test('a token signed by us but for another audience, or by another key, is refused', async () => {
  const key = await server.ctx.keyring.signingKey();
  const token = (audience: string) =>
    new SignJWT({ scope: 'search', client_id: sender.clientId })
      .setProtectedHeader({ alg: key.algorithm, kid: key.kid, typ: 'at+jwt' })
      .setIssuer(server.baseUrl)
      .setAudience(audience)
      .setSubject(sender.senderId)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key.privateKey);
  const client = new DciTestClient(server.baseUrl, sender);
  const body = async () => client.envelope(client.header('search', 1), { transaction_id: 't', search_request: [searchItem('r', { query_type: 'idtype-value', query: { type: 'UIN', value: 'x' } })] });
  const wrongAudience = await client.post('/registry/sync/search', await body(), { token: await token('https://another-registry.example') });
  assert.deepEqual([wrongAudience.status, wrongAudience.body.errors[0].code], [401, 'err.auth.invalid_token']);
  const foreign = await new SignJWT({ scope: 'search', client_id: sender.clientId })
    .setProtectedHeader({ alg: 'EdDSA', kid: sender.kid, typ: 'at+jwt' })
    .setIssuer(server.baseUrl)
    .setAudience(server.baseUrl)
    .setSubject(sender.senderId)
    .setExpirationTime('5m')
    .sign(await importJWK(sender.privateJwk, 'EdDSA'));
  const forged = await client.post('/registry/sync/search', await body(), { token: foreign });
  assert.deepEqual([forged.status, forged.body.errors[0].code], [401, 'err.auth.invalid_token']);
});

const noStackTrace = (text: string) => assert.doesNotMatch(text, /node_modules|\/work\/|\.ts:\d+|\bat \S+ \(|<html/i, 'no stack trace, file path or HTML page');

async function expectOAuthError(res: Response, status: number, error: string) {
  const text = await res.text();
  assert.equal(res.status, status, text);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  noStackTrace(text);
  assert.equal((JSON.parse(text) as { error: string }).error, error);
}

test('Basic credentials with bad percent-encoding → 401 invalid_client JSON (was 500 with an HTML URIError stack trace)', async () => {
  await expectOAuthError(await form({ grant_type: 'client_credentials' }, { authorization: `Basic ${Buffer.from('abc%:%E0%A4%A').toString('base64')}` }), 401, 'invalid_client');
});

test('unreadable token requests get RFC 6749 JSON errors: body over 16 KB, charset=utf-7, bad gzip, unknown encoding, GET', async () => {
  const post = (body: string, headers: Record<string, string>) => fetch(tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
  await expectOAuthError(await post(`grant_type=client_credentials&pad=${'x'.repeat(17 * 1024)}`, {}), 413, 'invalid_request');
  await expectOAuthError(await post('grant_type=client_credentials', { 'content-type': 'application/x-www-form-urlencoded; charset=utf-7' }), 415, 'invalid_request');
  await expectOAuthError(await post('not gzip', { 'content-encoding': 'gzip' }), 400, 'invalid_request');
  await expectOAuthError(await post('grant_type=client_credentials', { 'content-encoding': 'compress' }), 415, 'invalid_request');
  const get = await fetch(tokenUrl);
  assert.equal(get.headers.get('allow'), 'POST');
  await expectOAuthError(get, 405, 'invalid_request');
});

test('a client_secret in the token URL query string is refused (RFC 6749 §2.3.1) and never logged in clear', async () => {
  const lines: string[] = [];
  const logged = await startTestServer({}, { logTo: { write: (line: string) => void lines.push(line) } });
  try {
    const secret = `query-secret-${randomUUID()}`;
    const res = await fetch(`${logged.baseUrl}/oauth2/client/token?client_id=someone&client_secret=${secret}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    await expectOAuthError(res, 400, 'invalid_request');
    const assertionInUrl = await fetch(`${logged.baseUrl}/oauth2/client/token?client_assertion=${secret}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });
    await expectOAuthError(assertionInUrl, 400, 'invalid_request');
    const requestLines = lines.filter((line) => line.includes('/oauth2/client/token'));
    assert.equal(requestLines.length, 2, 'both requests were logged');
    for (const line of requestLines) {
      assert.ok(!line.includes(secret), `the secret is not in the log: ${line}`);
      assert.match(line, /\[redacted\]/);
    }
  } finally {
    await logged.close();
  }
});
