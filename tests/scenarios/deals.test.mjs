// Deals <-> Opportunities end to end: the real crmsync binary against both emulators. The stage
// map is pre-filled by label: the portal gets a "New Business" pipeline whose stages are named
// like the org's opportunity stages, so it pairs with the "New Business" record type; the
// default pipeline's stages (Appointment Scheduled, ...) have no Salesforce stage of their name.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { callsTo, startPair } from './lib/pair.mjs';
import { newBusinessPipeline } from './lib/deals.mjs';

let pair;
before(async () => {
  pair = await startPair();
});
after(async () => {
  await pair.stop();
});

const CONTACT_YAML = 'settings:\n  new_record_type: contact\n';
// Every deal field defaults to "prefer Salesforce unless blank"; these two go both ways.
const TWO_WAY_YAML =
  'mappings:\n  - kind: deal\n    hubspot: amount\n    rule: two_way\n' +
  '  - kind: deal\n    hubspot: description\n    rule: two_way\n';

async function recordType(name) {
  const rt = (await pair.sf.all('RecordType')).find((r) => r.Name === name);
  assert.ok(rt, `the org has record type ${name}`);
  return rt.Id;
}

async function associate(from, fromId, to, toId) {
  const r = await pair.hs.api(
    'PUT',
    `/crm/v4/objects/${from}/${fromId}/associations/default/${to}/${toId}`,
  );
  assert.equal(r.status, 200, JSON.stringify(r.body));
}

const opps = () => pair.sf.live('Opportunity');
const deals = async () => (await pair.hs.all('deals')).filter((d) => !d.archived);

async function openErrors(system, object, id) {
  const x = await pair.explain(system, object, id, '--json');
  return x.errors.filter((e) => !e.resolved_at);
}

test('a deal creates an opportunity and an opportunity creates a deal', async () => {
  await pair.reset();
  const p = await newBusinessPipeline(pair);
  const nb = await recordType('New Business');
  const dealId = await pair.hs.create('deals', {
    dealname: 'Engines for the Navy',
    pipeline: p.id,
    dealstage: p.stage.Qualification,
    closedate: '2026-12-31T00:00:00.000Z',
    amount: '1250.5',
  });
  const oppId = await pair.sf.create('Opportunity', {
    Name: 'Looms for Jacquard',
    StageName: 'Prospecting',
    CloseDate: '2027-01-15',
    Amount: 900,
  });
  await pair.sync();

  const made = (await opps()).find((o) => o.Name === 'Engines for the Navy');
  assert.ok(made, 'the opportunity was made');
  assert.equal(made.StageName, 'Qualification');
  assert.equal(made.CloseDate, '2026-12-31');
  assert.equal(made.Amount, 1250.5);
  assert.equal(made.RecordTypeId, nb, 'the pipeline became its record type');
  const deal = (await deals()).find((d) => d.properties.dealname === 'Looms for Jacquard');
  assert.ok(deal, 'the deal was made');
  assert.equal(deal.properties.pipeline, p.id);
  assert.equal(deal.properties.dealstage, p.stage.Prospecting);
  assert.equal(deal.properties.amount, '900');
  assert.match(deal.properties.closedate, /^2027-01-15/);
  assert.equal((await deals()).length, 2, 'never deduplicated, never doubled');
  assert.equal((await opps()).length, 2);
  assert.deepEqual(await openErrors('hubspot', 'deals', dealId), []);
  assert.deepEqual(await openErrors('salesforce', 'Opportunity', oppId), []);
});

