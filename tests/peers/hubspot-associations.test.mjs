// Associations v4 through @hubspot/api-client: default and labelled creates, reads from both
// sides with the inverse type ids, archive, the batch endpoints, label definitions (default and
// custom), and the v3 create-time associations array.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiError, assertErrorShape, ISO_MS, withPortal } from './lib/hubspot.mjs';

let hs;
let c;

withPortal((portal) => {
  hs = portal;
  c = portal.client();
});

const contact = async (email) => (await c.crm.contacts.basicApi.create({ properties: { email } })).id;
const company = async (name) => (await c.crm.companies.basicApi.create({ properties: { name } })).id;
const deal = async (dealname) =>
  (await c.crm.deals.basicApi.create({ properties: { dealname, pipeline: 'default', dealstage: 'appointmentscheduled' } })).id;
const spec = (associationTypeId, associationCategory = 'HUBSPOT_DEFINED') => ({ associationCategory, associationTypeId });

function typesTo(page, id) {
  const row = page.results.find((r) => String(r.toObjectId) === String(id));
  return row ? row.associationTypes.map((t) => t.typeId).sort((a, b) => a - b) : [];
}

test('default association: 200, unlabeled type 279 one way and 280 the other', async () => {
  const ct = await contact('v4default@example.com');
  const co = await company('V4 Default Co');
  const res = await c.crm.associations.v4.basicApi.createDefault('contacts', ct, 'companies', co);
  const w = c.last();
  assert.equal(w.status, 200);
  assert.equal(w.json.status, 'COMPLETE');
  const r = w.json.results.find((x) => x.from.id === ct && x.to.id === co);
  assert.ok(r, JSON.stringify(w.json.results));
  assert.deepEqual(r.associationSpec, { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 279 });
  assert.equal(res.results.length, w.json.results.length);

  const fromContact = await c.crm.associations.v4.basicApi.getPage('contacts', ct, 'companies');
  const raw = c.last().json;
  assert.equal(typeof raw.results[0].toObjectId, 'number', 'toObjectId is a JSON number on the wire');
  assert.deepEqual(typesTo(fromContact, co), [279]);
  const t = raw.results[0].associationTypes[0];
  assert.equal(t.category, 'HUBSPOT_DEFINED');
  assert.equal(t.label, null);
  const fromCompany = await c.crm.associations.v4.basicApi.getPage('companies', co, 'contacts');
  assert.deepEqual(typesTo(fromCompany, ct), [280]);
});

test('labelled association (primary, 1): 201 LabelsBetweenObjectPair; reads list both types; inverse 2 and 280', async () => {
  const ct = await contact('v4primary@example.com');
  const co = await company('V4 Primary Co');
  await c.crm.associations.v4.basicApi.createDefault('contacts', ct, 'companies', co);
  const res = await c.crm.associations.v4.basicApi.create('contacts', ct, 'companies', co, [spec(1)]);
  const w = c.last();
  assert.equal(w.status, 201);
  assert.equal(w.json.fromObjectTypeId, '0-1');
  assert.equal(w.json.toObjectTypeId, '0-2');
  assert.equal(String(w.json.fromObjectId), ct);
  assert.equal(String(w.json.toObjectId), co);
  assert.ok(w.json.labels.includes('Primary'), JSON.stringify(w.json));
  assert.equal(res.fromObjectTypeId, '0-1');

  const page = await c.crm.associations.v4.basicApi.getPage('contacts', ct, 'companies');
  assert.deepEqual(typesTo(page, co), [1, 279]);
  const primary = c.last().json.results[0].associationTypes.find((t) => t.typeId === 1);
  assert.equal(primary.label, 'Primary');
  assert.equal(primary.category, 'HUBSPOT_DEFINED');
  const back = await c.crm.associations.v4.basicApi.getPage('companies', co, 'contacts');
  assert.deepEqual(typesTo(back, ct), [2, 280]);
});

test('a labelled association alone still brings the unlabeled one, both ways', async () => {
  const ct = await contact('v4labelonly@example.com');
  const co = await company('V4 Label Only Co');
  await c.crm.associations.v4.basicApi.create('contacts', ct, 'companies', co, [spec(1)]);
  assert.deepEqual(typesTo(await c.crm.associations.v4.basicApi.getPage('contacts', ct, 'companies'), co), [1, 279]);
  assert.deepEqual(typesTo(await c.crm.associations.v4.basicApi.getPage('companies', co, 'contacts'), ct), [2, 280]);
});

