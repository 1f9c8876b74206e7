import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { createTestSender, type TestSender } from '../testing/dci-client.js';
import { bodyEncoding, contentType, nastyKey, nastyString } from '../testing/fuzz-arbitraries.js';
import { assertMemoryBounded, assertStillServing, describe, FUZZ_SEED, fuzzRuns, FuzzTally, send, type FuzzRequest } from '../testing/fuzz-run.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

/**
 * Generated requests to the OAuth token endpoint: odd forms, credentials in every place and shape,
 * wrong content types and encodings. Whatever comes in: no 5xx, an RFC 6749 error body or a token.
 * 100 cases here, 1,000 with RELIABILITY_FULL=1 (`npm run test:reliability`).
 */
const OAUTH_ERRORS = new Set(['invalid_request', 'invalid_client', 'unsupported_grant_type', 'invalid_scope']);
let server: TestServer;
let sender: TestSender;
const tally = new FuzzTally();

before(async () => {
  server = await startTestServer();
  sender = await createTestSender(server.ctx, 'token-fuzz', ['search', 'verify']);
});
after(() => server?.close());

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

const tokenCase = fc.record({
  grantType: fc.option(fc.oneof({ arbitrary: fc.constant('client_credentials'), weight: 6 }, nastyString), { freq: 8 }),
  scope: fc.option(fc.oneof(fc.constantFrom('search', 'search verify', 'notify', ' ', ''), nastyString), { freq: 2 }),
  fields: fc.dictionary(
    fc.oneof(fc.constantFrom('grant_type', 'scope', 'client_id', 'client_secret', 'client_assertion', 'client_assertion_type'), nastyKey),
    fc.oneof(fc.constantFrom('client_credentials', 'password', 'search', 'search verify', 'notify', 'token-fuzz', ''), nastyString, fc.array(nastyString, { maxLength: 3 })),
    { maxKeys: 3 },
  ),
  credentials: fc.constantFrom('valid-basic', 'wrong-secret', 'body', 'none', 'malformed-basic', 'bearer'),
  // Short: Node answers 431 to a request line and headers over 16 KiB before any app code runs.
  query: fc.option(fc.dictionary(fc.constantFrom('client_secret', 'grant_type', 'x'), nastyString.map((s) => s.slice(0, 200)), { maxKeys: 2 })),
  contentType: fc.oneof({ arbitrary: fc.constant('application/x-www-form-urlencoded'), weight: 6 }, contentType),
  encoding: bodyEncoding,
  method: fc.oneof({ arbitrary: fc.constant('POST'), weight: 10 }, fc.constantFrom('GET', 'PUT')),
});

test(`token endpoint: ${fuzzRuns(100)} generated requests, no 5xx, RFC 6749 answers`, { timeout: 30 * 60_000 }, async (t) => {
  await fc.assert(
    fc.asyncProperty(tokenCase, async (c) => {
      const form = new URLSearchParams();
      if (c.grantType !== null) form.append('grant_type', c.grantType);
      if (c.scope !== null) form.append('scope', c.scope);
      for (const [key, value] of Object.entries(c.fields)) for (const v of [value].flat()) form.append(key, v);
      if (c.credentials === 'body') {
        form.set('client_id', sender.clientId);
        form.set('client_secret', sender.clientSecret);
      }
      const authorization =
        c.credentials === 'valid-basic' ? basic(sender.clientId, sender.clientSecret)
        : c.credentials === 'wrong-secret' ? basic(sender.clientId, 'not-the-secret')
        : c.credentials === 'malformed-basic' ? 'Basic %%%not-base64'
        : c.credentials === 'bearer' ? 'Bearer x'
        : undefined;
      const request: FuzzRequest = {
        method: c.method,
        path: `/oauth2/client/token${c.query ? `?${new URLSearchParams(c.query)}` : ''}`,
        headers: { ...(c.contentType === undefined ? {} : { 'content-type': c.contentType }), ...(authorization ? { authorization } : {}) },
        text: form.toString(),
        encoding: c.encoding,
      };
      const answer = await send(server.baseUrl, request);
      tally.count(answer);
      const why = describe(request, answer);
      assert.ok(answer.status < 500, `5xx\n${why}`);
      const body = answer.json as { error?: string; access_token?: string } | undefined;
      assert.ok(answer.status === 200 ? typeof body?.access_token === 'string' : OAUTH_ERRORS.has(body?.error ?? ''), `not an RFC 6749 answer\n${why}`);
      assertMemoryBounded();
    }),
    { numRuns: fuzzRuns(100), seed: FUZZ_SEED, includeErrorInReport: true },
  );
  await assertStillServing(server.baseUrl);
  t.diagnostic(`token fuzz: ${tally}`);
});