test('edits flow both ways, a cleared field is cleared, and one edit makes one write', async () => {
  await pair.reset(TWO_WAY_YAML);
  const p = await newBusinessPipeline(pair);
  const dealId = await pair.hs.create('deals', {
    dealname: 'Difference engine',
    pipeline: p.id,
    dealstage: p.stage.Prospecting,
    closedate: '2026-11-30T00:00:00.000Z',
    amount: '500',
    description: 'brass',
  });
  await pair.sync();
  const [opp] = await opps();
  assert.equal(opp.Description, 'brass');

  // HubSpot -> Salesforce, exactly one write
  await pair.resetStats();
  await pair.hs.update('deals', dealId, { amount: '750' });
  await pair.sync();
  let w = await pair.writes();
  assert.deepEqual(w, { hs: 0, sf: 1 }, 'one edit, one write');
  assert.equal((await opps())[0].Amount, 750);

  // nothing changed: nothing written (the write above is not echoed back)
  await pair.resetStats();
  await pair.sync();
  assert.deepEqual(await pair.writes(), { hs: 0, sf: 0 });

  // Salesforce -> HubSpot: the stage moves
  await pair.sf.update('Opportunity', opp.Id, { StageName: 'Closed Won' });
  await pair.resetStats();
  await pair.sync();
  w = await pair.writes();
  assert.deepEqual(w, { hs: 1, sf: 0 }, 'one edit, one write');
  assert.equal((await pair.hs.get('deals', dealId)).properties.dealstage, p.stage['Closed Won']);

  // clearing a field in HubSpot clears it in Salesforce
  await pair.hs.update('deals', dealId, { description: '' });
  await pair.sync();
  assert.equal((await opps())[0].Description, null);
});

test('deletes are not propagated by default, and are when the setting is on', async () => {
  await pair.reset();
  const p = await newBusinessPipeline(pair);
  const keepId = await pair.hs.create('deals', {
    dealname: 'Kept deal',
    pipeline: p.id,
    dealstage: p.stage.Prospecting,
    closedate: '2026-11-30T00:00:00.000Z',
  });
  const goneOpp = await pair.sf.create('Opportunity', {
    Name: 'Gone opportunity',
    StageName: 'Prospecting',
    CloseDate: '2026-10-01',
  });
  await pair.sync();
  const kept = (await opps()).find((o) => o.Name === 'Kept deal');
  const goneDeal = (await deals()).find((d) => d.properties.dealname === 'Gone opportunity');
  assert.ok(kept && goneDeal);

  // HubSpot archive: the opportunity stays; Salesforce delete (setting off): the deal stays
  await pair.hs.api('DELETE', `/crm/v3/objects/deals/${keepId}`);
  await pair.sf.api('DELETE', `/sobjects/Opportunity/${goneOpp}`);
  await pair.sync();
  assert.ok((await opps()).find((o) => o.Id === kept.Id), 'the opportunity stays');
  assert.ok((await deals()).find((d) => d.id === goneDeal.id), 'the deal stays');
  const x = await pair.explain('salesforce', 'Opportunity', goneOpp, '--json');
  assert.match(JSON.stringify(x), /DETACHED|detached/);

  // with delete_deal_on_opportunity_delete the deal goes too
  await pair.reset('settings:\n  delete_deal_on_opportunity_delete: true\n');
  await newBusinessPipeline(pair);
  const oppId = await pair.sf.create('Opportunity', {
    Name: 'Purged',
    StageName: 'Prospecting',
    CloseDate: '2026-10-01',
  });
  await pair.sync();
  const d = (await deals()).find((r) => r.properties.dealname === 'Purged');
  assert.ok(d);
  await pair.sf.api('DELETE', `/sobjects/Opportunity/${oppId}`);
  await pair.sync();
  assert.equal((await deals()).find((r) => r.id === d.id), undefined, 'the deal was archived');
});

test('a deal without a close date gets an error while the rest of its batch lands', async () => {
  await pair.reset();
  const p = await newBusinessPipeline(pair);
  const bad = await pair.hs.create('deals', {
    dealname: 'Undated',
    pipeline: p.id,
    dealstage: p.stage.Prospecting,
  });
  const N = 12;
  for (let n = 1; n <= N; n++)
    await pair.hs.create('deals', {
      dealname: `Dated ${String(n).padStart(2, '0')}`,
      pipeline: p.id,
      dealstage: p.stage.Prospecting,
      closedate: '2026-11-30T00:00:00.000Z',
    });
  await pair.resetStats();
  await pair.sync();
  const names = (await opps()).map((o) => o.Name).sort();
  assert.equal(names.length, N);
  assert.ok(!names.includes('Undated'));
  // one batch: one upsert call, and associations read per round, never per deal
  const { hs, sf } = await pair.stats();
  assert.equal(callsTo(sf, 'PATCH /services/data/vXX.X/composite/sobjects/{object}/{field}'), 1);
  const reads = callsTo(hs, 'POST /crm/v4/associations/{fromObjectType}/{toObjectType}/batch/read');
  assert.ok(reads <= 6, `${reads} association reads for ${N} deals`);
  const errs = await openErrors('hubspot', 'deals', bad);
  assert.equal(errs.length, 1);
  assert.equal(errs[0].category, 'required_field');
  assert.match(errs[0].message, /required field missing: CloseDate/);
});

