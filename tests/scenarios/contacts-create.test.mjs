// New people on either side reach the other through `crmsync sync --once`, created by upserts
// on the link id, and a second run writes nothing (the echo test).
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { callsTo, peopleByEmail, startPair } from './lib/pair.mjs';

const SF_UPSERT = 'PATCH /services/data/vXX.X/composite/sobjects/{object}/{field}';
const HS_UPSERT = 'POST /crm/v3/objects/{objectType}/batch/upsert';
const HS_UPDATE = 'POST /crm/v3/objects/{objectType}/batch/update';

let pair;
before(async () => {
  pair = await startPair();
});
after(async () => {
  await pair.stop();
});
beforeEach(async () => {
  await pair.reset();
});

test('a new HubSpot contact becomes a Salesforce lead created by an upsert on the link id', async () => {
  const id = await pair.hs.create('contacts', {
    email: 'ada@example.com',
    firstname: 'Ada',
    lastname: 'Lovelace',
    company: 'Analytical Engines',
    phone: '+44 20 7946 0000',
  });
  await pair.resetStats();
  await pair.sync();

  const leads = await pair.sf.live('Lead');
  assert.equal(leads.length, 1);
  const lead = leads[0];
  assert.equal(lead.Email, 'ada@example.com');
  assert.equal(lead.LastName, 'Lovelace');
  assert.equal(lead.FirstName, 'Ada');
  assert.equal(lead.Company, 'Analytical Engines');
  assert.equal(lead.Phone, '+44 20 7946 0000');
  assert.match(lead.CrmSync_Link_Id__c, /^L[0-9a-f]{24}$/);
  const stats = await pair.stats();
  assert.equal(callsTo(stats.sf, SF_UPSERT), 1, 'one Collections upsert made the lead');
  // Salesforce's defaults on the new lead (HasOptedOutOfEmail false) are no change for HubSpot;
  // the lead's owner (the integration user, as no owner was mapped) is, as natively: one write
  assert.equal(callsTo(stats.hs, HS_UPDATE), 1, 'only the owner is written back to HubSpot');
  const owners = (await pair.hs.api('GET', '/crm/v3/owners')).body.results;
  const integration = owners.find((o) => o.email === 'integration@crmsync.test');
  const contact = await pair.hs.get('contacts', id);
  assert.equal(contact.properties.hubspot_owner_id, String(integration.id));
  // and that write carried the owner only: the lead's HasOptedOutOfEmail false is no change
  assert.ok(!contact.properties.hs_email_optout, `opt-out written: ${contact.properties.hs_email_optout}`);

  const st = await pair.status();
  assert.equal(st.links.contact.LINKED, 1);
  const x = await pair.explain('hubspot', 'contacts', id, '--json');
  assert.equal(x.link.state, 'LINKED');
  assert.equal(x.link.salesforce_object, 'Lead');
  assert.equal(x.link.salesforce_id, lead.Id);
  assert.equal(x.link.link_id, lead.CrmSync_Link_Id__c);
  const ledger = Object.fromEntries(x.ledger.map((r) => [r.field, r]));
  assert.equal(ledger.email.value, 'ada@example.com');
  assert.equal(ledger.lastname.value, 'Lovelace');
  assert.equal(ledger.lastname.written_by, 'hubspot');
});

