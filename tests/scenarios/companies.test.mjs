// Companies <-> Accounts end to end: the real crmsync binary against both emulators. Companies
// pair only through their contacts (never by domain); every new Salesforce account makes a
// HubSpot company; a HubSpot company makes an account only when one of its contacts syncs with
// a Salesforce contact (research §1A).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startPair } from './lib/pair.mjs';

let pair;
before(async () => {
  pair = await startPair();
});
after(async () => {
  await pair.stop();
});

const CONTACT_YAML = 'settings:\n  new_record_type: contact\n';
// Company fields default to "prefer Salesforce unless blank"; these go both ways.
const TWO_WAY_YAML =
  'mappings:\n  - kind: company\n    hubspot: phone\n    rule: two_way\n' +
  '  - kind: company\n    hubspot: city\n    rule: two_way\n';

async function associate(from, fromId, to, toId) {
  const r = await pair.hs.api(
    'PUT',
    `/crm/v4/objects/${from}/${fromId}/associations/default/${to}/${toId}`,
  );
  assert.equal(r.status, 200, JSON.stringify(r.body));
}

const companies = async () => (await pair.hs.all('companies')).filter((c) => !c.archived);
const accounts = () => pair.sf.live('Account');
const companyOf = (hsRecord) => [
  ...new Set((hsRecord.associations?.companies?.results || []).map((r) => r.id)),
];

async function openErrors(system, object, id) {
  const x = await pair.explain(system, object, id, '--json');
  return x.errors.filter((e) => !e.resolved_at);
}

test('an account creates a company, and a company with a Salesforce contact an account', async () => {
  await pair.reset(CONTACT_YAML);
  const accId = await pair.sf.create('Account', {
    Name: 'Jacquard Looms',
    BillingCity: 'Lyon',
    Phone: '+33 4 00 00 00 00',
  });
  const ada = await pair.hs.create('contacts', { email: 'ada@example.com', lastname: 'Lovelace' });
  await pair.sync();
  const made = (await companies()).find((c) => c.properties.name === 'Jacquard Looms');
  assert.ok(made, 'the company was made');
  assert.equal(made.properties.city, 'Lyon');
  assert.deepEqual(await openErrors('salesforce', 'Account', accId), []);
  const sfAda = (await pair.sf.live('Contact')).find((c) => c.Email === 'ada@example.com');
  assert.ok(sfAda, 'Ada is a Salesforce contact (with no account)');
  assert.equal(sfAda.AccountId, null);

  // Ada's company: it has a contact syncing with a private Salesforce contact, so it makes an
  // account, and Ada's Salesforce contact joins it
  const company = await pair.hs.create('companies', { name: 'Analytical Engines', city: 'London' });
  await associate('contacts', ada, 'companies', company);
  await pair.sync();
  const acc = (await accounts()).find((a) => a.Name === 'Analytical Engines');
  assert.ok(acc, 'the account was made');
  assert.equal(acc.BillingCity, 'London');
  const after = (await pair.sf.live('Contact')).find((c) => c.Id === sfAda.Id);
  assert.equal(after.AccountId, acc.Id, "Ada's Salesforce contact joined the new account");
  assert.equal((await accounts()).length, 2);
  assert.equal((await companies()).length, 2);
});

test('a contact and its new company synced in the same pass end up on one account', async () => {
  await pair.reset(CONTACT_YAML);
  const ada = await pair.hs.create('contacts', { email: 'ada@example.com', lastname: 'Lovelace' });
  const company = await pair.hs.create('companies', { name: 'Analytical Engines' });
  await associate('contacts', ada, 'companies', company);
  await pair.sync();
  const [acc] = await accounts();
  assert.ok(acc, 'the company made an account: its contact becomes a Salesforce contact');
  const [sfAda] = await pair.sf.live('Contact');
  assert.equal(sfAda.AccountId, acc.Id, 'the contact follows its company once the account exists');
  await pair.resetStats();
  await pair.sync();
  assert.deepEqual(await pair.writes(), { hs: 0, sf: 0 }, 'settled');
});

test('a company without contacts makes no account', async () => {
  await pair.reset(CONTACT_YAML);
  const company = await pair.hs.create('companies', { name: 'Lonely Ltd', domain: 'lonely.example' });
  await pair.sync();
  assert.deepEqual(await accounts(), []);
  const x = await pair.explain('hubspot', 'companies', company);
  assert.match(x, /no contacts|has no associated contacts|no contact/i);
});

test('edits flow both ways, a cleared field is cleared, and one edit makes one write', async () => {
  await pair.reset(TWO_WAY_YAML);
  const accId = await pair.sf.create('Account', { Name: 'Babbage & Co', BillingCity: 'London' });
  await pair.sync();
  const [company] = await companies();
  assert.equal(company.properties.city, 'London');

  await pair.resetStats();
  await pair.hs.update('companies', company.id, { phone: '+44 20 7946 0000' });
  await pair.sync();
  assert.deepEqual(await pair.writes(), { hs: 0, sf: 1 }, 'one edit, one write');
  assert.equal((await accounts())[0].Phone, '+44 20 7946 0000');

  await pair.resetStats();
  await pair.sync();
  assert.deepEqual(await pair.writes(), { hs: 0, sf: 0 }, 'no echo');

  await pair.sf.update('Account', accId, { BillingCity: 'Cambridge' });
  await pair.resetStats();
  await pair.sync();
  assert.deepEqual(await pair.writes(), { hs: 1, sf: 0 }, 'one edit, one write');
  assert.equal((await pair.hs.get('companies', company.id)).properties.city, 'Cambridge');

  await pair.hs.update('companies', company.id, { city: '' });
  await pair.sync();
  assert.equal((await accounts())[0].BillingCity, null, 'the cleared city is cleared');
});

