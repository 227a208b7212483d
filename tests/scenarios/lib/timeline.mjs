// What the timeline sync scenarios share: a fresh pair with some settings (companies and deals
// off, so each pass reads less), a setting changed through the CLI, a HubSpot contact synced to a
// Salesforce lead, an engagement on contacts, the Salesforce tasks the tests look at, the org's
// Task Type values, and Salesforce's record counts. Each takes the pair from pair.mjs.
import assert from 'node:assert/strict';

export const tasks = (pair) => pair.sf.live('Task');

export const resetWith = (pair, settings = {}) =>
  pair.reset(
    `settings:\n${Object.entries({ company_sync: false, deal_sync: false, ...settings })
      .map(([k, v]) => `  ${k}: ${v}\n`)
      .join('')}`,
  );

export async function setting(pair, name, value) {
  const r = await pair.crmsync('settings', 'set', name, value);
  assert.equal(r.code, 0, r.stderr);
}

// A HubSpot contact synced to a Salesforce lead; answers { hs, sf }.
export async function syncedPerson(pair, email, extra = {}) {
  const hs = await pair.hs.create('contacts', { email, lastname: email.split('@')[0], company: 'Acme', ...extra });
  await pair.sync();
  const lead = (await pair.sf.live('Lead')).find((l) => l.Email === email);
  assert.ok(lead, `${email} synced`);
  return { hs, sf: lead.Id };
}

// A HubSpot engagement of type with these properties, on these contacts; answers its id.
export async function engagement(pair, type, properties, contactIds) {
  const id = await pair.hs.create(type, properties);
  for (const c of contactIds) {
    const r = await pair.hs.api('PUT', `/crm/v4/objects/${type}/${id}/associations/default/contacts/${c}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }
  return id;
}

// The values of the org's Task Type picklist (Task.Type), read from describe.
export async function taskTypes(pair) {
  const r = await pair.sf.api('GET', '/sobjects/Task/describe');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const type = r.body.fields.find((f) => f.name === 'Type');
  assert.ok(type, 'Task has a Type field');
  return type.picklistValues.filter((v) => v.active).map((v) => v.value);
}

// Salesforce's rows of every object, counted by object (deleted rows included).
export async function sfRecordCounts(pair) {
  return (await pair.sf.emu.control('GET', '/__emu/stats')).records;
}
