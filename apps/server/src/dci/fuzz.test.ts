import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { JsonWebKey } from 'node:crypto';
import { after, before, test } from 'node:test';
import { isDciCode, signEnvelope } from '@dci-server/dci';
import fc from 'fast-check';
import { seedDemoRegistry } from '../registry/seed.js';
import { bodyEncoding, contentType, expression, mutate, mutation, nastyJson, nastyKey, nastyString, pagination, sort } from '../testing/fuzz-arbitraries.js';
import { assertMemoryBounded, assertStillServing, describe, FUZZ_SEED, fuzzRuns, FuzzTally, send, type FuzzRequest } from '../testing/fuzz-run.js';
import { createTestSender, DciTestClient, searchItem } from '../testing/dci-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { DCI_ENDPOINTS } from './routes.js';

/**
 * Generated hostile requests against every DCI endpoint of a running server, over real HTTP, most
 * of them with a valid token and a real signature over the mutated envelope. Whatever comes in:
 * no 5xx, exactly one audit record per request, every code in the answer from our catalogue.
 * 700 cases here, 7,000 with RELIABILITY_FULL=1 (`npm run test:reliability`).
 */
let server: TestServer;
let client: DciTestClient;
const tally = new FuzzTally();

before(async () => {
  // No rate limit: the fuzzer sends thousands of requests a minute as one sender.
  server = await startTestServer({ RATE_LIMIT_PER_MINUTE: '0' });
  await seedDemoRegistry(server.ctx.db.pool, 60);
  client = new DciTestClient(server.baseUrl, await createTestSender(server.ctx, 'fuzz-sender'));
});
after(() => server?.close());

const now = () => new Date().toISOString();
const criteria = (extra: Record<string, unknown> = {}) => searchItem('r1', { query_type: 'idtype-value', query: { type: 'UIN', value: '1' }, ...extra });

/** A valid message for each endpoint: the starting point the mutations break. */
const MESSAGES: Record<string, () => Record<string, unknown>> = {
  search: () => ({ transaction_id: randomUUID(), search_request: [criteria()] }),
  verify: () => ({ transaction_id: randomUUID(), verify_request: [{ reference_id: 'v', timestamp: now(), verify_criteria: { identifier: { type: 'UIN', value: '1' }, claims: { is_alive: true } } }] }),
  txn_status: () => ({ transaction_id: randomUUID(), txnstatus_request: { reference_id: 'q', txn_type: 'search', attribute_type: 'transaction_id', attribute_value: 'known' } }),
  subscribe: () => ({ transaction_id: randomUUID(), subscribe_request: [{ reference_id: 's', timestamp: now(), subscribe_criteria: { reg_event_type: 'REGISTER', filter_type: 'expression', filter: {}, notify_record_type: 'Person' } }] }),
  unsubscribe: () => ({ transaction_id: randomUUID(), timestamp: now(), subscription_codes: ['SUB-UNKNOWN'] }),
  notify: () => ({
    transaction_id: randomUUID(),
    notify_event: [{ reference_id: 'n', timestamp: now(), data: { reg_event_type: 'REGISTER', reg_record_type: 'Person', reg_records: { '@type': 'Person', identifier: [{ identifier_type: 'UIN', identifier_value: `FUZZ-${randomUUID()}` }], name: { given_name: 'Fuzz', surname: 'Case' }, sex: 'other' } } }],
  }),
};
const COMPACT: Record<string, () => Record<string, unknown>> = {
  '/search': () => ({ transaction_id: randomUUID(), search_criteria: { uin: '1' } }),
  '/verify': () => ({ transaction_id: randomUUID(), verify: { uin: '1', is_alive: true } }),
  '/subscribe': () => ({ transaction_id: randomUUID(), subscription: { event_type: 'death', callback_url: 'http://127.0.0.1:9/registry/notify' } }),
};
const ACTIONS: Record<string, string> = { search: 'search', verify: 'verify', txn_status: 'txn-status', subscribe: 'subscribe', unsubscribe: 'unsubscribe', notify: 'notify' };

