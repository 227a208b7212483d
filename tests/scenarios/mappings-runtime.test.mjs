// User field mappings added, edited and deleted while `crmsync run` runs, through the admin API
// and `crmsync mappings`: each change is checked against both vendors first (a field or
// property they do not have, and types that do not fit, are refused with the reason), takes
// effect at the next pass without a restart, and built-in mappings cannot be removed or
// re-pointed. A ticket mapping of a Case field carries the case's value to its ticket; ticket
// mappings are re-pointed, turned off and deleted the same way, and the required ones stay.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sleep, startPair, stopped, until } from './lib/pair.mjs';

const TOKEN = 'admin-secret-for-tests';
const ADMIN = `admin:\n  listen: 127.0.0.1:0\n  token: ${TOKEN}\n`;
// contacts alone (HubSpot paces its searches: fewer captured objects, faster passes)
const CONTACTS = `${ADMIN}settings:\n  company_sync: false\n  deal_sync: false\n`;
const TICKETS = `${ADMIN}settings:\n  ticket_sync: true\n  contact_sync: false\n  company_sync: false\n  deal_sync: false\n`;

const SALUTATIONS = ['Mr.', 'Ms.', 'Mrs.', 'Dr.', 'Prof.', 'Mx.'];
const REASONS = ['Installation', 'Performance', 'Breakdown', 'Other'];

let pair;
before(async () => {
  pair = await startPair();
});
after(async () => {
  await pair.stop();
});

