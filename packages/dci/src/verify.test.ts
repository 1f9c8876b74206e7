import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateClaims } from './verify.js';
import { validateOutbound } from './schemas.js';

const record = {
  is_alive: true,
  birth_date: '1985-05-20',
  given_name: 'Zoë ',
  surname: 'Smith',
  sex: 'female',
  death_date: null,
  registration_date: new Date('2022-01-10T08:00:00Z'),
};

test('claims evaluate to true, false or unknown and never echo record values', () => {
  const results = evaluateClaims(record, {
    is_alive: true,
    birth_date: '1985-05-21',
    given_name: 'ZOE\u0308', // decomposed ë, different case, no trailing space
    surname: 'Jones',
    sex: 'female',
    death_date: '2020-01-01',
    marital_status: 'single',
    favourite_colour: 'blue',
    is_disabled: 'no',
  });
  assert.deepEqual(results, {
    is_alive: true,
    birth_date: false,
    given_name: true,
    surname: false,
    sex: true,
    death_date: 'unknown', // null on the record
    marital_status: 'unknown', // absent on the record
    favourite_colour: 'unknown', // not a supported claim
    is_disabled: 'unknown', // absent on the record
  });
});

test('dates compare by calendar day; wrong claim types are unknown; no record means all unknown', () => {
  assert.deepEqual(evaluateClaims({ birth_date: '1985-05-20T00:00:00Z', is_alive: false }, { birth_date: '1985-05-20', is_alive: 'false' }), {
    birth_date: true,
    is_alive: 'unknown',
  });
  assert.deepEqual(evaluateClaims({ birth_date: new Date('1985-05-20T00:00:00Z') }, { birth_date: '1985-02-30' }), { birth_date: 'unknown' });
  assert.deepEqual(evaluateClaims(undefined, { is_alive: true, surname: 'x' }), { is_alive: 'unknown', surname: 'unknown' });
  assert.deepEqual(evaluateClaims({}, { constructor: 'x', __proto__: 'y' }), { constructor: 'unknown' });
});

test('a VERIFY response body validates against its schema', () => {
  const body = {
    header: { message_id: 'm2', message_ts: '2024-05-01T10:00:01Z', action: 'on-verify', status: 'succ', sender_id: 'social.example.org' },
    message: {
      transaction_id: 't1',
      correlation_id: 'c1',
      verify_response: [{ reference_id: 'r1', timestamp: '2024-05-01T10:00:01Z', status: 'succ', data: { claims: evaluateClaims(record, { is_alive: true, x: 1 }) } }],
    },
  };
  assert.deepEqual(validateOutbound('sync-verify-response', body), { ok: true });
  body.message.verify_response[0]!.data.claims = { is_alive: 'yes' as never };
  assert.equal(validateOutbound('on-verify', body).ok, false);
});