test('deal ↔ contact uses 3 and 4; object type ids work in paths', async () => {
  const d = await deal('V4 Deal');
  const ct = await contact('v4deal@example.com');
  await c.crm.associations.v4.basicApi.create('deals', d, 'contacts', ct, [spec(3)]);
  assert.deepEqual(typesTo(await c.crm.associations.v4.basicApi.getPage('deals', d, 'contacts'), ct), [3]);
  assert.deepEqual(typesTo(await c.crm.associations.v4.basicApi.getPage('0-1', ct, '0-3'), d), [4]);
});

test('archive removes every association between the pair, both ways: 204', async () => {
  const ct = await contact('v4archive@example.com');
  const co = await company('V4 Archive Co');
  await c.crm.associations.v4.basicApi.create('contacts', ct, 'companies', co, [spec(1), spec(279)]);
  await c.crm.associations.v4.basicApi.archive('contacts', ct, 'companies', co);
  assert.equal(c.last().status, 204);
  const p1 = await c.crm.associations.v4.basicApi.getPage('contacts', ct, 'companies');
  assert.equal(p1.results.length, 0);
  const p2 = await c.crm.associations.v4.basicApi.getPage('companies', co, 'contacts');
  assert.equal(p2.results.length, 0);
  assert.equal(c.last().json.paging, undefined);
});

test('associating with a record that does not exist is refused', async () => {
  const ct = await contact('v4missing@example.com');
  let err;
  try {
    await c.crm.associations.v4.basicApi.create('contacts', ct, 'companies', '987654321', [spec(279)]);
  } catch (e) {
    err = e;
  }
  assert.ok(err && (err.code === 400 || err.code === 404), `got ${err?.code}`);
  assert.equal(err.body.status, 'error');
});

test('an association type that does not fit the pair is 400', async () => {
  const ct = await contact('v4wrongtype@example.com');
  const co = await company('V4 Wrong Co');
  // 3 is deal→contact, not contact→company
  const body = await apiError(c.crm.associations.v4.basicApi.create('contacts', ct, 'companies', co, [spec(3)]), 400);
  assert.equal(body.status, 'error');
});

test('read paging: limit and after', async () => {
  const co = await company('V4 Many Co');
  const cts = [];
  for (let i = 0; i < 5; i++) cts.push(await contact(`v4many${i}@example.com`));
  for (const ct of cts) await c.crm.associations.v4.basicApi.createDefault('companies', co, 'contacts', ct);
  const seen = [];
  let after;
  let pages = 0;
  do {
    const p = await c.crm.associations.v4.basicApi.getPage('companies', co, 'contacts', after, 2);
    assert.ok(p.results.length <= 2);
    seen.push(...p.results.map((r) => String(r.toObjectId)));
    after = c.last().json.paging?.next?.after;
    pages++;
  } while (after && pages < 10);
  assert.deepEqual(seen.sort(), [...cts].sort());
  assert.equal(pages, 3);
});

test('batch create 201, batch read 200 (207 for unknown ids), batch archive 204', async () => {
  const d1 = await deal('V4 Batch 1');
  const d2 = await deal('V4 Batch 2');
  const co = await company('V4 Batch Co');
  const created = await c.crm.associations.v4.batchApi.create('deals', 'companies', {
    inputs: [
      { _from: { id: d1 }, to: { id: co }, types: [spec(341)] },
      { _from: { id: d2 }, to: { id: co }, types: [spec(5), spec(341)] },
    ],
  });
  let w = c.last();
  assert.equal(w.status, 201);
  assert.equal(w.json.status, 'COMPLETE');
  assert.equal(w.json.results.length, 2);
  assert.match(w.json.startedAt, ISO_MS);
  for (const r of w.json.results) {
    assert.equal(r.fromObjectTypeId, '0-3');
    assert.equal(r.toObjectTypeId, '0-2');
  }
  assert.equal(created.results.length, 2);

  const read = await c.crm.associations.v4.batchApi.getPage('deals', 'companies', { inputs: [{ id: d1 }, { id: d2 }] });
  w = c.last();
  assert.equal(w.status, 200);
  const byFrom = Object.fromEntries(w.json.results.map((r) => [r.from.id, r]));
  assert.deepEqual(byFrom[d1].to.map((t) => t.associationTypes.map((x) => x.typeId)), [[341]]);
  assert.deepEqual(byFrom[d2].to[0].associationTypes.map((x) => x.typeId).sort((a, b) => a - b), [5, 341]);
  assert.equal(typeof byFrom[d2].to[0].toObjectId, 'number');
  assert.equal(read.results.length, 2);
  assert.equal(read.results.find((r) => r._from.id === d1).to[0].toObjectId, Number(co));

  await c.crm.associations.v4.batchApi.getPage('deals', 'companies', { inputs: [{ id: d1 }, { id: '987654321' }] });
  w = c.last();
  assert.equal(w.status, 207);
  assert.equal(w.json.numErrors, 1);
  assert.equal(w.json.results.length, 1);

  // company side sees the inverses 342 and 6
  const inv = await c.crm.associations.v4.basicApi.getPage('companies', co, 'deals');
  assert.deepEqual(typesTo(inv, d2), [6, 342]);

  await c.crm.associations.v4.batchApi.archive('deals', 'companies', { inputs: [{ _from: { id: d1 }, to: [{ id: co }] }] });
  assert.equal(c.last().status, 204);
  assert.equal((await c.crm.associations.v4.basicApi.getPage('deals', d1, 'companies')).results.length, 0);
  assert.equal((await c.crm.associations.v4.basicApi.getPage('deals', d2, 'companies')).results.length, 1);
});

