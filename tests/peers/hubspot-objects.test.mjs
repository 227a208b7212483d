// CRM v3 basic object endpoints through @hubspot/api-client: create, read (by id and by
// idProperty), list with paging, properties, propertiesWithHistory, associations and archived,
// update with "" clearing, archive, contact merge and GDPR delete, for all nine object types and
// their object-type ids; server-maintained timestamps and the wire shape of every record.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiError, assertErrorShape, assertRecordShape, sleep, ISO_MS, withPortal } from './lib/hubspot.mjs';

let hs;
let c;

withPortal((portal) => {
  hs = portal;
  c = portal.client();
});

const TS = '2024-05-01T10:00:00.000Z';
// Every object type: its path name, its type id, a minimal create body, and its default
// property set (research note §2.6).
const ACT = ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'];
const TYPES = [
  { name: 'contacts', id: '0-1', props: { email: 'types@example.com', firstname: 'Ty' },
    defaults: ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'] },
  { name: 'companies', id: '0-2', props: { name: 'Types Inc', domain: 'types.example.com' },
    defaults: ['name', 'domain', 'createdate', 'hs_lastmodifieddate', 'hs_object_id'] },
  { name: 'deals', id: '0-3', props: { dealname: 'Types deal', amount: '100', pipeline: 'default', dealstage: 'appointmentscheduled' },
    defaults: ['dealname', 'amount', 'closedate', 'pipeline', 'dealstage', 'createdate', 'hs_lastmodifieddate', 'hs_object_id'] },
  { name: 'tickets', id: '0-5', props: { subject: 'Types ticket', hs_pipeline: '0', hs_pipeline_stage: '1' },
    defaults: ['content', 'hs_pipeline', 'hs_pipeline_stage', 'hs_ticket_category', 'hs_ticket_priority', 'subject', 'createdate', 'hs_lastmodifieddate', 'hs_object_id'] },
  { name: 'tasks', id: '0-27', props: { hs_timestamp: TS, hs_task_subject: 'Call back', hs_task_status: 'NOT_STARTED' }, defaults: ACT },
  { name: 'notes', id: '0-46', props: { hs_timestamp: TS, hs_note_body: 'A note' }, defaults: ACT },
  { name: 'calls', id: '0-48', props: { hs_timestamp: TS, hs_call_title: 'Intro call', hs_call_direction: 'OUTBOUND' }, defaults: ACT },
  { name: 'emails', id: '0-49', props: { hs_timestamp: TS, hs_email_subject: 'Hello', hs_email_direction: 'EMAIL' }, defaults: ACT },
  { name: 'meetings', id: '0-47', props: { hs_timestamp: TS, hs_meeting_title: 'Kickoff' }, defaults: ACT },
];

for (const t of TYPES) {
  test(`${t.name}: create 201, read by name and by type id ${t.id}, default properties, list`, async () => {
    const created = await c.crm.objects.basicApi.create(t.name, { properties: t.props, associations: [] });
    const wire = c.last();
    assert.equal(wire.status, 201);
    assertRecordShape(wire.json);
    assert.equal(wire.json.archived, false);
    assert.ok(created.createdAt instanceof Date && !Number.isNaN(+created.createdAt), 'SDK parses createdAt');
    for (const [k, v] of Object.entries(t.props)) {
      if (k === 'hs_timestamp') assert.equal(Date.parse(wire.json.properties[k]), Date.parse(v));
      else assert.equal(wire.json.properties[k], v, k);
    }
    assert.equal(wire.json.properties.hs_object_id, wire.json.id);
    const createdProp = t.defaults.includes('createdate') ? 'createdate' : 'hs_createdate';
    assert.equal(wire.json.properties[createdProp], wire.json.createdAt, `${createdProp} matches createdAt`);

    const byName = await c.crm.objects.basicApi.getById(t.name, created.id);
    assert.equal(byName.id, created.id);
    assert.deepEqual(Object.keys(c.last().json.properties).sort(), [...t.defaults].sort(), 'default property set');
    assertRecordShape(c.last().json);

    const byTypeId = await c.crm.objects.basicApi.getById(t.id, created.id, Object.keys(t.props));
    assert.equal(byTypeId.id, created.id);
    for (const k of Object.keys(t.props)) assert.ok(k in c.last().json.properties, `${k} returned`);

    const page = await c.crm.objects.basicApi.getPage(t.id, 100);
    assert.ok(page.results.some((r) => r.id === created.id));
    for (const r of c.last().json.results) assertRecordShape(r);
  });
}

test('the typed discoveries reach the same endpoints (contacts, companies, deals, tickets, activities)', async () => {
  const co = await c.crm.companies.basicApi.create({ properties: { name: 'Typed Co' } });
  assert.equal((await c.crm.companies.basicApi.getById(co.id, ['name'])).properties.name, 'Typed Co');
  const d = await c.crm.deals.basicApi.create({ properties: { dealname: 'Typed deal', pipeline: 'default', dealstage: 'qualifiedtobuy' } });
  assert.equal((await c.crm.deals.basicApi.getById(d.id, ['dealstage'])).properties.dealstage, 'qualifiedtobuy');
  const tk = await c.crm.tickets.basicApi.create({ properties: { subject: 'Typed ticket', hs_pipeline: '0', hs_pipeline_stage: '2' } });
  assert.equal((await c.crm.tickets.basicApi.getById(tk.id, ['hs_pipeline_stage'])).properties.hs_pipeline_stage, '2');
  const n = await c.crm.objects.notes.basicApi.create({ properties: { hs_timestamp: TS, hs_note_body: 'typed' } });
  assert.equal((await c.crm.objects.notes.basicApi.getById(n.id, ['hs_note_body'])).properties.hs_note_body, 'typed');
  const tsk = await c.crm.objects.tasks.basicApi.create({ properties: { hs_timestamp: TS, hs_task_subject: 'typed' } });
  assert.equal((await c.crm.objects.tasks.basicApi.getById(tsk.id, ['hs_task_subject'])).properties.hs_task_subject, 'typed');
});

test('an unknown object type is 400 or 404 with the vendor error body', async () => {
  let err;
  try {
    await c.crm.objects.basicApi.getPage('widgets', 10);
  } catch (e) {
    err = e;
  }
  assert.ok(err && (err.code === 400 || err.code === 404), `got ${err?.code}`);
  assert.equal(err.body.status, 'error');
  assert.equal(typeof err.body.category, 'string');
});

test('server-maintained fields: createdate, lastmodifieddate, hs_object_id, createdAt, updatedAt', async () => {
  const before = Date.now();
  const created = await c.crm.contacts.basicApi.create({ properties: { email: 'stamps@example.com', firstname: 'Stamp' } });
  const w = c.last().json;
  assert.equal(w.properties.hs_object_id, w.id);
  assert.match(w.properties.createdate, ISO_MS);
  assert.match(w.properties.lastmodifieddate, ISO_MS);
  assert.equal(w.properties.createdate, w.createdAt, 'createdAt matches createdate');
  assert.equal(w.properties.lastmodifieddate, w.updatedAt, 'updatedAt matches lastmodifieddate');
  assert.ok(Math.abs(Date.parse(w.createdAt) - before) < 5000);

  await sleep(15);
  await c.crm.contacts.basicApi.update(created.id, { properties: { firstname: 'Stamped' } });
  const u = c.last().json;
  assert.equal(c.last().status, 200);
  assert.equal(u.createdAt, w.createdAt, 'createdAt does not move');
  assert.ok(Date.parse(u.updatedAt) > Date.parse(w.updatedAt), 'updatedAt moves forward');
  assert.equal(u.properties.firstname, 'Stamped');
  const r = await c.crm.contacts.basicApi.getById(created.id, ['lastmodifieddate', 'createdate']);
  assert.equal(c.last().json.properties.lastmodifieddate, u.updatedAt);
  assert.equal(+r.updatedAt, Date.parse(u.updatedAt));

  const co = await c.crm.companies.basicApi.create({ properties: { name: 'Stamp Co' } });
  const cw = c.last().json;
  assert.match(cw.properties.hs_lastmodifieddate, ISO_MS);
  assert.equal(cw.properties.hs_object_id, co.id);
  assert.equal(cw.properties.hs_lastmodifieddate, cw.updatedAt);
});

test('requested-but-unset properties come back as null; unknown names are ignored on reads', async () => {
  const x = await c.crm.contacts.basicApi.create({ properties: { email: 'unset@example.com' } });
  await c.crm.contacts.basicApi.getById(x.id, ['email', 'phone', 'no_such_property_xyz']);
  const p = c.last().json.properties;
  assert.equal(p.email, 'unset@example.com');
  assert.ok('phone' in p, 'requested property present');
  assert.equal(p.phone, null);
  assert.ok(!('no_such_property_xyz' in p));
});

test('read by idProperty=email (case-insensitive) and update by idProperty', async () => {
  const x = await c.crm.contacts.basicApi.create({ properties: { email: 'by.email@example.com', firstname: 'Bee' } });
  const got = await c.crm.contacts.basicApi.getById('by.email@example.com', ['firstname'], undefined, undefined, false, 'email');
  assert.equal(got.id, x.id);
  const got2 = await c.crm.contacts.basicApi.getById('BY.Email@Example.com', ['firstname'], undefined, undefined, false, 'email');
  assert.equal(got2.id, x.id);
  const upd = await c.crm.contacts.basicApi.update('by.email@example.com', { properties: { firstname: 'Bea' } }, 'email');
  assert.equal(upd.id, x.id);
  assert.equal(upd.properties.firstname, 'Bea');
  const body = await apiError(
    c.crm.contacts.basicApi.getById('nobody@example.com', undefined, undefined, undefined, false, 'email'),
    404,
  );
  assertErrorShape(body, 'OBJECT_NOT_FOUND');
});

test('unknown id: 404 OBJECT_NOT_FOUND on read, update and archive', async () => {
  assertErrorShape(await apiError(c.crm.contacts.basicApi.getById('999999999'), 404), 'OBJECT_NOT_FOUND');
  assertErrorShape(
    await apiError(c.crm.contacts.basicApi.update('999999999', { properties: { firstname: 'X' } }), 404),
    'OBJECT_NOT_FOUND',
  );
});

test('list: limit, opaque after cursor, no paging on the last page, repeated properties params', async () => {
  const ids = [];
  for (let i = 0; i < 7; i++) {
    const r = await c.crm.deals.basicApi.create({ properties: { dealname: `Paged ${i}`, pipeline: 'default', dealstage: 'appointmentscheduled', amount: String(i) } });
    ids.push(r.id);
  }
  const seen = [];
  let after;
  let pages = 0;
  for (;;) {
    const page = await c.crm.deals.basicApi.getPage(3, after, ['dealname', 'amount']);
    const w = c.last().json;
    pages++;
    assert.ok(w.results.length <= 3);
    for (const r of w.results) {
      assert.ok('dealname' in r.properties && 'amount' in r.properties, 'both repeated properties params honoured');
      seen.push(r.id);
    }
    if (!w.paging) break;
    assert.equal(typeof w.paging.next.after, 'string');
    assert.ok(w.paging.next.after.length > 0);
    assert.equal(page.paging.next.after, w.paging.next.after);
    after = w.paging.next.after;
    assert.ok(pages < 100);
  }
  assert.equal(new Set(seen).size, seen.length, 'no record twice');
  for (const id of ids) assert.ok(seen.includes(id), `record ${id} listed`);
  assert.ok(pages >= 3);
});

test("the SDK's getAll helper pages through every live record", async () => {
  const all = await c.crm.contacts.getAll(2, undefined, ['email']);
  const dump = await hs.control('GET', '/__emu/records/contacts');
  const rows = Array.isArray(dump) ? dump : dump.results;
  const live = rows.filter((r) => !r.archived).map((r) => String(r.id)).sort();
  assert.deepEqual(all.map((r) => r.id).sort(), live);
  assert.ok(live.length > 2, 'more than one page');
});

test('propertiesWithHistory records every value with its timestamp and source, newest first', async () => {
  const x = await c.crm.contacts.basicApi.create({ properties: { email: 'history@example.com', firstname: 'One' } });
  await sleep(5);
  await c.crm.contacts.basicApi.update(x.id, { properties: { firstname: 'Two' } });
  await sleep(5);
  await c.crm.contacts.basicApi.update(x.id, { properties: { firstname: 'Three' } });
  const got = await c.crm.contacts.basicApi.getById(x.id, ['firstname'], ['firstname']);
  const h = c.last().json.propertiesWithHistory.firstname;
  assert.ok(Array.isArray(h));
  assert.deepEqual(h.map((v) => v.value), ['Three', 'Two', 'One']);
  for (const v of h) {
    assert.match(v.timestamp, ISO_MS);
    assert.equal(typeof v.sourceType, 'string');
    assert.ok(v.sourceType.length > 0);
  }
  assert.ok(Date.parse(h[0].timestamp) >= Date.parse(h[1].timestamp));
  assert.ok(Date.parse(h[1].timestamp) >= Date.parse(h[2].timestamp));
  assert.equal(got.propertiesWithHistory.firstname[0].value, 'Three');
  assert.ok(got.propertiesWithHistory.firstname[0].timestamp instanceof Date);

  const page = await c.crm.contacts.basicApi.getPage(100, undefined, ['email'], ['firstname']);
  const mine = c.last().json.results.find((r) => r.id === x.id);
  assert.ok(mine, 'listed');
  assert.equal(mine.propertiesWithHistory.firstname.length, 3);
  assert.ok(page.results.length > 0);
});

test('"" clears a value; null and "" are the only non-string answers', async () => {
  const x = await c.crm.contacts.basicApi.create({ properties: { email: 'clear@example.com', firstname: 'Clear', phone: '+1 555 0100' } });
  await c.crm.contacts.basicApi.update(x.id, { properties: { phone: '' } });
  await c.crm.contacts.basicApi.getById(x.id, ['phone', 'firstname']);
  const p = c.last().json.properties;
  assert.ok(p.phone === '' || p.phone === null, `phone cleared, got ${JSON.stringify(p.phone)}`);
  assert.equal(p.firstname, 'Clear', 'other properties untouched');
});

test('archive: 204, then 404; archived=true reads it with archivedAt; lists split by archived', async () => {
  const x = await c.crm.companies.basicApi.create({ properties: { name: 'Gone Co' } });
  await c.crm.companies.basicApi.archive(x.id);
  assert.equal(c.last().status, 204);
  assertErrorShape(await apiError(c.crm.companies.basicApi.getById(x.id), 404), 'OBJECT_NOT_FOUND');
  const got = await c.crm.companies.basicApi.getById(x.id, ['name'], undefined, undefined, true);
  const w = c.last().json;
  assert.equal(w.archived, true);
  assert.match(w.archivedAt, ISO_MS);
  assert.ok(got.archivedAt instanceof Date);
  assert.equal(w.properties.name, 'Gone Co');

  const live = await c.crm.companies.basicApi.getPage(100);
  assert.ok(!live.results.some((r) => r.id === x.id), 'not in the default list');
  const arch = await c.crm.companies.basicApi.getPage(100, undefined, undefined, undefined, undefined, true);
  assert.ok(arch.results.some((r) => r.id === x.id), 'in the archived list');
  assert.ok(arch.results.every((r) => r.archived === true), 'archived list holds only archived records');
  // archiving twice is idempotent in HubSpot (204)
  await c.crm.companies.basicApi.archive(x.id);
  assert.equal(c.last().status, 204);
});

test('an archived record can be restored (control API): same id, values, archived false', async () => {
  const x = await c.crm.deals.basicApi.create({ properties: { dealname: 'Back again', pipeline: 'default', dealstage: 'qualifiedtobuy' } });
  await c.crm.deals.basicApi.archive(x.id);
  await apiError(c.crm.deals.basicApi.getById(x.id), 404);
  await hs.control('POST', '/__emu/restore', { objectType: 'deals', id: x.id });
  const back = await c.crm.deals.basicApi.getById(x.id, ['dealname', 'dealstage']);
  const w = c.last().json;
  assert.equal(back.id, x.id);
  assert.equal(w.archived, false);
  assert.equal(w.archivedAt, undefined);
  assert.equal(w.properties.dealname, 'Back again');
  const live = await c.crm.deals.basicApi.getPage(100);
  assert.ok(live.results.some((r) => r.id === x.id));
});

test('create-time associations appear in reads with associations=', async () => {
  const co = await c.crm.companies.basicApi.create({ properties: { name: 'Assoc Co' } });
  const ct = await c.crm.contacts.basicApi.create({
    properties: { email: 'assoc@example.com' },
    associations: [{ to: { id: co.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 279 }] }],
  });
  const got = await c.crm.contacts.basicApi.getById(ct.id, ['email'], undefined, ['companies']);
  const w = c.last().json;
  assert.ok(w.associations?.companies, 'associations.companies present');
  const res = w.associations.companies.results;
  assert.ok(res.some((a) => a.id === co.id && typeof a.type === 'string'), JSON.stringify(res));
  assert.ok(res.some((a) => a.type === 'contact_to_company_unlabeled'), JSON.stringify(res));
  assert.equal(got.associations.companies.results[0].id, co.id);
  // and from the other side
  await c.crm.companies.basicApi.getById(co.id, undefined, undefined, ['contacts']);
  assert.ok(c.last().json.associations.contacts.results.some((a) => a.id === ct.id));
  // lists carry them too
  await c.crm.contacts.basicApi.getPage(100, undefined, ['email'], undefined, ['companies']);
  const listed = c.last().json.results.find((r) => r.id === ct.id);
  assert.ok(listed.associations.companies.results.some((a) => a.id === co.id));
});

