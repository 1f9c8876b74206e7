import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { createTestSender, DciTestClient, searchItem } from '../testing/dci-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

/**
 * Whatever bytes a request carries, it gets exactly one audit record and a 4xx with a DCI code,
 * decided before any handler work; never a 5xx, never a lost record.
 */
let server: TestServer;
let notifier: DciTestClient;

before(async () => {
  server = await startTestServer();
  notifier = new DciTestClient(server.baseUrl, await createTestSender(server.ctx, 'hostile-registry'));
});
after(() => server.close());

interface Answer {
  status: number;
  headers: Headers;
  text?: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
  body: Record<string, any>;
}

async function send(path: string, body: string | Buffer | undefined, headers: Record<string, string> = { 'content-type': 'application/json' }, method = 'POST'): Promise<Answer> {
  const res = await fetch(`${server.baseUrl}${path}`, { method, headers, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: JSON.parse(text) };
}

const auditCount = async () => (await server.ctx.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM dci_transaction')).rows[0]!.n;
const sha256 = (bytes: string | Buffer) => createHash('sha256').update(bytes).digest('hex');

interface AuditRow {
  reason_code: string;
  http_status: number;
  request_sha256: string | null;
  message_id: string | null;
  request: unknown;
}

/** Sends one request and checks: the status and DCI code, no stack trace, and exactly one audit record carrying that code. */
async function expectRefused(request: () => Promise<Answer>, status: number, code: string): Promise<{ answer: Answer; row: AuditRow }> {
  const before = await auditCount();
  const answer = await request();
  const text = answer.text ?? JSON.stringify(answer.body);
  assert.equal(answer.status, status, text);
  assert.equal(answer.body.errors?.[0]?.code, code, text);
  assert.doesNotMatch(text, /node_modules|\/work\/|\.ts:\d+|\bat \S+ \(/, 'no stack trace or file path');
  assert.equal((await auditCount()) - before, 1, 'exactly one audit record');
  const { rows } = await server.ctx.db.pool.query<AuditRow>('SELECT reason_code, http_status, request_sha256, message_id, request FROM dci_transaction WHERE correlation_id = $1', [answer.body.message.correlation_id]);
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.reason_code, code);
  assert.equal(rows[0]!.http_status, status);
  return { answer, row: rows[0]! };
}

const json = { 'content-type': 'application/json' };
const deepObject = '{"a":'.repeat(3000) + '1' + '}'.repeat(3000);

interface HostileCase {
  name: string;
  body: string | Buffer;
  headers?: Record<string, string>;
  status: number;
  code: string;
  /** The bytes the server read, when it could read them (their SHA-256 is in the audit record). */
  read?: string | Buffer;
}

const CASES: HostileCase[] = [
  { name: 'NUL in a string (\\u0000)', body: '{"header":{"a":"\\u0000"}}', status: 400, code: 'err.request.invalid_string' },
  { name: 'NUL in a key', body: '{"header":{"a\\u0000b":1}}', status: 400, code: 'err.request.invalid_string' },
  { name: 'lone high surrogate (\\ud800)', body: '{"header":{"a":"\\ud800"}}', status: 400, code: 'err.request.invalid_string' },
  { name: 'lone low surrogate in a list', body: '{"message":{"x":["ok","\\udc00x"]}}', status: 400, code: 'err.request.invalid_string' },
  { name: 'objects nested 3,000 deep', body: deepObject, status: 400, code: 'err.request.too_deep' },
  { name: 'arrays nested 3,000 deep', body: '['.repeat(3000) + ']'.repeat(3000), status: 400, code: 'err.request.too_deep' },
  { name: 'raw control bytes', body: '{"header":{"a":"\u0000\u0001\u001f"}}', status: 400, code: 'err.request.malformed_json' },
  { name: 'bytes that are not UTF-8', body: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0xff, 0x22, 0x7d]), status: 400, code: 'err.request.invalid_string' },
  { name: 'a 500,000-character message_id', body: JSON.stringify({ header: { message_id: 'm'.repeat(500_000) } }), status: 400, code: 'err.request.value_too_long' },
  { name: 'a 1,000-character reference_id', body: JSON.stringify({ message: { search_request: [{ reference_id: 'r'.repeat(1000) }] } }), status: 400, code: 'err.request.value_too_long' },
  { name: 'a 1,000-character subscription code', body: JSON.stringify({ message: { subscription_codes: ['s'.repeat(1000)] } }), status: 400, code: 'err.request.value_too_long' },
  { name: 'a 20,000-character string', body: JSON.stringify({ message: { note: 'x'.repeat(20_000) } }), status: 400, code: 'err.request.value_too_long' },
  { name: 'a 1,000-character key', body: JSON.stringify({ message: { ['k'.repeat(1000)]: 1 } }), status: 400, code: 'err.request.value_too_long' },
  { name: 'malformed JSON', body: '{"header": {"a": secret-token}', status: 400, code: 'err.request.malformed_json' },
  { name: 'Content-Type text/plain', body: '{}', headers: { 'content-type': 'text/plain' }, status: 415, code: 'err.request.unsupported_media_type', read: undefined },
  { name: 'charset=utf-7', body: '{}', headers: { 'content-type': 'application/json; charset=utf-7' }, status: 415, code: 'err.request.unsupported_media_type', read: undefined },
  { name: 'Content-Encoding: compress', body: '{}', headers: { ...json, 'content-encoding': 'compress' }, status: 415, code: 'err.request.unsupported_encoding', read: undefined },
  { name: 'an invalid gzip body', body: 'not gzip at all', headers: { ...json, 'content-encoding': 'gzip' }, status: 400, code: 'err.request.unreadable_body', read: undefined },
  { name: 'Content-Encoding: br on a body that is not brotli', body: 'not brotli', headers: { ...json, 'content-encoding': 'br' }, status: 400, code: 'err.request.unreadable_body', read: undefined },
  { name: 'NUL inside a gzip body', body: gzipSync('{"header":{"a":"\\u0000"}}'), headers: { ...json, 'content-encoding': 'gzip' }, status: 400, code: 'err.request.invalid_string', read: '{"header":{"a":"\\u0000"}}' },
];

