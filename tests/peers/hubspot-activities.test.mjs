// Activities (tasks, notes, calls, emails, meetings) through @hubspot/api-client, as an activity
// sync uses them: creates with hs_timestamp (required) and each type's own properties, the
// create-time `associations` array with HubSpot's published default type ids, v4 reads of both
// directions, the incremental search on hs_lastmodifieddate and hs_createdate, batch writes, and
// a custom unique link id used for upserts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHubspot, apiError, assertErrorShape, assertRecordShape, noLimits, sleep, ISO_MS } from './lib/hubspot.mjs';

let hs;
let c;
let owner;
let contact;
let company;
let deal;
let ticket;

// Per type: the properties a sync writes, and HubSpot's HUBSPOT_DEFINED default association type
// ids from the activity to contact, company, deal and ticket, and back.
const TYPES = {
  tasks: {
    props: {
      hs_task_subject: 'Call Ada back',
      hs_task_body: 'About the renewal',
      hs_task_status: 'NOT_STARTED',
      hs_task_priority: 'HIGH',
      hs_task_type: 'CALL',
    },
    to: { contacts: [204, 203], companies: [192, 191], deals: [216, 215], tickets: [230, 229] },
  },
  notes: {
    props: { hs_note_body: 'Met at the fair; wants a demo.' },
    to: { contacts: [202, 201], companies: [190, 189], deals: [214, 213], tickets: [228, 227] },
  },
  calls: {
    props: { hs_call_title: 'Discovery call', hs_call_body: 'Talked budget.', hs_call_status: 'COMPLETED', hs_call_direction: 'OUTBOUND' },
    to: { contacts: [194, 193], companies: [182, 181], deals: [206, 205], tickets: [220, 219] },
  },
  emails: {
    props: { hs_email_subject: 'Your quote', hs_email_text: 'Please find the quote attached.', hs_email_direction: 'EMAIL' },
    to: { contacts: [198, 197], companies: [186, 185], deals: [210, 209], tickets: [224, 223] },
  },
  meetings: {
    props: {
      hs_meeting_title: 'Kickoff',
      hs_meeting_body: 'Agenda: scope',
      hs_meeting_start_time: '2024-05-02T14:00:00.000Z',
      hs_meeting_end_time: '2024-05-02T15:00:00.000Z',
      hs_meeting_outcome: 'SCHEDULED',
    },
    to: { contacts: [200, 199], companies: [188, 187], deals: [212, 211], tickets: [226, 225] },
  },
};

const spec = (id) => ({ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: id });
const typesTo = (page, id) =>
  page.results
    .filter((r) => String(r.toObjectId) === String(id))
    .flatMap((r) => r.associationTypes.map((t) => t.typeId))
    .sort((a, b) => a - b);
const api = (type) => c.crm.objects[type];

before(async () => {
  hs = await startHubspot();
  await noLimits(hs);
  c = hs.client();
  owner = (await c.crm.owners.ownersApi.getPage()).results.find((o) => !o.archived).id;
  contact = (await c.crm.contacts.basicApi.create({ properties: { email: 'activity.person@example.com' } })).id;
  company = (await c.crm.companies.basicApi.create({ properties: { name: 'Activity Co' } })).id;
  deal = (await c.crm.deals.basicApi.create({ properties: { dealname: 'Activity deal', pipeline: 'default', dealstage: 'appointmentscheduled' } })).id;
  ticket = (await c.crm.tickets.basicApi.create({ properties: { subject: 'Activity ticket', hs_pipeline_stage: '1' } })).id;
  for (const type of Object.keys(TYPES)) {
    await c.crm.properties.coreApi.create(type, {
      name: 'crmsync_link_id',
      label: 'crmsync link id',
      type: 'string',
      fieldType: 'text',
      groupName: type.slice(0, -1),
      hasUniqueValue: true,
    });
  }
});
after(async () => {
  await hs?.stop();
});

