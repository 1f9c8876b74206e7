import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { AppContext } from '../context.js';
import { createTestContext } from '../testing/test-server.js';
import { auditableRequest, recordTransaction, recordTransactions, storableText, type AuditEntry } from './audit.js';

let ctx: AppContext;
before(async () => {
  ctx = await createTestContext();
});
after(() => ctx.db.close());

const entry = (request: unknown, response: unknown, ids: Partial<AuditEntry> = {}): AuditEntry => ({
  correlationId: randomUUID(),
  operation: 'search',
  endpoint: '/registry/sync/search',
  request,
  response,
  httpStatus: 400,
  dciStatus: 'rjct',
  durationMs: 1,
  ...ids,
});

test('unstorable characters become their escape text; well-formed text is untouched', () => {
  assert.equal(storableText('a\u0000b\ud800c\udc00'), 'a\\u0000b\\ud800c\\udc00');
  assert.equal(storableText('pair 😀 ok'), 'pair 😀 ok');
});

test('an oversized request keeps a storable head even when the cut falls inside a surrogate pair', async () => {
  const body = { pad: `x${'😀'.repeat(40_000)}` }; // the 64 KiB cut lands between the halves of a pair
  const kept = auditableRequest(body) as { truncated: boolean; head: string };
  assert.equal(kept.truncated, true);
  assert.doesNotMatch(kept.head, /[\uD800-\uDBFF]$/);
  await recordTransaction(ctx.db.pool, entry(body, null));
});

test('whatever a request and our answer hold, the record is written: NUL and lone surrogates in keys, values and ids', async () => {
  const correlation = entry({ 'k\u0000': ['\ud800', { client_secret: 's' }] }, { errors: [{ message: 'echo \u0000 \udfff' }] }, { messageId: 'm\u0000'.repeat(300), transactionId: 't\ud800' });
  await recordTransaction(ctx.db.pool, correlation);
  const { rows } = await ctx.db.pool.query('SELECT request, response, message_id, transaction_id FROM dci_transaction WHERE correlation_id = $1', [correlation.correlationId]);
  assert.deepEqual(rows[0].request, { 'k\\u0000': ['\\ud800', { client_secret: '[redacted]' }] });
  assert.deepEqual(rows[0].response, { errors: [{ message: 'echo \\u0000 \\udfff' }] });
  assert.equal(rows[0].transaction_id, 't\\ud800');
  assert.ok(rows[0].message_id.startsWith('m\\u0000m'));
});

test('our answer is kept whole (transaction status replays it)', async () => {
  const response = { message: { search_response: [{ reference_id: 'r', data: { reg_records: Array.from({ length: 2000 }, (_, i) => ({ id: i, name: 'x'.repeat(50) })) } }] } };
  const record = entry({}, response);
  await recordTransaction(ctx.db.pool, record);
  const { rows } = await ctx.db.pool.query('SELECT response FROM dci_transaction WHERE correlation_id = $1', [record.correlationId]);
  assert.deepEqual(rows[0].response, response);
});

test('records written in one group are stored as one by one, and their ids come back in order', async () => {
  const entries = [entry({ a: 1 }, { ok: true }), entry({ 'k\u0000': '\ud800' }, { errors: [{ message: 'x\u0000' }] }, { messageId: 'm-2' }), entry(null, null, { transactionId: 't-3', reasonCode: 'err.x' })];
  const ids = await recordTransactions(ctx.db.pool, entries);
  assert.equal(ids.length, 3);
  for (const [i, e] of entries.entries()) {
    const { rows } = await ctx.db.pool.query('SELECT id, request, response, message_id, transaction_id, reason_code FROM dci_transaction WHERE correlation_id = $1', [e.correlationId]);
    assert.equal(rows[0].id, ids[i]);
  }
  const { rows } = await ctx.db.pool.query('SELECT request, response, message_id FROM dci_transaction WHERE id = $1', [ids[1]]);
  assert.deepEqual(rows[0], { request: { 'k\\u0000': '\\ud800' }, response: { errors: [{ message: 'x\\u0000' }] }, message_id: 'm-2' });
});
