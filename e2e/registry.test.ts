import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertSignedByServer } from '../apps/server/src/testing/server-signature.js';
import { startCallbackReceiver } from '../apps/server/src/testing/callback-receiver.js';
import { createTestSender, DciTestClient } from '../apps/server/src/testing/dci-client.js';
import { upsertGroup, upsertPerson } from '../apps/server/src/registry/registry-writes.js';
import type { PersonInput } from '../apps/server/src/registry/record-input.js';
import { accessibilityProblems, dialogsSettled, screenshot, startConsole, type ConsoleRig } from './console.js';

let rig: ConsoleRig;
let receiver: Awaited<ReturnType<typeof startCallbackReceiver>>;
before(async () => {
  rig = await startConsole({}, { worker: true });
  receiver = await startCallbackReceiver();
});
after(async () => {
  await receiver?.close();
  await rig?.close();
});

const person = (uin: string, givenName: string, surname: string, location: string): PersonInput => ({
  identifiers: [{ type: 'UIN', value: uin }],
  givenName,
  surname,
  sex: 'female',
  birthDate: '1948-02-17',
  location,
  phoneNumbers: [],
  emails: [],
});

async function registerHousehold(value: string, head: PersonInput, spouse: PersonInput) {
  return (
    await rig.server.ctx.db.orm.em.fork().transactional((em) =>
      upsertGroup(em, {
        identifier: { type: 'HouseholdID', value },
        groupType: 'household',
        location: head.location,
        members: [
          { person: head, relationship: 'head' },
          { person: spouse, relationship: 'spouse' },
        ],
      }),
    )
  ).entity;
}

test('an operator finds a person, records a death with confirmation, sees the Death event, and the subscriber gets a signed notification', async () => {
  const subscriber = new DciTestClient(rig.server.baseUrl, await createTestSender(rig.server.ctx, 'death-watcher'));
  const reply = await subscriber.send(
    '/registry/sync/subscribe',
    'subscribe',
    {
      transaction_id: 'e2e-death',
      subscribe_request: [
        {
          reference_id: 's',
          timestamp: new Date().toISOString(),
          subscribe_criteria: {
            reg_event_type: 'Death',
            filter_type: 'expression',
            filter: { type: 'ns:org:QueryType:expression', value: { expression: { collection: 'Person', query: { location: { $eq: 'river_region' } } } } },
            notify_record_type: 'Person',
          },
        },
      ],
    },
    'subscribe_request',
    { sender_uri: receiver.url },
  );
  assert.equal(reply.body.message?.subscribe_response?.[0]?.status, 'succ', JSON.stringify(reply.body));
  const code = reply.body.message.subscribe_response[0].subscriptions[0].code as string;
  await registerHousehold('HH-RIVER-1', person('UIN-E2E-1', 'Amina', 'Okafor', 'river_region'), person('UIN-E2E-2', 'Joseph', 'Okafor', 'river_region'));
  for (let i = 0; i < 3; i++) await rig.server.ctx.db.orm.em.fork().transactional((em) => upsertPerson(em, person(`UIN-E2E-X${i}`, `Other${i}`, 'Mensah', 'hill_region')));

  const page = await rig.signIn('operator', '/admin/registry');
  await page.getByRole('heading', { name: 'Registry' }).waitFor();
  await page.getByRole('textbox', { name: 'Name' }).fill('Okafor');
  await page.getByRole('textbox', { name: 'Location' }).fill('river_region');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('status').getByText('2 persons found').waitFor();
  assert.match(page.url(), /name=Okafor/, 'the search is in the address, so back returns to it');
  await screenshot(page, 'registry-search');
  assert.deepEqual(await accessibilityProblems(page), []);

  // A hand-written DCI expression goes to the server; its refusal is shown with the server's reason.
  await page.getByRole('textbox', { name: 'Advanced: DCI expression' }).fill('{"favourite_colour": "blue"}');
  await page.getByRole('button', { name: 'Search' }).click();
  await page
    .getByRole('alert')
    .getByText(/favourite_colour/)
    .waitFor();
  await page.getByRole('textbox', { name: 'Advanced: DCI expression' }).fill('{"given_name": "Amina"}');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('status').getByText('1 person found').waitFor();

  await page.getByRole('link', { name: 'Amina Okafor' }).click();
  await page.getByRole('heading', { name: 'Amina Okafor' }).waitFor();
  await page.getByRole('cell', { name: 'UIN-E2E-1' }).waitFor();
  await page.getByRole('link', { name: 'household HH-RIVER-1' }).waitFor();

  await page.getByRole('button', { name: 'Record death' }).click();
  const dialog = page.getByRole('dialog', { name: 'Record the death of Amina Okafor' });
  await dialog.getByLabel('Date of death').fill('2026-11-20');
  await dialogsSettled(page);
  await screenshot(page, 'registry-record-death');
  assert.deepEqual(await accessibilityProblems(page), []);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'hidden' });
  assert.equal((await rig.server.ctx.db.pool.query(`SELECT count(*)::int AS n FROM registry_event WHERE event_type = 'Death'`)).rows[0].n, 0, 'cancelling records nothing');

  await page.getByRole('button', { name: 'Record death' }).click();
  await dialog.getByLabel('Date of death').fill('2026-11-20');
  await dialog.getByRole('button', { name: 'Confirm death' }).click();
  await dialog.waitFor({ state: 'hidden' });
  await page.getByText('Died 2026-11-20').first().waitFor();
  await page.getByRole('list', { name: 'Events, newest first' }).getByText('Death', { exact: true }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Record death' }).count(), 0, 'a death is recorded once');

  const notify = (await receiver.waitFor(1)).find((r) => r.body.message?.transaction_id === code);
  assert.ok(notify, 'the subscriber is notified');
  assert.equal(notify.path, '/registry/notify');
  await assertSignedByServer(rig.server.baseUrl, notify.body);
  const event = notify.body.message.notify_event[0];
  assert.equal(event.data.reg_event_type, 'Death');
  assert.equal(event.data.reg_records.death_date, '2026-11-20');
  assert.equal(event.data.reg_records.identifier[0].identifier_value, 'UIN-E2E-1');

  // Once matched, the timeline says so (the page refreshes on reload).
  await page.reload();
  await page
    .getByText(/Matched against subscriptions/)
    .first()
    .waitFor();
  await screenshot(page, 'registry-person');
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.context().close();
});

