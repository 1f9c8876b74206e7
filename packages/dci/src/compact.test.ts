import { test } from 'node:test';
import assert from 'node:assert/strict';
import { translateCompactRequest } from './compact.js';
import { DciError } from './errors.js';
import { validateRequest } from './schemas.js';

const options = { now: new Date('2024-05-01T10:00:00Z'), messageId: 'm1' };

test('a single national_id becomes an idtype-value search that the spec schema accepts', () => {
  const result = translateCompactRequest({ transaction_id: 't1', sender_id: 'spmis', search_criteria: { national_id: '123' } }, options);
  assert.equal(result.action, 'search');
  assert.deepEqual(result.message, {
    transaction_id: 't1',
    search_request: [
      { reference_id: 't1', timestamp: '2024-05-01T10:00:00.000Z', search_criteria: { reg_record_type: 'Person', query_type: 'idtype-value', query: { type: 'NationalID', value: '123' } } },
    ],
  });
  assert.deepEqual(validateRequest('/registry/sync/search', result), { ok: true });
});

test('several keys become an expression $and of $eq', () => {
  const result = translateCompactRequest({ transaction_id: 't1', sender_id: 'spmis', search_criteria: { uin: 42, surname: 'Smith', is_alive: true } }, options);
  const criteria = (result.message as { search_request: { search_criteria: unknown }[] }).search_request[0]!.search_criteria;
  assert.deepEqual(criteria, {
    reg_record_type: 'Person',
    query_type: 'expression',
    query: { type: 'expression', value: { expression: { collection: 'Person', query: { $and: [{ UIN: { $eq: 42 } }, { surname: { $eq: 'Smith' } }, { is_alive: { $eq: true } }] } } } },
  });
  assert.deepEqual(validateRequest('/registry/search', result), { ok: true });
});

test('unknown search attributes are rejected by the attribute whitelist', () => {
  assert.throws(
    () => translateCompactRequest({ transaction_id: 't1', sender_id: 's', search_criteria: { password: 'x' } }),
    (e: unknown) => e instanceof DciError && e.code === 'rjct.attribute.invalid' && e.message.includes("'password'"),
  );
});

test('verify maps to a VERIFY request with identifier and claims', () => {
  const result = translateCompactRequest({ transaction_id: 't1', sender_id: 'spmis', verify: { national_id: '123', is_alive: true, birth_date: '1985-05-20' } }, options);
  assert.equal(result.header.action, 'verify');
  assert.deepEqual(validateRequest('/registry/sync/verify', result), { ok: true });
  const item = (result.message as { verify_request: { verify_criteria: unknown }[] }).verify_request[0]!;
  assert.deepEqual(item.verify_criteria, { reg_record_type: 'Person', identifier: { type: 'NationalID', value: '123' }, claims: { is_alive: true, birth_date: '1985-05-20' } });
});

test('subscription maps to a subscribe request with the callback as sender_uri', () => {
  const result = translateCompactRequest({ transaction_id: 't1', sender_id: 'spmis', subscription: { event_type: 'death', callback_url: 'https://spmis.example.org/notify' } }, options);
  assert.equal(result.header.sender_uri, 'https://spmis.example.org/notify');
  assert.deepEqual(validateRequest('/registry/subscribe', result), { ok: true });
  const criteria = (result.message as { subscribe_request: { subscribe_criteria: { reg_event_type: string } }[] }).subscribe_request[0]!.subscribe_criteria;
  assert.equal(criteria.reg_event_type, 'Death');
});

test('bad compact shapes fail with clear messages', () => {
  const cases: [unknown, string][] = [
    [{ sender_id: 's', search_criteria: { uin: '1' } }, "missing required property 'transaction_id'"],
    [{ transaction_id: 't', sender_id: 's' }, 'exactly one of search_criteria, verify or subscription'],
    [{ transaction_id: 't', sender_id: 's', search_criteria: { uin: '1' }, verify: { uin: '1', is_alive: true } }, 'exactly one of'],
    [{ transaction_id: 't', sender_id: 's', verify: { is_alive: true } }, 'verify needs exactly one of national_id, uin, brn'],
    [{ transaction_id: 't', sender_id: 's', verify: { uin: '1' } }, 'at least one claim'],
    [{ transaction_id: 't', sender_id: 's', verify: { uin: '1', favourite_colour: 'red' } }, 'verify: must NOT have additional properties'],
    [{ transaction_id: 't', sender_id: 's', verify: { uin: '1', birth_date: 'yesterday' } }, 'verify.birth_date: must be a valid date'],
    [{ transaction_id: 't', sender_id: 's', subscription: { event_type: 'adoption', callback_url: 'https://x' } }, 'subscription.event_type: must be one of'],
    // The scheme is checked here; which origins a sender may use is the server's policy.
    [{ transaction_id: 't', sender_id: 's', subscription: { event_type: 'death', callback_url: 'ftp://x' } }, 'subscription.callback_url'],
    [{ transaction_id: 't', sender_id: 's', extra: 1, search_criteria: { uin: '1' } }, 'body: must NOT have additional properties'],
  ];
  for (const [body, fragment] of cases) {
    assert.throws(
      () => translateCompactRequest(body),
      (e: unknown) => e instanceof DciError && e.code === 'err.request.bad' && e.message.includes(fragment),
      `${JSON.stringify(body)} should fail mentioning ${fragment}`,
    );
  }
});
