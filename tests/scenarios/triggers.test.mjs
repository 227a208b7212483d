// Sync triggers (docs/ENGINE.md, "Sync triggers"), each through the real binaries: an owner
// changed on an already-linked Salesforce lead or contact moves the HubSpot owner; a change to a
// field a Salesforce formula reads syncs the formula's new value (the formula itself is never
// written); a lifecycle stage transition crmsync writes to HubSpot is synced onward to the
// Salesforce field it is mapped to; each "create a HubSpot contact from a new Salesforce ..."
// switch turned off alone stops only its own kind of record, with the reason in `crmsync
// explain`; and a manual resync of one company or one deal reads it from its vendor and plans it
// again although nothing changed on it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPair, stopped, traceOf, until } from './lib/pair.mjs';
import { hsOwner, sfUser } from './lib/owners.mjs';
import { newBusinessPipeline } from './lib/deals.mjs';

const TOKEN = 'admin-secret-for-triggers';
const STAGES = ['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer', 'evangelist', 'other'];

// An org with a lifecycle stage picklist on Lead and Contact (a customer's own field).
const SCHEMA = {
  picklists: { LifecycleStage: STAGES },
  objects: {
    Lead: { fields: { Lifecycle_Stage__c: 'picklist(40) pick:LifecycleStage' } },
    Contact: { fields: { Lifecycle_Stage__c: 'picklist(40) pick:LifecycleStage' } },
  },
};

let pair;
let schemaDir;
before(async () => {
  schemaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crmsync-triggers-'));
  const schema = path.join(schemaDir, 'schema.json');
  fs.writeFileSync(schema, JSON.stringify(SCHEMA));
  pair = await startPair({ sfArgs: ['--schema', schema] });
});
after(async () => {
  await pair.stop();
  fs.rmSync(schemaDir, { recursive: true, force: true });
});

const hsContact = async (email) => (await pair.hs.all('contacts')).find((c) => c.properties.email === email && !c.archived);
const sfRow = async (object, id) => (await pair.sf.all(object)).find((r) => r.Id === id);

async function hsProperty(objectType, name, type, fieldType, groupName) {
  const r = await pair.hs.api('POST', `/crm/v3/properties/${objectType}`, { name, label: name, type, fieldType, groupName });
  assert.equal(r.status, 201, JSON.stringify(r.body));
}

test('an owner changed on an already-linked Salesforce lead and contact moves the HubSpot owner at the next sync', async () => {
  await pair.reset();
  const sam = await sfUser(pair, 'sam.seller@crmsync.test');
  const priya = await sfUser(pair, 'priya.patel@crmsync.test');
  const samHs = await hsOwner(pair, 'sam.seller@crmsync.test', 'Sam', 'Seller');
  const priyaHs = await hsOwner(pair, 'priya.patel@crmsync.test', 'Priya', 'Patel');
  const leadId = await pair.sf.create('Lead', { LastName: 'Hopper', Company: 'Navy', Email: 'grace@example.com', OwnerId: sam.Id });
  const contactId = await pair.sf.create('Contact', { LastName: 'Lovelace', Email: 'ada@example.com', OwnerId: sam.Id });
  await pair.sync();
  for (const email of ['grace@example.com', 'ada@example.com'])
    assert.equal((await hsContact(email)).properties.hubspot_owner_id, samHs, `${email} starts with Sam`);

  await pair.sf.update('Lead', leadId, { OwnerId: priya.Id });
  await pair.sf.update('Contact', contactId, { OwnerId: priya.Id });
  await pair.resetStats();
  await pair.sync();
  for (const [email, object, id] of [
    ['grace@example.com', 'Lead', leadId],
    ['ada@example.com', 'Contact', contactId],
  ]) {
    assert.equal((await hsContact(email)).properties.hubspot_owner_id, priyaHs, `${email} now belongs to Priya`);
    assert.equal((await sfRow(object, id)).OwnerId, priya.Id, `the ${object} keeps its new owner`);
    const x = await pair.explain('salesforce', object, id, '--json');
    assert.match(
      x.decisions[0].trace,
      new RegExp(`field hubspot_owner_id: owner: changed in Salesforce only; the change flows to HubSpot; HubSpot set to owner "${priyaHs}"`),
    );
  }
  const w = await pair.writes();
  assert.equal(w.sf, 0, 'nothing is written back to Salesforce');
  assert.ok(w.hs >= 1, 'HubSpot was written');
});

