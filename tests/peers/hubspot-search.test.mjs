// CRM search through @hubspot/api-client: every operator, filter groups and their limits, one
// sort, query, limit <= 200, numeric after, total, archived records excluded, default properties,
// and the configurable indexing lag. (The 10,000-result cap is in hubspot-search-cap.test.mjs.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHubspot, apiError, assertErrorShape, assertRecordShape, noLimits, sleep, waitFor } from './lib/hubspot.mjs';

let hs;
let c;
const ids = {};
const TAG = 'srch';

// People (all with company "Srchco" so every search below can be narrowed to them).
const PEOPLE = [
  { key: 'ada', email: 'ada.lovelace@analytical.example', firstname: 'Ada', lastname: 'Lovelace', num: '10', life: 'lead', phone: '+44 20 0000 0001' },
  { key: 'alan', email: 'alan.turing@bletchley.example', firstname: 'Alan', lastname: 'Turing', num: '20', life: 'customer' },
  { key: 'grace', email: 'grace.hopper@navy.example', firstname: 'Grace', lastname: 'Hopper', num: '30', life: 'lead' },
  { key: 'edsger', email: 'edsger@dijkstra.example', firstname: 'Edsger', lastname: 'Dijkstra', num: '40', life: 'opportunity' },
  { key: 'barbara', email: 'barbara.liskov@mit.example', firstname: 'Barbara', lastname: 'Liskov', num: '50', life: 'customer', phone: '+1 617 000 0002' },
];

before(async () => {
  hs = await startHubspot();
  await noLimits(hs);
  c = hs.client();
  await c.crm.properties.coreApi.create('contacts', {
    name: 'srch_score', label: 'Search score', type: 'number', fieldType: 'number', groupName: 'contactinformation',
  });
  for (const p of PEOPLE) {
    const props = { email: p.email, firstname: p.firstname, lastname: p.lastname, company: 'Srchco', srch_score: p.num, lifecyclestage: p.life };
    if (p.phone) props.phone = p.phone;
    const r = await c.crm.contacts.basicApi.create({ properties: props });
    ids[p.key] = r.id;
    await sleep(3); // distinct createdate values
  }
});
after(async () => {
  await hs?.stop();
});

const mine = { propertyName: 'company', operator: 'EQ', value: 'Srchco' };

async function search(filters, extra = {}) {
  const body = { filterGroups: [{ filters: [mine, ...filters] }], properties: ['email', 'firstname'], limit: 100, after: undefined, sorts: [], ...extra };
  const res = await c.crm.contacts.searchApi.doSearch(body);
  return { res, wire: c.last() };
}
const keysOf = (res) => res.results.map((r) => Object.keys(ids).find((k) => ids[k] === r.id)).sort();

const OPS = [
  ['EQ on a string, case-insensitive', [{ propertyName: 'firstname', operator: 'EQ', value: 'ada' }], ['ada']],
  ['NEQ', [{ propertyName: 'firstname', operator: 'NEQ', value: 'Ada' }], ['alan', 'barbara', 'edsger', 'grace']],
  ['LT on a number', [{ propertyName: 'srch_score', operator: 'LT', value: '30' }], ['ada', 'alan']],
  ['LTE', [{ propertyName: 'srch_score', operator: 'LTE', value: '30' }], ['ada', 'alan', 'grace']],
  ['GT (numeric, not lexical: 100 > 50)', [{ propertyName: 'srch_score', operator: 'GT', value: '40' }], ['barbara']],
  ['GTE', [{ propertyName: 'srch_score', operator: 'GTE', value: '40' }], ['barbara', 'edsger']],
  ['BETWEEN (inclusive)', [{ propertyName: 'srch_score', operator: 'BETWEEN', value: '20', highValue: '40' }], ['alan', 'edsger', 'grace']],
  ['IN on an enumeration', [{ propertyName: 'lifecyclestage', operator: 'IN', values: ['lead', 'opportunity'] }], ['ada', 'edsger', 'grace']],
  ['NOT_IN', [{ propertyName: 'lifecyclestage', operator: 'NOT_IN', values: ['lead', 'opportunity'] }], ['alan', 'barbara']],
  ['HAS_PROPERTY', [{ propertyName: 'phone', operator: 'HAS_PROPERTY' }], ['ada', 'barbara']],
  ['NOT_HAS_PROPERTY', [{ propertyName: 'phone', operator: 'NOT_HAS_PROPERTY' }], ['alan', 'edsger', 'grace']],
  ['CONTAINS_TOKEN with a leading wildcard', [{ propertyName: 'email', operator: 'CONTAINS_TOKEN', value: '*@navy.example' }], ['grace']],
  ['CONTAINS_TOKEN on a word', [{ propertyName: 'lastname', operator: 'CONTAINS_TOKEN', value: 'liskov' }], ['barbara']],
  ['NOT_CONTAINS_TOKEN', [{ propertyName: 'email', operator: 'NOT_CONTAINS_TOKEN', value: '*@navy.example' }], ['ada', 'alan', 'barbara', 'edsger']],
  ['two filters in a group are ANDed', [
    { propertyName: 'lifecyclestage', operator: 'EQ', value: 'customer' },
    { propertyName: 'srch_score', operator: 'GT', value: '25' },
  ], ['barbara']],
];

