// People that exist twice: Salesforce allows many leads and contacts per email, HubSpot one
// contact. The first bind takes Salesforce's first match (the oldest; a Contact before a Lead
// made at the same instant), a later change follows the most recently updated duplicate, and
// nothing is ever created for a duplicate. A merge in HubSpot keeps every Salesforce record:
// the merged-away contact's link moves to the survivor, or is detached when the survivor
// already syncs; nothing is deleted and re-created.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { callsTo, peopleByEmail, sleep, startPair, traceOf } from './lib/pair.mjs';

const SF_UPSERT = 'PATCH /services/data/vXX.X/composite/sobjects/{object}/{field}';
const NO_CREATES = 'settings:\n  create_contacts_from_leads: false\n  create_contacts_from_contacts: false\n';
const PHONE_TWO_WAY = 'mappings:\n  - kind: contact\n    hubspot: phone\n    rule: two_way\n';

let pair;
before(async () => {
  pair = await startPair();
});
after(async () => {
  await pair.stop();
});

const live = async (object, id) => (await pair.sf.live(object)).find((r) => r.Id === id);
// The HubSpot contact's link, as the store holds it.
async function linkOf(hsId) {
  const x = await pair.explain('hubspot', 'contacts', hsId, '--json');
  assert.ok(x.link, `contact ${hsId} has a link`);
  return x.link;
}

// Salesforce writes nothing and HubSpot n times between two write counts.
function assertWrites(before, now, hs, sf, what) {
  assert.equal(now.hs - before.hs, hs, `${what}: HubSpot writes`);
  assert.equal(now.sf - before.sf, sf, `${what}: Salesforce writes`);
}

test('two same-email leads: the HubSpot contact binds the oldest whatever the case; a later edit of the other takes the sync over', async () => {
  await pair.reset(NO_CREATES);
  const first = await pair.sf.create('Lead', { LastName: 'First', Company: 'A', Email: 'dup@example.com', Phone: '111' });
  await sleep(1100); // Salesforce stamps whole seconds
  const second = await pair.sf.create('Lead', { LastName: 'Second', Company: 'B', Email: 'DUP@Example.COM', Phone: '222' });
  await pair.sync(); // the leads are seen; with no creates from Salesforce nothing happens
  assert.equal((await pair.hs.all('contacts')).length, 0);

  const hsId = await pair.hs.create('contacts', { email: 'Dup@Example.com', lastname: 'Hubspot' });
  await pair.resetStats();
  let before = await pair.writes();
  await pair.sync();
  let now = await pair.writes();
  assertWrites(before, now, 1, 0, 'first bind');
  assert.equal(callsTo((await pair.stats()).sf, SF_UPSERT), 0, 'no lead is created');
  assert.deepEqual(await peopleByEmail(pair), { hs: { 'dup@example.com': 1 }, sf: { 'dup@example.com': 2 } });
  let link = await linkOf(hsId);
  assert.equal(link.state, 'LINKED');
  assert.equal(link.salesforce_object, 'Lead');
  assert.equal(link.salesforce_id, first, 'the oldest duplicate is the first match');
  const x = await pair.explain('hubspot', 'contacts', hsId, '--json');
  assert.match(traceOf(x), /matched Salesforce Lead \S+ \(first of 2 matches, oldest first\)/);
  // Prefer Salesforce unless blank: the first lead's values reach HubSpot, nothing goes back
  let hs = await pair.hs.get('contacts', hsId);
  assert.equal(hs.properties.phone, '111');
  assert.equal(hs.properties.lastname, 'First');
  assert.equal((await live('Lead', first)).LastName, 'First');
  const untouched = await live('Lead', second);
  assert.equal(untouched.Phone, '222');
  assert.equal(untouched.LastName, 'Second');

  // a later edit of the other duplicate: it is now the most recently updated one
  await sleep(1100);
  await pair.sf.update('Lead', second, { Phone: '333' });
  before = await pair.writes();
  await pair.sync();
  now = await pair.writes();
  assertWrites(before, now, 1, 0, 'the sync follows the later duplicate');
  link = await linkOf(hsId);
  assert.equal(link.salesforce_id, second);
  assert.equal(link.state, 'LINKED');
  const y = await pair.explain('salesforce', 'Lead', second, '--json');
  assert.equal(y.decisions[0].action, 'repoint');
  hs = await pair.hs.get('contacts', hsId);
  assert.equal(hs.properties.phone, '333');
  assert.equal(hs.properties.lastname, 'Second');
  assert.equal((await live('Lead', first)).Phone, '111', 'the first lead is left as it was');
  assert.deepEqual((await pair.status()).links, { contact: { LINKED: 1 } });
  await pair.sync();
  assert.deepEqual(await pair.writes(), now, 'and nothing echoes');
});

