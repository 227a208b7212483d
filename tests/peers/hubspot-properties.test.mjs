// The properties API through @hubspot/api-client (read, create, update, archive, batch, groups;
// custom properties with hasUniqueValue and option sets) and the validation of record writes
// against it: PROPERTY_DOESNT_EXIST, INVALID_OPTION, INVALID_INTEGER, INVALID_EMAIL, read-only
// properties, date-only values at midnight UTC.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiError, assertErrorShape, withPortal } from './lib/hubspot.mjs';

let hs;
let c;

withPortal((portal) => {
  hs = portal;
  c = portal.client();
});

function assertPropertyShape(p) {
  for (const k of ['name', 'label', 'type', 'fieldType', 'description', 'groupName']) assert.equal(typeof p[k], 'string', `${p.name}.${k}`);
  assert.ok(Array.isArray(p.options), `${p.name}.options`);
  assert.ok(['string', 'number', 'date', 'datetime', 'enumeration', 'bool', 'phone_number'].includes(p.type), `${p.name}.type ${p.type}`);
}

// The one error a record write gets for one bad property: 400 VALIDATION_ERROR with errors[].code.
async function writeError(promise, code, prop) {
  const body = await apiError(promise, 400);
  assertErrorShape(body, 'VALIDATION_ERROR');
  assert.ok(Array.isArray(body.errors) && body.errors.length >= 1, JSON.stringify(body));
  const e = body.errors.find((x) => x.code === code);
  assert.ok(e, `errors[] has code ${code}: ${JSON.stringify(body.errors)}`);
  assert.equal(typeof e.message, 'string');
  if (prop) assert.ok(JSON.stringify(e).includes(prop), `the error names ${prop}`);
  return body;
}

test('contacts carry the standard properties in the vendor shape', async () => {
  const all = await c.crm.properties.coreApi.getAll('contacts');
  const w = c.last().json;
  for (const p of w.results) assertPropertyShape(p);
  const by = Object.fromEntries(w.results.map((p) => [p.name, p]));
  for (const n of ['email', 'firstname', 'lastname', 'phone', 'company', 'lifecyclestage', 'hubspot_owner_id', 'createdate', 'lastmodifieddate', 'hs_object_id']) {
    assert.ok(by[n], `contacts has ${n}`);
  }
  assert.equal(by.lifecyclestage.type, 'enumeration');
  assert.deepEqual(
    by.lifecyclestage.options.map((o) => o.value),
    ['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer', 'evangelist', 'other'],
  );
  assert.equal(by.createdate.type, 'datetime');
  assert.equal(by.hs_object_id.modificationMetadata?.readOnlyValue, true);
  assert.equal(by.email.hubspotDefined, true);
  assert.ok(all.results.length === w.results.length);
});

test('other objects have their key properties', async () => {
  const want = {
    companies: ['name', 'domain', 'website', 'phone', 'hs_lastmodifieddate'],
    deals: ['dealname', 'amount', 'dealstage', 'pipeline', 'closedate'],
    tickets: ['subject', 'content', 'hs_pipeline', 'hs_pipeline_stage', 'hs_ticket_priority'],
    tasks: ['hs_timestamp', 'hs_task_subject', 'hs_task_body', 'hs_task_status', 'hs_task_priority', 'hs_task_type'],
    notes: ['hs_timestamp', 'hs_note_body'],
    calls: ['hs_timestamp', 'hs_call_title', 'hs_call_direction', 'hs_call_duration'],
    meetings: ['hs_timestamp', 'hs_meeting_title', 'hs_meeting_outcome'],
    emails: ['hs_timestamp', 'hs_email_subject', 'hs_email_direction'],
  };
  for (const [type, names] of Object.entries(want)) {
    const all = await c.crm.properties.coreApi.getAll(type);
    const have = new Set(all.results.map((p) => p.name));
    for (const n of names) assert.ok(have.has(n), `${type} has ${n}`);
  }
  const amount = await c.crm.properties.coreApi.getByName('deals', 'amount');
  assert.equal(amount.type, 'number');
});