test('duplicate contact email: 409 CONFLICT "Contact already exists. Existing ID: N", case-insensitive', async () => {
  const x = await c.crm.contacts.basicApi.create({ properties: { email: 'Dup.Person@Example.com' } });
  const body = await apiError(c.crm.contacts.basicApi.create({ properties: { email: 'dup.person@example.COM' } }), 409);
  assertErrorShape(body, 'CONFLICT');
  assert.equal(body.message, `Contact already exists. Existing ID: ${x.id}`);
  // an update onto another contact's email conflicts too
  const y = await c.crm.contacts.basicApi.create({ properties: { email: 'other.person@example.com' } });
  const b2 = await apiError(c.crm.contacts.basicApi.update(y.id, { properties: { email: 'DUP.person@example.com' } }), 409);
  assertErrorShape(b2, 'CONFLICT');
  // company domains are not unique
  await c.crm.companies.basicApi.create({ properties: { name: 'A', domain: 'same.example.com' } });
  await c.crm.companies.basicApi.create({ properties: { name: 'B', domain: 'same.example.com' } });
  assert.equal(c.last().status, 201);
});

test('contacts merge: 200 with the merged record; the merged-away contact no longer lists', async () => {
  const a = await c.crm.contacts.basicApi.create({ properties: { email: 'merge.primary@example.com', firstname: 'Prim' } });
  const b = await c.crm.contacts.basicApi.create({ properties: { email: 'merge.loser@example.com', lastname: 'Loser' } });
  const merged = await c.crm.contacts.basicApi.merge({ primaryObjectId: a.id, objectIdToMerge: b.id });
  assert.equal(c.last().status, 200);
  assertRecordShape(c.last().json);
  assert.ok(merged.id);
  const live = [];
  let after;
  do {
    const p = await c.crm.contacts.basicApi.getPage(100, after, ['email']);
    live.push(...p.results.map((r) => r.id));
    after = p.paging?.next?.after;
  } while (after);
  assert.ok(live.includes(merged.id), 'merged record lists');
  assert.ok(!(live.includes(a.id) && live.includes(b.id)), 'the two contacts are one now');
  assert.ok(!live.includes(b.id) || merged.id === b.id);
  const r = await c.crm.contacts.basicApi.getById(merged.id, ['email', 'firstname', 'lastname']);
  assert.equal(r.properties.email, 'merge.primary@example.com');
  assert.equal(r.properties.firstname, 'Prim');
  // merging a contact with itself is refused
  await apiError(c.crm.contacts.basicApi.merge({ primaryObjectId: merged.id, objectIdToMerge: merged.id }), 400);
});

