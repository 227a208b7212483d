// Problems with one record are reported on that record and never stop the others: a contact
// without email never syncs; a value Salesforce refuses (a restricted picklist, a string too
// long, a bad email, a validation rule) fails its record, or for a value the engine knows the
// field cannot hold that field alone, while the rest of the batch lands, on creates and on
// updates; fixing the record lets it sync and resolves the error.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { callsTo, peopleByEmail, startPair } from './lib/pair.mjs';

const SF_UPSERT = 'PATCH /services/data/vXX.X/composite/sobjects/{object}/{field}';
const SF_UPDATE = 'PATCH /services/data/vXX.X/composite/sobjects';

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

test('a contact without email is recorded as "no email" and never synced', async () => {
  const hsId = await pair.hs.create('contacts', { firstname: 'Nomail', lastname: 'Person', company: 'X' });
  const leadId = await pair.sf.create('Lead', { LastName: 'Nomail', Company: 'Y' });
  await pair.sync();
  assert.equal((await pair.sf.live('Lead')).length, 1, 'no lead was made');
  assert.equal((await pair.hs.all('contacts')).length, 1, 'no contact was made');
  const st = await pair.status();
  assert.equal(st.errors.no_email, 2);
  assert.deepEqual(st.links, {});
  const x = await pair.explain('hubspot', 'contacts', hsId, '--json');
  assert.equal(x.link, null);
  assert.equal(x.errors[0].category, 'no_email');
  assert.equal(x.decisions[0].action, 'error');
  assert.match(x.decisions[0].trace, /no email address/);
  const y = await pair.explain('salesforce', 'Lead', leadId, '--json');
  assert.equal(y.errors[0].category, 'no_email');

  // once it has an email it syncs, and the error is resolved
  await pair.hs.update('contacts', hsId, { email: 'found@example.com' });
  await pair.sync();
  const people = await peopleByEmail(pair);
  assert.deepEqual(people.sf, { 'found@example.com': 1 });
  const st2 = await pair.status();
  assert.equal(st2.errors.no_email, 1);
  const text = await pair.crmsync('status');
  assert.match(text.stdout, /no_email +1/);
});

test('a value Salesforce refuses fails only its record; the rest of the batch lands', async () => {
  await pair.hs.create('contacts', { email: 'one@example.com', lastname: 'One', company: 'A' });
  const bad = await pair.hs.create('contacts', { email: 'two@exa_mple.com', lastname: 'Two', company: 'B' });
  await pair.hs.create('contacts', { email: 'three@example.com', lastname: 'Three', company: 'C' });
  await pair.resetStats();
  await pair.sync();
  const people = await peopleByEmail(pair);
  assert.deepEqual(people.sf, { 'one@example.com': 1, 'three@example.com': 1 });
  const stats = await pair.stats();
  assert.equal(callsTo(stats.sf, SF_UPSERT), 1, 'one batch for all three');
  const st = await pair.status();
  assert.equal(st.errors.property_value, 1);
  assert.equal(st.links.contact.LINKED, 2);
  assert.equal(st.links.contact.FAILED, 1);
  const x = await pair.explain('hubspot', 'contacts', bad, '--json');
  assert.equal(x.link.state, 'FAILED');
  assert.equal(x.errors[0].code, 'INVALID_EMAIL_ADDRESS');
  assert.match(x.errors[0].message, /two@exa_mple\.com/);
  // nothing more happens until the record changes
  const before = await pair.writes();
  await pair.sync();
  assert.deepEqual(await pair.writes(), before);
});

test('a validation rule refuses one record; fixing it in HubSpot syncs it and resolves the error', async () => {
  await pair.sf.emu.control('POST', '/__emu/validation-rules', {
    object: 'Lead',
    name: 'No_Test_Companies',
    condition: "Company = 'Test Co'",
    message: 'Test companies are not leads',
    field: 'Company',
  });
  await pair.hs.create('contacts', { email: 'a@example.com', lastname: 'A', company: 'Real Co' });
  const bad = await pair.hs.create('contacts', { email: 'b@example.com', lastname: 'B', company: 'Test Co' });
  await pair.sync();
  assert.deepEqual((await peopleByEmail(pair)).sf, { 'a@example.com': 1 });
  let x = await pair.explain('hubspot', 'contacts', bad, '--json');
  assert.equal(x.errors[0].category, 'custom_code');
  assert.equal(x.errors[0].code, 'FIELD_CUSTOM_VALIDATION_EXCEPTION');
  assert.match(x.errors[0].message, /Test companies are not leads/);

  await pair.hs.update('contacts', bad, { company: 'Another Co' });
  await pair.sync();
  assert.deepEqual((await peopleByEmail(pair)).sf, { 'a@example.com': 1, 'b@example.com': 1 });
  x = await pair.explain('hubspot', 'contacts', bad, '--json');
  assert.equal(x.link.state, 'LINKED');
  assert.deepEqual(x.errors, [], 'the error is resolved');
  const st = await pair.status();
  assert.equal(st.errors.custom_code, undefined);
  assert.equal(st.links.contact.LINKED, 2);
});