test('staff register a person, record a birth and change a household; each change is an event on the group', async () => {
  const group = await registerHousehold('HH-HILL-7', person('UIN-H-1', 'Kwame', 'Boateng', 'hill_region'), person('UIN-H-2', 'Efua', 'Boateng', 'hill_region'));
  const page = await rig.signIn('admin', '/admin/registry');
  await page.getByRole('button', { name: 'Register person' }).click();
  const create = page.getByRole('dialog', { name: 'Register a person' });
  await create.getByRole('textbox', { name: 'Given name' }).fill('Yaw');
  await create.getByRole('textbox', { name: 'Surname' }).fill('Asante');
  await create.getByLabel('Birth date').fill('1990-06-01');
  await create.getByRole('textbox', { name: 'Identifier value' }).fill('UIN-H-1');
  await create.getByRole('button', { name: 'Register person' }).click();
  await create.getByRole('alert').waitFor(); // the identifier is already known: the server says why
  await screenshot(page, 'registry-register-person-refused');
  await create.getByRole('textbox', { name: 'Identifier value' }).fill('UIN-H-9');
  await create.getByRole('button', { name: 'Register person' }).click();
  await page.getByRole('heading', { name: 'Yaw Asante' }).waitFor();

  await page.getByRole('button', { name: 'Edit person' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit Yaw Asante' });
  await edit.getByRole('textbox', { name: 'City' }).fill('Kumasi');
  await edit.getByRole('button', { name: 'Edit person' }).click();
  await edit.waitFor({ state: 'hidden' });
  await page.getByText('Kumasi').waitFor();

  await page.goto(`${rig.server.baseUrl}/admin/registry/groups/${group.id}`);
  await page.getByRole('heading', { name: 'Household HH-HILL-7' }).waitFor();
  await page.getByRole('button', { name: 'Add member' }).click();
  const add = page.getByRole('dialog', { name: 'Add a member' });
  await add.getByRole('textbox', { name: 'Identifier value' }).fill('UIN-H-9');
  await add.getByRole('textbox', { name: 'Relationship to the head' }).fill('brother');
  await add.getByRole('button', { name: 'Add member' }).click();
  await page.getByRole('link', { name: 'Yaw Asante' }).waitFor();

  await page.getByRole('button', { name: 'Record a birth' }).click();
  const birth = page.getByRole('dialog', { name: 'Record a birth in this household' });
  await birth.getByRole('textbox', { name: 'Given name' }).fill('Ama');
  await birth.getByRole('textbox', { name: 'Surname' }).fill('Boateng');
  await birth.getByRole('textbox', { name: 'Identifier value' }).fill('BRN-H-1');
  await birth.getByRole('button', { name: 'Record a birth' }).click();
  await page.getByRole('link', { name: 'Ama Boateng' }).waitFor();

  await page.getByRole('button', { name: 'Remove Yaw Asante' }).click();
  await page.getByRole('dialog', { name: 'Remove Yaw Asante?' }).getByRole('button', { name: 'Remove member' }).click();
  await page.getByRole('link', { name: 'Yaw Asante' }).waitFor({ state: 'detached' });
  await page.reload(); // the screenshot shows the page, not the passing notifications
  const timeline = page.getByRole('list', { name: 'Events, newest first' });
  await timeline.getByText('NewHouseHoldMember').first().waitFor();
  await screenshot(page, 'registry-group');
  assert.deepEqual(await accessibilityProblems(page), []);

  const events = await rig.server.ctx.db.pool.query(`SELECT event_type FROM registry_event WHERE record_id = $1 ORDER BY id`, [group.id]);
  assert.deepEqual(
    events.rows.map((r) => r.event_type).filter((t) => t !== 'REGISTER'),
    ['NewHouseHoldMember', 'UPDATE', 'NewHouseHoldMember', 'UPDATE', 'UPDATE'],
  );
  await page.context().close();
});

test('an auditor reads the registry but sees no change controls', async () => {
  const group = await registerHousehold('HH-AUDIT-1', person('UIN-A-1', 'Nana', 'Owusu', 'audit_region'), person('UIN-A-2', 'Kofi', 'Owusu', 'audit_region'));
  const page = await rig.signIn('auditor', '/admin/registry?identifierType=UIN&identifierValue=UIN-A-1');
  await page.getByRole('status').getByText('1 person found').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Register person' }).count(), 0);
  await page.getByRole('link', { name: 'Nana Owusu' }).click();
  await page.getByRole('heading', { name: 'Nana Owusu' }).waitFor();
  await page.getByRole('list', { name: 'Events, newest first' }).waitFor();
  for (const name of ['Record death', 'Edit person']) assert.equal(await page.getByRole('button', { name }).count(), 0, name);
  await page.goto(`${rig.server.baseUrl}/admin/registry/groups/${group.id}`);
  await page.getByRole('heading', { name: 'Household HH-AUDIT-1' }).waitFor();
  await page.getByRole('link', { name: 'Kofi Owusu' }).waitFor();
  for (const name of ['Add member', 'Record a birth', 'Remove Kofi Owusu']) assert.equal(await page.getByRole('button', { name }).count(), 0, name);

  // Cursor pages over a result larger than a page, with the total over all pages.
  for (let i = 0; i < 27; i++) await rig.server.ctx.db.orm.em.fork().transactional((em) => upsertPerson(em, person(`UIN-P-${i}`, `Page${String(i).padStart(2, '0')}`, 'Paged', 'paging_region')));
  await page.goto(`${rig.server.baseUrl}/admin/registry?location=paging_region`);
  await page.getByRole('status').getByText('27 persons found').waitFor();
  await page.getByText('Page 1 of 2').waitFor();
  assert.equal(await page.getByRole('link', { name: /Paged$/ }).count(), 25);
  await page.getByRole('button', { name: 'Next page' }).click();
  await page.getByText('Page 2 of 2').waitFor();
  await page.getByRole('link', { name: 'Page26 Paged' }).waitFor();
  assert.equal(await page.getByRole('link', { name: /Paged$/ }).count(), 2);
  assert.ok(await page.getByRole('button', { name: 'Next page' }).isDisabled());
  await page.getByRole('button', { name: 'Previous page' }).click();
  await page.getByRole('link', { name: 'Page00 Paged' }).waitFor();

  await page.goto(`${rig.server.baseUrl}/admin/registry?name=Nobody`);
  await page.getByText('Nothing in the registry matches this search.').waitFor();
  await page.goto(`${rig.server.baseUrl}/admin/registry/persons/00000000-0000-4000-8000-000000000000`);
  await page.getByRole('heading', { name: 'Person not found' }).waitFor();

  await page.goto(`${rig.server.baseUrl}/admin/registry?kind=groups`);
  await page.getByRole('link', { name: 'HouseholdID HH-AUDIT-1' }).waitFor();
  await page.getByRole('heading', { name: 'Registry' }).waitFor();
  await screenshot(page, 'registry-groups');
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.context().close();
});
