// CRM v3 batch endpoints through @hubspot/api-client: read, create, update, upsert and archive,
// the 100-input cap, objectWriteTraceId, 207 multi-status with per-input errors, and upsert by
// email and by a custom unique property.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiError, assertErrorShape, assertRecordShape, ISO_MS, PAT, withPortal } from './lib/hubspot.mjs';

let hs;
let c;

withPortal((portal) => {
  hs = portal;
  c = portal.client();
});

function assertBatchEnvelope(w) {
  assert.equal(w.status, 'COMPLETE');
  assert.ok(Array.isArray(w.results));
  assert.match(w.startedAt, ISO_MS);
  assert.match(w.completedAt, ISO_MS);
  assert.ok(Date.parse(w.completedAt) >= Date.parse(w.startedAt));
}

async function contacts(n, tag) {
  const r = await c.crm.contacts.batchApi.create({
    inputs: Array.from({ length: n }, (_, i) => ({ properties: { email: `${tag}${i}@example.com`, firstname: `${tag}${i}` }, associations: [] })),
  });
  return r.results;
}

test('batch create: 201 (the SDK accepts nothing else), every record, trace ids echoed', async () => {
  const res = await c.crm.contacts.batchApi.create({
    inputs: [
      { properties: { email: 'b1@example.com', firstname: 'B1' }, associations: [], objectWriteTraceId: 'trace-1' },
      { properties: { email: 'b2@example.com', firstname: 'B2' }, associations: [], objectWriteTraceId: 'trace-2' },
    ],
  });
  const w = c.last();
  assert.equal(w.status, 201);
  assertBatchEnvelope(w.json);
  assert.equal(w.json.results.length, 2);
  for (const r of w.json.results) assertRecordShape(r);
  const byEmail = Object.fromEntries(w.json.results.map((r) => [r.properties.email, r]));
  assert.equal(byEmail['b1@example.com'].properties.firstname, 'B1');
  assert.equal(byEmail['b1@example.com'].objectWriteTraceId, 'trace-1');
  assert.equal(byEmail['b2@example.com'].objectWriteTraceId, 'trace-2');
  assert.equal(res.status, 'COMPLETE');
  assert.ok(res.completedAt instanceof Date);
  const got = await c.crm.contacts.basicApi.getById(byEmail['b2@example.com'].id, ['firstname']);
  assert.equal(got.properties.firstname, 'B2');
});

test('batch create of 100 is fine, 101 inputs is 400 VALIDATION_ERROR and creates nothing', async () => {
  const ok = await c.crm.objects.batchApi.create('companies', {
    inputs: Array.from({ length: 100 }, (_, i) => ({ properties: { name: `Hundred ${i}` }, associations: [] })),
  });
  assert.equal(ok.results.length, 100);
  const before = (await hs.control('GET', '/__emu/stats')).records;
  const body = await apiError(
    c.crm.objects.batchApi.create('companies', {
      inputs: Array.from({ length: 101 }, (_, i) => ({ properties: { name: `Over ${i}` }, associations: [] })),
    }),
    400,
  );
  assertErrorShape(body, 'VALIDATION_ERROR');
  const afterStats = (await hs.control('GET', '/__emu/stats')).records;
  assert.deepEqual(afterStats, before, 'nothing created');
  for (const op of ['read', 'update', 'archive', 'upsert']) {
    const inputs = Array.from({ length: 101 }, (_, i) => ({ id: String(i + 1), properties: { name: 'x' } }));
    const call =
      op === 'read'
        ? c.crm.companies.batchApi.read({ inputs, properties: [], propertiesWithHistory: [] })
        : op === 'upsert'
          ? c.crm.contacts.batchApi.upsert({ inputs: inputs.map((x, i) => ({ ...x, idProperty: 'email', id: `u${i}@example.com` })) })
          : c.crm.companies.batchApi[op]({ inputs });
    assertErrorShape(await apiError(call, 400), 'VALIDATION_ERROR');
  }
});

