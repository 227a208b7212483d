// Clearing fields and deleting Salesforce contacts, each checked on both sides and by the writes
// it costs: a clear is one write under the rules that let it through (and HubSpot is set back
// under the one that does not), with no ping-pong; a deleted Salesforce contact deletes its
// HubSpot contact only when delete_contact_on_contact_delete says so, and the echo of that delete
// changes nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { callsTo, sleep, startPair, traceOf } from './lib/pair.mjs';

const PHONE_TWO_WAY = 'mappings:\n  - kind: contact\n    hubspot: phone\n    rule: two_way\n';

let pair;
before(async () => {
  pair = await startPair();
});
after(async () => {
  await pair.stop();
});

const live = async (object, id) => (await pair.sf.live(object)).find((r) => r.Id === id);
const blank = (v) => v === undefined || v === null || v === '';
function assertWrites(before, now, hs, sf, what) {
  assert.equal(now.hs - before.hs, hs, `${what}: HubSpot writes`);
  assert.equal(now.sf - before.sf, sf, `${what}: Salesforce writes`);
}

// A HubSpot contact that became a Salesforce lead, with a phone on both sides.
async function linkedPair(extraYaml = '') {
  await pair.reset(extraYaml);
  const hsId = await pair.hs.create('contacts', {
    email: 'clear@example.com',
    lastname: 'Clear',
    company: 'Blank Co',
    phone: '100',
    jobtitle: 'Keeper',
  });
  await pair.sync();
  const [lead] = await pair.sf.live('Lead');
  assert.equal(lead.Phone, '100');
  await sleep(1100); // the edit is later than the create, as Salesforce stamps whole seconds
  return { hsId, leadId: lead.Id };
}

test('a phone cleared in HubSpot clears Salesforce under two_way: one write, no ping-pong', async () => {
  const { hsId, leadId } = await linkedPair(PHONE_TWO_WAY);
  await pair.hs.update('contacts', hsId, { phone: '' });
  const before = await pair.writes();
  await pair.sync();
  const now = await pair.writes();
  assertWrites(before, now, 0, 1, 'the clear');
  assert.equal((await live('Lead', leadId)).Phone, null);
  assert.ok(blank((await pair.hs.get('contacts', hsId)).properties.phone));
  assert.equal((await live('Lead', leadId)).Title, 'Keeper', 'nothing else changes');
  const x = await pair.explain('hubspot', 'contacts', hsId, '--json');
  assert.match(traceOf(x), /field phone: rule Two-way: changed in HubSpot only; the change flows to Salesforce; Salesforce Phone set to blank/);
  assert.match(traceOf(x), /0 fields to write to HubSpot, 1 to Salesforce/);
  const phone = x.ledger.find((r) => r.field === 'phone');
  assert.ok(blank(phone.value), `ledger: ${JSON.stringify(phone)}`);
  assert.equal(phone.written_by, 'hubspot');
  await pair.sync();
  assert.deepEqual(await pair.writes(), now, 'the Salesforce echo is not written back');
});