test('getByName and 404 for an unknown property', async () => {
  const p = await c.crm.properties.coreApi.getByName('contacts', 'email');
  assert.equal(p.name, 'email');
  assertPropertyShape(c.last().json);
  assertErrorShape(await apiError(c.crm.properties.coreApi.getByName('contacts', 'no_such_thing_q'), 404), 'OBJECT_NOT_FOUND');
});

test('custom enumeration property: create 201, options, write validation, update options, archive 204', async () => {
  const made = await c.crm.properties.coreApi.create('contacts', {
    name: 'favourite_fruit',
    label: 'Favourite fruit',
    type: 'enumeration',
    fieldType: 'select',
    groupName: 'contactinformation',
    options: [
      { label: 'Apple', value: 'apple', displayOrder: 0, hidden: false },
      { label: 'Pear', value: 'pear', displayOrder: 1, hidden: false },
    ],
  });
  const w = c.last();
  assert.equal(w.status, 201);
  assertPropertyShape(w.json);
  assert.equal(w.json.hubspotDefined === true, false, 'a custom property is not hubspotDefined');
  assert.deepEqual(made.options.map((o) => o.value), ['apple', 'pear']);

  const ok = await c.crm.contacts.basicApi.create({ properties: { email: 'fruit@example.com', favourite_fruit: 'pear' } });
  assert.equal(ok.properties.favourite_fruit, 'pear');
  await writeError(
    c.crm.contacts.basicApi.create({ properties: { email: 'fruit2@example.com', favourite_fruit: 'banana' } }),
    'INVALID_OPTION',
    'favourite_fruit',
  );

  const upd = await c.crm.properties.coreApi.update('contacts', 'favourite_fruit', {
    label: 'Fruit',
    options: [
      { label: 'Apple', value: 'apple', displayOrder: 0, hidden: false },
      { label: 'Pear', value: 'pear', displayOrder: 1, hidden: false },
      { label: 'Banana', value: 'banana', displayOrder: 2, hidden: false },
    ],
  });
  assert.equal(c.last().status, 200);
  assert.equal(upd.label, 'Fruit');
  await c.crm.contacts.basicApi.create({ properties: { email: 'fruit2@example.com', favourite_fruit: 'banana' } });

  // checkbox (multi) values are ;-separated and each must be an option
  await c.crm.properties.coreApi.create('contacts', {
    name: 'fruit_basket',
    label: 'Fruit basket',
    type: 'enumeration',
    fieldType: 'checkbox',
    groupName: 'contactinformation',
    options: [
      { label: 'Apple', value: 'apple', displayOrder: 0, hidden: false },
      { label: 'Pear', value: 'pear', displayOrder: 1, hidden: false },
    ],
  });
  const basket = await c.crm.contacts.basicApi.create({ properties: { email: 'basket@example.com', fruit_basket: 'apple;pear' } });
  assert.equal(basket.properties.fruit_basket, 'apple;pear');
  await writeError(
    c.crm.contacts.basicApi.create({ properties: { email: 'basket2@example.com', fruit_basket: 'apple;kiwi' } }),
    'INVALID_OPTION',
  );

  await c.crm.properties.coreApi.archive('contacts', 'fruit_basket');
  assert.equal(c.last().status, 204);
  await apiError(c.crm.properties.coreApi.getByName('contacts', 'fruit_basket'), 404);
  const arch = await c.crm.properties.coreApi.getByName('contacts', 'fruit_basket', true);
  assert.equal(arch.archived, true);
  const live = await c.crm.properties.coreApi.getAll('contacts');
  assert.ok(!live.results.some((p) => p.name === 'fruit_basket'));
  // writing to an archived property is writing to a property that does not exist
  await writeError(c.crm.contacts.basicApi.update(basket.id, { properties: { fruit_basket: 'apple' } }), 'PROPERTY_DOESNT_EXIST');
});

test('creating a property that exists is 409 CONFLICT; a bad type is 400', async () => {
  const b = await apiError(
    c.crm.properties.coreApi.create('contacts', { name: 'email', label: 'Email', type: 'string', fieldType: 'text', groupName: 'contactinformation' }),
    409,
  );
  assertErrorShape(b, 'CONFLICT');
  await apiError(
    c.crm.properties.coreApi.create('contacts', { name: 'bad_type_q', label: 'B', type: 'blob', fieldType: 'text', groupName: 'contactinformation' }),
    400,
  );
});

