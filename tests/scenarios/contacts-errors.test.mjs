// Problems with one record are reported on that record and never stop the others: a contact
// without email never syncs; a value Salesforce refuses fails its record while the rest of the
// batch lands; fixing the record lets it sync and resolves the error.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { callsTo, peopleByEmail, startPair } from './lib/pair.mjs';

const SF_UPSERT = 'PATCH /services/data/vXX.X/composite/sobjects/{object}/{field}';

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