// A HubSpot dropdown property of an object type, with these options.
async function dropdown(objectType, name, values) {
  const r = await pair.hs.api('POST', `/crm/v3/properties/${objectType}`, {
    name,
    label: name,
    type: 'enumeration',
    fieldType: 'select',
    groupName: objectType === 'tickets' ? 'ticketinformation' : 'contactinformation',
    options: values.map((v, i) => ({ label: v, value: v, displayOrder: i })),
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
}

test('a contact mapping added, edited and deleted while running applies at the next pass', async () => {
  await pair.reset(CONTACTS, { logLevel: 'info' });
  await dropdown('contacts', 'salutation', SALUTATIONS);
  const leadId = await pair.sf.create('Lead', {
    FirstName: 'Grace',
    LastName: 'Hopper',
    Company: 'Navy',
    Email: 'grace@navy.example',
    Salutation: 'Dr.',
  });
  await pair.sync();
  const contact = async () => (await pair.hs.all('contacts')).find((c) => c.properties.email === 'grace@navy.example');
  const hsId = (await contact()).id;
  assert.ok(!(await contact()).properties.salutation, 'not mapped yet: nothing flows');
  const lead = async () => (await pair.sf.all('Lead')).find((l) => l.Id === leadId);

  const run = await pair.runAdmin(TOKEN);
  try {
    // add: Salutation on Lead and Contact, read from the vendors' describes
    let r = await run.api('POST', '/api/v1/mappings', {
      body: { kind: 'contact', hubspot: 'salutation', salesforce: 'Salutation' },
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.deepEqual(r.body.salesforce, [
      { object: 'Lead', field: 'Salutation' },
      { object: 'Contact', field: 'Salutation' },
    ]);
    assert.deepEqual([r.body.rule, r.body.source, r.body.builtin], ['prefer_salesforce_unless_blank', 'override', false]);
    assert.ok(
      await until(async () => /mapping added: contact salutation <-> Lead\.Salutation, Contact\.Salutation/.test(run.stderr()), 20000),
      run.stderr().slice(-2000),
    );
    // the next Salesforce edit carries the value (no restart)
    await pair.sf.update('Lead', leadId, { Salutation: 'Ms.' });
    assert.ok(
      await until(async () => (await contact()).properties.salutation === 'Ms.', 20000),
      `the salutation reached HubSpot:\n${run.stderr().slice(-2000)}`,
    );

    // edit the rule from the command line: now HubSpot's edits win
    let c = await pair.crmsync('mappings', 'edit', 'contact', 'salutation', '--rule', 'always_use_hubspot');
    assert.equal(c.code, 0, c.stderr);
    assert.match(c.stdout, /contact\s+salutation\s+Lead\.Salutation, Contact\.Salutation\s+always_use_hubspot \(override\)/);
    assert.ok(await until(async () => /mapping of salutation is now always_use_hubspot/.test(run.stderr()), 20000));
    await pair.hs.update('contacts', hsId, { salutation: 'Prof.' });
    assert.ok(await until(async () => (await lead()).Salutation === 'Prof.', 20000), 'the HubSpot edit reached Salesforce');

    // refusals, each naming the problem, nothing stored
    r = await run.api('POST', '/api/v1/mappings', {
      body: { kind: 'contact', hubspot: 'hs_persona', salesforce: 'Lead.No_Such_Field__c' },
    });
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, /Salesforce Lead has no field 'No_Such_Field__c'/);
    r = await run.api('POST', '/api/v1/mappings', {
      body: { kind: 'contact', hubspot: 'no_such_property', salesforce: 'Contact.Department' },
    });
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, /HubSpot has no contacts property 'no_such_property'/);
    r = await run.api('POST', '/api/v1/mappings', {
      body: { kind: 'contact', hubspot: 'date_of_birth', salesforce: 'Contact.Department' },
    });
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, /types do not match: HubSpot property date_of_birth is .* but Contact\.Department is string/);
    r = await run.api('POST', '/api/v1/mappings', { body: { kind: 'contact', hubspot: 'salutation', salesforce: 'Lead.Salutation' } });
    assert.equal(r.status, 409, 'already mapped');
    r = await run.api('POST', '/api/v1/mappings', { body: { kind: 'widget', hubspot: 'x', salesforce: 'Y' } });
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, /unknown kind 'widget'/);
    r = await run.api('POST', '/api/v1/mappings', { body: { kind: 'contact', hubspot: 'x' } });
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, /salesforce: missing/);
    r = await run.api('DELETE', '/api/v1/mappings/contact/email');
    assert.equal(r.status, 409);
    assert.match(r.body.error.message, /default mapping and cannot be removed \(set its rule to dont_sync instead\)/);
    r = await run.api('PATCH', '/api/v1/mappings/contact/jobtitle', { body: { salesforce: 'Lead.Description' } });
    assert.equal(r.status, 409);
    assert.match(r.body.error.message, /its Salesforce fields cannot be changed/);
    r = await run.api('DELETE', '/api/v1/mappings/contact/shoe_size');
    assert.equal(r.status, 404);
    c = await pair.crmsync('mappings', 'add', 'contact', 'hs_persona', 'Lead.No_Such_Field__c');
    assert.equal(c.code, 2);
    assert.match(c.stderr, /Salesforce Lead has no field 'No_Such_Field__c'/);
    c = await pair.crmsync('mappings', 'delete', 'contact', 'email');
    assert.equal(c.code, 2);
    assert.match(c.stderr, /cannot be removed/);
    const all = (await run.api('GET', '/api/v1/mappings')).body.mappings;
    assert.deepEqual(
      all.filter((m) => ['hs_persona', 'no_such_property', 'date_of_birth', 'x'].includes(m.hubspot)),
      [],
      'nothing refused was stored',
    );

    // delete: the values stop flowing at the next pass
    r = await run.api('DELETE', '/api/v1/mappings/contact/salutation');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.deleted.hubspot, 'salutation');
    assert.ok(await until(async () => /mapping removed: contact salutation/.test(run.stderr()), 20000));
    // (the lead has no title: HubSpot's fills it under the default rule)
    await pair.hs.update('contacts', hsId, { salutation: 'Mx.', jobtitle: 'Rear Admiral' });
    assert.ok(await until(async () => (await lead()).Title === 'Rear Admiral', 20000), 'the rest of the edit synced');
    await sleep(1500); // another pass
    assert.equal((await lead()).Salutation, 'Prof.', 'the unmapped property no longer flows');
    assert.equal((await run.api('PATCH', '/api/v1/mappings/contact/salutation', { body: { rule: 'two_way' } })).status, 404);
  } finally {
    await stopped(run);
  }
});