const HOSTILE_ENDPOINTS = ['/registry/sync/search', '/registry/search', '/registry/sync/txn/status', '/registry/notify', '/search'];

for (const path of HOSTILE_ENDPOINTS) {
  describe(`hostile bodies on ${path} (no token needed)`, () => {
    for (const c of CASES) {
      test(`${c.name} → ${c.status} ${c.code}, one audit record`, async () => {
        const { row } = await expectRefused(() => send(path, c.body, c.headers ?? json), c.status, c.code);
        const read = 'read' in c ? c.read : c.body;
        assert.equal(row.request_sha256, read === undefined ? null : sha256(read), 'the digest of the body as read');
      });
    }
    test('GET → 405 with Allow: POST, a DCI error body, one audit record', async () => {
      const { answer } = await expectRefused(() => send(path, undefined, {}, 'GET'), 405, 'err.request.method_not_allowed');
      assert.equal(answer.headers.get('allow'), 'POST');
    });
  });
}

test('the audit record keeps what jsonb cannot hold as escape text, next to the digest of the exact bytes', async () => {
  const body = '{"header":{"message_id":"m\\u0000x","a":"\\ud800"},"message":{"transaction_id":"t\\u0000"}}';
  const { row } = await expectRefused(() => send('/registry/sync/search', body), 400, 'err.request.invalid_string');
  assert.deepEqual(row.request, { header: { message_id: 'm\\u0000x', a: '\\ud800' }, message: { transaction_id: 't\\u0000' } });
  assert.equal(row.message_id, 'm\\u0000x', 'the refused message still names its message_id');
  assert.equal(row.request_sha256, sha256(body));
});

test('the refusal does not echo the input back (malformed JSON)', async () => {
  const { answer } = await expectRefused(() => send('/registry/sync/search', '{"a": "\u0000 secret-token'), 400, 'err.request.malformed_json');
  assert.doesNotMatch(answer.text!, /secret-token/);
});

test('gzip and brotli bodies that decode are read like plain ones', async () => {
  for (const [encoding, body] of [['gzip', gzipSync('{}')], ['br', brotliCompressSync('{}')], ['deflate', deflateSync('{}')]] as const) {
    const { row } = await expectRefused(() => send('/registry/sync/search', body, { ...json, 'content-encoding': encoding }), 401, 'err.auth.missing_token');
    assert.equal(row.request_sha256, sha256('{}'));
  }
});

