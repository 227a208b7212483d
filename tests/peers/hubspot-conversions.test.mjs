// A form submission's conversion properties through @hubspot/api-client: HubSpot sets them on the
// submitter's contact as its own calculation (history and webhooks name CALCULATED), so an
// integration can ask the contacts search whether anyone converted since a time instead of
// reading every form. recent_conversion_date and recent_conversion_event_name move to a later
// submission only; first_conversion_date and first_conversion_event_name are the earliest;
// num_conversion_events counts them all. The event names are the form's name. The properties are
// calculated and read-only: the public API cannot write them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiError, assertErrorShape, ISO_MS, withPortal } from './lib/hubspot.mjs';

let hs;
let c;
const FORM = '5a1c9e2b-0000-4000-8000-00000000f0f0'; // the portal's "Contact us"

withPortal((portal) => {
  hs = portal;
  c = portal.client();
});

const PROPS = [
  'first_conversion_date',
  'first_conversion_event_name',
  'recent_conversion_date',
  'recent_conversion_event_name',
  'num_conversion_events',
];
const submit = (form, email, submittedAt) =>
  hs.control('POST', `/__emu/forms/${form}/submissions`, { email, fields: { firstname: 'Ada' }, ...(submittedAt ? { submittedAt } : {}) });
const read = (id) => c.crm.contacts.basicApi.getById(id, PROPS);

async function newForm(name) {
  const res = await c.apiRequest({ method: 'POST', path: '/marketing/v3/forms', body: { name, formType: 'hubspot' } });
  assert.equal(res.status, 201);
  return (await res.json()).id;
}

// The ids of the contacts the search finds with recent_conversion_date op value, and its total.
async function converted(op, value, limit = 100) {
  const res = await c.crm.contacts.searchApi.doSearch({
    filterGroups: [{ filters: [{ propertyName: 'recent_conversion_date', operator: op, value: String(value) }] }],
    properties: ['recent_conversion_date'],
    limit,
  });
  return { ids: res.results.map((r) => r.id).sort(), total: res.total };
}

test('the conversion properties are calculated, read-only contact properties of the right types', async () => {
  const types = {
    first_conversion_date: 'datetime',
    first_conversion_event_name: 'string',
    recent_conversion_date: 'datetime',
    recent_conversion_event_name: 'string',
    num_conversion_events: 'number',
  };
  for (const [name, type] of Object.entries(types)) {
    const p = await c.crm.properties.coreApi.getByName('contacts', name);
    assert.equal(p.type, type, name);
    assert.equal(p.calculated, true, `${name} is calculated`);
    assert.equal(p.modificationMetadata.readOnlyValue, true, `${name} is read-only`);
  }
});

test('a submission sets the conversion properties as HubSpot computes them: recent moves forward, first is the earliest, every one counts', async () => {
  const webinar = await newForm('Webinar sign-up');
  const made = await submit(FORM, 'ada@converts.example', '2024-06-01T12:00:00.000Z');
  let ct = (await read(made.contactId)).properties;
  assert.equal(ct.recent_conversion_date, '2024-06-01T12:00:00.000Z');
  assert.match(ct.recent_conversion_date, ISO_MS);
  assert.equal(ct.recent_conversion_event_name, 'Contact us');
  assert.equal(ct.first_conversion_date, '2024-06-01T12:00:00.000Z');
  assert.equal(ct.first_conversion_event_name, 'Contact us');
  assert.equal(ct.num_conversion_events, '1');

  await submit(webinar, 'ada@converts.example', '2024-06-03T08:30:00.000Z');
  ct = (await read(made.contactId)).properties;
  assert.equal(ct.recent_conversion_date, '2024-06-03T08:30:00.000Z', 'a later submission is the recent one');
  assert.equal(ct.recent_conversion_event_name, 'Webinar sign-up');
  assert.equal(ct.first_conversion_date, '2024-06-01T12:00:00.000Z', 'the first stays');
  assert.equal(ct.first_conversion_event_name, 'Contact us');
  assert.equal(ct.num_conversion_events, '2');

  // a submission stamped before both: it counts and is the first, the recent one stays
  await submit(webinar, 'ada@converts.example', '2024-05-20T00:00:00.000Z');
  ct = (await read(made.contactId)).properties;
  assert.equal(ct.recent_conversion_date, '2024-06-03T08:30:00.000Z');
  assert.equal(ct.first_conversion_date, '2024-05-20T00:00:00.000Z');
  assert.equal(ct.first_conversion_event_name, 'Webinar sign-up');
  assert.equal(ct.num_conversion_events, '3');

  // HubSpot's own calculation, after the form's write of the submitted fields
  await c.crm.contacts.basicApi.getById(made.contactId, ['firstname'], ['recent_conversion_date', 'firstname']);
  const hist = c.last().json.propertiesWithHistory;
  assert.deepEqual([...new Set(hist.recent_conversion_date.map((h) => h.sourceType))], ['CALCULATED']);
  assert.equal(hist.firstname[0].sourceType, 'FORM');
});

test('a contacts search on recent_conversion_date GT a time finds exactly the contacts that converted after it', async () => {
  const before = await submit(FORM, 'early@converts.example', '2025-01-10T10:00:00.000Z');
  const late = await submit(FORM, 'late@converts.example', '2025-01-10T10:00:05.000Z');
  const plain = (await c.crm.contacts.basicApi.create({ properties: { email: 'never@converts.example' } })).id;
  const cut = Date.parse('2025-01-10T10:00:00.000Z');

  let found = await converted('GT', cut);
  assert.ok(found.ids.includes(late.contactId), 'the later conversion is found');
  assert.ok(!found.ids.includes(before.contactId), 'a conversion exactly at the time is not after it');
  assert.ok(!found.ids.includes(plain), 'a contact that never converted is not found');

  found = await converted('GTE', new Date(cut).toISOString());
  assert.ok(found.ids.includes(before.contactId) && found.ids.includes(late.contactId), 'GTE with an ISO time');

  // asked with limit 1, as an integration asks "anyone since?": the total still counts them all
  const one = await converted('GT', cut - 1, 1);
  assert.equal(one.ids.length, 1);
  assert.ok(one.total >= 2);
  const none = await converted('GT', Date.parse('2025-01-10T10:00:05.000Z'), 1);
  assert.equal(none.total, 0, 'nobody converted after the latest submission');

  // a later submission of the earlier contact moves it past the time
  await submit(FORM, 'early@converts.example', '2025-01-10T10:00:09.000Z');
  found = await converted('GT', Date.parse('2025-01-10T10:00:05.000Z'));
  assert.deepEqual(found.ids, [before.contactId]);
});

test('the public API cannot write the conversion properties', async () => {
  const id = (await c.crm.contacts.basicApi.create({ properties: { email: 'writer@converts.example' } })).id;
  for (const name of PROPS) {
    const value = name.endsWith('_date') ? '2024-01-01T00:00:00.000Z' : name.startsWith('num_') ? '3' : 'Spoofed';
    const body = await apiError(c.crm.contacts.basicApi.update(id, { properties: { [name]: value } }), 400);
    assertErrorShape(body, 'VALIDATION_ERROR');
    assert.equal(body.errors[0].code, 'READ_ONLY_VALUE', name);
  }
  const ct = (await read(id)).properties;
  for (const name of PROPS) assert.equal(ct[name], null, `${name} is unset`);
});