test('a deal in a stage with no Salesforce counterpart gets the mapping error', async () => {
  await pair.reset();
  await newBusinessPipeline(pair);
  const dealId = await pair.hs.create('deals', {
    dealname: 'Unmapped',
    pipeline: 'default',
    dealstage: 'appointmentscheduled',
    closedate: '2026-11-30T00:00:00.000Z',
  });
  await pair.sync();
  assert.deepEqual(await opps(), []);
  const errs = await openErrors('hubspot', 'deals', dealId);
  assert.equal(errs.length, 1);
  assert.equal(errs[0].category, 'mapping');
  assert.match(errs[0].message, /appointmentscheduled.*has no Salesforce stage|no Salesforce record type/);
});

test("a deal's contacts become contact roles and contact roles become deal contacts", async () => {
  await pair.reset(CONTACT_YAML);
  const p = await newBusinessPipeline(pair);
  const ada = await pair.hs.create('contacts', { email: 'ada@example.com', lastname: 'Lovelace' });
  const sfGrace = await pair.sf.create('Contact', { LastName: 'Hopper', Email: 'grace@example.com' });
  await pair.sync();
  const sfAda = (await pair.sf.live('Contact')).find((c) => c.Email === 'ada@example.com');
  const hsGrace = (await pair.hs.all('contacts')).find((c) => c.properties.email === 'grace@example.com');
  assert.ok(sfAda && hsGrace, 'both people synced first');

  const dealId = await pair.hs.create('deals', {
    dealname: 'With Ada',
    pipeline: p.id,
    dealstage: p.stage.Prospecting,
    closedate: '2026-11-30T00:00:00.000Z',
  });
  await associate('deals', dealId, 'contacts', ada);
  const oppId = await pair.sf.create('Opportunity', {
    Name: 'With Grace',
    StageName: 'Prospecting',
    CloseDate: '2026-10-01',
  });
  await pair.sf.create('OpportunityContactRole', { OpportunityId: oppId, ContactId: sfGrace });
  await pair.sync();

  const opp = (await opps()).find((o) => o.Name === 'With Ada');
  const roles = await pair.sf.live('OpportunityContactRole');
  assert.ok(
    roles.find((r) => r.OpportunityId === opp.Id && r.ContactId === sfAda.Id),
    'Ada is a contact role of the new opportunity',
  );
  const deal = (await deals()).find((d) => d.properties.dealname === 'With Grace');
  const contacts = (deal.associations?.contacts?.results || []).map((r) => r.id);
  assert.deepEqual(contacts, [hsGrace.id], 'Grace is a contact of the new deal');
  // automatic lifecycle transitions: a contact role's HubSpot contact becomes an opportunity
  assert.equal((await pair.hs.get('contacts', hsGrace.id)).properties.lifecyclestage, 'opportunity');

  // settled: a second pass writes nothing
  await pair.resetStats();
  await pair.sync();
  assert.deepEqual(await pair.writes(), { hs: 0, sf: 0 });
  assert.equal((await pair.sf.live('OpportunityContactRole')).length, 2, 'no role doubled');
  assert.deepEqual(await openErrors('hubspot', 'deals', dealId), []);
  assert.deepEqual(await openErrors('salesforce', 'Opportunity', oppId), []);

  // Closed Won makes her a customer
  await pair.sf.update('Opportunity', oppId, { StageName: 'Closed Won' });
  await pair.sync();
  assert.equal((await pair.hs.get('contacts', hsGrace.id)).properties.lifecyclestage, 'customer');
});

