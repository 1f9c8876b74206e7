import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { upsertPerson } from '../registry/registry-writes.js';
import { createTestSender, DciTestClient, searchItem, type TestSender } from '../testing/dci-client.js';
import { createStaffPerRole, errorCode, graphqlClient, type GraphqlCaller } from '../testing/graphql-client.js';
import { assertSignedByServer } from '../testing/server-signature.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

let server: TestServer;
let gql: GraphqlCaller;
let tokens: Record<string, string>;
let sender: TestSender;
let personId: string;

const UIN = 'PREVIEW-0042-7788';

before(async () => {
  server = await startTestServer();
  gql = graphqlClient(server);
  ({ tokens } = await createStaffPerRole(server));
  sender = await createTestSender(server.ctx, 'agreement-gql', undefined, { agreement: false });
  const person = await server.ctx.db.orm.em.fork().transactional((em) =>
    upsertPerson(em, { identifiers: [{ type: 'UIN', value: UIN }], givenName: 'Asha', surname: 'Preview', secondName: 'Neema', sex: 'female', birthDate: '1984-06-15', location: 'central_region', city: 'Dodoma', phoneNumbers: ['+255711000111'], emails: ['asha@example.org'] }),
  );
  personId = person.entity.id;
});
after(() => server.close());

const AGREEMENT = 'agreement { id senderId name active validTo fieldRules { field action keepLast derive } } userErrors { field message code }';
const CREATE = `mutation($input: CreateAgreementInput!) { createAgreement(input: $input) { ${AGREEMENT} } }`;
const UPDATE = `mutation($id: ID!, $input: AgreementTermsInput!) { updateAgreement(id: $id, input: $input) { ${AGREEMENT} } }`;
const END = `mutation($id: ID!) { endAgreement(id: $id) { ${AGREEMENT} } }`;
const PREVIEW = `query($senderId: String!, $ref: RecordRefInput!, $rules: [FieldRuleInput!]) {
  previewAgreement(senderId: $senderId, recordRef: $ref, fieldRules: $rules) { recordKind agreementId shared original userErrors { message code } }
}`;

const RULES = [
  { field: 'phone_number', action: 'deny' },
  { field: 'email', action: 'deny' },
  { field: 'identifier.identifier_value', action: 'mask', keepLast: 4 },
  { field: 'birth_date', action: 'derive', derive: 'year' },
  { field: 'name.second_name', action: 'deny' },
];

const create = (token: string, input: Record<string, unknown>) => gql(CREATE, { input: { senderId: sender.senderId, name: 'Benefits', purpose: 'Eligibility checks', ...input } }, { token });

test('agreements: all staff read, admin and operator change, the auditor is refused every change', async () => {
  for (const role of ['admin', 'operator']) {
    const created = await create(tokens[role]!, { name: `By ${role}` });
    assert.deepEqual(created.data?.createAgreement.userErrors, [], JSON.stringify(created));
    const id = created.data?.createAgreement.agreement.id;
    assert.equal((await gql(UPDATE, { id, input: { purpose: 'Changed' } }, { token: tokens[role] })).data?.updateAgreement.userErrors.length, 0);
    assert.equal((await gql(END, { id }, { token: tokens[role] })).data?.endAgreement.agreement.active, false);
  }
  const some = (await gql('{ agreements { id } }', {}, { token: tokens.auditor })).data?.agreements[0].id;
  assert.equal(errorCode(await create(tokens.auditor!, {})), 'FORBIDDEN');
  assert.equal(errorCode(await gql(UPDATE, { id: some, input: { name: 'x' } }, { token: tokens.auditor })), 'FORBIDDEN');
  assert.equal(errorCode(await gql(END, { id: some }, { token: tokens.auditor })), 'FORBIDDEN');
  assert.equal(errorCode(await gql('{ agreements { id } }')), 'UNAUTHENTICATED');
  const audit = await server.ctx.db.pool.query<{ actor: string; action: string }>(`SELECT actor, action FROM staff_audit WHERE action LIKE '%Agreement' ORDER BY id`);
  assert.deepEqual(audit.rows.map((r) => r.action), ['createAgreement', 'updateAgreement', 'endAgreement', 'createAgreement', 'updateAgreement', 'endAgreement']);
  assert.match(audit.rows[3]!.actor, /operator@example.org/);
});