const FORMULA_YAML =
  'mappings:\n' +
  '  - kind: deal\n    hubspot: expected_revenue\n    salesforce: Opportunity.ExpectedRevenue\n' +
  '    hubspot_type: number\n    salesforce_type: currency\n' +
  '  - kind: contact\n    hubspot: full_name\n    salesforce: Name\n' +
  '    hubspot_type: string/text\n    salesforce_type: string\n';

test('a change to a field a Salesforce formula reads syncs the formula\'s new value; the formula is never written', async () => {
  await pair.reset(FORMULA_YAML);
  await hsProperty('deals', 'expected_revenue', 'number', 'number', 'dealinformation');
  await hsProperty('contacts', 'full_name', 'string', 'text', 'contactinformation');
  await newBusinessPipeline(pair);
  const oppId = await pair.sf.create('Opportunity', { Name: 'Looms', StageName: 'Prospecting', CloseDate: '2026-12-01', Amount: 1000 });
  const leadId = await pair.sf.create('Lead', { FirstName: 'Ada', LastName: 'Lovelace', Company: 'Engines', Email: 'ada@example.com' });
  assert.equal((await sfRow('Opportunity', oppId)).ExpectedRevenue, 100, 'Amount * Probability / 100');
  await pair.sync();
  const deal = async () => (await pair.hs.all('deals')).find((d) => d.properties.dealname === 'Looms');
  assert.equal(Number((await deal()).properties.expected_revenue), 100);
  assert.equal((await hsContact('ada@example.com')).properties.full_name, 'Ada Lovelace');

  // Amount and FirstName are what the formulas read: each edit syncs the input and the formula
  await pair.sf.update('Opportunity', oppId, { Amount: 2500 });
  await pair.sf.update('Lead', leadId, { FirstName: 'Augusta' });
  await pair.sync();
  const d = await deal();
  assert.equal(Number(d.properties.amount), 2500);
  assert.equal(Number(d.properties.expected_revenue), 250, 'the formula\'s new value came with the change');
  const c = await hsContact('ada@example.com');
  assert.equal(c.properties.firstname, 'Augusta');
  assert.equal(c.properties.full_name, 'Augusta Lovelace');
  const t = traceOf(await pair.explain('salesforce', 'Opportunity', oppId, '--json'));
  assert.match(t, /field amount: rule Prefer Salesforce unless blank: Salesforce has a value, and it wins; HubSpot set to "2500"/);
  assert.match(t, /field expected_revenue: rule Prefer Salesforce unless blank: Salesforce has a value, and it wins; HubSpot set to "250"/);
  assert.match(t, /2 fields to write to HubSpot, 0 to Salesforce/, 'one change, both values');

  // a HubSpot edit of a formula's property is never written to Salesforce (it cannot be):
  // Salesforce's value wins under the default rule, and HubSpot gets it back
  await pair.hs.update('deals', d.id, { expected_revenue: '999' });
  await pair.resetStats();
  await pair.sync();
  assert.equal((await sfRow('Opportunity', oppId)).ExpectedRevenue, 250);
  assert.equal((await pair.writes()).sf, 0, 'no Salesforce write');
  assert.equal(Number((await deal()).properties.expected_revenue), 250, "HubSpot is given Salesforce's value again");
});

test('with two_way and a blank formula, a HubSpot value is dropped as unwritable, not an error', async () => {
  await pair.reset(FORMULA_YAML.replace('salesforce_type: currency\n', 'salesforce_type: currency\n    rule: two_way\n'));
  await hsProperty('deals', 'expected_revenue', 'number', 'number', 'dealinformation');
  await newBusinessPipeline(pair);
  const oppId = await pair.sf.create('Opportunity', { Name: 'No amount', StageName: 'Prospecting', CloseDate: '2026-12-01' });
  await pair.sync();
  const d = (await pair.hs.all('deals')).find((x) => x.properties.dealname === 'No amount');
  await pair.hs.update('deals', d.id, { expected_revenue: '42' });
  await pair.resetStats();
  await pair.sync();
  assert.equal((await sfRow('Opportunity', oppId)).ExpectedRevenue ?? null, null);
  assert.equal((await pair.writes()).sf, 0, 'no Salesforce write');
  const x = await pair.explain('hubspot', 'deals', d.id, '--json');
  assert.match(traceOf(x), /Salesforce Opportunity has no field ExpectedRevenue the integration may change; it is not synced/);
  assert.deepEqual(x.errors.filter((e) => !e.resolved_at), [], 'no sync error');
});

