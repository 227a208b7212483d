// Owners travel by email, as the native integration does: a Salesforce owner reaches HubSpot as
// the HubSpot owner with that user's email; a HubSpot owner reaches Salesforce only as an active
// Salesforce user with the same email, otherwise Salesforce keeps its owner and HubSpot's owner
// goes back to the Salesforce owner's HubSpot match.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startPair, traceOf } from './lib/pair.mjs';
import { hsOwner, sfUser } from './lib/owners.mjs';

let pair;
before(async () => {
  pair = await startPair();
});
after(async () => {
  await pair.stop();
});

test('a Salesforce owner reaches HubSpot as the owner with the same email', async () => {
  await pair.reset();
  const sam = await sfUser(pair, 'sam.seller@crmsync.test');
  const samHs = await hsOwner(pair, 'sam.seller@crmsync.test', 'Sam', 'Seller');
  const leadId = await pair.sf.create('Lead', {
    LastName: 'Hopper',
    Company: 'Navy',
    Email: 'grace@example.com',
    OwnerId: sam.Id,
  });
  await pair.sync();
  const [contact] = (await pair.hs.all('contacts')).filter(
    (c) => c.properties.email === 'grace@example.com',
  );
  assert.ok(contact, 'the contact was made');
  assert.equal(contact.properties.hubspot_owner_id, samHs);
  const x = await pair.explain('salesforce', 'Lead', leadId, '--json');
  assert.match(traceOf(x), new RegExp(`hubspot_owner_id: Salesforce's owner is HubSpot owner ${samHs}`));
});

test('a HubSpot owner reaches Salesforce as the active user with the same email', async () => {
  await pair.reset();
  const priya = await sfUser(pair, 'priya.patel@crmsync.test');
  const priyaHs = await hsOwner(pair, 'priya.patel@crmsync.test', 'Priya', 'Patel');
  const samHs = await hsOwner(pair, 'sam.seller@crmsync.test', 'Sam', 'Seller');
  const sam = await sfUser(pair, 'sam.seller@crmsync.test');
  const hsId = await pair.hs.create('contacts', {
    email: 'ada@example.com',
    lastname: 'Lovelace',
    company: 'Analytical Engines',
    hubspot_owner_id: priyaHs,
  });
  await pair.sync();
  const [lead] = await pair.sf.live('Lead');
  assert.ok(lead, 'the lead was made');
  assert.equal(lead.OwnerId, priya.Id, 'the new lead belongs to Priya');
  let x = await pair.explain('hubspot', 'contacts', hsId, '--json');
  assert.match(traceOf(x), new RegExp(`owner ${priyaHs} is Salesforce user ${priya.Id}`));

  // a later HubSpot owner change moves the lead too
  await pair.hs.update('contacts', hsId, { hubspot_owner_id: samHs });
  await pair.sync();
  const moved = (await pair.sf.live('Lead')).find((l) => l.Id === lead.Id);
  assert.equal(moved.OwnerId, sam.Id, 'the lead now belongs to Sam');
  x = await pair.explain('hubspot', 'contacts', hsId, '--json');
  assert.match(traceOf(x), new RegExp(`Salesforce set to user ${sam.Id}`));
});

test('a HubSpot owner with no active Salesforce user leaves Salesforce alone and is reset', async () => {
  await pair.reset();
  const sam = await sfUser(pair, 'sam.seller@crmsync.test');
  const samHs = await hsOwner(pair, 'sam.seller@crmsync.test', 'Sam', 'Seller');
  // marco.rossi is an inactive user of the fresh org
  const marcoHs = await hsOwner(pair, 'marco.rossi@crmsync.test', 'Marco', 'Rossi');
  const leadId = await pair.sf.create('Lead', {
    LastName: 'Turing',
    Company: 'Bletchley',
    Email: 'alan@example.com',
    OwnerId: sam.Id,
  });
  await pair.sync();
  const contact = (await pair.hs.all('contacts')).find((c) => c.properties.email === 'alan@example.com');
  assert.equal(contact.properties.hubspot_owner_id, samHs);

  await pair.hs.update('contacts', contact.id, { hubspot_owner_id: marcoHs });
  await pair.sync();
  const lead = (await pair.sf.live('Lead')).find((l) => l.Id === leadId);
  assert.equal(lead.OwnerId, sam.Id, 'Salesforce keeps its owner');
  const hs = await pair.hs.get('contacts', contact.id);
  assert.equal(hs.properties.hubspot_owner_id, samHs, "HubSpot's owner goes back to Sam");
  const x = await pair.explain('hubspot', 'contacts', contact.id, '--json');
  const t = traceOf(x);
  assert.match(t, /who is inactive/);
  assert.match(t, new RegExp(`HubSpot.s owner is reset to "${samHs}"`));
});
