// Tickets through @hubspot/api-client, as a case -> ticket sync uses them: ticket pipelines and
// stages (ticketState, displayOrder, creating a pipeline with its stages), creates with every
// property the sync maps (priority, source, owner, a custom unique link id), the required stage,
// unknown pipelines and stages, batch create/update/upsert/read/archive, the incremental search
// on hs_lastmodifieddate, and ticket <-> contact / company associations (v4 and create-time).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHubspot, apiError, assertErrorShape, assertRecordShape, noLimits, sleep, ISO_MS } from './lib/hubspot.mjs';

let hs;
let c;
let owner;

before(async () => {
  hs = await startHubspot();
  await noLimits(hs);
  c = hs.client();
  const owners = await c.crm.owners.ownersApi.getPage();
  owner = owners.results.find((o) => !o.archived).id;
  await c.crm.properties.coreApi.create('tickets', {
    name: 'crmsync_link_id',
    label: 'crmsync link id',
    type: 'string',
    fieldType: 'text',
    groupName: 'ticketinformation',
    hasUniqueValue: true,
  });
});
after(async () => {
  await hs?.stop();
});

const spec = (id) => ({ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: id });
const typesTo = (page, id) =>
  page.results
    .filter((r) => String(r.toObjectId) === String(id))
    .flatMap((r) => r.associationTypes.map((t) => t.typeId))
    .sort((a, b) => a - b);

test('ticket pipelines: stages carry displayOrder and metadata.ticketState OPEN/CLOSED', async () => {
  await c.crm.pipelines.pipelinesApi.getAll('tickets');
  const w = c.last().json;
  const p0 = w.results.find((p) => p.id === '0');
  assert.ok(p0, 'the default ticket pipeline "0"');
  for (const s of p0.stages) {
    assert.equal(typeof s.displayOrder, 'number');
    assert.ok(['OPEN', 'CLOSED'].includes(s.metadata.ticketState), `stage ${s.id}: ${JSON.stringify(s.metadata)}`);
  }
  await c.crm.pipelines.pipelineStagesApi.getAll('tickets', '0');
  const stages = c.last().json.results;
  assert.deepEqual(
    [...stages].sort((a, b) => a.displayOrder - b.displayOrder).map((s) => [s.id, s.metadata.ticketState]),
    [['1', 'OPEN'], ['2', 'OPEN'], ['3', 'OPEN'], ['4', 'CLOSED']],
  );
});

test('a ticket pipeline created with its stages: 201, ids assigned, tickets live in it', async () => {
  const made = await c.crm.pipelines.pipelinesApi.create('tickets', {
    label: 'Billing Process',
    displayOrder: 1,
    stages: [
      { label: 'New', displayOrder: 0, metadata: { ticketState: 'OPEN' } },
      { label: 'On Hold', displayOrder: 1, metadata: { ticketState: 'OPEN' } },
      { label: 'Closed', displayOrder: 2, metadata: { ticketState: 'CLOSED' } },
    ],
  });
  const w = c.last();
  assert.equal(w.status, 201);
  assert.match(w.json.createdAt, ISO_MS);
  assert.equal(w.json.stages.length, 3);
  const ids = new Set(w.json.stages.map((s) => s.id));
  assert.equal(ids.size, 3, 'each stage has its own id');
  assert.ok(!ids.has('1') && !ids.has('4'), 'new stages do not reuse the default pipeline ids');
  const closed = w.json.stages.find((s) => s.label === 'Closed');
  assert.equal(closed.metadata.ticketState, 'CLOSED');
  assert.equal(closed.displayOrder, 2);

  const t = await c.crm.tickets.basicApi.create({ properties: { subject: 'In billing', hs_pipeline: made.id, hs_pipeline_stage: closed.id } });
  assert.equal(t.properties.hs_pipeline, made.id);
  assert.equal(t.properties.hs_pipeline_stage, closed.id);
  // a stage of the default pipeline is not a stage of this one
  assertErrorShape(
    await apiError(c.crm.tickets.basicApi.create({ properties: { subject: 'x', hs_pipeline: made.id, hs_pipeline_stage: '1' } }), 400),
    'VALIDATION_ERROR',
  );
  // moving the ticket to the default pipeline needs a stage of that pipeline
  await apiError(c.crm.tickets.basicApi.update(t.id, { properties: { hs_pipeline: '0' } }), 400);
  const moved = await c.crm.tickets.basicApi.update(t.id, { properties: { hs_pipeline: '0', hs_pipeline_stage: '2' } });
  assert.equal(moved.properties.hs_pipeline_stage, '2');
});

