// Salesforce cases -> HubSpot tickets end to end (seeds 000/001): the real crmsync binary against
// both emulators. The org has two case business processes (Support Process: New, Working,
// Escalated, Closed; Billing Process: New, On Hold, Closed) and the portal one ticket pipeline
// "0" (Support Pipeline: New, Waiting on contact, Waiting on us, Closed). The pipeline map is
// pre-filled: the default record type's process (Support) takes the default pipeline, statuses
// pair by label and open/closed state, so New -> 1 and Closed -> 4; Working and Escalated stay
// unmapped until an admin maps them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { killWhen, setFaults, sleep, startPair, until, writeCalls } from './lib/pair.mjs';

let pair;
before(async () => {
  pair = await startPair();
});
after(async () => {
  await pair.stop();
});

const ON = 'settings:\n  ticket_sync: true\n  new_record_type: contact\n';
// Settings for the tests below. HubSpot paces its searches (five a second), one per captured
// object a pass, so each test turns off the kinds it does not need: TICKETS syncs cases alone,
// PEOPLE cases with contacts and companies; more settings are added as { name: value }.
const settingsYaml = (base) => (more = {}) =>
  'settings:\n' +
  Object.entries({ ...base, ...more })
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `  ${k}: ${v}\n`)
    .join('');
