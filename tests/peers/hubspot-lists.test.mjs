// Lists (v3) through @hubspot/api-client: create a manual list, add, read and remove
// memberships, a record's lists, list search, read by id and by name, delete.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHubspot, apiError, noLimits, ISO_MS } from './lib/hubspot.mjs';

let hs;
let c;
const people = [];

before(async () => {
  hs = await startHubspot();
  await noLimits(hs);
  c = hs.client();
  const r = await c.crm.contacts.batchApi.create({
    inputs: Array.from({ length: 4 }, (_, i) => ({ properties: { email: `member${i}@lists.example` }, associations: [] })),
  });
  people.push(...r.results.map((x) => x.id).sort((a, b) => Number(a) - Number(b)));
});
after(async () => {
  await hs?.stop();
});

let list;

test('create a MANUAL contact list: 200 with the list', async () => {
  const res = await c.crm.lists.listsApi.create({ name: 'Peer test list', objectTypeId: '0-1', processingType: 'MANUAL' });
  const w = c.last();
  assert.equal(w.status, 200);
  const l = w.json.list;
  assert.equal(typeof l.listId, 'string');
  assert.match(l.listId, /^\d+$/);
  assert.equal(l.name, 'Peer test list');
  assert.equal(l.objectTypeId, '0-1');
  assert.equal(l.processingType, 'MANUAL');
  assert.equal(typeof l.processingStatus, 'string');
  assert.equal(typeof l.listVersion, 'number');
  assert.match(l.createdAt, ISO_MS);
  assert.match(l.updatedAt, ISO_MS);
  assert.equal(res.list.listId, l.listId);
  list = l;
});

test('a second list with the same name is refused', async () => {
  let err;
  try {
    await c.crm.lists.listsApi.create({ name: 'Peer test list', objectTypeId: '0-1', processingType: 'MANUAL' });
  } catch (e) {
    err = e;
  }
  assert.ok(err && err.code >= 400 && err.code < 500, `got ${err?.code}`);
});

test('memberships: add reports added and missing ids; read pages them; remove', async () => {
  const add = await c.crm.lists.membershipsApi.add(list.listId, [people[0], people[1], people[2], '987654321']);
  assert.equal(c.last().status, 200);
  assert.deepEqual([...add.recordsIdsAdded].sort(), [people[0], people[1], people[2]].sort());
  assert.deepEqual(add.recordIdsMissing, ['987654321']);
  // adding again adds nothing new
  const again = await c.crm.lists.membershipsApi.add(list.listId, [people[0]]);
  assert.deepEqual(again.recordsIdsAdded ?? [], []);

  const page = await c.crm.lists.membershipsApi.getPage(list.listId, undefined, undefined, 2);
  const w = c.last().json;
  assert.equal(w.results.length, 2);
  for (const r of w.results) {
    assert.equal(typeof r.recordId, 'string');
    assert.match(r.membershipTimestamp, ISO_MS);
  }
  assert.ok(page.results[0].membershipTimestamp instanceof Date);
  const next = w.paging?.next?.after;
  assert.ok(next, 'a second page');
  const page2 = await c.crm.lists.membershipsApi.getPage(list.listId, next, undefined, 2);
  const all = [...page.results, ...page2.results].map((r) => r.recordId).sort();
  assert.deepEqual(all, [people[0], people[1], people[2]].sort());
  assert.equal(c.last().json.paging?.next, undefined);

  const rem = await c.crm.lists.membershipsApi.remove(list.listId, [people[1], people[3]]);
  assert.deepEqual(rem.recordIdsRemoved, [people[1]]);
  const after = await c.crm.lists.membershipsApi.getPage(list.listId, undefined, undefined, 100);
  assert.deepEqual(after.results.map((r) => r.recordId).sort(), [people[0], people[2]].sort());
});

test('the size and a record\'s lists follow the memberships', async () => {
  const got = await c.crm.lists.listsApi.getById(list.listId);
  assert.equal(got.list.size, 2);
  const mine = await c.crm.lists.membershipsApi.getLists('0-1', people[0]);
  assert.ok(mine.results.some((m) => m.listId === list.listId), JSON.stringify(c.last().json));
  const notMine = await c.crm.lists.membershipsApi.getLists('0-1', people[1]);
  assert.ok(!notMine.results.some((m) => m.listId === list.listId));
});

test('company lists hold companies', async () => {
  const companies = await c.crm.lists.listsApi.create({ name: 'Peer company list', objectTypeId: '0-2', processingType: 'MANUAL' });
  assert.equal(companies.list.objectTypeId, '0-2');
  const co = await c.crm.companies.basicApi.create({ properties: { name: 'Listed Co' } });
  const res = await c.crm.lists.membershipsApi.add(companies.list.listId, [co.id]);
  assert.deepEqual(res.recordsIdsAdded, [co.id]);
  const mine = await c.crm.lists.membershipsApi.getLists('0-2', co.id);
  assert.ok(mine.results.some((m) => m.listId === companies.list.listId));
});

test('list search by name', async () => {
  await c.crm.lists.listsApi.create({ name: 'Another list', objectTypeId: '0-1', processingType: 'MANUAL' });
  const res = await c.crm.lists.listsApi.doSearch({ query: 'peer test', offset: 0, count: 20, processingTypes: ['MANUAL'] });
  const w = c.last().json;
  assert.equal(c.last().status, 200);
  assert.ok(Array.isArray(w.lists));
  assert.deepEqual(w.lists.map((l) => l.listId), [list.listId]);
  assert.equal(typeof w.hasMore, 'boolean');
  assert.equal(typeof w.offset, 'number');
  assert.equal(w.total, 1);
  assert.equal(res.lists[0].name, 'Peer test list');
  const all = await c.crm.lists.listsApi.doSearch({ query: '', offset: 0, count: 1 });
  assert.equal(all.lists.length, 1);
  assert.equal(all.hasMore, true);
});

test('read by name, by ids, delete 204 and 404 afterwards', async () => {
  const byName = await c.crm.lists.listsApi.getByName('Peer test list', '0-1');
  assert.equal(byName.list.listId, list.listId);
  const byIds = await c.crm.lists.listsApi.getAll([list.listId]);
  assert.deepEqual(byIds.lists.map((l) => l.listId), [list.listId]);
  await c.crm.lists.listsApi.remove(list.listId);
  assert.equal(c.last().status, 204);
  await apiError(c.crm.lists.listsApi.getById(list.listId), 404);
  await c.crm.lists.listsApi.restore(list.listId);
  assert.equal(c.last().status, 204);
  const back = await c.crm.lists.listsApi.getById(list.listId);
  assert.equal(back.list.name, 'Peer test list');
});
