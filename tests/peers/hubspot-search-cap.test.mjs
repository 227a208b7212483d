// The search 10,000-result cap through @hubspot/api-client: with 10,001+ matching contacts the
// total is exact, paging up to result 10,000 works and paging past it is a 400.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHubspot, apiError, assertErrorShape, noLimits } from './lib/hubspot.mjs';

const N = 10050;
let hs;
let c;

before(async () => {
  hs = await startHubspot();
  await noLimits(hs);
  c = hs.client();
  // 101 batch creates of up to 100, two at a time
  const batches = [];
  for (let start = 0; start < N; start += 100) batches.push(start);
  const run = async () => {
    while (batches.length) {
      const start = batches.shift();
      const n = Math.min(100, N - start);
      await c.crm.contacts.batchApi.create({
        inputs: Array.from({ length: n }, (_, i) => ({
          properties: { email: `cap${start + i}@cap.example`, lastname: 'Capped' },
          associations: [],
        })),
      });
    }
  };
  await Promise.all([run(), run()]);
});
after(async () => {
  await hs?.stop();
});

const req = (after, limit = 100) => ({
  filterGroups: [{ filters: [{ propertyName: 'lastname', operator: 'EQ', value: 'Capped' }] }],
  properties: ['email'],
  limit,
  after,
});

test('total counts every match even past 10,000', async () => {
  const r = await c.crm.contacts.searchApi.doSearch(req(undefined, 1));
  assert.equal(r.total, N);
  assert.equal(c.last().json.paging.next.after, '1');
});

test('paging up to the 10,000th result works', async () => {
  const r = await c.crm.contacts.searchApi.doSearch(req('9900', 100));
  assert.equal(r.results.length, 100);
  const r2 = await c.crm.contacts.searchApi.doSearch(req('9999', 1));
  assert.equal(r2.results.length, 1);
});

test('paging past 10,000 results is 400', async () => {
  const body = await apiError(c.crm.contacts.searchApi.doSearch(req('10000', 100)), 400);
  assert.equal(body.status, 'error');
  assert.equal(typeof body.message, 'string');
  assert.equal(typeof body.category, 'string');
  const body2 = await apiError(c.crm.contacts.searchApi.doSearch(req('10001', 1)), 400);
  assertErrorShape(body2, body.category);
});

test('pages of 200 follow each other without repeats', async () => {
  const seen = new Set();
  let after;
  for (let i = 0; i < 5; i++) {
    const r = await c.crm.contacts.searchApi.doSearch(req(after, 200));
    assert.equal(r.results.length, 200);
    for (const x of r.results) {
      assert.ok(!seen.has(x.id), `record ${x.id} twice`);
      seen.add(x.id);
    }
    after = c.last().json.paging.next.after;
  }
  assert.equal(seen.size, 1000);
  assert.equal(after, '1000');
});