test('hasUniqueValue: a second record with the same value is refused', async () => {
  const p = await c.crm.properties.coreApi.create('companies', {
    name: 'external_ref',
    label: 'External ref',
    type: 'string',
    fieldType: 'text',
    groupName: 'companyinformation',
    hasUniqueValue: true,
  });
  assert.equal(p.hasUniqueValue, true);
  assert.equal(c.last().json.hasUniqueValue, true);
  const a = await c.crm.companies.basicApi.create({ properties: { name: 'Uniq A', external_ref: 'X-1' } });
  let err;
  try {
    await c.crm.companies.basicApi.create({ properties: { name: 'Uniq B', external_ref: 'X-1' } });
  } catch (e) {
    err = e;
  }
  assert.ok(err && (err.code === 400 || err.code === 409), `duplicate unique value refused, got ${err?.code}`);
  assert.equal(err.body.status, 'error');
  // the record can be read by it
  const got = await c.crm.companies.basicApi.getById('X-1', ['name'], undefined, undefined, false, 'external_ref');
  assert.equal(got.id, a.id);
});

test('PROPERTY_DOESNT_EXIST on create and update, naming the property', async () => {
  const body = await writeError(
    c.crm.contacts.basicApi.create({ properties: { email: 'nope@example.com', testproperty_q: 'x' } }),
    'PROPERTY_DOESNT_EXIST',
    'testproperty_q',
  );
  assert.match(body.message, /Property values were not valid/);
  const x = await c.crm.contacts.basicApi.create({ properties: { email: 'nope2@example.com' } });
  await writeError(c.crm.contacts.basicApi.update(x.id, { properties: { testproperty_q: 'x' } }), 'PROPERTY_DOESNT_EXIST', 'testproperty_q');
});

test('INVALID_INTEGER on a number property; numbers are normalised strings', async () => {
  await writeError(
    c.crm.deals.basicApi.create({ properties: { dealname: 'Bad amount', amount: 'lots', pipeline: 'default', dealstage: 'appointmentscheduled' } }),
    'INVALID_INTEGER',
    'amount',
  );
  const d = await c.crm.deals.basicApi.create({ properties: { dealname: 'Ok amount', amount: '1234.5', pipeline: 'default', dealstage: 'appointmentscheduled' } });
  assert.equal(c.last().json.properties.amount, '1234.5');
  assert.ok(d.id);
});

test('INVALID_EMAIL on a contact email', async () => {
  await writeError(c.crm.contacts.basicApi.create({ properties: { email: 'not-an-email' } }), 'INVALID_EMAIL', 'email');
});

test('read-only properties cannot be written', async () => {
  const x = await c.crm.contacts.basicApi.create({ properties: { email: 'ro@example.com' } });
  for (const [prop, value] of [['hs_object_id', '12345'], ['createdate', '2020-01-01T00:00:00.000Z'], ['lastmodifieddate', '2020-01-01T00:00:00.000Z']]) {
    const body = await apiError(c.crm.contacts.basicApi.update(x.id, { properties: { [prop]: value } }), 400);
    assertErrorShape(body, 'VALIDATION_ERROR');
    assert.ok(JSON.stringify(body).includes(prop), `the error names ${prop}`);
  }
  const got = await c.crm.contacts.basicApi.getById(x.id, ['hs_object_id']);
  assert.equal(got.properties.hs_object_id, x.id);
});

test('date-only properties: midnight UTC in, YYYY-MM-DD out; any other time is refused', async () => {
  await c.crm.properties.coreApi.create('contacts', {
    name: 'renewal_date',
    label: 'Renewal date',
    type: 'date',
    fieldType: 'date',
    groupName: 'contactinformation',
  });
  const a = await c.crm.contacts.basicApi.create({ properties: { email: 'date1@example.com', renewal_date: '1430438400000' } });
  assert.equal(c.last().json.properties.renewal_date, '2015-05-01');
  const b = await c.crm.contacts.basicApi.create({ properties: { email: 'date2@example.com', renewal_date: '2015-05-01' } });
  assert.equal(b.properties.renewal_date, '2015-05-01');
  const body = await apiError(
    c.crm.contacts.basicApi.update(a.id, { properties: { renewal_date: String(1430438400000 + 3600 * 1000) } }),
    400,
  );
  assertErrorShape(body, 'VALIDATION_ERROR');
  assert.ok(JSON.stringify(body).includes('renewal_date'));
  const still = await c.crm.contacts.basicApi.getById(a.id, ['renewal_date']);
  assert.equal(still.properties.renewal_date, '2015-05-01', 'the refused write changed nothing');
});