test('batch create with trace ids: 207 with the good records and one error per bad input', async () => {
  const res = await c.crm.contacts.batchApi.create({
    inputs: [
      { properties: { email: 'multi.ok@example.com' }, associations: [], objectWriteTraceId: 'ok-1' },
      { properties: { email: 'multi.bad@example.com', no_such_prop_q: 'x' }, associations: [], objectWriteTraceId: 'bad-1' },
    ],
  });
  const w = c.last();
  assert.equal(w.status, 207);
  assertBatchEnvelope(w.json);
  assert.equal(w.json.results.length, 1);
  assert.equal(w.json.results[0].properties.email, 'multi.ok@example.com');
  assert.equal(w.json.numErrors, 1);
  assert.equal(w.json.errors.length, 1);
  const e = w.json.errors[0];
  assert.equal(e.status, 'error');
  assert.equal(e.category, 'VALIDATION_ERROR');
  assert.equal(typeof e.message, 'string');
  assert.deepEqual(e.context.objectWriteTraceId, ['bad-1']);
  assert.equal(res.numErrors, 1, 'SDK maps the 207 to BatchResponseSimplePublicObjectWithErrors');
  // the bad one was not created
  await apiError(c.crm.contacts.basicApi.getById('multi.bad@example.com', undefined, undefined, undefined, false, 'email'), 404);
});

test('batch create without trace ids: one bad input fails the whole batch (400), a duplicate email 409', async () => {
  const body = await apiError(
    c.crm.contacts.batchApi.create({
      inputs: [
        { properties: { email: 'all.or.none1@example.com' }, associations: [] },
        { properties: { email: 'all.or.none2@example.com', no_such_prop_q: 'x' }, associations: [] },
      ],
    }),
    400,
  );
  assertErrorShape(body, 'VALIDATION_ERROR');
  await apiError(c.crm.contacts.basicApi.getById('all.or.none1@example.com', undefined, undefined, undefined, false, 'email'), 404);

  await c.crm.contacts.basicApi.create({ properties: { email: 'taken@example.com' } });
  const b2 = await apiError(
    c.crm.contacts.batchApi.create({
      inputs: [
        { properties: { email: 'fresh.one@example.com' }, associations: [] },
        { properties: { email: 'TAKEN@example.com' }, associations: [] },
      ],
    }),
    409,
  );
  assertErrorShape(b2, 'CONFLICT');
  assert.match(b2.message, /Existing ID: \d+/);
});

test('batch create without trace ids: an activity without hs_timestamp fails the whole batch', async () => {
  const body = await apiError(
    c.crm.objects.tasks.batchApi.create({
      inputs: [
        { properties: { hs_timestamp: '2024-01-01T00:00:00.000Z', hs_task_subject: 'all.or.none.task' }, associations: [] },
        { properties: { hs_task_subject: 'no timestamp' }, associations: [] },
      ],
    }),
    400,
  );
  assertErrorShape(body, 'VALIDATION_ERROR');
  assert.equal(body.errors[0].code, 'REQUIRED_FIELD');
  const found = await c.crm.objects.tasks.searchApi.doSearch({ query: 'all.or.none.task', limit: 10 });
  assert.equal(found.total, 0, 'nothing was written');
});

test('batch upsert: an input whose properties are not an object fails the whole call without trace ids', async () => {
  const w = await fetch(`${hs.url}/crm/v3/objects/contacts/batch/upsert`, {
    method: 'POST',
    headers: { authorization: `Bearer ${PAT}`, 'content-type': 'application/json' },
    body: JSON.stringify({ inputs: [{ id: 'not.an.object@example.com', idProperty: 'email', properties: 'x' }] }),
  });
  assert.equal(w.status, 400);
  assertErrorShape(await w.json(), 'VALIDATION_ERROR');
});

