import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REQUEST_PATHS, OUTBOUND_KINDS, compileAll, validateOutbound, validateRequest } from './schemas.js';
import { searchEnvelope, searchHeader } from './testing/fixtures.js';
import { ackBody } from './ack.js';
import { DciError, errorBody } from './errors.js';

test('compileAll compiles every request and outbound validator', () => {
  compileAll();
  assert.equal(REQUEST_PATHS.length, 14); // 11 social spec paths + 2 VERIFY paths + the CRVS notify
  assert.ok(OUTBOUND_KINDS.includes('on-search'));
});

test('a correct expression search validates on async and sync search', () => {
  assert.deepEqual(validateRequest('/registry/search', searchEnvelope()), { ok: true });
  assert.deepEqual(validateRequest('/registry/sync/search', searchEnvelope()), { ok: true });
});

test('idtype-value and predicate queries validate, including an integer identifier value', () => {
  const body = searchEnvelope();
  const criteria = body.message.search_request[0]!.search_criteria;
  criteria.query_type = 'idtype-value';
  criteria.query = { type: 'UIN', value: 123 };
  assert.deepEqual(validateRequest('/registry/sync/search', body), { ok: true });
  criteria.query_type = 'predicate';
  criteria.query = [
    { seq_num: 1, expression1: { attribute_name: 'YOB', operator: 'ge', attribute_value: 1980 }, condition: 'and', expression2: { attribute_name: 'sex', operator: 'eq', attribute_value: 'female' } },
  ];
  assert.deepEqual(validateRequest('/registry/sync/search', body), { ok: true });
});

test('missing header fails with a readable error', () => {
  const { header: _header, ...body } = searchEnvelope();
  const result = validateRequest('/registry/search', body);
  assert.equal(result.ok, false);
  assert.ok(!result.ok && result.errors.includes("body: missing required property 'header'"), JSON.stringify(result));
});

test('wrong action enum fails naming the allowed value', () => {
  const body = { ...searchEnvelope(), header: searchHeader({ action: 'subscribe' }) };
  const result = validateRequest('/registry/search', body);
  assert.ok(!result.ok && result.errors.includes('header.action: must be one of "search"'), JSON.stringify(result));
});

test('bad timestamps fail as date-time format errors', () => {
  const body = { ...searchEnvelope(), header: searchHeader({ message_ts: '2024-13-45 noon' }) };
  body.message.search_request[0]!.timestamp = '2024-05-01T10:00:00'; // no zone
  const result = validateRequest('/registry/search', body);
  assert.ok(!result.ok);
  assert.ok(result.errors.includes('header.message_ts: must be a valid date-time'), JSON.stringify(result.errors));
  assert.ok(result.errors.includes('message.search_request.0.timestamp: must be a valid date-time'), JSON.stringify(result.errors));
  // The EncryptedMessage branch of the oneOf is noise for a plain message.
  assert.ok(result.errors.every((e) => !e.includes('ciphertext')), JSON.stringify(result.errors));
});

test('a bad query_type enum and a non-integer page_size fail', () => {
  const body = searchEnvelope();
  const criteria = body.message.search_request[0]!.search_criteria as unknown as Record<string, unknown>;
  criteria.query_type = 'sql';
  criteria.pagination = { page_size: 2.5 };
  const result = validateRequest('/registry/sync/search', body);
  assert.ok(!result.ok);
  assert.ok(result.errors.some((e) => e.endsWith('query_type: must be one of "idtype-value", "expression", "predicate"')), JSON.stringify(result.errors));
  assert.ok(result.errors.some((e) => e.endsWith('pagination.page_size: must be a valid int32')), JSON.stringify(result.errors));
});