test('create with the mapped properties; values come back as sent', async () => {
  const props = {
    subject: 'Printer on fire',
    content: 'The printer in room 4 is on fire.\nAgain.',
    hs_pipeline: '0',
    hs_pipeline_stage: '3',
    hs_ticket_priority: 'HIGH',
    source_type: 'PHONE',
    hubspot_owner_id: owner,
    crmsync_link_id: 'case-500000000000001',
  };
  await c.crm.tickets.basicApi.create({ properties: props });
  const w = c.last();
  assert.equal(w.status, 201);
  assertRecordShape(w.json);
  for (const [k, v] of Object.entries(props)) assert.equal(w.json.properties[k], v, k);
  const got = await c.crm.tickets.basicApi.getById(w.json.id, [...Object.keys(props), 'hs_ticket_id', 'hs_object_source', 'createdate', 'hs_lastmodifieddate']);
  assert.equal(got.properties.hs_object_source, 'API');
  for (const [k, v] of Object.entries(props)) assert.equal(got.properties[k], v, k);
  assert.equal(got.properties.hs_ticket_id, w.json.id);
  assert.match(got.properties.createdate, ISO_MS);
  assert.match(got.properties.hs_lastmodifieddate, ISO_MS);
  // the link id is an idProperty
  const byLink = await c.crm.tickets.basicApi.getById('case-500000000000001', ['subject'], undefined, undefined, false, 'crmsync_link_id');
  assert.equal(byLink.id, w.json.id);
  // a second ticket with the same link id is a conflict
  const e = await apiError(c.crm.tickets.basicApi.create({ properties: { ...props, subject: 'dup' } }), 409);
  assertErrorShape(e, 'CONFLICT');
});

test('priority and source take only their options (LOW/MEDIUM/HIGH; CHAT/EMAIL/FORM/PHONE)', async () => {
  for (const p of ['LOW', 'MEDIUM', 'HIGH']) {
    const t = await c.crm.tickets.basicApi.create({ properties: { subject: `prio ${p}`, hs_pipeline_stage: '1', hs_ticket_priority: p } });
    assert.equal(t.properties.hs_ticket_priority, p);
  }
  for (const s of ['CHAT', 'EMAIL', 'FORM', 'PHONE']) {
    const t = await c.crm.tickets.basicApi.create({ properties: { subject: `src ${s}`, hs_pipeline_stage: '1', source_type: s } });
    assert.equal(t.properties.source_type, s);
  }
  const prop = await c.crm.properties.coreApi.getByName('tickets', 'source_type');
  assert.deepEqual(prop.options.map((o) => o.value).sort(), ['CHAT', 'EMAIL', 'FORM', 'PHONE']);
  const bad = await apiError(c.crm.tickets.basicApi.create({ properties: { subject: 'x', hs_pipeline_stage: '1', hs_ticket_priority: 'High' } }), 400);
  assertErrorShape(bad, 'VALIDATION_ERROR');
  assert.match(bad.message, /hs_ticket_priority/);
  const bad2 = await apiError(c.crm.tickets.basicApi.create({ properties: { subject: 'x', hs_pipeline_stage: '1', source_type: 'WEB' } }), 400);
  assert.match(bad2.message, /source_type/);
});

test('an owner that does not exist is refused', async () => {
  const e = await apiError(c.crm.tickets.basicApi.create({ properties: { subject: 'x', hs_pipeline_stage: '1', hubspot_owner_id: '999999' } }), 400);
  assertErrorShape(e, 'VALIDATION_ERROR');
  assert.match(e.message, /hubspot_owner_id/);
});

test('hs_pipeline_stage is required on create; hs_pipeline defaults to the default pipeline', async () => {
  const e = await apiError(c.crm.tickets.basicApi.create({ properties: { subject: 'No stage', hs_pipeline: '0' } }), 400);
  assertErrorShape(e, 'VALIDATION_ERROR');
  assert.match(e.message, /required properties were missing.*hs_pipeline_stage/);
  const search = await c.crm.tickets.searchApi.doSearch({ query: 'No stage', limit: 10 });
  assert.equal(search.total, 0, 'nothing was created');
  const t = await c.crm.tickets.basicApi.create({ properties: { subject: 'No pipeline', hs_pipeline_stage: '2' } });
  assert.equal(t.properties.hs_pipeline, '0');
  assert.equal(t.properties.hs_pipeline_stage, '2');
  // an update need not name the stage
  const u = await c.crm.tickets.basicApi.update(t.id, { properties: { subject: 'Renamed' } });
  assert.equal(u.properties.subject, 'Renamed');
});