test('batch labels/archive removes only the listed label', async () => {
  const d = await deal('V4 Labels');
  const co = await company('V4 Labels Co');
  await c.crm.associations.v4.basicApi.create('deals', d, 'companies', co, [spec(5), spec(341)]);
  await c.crm.associations.v4.batchApi.archiveLabels('deals', 'companies', {
    inputs: [{ _from: { id: d }, to: { id: co }, types: [spec(5)] }],
  });
  assert.equal(c.last().status, 204);
  assert.deepEqual(typesTo(await c.crm.associations.v4.basicApi.getPage('deals', d, 'companies'), co), [341]);
});

test('removing the unlabeled type through labels/archive removes every label of the pair', async () => {
  const d = await deal('V4 Unlabel');
  const co = await company('V4 Unlabel Co');
  await c.crm.associations.v4.basicApi.create('deals', d, 'companies', co, [spec(5)]);
  assert.deepEqual(typesTo(await c.crm.associations.v4.basicApi.getPage('deals', d, 'companies'), co), [5, 341]);
  await c.crm.associations.v4.batchApi.archiveLabels('deals', 'companies', {
    inputs: [{ _from: { id: d }, to: { id: co }, types: [spec(341)] }],
  });
  assert.equal(c.last().status, 204);
  assert.equal((await c.crm.associations.v4.basicApi.getPage('deals', d, 'companies')).results.length, 0);
  assert.equal((await c.crm.associations.v4.basicApi.getPage('companies', co, 'deals')).results.length, 0);
});

test('batch associate/default: 200', async () => {
  const t = (await c.crm.tickets.basicApi.create({ properties: { subject: 'V4 ticket', hs_pipeline: '0', hs_pipeline_stage: '1' } })).id;
  const ct = await contact('v4ticket@example.com');
  await c.crm.associations.v4.batchApi.createDefault('tickets', 'contacts', { inputs: [{ _from: { id: t }, to: { id: ct } }] });
  assert.equal(c.last().status, 200);
  assert.deepEqual(typesTo(await c.crm.associations.v4.basicApi.getPage('tickets', t, 'contacts'), ct), [16]);
  assert.deepEqual(typesTo(await c.crm.associations.v4.basicApi.getPage('contacts', ct, 'tickets'), t), [15]);
});

test('activities associate with their default types (note→contact 202, task→deal 216)', async () => {
  const ct = await contact('v4note@example.com');
  const d = await deal('V4 Task Deal');
  const note = await c.crm.objects.notes.basicApi.create({
    properties: { hs_timestamp: '2024-01-01T00:00:00.000Z', hs_note_body: 'hi' },
    associations: [{ to: { id: ct }, types: [spec(202)] }],
  });
  assert.deepEqual(typesTo(await c.crm.associations.v4.basicApi.getPage('notes', note.id, 'contacts'), ct), [202]);
  assert.deepEqual(typesTo(await c.crm.associations.v4.basicApi.getPage('contacts', ct, 'notes'), note.id), [201]);
  const task = await c.crm.objects.tasks.basicApi.create({ properties: { hs_timestamp: '2024-01-01T00:00:00.000Z', hs_task_subject: 't' } });
  await c.crm.associations.v4.basicApi.createDefault('tasks', task.id, 'deals', d);
  assert.deepEqual(typesTo(await c.crm.associations.v4.basicApi.getPage('tasks', task.id, 'deals'), d), [216]);
  assert.deepEqual(typesTo(await c.crm.associations.v4.basicApi.getPage('deals', d, 'tasks'), task.id), [215]);
});