test('bad rules and unknown references come back as userErrors, and nothing is saved', async () => {
  const before = (await gql('{ agreements { id } }', {}, { token: tokens.admin })).data?.agreements.length;
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ fieldRules: [{ field: 'shoe_size', action: 'deny' }] }, /shoe_size': no such record field/],
    [{ fieldRules: [{ field: 'sex', action: 'hide' }] }, /unknown action 'hide'/],
    [{ fieldRules: [{ field: '*', action: 'mask' }] }, /whole record can only be allowed or denied/],
    [{ fieldRules: [{ field: 'birth_date', action: 'derive' }] }, /derive: 'year' or 'age'/],
    [{ fieldRules: [{ field: 'sex', action: 'deny', keepLast: 2 }] }, /keepLast/],
    [{ allowedQueryTypes: ['sql'] }, /unknown query type 'sql'/],
    [{ name: ' ' }, /name is required/],
  ];
  for (const [input, message] of cases) {
    const reply = await create(tokens.operator!, input);
    assert.equal(reply.errors, undefined);
    assert.equal(reply.data?.createAgreement.agreement, null);
    assert.equal(reply.data?.createAgreement.userErrors[0].code, 'INVALID_INPUT');
    assert.match(reply.data?.createAgreement.userErrors[0].message, message);
  }
  const unknownSender = await gql(CREATE, { input: { senderId: 'nobody', name: 'n', purpose: 'p' } }, { token: tokens.operator });
  assert.deepEqual(unknownSender.data?.createAgreement.userErrors, [{ field: null, message: 'no sender nobody', code: 'NOT_FOUND' }]);
  assert.equal((await gql('{ agreements { id } }', {}, { token: tokens.admin })).data?.agreements.length, before);

  const good = (await create(tokens.operator!, { fieldRules: [{ field: 'sex', action: 'deny' }], validTo: '2099-01-01T00:00:00.000Z' })).data?.createAgreement.agreement;
  const badUpdate = await gql(UPDATE, { id: good.id, input: { fieldRules: [{ field: 'nickname', action: 'allow' }] } }, { token: tokens.operator });
  assert.match(badUpdate.data?.updateAgreement.userErrors[0].message, /no such record field/);
  const stored = (await gql('query($id: ID!) { agreement(id: $id) { fieldRules { field action } validTo } }', { id: good.id }, { token: tokens.auditor })).data?.agreement;
  assert.deepEqual(stored, { fieldRules: [{ field: 'sex', action: 'deny' }], validTo: '2099-01-01T00:00:00.000Z' }, 'a refused update changes nothing');
  const badDates = await gql(UPDATE, { id: good.id, input: { validFrom: '2100-01-01T00:00:00.000Z' } }, { token: tokens.operator });
  assert.match(badDates.data?.updateAgreement.userErrors[0]?.message, /validFrom must be before validTo/, JSON.stringify(badDates));
  const cleared = await gql(UPDATE, { id: good.id, input: { validTo: null } }, { token: tokens.operator });
  assert.equal(cleared.data?.updateAgreement.agreement.validTo, null, 'an explicit null clears an end date');
  for (const id of ['00000000-0000-0000-0000-000000000000', 'not-an-id']) {
    assert.equal((await gql(UPDATE, { id, input: { name: 'x' } }, { token: tokens.operator })).data?.updateAgreement.userErrors[0].code, 'NOT_FOUND');
    assert.equal((await gql(END, { id }, { token: tokens.operator })).data?.endAgreement.userErrors[0].code, 'NOT_FOUND');
  }
  await gql(END, { id: good.id }, { token: tokens.operator });
});