test('an unknown stage or pipeline fails with the vendor error, naming the property', async () => {
  const e = await apiError(c.crm.tickets.basicApi.create({ properties: { subject: 'x', hs_pipeline: '0', hs_pipeline_stage: '77' } }), 400);
  assertErrorShape(e, 'VALIDATION_ERROR');
  assert.match(e.message, /hs_pipeline_stage/);
  const p = await apiError(c.crm.tickets.basicApi.create({ properties: { subject: 'x', hs_pipeline: 'nope', hs_pipeline_stage: '1' } }), 400);
  assertErrorShape(p, 'VALIDATION_ERROR');
  assert.match(p.message, /hs_pipeline/);
});

test('batch create, read, update, upsert by the link id, archive', async () => {
  const created = await c.crm.tickets.batchApi.create({
    inputs: [1, 2, 3].map((i) => ({
      properties: { subject: `Batch ${i}`, hs_pipeline: '0', hs_pipeline_stage: '1', crmsync_link_id: `bt-${i}` },
    })),
  });
  assert.equal(c.last().status, 201);
  assert.equal(created.results.length, 3);
  const ids = created.results.map((r) => r.id);

  const read = await c.crm.tickets.batchApi.read({ inputs: ids.map((id) => ({ id })), properties: ['subject', 'crmsync_link_id'], propertiesWithHistory: [] });
  assert.equal(c.last().status, 200);
  assert.deepEqual(read.results.map((r) => r.properties.crmsync_link_id).sort(), ['bt-1', 'bt-2', 'bt-3']);
  const byLink = await c.crm.tickets.batchApi.read({
    inputs: [{ id: 'bt-2' }],
    idProperty: 'crmsync_link_id',
    properties: ['subject'],
    propertiesWithHistory: [],
  });
  assert.equal(byLink.results[0].id, ids[1]);

  const upd = await c.crm.tickets.batchApi.update({
    inputs: [
      { id: ids[0], properties: { hs_pipeline_stage: '4' } },
      { id: ids[1], properties: { hs_ticket_priority: 'LOW' } },
    ],
  });
  assert.equal(c.last().status, 200);
  assert.equal(upd.results.length, 2);

  const ups = await c.crm.tickets.batchApi.upsert({
    inputs: [
      { id: 'bt-3', idProperty: 'crmsync_link_id', properties: { subject: 'Batch 3 again' } },
      { id: 'bt-4', idProperty: 'crmsync_link_id', properties: { subject: 'Batch 4', hs_pipeline: '0', hs_pipeline_stage: '2' } },
    ],
  });
  assert.equal(c.last().status, 200);
  const r3 = ups.results.find((r) => r.id === ids[2]);
  assert.equal(r3._new, false);
  const r4 = ups.results.find((r) => r.id !== ids[2]);
  assert.equal(r4._new, true);
  const got4 = await c.crm.tickets.basicApi.getById(r4.id, ['hs_pipeline_stage', 'crmsync_link_id']);
  assert.equal(got4.properties.hs_pipeline_stage, '2');
  assert.equal(got4.properties.crmsync_link_id, 'bt-4');

  // a batch create with one ticket lacking a stage fails as a whole
  await apiError(
    c.crm.tickets.batchApi.create({
      inputs: [
        { properties: { subject: 'ok', hs_pipeline_stage: '1' } },
        { properties: { subject: 'no stage' } },
      ],
    }),
    400,
  );

  await c.crm.tickets.batchApi.archive({ inputs: [{ id: ids[0] }, { id: ids[1] }] });
  assert.equal(c.last().status, 204);
  await apiError(c.crm.tickets.basicApi.getById(ids[0]), 404);
  const arch = await c.crm.tickets.basicApi.getById(ids[1], ['subject'], undefined, undefined, true);
  assert.equal(arch.archived, true);
});