for (const [type, t] of Object.entries(TYPES)) {
  test(`${type}: create with hs_timestamp, its properties, an owner and a link id; values read back`, async () => {
    const props = { hs_timestamp: '1714658400000', hubspot_owner_id: owner, crmsync_link_id: `${type}-link-1`, ...t.props };
    await api(type).basicApi.create({ properties: props });
    const w = c.last();
    assert.equal(w.status, 201);
    assertRecordShape(w.json);
    const got = await api(type).basicApi.getById(w.json.id, [...Object.keys(props), 'hs_createdate', 'hs_lastmodifieddate', 'hs_object_id']);
    assert.equal(got.properties.hs_timestamp, '2024-05-02T14:00:00.000Z', 'epoch ms in, ISO out');
    for (const [k, v] of Object.entries(props)) if (k !== 'hs_timestamp') assert.equal(got.properties[k], v, k);
    assert.match(got.properties.hs_createdate, ISO_MS);
    assert.match(got.properties.hs_lastmodifieddate, ISO_MS);
    assert.equal(got.properties.hs_object_id, w.json.id);
    // read and update by the link id
    const byLink = await api(type).basicApi.getById(`${type}-link-1`, ['hs_timestamp'], undefined, undefined, false, 'crmsync_link_id');
    assert.equal(byLink.id, w.json.id);
    await api(type).basicApi.update(`${type}-link-1`, { properties: { hs_timestamp: '2024-05-03T09:30:00Z' } }, 'crmsync_link_id');
    const upd = await api(type).basicApi.getById(w.json.id, ['hs_timestamp']);
    assert.equal(upd.properties.hs_timestamp, '2024-05-03T09:30:00.000Z');
  });

  test(`${type}: hs_timestamp is required; a value outside an enumeration's options is refused`, async () => {
    const e = await apiError(api(type).basicApi.create({ properties: { ...t.props } }), 400);
    assertErrorShape(e, 'VALIDATION_ERROR');
    assert.match(e.message, /hs_timestamp/);
    const enumProp = Object.keys(t.props).find((k) => /_status|_direction|_outcome/.test(k));
    if (enumProp) {
      const bad = await apiError(api(type).basicApi.create({ properties: { hs_timestamp: '1714658400000', [enumProp]: 'NOT_AN_OPTION' } }), 400);
      assertErrorShape(bad, 'VALIDATION_ERROR');
      assert.match(bad.message, new RegExp(enumProp));
    }
  });

  test(`${type}: the create-time associations array takes HubSpot's default type ids to contact, company, deal, ticket`, async () => {
    const targets = { contacts: contact, companies: company, deals: deal, tickets: ticket };
    const r = await api(type).basicApi.create({
      properties: { hs_timestamp: '2024-05-02T14:00:00.000Z', ...t.props },
      associations: Object.entries(t.to).map(([toType, [fwd]]) => ({ to: { id: targets[toType] }, types: [spec(fwd)] })),
    });
    for (const [toType, [fwd, back]] of Object.entries(t.to)) {
      assert.deepEqual(typesTo(await c.crm.associations.v4.basicApi.getPage(type, r.id, toType), targets[toType]), [fwd], `${type} -> ${toType}`);
      assert.deepEqual(typesTo(await c.crm.associations.v4.basicApi.getPage(toType, targets[toType], type), r.id), [back], `${toType} -> ${type}`);
    }
    // the same ids come from the default association, and the labels API lists them
    const r2 = await api(type).basicApi.create({ properties: { hs_timestamp: '2024-05-02T14:00:00.000Z' } });
    await c.crm.associations.v4.basicApi.createDefault(type, r2.id, 'contacts', contact);
    assert.deepEqual(typesTo(await c.crm.associations.v4.basicApi.getPage(type, r2.id, 'contacts'), contact), [t.to.contacts[0]]);
    const labels = await c.crm.associations.v4.schema.definitionsApi.getAll(type, 'contacts');
    assert.ok(
      labels.results.some((l) => l.typeId === t.to.contacts[0] && l.category === 'HUBSPOT_DEFINED'),
      `labels of ${type} -> contacts list ${t.to.contacts[0]}: ${JSON.stringify(labels.results)}`,
    );
    // a type id of another pair is refused
    const other = Object.values(TYPES).find((x) => x !== t).to.contacts[0];
    const bad = await apiError(
      api(type).basicApi.create({ properties: { hs_timestamp: '2024-05-02T14:00:00.000Z' }, associations: [{ to: { id: contact }, types: [spec(other)] }] }),
      400,
    );
    assert.equal(typeof bad.message, 'string');
    // the record read with associations=contacts
    const got = await api(type).basicApi.getById(r.id, undefined, undefined, ['contacts']);
    assert.deepEqual(got.associations.contacts.results.map((x) => x.id), [contact]);
  });
}