for (const [name, filters, expected] of OPS) {
  test(`operator: ${name}`, async () => {
    const { res, wire } = await search(filters);
    assert.equal(wire.status, 200);
    assert.deepEqual(keysOf(res), expected);
    assert.equal(wire.json.total, expected.length);
    assert.equal(res.total, expected.length);
  });
}

test('an extra score of 100 sorts numerically, not as text', async () => {
  const x = await c.crm.contacts.basicApi.create({ properties: { email: 'hundred@srch.example', company: 'Srchco', srch_score: '100' } });
  try {
    const { res } = await search([{ propertyName: 'srch_score', operator: 'GT', value: '50' }]);
    assert.deepEqual(res.results.map((r) => r.id), [x.id]);
    const { res: sorted } = await search([], { sorts: [{ propertyName: 'srch_score', direction: 'DESCENDING' }] });
    assert.equal(sorted.results[0].id, x.id);
  } finally {
    await c.crm.contacts.basicApi.archive(x.id);
  }
});

test('filter groups are ORed', async () => {
  const res = await c.crm.contacts.searchApi.doSearch({
    filterGroups: [
      { filters: [mine, { propertyName: 'firstname', operator: 'EQ', value: 'Alan' }] },
      { filters: [mine, { propertyName: 'firstname', operator: 'EQ', value: 'Grace' }] },
    ],
    properties: ['firstname'],
    limit: 10,
  });
  assert.deepEqual(keysOf(res), ['alan', 'grace']);
});

test('date filters take epoch milliseconds', async () => {
  const ada = await c.crm.contacts.basicApi.getById(ids.ada, ['createdate']);
  const t = String(+ada.createdAt);
  const { res } = await search([{ propertyName: 'createdate', operator: 'LTE', value: t }]);
  assert.deepEqual(keysOf(res), ['ada']);
  const { res: later } = await search([{ propertyName: 'createdate', operator: 'GT', value: t }]);
  assert.deepEqual(keysOf(later), ['alan', 'barbara', 'edsger', 'grace']);
});

test('one sort ascending and descending; with no sort, creation order', async () => {
  const asc = await search([], { sorts: [{ propertyName: 'lastname', direction: 'ASCENDING' }] });
  assert.deepEqual(asc.res.results.map((r) => r.id), [ids.edsger, ids.grace, ids.barbara, ids.ada, ids.alan]);
  const desc = await search([], { sorts: [{ propertyName: 'srch_score', direction: 'DESCENDING' }] });
  assert.deepEqual(desc.res.results.map((r) => r.id), [ids.barbara, ids.edsger, ids.grace, ids.alan, ids.ada]);
  const none = await search([]);
  assert.deepEqual(none.res.results.map((r) => r.id), PEOPLE.map((p) => ids[p.key]));
});

