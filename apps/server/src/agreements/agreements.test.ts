import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Sender } from '@dci-server/db';
import { DciError } from '@dci-server/dci';
import type { AppContext } from '../context.js';
import { createSender } from '../senders/senders.js';
import { createTestContext } from '../testing/test-server.js';
import { InvalidAgreementError } from './agreement-input.js';
import { createAgreement, deactivateAgreement, DEMO_AGREEMENT_NAME, ensureDemoAgreement, findAgreement, listAgreements, updateAgreement } from './agreements.js';

let ctx: AppContext;
before(async () => {
  ctx = await createTestContext();
});
after(() => ctx.db.close());

const em = () => ctx.db.orm.em.fork();
const newSender = (senderId: string): Promise<Sender> => createSender(em(), { senderId, name: senderId, allowedOperations: ['search', 'verify'] });

function missing(pattern: RegExp) {
  return (error: unknown) => error instanceof DciError && error.code === 'err.agreement.missing' && pattern.test(error.message);
}

test('no agreement, no data: a sender without an active one is refused', async () => {
  const sender = await newSender('no-agreement');
  await assert.rejects(() => findAgreement(ctx.db.pool, 'no-agreement'), missing(/no-agreement has no active data-sharing agreement/));
  const inactive = await createAgreement(em(), { sender, name: 'Old', purpose: 'p' });
  await deactivateAgreement(em(), inactive.id);
  await assert.rejects(() => findAgreement(ctx.db.pool, 'no-agreement'), missing(/no active/));
  await assert.rejects(() => findAgreement(ctx.db.pool, 'nobody-at-all'), missing(/nobody-at-all has no active/));
});

test('the validity window runs from validFrom (inclusive) to validTo (exclusive)', async () => {
  const sender = await newSender('windowed');
  const validFrom = new Date('2026-01-01T00:00:00Z');
  const validTo = new Date('2026-07-01T00:00:00Z');
  const agreement = await createAgreement(em(), { sender, name: 'First half of 2026', purpose: 'p', validFrom, validTo });
  await assert.rejects(() => findAgreement(ctx.db.pool, 'windowed', new Date('2025-12-31T23:59:59Z')), missing(/'First half of 2026' .* not valid before 2026-01-01T00:00:00.000Z/));
  assert.equal((await findAgreement(ctx.db.pool, 'windowed', validFrom)).id, agreement.id);
  assert.equal((await findAgreement(ctx.db.pool, 'windowed', new Date('2026-06-30T23:59:59Z'))).id, agreement.id);
  await assert.rejects(() => findAgreement(ctx.db.pool, 'windowed', validTo), missing(/'First half of 2026' .* expired at 2026-07-01T00:00:00.000Z/));
});

test('several valid agreements: the most recently created one applies; other senders are not mixed in', async () => {
  const sender = await newSender('two-agreements');
  const other = await newSender('other-sender');
  await createAgreement(em(), { sender, name: 'Older', purpose: 'p' });
  const newer = await createAgreement(em(), {
    sender,
    name: 'Newer',
    purpose: 'p',
    maxPageSize: 10,
    fieldRules: [{ field: 'birth_date', action: 'derive', derive: 'year' }, { field: 'identifier', action: 'mask', keepLast: 2 }],
  });
  await createAgreement(em(), { sender: other, name: 'Someone else', purpose: 'p' });
  const found = await findAgreement(ctx.db.pool, 'two-agreements');
  assert.equal(found.id, newer.id);
  assert.equal(found.maxPageSize, 10);
  assert.deepEqual(found.fieldRules, [{ field: 'birth_date', action: 'derive', derive: 'year' }, { field: 'identifier', action: 'mask', keepLast: 2 }]);
  assert.deepEqual((await listAgreements(em(), { senderId: 'two-agreements' })).map((a) => a.name), ['Newer', 'Older']);
});

test('deactivating: the agreement stays listed but no longer applies; unknown ids give null', async () => {
  const sender = await newSender('deactivated');
  const agreement = await createAgreement(em(), { sender, name: 'Only', purpose: 'p' });
  assert.equal((await deactivateAgreement(em(), agreement.id))?.active, false);
  await assert.rejects(() => findAgreement(ctx.db.pool, 'deactivated'), missing(/no active/));
  assert.deepEqual((await listAgreements(em(), { senderId: 'deactivated' })).map((a) => [a.name, a.active]), [['Only', false]]);
  assert.equal(await deactivateAgreement(em(), '00000000-0000-0000-0000-000000000000'), null);
  assert.equal(await deactivateAgreement(em(), 'not-a-uuid'), null);
});

test('invalid input is refused before anything is stored', async () => {
  const sender = await newSender('invalid-input');
  await assert.rejects(() => createAgreement(em(), { sender, name: 'Bad', purpose: 'p', fieldRules: [{ field: 'passport', action: 'deny' }] }), InvalidAgreementError);
  assert.deepEqual(await listAgreements(em(), { senderId: 'invalid-input' }), []);
});

test('updating: same checks as creating, fields left out are kept, the next lookup sees the new terms', async () => {
  const sender = await newSender('updated');
  const agreement = await createAgreement(em(), { sender, name: 'First', purpose: 'p', allowedRecordTypes: ['Person'], fieldRules: [{ field: 'sex', action: 'deny' }] });
  const { before, after } = await updateAgreement(em(), agreement.id, { name: 'Second', fieldRules: [{ field: 'birth_date', action: 'derive', derive: 'age' }], dailyQuota: 5 });
  assert.equal(before.name, 'First');
  assert.deepEqual(before.fieldRules, [{ field: 'sex', action: 'deny' }]);
  assert.deepEqual([after.name, after.purpose, after.allowedRecordTypes, after.dailyQuota], ['Second', 'p', ['Person'], 5]);
  assert.deepEqual((await findAgreement(ctx.db.pool, 'updated')).fieldRules, [{ field: 'birth_date', action: 'derive', derive: 'age' }]);
  await assert.rejects(() => updateAgreement(em(), agreement.id, { fieldRules: [{ field: 'passport', action: 'deny' }] }), /no such record field/);
  await assert.rejects(() => updateAgreement(em(), agreement.id, { allowedRecordTypes: ['Vehicle'] }), /unknown record type 'Vehicle'/);
  assert.equal((await findAgreement(ctx.db.pool, 'updated')).name, 'Second', 'a refused update changes nothing');
  await assert.rejects(() => updateAgreement(em(), 'not-a-uuid', { name: 'x' }), (e) => e instanceof InvalidAgreementError && /no agreement not-a-uuid/.test(e.message));
  await deactivateAgreement(em(), agreement.id);
  assert.deepEqual((await listAgreements(em(), { senderId: 'updated', active: true })).length, 0);
  assert.deepEqual((await listAgreements(em(), { active: false })).map((a) => a.sender.getEntity().senderId).includes('updated'), true, 'listed across senders, with the sender loaded');
});

test('the demo agreement allows everything and is created once', async () => {
  const sender = await newSender('demo-like');
  const demo = await ensureDemoAgreement(em(), sender);
  assert.ok(demo);
  assert.equal(await ensureDemoAgreement(em(), sender), undefined);
  const found = await findAgreement(ctx.db.pool, 'demo-like');
  assert.equal(found.name, DEMO_AGREEMENT_NAME);
  assert.deepEqual(
    [found.allowedRegTypes, found.allowedRecordTypes, found.allowedQueryTypes, found.allowedAttributes, found.fieldRules, found.maxPageSize, found.dailyQuota, found.validTo],
    [[], [], [], [], [], null, null, null],
  );
});
