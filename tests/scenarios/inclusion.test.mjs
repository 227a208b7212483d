// The inclusion list: only its members sync HubSpot -> Salesforce, and a non-member says so on
// its record; Salesforce-created records still create HubSpot contacts but get no further updates
// until they qualify; joining the list is a trigger (no property change needed); the members are
// read in pages, never per contact.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { callsTo, peopleIndex, startPair, stopped } from './lib/pair.mjs';

let pair;
before(async () => {
  pair = await startPair();
});
after(async () => {
  await pair.stop();
});

async function newList(name) {
  const r = await pair.hs.api('POST', '/crm/v3/lists', {
    name,
    objectTypeId: '0-1',
    processingType: 'MANUAL',
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.list.listId;
}

async function join(listId, ids) {
  const r = await pair.hs.api('PUT', `/crm/v3/lists/${listId}/memberships/add`, ids);
  assert.equal(r.status, 200, JSON.stringify(r.body));
}

const contact = (email, extra = {}) =>
  pair.hs.create('contacts', { email, lastname: email.split('@')[0], company: 'Co', ...extra });

async function openErrors(system, object, id) {
  const x = await pair.explain(system, object, id, '--json');
  return x.errors.map((e) => `${e.category}: ${e.message}`);
}

test('only members sync to Salesforce; a non-member says why; joining the list syncs it', async () => {
  await pair.reset();
  const listId = await newList('Synced people');
  const member = await contact('member@example.com');
  const outsider = await contact('outsider@example.com');
  await join(listId, [member]);
  await pair.crmsync('settings', 'set', 'inclusion_list', listId);
  await pair.resetStats();
  await pair.sync();
  let idx = await peopleIndex(pair);
  assert.ok(idx.sf.get('member@example.com'), 'the member synced');
  assert.equal(idx.sf.get('outsider@example.com'), undefined, 'the outsider did not');
  assert.deepEqual(await openErrors('hubspot', 'contacts', outsider), [
    `inclusion_list: not in the inclusion list "${listId}": it does not sync to Salesforce until it joins it`,
  ]);
  const stats = await pair.stats();
  assert.ok(callsTo(stats.hs, 'GET /crm/v3/lists/{listId}/memberships') >= 1, 'the members were read');

  // joining the list is a trigger: no property changes, and it syncs
  await join(listId, [outsider]);
  await pair.sync();
  idx = await peopleIndex(pair);
  assert.ok(idx.sf.get('outsider@example.com'), 'it synced once it joined');
  assert.deepEqual(await openErrors('hubspot', 'contacts', outsider), [], 'and its reason cleared');
});

test('a Salesforce record creates its HubSpot contact outside the list, then gets no updates until it qualifies', async () => {
  await pair.reset();
  const listId = await newList('Synced people');
  await pair.crmsync('settings', 'set', 'inclusion_list', listId);
  const leadId = await pair.sf.create('Lead', { LastName: 'Fromsf', Company: 'SF Co', Email: 'fromsf@example.com' });
  await pair.sync();
  const hsContact = (await pair.hs.all('contacts')).find((c) => c.properties.email === 'fromsf@example.com');
  assert.ok(hsContact, 'the lead created its HubSpot contact although it is not in the list');
  await pair.sf.update('Lead', leadId, { LastName: 'Renamed' });
  await pair.sync();
  assert.equal((await pair.hs.get('contacts', hsContact.id)).properties.lastname, 'Fromsf', 'no update while outside');
  assert.match((await openErrors('salesforce', 'Lead', leadId)).join('\n'), /inclusion_list: .*gets no updates from Salesforce until it qualifies/);
  // it qualifies: joining the list syncs it, and the Salesforce value reaches HubSpot
  await join(listId, [hsContact.id]);
  await pair.sync();
  assert.equal((await pair.hs.get('contacts', hsContact.id)).properties.lastname, 'Renamed');
});

test('a list that cannot be read holds contact changes back, and loses none of them', async () => {
  await pair.reset('settings:\n  inclusion_list: "999999"\n');
  await contact('waiting@example.com');
  const r = await pair.sync();
  assert.match(r.stderr, /inclusion list 999999 cannot be read/);
  assert.equal((await peopleIndex(pair)).sf.get('waiting@example.com'), undefined, 'nothing went through');
  assert.equal((await pair.status()).inbox.waiting, 1, 'the change waits');
  // with no inclusion list everyone syncs, the change that waited too
  const r2 = await pair.crmsync('settings', 'set', 'inclusion_list', '');
  assert.equal(r2.code, 0, r2.stderr);
  assert.match(r2.stdout, /inclusion_list\s+\(none\)\s+\(override\)/);
  await contact('nolist@example.com');
  await pair.sync();
  const idx = await peopleIndex(pair);
  assert.ok(idx.sf.get('waiting@example.com'), 'the change that waited synced');
  assert.ok(idx.sf.get('nolist@example.com'));
});

test("the record card says whether the contact is in the inclusion list, with its link and last syncs", async () => {
  const token = 'card-token';
  await pair.reset(`admin:\n  listen: 127.0.0.1:0\n  token: ${token}\n`, { logLevel: 'info' });
  const listId = await newList('Card list');
  const member = await contact('in@card.example');
  const outsider = await contact('out@card.example');
  await join(listId, [member]);
  await pair.crmsync('settings', 'set', 'inclusion_list', listId);
  await pair.sync();
  const run = await pair.runAdmin(token);
  try {
    let r = await run.api('GET', `/api/v1/records/hubspot/contacts/${member}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.inclusion_list, { member: true, list: listId });
    assert.equal(r.body.link.state, 'LINKED');
    assert.equal(r.body.link.salesforce.object, 'Lead');
    assert.ok(r.body.last_sync.to_salesforce > 0, 'it reached Salesforce');
    assert.equal(r.body.error, null);
    r = await run.api('GET', `/api/v1/records/hubspot/contacts/${outsider}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.inclusion_list, { member: false, list: listId });
    assert.equal(r.body.link, null);
    assert.equal(r.body.error.category, 'inclusion_list');
  } finally {
    await stopped(run);
  }
});