test('a validly signed request with a 500,000-character message_id → 400, one audit record (was 500 "index row size")', async () => {
  const client = new DciTestClient(server.baseUrl, await createTestSender(server.ctx));
  const message = { transaction_id: randomUUID(), search_request: [searchItem('r1', { query_type: 'idtype-value', query: { type: 'UIN', value: '1' } })] };
  const envelope = await client.envelope(client.header('search', 1, { message_id: 'm'.repeat(500_000) }), message);
  const { row } = await expectRefused(() => client.post('/registry/sync/search', envelope), 400, 'err.request.value_too_long');
  assert.equal(row.message_id?.length, 200, 'the stored message_id is cut');
});

/** A CRVS notify of one new person, signed by the registry. */
async function notifyEnvelope(referenceId: string, uin: string, extraIdentifiers: { identifier_type: string; identifier_value: string }[] = []) {
  const message = {
    transaction_id: randomUUID(),
    notify_event: [
      {
        reference_id: referenceId,
        timestamp: new Date().toISOString(),
        data: {
          reg_event_type: 'LiveBirth',
          reg_record_type: 'Person',
          reg_records: { '@type': 'Person', identifier: [{ identifier_type: 'UIN', identifier_value: uin }, ...extraIdentifiers], name: { given_name: 'Hostile', surname: 'Input' }, sex: 'female', birth_date: '2026-11-01' },
        },
      },
    ],
  };
  return notifier.envelope(notifier.header('notify', 1, { status: 'succ' }), message);
}

const personsWith = async (uin: string) =>
  (await server.ctx.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM person_identifier WHERE identifier_type = 'UIN' AND identifier_value = $1`, [uin])).rows[0]!.n;
const eventsOf = async (uin: string) =>
  (await server.ctx.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM registry_event e JOIN person_identifier i ON i.person_id = e.record_id WHERE i.identifier_value = $1`, [uin])).rows[0]!.n;

test('signed inbound notify with reference_id "evt\\u0000x" → 400, nothing written, one audit record (was: person committed, 503, no record)', async () => {
  const uin = `NUL-${randomUUID()}`;
  await expectRefused(async () => notifier.post('/registry/notify', await notifyEnvelope('evt\u0000x', uin)), 400, 'err.request.invalid_string');
  assert.equal(await personsWith(uin), 0, 'no person written');
});

test('inbound notify: the registry change, its message_id and its audit record commit together, or none does', async () => {
  const uin = `OK-${randomUUID()}`;
  const before = await auditCount();
  const accepted = await notifier.post('/registry/notify', await notifyEnvelope('evt-ok', uin));
  assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
  assert.equal(await personsWith(uin), 1);
  assert.equal(await eventsOf(uin), 2, 'REGISTER and LiveBirth');
  assert.equal((await auditCount()) - before, 1);

  // The store refuses the success record (a real trigger, as a failing disk or constraint would): the change is rolled back.
  const refused = `FAIL-${randomUUID()}`;
  await server.ctx.db.pool.query(`CREATE FUNCTION refuse_notify_audit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW.endpoint = '/registry/notify' AND NEW.http_status = 200 THEN RAISE EXCEPTION 'audit store failing'; END IF; RETURN NEW; END $$`);
  await server.ctx.db.pool.query('CREATE TRIGGER refuse_notify_audit BEFORE INSERT ON dci_transaction FOR EACH ROW EXECUTE FUNCTION refuse_notify_audit()');
  const envelope = await notifyEnvelope('evt-fail', refused);
  try {
    const auditsBefore = await auditCount();
    const reply = await notifier.post('/registry/notify', envelope);
    assert.ok(reply.status >= 500, 'a server fault, reported as one');
    assert.equal(await personsWith(refused), 0, 'no change without its audit record');
    assert.equal((await auditCount()) - auditsBefore, 1, 'the failure itself is recorded');
  } finally {
    await server.ctx.db.pool.query('DROP TRIGGER refuse_notify_audit ON dci_transaction; DROP FUNCTION refuse_notify_audit()');
  }
  // Nothing was kept, not even the message_id: the sender's retry of the same message is applied, then a replay is refused.
  const retry = await notifier.post('/registry/notify', envelope);
  assert.equal(retry.status, 200, JSON.stringify(retry.body));
  assert.equal(await personsWith(refused), 1);
  const replay = await notifier.post('/registry/notify', envelope);
  assert.equal(replay.status, 409);
  assert.equal(replay.body.errors[0].code, 'rjct.message_id.duplicate');
});