const LIFECYCLE_YAML =
  'mappings:\n  - kind: contact\n    hubspot: lifecyclestage\n    salesforce: Lifecycle_Stage__c\n' +
  '    hubspot_type: enumeration/radio\n    salesforce_type: picklist\n    rule: two_way\n';

test('a lifecycle stage transition written to HubSpot is synced onward to the mapped Salesforce field by the next pass', async () => {
  await pair.reset(LIFECYCLE_YAML);
  await newBusinessPipeline(pair);
  const contactId = await pair.sf.create('Contact', { LastName: 'Up', Email: 'up@example.com', Lifecycle_Stage__c: 'lead' });
  await pair.sync();
  assert.equal((await hsContact('up@example.com')).properties.lifecyclestage, 'lead');
  const opp = await pair.sf.create('Opportunity', { Name: 'Roles', StageName: 'Prospecting', CloseDate: '2026-12-01' });
  await pair.sf.create('OpportunityContactRole', { OpportunityId: opp, ContactId: contactId });

  // the pass that sees the contact role moves HubSpot's stage; `sync --once` goes on pass after
  // pass, and the next one reads that write as a HubSpot change and syncs it under the mapping
  await pair.sync();
  const hs = await hsContact('up@example.com');
  assert.equal(hs.properties.lifecyclestage, 'opportunity');
  const onSf = async () => (await sfRow('Contact', contactId)).Lifecycle_Stage__c;
  assert.equal(await onSf(), 'opportunity', 'the transition reached Salesforce');
  const o = await pair.explain('salesforce', 'Opportunity', opp, '--json');
  assert.match(traceOf(o), new RegExp(`lifecycle transitions on: HubSpot contact ${hs.id} moves from lead to opportunity`));
  const x = await pair.explain('hubspot', 'contacts', hs.id, '--json');
  assert.match(
    traceOf(x),
    /field lifecyclestage: rule Two-way: changed in HubSpot only; the change flows to Salesforce; Salesforce Lifecycle_Stage__c set to "opportunity"/,
  );

  await pair.sf.update('Opportunity', opp, { StageName: 'Closed Won' });
  await pair.sync();
  assert.equal((await hsContact('up@example.com')).properties.lifecyclestage, 'customer');
  assert.equal(await onSf(), 'customer', 'Closed Won: Customer on both sides');
});

test('lifecyclestage mapped under the default rule: a transition is not carried to a Salesforce field with a value, and never undone in HubSpot', async () => {
  await pair.reset(LIFECYCLE_YAML.replace('    rule: two_way\n', ''));
  await newBusinessPipeline(pair);
  const contactId = await pair.sf.create('Contact', { LastName: 'Kept', Email: 'kept@example.com', Lifecycle_Stage__c: 'lead' });
  await pair.sync();
  const opp = await pair.sf.create('Opportunity', { Name: 'Roles', StageName: 'Prospecting', CloseDate: '2026-12-01' });
  await pair.sf.create('OpportunityContactRole', { OpportunityId: opp, ContactId: contactId });
  await pair.sync();
  await pair.sync();
  const hs = await hsContact('kept@example.com');
  assert.equal((await sfRow('Contact', contactId)).Lifecycle_Stage__c, 'lead', 'Salesforce keeps its value');
  assert.equal(hs.properties.lifecyclestage, 'opportunity', 'a lifecycle stage never moves backwards');
  const o = await pair.explain('salesforce', 'Opportunity', opp, '--json');
  assert.match(traceOf(o), new RegExp(`HubSpot contact ${hs.id} moves from lead to opportunity`), 'the transition was made');
  const x = await pair.explain('hubspot', 'contacts', hs.id, '--json');
  assert.match(
    traceOf(x),
    /field lifecyclestage: rule Prefer Salesforce unless blank: .*but HubSpot's "opportunity" is later than "lead": a lifecycle stage never moves backwards/,
  );
  // a later stage from Salesforce still flows
  await pair.sf.update('Contact', contactId, { Lifecycle_Stage__c: 'customer' });
  await pair.sync();
  assert.equal((await hsContact('kept@example.com')).properties.lifecyclestage, 'customer');
});