test('merges chain: the last primary answers to every merged id and address', async () => {
  const mk = (e) => c.crm.contacts.basicApi.create({ properties: { email: e } });
  const a = await mk('chain.a@example.com');
  const b = await mk('chain.b@example.com');
  const z = await mk('chain.z@example.com');
  await c.crm.contacts.basicApi.merge({ primaryObjectId: a.id, objectIdToMerge: b.id });
  await c.crm.contacts.basicApi.merge({ primaryObjectId: z.id, objectIdToMerge: a.id });
  for (const id of [a.id, b.id]) {
    const r = await c.crm.contacts.basicApi.getById(id, ['email', 'hs_merged_object_ids', 'hs_additional_emails']);
    assert.equal(r.id, z.id);
    assert.deepEqual(r.properties.hs_merged_object_ids.split(';').sort(), [a.id, b.id].sort());
    assert.deepEqual(r.properties.hs_additional_emails.split(';').sort(), ['chain.a@example.com', 'chain.b@example.com']);
  }
  const byEmail = await c.crm.contacts.basicApi.getById('chain.b@example.com', undefined, undefined, undefined, false, 'email');
  assert.equal(byEmail.id, z.id);
});

test('a property value past 65,536 characters is a 400 VALIDATION_ERROR; one at the limit is kept', async () => {
  const body = await apiError(c.crm.contacts.basicApi.create({ properties: { firstname: 'x'.repeat(65537) } }), 400);
  assertErrorShape(body, 'VALIDATION_ERROR');
  assert.equal(body.errors[0].code, 'INVALID_VALUE');
  const ok = await c.crm.contacts.basicApi.create({ properties: { firstname: 'y'.repeat(65536) } });
  const r = await c.crm.contacts.basicApi.getById(ok.id, ['firstname']);
  assert.equal(r.properties.firstname.length, 65536);
});