// A HubSpot dropdown mapped to the Salesforce lead's restricted Status picklist.
const STATUS_MAPPING =
  'mappings:\n  - kind: contact\n    hubspot: sf_status\n    salesforce: Lead.Status\n' +
  '    hubspot_type: enumeration/select\n    salesforce_type: picklist\n    rule: two_way\n';

async function statusProperty() {
  const r = await pair.hs.api('POST', '/crm/v3/properties/contacts', {
    name: 'sf_status',
    label: 'Salesforce status',
    type: 'enumeration',
    fieldType: 'select',
    groupName: 'contactinformation',
    options: ['Open - Not Contacted', 'Working - Contacted', 'Nurture'].map((v, i) => ({
      label: v,
      value: v,
      displayOrder: i,
    })),
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
}

test('a restricted picklist value, a too-long title, a bad email and a validation rule in one batch: each bad record gets its error, the rest lands', async () => {
  await pair.reset(STATUS_MAPPING);
  await statusProperty();
  await pair.sf.emu.control('POST', '/__emu/validation-rules', {
    object: 'Lead',
    name: 'No_Test_Companies',
    condition: "Company = 'Test Co'",
    message: 'Test companies are not leads',
    field: 'Company',
  });
  const id = {};
  const make = async (k, props) => (id[k] = await pair.hs.create('contacts', { lastname: k, company: 'Real Co', ...props }));
  await make('good1', { email: 'good1@example.com', sf_status: 'Working - Contacted' });
  await make('picklist', { email: 'picklist@example.com', sf_status: 'Nurture' });
  await make('long', { email: 'long@example.com', jobtitle: 'T'.repeat(200), phone: '555' });
  await make('email', { email: 'bad@exa_mple.com' });
  await make('rule', { email: 'rule@example.com', company: 'Test Co' });
  await make('good2', { email: 'good2@example.com' });
  await pair.resetStats();
  await pair.sync();

  const stats = await pair.stats();
  assert.equal(callsTo(stats.sf, SF_UPSERT), 1, 'one batch for all six');
  assert.deepEqual((await peopleByEmail(pair)).sf, {
    'good1@example.com': 1,
    'good2@example.com': 1,
    'long@example.com': 1,
  });
  const leads = await pair.sf.live('Lead');
  const byEmail = Object.fromEntries(leads.map((l) => [l.Email, l]));
  assert.equal(byEmail['good1@example.com'].Status, 'Working - Contacted');
  // the title Salesforce cannot hold is an error on that field alone: the lead is made without it
  assert.equal(byEmail['long@example.com'].Title, null);
  assert.equal(byEmail['long@example.com'].Phone, '555');

  const st = await pair.status();
  assert.deepEqual(st.errors, { picklist: 1, property_value: 2, custom_code: 1 });
  assert.deepEqual(st.links, { contact: { LINKED: 3, FAILED: 3 } });
  const err = async (k) => {
    const x = await pair.explain('hubspot', 'contacts', id[k], '--json');
    assert.equal(x.errors.length, 1, `${k}: ${JSON.stringify(x.errors)}`);
    return { link: x.link, ...x.errors[0] };
  };
  let e = await err('picklist');
  assert.equal(e.link.state, 'FAILED');
  assert.equal(e.category, 'picklist');
  assert.equal(e.code, 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
  assert.match(e.message, /Lead Status: bad value for restricted picklist field: Nurture/);
  e = await err('long');
  assert.equal(e.link.state, 'LINKED');
  assert.equal(e.category, 'property_value');
  assert.match(e.message, /Title: .* is 200 characters long; the field holds at most 128/);
  e = await err('email');
  assert.equal(e.link.state, 'FAILED');
  assert.equal(e.category, 'property_value');
  assert.equal(e.code, 'INVALID_EMAIL_ADDRESS');
  assert.match(e.message, /bad@exa_mple\.com/);
  e = await err('rule');
  assert.equal(e.link.state, 'FAILED');
  assert.equal(e.category, 'custom_code');
  assert.equal(e.code, 'FIELD_CUSTOM_VALIDATION_EXCEPTION');
  assert.match(e.message, /Test companies are not leads/);
  const text = await pair.crmsync('status');
  assert.match(text.stdout, /picklist +1/);
  assert.match(text.stdout, /property_value +2/);

  // nothing more happens until a record changes
  let before = await pair.writes();
  await pair.sync();
  assert.deepEqual(await pair.writes(), before, 'failed records are not retried on every pass');

  // fixing the values in HubSpot syncs them and resolves their errors
  await pair.hs.update('contacts', id.picklist, { sf_status: 'Open - Not Contacted' });
  await pair.hs.update('contacts', id.long, { jobtitle: 'Short' });
  before = await pair.writes();
  await pair.sync();
  const now = await pair.writes();
  assert.equal(now.sf - before.sf, 2, 'a create and an update');
  const fixed = Object.fromEntries((await pair.sf.live('Lead')).map((l) => [l.Email, l]));
  assert.equal(fixed['picklist@example.com'].Status, 'Open - Not Contacted');
  assert.equal(fixed['long@example.com'].Title, 'Short');
  for (const k of ['picklist', 'long']) {
    const x = await pair.explain('hubspot', 'contacts', id[k], '--json');
    assert.equal(x.link.state, 'LINKED', k);
    assert.deepEqual(x.errors, [], `${k}: the error is resolved`);
  }
  assert.deepEqual((await pair.status()).errors, { property_value: 1, custom_code: 1 });
});

test('a value Salesforce refuses in an update batch (STRING_TOO_LONG) fails that record alone; the rest lands and nothing echoes', async () => {
  await pair.reset(
    'settings:\n  new_record_type: contact\n' +
      'mappings:\n  - kind: contact\n    hubspot: department\n    salesforce: Contact.Department\n' +
      '    hubspot_type: string/text\n    salesforce_type: string\n    rule: two_way\n',
  );
  const r = await pair.hs.api('POST', '/crm/v3/properties/contacts', {
    name: 'department',
    label: 'Department',
    type: 'string',
    fieldType: 'text',
    groupName: 'contactinformation',
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const ids = [];
  for (const n of [1, 2, 3])
    ids.push(await pair.hs.create('contacts', { email: `dept${n}@example.com`, lastname: `D${n}`, department: 'Sales' }));
  await pair.sync();
  const contacts = Object.fromEntries((await pair.sf.live('Contact')).map((c) => [c.Email, c]));
  assert.equal(Object.keys(contacts).length, 3);

  await pair.hs.update('contacts', ids[0], { department: 'Research' });
  await pair.hs.update('contacts', ids[1], { department: 'D'.repeat(90) });
  await pair.hs.update('contacts', ids[2], { department: 'Support' });
  await pair.resetStats();
  await pair.sync();
  const stats = await pair.stats();
  assert.equal(callsTo(stats.sf, SF_UPDATE), 1, 'one update batch for the three');
  const after1 = Object.fromEntries((await pair.sf.live('Contact')).map((c) => [c.Email, c]));
  assert.equal(after1['dept1@example.com'].Department, 'Research');
  assert.equal(after1['dept2@example.com'].Department, 'Sales', 'the refused value is not written');
  assert.equal(after1['dept3@example.com'].Department, 'Support');
  assert.equal((await pair.hs.get('contacts', ids[1])).properties.department, 'D'.repeat(90), 'HubSpot keeps what the user typed');

  const x = await pair.explain('hubspot', 'contacts', ids[1], '--json');
  assert.equal(x.link.state, 'LINKED', 'an update that fails keeps the link');
  assert.equal(x.errors.length, 1);
  assert.equal(x.errors[0].category, 'property_value');
  assert.equal(x.errors[0].code, 'STRING_TOO_LONG');
  assert.match(x.errors[0].message, /Department: data value too large: D+ \(max length=80\)/);
  const st = await pair.status();
  assert.deepEqual(st.errors, { property_value: 1 });
  assert.deepEqual(st.links, { contact: { LINKED: 3 } });
  assert.equal(st.outbox.waiting + st.outbox.claimed, 0, 'a permanent error is not retried');

  const before = await pair.writes();
  await pair.sync();
  assert.deepEqual(await pair.writes(), before, 'nothing echoes, nothing is retried');

  // a value Salesforce accepts resolves it
  await pair.hs.update('contacts', ids[1], { department: 'Finance' });
  await pair.sync();
  assert.equal((await pair.sf.live('Contact')).find((c) => c.Email === 'dept2@example.com').Department, 'Finance');
  assert.deepEqual((await pair.status()).errors, {});
});