test('lifecycle transitions off: no transition, so nothing is synced onward', async () => {
  await pair.reset(`${LIFECYCLE_YAML}settings:\n  lifecycle_transitions: false\n`);
  await newBusinessPipeline(pair);
  const contactId = await pair.sf.create('Contact', { LastName: 'Still', Email: 'still@example.com', Lifecycle_Stage__c: 'lead' });
  await pair.sync();
  const opp = await pair.sf.create('Opportunity', { Name: 'Roles', StageName: 'Closed Won', CloseDate: '2026-12-01' });
  await pair.sf.create('OpportunityContactRole', { OpportunityId: opp, ContactId: contactId });
  await pair.sync();
  await pair.sync();
  assert.equal((await hsContact('still@example.com')).properties.lifecyclestage, 'lead');
  assert.equal((await sfRow('Contact', contactId)).Lifecycle_Stage__c, 'lead');
});

// Each "create a HubSpot contact from a new Salesforce ..." switch alone.
for (const [off, object, other] of [
  ['create_contacts_from_leads', 'Lead', 'Contact'],
  ['create_contacts_from_contacts', 'Contact', 'Lead'],
]) {
  test(`${off} off alone: a new ${object} makes no HubSpot contact, a new ${other} does; explain says why`, async () => {
    await pair.reset(`settings:\n  ${off}: false\n`);
    const fields = (o, email) => (o === 'Lead' ? { LastName: 'Kept', Company: 'Co', Email: email } : { LastName: 'Made', Email: email });
    const skipped = await pair.sf.create(object, fields(object, 'skipped@example.com'));
    const made = await pair.sf.create(other, fields(other, 'made@example.com'));
    await pair.sync();
    assert.equal(await hsContact('skipped@example.com'), undefined, `no contact from the new ${object}`);
    assert.ok(await hsContact('made@example.com'), `the new ${other} became a contact`);
    const x = await pair.explain('salesforce', object, skipped, '--json');
    assert.equal(x.decisions[0].action, 'skip');
    assert.match(
      x.decisions[0].trace,
      new RegExp(`no HubSpot contact has email skipped@example.com, and ${off} is off: nothing is created`),
    );
    assert.equal(x.link ?? null, null, 'never linked');
    const text = await pair.explain('salesforce', object, skipped);
    assert.match(text, new RegExp(`${off} is off`));
    const y = await pair.explain('salesforce', other, made, '--json');
    assert.equal(y.link?.state, 'LINKED');
  });
}