test('a user mapping re-pointed while running reads its new field and keeps its rule', async () => {
  await pair.reset(CONTACTS, { logLevel: 'info' });
  // one dropdown holding both picklists' values
  await dropdown('contacts', 'rating', ['Hot', 'Warm', 'Cold', 'Open - Not Contacted', 'Working - Contacted']);
  let c = await pair.crmsync('mappings', 'add', 'contact', 'rating', 'Lead.Rating', '--rule', 'always_use_salesforce');
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stdout, /contact\s+rating\s+Lead\.Rating\s+always_use_salesforce \(override\)/);
  const leadId = await pair.sf.create('Lead', { LastName: 'Lovelace', Company: 'Engines', Email: 'ada@engines.example', Rating: 'Warm' });
  await pair.sync();
  const contact = async () => (await pair.hs.all('contacts')).find((x) => x.properties.email === 'ada@engines.example');
  assert.equal((await contact()).properties.rating, 'Warm', 'a mapping added before the run applies from its start');

  const run = await pair.runAdmin(TOKEN);
  try {
    let r = await run.api('PATCH', '/api/v1/mappings/contact/rating', { body: { salesforce: 'Lead.LeadSource' } });
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, /Salesforce field Lead\.LeadSource is already mapped \(to HubSpot contact property leadsource\)/);
    c = await pair.crmsync('mappings', 'edit', 'contact', 'rating', '--salesforce', 'Lead.Industry');
    assert.equal(c.code, 2);
    assert.match(c.stderr, /Lead\.Industry is already mapped/);
    // re-pointed to the lead's status: the rule stays
    r = await run.api('PATCH', '/api/v1/mappings/contact/rating', { body: { salesforce: 'Lead.Status' } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual([r.body.salesforce, r.body.rule], [[{ object: 'Lead', field: 'Status' }], 'always_use_salesforce']);
    assert.ok(
      await until(async () => /mapping changed: contact rating <-> Lead\.Status \(always_use_salesforce\), was Lead\.Rating/.test(run.stderr()), 20000),
      run.stderr().slice(-2000),
    );
    await pair.sf.update('Lead', leadId, { Status: 'Working - Contacted', Rating: 'Cold' });
    assert.ok(
      await until(async () => (await contact()).properties.rating === 'Working - Contacted', 20000),
      `the new field flows:\n${run.stderr().slice(-2000)}`,
    );
  } finally {
    await stopped(run);
  }
});

test('a ticket mapping of a Case field carries the case value to its ticket', async () => {
  await pair.reset(TICKETS, { logLevel: 'info' });
  await dropdown('tickets', 'case_reason', REASONS);
  let c = await pair.crmsync('mappings', 'add', 'ticket', 'case_reason', 'Case.Reason');
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stdout, /ticket\s+case_reason\s+Case\.Reason\s+prefer_salesforce_unless_blank \(override\)/);
  c = await pair.crmsync('mappings', 'add', 'ticket', 'hs_resolution', 'Case.Subject');
  assert.equal(c.code, 2);
  assert.match(c.stderr, /types do not match/);
  await pair.sync(); // ticket sync imports nothing: cases from the first poll on
  await sleep(1100); // Salesforce stamps whole seconds
  const caseId = await pair.sf.create('Case', { Subject: 'Engine overheats', Status: 'New', Reason: 'Performance' });
  await pair.sync();
  const x = await pair.explain('salesforce', 'Case', caseId, '--json');
  const ticket = (await pair.hs.all('tickets')).find((t) => t.id === x.link?.hubspot_id);
  assert.ok(ticket, `the case made a ticket: ${JSON.stringify(x)}`);
  assert.equal(ticket.properties.case_reason, 'Performance');
  assert.equal(ticket.properties.subject, 'Engine overheats');
});

