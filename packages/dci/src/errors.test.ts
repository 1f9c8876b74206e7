import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DciError, MSG_HEADER_REASON_CODES, SEARCH_REASON_CODES, SPEC_ERROR_CODES, SUBSCRIBE_REASON_CODES, UNSUBSCRIBE_REASON_CODES, codeInfo, errorBody, isDciCode } from './errors.js';
import { loadSocialSpec, pointer } from './spec-document.js';

const spec = loadSocialSpec();
const specEnum = (...path: string[]) => pointer(spec, 'components', 'schemas', ...path, 'enum');

test('the catalogue carries exactly the spec enums', () => {
  assert.deepEqual(SPEC_ERROR_CODES, specEnum('Error', 'properties', 'code'));
  assert.deepEqual(MSG_HEADER_REASON_CODES, specEnum('MsgHeaderStatusReasonCode'));
  assert.deepEqual(SEARCH_REASON_CODES, specEnum('SearchStatusReasonCode'));
  assert.deepEqual(SUBSCRIBE_REASON_CODES, specEnum('SubscribeStatusReasonCode'));
  assert.deepEqual(UNSUBSCRIBE_REASON_CODES, specEnum('UnSubscribeStatusReasonCode'));
  for (const code of [...SPEC_ERROR_CODES, ...MSG_HEADER_REASON_CODES, ...SEARCH_REASON_CODES, ...SUBSCRIBE_REASON_CODES, ...UNSUBSCRIBE_REASON_CODES]) {
    assert.ok(isDciCode(code), code);
  }
  assert.equal(isDciCode('toString'), false);
});

test('every code has an HTTP status, a message and a spec error code', () => {
  for (const code of ['err.request.too_large', 'err.rate_limited', 'rjct.message_id.duplicate', 'rjct.query_type.invalid'] as const) {
    const info = codeInfo(code);
    assert.ok(info.httpStatus >= 400 && info.message.length > 0 && (SPEC_ERROR_CODES as readonly string[]).includes(info.ackCode), code);
  }
  assert.equal(codeInfo('err.request.too_large').httpStatus, 413);
});

test('DciError defaults and error bodies; unknown errors never leak their text', () => {
  const error = new DciError('err.signature.invalid', 'signature expired', { kid: 'k1' });
  assert.equal(error.httpStatus, 401);
  assert.deepEqual(error.details, { kid: 'k1' });
  const now = new Date('2024-05-01T10:00:00Z');
  assert.deepEqual(errorBody(error, { correlationId: 'c1', now }), {
    httpStatus: 401,
    body: {
      message: { ack_status: 'ERR', timestamp: '2024-05-01T10:00:00.000Z', correlation_id: 'c1', error: { code: 'err.signature.invalid', message: 'signature expired' } },
      errors: [{ code: 'err.signature.invalid', message: 'signature expired' }],
    },
  });
  const internal = errorBody(new Error('password=hunter2'), { now });
  assert.equal(internal.httpStatus, 500);
  assert.equal(internal.body.errors[0]!.code, 'err.internal');
  assert.ok(!JSON.stringify(internal.body).includes('hunter2'));
});