test('incremental search: hs_lastmodifieddate GTE a mark, sorted ascending, sees updates in order', async () => {
  const a = await c.crm.tickets.basicApi.create({ properties: { subject: 'Poll A', hs_pipeline_stage: '1' } });
  await sleep(5);
  const b = await c.crm.tickets.basicApi.create({ properties: { subject: 'Poll B', hs_pipeline_stage: '1' } });
  await sleep(5);
  const mark = Date.now();
  await sleep(5);
  await c.crm.tickets.basicApi.update(b.id, { properties: { content: 'b changed' } });
  await sleep(5);
  await c.crm.tickets.basicApi.update(a.id, { properties: { content: 'a changed' } });
  const res = await c.crm.tickets.searchApi.doSearch({
    filterGroups: [{ filters: [{ propertyName: 'hs_lastmodifieddate', operator: 'GTE', value: String(mark) }] }],
    sorts: [{ propertyName: 'hs_lastmodifieddate', direction: 'ASCENDING' }],
    properties: ['subject', 'hs_lastmodifieddate'],
    limit: 100,
  });
  assert.deepEqual(res.results.map((r) => r.id), [b.id, a.id]);
  assert.equal(res.total, 2);
  const w = c.last().json;
  for (const r of w.results) assert.match(r.properties.hs_lastmodifieddate, ISO_MS);
  // defaults when no properties are asked for
  await c.crm.tickets.searchApi.doSearch({ filterGroups: [{ filters: [{ propertyName: 'hs_object_id', operator: 'EQ', value: a.id }] }], limit: 1 });
  const keys = Object.keys(c.last().json.results[0].properties).sort();
  for (const k of ['content', 'createdate', 'hs_lastmodifieddate', 'hs_object_id', 'hs_pipeline', 'hs_pipeline_stage', 'hs_ticket_priority', 'subject'])
    assert.ok(keys.includes(k), `default property ${k}`);
});

test('associations: ticket -> contact (16/15) and ticket -> company (339/340), default and create-time', async () => {
  const ct = await c.crm.contacts.basicApi.create({ properties: { email: 'ticket.person@example.com' } });
  const co = await c.crm.companies.basicApi.create({ properties: { name: 'Ticket Co' } });
  const t = await c.crm.tickets.basicApi.create({
    properties: { subject: 'Associated', hs_pipeline_stage: '1' },
    associations: [
      { to: { id: ct.id }, types: [spec(16)] },
      { to: { id: co.id }, types: [spec(339)] },
    ],
  });
  assert.deepEqual(typesTo(await c.crm.associations.v4.basicApi.getPage('tickets', t.id, 'contacts'), ct.id), [16]);
  assert.deepEqual(typesTo(await c.crm.associations.v4.basicApi.getPage('contacts', ct.id, 'tickets'), t.id), [15]);
  assert.deepEqual(typesTo(await c.crm.associations.v4.basicApi.getPage('tickets', t.id, 'companies'), co.id), [339]);
  assert.deepEqual(typesTo(await c.crm.associations.v4.basicApi.getPage('companies', co.id, 'tickets'), t.id), [340]);

  const t2 = await c.crm.tickets.basicApi.create({ properties: { subject: 'Associated later', hs_pipeline_stage: '1' } });
  await c.crm.associations.v4.basicApi.createDefault('tickets', t2.id, 'contacts', ct.id);
  await c.crm.associations.v4.basicApi.createDefault('tickets', t2.id, 'companies', co.id);
  assert.deepEqual(typesTo(await c.crm.associations.v4.basicApi.getPage('tickets', t2.id, 'contacts'), ct.id), [16]);
  assert.deepEqual(typesTo(await c.crm.associations.v4.basicApi.getPage('tickets', t2.id, 'companies'), co.id), [339]);

  // the primary company label (26) also carries the unlabeled type
  await c.crm.associations.v4.basicApi.create('tickets', t2.id, 'companies', co.id, [spec(26)]);
  assert.deepEqual(typesTo(await c.crm.associations.v4.basicApi.getPage('tickets', t2.id, 'companies'), co.id), [26, 339]);

  // batch read of associations, as a sync reads them for many tickets at once
  await c.crm.associations.v4.batchApi.getPage('tickets', 'contacts', { inputs: [{ id: t.id }, { id: t2.id }] });
  const w = c.last();
  assert.equal(w.status, 200);
  const byFrom = Object.fromEntries(w.json.results.map((r) => [r.from.id, r.to.map((x) => String(x.toObjectId))]));
  assert.deepEqual(byFrom[t.id], [ct.id]);
  assert.deepEqual(byFrom[t2.id], [ct.id]);
  // and the record read with associations=contacts,companies
  const got = await c.crm.tickets.basicApi.getById(t.id, ['subject'], undefined, ['contacts', 'companies']);
  assert.deepEqual(got.associations.contacts.results.map((r) => r.id), [ct.id]);
  assert.deepEqual(got.associations.companies.results.map((r) => r.id), [co.id]);
  // the search filter on an association
  const found = await c.crm.tickets.searchApi.doSearch({
    filterGroups: [{ filters: [{ propertyName: 'associations.contact', operator: 'EQ', value: ct.id }] }],
    limit: 10,
  });
  assert.deepEqual(found.results.map((r) => r.id).sort(), [t.id, t2.id].sort());
});