const dciCase = fc.record({
  endpoint: fc.nat(DCI_ENDPOINTS.length - 1),
  /** For searches: a generated expression query, pagination and sort in place of the plain one. */
  query: fc.option(fc.record({ query: expression, pagination, sort, recordType: fc.option(fc.oneof(fc.constantFrom('Person', 'Group'), nastyString)) }), { freq: 2 }),
  mutations: fc.array(mutation, { maxLength: 3 }),
  headerExtras: fc.option(fc.dictionary(nastyKey, nastyJson, { maxKeys: 3 }), { freq: 4 }),
  signing: fc.constantFrom('after', 'after', 'after', 'before', 'none', 'garbage'),
  auth: fc.oneof({ arbitrary: fc.constant('token'), weight: 8 }, fc.constantFrom('none', 'garbage', 'basic', 'bearer-only'), nastyString.map((s) => s.replace(/[^\x21-\x7e]/g, '').slice(0, 200))),
  contentType,
  encoding: bodyEncoding,
  method: fc.oneof({ arbitrary: fc.constant('POST'), weight: 20 }, fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH')),
});
type DciCase = typeof dciCase extends fc.Arbitrary<infer T> ? T : never;

/** Signs the envelope as it is now with the sender's real key; some broken envelopes cannot be signed at all and keep what they had. */
async function sign(envelope: Record<string, unknown>): Promise<void> {
  try {
    envelope.signature = await signEnvelope(envelope.header, envelope.message, { scheme: client.scheme, privateKey: client.sender.privateJwk as JsonWebKey, kid: client.sender.kid, senderId: client.sender.senderId });
  } catch {
    // e.g. a lone surrogate, which canonical JSON refuses.
  }
}

async function buildRequest(c: DciCase): Promise<FuzzRequest> {
  const endpoint = DCI_ENDPOINTS[c.endpoint]!;
  let body: unknown;
  if (endpoint.compact) {
    body = COMPACT[endpoint.path]!();
  } else {
    const message = MESSAGES[endpoint.operation]!();
    if (c.query && endpoint.operation === 'search') {
      const generated = { query_type: 'expression', query: { type: 'ns:org:QueryType:expression', value: { expression: { collection: c.query.recordType ?? 'Person', query: c.query.query } } }, pagination: c.query.pagination, sort: c.query.sort };
      message.search_request = [criteria(generated)];
    }
    const items = Object.values(message).find(Array.isArray) as unknown[] | undefined;
    const header = client.header(ACTIONS[endpoint.operation]!, items?.length ?? 1, endpoint.operation === 'notify' ? { status: 'succ', ...c.headerExtras } : (c.headerExtras ?? {}));
    body = { header, message };
    if (c.signing === 'before') await sign(body as Record<string, unknown>);
  }
  for (const m of c.mutations) body = mutate(body, m);
  if (!endpoint.compact && body && typeof body === 'object' && !Array.isArray(body)) {
    const envelope = body as Record<string, unknown>;
    if (c.signing === 'none') delete envelope.signature;
    if (c.signing === 'garbage') envelope.signature = 'Signature keyId="x",algorithm="ed25519",headers="(created) (expires) digest",signature="AAAA"';
    if (c.signing === 'after') await sign(envelope);
  }
  const token = await client.accessToken();
  const authorization =
    c.auth === 'token' ? `Bearer ${token}`
    : c.auth === 'none' ? undefined
    : c.auth === 'garbage' ? `Bearer ${token.slice(0, -4)}AAAA`
    : c.auth === 'basic' ? `Basic ${Buffer.from(`${client.sender.clientId}:${client.sender.clientSecret}`).toString('base64')}`
    : c.auth === 'bearer-only' ? 'Bearer'
    : c.auth;
  const headers: Record<string, string> = { ...(c.contentType === undefined ? {} : { 'content-type': c.contentType }), ...(authorization ? { authorization } : {}) };
  return { method: c.method, path: endpoint.path, headers, text: JSON.stringify(body) ?? '', encoding: c.encoding };
}

const auditCount = async () => (await server.ctx.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM dci_transaction')).rows[0]!.n;

/** Every reason or error code anywhere in a DCI answer. */
function codesIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) codesIn(v, found);
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if ((key === 'status_reason_code' || key === 'code') && typeof v === 'string') found.push(v);
      else codesIn(v, found);
    }
  }
  return found;
}

test(`DCI endpoints: ${fuzzRuns(700)} generated hostile requests, no 5xx, one audit record each, only catalogued codes`, { timeout: 30 * 60_000 }, async (t) => {
  const firstAudit = await auditCount();
  await fc.assert(
    fc.asyncProperty(dciCase, async (c) => {
      const audited = await auditCount();
      const request = await buildRequest(c);
      const answer = await send(server.baseUrl, request);
      tally.count(answer);
      const why = describe(request, answer);
      assert.ok(answer.status < 500, `5xx\n${why}`);
      assert.ok(answer.json && typeof answer.json === 'object', `the answer is not JSON\n${why}`);
      const unknown = codesIn(answer.json).filter((code) => !isDciCode(code));
      assert.deepEqual(unknown, [], `codes not in the catalogue\n${why}`);
      assert.equal((await auditCount()) - audited, 1, `exactly one audit record for the request\n${why}`);
      assertMemoryBounded();
    }),
    { numRuns: fuzzRuns(700), seed: FUZZ_SEED, includeErrorInReport: true },
  );
  await assertStillServing(server.baseUrl);
  t.diagnostic(`DCI fuzz: ${tally}; audit records ${(await auditCount()) - firstAudit} for ${tally.cases} requests`);
});