test('datetime properties accept epoch ms and ISO, and answer ISO with milliseconds', async () => {
  const d = await c.crm.deals.basicApi.create({
    properties: { dealname: 'Dated', pipeline: 'default', dealstage: 'appointmentscheduled', closedate: '1579514400000' },
  });
  assert.equal(c.last().json.properties.closedate, '2020-01-20T10:00:00.000Z');
  await c.crm.deals.basicApi.update(d.id, { properties: { closedate: '2021-02-03T04:05:06.789Z' } });
  assert.equal(c.last().json.properties.closedate, '2021-02-03T04:05:06.789Z');
  await apiError(c.crm.deals.basicApi.update(d.id, { properties: { closedate: 'yesterday' } }), 400);
});

test('bool properties take "true"/"false"', async () => {
  await c.crm.properties.coreApi.create('contacts', {
    name: 'is_vip',
    label: 'VIP',
    type: 'bool',
    fieldType: 'booleancheckbox',
    groupName: 'contactinformation',
    options: [
      { label: 'Yes', value: 'true', displayOrder: 0, hidden: false },
      { label: 'No', value: 'false', displayOrder: 1, hidden: false },
    ],
  });
  const v = await c.crm.contacts.basicApi.create({ properties: { email: 'vip@example.com', is_vip: 'true' } });
  assert.equal(v.properties.is_vip, 'true');
  await apiError(c.crm.contacts.basicApi.update(v.id, { properties: { is_vip: 'maybe' } }), 400);
});

test('batch read, batch create (201), batch archive (204)', async () => {
  const read = await c.crm.properties.batchApi.read('contacts', { inputs: [{ name: 'email' }, { name: 'firstname' }], archived: false });
  assert.deepEqual(read.results.map((p) => p.name).sort(), ['email', 'firstname']);
  const made = await c.crm.properties.batchApi.create('tickets', {
    inputs: [
      { name: 'ext_a', label: 'Ext A', type: 'string', fieldType: 'text', groupName: 'ticketinformation' },
      { name: 'ext_b', label: 'Ext B', type: 'number', fieldType: 'number', groupName: 'ticketinformation' },
    ],
  });
  assert.equal(c.last().status, 201);
  assert.equal(made.results.length, 2);
  await c.crm.properties.batchApi.archive('tickets', { inputs: [{ name: 'ext_a' }, { name: 'ext_b' }] });
  assert.equal(c.last().status, 204);
  await apiError(c.crm.properties.coreApi.getByName('tickets', 'ext_a'), 404);
});

test('property groups: list, create 201, read, archive', async () => {
  const groups = await c.crm.properties.groupsApi.getAll('contacts');
  assert.ok(groups.results.some((g) => g.name === 'contactinformation'));
  const g = await c.crm.properties.groupsApi.create('contacts', { name: 'sync_fields', label: 'Sync fields', displayOrder: -1 });
  assert.equal(c.last().status, 201);
  assert.equal(g.name, 'sync_fields');
  const got = await c.crm.properties.groupsApi.getByName('contacts', 'sync_fields');
  assert.equal(got.label, 'Sync fields');
  // a property can go in the new group
  const p = await c.crm.properties.coreApi.create('contacts', { name: 'sync_id', label: 'Sync id', type: 'string', fieldType: 'text', groupName: 'sync_fields' });
  assert.equal(p.groupName, 'sync_fields');
  // but not in a group that does not exist
  await apiError(
    c.crm.properties.coreApi.create('contacts', { name: 'sync_id2', label: 'S', type: 'string', fieldType: 'text', groupName: 'no_such_group_q' }),
    400,
  );
});