test('ticket mappings edited and deleted at run time: a re-pointed one reads its new field, a deleted or dont_sync one stops flowing, the required ones stay', async () => {
  await pair.reset(TICKETS, { logLevel: 'info' });
  await dropdown('tickets', 'case_reason', REASONS);
  const r = await pair.hs.api('POST', '/crm/v3/properties/tickets', {
    name: 'case_contact_name',
    label: 'Contact name',
    type: 'string',
    fieldType: 'text',
    groupName: 'ticketinformation',
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const ok = (x, what) => assert.equal(x.code, 0, `${what}: ${x.stderr}`);
  ok(await pair.crmsync('mappings', 'add', 'ticket', 'case_reason', 'Case.Reason'), 'add case_reason');
  ok(await pair.crmsync('mappings', 'add', 'ticket', 'case_contact_name', 'Case.SuppliedName'), 'add case_contact_name');
  await pair.sync(); // the case source starts here
  await sleep(1100); // Salesforce stamps whole seconds
  const caseId = await pair.sf.create('Case', {
    Subject: 'Boiler leaks',
    Status: 'New',
    Reason: 'Breakdown',
    Description: 'Water on the floor.',
    SuppliedName: 'Ada Lovelace',
    SuppliedCompany: 'Analytical Engines',
  });
  await pair.sync();
  const ticketOf = async () => {
    const id = (await pair.explain('salesforce', 'Case', caseId, '--json')).link?.hubspot_id;
    return (await pair.hs.all('tickets')).find((t) => t.id === id);
  };
  let t = await ticketOf();
  assert.ok(t, 'the case made a ticket');
  assert.deepEqual(
    [t.properties.case_reason, t.properties.case_contact_name, t.properties.content],
    ['Breakdown', 'Ada Lovelace', 'Water on the floor.'],
  );

  // the required mappings cannot be deleted (nor turned off); a default one can only be turned off
  let c = await pair.crmsync('mappings', 'delete', 'ticket', 'subject');
  assert.equal(c.code, 2);
  assert.match(c.stderr, /the ticket mapping of subject is a default mapping and cannot be removed/);
  c = await pair.crmsync('mappings', 'set-rule', 'ticket', 'subject', 'dont_sync');
  assert.equal(c.code, 2);
  assert.match(c.stderr, /subject is required/);
  c = await pair.crmsync('mappings', 'delete', 'ticket', 'content');
  assert.equal(c.code, 2);
  assert.match(c.stderr, /set its rule to dont_sync instead/);

  // re-point case_contact_name to the company, case_reason to dont_sync, content to dont_sync
  c = await pair.crmsync('mappings', 'edit', 'ticket', 'case_contact_name', '--salesforce', 'Case.SuppliedCompany');
  ok(c, 're-point');
  assert.match(c.stdout, /ticket\s+case_contact_name\s+Case\.SuppliedCompany\s+prefer_salesforce_unless_blank \(override\)/);
  ok(await pair.crmsync('mappings', 'edit', 'ticket', 'case_reason', '--rule', 'dont_sync'), 'case_reason dont_sync');
  ok(await pair.crmsync('mappings', 'set-rule', 'ticket', 'content', 'dont_sync'), 'content dont_sync');
  await pair.sf.update('Case', caseId, {
    Subject: 'Boiler leaks badly',
    Reason: 'Installation',
    Description: 'The floor is flooded.',
    SuppliedCompany: 'Difference Engines',
  });
  await pair.sync();
  t = await ticketOf();
  assert.equal(t.properties.subject, 'Boiler leaks badly', 'the rest of the change synced');
  assert.equal(t.properties.case_contact_name, 'Difference Engines', 'the re-pointed mapping reads its new field');
  assert.equal(t.properties.case_reason, 'Breakdown', 'a dont_sync mapping no longer flows');
  assert.equal(t.properties.content, 'Water on the floor.', 'dont_sync on the default content mapping holds');

  // deleted: the mapping is gone and its field no longer flows; content's rule reset: it flows again
  c = await pair.crmsync('mappings', 'delete', 'ticket', 'case_contact_name');
  ok(c, 'delete');
  ok(await pair.crmsync('mappings', 'reset', 'ticket', 'content'), 'reset content');
  const all = JSON.parse((await pair.crmsync('mappings', '--json')).stdout);
  assert.equal(all.find((m) => m.kind === 'ticket' && m.hubspot === 'case_contact_name'), undefined);
  await pair.sf.update('Case', caseId, { SuppliedCompany: 'Jacquard Looms', Description: 'Dry again.' });
  await pair.sync();
  t = await ticketOf();
  assert.equal(t.properties.content, 'Dry again.', 'the case changed and synced');
  assert.equal(t.properties.case_contact_name, 'Difference Engines', 'the deleted mapping no longer flows');
});