test('a phone cleared in HubSpot does not clear Salesforce under Prefer Salesforce unless blank; HubSpot gets it back', async () => {
  const { hsId, leadId } = await linkedPair();
  await pair.hs.update('contacts', hsId, { phone: '' });
  const before = await pair.writes();
  await pair.sync();
  const now = await pair.writes();
  assertWrites(before, now, 1, 0, 'the refused clear');
  assert.equal((await live('Lead', leadId)).Phone, '100');
  assert.equal((await pair.hs.get('contacts', hsId)).properties.phone, '100');
  const x = await pair.explain('hubspot', 'contacts', hsId, '--json');
  assert.match(traceOf(x), /field phone: rule Prefer Salesforce unless blank: HubSpot's edit is not sent/);
  await pair.sync();
  assert.deepEqual(await pair.writes(), now, 'and that is the end of it');
});

for (const [rule, yaml] of [
  ['Prefer Salesforce unless blank', ''],
  ['two_way', PHONE_TWO_WAY],
]) {
  test(`a phone cleared in Salesforce clears HubSpot (${rule}): one write, no ping-pong`, async () => {
    const { hsId, leadId } = await linkedPair(yaml);
    await pair.sf.update('Lead', leadId, { Phone: null });
    const before = await pair.writes();
    await pair.sync();
    const now = await pair.writes();
    assertWrites(before, now, 1, 0, 'the clear');
    const hs = await pair.hs.get('contacts', hsId);
    assert.ok(blank(hs.properties.phone), `HubSpot phone: ${hs.properties.phone}`);
    assert.equal(hs.properties.jobtitle, 'Keeper', 'nothing else changes');
    assert.equal((await live('Lead', leadId)).Phone, null);
    const x = await pair.explain('salesforce', 'Lead', leadId, '--json');
    assert.match(traceOf(x), /field phone: rule [^:]+: .*HubSpot set to blank/);
    assert.match(traceOf(x), /1 field to write to HubSpot, 0 to Salesforce/);
    await pair.sync();
    assert.deepEqual(await pair.writes(), now, 'the HubSpot echo is not written back');
  });
}

// A Salesforce contact (not a lead) under an account, synced to HubSpot.
async function syncedContact(settingsYaml) {
  await pair.reset(settingsYaml);
  const acct = await pair.sf.create('Account', { Name: 'Delete Co' });
  const contactId = await pair.sf.create('Contact', { LastName: 'Doomed', Email: 'doomed@example.com', AccountId: acct });
  await pair.sync();
  const hs = (await pair.hs.all('contacts')).find((c) => c.properties.email === 'doomed@example.com');
  assert.ok(hs, 'the contact reached HubSpot');
  return { contactId, hsId: hs.id };
}

test('a deleted Salesforce contact with delete_contact_on_contact_delete off: the HubSpot contact stays, the link is detached', async () => {
  // the lead setting is on, and does not apply to contacts
  const { contactId, hsId } = await syncedContact('settings:\n  delete_contact_on_lead_delete: true\n');
  const r = await pair.sf.api('DELETE', `/sobjects/Contact/${contactId}`);
  assert.equal(r.status, 204);
  const before = await pair.writes();
  await pair.sync();
  assertWrites(before, await pair.writes(), 0, 0, 'an unpropagated delete');
  const hs = await pair.hs.get('contacts', hsId);
  assert.equal(hs.archived, false);
  assert.equal(hs.properties.lastname, 'Doomed');
  const x = await pair.explain('salesforce', 'Contact', contactId, '--json');
  assert.equal(x.link.state, 'DETACHED');
  assert.equal(x.decisions[0].action, 'detach');
  assert.match(x.decisions[0].trace, /delete_contact_on_contact_delete is off, so HubSpot contact \d+ stays/);
  // a detached contact's edits stay in HubSpot, and no Salesforce record is made for it
  await pair.hs.update('contacts', hsId, { jobtitle: 'Survivor' });
  await pair.sync();
  assertWrites(before, await pair.writes(), 0, 0, 'an edit of the detached contact');
  assert.equal((await pair.sf.live('Contact')).length, 0);
  assert.equal((await pair.sf.live('Lead')).length, 0);
  assert.deepEqual((await pair.status()).links.contact, { DETACHED: 1 });
});

test('a deleted Salesforce contact with delete_contact_on_contact_delete on deletes the HubSpot contact once; the echo changes nothing', async () => {
  const { contactId, hsId } = await syncedContact('settings:\n  delete_contact_on_contact_delete: true\n');
  await pair.sf.api('DELETE', `/sobjects/Contact/${contactId}`);
  await pair.resetStats();
  const before = await pair.writes();
  await pair.sync();
  const now = await pair.writes();
  assertWrites(before, now, 1, 0, 'the propagated delete');
  const stats = await pair.stats();
  assert.equal(
    callsTo(stats.hs, 'POST /crm/v3/objects/{objectType}/batch/archive') +
      callsTo(stats.hs, 'DELETE /crm/v3/objects/{objectType}/{objectId}'),
    1,
  );
  assert.equal((await pair.hs.get('contacts', hsId)).archived, true);
  let x = await pair.explain('salesforce', 'Contact', contactId, '--json');
  assert.equal(x.link.state, 'DELETED');
  assert.equal(x.decisions[0].action, 'delete_hs');
  // the archive is captured on HubSpot's side next: it is the delete's own echo
  await pair.sync();
  assert.deepEqual(await pair.writes(), now, 'nothing is written for the echo');
  x = await pair.explain('salesforce', 'Contact', contactId, '--json');
  assert.equal(x.link.state, 'DELETED', 'the link stays deleted, not detached');
  const y = await pair.explain('hubspot', 'contacts', hsId, '--json');
  assert.equal(y.decisions[0].action, 'skip');
  assert.match(y.decisions[0].trace, /is already deleted, so nothing more happens/);
  assert.deepEqual((await pair.status()).links.contact, { DELETED: 1 });
  assert.equal((await pair.sf.all('Contact')).filter((c) => !c.IsDeleted).length, 0, 'nothing re-created');
});
