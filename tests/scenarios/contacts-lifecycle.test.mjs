// Links follow records through Salesforce's life cycle: lead conversion, deletes (propagated or
// not, by setting) and merges re-point or detach them; nothing is deleted and re-created.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { peopleByEmail, startPair } from './lib/pair.mjs';

let pair;
before(async () => {
  pair = await startPair();
});
after(async () => {
  await pair.stop();
});

async function linkedLead(email) {
  const hsId = await pair.hs.create('contacts', { email, lastname: 'Person', company: 'Firm' });
  await pair.sync();
  const lead = (await pair.sf.live('Lead')).find((l) => l.Email === email);
  assert.ok(lead, 'the lead was made');
  return { hsId, leadId: lead.Id };
}

test('a converted lead hands its link to the new contact; HubSpot keeps one contact', async () => {
  await pair.reset();
  const { hsId, leadId } = await linkedLead('convert@example.com');
  const conv = await pair.sf.emu.control('POST', '/__emu/convert-lead', { lead_id: leadId });
  await pair.sync();
  assert.deepEqual((await peopleByEmail(pair)).hs, { 'convert@example.com': 1 });
  let x = await pair.explain('hubspot', 'contacts', hsId, '--json');
  assert.equal(x.link.salesforce_object, 'Contact');
  assert.equal(x.link.salesforce_id, conv.contact_id);
  assert.equal(x.link.state, 'LINKED');
  const y = await pair.explain('salesforce', 'Lead', leadId, '--json');
  assert.equal(y.decisions[0].action, 'repoint');
  // the contact's own edits now reach HubSpot
  await pair.sf.update('Contact', conv.contact_id, { Title: 'Customer' });
  const before = await pair.writes();
  await pair.sync();
  assert.equal((await pair.writes()).hs - before.hs, 1);
  assert.equal((await pair.hs.get('contacts', hsId)).properties.jobtitle, 'Customer');
  x = await pair.explain('hubspot', 'contacts', hsId, '--json');
  assert.equal(x.link.salesforce_id, conv.contact_id);
});

test('a deleted Salesforce lead detaches its link and the HubSpot contact stays', async () => {
  await pair.reset();
  const { hsId, leadId } = await linkedLead('gone@example.com');
  const r = await pair.sf.api('DELETE', `/sobjects/Lead/${leadId}`);
  assert.equal(r.status, 204);
  const before = await pair.writes();
  await pair.sync();
  assert.deepEqual(await pair.writes(), before, 'deletes are not propagated by default');
  const hs = await pair.hs.get('contacts', hsId);
  assert.equal(hs.archived, false);
  const x = await pair.explain('hubspot', 'contacts', hsId, '--json');
  assert.equal(x.link.state, 'DETACHED');
  // a detached contact no longer syncs: its edits stay in HubSpot
  await pair.hs.update('contacts', hsId, { company: 'Elsewhere' });
  await pair.sync();
  assert.deepEqual(await pair.writes(), before);
});

test('a deleted HubSpot contact detaches its link; HubSpot deletes never delete in Salesforce', async () => {
  await pair.reset();
  const { hsId, leadId } = await linkedLead('archived@example.com');
  const r = await pair.hs.api('DELETE', `/crm/v3/objects/contacts/${hsId}`);
  assert.equal(r.status, 204);
  const before = await pair.writes();
  await pair.sync();
  assert.deepEqual(await pair.writes(), before);
  assert.ok((await pair.sf.live('Lead')).find((l) => l.Id === leadId), 'the lead stays');
  const x = await pair.explain('salesforce', 'Lead', leadId, '--json');
  assert.equal(x.link.state, 'DETACHED');
  const y = await pair.explain('hubspot', 'contacts', hsId, '--json');
  assert.equal(y.decisions[0].action, 'detach');
  assert.match(y.decisions[0].trace, /HubSpot deletes are not propagated/);
});

test('with delete_contact_on_lead_delete on, the HubSpot contact is deleted too', async () => {
  await pair.reset('settings:\n  delete_contact_on_lead_delete: true\n');
  const { hsId, leadId } = await linkedLead('purge@example.com');
  await pair.sf.api('DELETE', `/sobjects/Lead/${leadId}`);
  await pair.sync();
  const hs = await pair.hs.get('contacts', hsId);
  assert.equal(hs.archived, true);
  const x = await pair.explain('salesforce', 'Lead', leadId, '--json');
  assert.equal(x.link.state, 'DELETED');
  assert.equal(x.decisions[0].action, 'delete_hs');
});

test('a Salesforce merge re-points the link to the surviving record', async () => {
  await pair.reset();
  const acct = await pair.sf.create('Account', { Name: 'Merge Co' });
  const loser = await pair.sf.create('Contact', { LastName: 'Loser', Email: 'merge@example.com', AccountId: acct });
  await pair.sync();
  const [hs] = (await pair.hs.all('contacts')).filter((c) => !c.archived);
  // the survivor has no email of its own: it never synced
  const survivor = await pair.sf.create('Contact', { LastName: 'Survivor', AccountId: acct });
  await pair.sync();
  await pair.sf.emu.control('POST', '/__emu/merge', {
    object: 'Contact',
    master_id: survivor,
    loser_ids: [loser],
  });
  await pair.sync();
  const x = await pair.explain('hubspot', 'contacts', hs.id, '--json');
  assert.equal(x.link.salesforce_id, survivor);
  assert.equal(x.link.state, 'LINKED');
  assert.deepEqual((await peopleByEmail(pair)).hs, { 'merge@example.com': 1 });
});
