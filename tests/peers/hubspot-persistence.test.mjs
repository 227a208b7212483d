// --data FILE: what @hubspot/api-client wrote to one emu-hubspot process is there, unchanged,
// after a restart on the same file: records with their history, archived records, custom
// properties, pipelines, associations, lists; new ids do not collide with old ones.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startHubspot, apiError, noLimits } from './lib/hubspot.mjs';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-persist-'));
const file = path.join(dir, 'portal.db');
let hs;

after(async () => {
  await hs?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('state survives a restart on the same --data file', async () => {
  hs = await startHubspot(['--data', file]);
  await noLimits(hs);
  let c = hs.client();
  await c.crm.properties.coreApi.create('contacts', {
    name: 'tier', label: 'Tier', type: 'enumeration', fieldType: 'select', groupName: 'contactinformation',
    options: [{ label: 'Gold', value: 'gold', displayOrder: 0, hidden: false }, { label: 'Silver', value: 'silver', displayOrder: 1, hidden: false }],
  });
  const ct = await c.crm.contacts.basicApi.create({ properties: { email: 'persist@example.com', firstname: 'Per', tier: 'gold' } });
  await c.crm.contacts.basicApi.update(ct.id, { properties: { firstname: 'Persisted' } });
  const before = await c.crm.contacts.basicApi.getById(ct.id, ['email', 'firstname', 'tier'], ['firstname']);
  const beforeWire = c.last().json;
  const co = await c.crm.companies.basicApi.create({ properties: { name: 'Persist Co' } });
  await c.crm.associations.v4.basicApi.create('contacts', ct.id, 'companies', co.id, [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 1 }]);
  const gone = await c.crm.deals.basicApi.create({ properties: { dealname: 'Archived deal', pipeline: 'default', dealstage: 'closedlost' } });
  await c.crm.deals.basicApi.archive(gone.id);
  const pipe = await c.crm.pipelines.pipelinesApi.create('deals', {
    label: 'Persisted pipeline', displayOrder: 5, stages: [{ label: 'Only', displayOrder: 0, metadata: { probability: '0.5' } }],
  });
  const list = await c.crm.lists.listsApi.create({ name: 'Persisted list', objectTypeId: '0-1', processingType: 'MANUAL' });
  await c.crm.lists.membershipsApi.add(list.list.listId, [ct.id]);
  assert.equal(await hs.stop(), 0, 'clean exit on SIGTERM');

  hs = await startHubspot(['--data', file]);
  await noLimits(hs);
  c = hs.client();
  const afterRead = await c.crm.contacts.basicApi.getById(ct.id, ['email', 'firstname', 'tier'], ['firstname']);
  const afterWire = c.last().json;
  assert.deepEqual(afterWire, beforeWire, 'the record reads back byte-for-byte the same');
  assert.equal(afterRead.properties.tier, 'gold');
  assert.equal(+afterRead.updatedAt, +before.updatedAt);

  const prop = await c.crm.properties.coreApi.getByName('contacts', 'tier');
  assert.deepEqual(prop.options.map((o) => o.value), ['gold', 'silver']);
  // validation still knows the custom options
  await apiError(c.crm.contacts.basicApi.update(ct.id, { properties: { tier: 'bronze' } }), 400);

  const assoc = await c.crm.associations.v4.basicApi.getPage('contacts', ct.id, 'companies');
  assert.deepEqual(assoc.results[0].associationTypes.map((t) => t.typeId).sort((a, b) => a - b), [1, 279]);

  await apiError(c.crm.deals.basicApi.getById(gone.id), 404);
  const arch = await c.crm.deals.basicApi.getById(gone.id, undefined, undefined, undefined, true);
  assert.equal(arch.archived, true);

  const p = await c.crm.pipelines.pipelinesApi.getById('deals', pipe.id);
  assert.equal(p.label, 'Persisted pipeline');

  const members = await c.crm.lists.membershipsApi.getPage(list.list.listId);
  assert.deepEqual(members.results.map((m) => m.recordId), [ct.id]);

  // the email is still unique, the ids move on
  await apiError(c.crm.contacts.basicApi.create({ properties: { email: 'PERSIST@example.com' } }), 409);
  const next = await c.crm.contacts.basicApi.create({ properties: { email: 'persist2@example.com' } });
  for (const old of [ct.id, co.id, gone.id]) assert.notEqual(next.id, old);
  assert.ok(BigInt(next.id) > BigInt(ct.id));
});

test('a reset on a --data portal is persisted too', async () => {
  await hs.control('POST', '/__emu/reset');
  await hs.stop();
  hs = await startHubspot(['--data', file]);
  await noLimits(hs);
  const c = hs.client();
  await apiError(
    c.crm.contacts.basicApi.getById('persist@example.com', undefined, undefined, undefined, false, 'email'),
    404,
  );
});
