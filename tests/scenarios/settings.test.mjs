// Integration settings with their documented effect, each on and off: Salesforce state and
// country picklists, and automatic lifecycle stage transitions (never backwards).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { peopleIndex, startPair } from './lib/pair.mjs';
import { newBusinessPipeline } from './lib/deals.mjs';

let pair;
before(async () => {
  pair = await startPair();
});
after(async () => {
  await pair.stop();
});

const PICKLISTS = 'settings:\n  state_country_picklists: true\n';

async function orgPicklists(on) {
  await pair.sf.emu.control('PUT', '/__emu/settings', { state_country_picklists: on });
}

async function errorsOf(id) {
  const x = await pair.explain('hubspot', 'contacts', id, '--json');
  return x.errors.map((e) => `${e.category}: ${e.message}`).join('\n');
}

test('state and country picklists on: codes are written, checked against the org, a state with its country', async () => {
  await pair.reset(PICKLISTS);
  await orgPicklists(true);
  const ok = await pair.hs.create('contacts', {
    email: 'ca@example.com',
    lastname: 'West',
    company: 'Coast',
    state: 'CA',
    country: 'United States',
  });
  const badState = await pair.hs.create('contacts', {
    email: 'narnia@example.com',
    lastname: 'Lion',
    company: 'Wardrobe',
    state: 'Narnia',
    country: 'United States',
  });
  const badCountry = await pair.hs.create('contacts', {
    email: 'typo@example.com',
    lastname: 'Typo',
    company: 'Spelling',
    country: 'Untied States',
  });
  const noCountry = await pair.hs.create('contacts', {
    email: 'alone@example.com',
    lastname: 'Alone',
    company: 'Solo',
    state: 'Texas',
  });
  await pair.sync();
  const idx = await peopleIndex(pair);
  const lead = idx.sf.get('ca@example.com')[0];
  assert.equal(lead.StateCode, 'CA');
  assert.equal(lead.CountryCode, 'US');
  assert.equal(lead.State, 'California', "Salesforce keeps the label in step with the code");
  // a value outside the org's picklists is a picklist error on that field; the rest still syncs
  for (const [id, email, why] of [
    [badState, 'narnia@example.com', /picklist: State: state "Narnia" is not a state of US/],
    [badCountry, 'typo@example.com', /picklist: Country: country "Untied States" is not in Salesforce's country picklist/],
    [noCountry, 'alone@example.com', /picklist: State: state "Texas" needs a country/],
  ]) {
    const [l] = idx.sf.get(email);
    assert.ok(l, `${email} still synced`);
    assert.equal(l.StateCode ?? null, null);
    assert.match(await errorsOf(id), why);
  }
  assert.equal(idx.sf.get('typo@example.com')[0].Country ?? null, null);
  // fixed in HubSpot, the record syncs and the error clears
  await pair.hs.update('contacts', badState, { state: 'New York' });
  await pair.sync();
  const fixed = (await peopleIndex(pair)).sf.get('narnia@example.com')[0];
  assert.equal(fixed.StateCode, 'NY');
  assert.doesNotMatch(await errorsOf(badState), /picklist/);
});

test('state and country picklists off: State and Country go as free text', async () => {
  await pair.reset();
  await orgPicklists(false);
  await pair.hs.create('contacts', {
    email: 'text@example.com',
    lastname: 'Free',
    company: 'Text',
    state: 'Somewhere Nice',
    country: 'Elsewhere',
  });
  await pair.sync();
  const lead = (await peopleIndex(pair)).sf.get('text@example.com')[0];
  assert.equal(lead.State, 'Somewhere Nice');
  assert.equal(lead.Country, 'Elsewhere');
  assert.equal(lead.StateCode, undefined);
});

test('the picklists setting on for an org without them says so on the record', async () => {
  await pair.reset(PICKLISTS);
  await orgPicklists(false);
  const id = await pair.hs.create('contacts', {
    email: 'nocodes@example.com',
    lastname: 'Codes',
    company: 'None',
    country: 'United States',
  });
  await pair.sync();
  assert.ok((await peopleIndex(pair)).sf.get('nocodes@example.com'), 'the rest synced');
  assert.match(await errorsOf(id), /picklist: .*has no CountryCode field/);
});

// An opportunity (synced to a deal through a pipeline whose stages match by label) with a
// contact role for each Salesforce contact given; answers the opportunity id.
async function opportunityWith(contactIds, stage = 'Prospecting') {
  await newBusinessPipeline(pair);
  const opp = await pair.sf.create('Opportunity', { Name: 'Roles', StageName: stage, CloseDate: '2026-12-01' });
  for (const c of contactIds) await pair.sf.create('OpportunityContactRole', { OpportunityId: opp, ContactId: c });
  return opp;
}

const stageOf = async (email) =>
  (await pair.hs.all('contacts')).find((c) => c.properties.email === email).properties.lifecyclestage;

test('lifecycle transitions off: contact roles leave the lifecycle stage alone', async () => {
  await pair.reset('settings:\n  lifecycle_transitions: false\n');
  const c = await pair.sf.create('Contact', { LastName: 'Still', Email: 'still@example.com' });
  await pair.sync();
  const before = await stageOf('still@example.com');
  const opp = await opportunityWith([c]);
  await pair.sync();
  assert.equal(await stageOf('still@example.com'), before);
  await pair.sf.update('Opportunity', opp, { StageName: 'Closed Won' });
  await pair.sync();
  assert.equal(await stageOf('still@example.com'), before, 'not even at Closed Won');
});

test('lifecycle transitions on: Opportunity, then Customer at Closed Won, never backwards', async () => {
  await pair.reset();
  const a = await pair.sf.create('Contact', { LastName: 'Lead', Email: 'up@example.com' });
  const b = await pair.sf.create('Contact', { LastName: 'Done', Email: 'customer@example.com' });
  await pair.sync();
  const hsB = (await pair.hs.all('contacts')).find((x) => x.properties.email === 'customer@example.com');
  await pair.hs.update('contacts', hsB.id, { lifecyclestage: 'customer' });
  await pair.sync();
  const opp = await opportunityWith([a, b]);
  await pair.sync();
  assert.equal(await stageOf('up@example.com'), 'opportunity');
  assert.equal(await stageOf('customer@example.com'), 'customer', 'a customer never goes back');
  await pair.sf.update('Opportunity', opp, { StageName: 'Closed Won' });
  await pair.sync();
  assert.equal(await stageOf('up@example.com'), 'customer');
});

test('contact sync and deal sync off: neither kind syncs while the others do; on again, the contact catches up', async () => {
  await pair.reset('settings:\n  contact_sync: false\n  deal_sync: false\n');
  await pair.hs.create('contacts', { email: 'off@example.com', lastname: 'Off', company: 'Co' });
  await pair.sf.create('Opportunity', { Name: 'Off deal', StageName: 'Prospecting', CloseDate: '2026-12-01' });
  await pair.sf.create('Account', { Name: 'Still syncs' });
  await pair.sync();
  assert.equal((await peopleIndex(pair)).sf.get('off@example.com'), undefined, 'no contact synced');
  assert.equal((await pair.hs.all('deals')).length, 0, 'no deal synced');
  assert.ok(
    (await pair.hs.all('companies')).some((c) => c.properties.name === 'Still syncs'),
    'company sync is on: the account synced',
  );
  let r = await pair.crmsync('settings', 'set', 'contact_sync', 'true');
  assert.equal(r.code, 0, r.stderr);
  r = await pair.crmsync('settings', 'set', 'deal_sync', 'true');
  assert.equal(r.code, 0, r.stderr);
  await pair.sync();
  assert.ok((await peopleIndex(pair)).sf.get('off@example.com'), 'the contact synced once contact sync was on');
});
