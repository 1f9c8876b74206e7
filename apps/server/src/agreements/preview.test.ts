import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { AppContext } from '../context.js';
import { upsertGroup } from '../registry/registry-writes.js';
import { createSender, SenderError } from '../senders/senders.js';
import { createTestContext } from '../testing/test-server.js';
import { InvalidAgreementError } from './agreement-input.js';
import { createAgreement } from './agreements.js';
import { applyFieldRules } from './apply-field-rules.js';
import { previewAgreement } from './preview.js';

let ctx: AppContext;
let groupId: string;
before(async () => {
  ctx = await createTestContext();
  const sender = await createSender(ctx.db.orm.em.fork(), { senderId: 'previewer', name: 'Previewer', allowedOperations: ['search'] });
  await createAgreement(ctx.db.orm.em.fork(), { sender, name: 'Households', purpose: 'targeting', fieldRules: [{ field: 'Group.poverty_score', action: 'deny' }, { field: 'phone_number', action: 'deny' }] });
  const group = await ctx.db.orm.em.fork().transactional((em) =>
    upsertGroup(em, {
      identifier: { type: 'NationalID', value: 'HH-PREVIEW-1' },
      groupType: 'household',
      povertyScore: 0.4,
      location: 'central_region',
      members: [{ relationship: 'head', person: { identifiers: [{ type: 'UIN', value: 'HH-HEAD-1' }], givenName: 'Head', surname: 'Household', sex: 'female', phoneNumbers: ['+255700000001'], emails: [] } }],
    }),
  );
  groupId = group.entity.id;
});
after(() => ctx.db.close());

const preview = (ref: Parameters<typeof previewAgreement>[3], rules?: Parameters<typeof previewAgreement>[4]) => previewAgreement(ctx.db.pool, ctx.db.orm.em.fork(), 'previewer', ref, rules);

test('a group is previewed with Group rules on it and Person rules on its members, as applyFieldRules shares it', async () => {
  const byIdentifier = await preview({ recordType: 'Group', identifierType: 'NationalID', identifierValue: 'HH-PREVIEW-1' });
  const byId = await preview({ recordType: 'spdci:Group', id: groupId });
  assert.equal(byIdentifier.recordKind, 'Group');
  assert.deepEqual(byId.shared, byIdentifier.shared);
  assert.deepEqual(byIdentifier.shared, applyFieldRules(byIdentifier, byIdentifier.original));
  assert.equal(byIdentifier.original.poverty_score, 0.4);
  assert.equal(byIdentifier.shared.poverty_score, undefined);
  assert.match(JSON.stringify(byIdentifier.original), /\+255700000001/);
  assert.doesNotMatch(JSON.stringify(byIdentifier.shared), /\+255700000001/, "members' phone numbers are hidden too");
});

test('draft rules are checked like saved ones; unknown senders, records and kinds are refused', async () => {
  const drafted = await preview({ recordType: 'Group', id: groupId }, [{ field: 'Group.*', action: 'deny' }, { field: 'group_type', action: 'allow' }]);
  assert.equal(drafted.agreementId, null);
  assert.deepEqual(Object.keys(drafted.shared).sort(), ['@type', 'group_type'], 'an allow-list for the group: its members are left out too');
  assert.equal(drafted.shared.group_type, 'household');
  await assert.rejects(() => preview({ id: groupId }, [{ field: 'group_type', action: 'derive' }]), InvalidAgreementError);
  await assert.rejects(() => previewAgreement(ctx.db.pool, ctx.db.orm.em.fork(), 'stranger', { id: groupId }), SenderError);
  await assert.rejects(() => preview({ id: groupId }), /no Person .* in the registry/, 'a group id is not a person');
  await assert.rejects(() => preview({ recordType: 'Vehicle', id: groupId }), InvalidAgreementError);
  await assert.rejects(() => preview({}), /either an id or an identifierType/);
});