test('sorting on a datetime sorts by its value (createdate descending = newest first)', async () => {
  const desc = await search([], { sorts: [{ propertyName: 'createdate', direction: 'DESCENDING' }] });
  assert.deepEqual(desc.res.results.map((r) => r.id), PEOPLE.map((p) => ids[p.key]).reverse());
  const asc = await search([], { sorts: [{ propertyName: 'createdate', direction: 'ASCENDING' }] });
  assert.deepEqual(asc.res.results.map((r) => r.id), PEOPLE.map((p) => ids[p.key]));
});

test('two sorts are refused: 400 VALIDATION_ERROR', async () => {
  const body = await apiError(
    c.crm.contacts.searchApi.doSearch({
      filterGroups: [{ filters: [mine] }],
      sorts: [
        { propertyName: 'lastname', direction: 'ASCENDING' },
        { propertyName: 'firstname', direction: 'ASCENDING' },
      ],
      limit: 10,
    }),
    400,
  );
  assertErrorShape(body, 'VALIDATION_ERROR');
});

test('query searches the default searchable properties', async () => {
  const r1 = await c.crm.contacts.searchApi.doSearch({ query: 'hopper', limit: 10, properties: ['email'] });
  assert.deepEqual(r1.results.map((r) => r.id), [ids.grace]);
  const r2 = await c.crm.contacts.searchApi.doSearch({ query: 'bletchley', limit: 10, properties: ['email'] });
  assert.deepEqual(r2.results.map((r) => r.id), [ids.alan], 'email is searched');
  const r3 = await c.crm.contacts.searchApi.doSearch({ query: 'Barbara', filterGroups: [{ filters: [mine] }], limit: 10 });
  assert.deepEqual(r3.results.map((r) => r.id), [ids.barbara], 'query combines with filters');
});

test('a query longer than 3,000 characters is 400', async () => {
  await c.crm.contacts.searchApi.doSearch({ query: 'a'.repeat(3000), limit: 1 });
  assert.equal(c.last().status, 200);
  assertErrorShape(await apiError(c.crm.contacts.searchApi.doSearch({ query: 'a'.repeat(3001), limit: 1 }), 400), 'VALIDATION_ERROR');
});

test('filter by association: associations.contact EQ <id>', async () => {
  const d1 = await c.crm.deals.basicApi.create({
    properties: { dealname: 'Assoc filter 1', pipeline: 'default', dealstage: 'appointmentscheduled' },
    associations: [{ to: { id: ids.ada }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 3 }] }],
  });
  await c.crm.deals.basicApi.create({ properties: { dealname: 'Assoc filter 2', pipeline: 'default', dealstage: 'appointmentscheduled' } });
  const r = await c.crm.deals.searchApi.doSearch({
    filterGroups: [{ filters: [{ propertyName: 'associations.contact', operator: 'EQ', value: ids.ada }] }],
    limit: 10,
  });
  assert.deepEqual(r.results.map((x) => x.id), [d1.id]);
});

test('limit, numeric after, total, and no paging on the last page', async () => {
  const p1 = await search([], { limit: 2 });
  assert.equal(p1.wire.json.total, 5);
  assert.equal(p1.res.results.length, 2);
  assert.equal(p1.wire.json.paging.next.after, '2');
  const p2 = await search([], { limit: 2, after: '2' });
  assert.equal(p2.wire.json.paging.next.after, '4');
  const p3 = await search([], { limit: 2, after: '4' });
  assert.equal(p3.res.results.length, 1);
  assert.equal(p3.wire.json.paging, undefined, 'no paging on the last page');
  assert.equal(p3.wire.json.total, 5);
  const all = [...p1.res.results, ...p2.res.results, ...p3.res.results].map((r) => r.id);
  assert.deepEqual(all, PEOPLE.map((p) => ids[p.key]));
});

test('after past the end: no results, no paging, total still right', async () => {
  const r = await search([], { after: '50' });
  assert.equal(r.res.results.length, 0);
  assert.equal(r.wire.json.total, 5);
  assert.equal(r.wire.json.paging, undefined);
});

