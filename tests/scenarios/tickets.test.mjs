// Salesforce cases -> HubSpot tickets end to end (seeds 000/001): the real crmsync binary against
// both emulators. The org has two case business processes (Support Process: New, Working,
// Escalated, Closed; Billing Process: New, On Hold, Closed) and the portal one ticket pipeline
// "0" (Support Pipeline: New, Waiting on contact, Waiting on us, Closed). The pipeline map is
// pre-filled: the default record type's process (Support) takes the default pipeline, statuses
// pair by label and open/closed state, so New -> 1 and Closed -> 4; Working and Escalated stay
// unmapped until an admin maps them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sleep, startPair } from './lib/pair.mjs';

let pair;
before(async () => {
  pair = await startPair();
});
after(async () => {
  await pair.stop();
});

const ON = 'settings:\n  ticket_sync: true\n  new_record_type: contact\n';

const tickets = async () => (await pair.hs.all('tickets')).filter((t) => !t.archived);
const ticketOf = async (caseId) => {
  const st = await pair.explain('salesforce', 'Case', caseId, '--json');
  const id = st.link?.hubspot_id;
  return id ? (await pair.hs.all('tickets')).find((t) => t.id === id) : undefined;
};
async function assocIds(from, id, to) {
  const r = await pair.hs.api('GET', `/crm/v4/objects/${from}/${id}/associations/${to}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.results.map((x) => String(x.toObjectId));
}
async function openErrors(system, object, id) {
  const x = await pair.explain(system, object, id, '--json');
  return x.errors.filter((e) => !e.resolved_at);
}

// An account with one contact, synced to HubSpot; answers their ids on both sides.
async function customer(name, email) {
  const acc = await pair.sf.create('Account', { Name: name });
  const con = await pair.sf.create('Contact', { LastName: 'Buyer', Email: email, AccountId: acc });
  await pair.sync();
  const company = (await pair.hs.all('companies')).find((c) => c.properties.name === name);
  const contact = (await pair.hs.all('contacts')).find((c) => c.properties.email === email);
  assert.ok(company && contact, 'the account and its contact synced');
  return { acc, con, company: company.id, contact: contact.id };
}

test('turning ticket sync on imports nothing; a new case becomes a ticket with its fields, pipeline, status and associations', async () => {
  await pair.reset(ON);
  const before = await pair.sf.create('Case', { Subject: 'Old printer jam', Status: 'New' });
  // Salesforce stamps whole seconds, and the first poll starts at the second it runs in
  await sleep(1100);
  const c = await customer('Analytical Engines', 'ada@engines.example');
  assert.equal((await tickets()).length, 0, 'an existing case is not imported by turning sync on');

  const caseId = await pair.sf.create('Case', {
    Subject: 'Engine overheats',
    Description: 'Runs hot after an hour.',
    Status: 'New',
    Priority: 'High',
    Origin: 'Phone',
    Type: 'Problem',
    AccountId: c.acc,
    ContactId: c.con,
  });
  await pair.sync();
  const t = await ticketOf(caseId);
  assert.ok(t, 'the new case made a ticket');
  assert.equal(t.properties.subject, 'Engine overheats');
  assert.equal(t.properties.content, 'Runs hot after an hour.');
  assert.equal(t.properties.hs_pipeline, '0');
  assert.equal(t.properties.hs_pipeline_stage, '1');
  assert.equal(t.properties.hs_ticket_priority, 'HIGH');
  assert.equal(t.properties.source_type, 'PHONE');
  assert.equal(t.properties.hs_ticket_category, 'PRODUCT_ISSUE');
  assert.deepEqual(await assocIds('tickets', t.id, 'companies'), [c.company]);
  assert.deepEqual(await assocIds('tickets', t.id, 'contacts'), [c.contact]);
  assert.equal((await tickets()).length, 1, 'only the new case synced');
  assert.equal(await ticketOf(before), undefined);

  // closing the case moves the ticket to the closed status
  await pair.sf.update('Case', caseId, { Status: 'Closed', Priority: 'Low' });
  await pair.sync();
  const closed = await ticketOf(caseId);
  assert.equal(closed.properties.hs_pipeline_stage, '4');
  assert.equal(closed.properties.hs_ticket_priority, 'LOW');

  // a second run writes nothing
  await pair.resetStats();
  await pair.sync();
  assert.deepEqual(await pair.writes(), { hs: 0, sf: 0 });
});