test('v3 create-time associations array on a deal', async () => {
  const ct = await contact('v3create@example.com');
  const co = await company('V3 Create Co');
  const d = await c.crm.deals.basicApi.create({
    properties: { dealname: 'V3 created', pipeline: 'default', dealstage: 'appointmentscheduled' },
    associations: [
      { to: { id: ct }, types: [spec(3)] },
      { to: { id: co }, types: [spec(5)] },
    ],
  });
  assert.deepEqual(typesTo(await c.crm.associations.v4.basicApi.getPage('deals', d.id, 'contacts'), ct), [3]);
  // a labelled association (primary, 5) always comes with the unlabeled one (341)
  assert.deepEqual(typesTo(await c.crm.associations.v4.basicApi.getPage('deals', d.id, 'companies'), co), [5, 341]);
  assert.deepEqual(typesTo(await c.crm.associations.v4.basicApi.getPage('contacts', ct, 'deals'), d.id), [4]);
  await c.crm.deals.basicApi.getById(d.id, undefined, undefined, ['contacts', 'companies']);
  const a = c.last().json.associations;
  assert.ok(a.contacts.results.some((x) => x.id === ct && x.type === 'deal_to_contact'), JSON.stringify(a));
  assert.ok(a.companies.results.some((x) => x.id === co), JSON.stringify(a));
  // a create naming a missing record fails and creates nothing
  const before = (await c.crm.deals.basicApi.getPage(100)).results.length;
  let err;
  try {
    await c.crm.deals.basicApi.create({
      properties: { dealname: 'V3 broken', pipeline: 'default', dealstage: 'appointmentscheduled' },
      associations: [{ to: { id: '987654321' }, types: [spec(3)] }],
    });
  } catch (e) {
    err = e;
  }
  assert.ok(err && err.code >= 400 && err.code < 500, `got ${err?.code}`);
  assert.equal((await c.crm.deals.basicApi.getPage(100)).results.length, before);
});

test('label definitions: the default types with their labels, and a custom USER_DEFINED label', async () => {
  const defs = await c.crm.associations.v4.schema.definitionsApi.getAll('contacts', 'companies');
  const w = c.last().json;
  assert.equal(c.last().status, 200);
  const byId = Object.fromEntries(w.results.map((r) => [r.typeId, r]));
  assert.equal(byId[279]?.category, 'HUBSPOT_DEFINED');
  assert.equal(byId[279].label, null);
  assert.equal(byId[1]?.label, 'Primary');
  assert.ok(defs.results.length >= 2);

  const made = await c.crm.associations.v4.schema.definitionsApi.create('contacts', 'companies', {
    label: 'Former employee',
    name: 'former_employee',
    inverseLabel: 'Former employer',
  });
  assert.equal(c.last().status, 200);
  const mine = c.last().json.results.find((r) => r.label === 'Former employee');
  assert.ok(mine, JSON.stringify(c.last().json));
  assert.equal(mine.category, 'USER_DEFINED');
  assert.ok(made.results.length >= 1);

  const ct = await contact('v4label@example.com');
  const co = await company('V4 Label Co');
  const res = await c.crm.associations.v4.basicApi.create('contacts', ct, 'companies', co, [spec(mine.typeId, 'USER_DEFINED')]);
  assert.deepEqual(res.labels, ['Former employee']);
  const page = await c.crm.associations.v4.basicApi.getPage('contacts', ct, 'companies');
  const t = c.last().json.results[0].associationTypes.find((x) => x.typeId === mine.typeId);
  assert.equal(t.category, 'USER_DEFINED');
  assert.equal(t.label, 'Former employee');
  assert.ok(page.results.length === 1);
  const back = await c.crm.associations.v4.basicApi.getPage('companies', co, 'contacts');
  const inv = c.last().json.results[0].associationTypes.find((x) => x.category === 'USER_DEFINED');
  assert.equal(inv.label, 'Former employer', 'the inverse carries the inverse label');
  assert.notEqual(inv.typeId, mine.typeId);
  assert.ok(back.results.length === 1);
});

test('an unknown record type in a v4 path is an error in the vendor shape', async () => {
  let err;
  try {
    await c.crm.associations.v4.basicApi.getPage('widgets', '1', 'contacts');
  } catch (e) {
    err = e;
  }
  assert.ok(err && err.code >= 400 && err.code < 500);
  assertErrorShape(err.body, err.body.category);
});