test('txn status, subscribe and unsubscribe requests validate', () => {
  const header = (action: string) => searchHeader({ action });
  assert.deepEqual(
    validateRequest('/registry/sync/txn/status', {
      header: header('txn-status'),
      message: { transaction_id: 't1', txnstatus_request: { reference_id: 'r1', txn_type: 'search', attribute_type: 'reference_id_list', attribute_value: ['a', 'b'] } },
    }),
    { ok: true },
  );
  assert.deepEqual(
    validateRequest('/registry/subscribe', {
      header: header('subscribe'),
      message: {
        transaction_id: 't1',
        subscribe_request: [
          {
            reference_id: 'r1',
            timestamp: '2024-05-01T10:00:00Z',
            subscribe_criteria: { reg_event_type: 'REGISTER', filter_type: 'idtype-value', filter: { type: 'UIN', value: '1' }, notify_record_type: 'Person' },
          },
        ],
      },
    }),
    { ok: true },
  );
  assert.deepEqual(
    validateRequest('/registry/unsubscribe', { header: header('unsubscribe'), message: { transaction_id: 't1', timestamp: '2024-05-01T10:00:00Z', subscription_codes: ['S1'] } }),
    { ok: true },
  );
});

test('outbound: a sync search response and an on-search callback validate; a wrong status does not', () => {
  const response = {
    header: { version: '1.0.0', message_id: 'm2', message_ts: '2024-05-01T10:00:01Z', action: 'on-search', status: 'succ', total_count: 1, completed_count: 1, sender_id: 'social.example.org', receiver_id: 'spmis.example.org' },
    message: {
      transaction_id: '0123456789',
      correlation_id: 'c1',
      search_response: [
        {
          reference_id: 'r1',
          timestamp: '2024-05-01T10:00:01Z',
          status: 'succ',
          data: { reg_record_type: 'Group', reg_records: [{ group_size: 4 }] },
          pagination: { page_size: 10, page_number: 1, total_count: 1 },
        },
      ],
    },
  };
  assert.deepEqual(validateOutbound('sync-search-response', response), { ok: true });
  assert.deepEqual(validateOutbound('on-search', response), { ok: true });
  const wrong = structuredClone(response);
  wrong.message.search_response[0]!.status = 'done';
  assert.equal(validateOutbound('on-search', wrong).ok, false);
});

test('outbound: ACK and error bodies validate against Response and HttpErrorResponse', () => {
  const ack = ackBody('c1', { now: new Date('2024-05-01T10:00:00Z') });
  assert.deepEqual(validateOutbound('ack', ack), { ok: true });
  const { httpStatus, body } = errorBody(new DciError('err.request.malformed_json'), { correlationId: 'c1' });
  assert.equal(httpStatus, 400);
  assert.deepEqual(validateOutbound('ack', body), { ok: true });
  assert.deepEqual(validateOutbound('http-error', body), { ok: true });
  assert.equal(body.message.error.code, 'err.request.bad');
  assert.equal(body.errors[0]!.code, 'err.request.malformed_json');
});

test('VERIFY request validates with the same API, and a bad birth_date fails', () => {
  const body = {
    header: searchHeader({ action: 'verify' }),
    message: {
      transaction_id: 't1',
      verify_request: [
        { reference_id: 'r1', timestamp: '2024-05-01T10:00:00Z', verify_criteria: { identifier: { type: 'NationalID', value: '123' }, claims: { is_alive: true, birth_date: '1985-05-20' } } },
      ],
    },
  };
  assert.deepEqual(validateRequest('/registry/sync/verify', body), { ok: true });
  body.message.verify_request[0]!.verify_criteria.claims.birth_date = '20/05/1985';
  const result = validateRequest('/registry/sync/verify', body);
  assert.ok(!result.ok && result.errors.some((e) => e.endsWith('claims.birth_date: must be a valid date')), JSON.stringify(result));
});

test('inbound notify of a vital event follows the CRVS schema, which the social enum would refuse', () => {
  const notify = {
    header: { version: '1.0.0', message_id: 'm', message_ts: '2026-11-25T10:00:00Z', action: 'notify', status: 'succ', sender_id: 'crvs', total_count: 1 },
    message: { transaction_id: 't', notify_event: [{ reference_id: 'r', timestamp: '2026-11-25T10:00:00Z', data: { reg_event_type: 'Death', reg_record_type: 'Person', reg_records: {} } }] },
  };
  assert.deepEqual(validateRequest('crvs:/registry/notify', notify), { ok: true });
  assert.equal(validateRequest('/registry/notify', notify).ok, false);
});