test('GDPR delete: 204; the contact is gone for good, even with archived=true; by idProperty email', async () => {
  const x = await c.crm.contacts.basicApi.create({ properties: { email: 'gdpr.one@example.com' } });
  await c.crm.contacts.basicApi.purge({ objectId: x.id });
  assert.equal(c.last().status, 204);
  await apiError(c.crm.contacts.basicApi.getById(x.id), 404);
  await apiError(c.crm.contacts.basicApi.getById(x.id, undefined, undefined, undefined, true), 404);

  const y = await c.crm.contacts.basicApi.create({ properties: { email: 'gdpr.two@example.com' } });
  await c.crm.contacts.basicApi.purge({ objectId: 'gdpr.two@example.com', idProperty: 'email' });
  assert.equal(c.last().status, 204);
  await apiError(c.crm.contacts.basicApi.getById(y.id, undefined, undefined, undefined, true), 404);
  // the email is free again
  const z = await c.crm.contacts.basicApi.create({ properties: { email: 'gdpr.two@example.com' } });
  assert.notEqual(z.id, y.id);
});

test('record ids are decimal strings, unique across creates', async () => {
  const ids = new Set();
  for (let i = 0; i < 5; i++) {
    const r = await c.crm.objects.basicApi.create('notes', { properties: { hs_timestamp: TS, hs_note_body: `n${i}` } });
    assert.match(r.id, /^[1-9]\d*$/);
    ids.add(r.id);
  }
  assert.equal(ids.size, 5);
});