test("a deal's company becomes the opportunity's account once the account syncs", async () => {
  await pair.reset(CONTACT_YAML);
  const p = await newBusinessPipeline(pair);
  const company = await pair.hs.create('companies', { name: 'Analytical Engines Ltd' });
  const dealId = await pair.hs.create('deals', {
    dealname: 'Company deal',
    pipeline: p.id,
    dealstage: p.stage.Prospecting,
    closedate: '2026-11-30T00:00:00.000Z',
  });
  await associate('deals', dealId, 'companies', company);
  await pair.sync();

  // the company has no contacts, so it makes no account: the deal waits for it
  assert.deepEqual(await pair.sf.live('Account'), []);
  let [opp] = await opps();
  assert.ok(opp, 'the opportunity is made anyway');
  assert.equal(opp.AccountId, null);
  let errs = await openErrors('hubspot', 'deals', dealId);
  assert.equal(errs.length, 1);
  assert.equal(errs[0].category, 'associations');
  assert.match(errs[0].message, /waiting for account to sync/);

  // a contact joins the company (and the company is edited): now it makes an account, and
  // the deal's opportunity gets it
  const ada = await pair.hs.create('contacts', { email: 'ada@example.com', lastname: 'Lovelace' });
  await pair.sync();
  await associate('contacts', ada, 'companies', company);
  await pair.hs.update('companies', company, { city: 'London' });
  await pair.sync();
  const [account] = await pair.sf.live('Account');
  assert.ok(account, 'the account was made');
  assert.equal(account.Name, 'Analytical Engines Ltd');
  [opp] = await opps();
  assert.equal(opp.AccountId, account.Id, "the opportunity points at the company's account");
  errs = await openErrors('hubspot', 'deals', dealId);
  assert.deepEqual(errs, [], 'the waiting error is resolved');

  // and Salesforce -> HubSpot: an opportunity on that account makes a deal on the company
  await pair.sf.create('Opportunity', {
    Name: 'Account deal',
    StageName: 'Prospecting',
    CloseDate: '2026-10-01',
    AccountId: account.Id,
  });
  await pair.sync();
  const deal = (await deals()).find((d) => d.properties.dealname === 'Account deal');
  const companiesOf = async (id) => [
    ...new Set(
      ((await pair.hs.get('deals', id)).associations?.companies?.results || []).map((r) => r.id),
    ),
  ];
  assert.deepEqual(await companiesOf(deal.id), [company], 'the new deal is on the company');

  // the opportunity moves to a new account: the deal moves to that account's new company (once
  // the company exists) and leaves the old one
  const other = await pair.sf.create('Account', { Name: 'Babbage Holdings' });
  const accountDeal = (await opps()).find((o) => o.Name === 'Account deal');
  await pair.sf.update('Opportunity', accountDeal.Id, { AccountId: other });
  await pair.sync();
  const newCompany = (await pair.hs.all('companies')).find(
    (c) => c.properties.name === 'Babbage Holdings',
  );
  assert.ok(newCompany, 'the account made a company');
  assert.deepEqual(await companiesOf(deal.id), [newCompany.id], 'the deal moved companies');
  assert.deepEqual(await openErrors('salesforce', 'Opportunity', accountDeal.Id), []);
});

test('crmsync.yaml deal_stages pairs stages whose labels differ', async () => {
  await pair.reset(
    'deal_stages:\n  - pipeline: default\n    record_type: Renewal\n    stages:\n' +
      '      appointmentscheduled: Prospecting\n      closedwon: Closed Won\n',
  );
  const renewal = await recordType('Renewal');
  const dealId = await pair.hs.create('deals', {
    dealname: 'Renewal 2027',
    pipeline: 'default',
    dealstage: 'appointmentscheduled',
    closedate: '2026-11-30T00:00:00.000Z',
  });
  await pair.sync();
  const [opp] = await opps();
  assert.ok(opp, 'the configured stage syncs');
  assert.equal(opp.StageName, 'Prospecting');
  assert.equal(opp.RecordTypeId, renewal);
  await pair.sf.update('Opportunity', opp.Id, { StageName: 'Closed Won' });
  await pair.sync();
  assert.equal((await pair.hs.get('deals', dealId)).properties.dealstage, 'closedwon');
});