test('search on activities: hs_lastmodifieddate GTE a mark and hs_createdate ranges, sorted', async () => {
  const a = await api('tasks').basicApi.create({ properties: { hs_timestamp: '2024-01-01T00:00:00Z', hs_task_subject: 'poll-a' } });
  await sleep(5);
  const b = await api('tasks').basicApi.create({ properties: { hs_timestamp: '2024-01-01T00:00:00Z', hs_task_subject: 'poll-b' } });
  const createdB = Date.parse((await api('tasks').basicApi.getById(b.id, ['hs_createdate'])).properties.hs_createdate);
  await sleep(5);
  const mark = Date.now();
  await sleep(5);
  await api('tasks').basicApi.update(b.id, { properties: { hs_task_status: 'COMPLETED' } });
  await sleep(5);
  await api('tasks').basicApi.update(a.id, { properties: { hs_task_status: 'COMPLETED' } });

  const mod = await api('tasks').searchApi.doSearch({
    filterGroups: [{ filters: [{ propertyName: 'hs_lastmodifieddate', operator: 'GTE', value: String(mark) }] }],
    sorts: [{ propertyName: 'hs_lastmodifieddate', direction: 'ASCENDING' }],
    properties: ['hs_task_subject', 'hs_task_status'],
    limit: 100,
  });
  assert.deepEqual(mod.results.map((r) => r.id), [b.id, a.id]);
  assert.deepEqual(mod.results.map((r) => r.properties.hs_task_status), ['COMPLETED', 'COMPLETED']);

  const created = await api('tasks').searchApi.doSearch({
    filterGroups: [{ filters: [{ propertyName: 'hs_createdate', operator: 'GTE', value: String(createdB) }] }],
    sorts: [{ propertyName: 'hs_createdate', direction: 'DESCENDING' }],
    limit: 100,
  });
  assert.ok(created.results.some((r) => r.id === b.id));
  assert.ok(!created.results.some((r) => r.id === a.id), 'a was created before b');
  // defaults when no properties are asked for
  const keys = Object.keys(c.last().json.results[0].properties).sort();
  assert.deepEqual(keys, ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id']);

  const between = await api('tasks').searchApi.doSearch({
    filterGroups: [{ filters: [{ propertyName: 'hs_createdate', operator: 'BETWEEN', value: String(createdB - 1000), highValue: String(createdB) }] }],
    limit: 100,
  });
  assert.ok(between.results.some((r) => r.id === b.id));
  // query searches hs_task_subject
  const q = await api('tasks').searchApi.doSearch({ query: 'poll-b', limit: 10 });
  assert.deepEqual(q.results.map((r) => r.id), [b.id]);
  // archived activities are not found
  await api('tasks').basicApi.archive(b.id);
  const after = await api('tasks').searchApi.doSearch({ query: 'poll-b', limit: 10 });
  assert.equal(after.total, 0);
});

test('batch create with associations, batch read, batch upsert by the link id, batch archive', async () => {
  const created = await api('notes').batchApi.create({
    inputs: [1, 2].map((i) => ({
      properties: { hs_timestamp: '2024-02-01T10:00:00.000Z', hs_note_body: `batch note ${i}`, crmsync_link_id: `bn-${i}` },
      associations: [{ to: { id: contact }, types: [spec(202)] }],
    })),
  });
  assert.equal(c.last().status, 201);
  const ids = created.results.map((r) => r.id);
  const page = await c.crm.associations.v4.basicApi.getPage('contacts', contact, 'notes');
  for (const id of ids) assert.deepEqual(typesTo(page, id), [201]);

  const read = await api('notes').batchApi.read({ inputs: ids.map((id) => ({ id })), properties: ['hs_note_body'], propertiesWithHistory: [] });
  assert.deepEqual(read.results.map((r) => r.properties.hs_note_body).sort(), ['batch note 1', 'batch note 2']);

  const ups = await api('notes').batchApi.upsert({
    inputs: [
      { id: 'bn-1', idProperty: 'crmsync_link_id', properties: { hs_note_body: 'batch note 1 (edited)' } },
      { id: 'bn-3', idProperty: 'crmsync_link_id', properties: { hs_note_body: 'batch note 3', hs_timestamp: '2024-02-02T10:00:00.000Z' } },
    ],
  });
  assert.equal(c.last().status, 200);
  assert.equal(ups.results.find((r) => r.id === ids[0])._new, false);
  assert.equal(ups.results.find((r) => r.id !== ids[0])._new, true);
  // an upsert that would create without hs_timestamp is refused
  await apiError(api('notes').batchApi.upsert({ inputs: [{ id: 'bn-4', idProperty: 'crmsync_link_id', properties: { hs_note_body: 'no time' } }] }), 400);

  await api('notes').batchApi.archive({ inputs: ids.map((id) => ({ id })) });
  assert.equal(c.last().status, 204);
  await apiError(api('notes').basicApi.getById(ids[0]), 404);
  const left = await c.crm.associations.v4.basicApi.getPage('contacts', contact, 'notes');
  assert.ok(!left.results.some((r) => ids.includes(String(r.toObjectId))), 'an archived note leaves the contact');
  // restored from the recycle bin, it is associated again
  await hs.control('POST', '/__emu/restore', { objectType: 'notes', id: ids[0] });
  const back = await c.crm.associations.v4.basicApi.getPage('contacts', contact, 'notes');
  assert.deepEqual(typesTo(back, ids[0]), [201]);
  assert.deepEqual(typesTo(back, ids[1]), []);
});