async function associate(from, fromId, to, toId) {
  const r = await pair.hs.api('PUT', `/crm/v4/objects/${from}/${fromId}/associations/default/${to}/${toId}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
}

// A Salesforce validation rule refusing records of object whose Name is name.
async function refuse(object, name) {
  await pair.sf.emu.control('POST', '/__emu/validation-rules', {
    object,
    name: 'No_Test_Names',
    condition: `Name = '${name}'`,
    message: 'Test names are not allowed',
  });
}

const openErrors = async (system, object, id) =>
  (await pair.explain(system, object, id, '--json')).errors.filter((e) => !e.resolved_at);
const RESYNCED = /resync: planned from the record as read from the vendor just now/;

// The cause of a failed create fixed in Salesforce changes nothing on the HubSpot record: a pass
// alone leaves it waiting for its retry; a resync reads it again at once and plans it again.
test('a manual resync of one company reads it from HubSpot and plans it again though nothing changed on it', async () => {
  // a HubSpot company makes an account once one of its contacts syncs with a Salesforce contact
  await pair.reset('settings:\n  new_record_type: contact\n');
  await refuse('Account', 'Babbage Ltd');
  const id = await pair.hs.create('companies', { name: 'Babbage Ltd' });
  const other = await pair.hs.create('companies', { name: 'Other Ltd' });
  for (const [email, company] of [['charles@example.com', id], ['ada@example.com', other]])
    await associate('contacts', await pair.hs.create('contacts', { email, lastname: email.split('@')[0] }), 'companies', company);
  await pair.sync();
  const account = async (name) => (await pair.sf.live('Account')).find((a) => a.Name === name);
  assert.equal(await account('Babbage Ltd'), undefined, 'the rule refused the account');
  assert.ok(await account('Other Ltd'), 'the other account was made');
  assert.equal((await openErrors('hubspot', 'companies', id)).length, 1);

  await pair.sf.emu.control('DELETE', '/__emu/validation-rules');
  await pair.sync();
  assert.equal(await account('Babbage Ltd'), undefined, 'a pass alone does not retry it yet');

  const r = await pair.crmsync('resync', 'hubspot', 'companies', id);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`queued hubspot companies ${id}: planned again on the next pass`));
  await pair.resetStats();
  await pair.sync();
  assert.ok(await account('Babbage Ltd'), 'the resynced company made its account');
  assert.deepEqual(await openErrors('hubspot', 'companies', id), [], 'its error is resolved');
  const x = await pair.explain('hubspot', 'companies', id, '--json');
  assert.ok(x.decisions.some((d) => RESYNCED.test(d.trace)), JSON.stringify(x.decisions));

  // a company with nothing to write: planned again, nothing written
  await pair.sync();
  await pair.resetStats();
  const q = await pair.crmsync('resync', 'hubspot', 'companies', other, '--json');
  assert.equal(q.code, 0, q.stderr);
  assert.equal(JSON.parse(q.stdout).queued, 1);
  await pair.sync();
  const y = await pair.explain('hubspot', 'companies', other, '--json');
  assert.match(y.decisions[0].trace, RESYNCED);
  assert.deepEqual(await pair.writes(), { hs: 0, sf: 0 }, 'values both sides agree on are not written');
});

test('a manual resync of one deal through POST /api/v1/resync reads it from HubSpot and plans it again though nothing changed on it', async () => {
  await pair.reset(`admin:\n  listen: 127.0.0.1:0\n  token: ${TOKEN}\n`, { logLevel: 'info' });
  await refuse('Opportunity', 'Engines');
  const p = await newBusinessPipeline(pair);
  const deal = (dealname) => ({ dealname, pipeline: p.id, dealstage: p.stage.Prospecting, closedate: '2026-12-31T00:00:00.000Z' });
  const id = await pair.hs.create('deals', deal('Engines'));
  const calm = await pair.hs.create('deals', deal('Calm'));
  await pair.sync();
  const opp = async (name) => (await pair.sf.live('Opportunity')).find((o) => o.Name === name);
  assert.equal(await opp('Engines'), undefined, 'the rule refused the opportunity');
  assert.ok(await opp('Calm'));
  await pair.sf.emu.control('DELETE', '/__emu/validation-rules');
  await pair.sync();
  assert.equal(await opp('Engines'), undefined, 'a pass alone does not retry it yet');

  const run = await pair.runAdmin(TOKEN);
  try {
    // a deal with no change and nothing to write: planned again, nothing written
    const writes = await pair.writes();
    const c = await run.api('POST', '/api/v1/resync', { body: { record: { system: 'hubspot', object: 'deals', id: calm } } });
    assert.equal(c.status, 200, JSON.stringify(c.body));
    assert.equal(c.body.results[0].status, 'queued');
    const replanned = async () =>
      RESYNCED.test((await pair.explain('hubspot', 'deals', calm, '--json')).decisions[0]?.trace || '');
    assert.ok(await until(replanned, 20000), 'the deal with no change was planned again');
    assert.deepEqual(await pair.writes(), writes, 'nothing to write for it');
    assert.equal(await opp('Engines'), undefined, 'the refused deal still waits for its retry');

    const r = await run.api('POST', '/api/v1/resync', { body: { record: { system: 'hubspot', object: 'deals', id } } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.queued, 1);
    assert.equal(r.body.results[0].status, 'queued');
    assert.ok(await until(async () => !!(await opp('Engines')), 20000), 'the resynced deal made its opportunity');
  } finally {
    await stopped(run);
  }
  assert.deepEqual(await openErrors('hubspot', 'deals', id), [], 'its error is resolved');
  const x = await pair.explain('hubspot', 'deals', id, '--json');
  assert.ok(x.decisions.some((d) => RESYNCED.test(d.trace)), JSON.stringify(x.decisions));
});
