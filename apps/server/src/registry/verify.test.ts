import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DciError } from '@dci-server/dci';
import type { AppContext } from '../context.js';
import { createTestContext } from '../testing/test-server.js';
import { upsertPerson } from './registry-writes.js';
import { verifyIdentity } from './verify.js';

let ctx: AppContext;
before(async () => {
  ctx = await createTestContext();
  const em = ctx.db.orm.em.fork();
  await upsertPerson(em, {
    identifiers: [
      { type: 'UIN', value: 'V-1' },
      { type: 'NationalID', value: 'NID-V-1' },
    ],
    givenName: 'Amélie',
    surname: 'Verify',
    sex: 'female',
    birthDate: '1985-05-20',
    location: 'central_region',
    phoneNumbers: [],
    emails: [],
  });
  await em.flush();
});
after(() => ctx.db.close());

test('claims are answered true, false or unknown, never with values', async () => {
  const result = await verifyIdentity(ctx.db.pool, { type: 'uin', value: 'V-1' }, {
    given_name: ' AMÉLIE ',
    surname: 'Other',
    birth_date: '1985-05-20',
    is_alive: true,
    is_disabled: true,
    location: 'central_region',
    // Not stored for this person, not a supported claim, and the wrong type.
    marital_status: 'married',
    favourite_colour: 'blue',
    sex: true,
  });
  assert.deepEqual(result, {
    found: true,
    claims: {
      given_name: true,
      surname: false,
      birth_date: true,
      is_alive: true,
      is_disabled: false,
      location: true,
      marital_status: 'unknown',
      favourite_colour: 'unknown',
      sex: 'unknown',
    },
  });
});

test('any identifier type finds the person; an unknown identifier value is not found', async () => {
  const byNid = await verifyIdentity(ctx.db.pool, { type: 'NationalID', value: 'NID-V-1' }, { birth_date: '1985-05-21' });
  assert.deepEqual(byNid, { found: true, claims: { birth_date: false } });
  const missing = await verifyIdentity(ctx.db.pool, { type: 'UIN', value: 'nobody' }, { given_name: 'Amélie', is_alive: true });
  assert.deepEqual(missing, { found: false, claims: { given_name: 'unknown', is_alive: 'unknown' } });
});

test('an identifier type the registry does not know is a DciError', async () => {
  await assert.rejects(
    () => verifyIdentity(ctx.db.pool, { type: 'Passport', value: 'P-1' }, { is_alive: true }),
    (error: unknown) => error instanceof DciError && error.code === 'rjct.attribute.invalid',
  );
});