test('incremental pattern: lastmodifieddate GTE a mark, sorted ascending, sees updates in order', async () => {
  const mark = Date.now();
  await sleep(5);
  await c.crm.contacts.basicApi.update(ids.grace, { properties: { phone: '+1 202 000 0003' } });
  await sleep(5);
  await c.crm.contacts.basicApi.update(ids.ada, { properties: { phone: '+44 20 0000 0009' } });
  const r = await search([{ propertyName: 'lastmodifieddate', operator: 'GTE', value: String(mark) }], {
    sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }],
    properties: ['lastmodifieddate'],
  });
  assert.deepEqual(r.res.results.map((x) => x.id), [ids.grace, ids.ada]);
  const t = r.wire.json.results.map((x) => Date.parse(x.properties.lastmodifieddate));
  assert.ok(t[0] <= t[1] && t[0] >= mark);
  await c.crm.contacts.basicApi.update(ids.grace, { properties: { phone: '' } });
});

test('limit 200 is accepted, 201 is 400', async () => {
  await search([], { limit: 200 });
  assert.equal(c.last().status, 200);
  assertErrorShape(await apiError(search([], { limit: 201 }), 400), 'VALIDATION_ERROR');
});

test('filter limits: 6 groups, 11 filters in a group, 30 filters in all are 400; 5 groups of 3 is fine', async () => {
  const f = (n) => Array.from({ length: n }, () => ({ propertyName: 'firstname', operator: 'HAS_PROPERTY' }));
  await c.crm.contacts.searchApi.doSearch({ filterGroups: Array.from({ length: 5 }, () => ({ filters: f(3) })), limit: 1 });
  assert.equal(c.last().status, 200);
  for (const groups of [
    Array.from({ length: 6 }, () => ({ filters: f(1) })),
    [{ filters: f(11) }],
    Array.from({ length: 5 }, () => ({ filters: f(6) })),
  ]) {
    assertErrorShape(await apiError(c.crm.contacts.searchApi.doSearch({ filterGroups: groups, limit: 1 }), 400), 'VALIDATION_ERROR');
  }
});

test('the filter limits are settings', async () => {
  const f = { propertyName: 'firstname', operator: 'HAS_PROPERTY' };
  await hs.control('PUT', '/__emu/settings', { search_max_filter_groups: 2 });
  try {
    await apiError(c.crm.contacts.searchApi.doSearch({ filterGroups: [{ filters: [f] }, { filters: [f] }, { filters: [f] }], limit: 1 }), 400);
  } finally {
    await hs.control('PUT', '/__emu/settings', { search_max_filter_groups: 5 });
  }
  await c.crm.contacts.searchApi.doSearch({ filterGroups: [{ filters: [f] }, { filters: [f] }, { filters: [f] }], limit: 1 });
  assert.equal(c.last().status, 200);
});

test('an unknown operator and a missing value are 400', async () => {
  await apiError(search([{ propertyName: 'firstname', operator: 'SOUNDS_LIKE', value: 'x' }]), 400);
  await apiError(search([{ propertyName: 'firstname', operator: 'IN' }]), 400);
});

test('search answers carry total, records in the wire shape, the default property set', async () => {
  const res = await c.crm.contacts.searchApi.doSearch({ filterGroups: [{ filters: [mine] }], limit: 1 });
  const w = c.last().json;
  assert.equal(typeof w.total, 'number');
  assertRecordShape(w.results[0]);
  assert.deepEqual(
    Object.keys(w.results[0].properties).sort(),
    ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'],
  );
  assert.ok(res.results[0].createdAt instanceof Date);

  const co = await c.crm.companies.basicApi.create({ properties: { name: 'Srch Company', domain: 'srch.example' } });
  await c.crm.companies.searchApi.doSearch({ filterGroups: [{ filters: [{ propertyName: 'hs_object_id', operator: 'EQ', value: co.id }] }], limit: 1 });
  assert.deepEqual(
    Object.keys(c.last().json.results[0].properties).sort(),
    ['createdate', 'domain', 'hs_lastmodifieddate', 'hs_object_id', 'name'],
  );
});

