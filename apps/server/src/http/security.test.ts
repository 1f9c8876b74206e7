import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createStaffUser } from '../staff/staff-users.js';
import { errorCode, graphqlClient } from '../testing/graphql-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

const LOGIN = 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { staff { email } } }';

describe('with the default configuration', () => {
  let server: TestServer;
  let password: string;
  before(async () => {
    server = await startTestServer({ GRAPHQL_MAX_COST: '40' });
    ({ password } = await createStaffUser(server.ctx.db.pool, { email: 'cookie@example.org', role: 'auditor' }));
  });
  after(() => server.close());

  test('every answer carries the security headers; the CSP allows only this server, no inline script, no framing', async () => {
    for (const path of ['/admin/', '/graphql', '/docs', '/readyz', '/no-such-page']) {
      const res = await fetch(`${server.baseUrl}${path}`, { headers: { accept: 'text/html' } });
      const csp = res.headers.get('content-security-policy') ?? '';
      assert.match(csp, /default-src 'self'/, path);
      assert.match(csp, /script-src 'self'(;|$)/, `${path}: scripts from files of this server only`);
      assert.match(csp, /frame-ancestors 'none'/, path);
      assert.match(csp, /object-src 'none'/, path);
      assert.doesNotMatch(csp, /upgrade-insecure-requests/, 'served over http: no upgrade');
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(res.headers.get('x-frame-options'), 'SAMEORIGIN', path);
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer', path);
      assert.equal(res.headers.get('strict-transport-security'), null, 'no HSTS over http');
      assert.equal(res.headers.get('x-powered-by'), null);
      await res.arrayBuffer();
    }
  });

  test('no CORS unless configured: preflights are refused, answers name no allowed origin', async () => {
    const preflight = await fetch(`${server.baseUrl}/registry/sync/search`, {
      method: 'OPTIONS',
      headers: { origin: 'https://portal.example.org', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    assert.equal(preflight.status, 403);
    assert.equal(preflight.headers.get('access-control-allow-origin'), null);
    assert.equal(((await preflight.json()) as { error: string }).error, 'cors_refused');
    const simple = await fetch(`${server.baseUrl}/.well-known/jwks.json`, { headers: { origin: 'https://portal.example.org' } });
    assert.equal(simple.status, 200);
    assert.equal(simple.headers.get('access-control-allow-origin'), null);
  });

  test('the staff session cookie: HttpOnly, SameSite=Strict, path /, not Secure over plain http', async () => {
    const res = await fetch(`${server.baseUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: LOGIN, variables: { e: 'cookie@example.org', p: password } }) });
    const cookie = res.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^dci_session=/);
    assert.match(cookie, /; HttpOnly/);
    assert.match(cookie, /; SameSite=Strict/);
    assert.match(cookie, /; Path=\//);
    assert.doesNotMatch(cookie, /; Secure/);
  });

  test('behind a TLS-terminating proxy on loopback (X-Forwarded-Proto: https) the cookie is Secure', async () => {
    const res = await fetch(`${server.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
      body: JSON.stringify({ query: LOGIN, variables: { e: 'cookie@example.org', p: password } }),
    });
    assert.match(res.headers.get('set-cookie') ?? '', /; Secure/);
  });

  test('GraphQL queries costlier than GRAPHQL_MAX_COST are refused before they run; cheap ones run', async () => {
    const gql = graphqlClient(server);
    assert.equal((await gql('{ me { email role } }')).errors, undefined);
    const costly = await gql(`{ ${Array.from({ length: 30 }, (_, i) => `m${i}: me { email role }`).join(' ')} }`);
    assert.equal(costly.status, 400);
    assert.equal(errorCode(costly), 'GRAPHQL_VALIDATION_FAILED');
    assert.match(costly.errors?.[0]?.message ?? '', /cost/i);
  });
});

describe('with PUBLIC_URL on https and CORS_ORIGINS set', () => {
  let server: TestServer;
  let password: string;
  before(async () => {
    server = await startTestServer({ CORS_ORIGINS: 'https://portal.example.org, https://other.example.org' });
    ({ password } = await createStaffUser(server.ctx.db.pool, { email: 'tls@example.org', role: 'auditor' }));
    // startTestServer sets PUBLIC_URL to its loopback address; these checks are about an https one.
    server.ctx.config.publicUrl = 'https://dci.example.org';
  });
  after(() => server.close());

  test('a listed origin gets its preflight answered and the answers name it; any other origin is refused', async () => {
    const ask = (origin: string) =>
      fetch(`${server.baseUrl}/registry/sync/search`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } });
    const allowed = await ask('https://portal.example.org');
    assert.equal(allowed.status, 204);
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://portal.example.org');
    assert.match(allowed.headers.get('access-control-allow-headers') ?? '', /Authorization/);
    assert.equal(allowed.headers.get('access-control-allow-credentials'), null, 'no cookies cross-origin');
    const refused = await ask('https://evil.example.net');
    assert.equal(refused.status, 403);
    assert.equal(refused.headers.get('access-control-allow-origin'), null);

    const jwks = await fetch(`${server.baseUrl}/.well-known/jwks.json`, { headers: { origin: 'https://other.example.org' } });
    assert.equal(jwks.headers.get('access-control-allow-origin'), 'https://other.example.org');
    const foreign = await fetch(`${server.baseUrl}/.well-known/jwks.json`, { headers: { origin: 'https://evil.example.net' } });
    assert.equal(foreign.headers.get('access-control-allow-origin'), null);
  });

  test('the session cookie is Secure when PUBLIC_URL is https', async () => {
    const res = await fetch(`${server.baseUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: LOGIN, variables: { e: 'tls@example.org', p: password } }) });
    assert.match(res.headers.get('set-cookie') ?? '', /; Secure/);
  });
});