test('batch read: 200; missing ids give 207 with OBJECT_NOT_FOUND naming them; idProperty; archived', async () => {
  const [a, b] = await contacts(2, 'bread');
  const ok = await c.crm.contacts.batchApi.read({ inputs: [{ id: a.id }, { id: b.id }], properties: ['firstname'], propertiesWithHistory: [] });
  assert.equal(c.last().status, 200);
  assertBatchEnvelope(c.last().json);
  assert.deepEqual(ok.results.map((r) => r.id).sort(), [a.id, b.id].sort());
  assert.ok(ok.results.every((r) => 'firstname' in r.properties));

  await c.crm.contacts.batchApi.read({ inputs: [{ id: a.id }, { id: '987654321' }], properties: ['firstname'], propertiesWithHistory: [] });
  const w = c.last();
  assert.equal(w.status, 207);
  assert.equal(w.json.results.length, 1);
  assert.equal(w.json.numErrors, 1);
  assert.equal(w.json.errors[0].category, 'OBJECT_NOT_FOUND');
  assert.deepEqual(w.json.errors[0].context.ids, ['987654321']);

  const byEmail = await c.crm.contacts.batchApi.read({
    inputs: [{ id: 'bread0@example.com' }, { id: 'BREAD1@example.com' }],
    idProperty: 'email',
    properties: ['email'],
    propertiesWithHistory: ['firstname'],
  });
  assert.deepEqual(byEmail.results.map((r) => r.id).sort(), [a.id, b.id].sort());
  assert.ok(c.last().json.results.every((r) => Array.isArray(r.propertiesWithHistory?.firstname)));

  await c.crm.contacts.basicApi.archive(b.id);
  await c.crm.contacts.batchApi.read({ inputs: [{ id: b.id }], properties: [], propertiesWithHistory: [] });
  assert.equal(c.last().status, 207, 'archived records are missing by default');
  const arch = await c.crm.contacts.batchApi.read({ inputs: [{ id: b.id }], properties: [], propertiesWithHistory: [] }, true);
  assert.equal(arch.results[0].id, b.id);
  assert.equal(arch.results[0].archived, true);
});

test('batch update: 200; a missing id gives 207 and the rest still apply', async () => {
  const [a, b] = await contacts(2, 'bupd');
  const res = await c.crm.contacts.batchApi.update({
    inputs: [
      { id: a.id, properties: { firstname: 'Upd A' } },
      { id: b.id, properties: { lastname: 'Upd B' } },
    ],
  });
  assert.equal(c.last().status, 200);
  assertBatchEnvelope(c.last().json);
  assert.equal(res.results.length, 2);
  assert.equal(res.results.find((r) => r.id === a.id).properties.firstname, 'Upd A');

  await c.crm.contacts.batchApi.update({
    inputs: [
      { id: a.id, properties: { firstname: 'Upd A2' } },
      { id: '987654322', properties: { firstname: 'Nobody' } },
    ],
  });
  const w = c.last();
  assert.equal(w.status, 207);
  assert.equal(w.json.results.length, 1);
  assert.equal(w.json.numErrors, 1);
  assert.equal(w.json.errors[0].category, 'OBJECT_NOT_FOUND');
  assert.deepEqual(w.json.errors[0].context.ids, ['987654322']);
  const got = await c.crm.contacts.basicApi.getById(a.id, ['firstname']);
  assert.equal(got.properties.firstname, 'Upd A2');

  // by idProperty
  await c.crm.contacts.batchApi.update({ inputs: [{ id: 'bupd1@example.com', idProperty: 'email', properties: { firstname: 'ByEmail' } }] });
  assert.equal((await c.crm.contacts.basicApi.getById(b.id, ['firstname'])).properties.firstname, 'ByEmail');
});