test('a client that hangs up while sending its body is audited err.request.aborted, not 500 err.internal', async () => {
  const before = await auditCount();
  const socket = net.connect(Number(new URL(server.baseUrl).port), '127.0.0.1');
  await once(socket, 'connect');
  // Expect: 100-continue makes the server answer as soon as our request reached it; then we send half the body and hang up.
  socket.write('POST /registry/sync/search HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n');
  const [chunk] = (await once(socket, 'data')) as [Buffer];
  assert.match(chunk.toString(), /^HTTP\/1.1 100 Continue/);
  socket.write('{"header": {');
  socket.destroy();
  let rows: { reason_code: string; http_status: number }[] = [];
  for (let i = 0; i < 100 && rows.length === 0; i++) {
    await sleep(50);
    rows = (await server.ctx.db.pool.query(`SELECT reason_code, http_status FROM dci_transaction WHERE reason_code = 'err.request.aborted'`)).rows;
  }
  assert.deepEqual(rows, [{ reason_code: 'err.request.aborted', http_status: 499 }]);
  assert.equal((await auditCount()) - before, 1);
});

test('the limits are exact: 32 levels, 128-character ids and 16,384-character strings pass the body checks (a token is asked next)', async () => {
  const nested = (depth: number) => '['.repeat(depth - 1) + '{}' + ']'.repeat(depth - 1);
  await expectRefused(() => send('/registry/sync/search', nested(32)), 401, 'err.auth.missing_token');
  await expectRefused(() => send('/registry/sync/search', nested(33)), 400, 'err.request.too_deep');
  await expectRefused(() => send('/registry/sync/search', JSON.stringify({ header: { message_id: 'm'.repeat(128) }, message: { note: 'n'.repeat(16_384) } })), 401, 'err.auth.missing_token');
  await expectRefused(() => send('/registry/sync/search', JSON.stringify({ header: { message_id: 'm'.repeat(129) } })), 400, 'err.request.value_too_long');
  await expectRefused(() => send('/registry/sync/search', JSON.stringify({ message: { note: 'n'.repeat(16_385) } })), 400, 'err.request.value_too_long');
  await expectRefused(() => send('/registry/sync/search', JSON.stringify({ header: { a: '\\u0000 as text is fine', b: 'pair 😀 is fine' } })), 401, 'err.auth.missing_token');
});

test('a signed notify whose identifiers belong to two different persons → 400 with the reason, nothing merged (was 500)', async () => {
  const [first, second] = [`A-${randomUUID()}`, `B-${randomUUID()}`];
  assert.equal((await notifier.post('/registry/notify', await notifyEnvelope('evt-a', first))).status, 200);
  assert.equal((await notifier.post('/registry/notify', await notifyEnvelope('evt-b', second, [{ identifier_type: 'NationalID', identifier_value: `N-${second}` }]))).status, 200);
  const { answer } = await expectRefused(async () => notifier.post('/registry/notify', await notifyEnvelope('evt-both', first, [{ identifier_type: 'NationalID', identifier_value: `N-${second}` }])), 400, 'err.request.bad');
  assert.match(JSON.stringify(answer.body), /belong to 2 different persons/);
  assert.equal(await personsWith(first), 1);
  assert.equal(await personsWith(second), 1);
});

test('a validly signed notify envelope without a message → 400, one audit record (was 500; found by fuzzing)', async () => {
  const header = notifier.header('notify', 1, { status: 'succ' });
  const envelope = await notifier.envelope(header, undefined);
  const { answer } = await expectRefused(() => notifier.post('/registry/notify', envelope), 400, 'err.request.bad');
  assert.match(answer.body.errors[0].message, /no message/);
});

test('a validly signed search whose header.version is {"toString": null} → 400 rjct.version.invalid (was 500; found by fuzzing)', async () => {
  const client = new DciTestClient(server.baseUrl, await createTestSender(server.ctx));
  const message = { transaction_id: randomUUID(), search_request: [searchItem('r1', { query_type: 'idtype-value', query: { type: 'UIN', value: '1' } })] };
  const envelope = await client.envelope(client.header('search', 1, { version: { toString: null } }), message);
  await expectRefused(() => client.post('/registry/sync/search', envelope), 400, 'rjct.version.invalid');
});