test('archived records never appear in search', async () => {
  const x = await c.crm.contacts.basicApi.create({ properties: { email: 'archived@srch.example', company: 'Srchco', firstname: 'Zed' } });
  const { res } = await search([{ propertyName: 'firstname', operator: 'EQ', value: 'Zed' }]);
  assert.equal(res.total, 1);
  await c.crm.contacts.basicApi.archive(x.id);
  const { res: res2 } = await search([{ propertyName: 'firstname', operator: 'EQ', value: 'Zed' }]);
  assert.equal(res2.total, 0);
  assert.equal(res2.results.length, 0);
});

test('search other object types: deals by amount and pipeline, tasks by subject query', async () => {
  await c.crm.deals.basicApi.create({ properties: { dealname: 'Srch deal A', amount: '500', pipeline: 'default', dealstage: 'closedwon' } });
  await c.crm.deals.basicApi.create({ properties: { dealname: 'Srch deal B', amount: '1500', pipeline: 'default', dealstage: 'closedlost' } });
  const d = await c.crm.deals.searchApi.doSearch({
    filterGroups: [{ filters: [{ propertyName: 'amount', operator: 'GTE', value: '1000' }, { propertyName: 'dealname', operator: 'CONTAINS_TOKEN', value: 'srch' }] }],
    properties: ['dealname'],
    limit: 10,
  });
  assert.deepEqual(d.results.map((r) => r.properties.dealname), ['Srch deal B']);
  await c.crm.objects.tasks.basicApi.create({ properties: { hs_timestamp: '2024-01-01T00:00:00.000Z', hs_task_subject: 'Quarterly srchreview' } });
  const t = await c.crm.objects.searchApi.doSearch('tasks', { query: 'srchreview', limit: 10 });
  assert.equal(t.total, 1);
  const t2 = await c.crm.objects.searchApi.doSearch('0-27', { query: 'srchreview', limit: 10 });
  assert.equal(t2.total, 1, 'object type id works for search');
});

test('search responses carry no X-HubSpot-RateLimit headers', async () => {
  await hs.control('PUT', '/__emu/limits', { enabled: true, search_per_second: 1000 });
  try {
    await search([]);
    const h = c.last().headers;
    for (const k of Object.keys(h)) assert.ok(!k.startsWith('x-hubspot-ratelimit'), `search answer has ${k}`);
  } finally {
    await noLimits(hs);
  }
});

test('indexing lag: a write becomes searchable only after search_lag_ms', async () => {
  // a wide lag so a busy machine cannot make the early checks late
  await hs.control('PUT', '/__emu/settings', { search_lag_ms: 2000 });
  try {
    const x = await c.crm.contacts.basicApi.create({ properties: { email: 'laggy@srch.example', company: 'Srchco', firstname: 'Laggy' } });
    const t0 = Date.now();
    const q = [{ propertyName: 'firstname', operator: 'EQ', value: 'Laggy' }];
    const early = await search(q);
    assert.equal(early.res.total, 0, 'not searchable at once');
    // a direct read sees it at once
    assert.equal((await c.crm.contacts.basicApi.getById(x.id)).id, x.id);
    await waitFor(async () => (await search(q)).res.total === 1, { timeout: 8000, what: 'the record to be indexed' });
    assert.ok(Date.now() - t0 >= 1500, 'not before the lag');
    // an update is lagged too: the old value is what search sees for a while
    await c.crm.contacts.basicApi.update(x.id, { properties: { firstname: 'Laggier' } });
    assert.equal((await search(q)).res.total, 1, 'old value still indexed');
    await waitFor(async () => (await search([{ propertyName: 'firstname', operator: 'EQ', value: 'Laggier' }])).res.total === 1, {
      timeout: 8000,
      what: 'the update to be indexed',
    });
  } finally {
    await hs.control('PUT', '/__emu/settings', { search_lag_ms: 0 });
  }
  const s = await hs.control('GET', '/__emu/settings');
  assert.equal(s.search_lag_ms, 0);
});