test('a lead and a contact made at the same instant: the Contact is the first match; a later lead edit takes the sync, and HubSpot edits follow it', async () => {
  await pair.reset(NO_CREATES + PHONE_TWO_WAY);
  const r = await pair.sf.api('POST', '/composite/sobjects', {
    allOrNone: true,
    records: [
      { attributes: { type: 'Lead' }, LastName: 'AsLead', Company: 'L', Email: 'twin@example.com', Phone: '1' },
      { attributes: { type: 'Contact' }, LastName: 'AsContact', Email: 'Twin@Example.com', Phone: '2' },
    ],
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const [leadId, contactId] = r.body.map((x) => x.id);
  const lead = await live('Lead', leadId);
  const contact = await live('Contact', contactId);
  assert.equal(lead.CreatedDate, contact.CreatedDate, 'one call, one instant');
  await pair.sync();

  const hsId = await pair.hs.create('contacts', { email: 'twin@example.com', lastname: 'Twin' });
  let before = await pair.writes();
  await pair.sync();
  let now = await pair.writes();
  assertWrites(before, now, 1, 0, 'first bind');
  let link = await linkOf(hsId);
  assert.equal(link.salesforce_object, 'Contact', 'a Contact before a Lead made at the same instant');
  assert.equal(link.salesforce_id, contactId);
  assert.equal((await pair.hs.get('contacts', hsId)).properties.phone, '2');
  assert.deepEqual((await peopleByEmail(pair)).sf, { 'twin@example.com': 2 }, 'no third record');

  await sleep(1100);
  await pair.sf.update('Lead', leadId, { Title: 'Buyer' });
  before = await pair.writes();
  await pair.sync();
  now = await pair.writes();
  assertWrites(before, now, 1, 0, 'the lead takes the sync');
  link = await linkOf(hsId);
  assert.equal(link.salesforce_object, 'Lead');
  assert.equal(link.salesforce_id, leadId);
  let hs = await pair.hs.get('contacts', hsId);
  assert.equal(hs.properties.jobtitle, 'Buyer');
  assert.equal(hs.properties.lastname, 'AsLead');
  assert.equal(hs.properties.phone, '1', 'the newly followed record wins its first sync');

  // a HubSpot edit now reaches the lead only
  await pair.hs.update('contacts', hsId, { phone: '42' });
  before = await pair.writes();
  await pair.sync();
  now = await pair.writes();
  assertWrites(before, now, 0, 1, 'a HubSpot edit');
  assert.equal((await live('Lead', leadId)).Phone, '42');
  assert.equal((await live('Contact', contactId)).Phone, '2', 'the contact is not written');
  await pair.sync();
  assert.deepEqual(await pair.writes(), now, 'no ping-pong');
});

test('duplicates first seen together with their HubSpot contact: one contact, no third record, the latest duplicate synced', async () => {
  await pair.reset();
  const first = await pair.sf.create('Lead', { LastName: 'One', Company: 'A', Email: 'both@example.com', Phone: '1' });
  await sleep(1100);
  const second = await pair.sf.create('Lead', { LastName: 'Two', Company: 'B', Email: 'BOTH@example.com', Phone: '2' });
  const hsId = await pair.hs.create('contacts', { email: 'both@example.com', lastname: 'Hs' });
  await pair.resetStats();
  const before = await pair.writes();
  await pair.sync();
  const now = await pair.writes();
  assertWrites(before, now, 1, 0, 'one HubSpot batch, nothing made in Salesforce');
  assert.deepEqual(await peopleByEmail(pair), { hs: { 'both@example.com': 1 }, sf: { 'both@example.com': 2 } });
  const stats = await pair.stats();
  assert.equal(callsTo(stats.sf, SF_UPSERT), 0);
  assert.equal(callsTo(stats.hs, 'POST /crm/v3/objects/{objectType}/batch/upsert'), 0, 'no contact is created');
  const link = await linkOf(hsId);
  assert.equal(link.salesforce_id, second, 'the most recently updated duplicate');
  const hs = await pair.hs.get('contacts', hsId);
  assert.equal(hs.properties.lastname, 'Two');
  assert.equal(hs.properties.phone, '2');
  assert.equal((await live('Lead', first)).LastName, 'One');
  assert.deepEqual((await pair.status()).links, { contact: { LINKED: 1 } });
  await pair.sync();
  assert.deepEqual(await pair.writes(), now);
});

// Two HubSpot contacts (a kept, b merged into it) and what they sync with.
async function merge(primary, loser) {
  const r = await pair.hs.api('POST', '/crm/v3/objects/contacts/merge', {
    primaryObjectId: primary,
    objectIdToMerge: loser,
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.id, primary);
}

const leadOf = async (email) => (await pair.sf.live('Lead')).find((l) => l.Email === email);

test('a HubSpot merge of two linked contacts: the survivor keeps its link, the loser\'s is detached, Salesforce keeps both', async () => {
  await pair.reset();
  const a = await pair.hs.create('contacts', { email: 'keep@example.com', lastname: 'Keep', company: 'K' });
  const b = await pair.hs.create('contacts', { email: 'gone@example.com', lastname: 'Gone', company: 'G' });
  await pair.sync();
  const leadA = await leadOf('keep@example.com');
  const leadB = await leadOf('gone@example.com');
  const linkB = await linkOf(b);

  await merge(a, b);
  let before = await pair.writes();
  await pair.sync();
  let now = await pair.writes();
  assertWrites(before, now, 0, 0, 'a merge of two synced contacts');
  assert.equal((await pair.sf.live('Lead')).length, 2, 'nothing deleted or created in Salesforce');
  assert.equal((await live('Lead', leadB.Id)).LastName, 'Gone');
  const contacts = (await pair.hs.all('contacts')).filter((c) => !c.archived);
  assert.deepEqual(contacts.map((c) => c.id), [a]);
  assert.equal((await linkOf(a)).salesforce_id, leadA.Id);
  const x = await pair.explain('hubspot', 'contacts', b, '--json');
  assert.equal(x.link.link_id, linkB.link_id);
  assert.equal(x.link.state, 'DETACHED');
  assert.equal(x.decisions[0].action, 'detach');
  assert.match(traceOf(x), new RegExp(`merged into ${a}, which already syncs through link`));
  assert.deepEqual((await pair.status()).links, { contact: { LINKED: 1, DETACHED: 1 } });

  // the loser's lead no longer syncs: its edits never reach the survivor
  await sleep(1100);
  await pair.sf.update('Lead', leadB.Id, { LastName: 'Elsewhere', Phone: '999' });
  before = await pair.writes();
  await pair.sync();
  now = await pair.writes();
  assertWrites(before, now, 0, 0, 'an edit of the detached lead');
  const survivor = await pair.hs.get('contacts', a);
  assert.equal(survivor.properties.lastname, 'Keep');
  assert.ok(!survivor.properties.phone);
});

test('a HubSpot merge into a contact not yet synced re-points the loser\'s link to the survivor; nothing is created in Salesforce', async () => {
  await pair.reset(PHONE_TWO_WAY);
  const b = await pair.hs.create('contacts', { email: 'older@example.com', lastname: 'Older', company: 'O', phone: '10' });
  await pair.sync();
  const lead = await leadOf('older@example.com');
  const linkB = await linkOf(b);
  // a new contact (say from a form) is made the primary before it ever synced
  const a = await pair.hs.create('contacts', { email: 'newer@example.com', lastname: 'Newer', jobtitle: 'Chief' });
  await merge(a, b);
  await pair.resetStats();
  let before = await pair.writes();
  await pair.sync();
  let now = await pair.writes();
  const stats = await pair.stats();
  assert.equal(callsTo(stats.sf, SF_UPSERT), 0, 'no lead is created for the survivor');
  assert.equal((await pair.sf.live('Lead')).length, 1);
  const x = await pair.explain('hubspot', 'contacts', a, '--json');
  assert.equal(x.link.link_id, linkB.link_id, 'the same link, re-pointed');
  assert.equal(x.link.state, 'LINKED');
  assert.equal(x.link.salesforce_id, lead.Id);
  const y = await pair.explain('hubspot', 'contacts', b, '--json');
  assert.equal(y.decisions[0].action, 'repoint');
  assert.match(traceOf(y), new RegExp(`re-pointed from contact ${b} to contact ${a}`));
  assert.deepEqual((await pair.status()).links, { contact: { LINKED: 1 } });
  // the re-pointed pair syncs afresh: the lead's values win (Prefer Salesforce unless blank),
  // the survivor's value goes where Salesforce is blank
  const hs = await pair.hs.get('contacts', a);
  const sf = await live('Lead', lead.Id);
  assert.equal(sf.Email, 'older@example.com', 'Salesforce keeps its email');
  assert.equal(hs.properties.email, 'older@example.com');
  assert.equal(hs.properties.lastname, 'Older');
  assert.equal(sf.LastName, 'Older');
  assert.equal(sf.Title, 'Chief');
  assertWrites(before, now, 1, 1, 'one write each way');
  await pair.sync();
  assert.deepEqual(await pair.writes(), now, 'no ping-pong');

  // and the survivor's own edits reach the lead
  await pair.hs.update('contacts', a, { phone: '20' });
  before = await pair.writes();
  await pair.sync();
  now = await pair.writes();
  assertWrites(before, now, 0, 1, 'a survivor edit');
  assert.equal((await live('Lead', lead.Id)).Phone, '20');
  assert.deepEqual(await peopleByEmail(pair), { hs: { 'older@example.com': 1 }, sf: { 'older@example.com': 1 } });
});

test('a synced contact absorbing an unsynced duplicate keeps its link; the values it gained flow on', async () => {
  await pair.reset();
  const a = await pair.hs.create('contacts', { email: 'main@example.com', lastname: 'Main', company: 'M' });
  await pair.sync();
  const lead = await leadOf('main@example.com');
  const link = await linkOf(a);
  const b = await pair.hs.create('contacts', { email: 'alias@example.com', lastname: 'Alias', jobtitle: 'Director' });
  await merge(a, b);
  const before = await pair.writes();
  await pair.sync();
  const now = await pair.writes();
  assertWrites(before, now, 0, 1, 'the title the survivor gained');
  assert.equal((await pair.sf.live('Lead')).length, 1, 'the merged-away contact never reaches Salesforce');
  const sf = await live('Lead', lead.Id);
  assert.equal(sf.Title, 'Director');
  assert.equal(sf.LastName, 'Main');
  const kept = await linkOf(a);
  assert.equal(kept.link_id, link.link_id);
  assert.equal(kept.salesforce_id, lead.Id);
  assert.equal(kept.state, 'LINKED');
  assert.deepEqual((await pair.status()).links, { contact: { LINKED: 1 } });
  await pair.sync();
  assert.deepEqual(await pair.writes(), now);
});
