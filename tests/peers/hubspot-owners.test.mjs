// Owners through @hubspot/api-client: the seeded owners with teams, paging, filter by email,
// archived owners, read by id and by userId, and owner ids on records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiError, assertErrorShape, ISO_MS, withPortal } from './lib/hubspot.mjs';

let hs;
let c;

withPortal((portal) => {
  hs = portal;
  c = portal.client();
});

function assertOwnerShape(o, archived) {
  assert.equal(typeof o.id, 'string');
  assert.match(o.id, /^\d+$/);
  assert.equal(typeof o.email, 'string');
  assert.match(o.email, /@/);
  assert.equal(typeof o.firstName, 'string');
  assert.equal(typeof o.lastName, 'string');
  assert.equal(typeof o.userId, 'number');
  assert.match(o.createdAt, ISO_MS);
  assert.match(o.updatedAt, ISO_MS);
  assert.equal(o.archived, archived);
  assert.ok(Array.isArray(o.teams));
  for (const t of o.teams) {
    assert.equal(typeof t.id, 'string');
    assert.equal(typeof t.name, 'string');
    assert.equal(typeof t.primary, 'boolean');
  }
  assert.notEqual(o.id, String(o.userId), 'the owner id is not the user id');
}

let owners;

test('list: a fresh portal has a few active owners, with teams', async () => {
  const page = await c.crm.owners.ownersApi.getPage();
  const w = c.last().json;
  assert.equal(c.last().status, 200);
  assert.ok(w.results.length >= 2, 'a few owners');
  for (const o of w.results) assertOwnerShape(o, false);
  assert.ok(w.results.some((o) => o.teams.length > 0), 'some owner is on a team');
  for (const o of w.results.filter((x) => x.teams.length > 0)) {
    assert.equal(o.teams.filter((t) => t.primary).length, 1, 'one primary team');
  }
  assert.equal(new Set(w.results.map((o) => o.id)).size, w.results.length);
  assert.ok(page.results[0].createdAt instanceof Date);
  owners = w.results;
});

test('paging with limit and after', async () => {
  const seen = [];
  let after;
  let pages = 0;
  do {
    const p = await c.crm.owners.ownersApi.getPage(undefined, after, 1);
    assert.equal(p.results.length, 1);
    seen.push(p.results[0].id);
    after = c.last().json.paging?.next?.after;
    pages++;
  } while (after && pages < 50);
  assert.deepEqual(seen, owners.map((o) => o.id));
});

test('filter by email', async () => {
  const o = owners[1];
  const p = await c.crm.owners.ownersApi.getPage(o.email);
  assert.deepEqual(p.results.map((x) => x.id), [o.id]);
  const none = await c.crm.owners.ownersApi.getPage('nobody-at-all@example.com');
  assert.equal(none.results.length, 0);
});

test('archived owners list separately and read with archived=true', async () => {
  const arch = await c.crm.owners.ownersApi.getPage(undefined, undefined, 100, true);
  const w = c.last().json;
  assert.ok(w.results.length >= 1, 'the portal has a deactivated owner');
  for (const o of w.results) assertOwnerShape(o, true);
  const activeIds = new Set(owners.map((o) => o.id));
  for (const o of w.results) assert.ok(!activeIds.has(o.id));
  const one = arch.results[0];
  await apiError(c.crm.owners.ownersApi.getById(Number(one.id)), 404);
  const got = await c.crm.owners.ownersApi.getById(Number(one.id), 'id', true);
  assert.equal(got.id, one.id);
  assert.equal(got.archived, true);
});

test('read by id and by userId; unknown is 404', async () => {
  const o = owners[0];
  const byId = await c.crm.owners.ownersApi.getById(Number(o.id));
  assert.equal(byId.email, o.email);
  assertOwnerShape(c.last().json, false);
  const byUser = await c.crm.owners.ownersApi.getById(o.userId, 'userId');
  assert.equal(byUser.id, o.id);
  assertErrorShape(await apiError(c.crm.owners.ownersApi.getById(987654321), 404), 'OBJECT_NOT_FOUND');
});

test('hubspot_owner_id takes an owner id; an unknown one is 400', async () => {
  const o = owners[0];
  const ct = await c.crm.contacts.basicApi.create({ properties: { email: 'owned@example.com', hubspot_owner_id: o.id } });
  assert.equal(ct.properties.hubspot_owner_id, o.id);
  const body = await apiError(
    c.crm.contacts.basicApi.create({ properties: { email: 'owned2@example.com', hubspot_owner_id: '987654321' } }),
    400,
  );
  assertErrorShape(body, 'VALIDATION_ERROR');
});