test('a new Salesforce lead and contact become HubSpot contacts created by upserts on crmsync_link_id', async () => {
  const leadId = await pair.sf.create('Lead', {
    LastName: 'Hopper',
    FirstName: 'Grace',
    Company: 'Navy',
    Email: 'Grace@Example.com',
    Title: 'Rear Admiral',
  });
  const acct = await pair.sf.create('Account', { Name: 'Compilers Inc' });
  const contactId = await pair.sf.create('Contact', {
    LastName: 'Liskov',
    FirstName: 'Barbara',
    Email: 'barbara@example.com',
    AccountId: acct,
  });
  await pair.resetStats();
  await pair.sync();

  const prop = await pair.hs.api('GET', '/crm/v3/properties/contacts/crmsync_link_id');
  assert.equal(prop.status, 200, 'crmsync made its link property');
  assert.equal(prop.body.hasUniqueValue, true);

  const contacts = (await pair.hs.all('contacts')).filter((c) => !c.archived);
  assert.equal(contacts.length, 2);
  const grace = contacts.find((c) => c.properties.email === 'grace@example.com');
  const barbara = contacts.find((c) => c.properties.email === 'barbara@example.com');
  assert.ok(grace && barbara, JSON.stringify(contacts.map((c) => c.properties.email)));
  assert.equal(grace.properties.lastname, 'Hopper');
  assert.equal(grace.properties.jobtitle, 'Rear Admiral');
  assert.equal(barbara.properties.firstname, 'Barbara');
  assert.match(grace.properties.crmsync_link_id, /^L[0-9a-f]{24}$/);
  const stats = await pair.stats();
  assert.ok(callsTo(stats.hs, HS_UPSERT) >= 1, 'created through batch upsert');
  assert.equal(callsTo(stats.hs, 'POST /crm/v3/objects/{objectType}'), 0, 'never a plain create');

  const lead = (await pair.sf.live('Lead')).find((l) => l.Id === leadId);
  const x = await pair.explain('salesforce', 'Lead', leadId, '--json');
  assert.equal(x.link.state, 'LINKED');
  assert.equal(x.link.hubspot_id, grace.id);
  assert.equal(x.link.link_id, grace.properties.crmsync_link_id);
  assert.equal(lead.CrmSync_Link_Id__c, null, 'the existing lead is not written back');
  const y = await pair.explain('salesforce', 'Contact', contactId, '--json');
  assert.equal(y.link.hubspot_id, barbara.id);
  assert.equal(y.decisions[y.decisions.length - 1].action, 'create_hs');
});

test('a second sync --once writes nothing: no echo, no ping-pong', async () => {
  await pair.hs.create('contacts', { email: 'alan@example.com', lastname: 'Turing', company: 'NPL' });
  await pair.sf.create('Lead', { LastName: 'Hamilton', Company: 'MIT', Email: 'margaret@example.com' });
  await pair.sync();
  const before = await pair.writes();
  const r = await pair.sync();
  const afterwards = await pair.writes();
  assert.deepEqual(afterwards, before, `the second run wrote: ${r.stdout}`);
  const people = await peopleByEmail(pair);
  assert.deepEqual(people.hs, { 'alan@example.com': 1, 'margaret@example.com': 1 });
  assert.deepEqual(people.sf, { 'alan@example.com': 1, 'margaret@example.com': 1 });
});

test('people with the same email on both sides are linked, not duplicated', async () => {
  const leadId = await pair.sf.create('Lead', {
    LastName: 'Noether',
    Company: 'Göttingen',
    Email: 'emmy@example.com',
    Phone: '111',
  });
  const hsId = await pair.hs.create('contacts', { email: 'EMMY@example.com', lastname: 'Noether' });
  await pair.resetStats();
  await pair.sync();
  const people = await peopleByEmail(pair);
  assert.deepEqual(people.sf, { 'emmy@example.com': 1 });
  assert.deepEqual(people.hs, { 'emmy@example.com': 1 });
  const x = await pair.explain('salesforce', 'Lead', leadId, '--json');
  assert.equal(x.link.state, 'LINKED');
  assert.equal(x.link.hubspot_id, hsId);
  // Prefer Salesforce unless blank: the lead's phone reaches HubSpot, nothing goes back
  const hs = await pair.hs.get('contacts', hsId);
  assert.equal(hs.properties.phone, '111');
  const stats = await pair.stats();
  assert.equal(callsTo(stats.sf, SF_UPSERT), 0, 'no lead was created');
});