const TICKETS = settingsYaml({ ticket_sync: true, contact_sync: false, company_sync: false, deal_sync: false });
const PEOPLE = settingsYaml({ ticket_sync: true, deal_sync: false, new_record_type: 'contact' });

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
  // the case's owner reaches the ticket as the HubSpot owner with the same email (owner rules)
  const sam = (await pair.sf.all('User')).find((u) => u.Email === 'sam.seller@crmsync.test');
  assert.ok(sam, 'the org has Sam');
  const samHs = String(
    (await pair.hs.emu.control('POST', '/__emu/owners', { email: 'sam.seller@crmsync.test', firstName: 'Sam', lastName: 'Seller' })).id,
  );

  const caseId = await pair.sf.create('Case', {
    Subject: 'Engine overheats',
    Description: 'Runs hot after an hour.',
    Status: 'New',
    Priority: 'High',
    Origin: 'Phone',
    Type: 'Problem',
    AccountId: c.acc,
    ContactId: c.con,
    OwnerId: sam.Id,
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
  assert.equal(t.properties.hubspot_owner_id, samHs, 'the case owner\'s HubSpot owner');
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

// ---- helpers of the tests below ----

const caseOf = async (id) => (await pair.sf.all('Case')).find((r) => r.Id === id);
const liveCases = () => pair.sf.live('Case');
const setting = async (name, value) => {
  const r = await pair.crmsync('settings', 'set', name, String(value));
  assert.equal(r.code, 0, r.stderr);
};
async function linkOf(caseId) {
  return (await pair.explain('salesforce', 'Case', caseId, '--json')).link;
}
// The open errors of one category on a case, as their messages.
async function caseErrors(caseId, category) {
  return (await openErrors('salesforce', 'Case', caseId)).filter((e) => e.category === category).map((e) => e.message);
}
async function caseRecordType(name) {
  const q = encodeURIComponent(`SELECT Id FROM RecordType WHERE SobjectType = 'Case' AND Name = '${name}'`);
  const r = await pair.sf.api('GET', `/query?q=${q}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.records.length, 1, `the org has case record type ${name}`);
  return r.body.records[0].Id;
}

// ---- the delete rule ----

test('ticket_delete_rule nothing (the default): a deleted case leaves its ticket and the link is detached', async () => {
  await pair.reset(TICKETS());
  await pair.sync(); // the case source starts here
  const caseId = await pair.sf.create('Case', { Subject: 'Keep me', Status: 'New' });
  await pair.sync();
  const t = await ticketOf(caseId);
  assert.ok(t, 'the case made a ticket');

  const r = await pair.sf.api('DELETE', `/sobjects/Case/${caseId}`);
  assert.equal(r.status, 204, JSON.stringify(r.body));
  await pair.sync();
  assert.ok((await caseOf(caseId)).IsDeleted, 'the case is deleted in Salesforce');
  const now = (await pair.hs.all('tickets')).find((x) => x.id === t.id);
  assert.ok(now && !now.archived, 'the ticket stays in HubSpot');
  assert.equal(now.properties.subject, 'Keep me');
  const link = await linkOf(caseId);
  assert.equal(link.state, 'DETACHED');
  assert.equal(link.hubspot_id, t.id);
});

test('ticket_delete_rule delete: a deleted case archives its ticket', async () => {
  await pair.reset(TICKETS({ ticket_delete_rule: 'delete' }));
  await pair.sync(); // the case source starts here
  const gone = await pair.sf.create('Case', { Subject: 'Delete me', Status: 'New' });
  const kept = await pair.sf.create('Case', { Subject: 'Keep me too', Status: 'New' });
  await pair.sync();
  const t = await ticketOf(gone);
  const other = await ticketOf(kept);
  assert.ok(t && other, 'both cases made tickets');

  const r = await pair.sf.api('DELETE', `/sobjects/Case/${gone}`);
  assert.equal(r.status, 204, JSON.stringify(r.body));
  await pair.sync();
  const all = await pair.hs.all('tickets');
  assert.ok(all.find((x) => x.id === t.id).archived, 'the deleted case\'s ticket is archived');
  assert.ok(!all.find((x) => x.id === other.id).archived, 'the other ticket stays');
  assert.equal((await linkOf(gone)).state, 'DELETED');
  assert.ok(!(await caseOf(kept)).IsDeleted, 'the other case is untouched');
  assert.equal((await linkOf(kept)).state, 'LINKED');
});

// ---- associations ----

test('ticket_account_association: a synced account is the ticket\'s company; an account not synced yet is an associations error until it syncs', async () => {
  await pair.reset(PEOPLE());
  const c = await customer('Babbage & Co', 'charles@babbage.example'); // the case source starts here too
  // accounts stop syncing for a while: the next one waits
  await setting('company_sync', false);
  const later = await pair.sf.create('Account', { Name: 'Difference Works' });
  const onSynced = await pair.sf.create('Case', { Subject: 'Gear slips', Status: 'New', AccountId: c.acc });
  const onLater = await pair.sf.create('Case', { Subject: 'Lever sticks', Status: 'New', AccountId: later });
  await pair.sync();

  const t1 = await ticketOf(onSynced);
  assert.ok(t1, 'the case on the synced account made a ticket');
  assert.deepEqual(await assocIds('tickets', t1.id, 'companies'), [c.company]);
  assert.deepEqual(await caseErrors(onSynced, 'associations'), []);

  const t2 = await ticketOf(onLater);
  assert.ok(t2, 'the case on an account not synced yet still made its ticket');
  assert.deepEqual(await assocIds('tickets', t2.id, 'companies'), [], 'no company yet');
  const waiting = await caseErrors(onLater, 'associations');
  assert.equal(waiting.length, 1, JSON.stringify(waiting));
  assert.match(waiting[0], /waiting for account to sync/);
  assert.equal((await caseOf(onLater)).AccountId, later, 'the case keeps its account');
  assert.ok(!(await pair.hs.all('companies')).some((x) => x.properties.name === 'Difference Works'));

  // accounts sync again: the account gets its company, and the waiting case follows
  await setting('company_sync', true);
  await pair.sync();
  const company = (await pair.hs.all('companies')).find((x) => x.properties.name === 'Difference Works');
  assert.ok(company, 'the account synced');
  assert.deepEqual(await assocIds('tickets', t2.id, 'companies'), [company.id]);
  assert.deepEqual(await caseErrors(onLater, 'associations'), [], 'the error cleared');
  assert.equal((await caseOf(onLater)).AccountId, later);
  assert.deepEqual(await assocIds('tickets', t1.id, 'companies'), [c.company], 'the first ticket is unchanged');
});

test('ticket_account_association off: the case\'s account is not associated (its contact still is)', async () => {
  await pair.reset(PEOPLE({ ticket_account_association: false }));
  const c = await customer('Jacquard Looms', 'joseph@looms.example');
  const caseId = await pair.sf.create('Case', { Subject: 'Cards jam', Status: 'New', AccountId: c.acc, ContactId: c.con });
  await pair.sync();
  const t = await ticketOf(caseId);
  assert.ok(t);
  assert.deepEqual(await assocIds('tickets', t.id, 'companies'), []);
  assert.deepEqual(await assocIds('tickets', t.id, 'contacts'), [c.contact]);
  assert.deepEqual(await caseErrors(caseId, 'associations'), []);
  assert.equal((await caseOf(caseId)).AccountId, c.acc, 'Salesforce keeps the account');
});

test('ticket_contact_association: a synced contact joins the ticket; a contact not synced yet is an associations error until it syncs', async () => {
  await pair.reset(PEOPLE());
  const c = await customer('Hollerith Tabulating', 'herman@tabulating.example');
  // a contact without an email never syncs until it gets one
  const pending = await pair.sf.create('Contact', { LastName: 'Nomail', AccountId: c.acc });
  const onSynced = await pair.sf.create('Case', { Subject: 'Count is off', Status: 'New', ContactId: c.con });
  const onPending = await pair.sf.create('Case', { Subject: 'Punch fails', Status: 'New', ContactId: pending });
  await pair.sync();

  const t1 = await ticketOf(onSynced);
  assert.ok(t1);
  assert.deepEqual(await assocIds('tickets', t1.id, 'contacts'), [c.contact]);
  assert.deepEqual(await caseErrors(onSynced, 'associations'), []);

  const t2 = await ticketOf(onPending);
  assert.ok(t2, 'the case on a contact not synced yet still made its ticket');
  assert.deepEqual(await assocIds('tickets', t2.id, 'contacts'), []);
  const waiting = await caseErrors(onPending, 'associations');
  assert.equal(waiting.length, 1, JSON.stringify(waiting));
  assert.match(waiting[0], /waiting for contact to sync/);

  // the contact gets an email and syncs; the ticket follows
  await pair.sf.update('Contact', pending, { Email: 'nomail@tabulating.example' });
  await pair.sync();
  const hc = (await pair.hs.all('contacts')).find((x) => x.properties.email === 'nomail@tabulating.example');
  assert.ok(hc, 'the contact synced');
  assert.deepEqual(await assocIds('tickets', t2.id, 'contacts'), [hc.id]);
  assert.deepEqual(await caseErrors(onPending, 'associations'), [], 'the error cleared');
  assert.equal((await caseOf(onPending)).ContactId, pending);
  assert.deepEqual(await assocIds('tickets', t1.id, 'contacts'), [c.contact]);

  // the first case changes its contact: the ticket's contact follows, the old one leaves
  await pair.sf.update('Case', onSynced, { ContactId: pending });
  await pair.sync();
  assert.deepEqual(await assocIds('tickets', t1.id, 'contacts'), [hc.id]);
  assert.equal((await caseOf(onSynced)).ContactId, pending);
});

test('ticket_contact_association off: the case\'s contact is not associated, synced or not (its account still is)', async () => {
  await pair.reset(PEOPLE({ ticket_contact_association: false }));
  const c = await customer('Zuse Rechner', 'konrad@zuse.example');
  const pending = await pair.sf.create('Contact', { LastName: 'Nomail', AccountId: c.acc });
  const onSynced = await pair.sf.create('Case', { Subject: 'Relay hums', Status: 'New', AccountId: c.acc, ContactId: c.con });
  const onPending = await pair.sf.create('Case', { Subject: 'Tape tears', Status: 'New', ContactId: pending });
  await pair.sync();
  const t1 = await ticketOf(onSynced);
  const t2 = await ticketOf(onPending);
  assert.ok(t1 && t2);
  assert.deepEqual(await assocIds('tickets', t1.id, 'contacts'), []);
  assert.deepEqual(await assocIds('tickets', t1.id, 'companies'), [c.company]);
  assert.deepEqual(await assocIds('tickets', t2.id, 'contacts'), []);
  assert.deepEqual(await caseErrors(onSynced, 'associations'), []);
  assert.deepEqual(await caseErrors(onPending, 'associations'), [], 'no waiting for a contact that is not associated');
  assert.equal((await caseOf(onSynced)).ContactId, c.con, 'Salesforce keeps the contact');
});

// ---- the pipeline map ----

test('a case in an unmapped status makes no ticket and moves none: a mapping error naming the status, cleared once it is mapped again', async () => {
  await pair.reset(TICKETS());
  await pair.sync(); // the case source starts here
  const working = await pair.sf.create('Case', { Subject: 'Straight to work', Status: 'Working' });
  const moving = await pair.sf.create('Case', { Subject: 'Starts new', Status: 'New' });
  await pair.sync();
  assert.equal(await ticketOf(working), undefined, 'no ticket for a case in Working');
  assert.equal((await linkOf(working)), null);
  const errs = await caseErrors(working, 'mapping');
  assert.equal(errs.length, 1, JSON.stringify(errs));
  assert.match(errs[0], /"Working"/);
  const t = await ticketOf(moving);
  assert.equal(t.properties.hs_pipeline_stage, '1');

  // the linked case moves to Working (and changes its subject): its ticket stays as it was
  await pair.sf.update('Case', moving, { Status: 'Working', Subject: 'Being worked' });
  await pair.sync();
  let now = await ticketOf(moving);
  assert.equal(now.properties.hs_pipeline_stage, '1', 'the ticket is not moved');
  assert.equal(now.properties.subject, 'Starts new', 'nothing of the case syncs meanwhile');
  assert.equal((await caseOf(moving)).Status, 'Working');
  const moved = await caseErrors(moving, 'mapping');
  assert.equal(moved.length, 1, JSON.stringify(moved));
  assert.match(moved[0], /"Working"/);

  // back to a mapped status: the ticket follows and the errors clear
  await pair.sf.update('Case', moving, { Status: 'Closed' });
  await pair.sf.update('Case', working, { Status: 'New' });
  await pair.sync();
  now = await ticketOf(moving);
  assert.equal(now.properties.hs_pipeline_stage, '4');
  assert.equal(now.properties.subject, 'Being worked');
  assert.deepEqual(await caseErrors(moving, 'mapping'), []);
  const made = await ticketOf(working);
  assert.ok(made, 'the case that left Working made its ticket');
  assert.equal(made.properties.hs_pipeline_stage, '1');
  assert.deepEqual(await caseErrors(working, 'mapping'), []);
  assert.equal((await tickets()).length, 2);
});

test('a case whose business process has no pipeline is a mapping error; a pipeline labelled like the process takes it', async () => {
  await pair.reset(TICKETS());
  await pair.sync(); // the case source starts here
  const billing = await caseRecordType('Billing');
  const caseId = await pair.sf.create('Case', { Subject: 'Invoice twice', Status: 'New', RecordTypeId: billing });
  await pair.sync();
  assert.equal(await ticketOf(caseId), undefined);
  const errs = await caseErrors(caseId, 'mapping');
  assert.equal(errs.length, 1, JSON.stringify(errs));
  assert.match(errs[0], /pipeline not mapped/);
  assert.equal((await tickets()).length, 0);

  // the admin adds a "Billing" pipeline; a new crmsync process reads the map afresh
  const r = await pair.hs.api('POST', '/crm/v3/pipelines/tickets', {
    label: 'Billing',
    displayOrder: 1,
    stages: [
      { label: 'New', displayOrder: 0, metadata: { ticketState: 'OPEN' } },
      { label: 'On Hold', displayOrder: 1, metadata: { ticketState: 'OPEN' } },
      { label: 'Closed', displayOrder: 2, metadata: { ticketState: 'CLOSED' } },
    ],
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const stage = Object.fromEntries(r.body.stages.map((s) => [s.label, s.id]));
  await pair.sf.update('Case', caseId, { Status: 'On Hold' });
  await pair.sync();
  let t = await ticketOf(caseId);
  assert.ok(t, 'the case made its ticket');
  assert.equal(t.properties.hs_pipeline, r.body.id);
  assert.equal(t.properties.hs_pipeline_stage, stage['On Hold']);
  assert.equal(t.properties.subject, 'Invoice twice');
  assert.deepEqual(await caseErrors(caseId, 'mapping'), []);

  await pair.sf.update('Case', caseId, { Status: 'Closed' });
  const fresh = await pair.sf.create('Case', { Subject: 'Refund please', Status: 'New', RecordTypeId: billing });
  await pair.sync();
  t = await ticketOf(caseId);
  assert.equal(t.properties.hs_pipeline, r.body.id);
  assert.equal(t.properties.hs_pipeline_stage, stage.Closed);
  assert.equal((await caseOf(caseId)).RecordTypeId, billing);
  const t2 = await ticketOf(fresh);
  assert.equal(t2.properties.hs_pipeline, r.body.id);
  assert.equal(t2.properties.hs_pipeline_stage, stage.New);
  assert.deepEqual(await caseErrors(fresh, 'mapping'), []);
});

// ---- the switches ----

test('ticket_sync off (the default): cases do not sync; turned on, only cases changed from then on do', async () => {
  await pair.reset(TICKETS({ ticket_sync: undefined }));
  const off = await pair.sf.create('Case', { Subject: 'Nobody hears', Status: 'New' });
  await pair.sync();
  assert.equal((await tickets()).length, 0);
  assert.equal((await linkOf(off)), null);

  // Salesforce stamps whole seconds, and the case source's first poll reads from the start of
  // the second it runs in (a case made later in that second must not be missed)
  await sleep(1100);
  await setting('ticket_sync', true);
  await pair.sync(); // the case source starts here: nothing made before is imported
  assert.equal((await tickets()).length, 0, 'turning ticket sync on imports nothing');
  const fresh = await pair.sf.create('Case', { Subject: 'Heard now', Status: 'New' });
  await pair.sync();
  assert.equal((await tickets()).length, 1);
  assert.ok(await ticketOf(fresh));
  // an old case syncs once it changes
  await pair.sf.update('Case', off, { Priority: 'Low' });
  await pair.sync();
  const t = await ticketOf(off);
  assert.ok(t, 'the changed old case made its ticket');
  assert.equal(t.properties.hs_ticket_priority, 'LOW');
  assert.equal((await liveCases()).length, 2);
});

test('ticket_two_way off (the default): ticket edits stay in HubSpot and the next case edit overwrites them', async () => {
  await pair.reset(TICKETS());
  await pair.sync(); // the case source starts here
  const caseId = await pair.sf.create('Case', { Subject: 'Salesforce says', Status: 'New', Priority: 'Medium' });
  await pair.sync();
  const t = await ticketOf(caseId);
  assert.equal(t.properties.subject, 'Salesforce says');

  // a HubSpot user renames the ticket, raises its priority and moves it to a status no case
  // status maps to (Waiting on contact)
  await pair.hs.update('tickets', t.id, { subject: 'HubSpot says', hs_ticket_priority: 'HIGH', hs_pipeline_stage: '2' });
  await pair.resetStats();
  await pair.sync();
  let c = await caseOf(caseId);
  assert.equal(c.Subject, 'Salesforce says', 'the ticket edit does not reach the case');
  assert.equal(c.Priority, 'Medium');
  assert.equal(writeCalls((await pair.stats()).sf), 0, 'nothing written to Salesforce');
  assert.equal((await ticketOf(caseId)).properties.subject, 'HubSpot says', 'not overwritten before the case changes');

  await pair.sf.update('Case', caseId, { Description: 'More detail' });
  await pair.sync();
  const now = await ticketOf(caseId);
  assert.equal(now.properties.subject, 'Salesforce says', 'Salesforce always wins');
  assert.equal(now.properties.hs_ticket_priority, 'MEDIUM');
  assert.equal(now.properties.content, 'More detail');
  assert.equal(now.properties.hs_pipeline_stage, '1', 'the case\'s status wins too');
  assert.deepEqual(await caseErrors(caseId, 'mapping'), []);
  c = await caseOf(caseId);
  assert.equal(c.Subject, 'Salesforce says');
  assert.equal(c.Priority, 'Medium');
});

test('ticket_two_way on: ticket subject and priority edits flow back to the case; a ticket made in HubSpot creates no case', async () => {
  await pair.reset(TICKETS({ ticket_two_way: true }));
  await pair.sync(); // the case source starts here
  const caseId = await pair.sf.create('Case', { Subject: 'Both ways', Status: 'New', Priority: 'Low' });
  await pair.sync();
  const t = await ticketOf(caseId);
  assert.ok(t);

  await pair.hs.update('tickets', t.id, { subject: 'Edited in HubSpot', hs_ticket_priority: 'HIGH', hs_pipeline_stage: '4' });
  const own = await pair.hs.create('tickets', { subject: 'Made in HubSpot', hs_pipeline: '0', hs_pipeline_stage: '1' });
  await pair.sync();
  const c = await caseOf(caseId);
  assert.equal(c.Subject, 'Edited in HubSpot');
  assert.equal(c.Priority, 'High');
  assert.equal(c.Status, 'Closed', 'the ticket\'s Closed status is the case\'s Closed');
  const now = await ticketOf(caseId);
  assert.equal(now.properties.subject, 'Edited in HubSpot');
  assert.equal(now.properties.hs_ticket_priority, 'HIGH');
  assert.equal((await liveCases()).length, 1, 'the HubSpot ticket made no case');
  assert.equal((await pair.explain('hubspot', 'tickets', own, '--json')).link, null);

  // and it settles: a further run writes nothing
  await pair.resetStats();
  await pair.sync();
  assert.deepEqual(await pair.writes(), { hs: 0, sf: 0 });
});

test('ticket_two_way on, with rules on ticket mappings: each field follows its rule; a ticket moved to a status no case status maps back is a mapping error, and the pair waits until it moves back or the status is mapped', async () => {
  await pair.reset(TICKETS({ ticket_two_way: true }));
  // the subject is Salesforce's, the priority HubSpot's; the rest keeps two_way
  for (const [prop, rule] of [
    ['subject', 'always_use_salesforce'],
    ['hs_ticket_priority', 'always_use_hubspot'],
  ]) {
    const r = await pair.crmsync('mappings', 'set-rule', 'ticket', prop, rule);
    assert.equal(r.code, 0, r.stderr);
  }
  await pair.sync(); // the case and ticket sources start here
  const caseId = await pair.sf.create('Case', { Subject: 'Rules apply', Status: 'New', Priority: 'Low', Description: 'First.' });
  await pair.sync();
  const t = await ticketOf(caseId);
  assert.ok(t, 'the case made its ticket');
  assert.equal(t.properties.subject, 'Rules apply');

  // HubSpot edits all three: the subject stays Salesforce's, the priority and content reach the case
  await pair.hs.update('tickets', t.id, { subject: 'Renamed in HubSpot', hs_ticket_priority: 'HIGH', content: 'From HubSpot.' });
  await pair.sync();
  let c = await caseOf(caseId);
  assert.equal(c.Subject, 'Rules apply', 'always_use_salesforce: the HubSpot subject does not reach the case');
  assert.equal(c.Priority, 'High', 'always_use_hubspot: the HubSpot priority does');
  assert.equal(c.Description, 'From HubSpot.', 'two_way: the later edit wins');
  let now = await ticketOf(caseId);
  assert.equal(now.properties.subject, 'Rules apply', 'the ticket gets the case subject back');

  // Salesforce edits the priority: HubSpot's stays, on both sides
  await pair.sf.update('Case', caseId, { Priority: 'Medium', Subject: 'Rules still apply' });
  await pair.sync();
  now = await ticketOf(caseId);
  assert.equal(now.properties.hs_ticket_priority, 'HIGH', 'always_use_hubspot: the case priority does not reach the ticket');
  assert.equal(now.properties.subject, 'Rules still apply');
  assert.equal((await caseOf(caseId)).Priority, 'High', 'the case gets HubSpot\'s priority back');

  // the ticket moves to Waiting on contact (2), which no case status maps back to: nothing of
  // that change reaches the case, and the ticket carries a mapping error naming the status
  await pair.hs.update('tickets', t.id, { hs_pipeline_stage: '2', content: 'Waiting on them.' });
  await pair.sync();
  c = await caseOf(caseId);
  assert.equal(c.Status, 'New', 'the case status is not moved');
  assert.equal(c.Description, 'From HubSpot.', 'the rest of the ticket change waits too');
  const ticketErrors = async () =>
    (await openErrors('hubspot', 'tickets', t.id)).filter((e) => e.category === 'mapping').map((e) => e.message);
  let errs = await ticketErrors();
  assert.equal(errs.length, 1, JSON.stringify(errs));
  assert.match(errs[0], /stage not mapped: ticket status 2 of pipeline 0 has no Salesforce case status/);
  // two way, the pair waits as a whole: a case edit meanwhile does not reach the ticket either
  await pair.sf.update('Case', caseId, { Subject: 'Edited while it waits' });
  await pair.sync();
  assert.equal((await ticketOf(caseId)).properties.subject, 'Rules still apply');
  const caseMapping = async () => (await caseErrors(caseId, 'mapping'));
  errs = await caseMapping();
  assert.equal(errs.length, 1, JSON.stringify(errs));
  assert.match(errs[0], /stage not mapped: ticket status 2 of pipeline 0/);

  // moved back to a status that maps: the waiting changes flow, both ways
  await pair.hs.update('tickets', t.id, { hs_pipeline_stage: '4' });
  await pair.sync();
  c = await caseOf(caseId);
  assert.equal(c.Status, 'Closed');
  assert.equal(c.Description, 'Waiting on them.');
  assert.equal(c.Subject, 'Edited while it waits');
  assert.equal((await ticketOf(caseId)).properties.subject, 'Edited while it waits', 'the case edit went through too');
  // the pair synced: both records' errors are resolved, whichever of the two the pass planned
  assert.deepEqual(await ticketErrors(), [], "the ticket's error is resolved");
  assert.deepEqual(await caseMapping(), [], "and the case's");
  await pair.sf.update('Case', caseId, { Description: 'Back on track.' });
  await pair.sync();
  assert.equal((await ticketOf(caseId)).properties.content, 'Back on track.');
  assert.deepEqual(await caseMapping(), [], 'the case synced: its error is resolved');

  // moved to Waiting on us (3), unmapped too; the admin then maps Working to it: the waiting
  // ticket is queued again and goes through with no further change
  await pair.hs.update('tickets', t.id, { hs_pipeline_stage: '3' });
  await pair.sync();
  assert.equal((await caseOf(caseId)).Status, 'Closed');
  errs = await ticketErrors();
  assert.equal(errs.length, 1, JSON.stringify(errs));
  assert.match(errs[0], /stage not mapped: ticket status 3 of pipeline 0/);
  const mapped = await pair.crmsync('tickets', 'map-status', '0', 'Working', '3');
  assert.equal(mapped.code, 0, mapped.stderr);
  await pair.sync();
  assert.equal((await caseOf(caseId)).Status, 'Working', 'the ticket\'s status reached the case');
  assert.deepEqual(await ticketErrors(), [], 'the ticket\'s error is resolved');
  assert.deepEqual(await caseMapping(), [], 'and the case\'s');
});

test('a case without a Subject makes no ticket: a required_field error, cleared once it has one', async () => {
  await pair.reset(TICKETS());
  await pair.sync(); // the case source starts here
  const caseId = await pair.sf.create('Case', { Status: 'New', Description: 'No subject here' });
  await pair.sync();
  assert.equal(await ticketOf(caseId), undefined);
  assert.equal((await tickets()).length, 0);
  const errs = await caseErrors(caseId, 'required_field');
  assert.equal(errs.length, 1, JSON.stringify(errs));
  assert.match(errs[0], /Subject/);

  await pair.sf.update('Case', caseId, { Subject: 'Now named' });
  await pair.sync();
  const t = await ticketOf(caseId);
  assert.ok(t);
  assert.equal(t.properties.subject, 'Now named');
  assert.equal(t.properties.content, 'No subject here');
  assert.deepEqual(await caseErrors(caseId, 'required_field'), []);
});

// ---- crash safety ----

test('killed in the middle of syncing 50 new cases, a rerun gives every case exactly one ticket', async () => {
  const N = 50;
  await pair.reset(TICKETS());
  await pair.sync(); // the case source starts here
  const records = [];
  for (let i = 0; i < N; i++)
    records.push({ attributes: { type: 'Case' }, Subject: `Crash case ${i}`, Status: i % 2 ? 'New' : 'Closed' });
  const r = await pair.sf.api('POST', '/composite/sobjects', { allOrNone: true, records });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const ids = r.body.map((x) => x.id);

  // HubSpot answers slowly, and the run is killed while its first ticket write is in flight
  await setFaults(pair, 'hs', { latency_ms: 150 });
  await pair.resetStats();
  let sent;
  const killed = await killWhen(pair, ['sync', '--once'], async (ms) => {
    if (ms > 20000) return true;
    const w = writeCalls((await pair.stats()).hs);
    if (w > 0 && !sent) sent = Date.now();
    return sent !== undefined && Date.now() - sent >= 60;
  });
  assert.equal(killed.signal, 'SIGKILL', `it finished before the kill: ${killed.stderr}`);
  await setFaults(pair, 'hs', null);
  // the write in flight lands: the rerun must find its tickets, not make them again
  assert.ok(await until(async () => (await tickets()).length > 0, 5000), 'the killed run\'s write landed');
  await pair.sync();

  const all = (await pair.hs.all('tickets')).filter((t) => !t.archived);
  const cases = new Map((await liveCases()).map((c) => [c.Id, c]));
  assert.equal(all.length, N, `one ticket per case: ${all.length}`);
  const bySubject = new Map();
  for (const t of all) bySubject.set(t.properties.subject, (bySubject.get(t.properties.subject) || 0) + 1);
  assert.ok([...bySubject.values()].every((n) => n === 1), 'no duplicate ticket');
  const linkIds = new Set();
  for (const id of ids) {
    const c = cases.get(id);
    const t = await ticketOf(id);
    const link = await linkOf(id);
    assert.ok(t, `case ${id} has its ticket`);
    assert.equal(link.state, 'LINKED');
    // the ticket carries the link id it was upserted on; the case (the record the sync started
    // from) is not written, so it carries one only if it agrees
    assert.equal(t.properties.crmsync_link_id?.toLowerCase(), link.link_id.toLowerCase());
    if (c.CrmSync_Link_Id__c) assert.equal(c.CrmSync_Link_Id__c.toLowerCase(), link.link_id.toLowerCase());
    assert.ok(!linkIds.has(link.link_id), `link id ${link.link_id} used twice`);
    linkIds.add(link.link_id);
    assert.equal(t.properties.subject, c.Subject);
    assert.equal(t.properties.hs_pipeline_stage, c.Status === 'Closed' ? '4' : '1');
  }
  const st = await pair.status();
  assert.equal(st.links.ticket?.LINKED, N, JSON.stringify(st.links));
  assert.equal(st.outbox.waiting + st.outbox.claimed, 0);
  assert.deepEqual(st.errors, {});
});