test('batch upsert by email: new true/false, 200, case-insensitive match', async () => {
  const [a] = await contacts(1, 'ups');
  const res = await c.crm.contacts.batchApi.upsert({
    inputs: [
      { id: 'UPS0@example.com', idProperty: 'email', properties: { firstname: 'Existing' } },
      { id: 'ups.new@example.com', idProperty: 'email', properties: { firstname: 'Brand new' } },
    ],
  });
  const w = c.last();
  assert.equal(w.status, 200);
  assertBatchEnvelope(w.json);
  assert.equal(w.json.results.length, 2);
  for (const r of w.json.results) assert.equal(typeof r.new, 'boolean');
  const existing = w.json.results.find((r) => r.id === a.id);
  assert.ok(existing, 'the existing contact is updated in place');
  assert.equal(existing.new, false);
  assert.equal(existing.properties.firstname, 'Existing');
  const created = w.json.results.find((r) => r.id !== a.id);
  assert.equal(created.new, true);
  assert.equal(created.properties.email, 'ups.new@example.com');
  assert.ok(res.results.some((r) => r._new === true), 'SDK maps "new" to _new');
  // again: now both exist
  await c.crm.contacts.batchApi.upsert({
    inputs: [{ id: 'ups.new@example.com', idProperty: 'email', properties: { lastname: 'Again' } }],
  });
  assert.equal(c.last().json.results[0].new, false);
  assert.equal(c.last().json.results[0].id, created.id);
});

test('batch upsert by a custom unique property (hasUniqueValue)', async () => {
  await c.crm.properties.coreApi.create('deals', {
    name: 'sync_key',
    label: 'Sync key',
    type: 'string',
    fieldType: 'text',
    groupName: 'dealinformation',
    hasUniqueValue: true,
  });
  assert.equal(c.last().status, 201);
  const first = await c.crm.deals.batchApi.upsert({
    inputs: [{ id: 'K-1', idProperty: 'sync_key', properties: { dealname: 'Keyed', pipeline: 'default', dealstage: 'appointmentscheduled' } }],
  });
  assert.equal(first.results[0]._new, true);
  const id = first.results[0].id;
  assert.equal(c.last().json.results[0].properties.sync_key, 'K-1');
  const second = await c.crm.deals.batchApi.upsert({ inputs: [{ id: 'K-1', idProperty: 'sync_key', properties: { amount: '42' } }] });
  assert.equal(second.results[0]._new, false);
  assert.equal(second.results[0].id, id);
  const got = await c.crm.deals.basicApi.getById('K-1', ['amount', 'dealname'], undefined, undefined, false, 'sync_key');
  assert.equal(got.id, id);
  assert.equal(got.properties.amount, '42');
  assert.equal(got.properties.dealname, 'Keyed');
  // upsert on a property that is not unique is refused
  const body = await apiError(
    c.crm.deals.batchApi.upsert({ inputs: [{ id: 'Keyed', idProperty: 'dealname', properties: { amount: '1' } }] }),
    400,
  );
  assertErrorShape(body, 'VALIDATION_ERROR');
});

test('batch archive: 204, then the records are archived', async () => {
  const [a, b] = await contacts(2, 'barch');
  await c.crm.contacts.batchApi.archive({ inputs: [{ id: a.id }, { id: b.id }] });
  assert.equal(c.last().status, 204);
  await apiError(c.crm.contacts.basicApi.getById(a.id), 404);
  const arch = await c.crm.contacts.basicApi.getById(b.id, undefined, undefined, undefined, true);
  assert.equal(arch.archived, true);
});

test('batch create with associations', async () => {
  const co = await c.crm.companies.basicApi.create({ properties: { name: 'Batch Assoc Co' } });
  const res = await c.crm.contacts.batchApi.create({
    inputs: [
      {
        properties: { email: 'bassoc@example.com' },
        associations: [{ to: { id: co.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 279 }] }],
      },
    ],
  });
  const page = await c.crm.associations.v4.basicApi.getPage('contacts', res.results[0].id, 'companies');
  assert.equal(page.results.length, 1);
  assert.equal(String(page.results[0].toObjectId), co.id);
});