test('deletes are not propagated by default, and are when the setting is on', async () => {
  await pair.reset();
  const accId = await pair.sf.create('Account', { Name: 'Stays Ltd' });
  await pair.sync();
  const [company] = await companies();
  await pair.sf.api('DELETE', `/sobjects/Account/${accId}`);
  await pair.sync();
  assert.ok(await pair.hs.get('companies', company.id), 'the company stays');
  assert.equal((await pair.hs.get('companies', company.id)).archived, false);

  await pair.reset('settings:\n  delete_company_on_account_delete: true\n');
  const goneId = await pair.sf.create('Account', { Name: 'Goes Ltd' });
  await pair.sync();
  const [gone] = await companies();
  await pair.sf.api('DELETE', `/sobjects/Account/${goneId}`);
  await pair.sync();
  assert.equal((await companies()).find((c) => c.id === gone.id), undefined, 'archived');

  // a HubSpot archive never deletes in Salesforce
  await pair.reset();
  const keptId = await pair.sf.create('Account', { Name: 'Kept Ltd' });
  await pair.sync();
  const [kept] = await companies();
  await pair.hs.api('DELETE', `/crm/v3/objects/companies/${kept.id}`);
  await pair.sync();
  assert.ok((await accounts()).find((a) => a.Id === keptId), 'the account stays');
});

test('a company pairs with the account of its contacts, never by domain', async () => {
  await pair.reset();
  // Salesforce: Acme with Ada; Globex with a website and no contacts
  const acme = await pair.sf.create('Account', { Name: 'Acme Corporation', Website: 'acme.example' });
  await pair.sf.create('Contact', { LastName: 'Lovelace', Email: 'ada@example.com', AccountId: acme });
  const globex = await pair.sf.create('Account', { Name: 'Globex', Website: 'globex.example' });
  // HubSpot: a company under another name and domain holding Ada; one with Globex's domain
  const ada = await pair.hs.create('contacts', { email: 'ada@example.com', lastname: 'Lovelace' });
  const hsAcme = await pair.hs.create('companies', { name: 'ACME (EMEA)', domain: 'acme-emea.example' });
  await associate('contacts', ada, 'companies', hsAcme);
  const hsGlobex = await pair.hs.create('companies', { name: 'Globex HS', domain: 'globex.example' });
  await pair.sync();

  let x = await pair.explain('hubspot', 'companies', hsAcme, '--json');
  assert.equal(x.link?.salesforce_id?.slice(0, 15), acme.slice(0, 15), 'paired through Ada');
  assert.equal((await accounts()).length, 2, 'no account was made');
  x = await pair.explain('hubspot', 'companies', hsGlobex, '--json');
  assert.ok(!x.link || x.link.salesforce_id?.slice(0, 15) !== globex.slice(0, 15), 'not paired by domain');
  const all = await companies();
  assert.equal(
    all.filter((c) => c.properties.domain === 'globex.example' || c.properties.name === 'Globex').length,
    2,
    'Globex the account made a company of its own',
  );
});

test("a contact's company becomes its Salesforce contact's account", async () => {
  await pair.reset(CONTACT_YAML);
  const accId = await pair.sf.create('Account', { Name: 'Difference Ltd' });
  await pair.sync();
  const [company] = await companies();
  const grace = await pair.hs.create('contacts', { email: 'grace@example.com', lastname: 'Hopper' });
  await associate('contacts', grace, 'companies', company.id);
  await pair.sync();
  const c = (await pair.sf.live('Contact')).find((r) => r.Email === 'grace@example.com');
  assert.ok(c);
  assert.equal(c.AccountId, accId);

  // and back: a Salesforce contact on the account is a HubSpot contact of the company
  await pair.sf.create('Contact', { LastName: 'Babbage', Email: 'charles@example.com', AccountId: accId });
  await pair.sync();
  const hc = (await pair.hs.all('contacts')).find((r) => r.properties.email === 'charles@example.com');
  assert.ok(hc);
  assert.deepEqual(companyOf(hc), [company.id]);
  await pair.resetStats();
  await pair.sync();
  assert.deepEqual(await pair.writes(), { hs: 0, sf: 0 }, 'settled');
});

test("a new account's HubSpot contacts without a company join the company it makes", async () => {
  await pair.reset();
  const sfAda = await pair.sf.create('Contact', { LastName: 'Lovelace', Email: 'ada@example.com' });
  await pair.sync();
  const hsAda = (await pair.hs.all('contacts')).find((c) => c.properties.email === 'ada@example.com');
  assert.ok(hsAda);
  assert.deepEqual(companyOf(hsAda), []);

  const acc = await pair.sf.create('Account', { Name: 'Engines Inc' });
  await pair.sf.update('Contact', sfAda, { AccountId: acc });
  await pair.sync();
  const company = (await companies()).find((c) => c.properties.name === 'Engines Inc');
  assert.ok(company, 'the account made a company');
  assert.deepEqual(companyOf(await pair.hs.get('contacts', hsAda.id)), [company.id]);
  assert.deepEqual(await openErrors('salesforce', 'Contact', sfAda), []);
  await pair.resetStats();
  await pair.sync();
  assert.deepEqual(await pair.writes(), { hs: 0, sf: 0 }, 'settled');
});