test('list by sender and active; the preview is exactly the signed DCI search answer, before and after an update', async () => {
  const created = (await create(tokens.operator!, { name: 'In force', fieldRules: RULES })).data?.createAgreement.agreement;
  const listed = await gql('query($s: String, $a: Boolean) { agreements(senderId: $s, active: $a) { id name } }', { s: sender.senderId, a: true }, { token: tokens.auditor });
  assert.deepEqual(listed.data?.agreements, [{ id: created.id, name: 'In force' }]);
  assert.deepEqual((await gql('query { agreements(senderId: "nobody") { id } }', {}, { token: tokens.auditor })).data?.agreements, []);

  const client = new DciTestClient(server.baseUrl, sender);
  const searchAnswer = async () => {
    const reply = await client.send('/registry/sync/search', 'search', { transaction_id: `preview-${Math.random()}`, search_request: [searchItem('r1', { reg_record_type: 'Person', query_type: 'idtype-value', query: { type: 'UIN', value: UIN } })] }, 'search_request');
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    await assertSignedByServer(server.baseUrl, reply.body);
    const item = reply.body.message.search_response[0];
    assert.equal(item.status, 'succ', JSON.stringify(item));
    return item.data.reg_records[0];
  };
  const preview = async (ref: Record<string, unknown>, rules?: unknown[]) => {
    const reply = await gql(PREVIEW, { senderId: sender.senderId, ref, rules }, { token: tokens.auditor });
    assert.equal(reply.errors, undefined, JSON.stringify(reply.errors));
    return reply.data?.previewAgreement;
  };

  const received = await searchAnswer();
  assert.equal(received.phone_number, undefined);
  assert.equal(received.birth_date, '1984');
  const byIdentifier = await preview({ identifierType: 'UIN', identifierValue: UIN });
  assert.deepEqual(byIdentifier.userErrors, []);
  assert.equal(byIdentifier.agreementId, created.id);
  assert.deepEqual(byIdentifier.shared, received);
  assert.deepEqual((await preview({ id: personId })).shared, received, 'by registry id too');
  assert.deepEqual(byIdentifier.original.phone_number, ['+255711000111'], 'the stored record, for comparison');

  // Draft rules preview without saving; once saved, the DCI answer is what the draft showed.
  const draft = [{ field: '*', action: 'deny' }, { field: 'identifier', action: 'allow' }, { field: 'name', action: 'allow' }, { field: 'name.second_name', action: 'deny' }];
  const drafted = await preview({ identifierType: 'UIN', identifierValue: UIN }, draft);
  assert.equal(drafted.agreementId, null);
  assert.deepEqual(Object.keys(drafted.shared).sort(), ['@type', 'identifier', 'name']);
  assert.deepEqual(await searchAnswer(), received, 'a draft changes nothing');
  await gql(UPDATE, { id: created.id, input: { fieldRules: draft } }, { token: tokens.operator });
  assert.deepEqual(await searchAnswer(), drafted.shared);
  assert.deepEqual((await preview({ identifierType: 'UIN', identifierValue: UIN })).shared, drafted.shared);

  const refusals: [Record<string, unknown>, unknown[] | undefined, RegExp][] = [
    [{ identifierType: 'UIN', identifierValue: 'NO-SUCH' }, undefined, /no Person with UIN NO-SUCH/],
    [{ identifierType: 'PASSPORT', identifierValue: '1' }, undefined, /PASSPORT/],
    [{ id: personId, identifierType: 'UIN', identifierValue: UIN }, undefined, /either an id or/],
    [{ id: personId }, [{ field: 'nickname', action: 'deny' }], /no such record field/],
  ];
  for (const [ref, rules, message] of refusals) {
    const result = await preview(ref, rules);
    assert.equal(result.shared, null);
    assert.match(result.userErrors[0].message, message);
  }
  await gql(END, { id: created.id }, { token: tokens.operator });
  assert.match((await preview({ id: personId })).userErrors[0].message, /no active data-sharing agreement: the sender receives no records/);
});
