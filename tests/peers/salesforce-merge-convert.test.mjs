// jsforce against emu-salesforce, with merges and lead conversions made through the control API
// (real orgs do them through SOAP merge()/convertLead() or the UI): losers deleted with
// MasterRecordId and their children re-parented; converted leads carrying IsConverted and the
// Converted*Id fields and refusing updates; assignment rules on Lead and Case unless the request
// sends Sforce-Auto-Assign: FALSE.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSalesforce, sfReject, assertId, uniq, SF_DATE, VERSION } from './lib/sf.mjs';

let sf;
let conn;
before(async () => {
  sf = await startSalesforce();
  conn = await sf.login();
});
after(async () => {
  await sf?.stop();
});

test('merge Contacts: two losers deleted with MasterRecordId, their tasks re-parented to the master', async () => {
  const master = await conn.sobject('Contact').create({ LastName: 'Master' });
  const l1 = await conn.sobject('Contact').create({ LastName: 'Loser1' });
  const l2 = await conn.sobject('Contact').create({ LastName: 'Loser2' });
  const task = await conn.sobject('Task').create({ Subject: 'Follow up', Status: 'Not Started', Priority: 'Normal', WhoId: l1.id });
  const res = await sf.control('POST', '/__emu/merge', { object: 'Contact', master_id: master.id, loser_ids: [l1.id, l2.id] });
  assert.equal(res.id, master.id);
  assert.deepEqual([...res.merged].sort(), [l1.id, l2.id].sort());

  for (const l of [l1, l2]) {
    const e = await sfReject(conn.sobject('Contact').retrieve(l.id), 'ENTITY_IS_DELETED');
    assert.equal(e.message, 'entity is deleted');
  }
  const rows = await conn.query(`SELECT Id, IsDeleted, MasterRecordId FROM Contact WHERE Id IN ('${l1.id}', '${l2.id}')`, { scanAll: true });
  assert.equal(rows.totalSize, 2);
  for (const r of rows.records) {
    assert.equal(r.IsDeleted, true);
    assert.equal(r.MasterRecordId, master.id);
  }
  assert.equal((await conn.sobject('Task').retrieve(task.id)).WhoId, master.id);
  const m = await conn.sobject('Contact').retrieve(master.id);
  assert.equal(m.IsDeleted, false);
  assert.equal(m.MasterRecordId, null);
});

test('merge Accounts re-parents contacts and opportunities', async () => {
  const a = await conn.sobject('Account').create({ Name: 'Keep' });
  const b = await conn.sobject('Account').create({ Name: 'Drop' });
  const c = await conn.sobject('Contact').create({ LastName: 'Kid', AccountId: b.id });
  const o = await conn.sobject('Opportunity').create({ Name: 'Deal', StageName: 'Prospecting', CloseDate: '2030-01-01', AccountId: b.id });
  await sf.control('POST', '/__emu/merge', { object: 'Account', master_id: a.id, loser_ids: [b.id] });
  assert.equal((await conn.sobject('Contact').retrieve(c.id)).AccountId, a.id);
  assert.equal((await conn.sobject('Opportunity').retrieve(o.id)).AccountId, a.id);
  const r = await conn.query(`SELECT Id, MasterRecordId FROM Account WHERE Id = '${b.id}'`, { scanAll: true });
  assert.equal(r.records[0].MasterRecordId, a.id);
});

test('merge refuses bad input with a 400 and changes nothing', async () => {
  const a = await conn.sobject('Lead').create({ LastName: 'A', Company: 'C' });
  const b = await conn.sobject('Lead').create({ LastName: 'B', Company: 'C' });
  await assert.rejects(sf.control('POST', '/__emu/merge', { object: 'Lead', master_id: a.id, loser_ids: [] }), (e) => e.status === 400);
  await assert.rejects(
    sf.control('POST', '/__emu/merge', { object: 'Lead', master_id: a.id, loser_ids: [b.id, b.id, b.id] }),
    (e) => e.status === 400,
  );
  assert.equal((await conn.sobject('Lead').retrieve(b.id)).IsDeleted, false);
});

test('convert a lead: account, contact and opportunity created; the lead records where it went', async () => {
  const lead = await conn.sobject('Lead').create({ FirstName: 'Ada', LastName: 'Convert', Company: uniq('Conv Co'), Email: 'ada@convert.example', Phone: '555-0100' });
  const r = await sf.control('POST', '/__emu/convert-lead', { lead_id: lead.id, create_opportunity: true, opportunity_name: 'Conv Deal', converted_status: 'Closed - Converted' });
  assert.equal(r.lead_id, lead.id);
  assertId(r.account_id, '001');
  assertId(r.contact_id, '003');
  assertId(r.opportunity_id, '006');

  const l = await conn.sobject('Lead').retrieve(lead.id);
  assert.equal(l.IsConverted, true);
  assert.equal(l.ConvertedAccountId, r.account_id);
  assert.equal(l.ConvertedContactId, r.contact_id);
  assert.equal(l.ConvertedOpportunityId, r.opportunity_id);
  assert.match(l.ConvertedDate, SF_DATE);
  assert.equal(l.Status, 'Closed - Converted');

  const c = await conn.sobject('Contact').retrieve(r.contact_id);
  assert.equal(c.LastName, 'Convert');
  assert.equal(c.FirstName, 'Ada');
  assert.equal(c.Email, 'ada@convert.example');
  assert.equal(c.AccountId, r.account_id);
  const a = await conn.sobject('Account').retrieve(r.account_id);
  const leadCompany = (await conn.sobject('Lead').retrieve(lead.id, { fields: ['Company'] })).Company;
  assert.equal(a.Name, leadCompany);
  const o = await conn.sobject('Opportunity').retrieve(r.opportunity_id);
  assert.equal(o.Name, 'Conv Deal');
  assert.equal(o.AccountId, r.account_id);

  const converted = await conn.query(`SELECT Id FROM Lead WHERE IsConverted = true AND Id = '${lead.id}'`);
  assert.equal(converted.totalSize, 1);
});

test('a converted lead refuses updates: CANNOT_UPDATE_CONVERTED_LEAD', async () => {
  const lead = await conn.sobject('Lead').create({ LastName: 'Frozen', Company: 'C' });
  await sf.control('POST', '/__emu/convert-lead', { lead_id: lead.id, create_opportunity: false });
  const e = await sfReject(conn.sobject('Lead').update({ Id: lead.id, Phone: '1' }), 'CANNOT_UPDATE_CONVERTED_LEAD');
  assert.equal(e.message, 'cannot reference converted lead');
  const res = await conn.sobject('Lead').update([{ Id: lead.id, Phone: '1' }]);
  assert.equal(res[0].errors[0].statusCode, 'CANNOT_UPDATE_CONVERTED_LEAD');
  const l = await conn.sobject('Lead').retrieve(lead.id);
  assert.equal(l.Phone, null);
  assert.equal(l.ConvertedOpportunityId, null, 'no opportunity asked for');
});

test('convert into an existing account and contact', async () => {
  const acct = await conn.sobject('Account').create({ Name: 'Existing Acct' });
  const contact = await conn.sobject('Contact').create({ LastName: 'Existing', AccountId: acct.id });
  const lead = await conn.sobject('Lead').create({ LastName: 'Joiner', Company: 'Whatever' });
  const r = await sf.control('POST', '/__emu/convert-lead', { lead_id: lead.id, account_id: acct.id, contact_id: contact.id, create_opportunity: false });
  assert.equal(r.account_id, acct.id);
  assert.equal(r.contact_id, contact.id);
  assert.ok(r.opportunity_id === null || r.opportunity_id === undefined);
  const l = await conn.sobject('Lead').retrieve(lead.id);
  assert.equal(l.ConvertedAccountId, acct.id);
  assert.equal(l.ConvertedContactId, contact.id);
  const count = await conn.query("SELECT COUNT() FROM Account WHERE Name = 'Whatever'");
  assert.equal(count.totalSize, 0, 'no new account');
});

test('converting twice is refused', async () => {
  const lead = await conn.sobject('Lead').create({ LastName: 'Twice', Company: 'C' });
  await sf.control('POST', '/__emu/convert-lead', { lead_id: lead.id, create_opportunity: false });
  await assert.rejects(sf.control('POST', '/__emu/convert-lead', { lead_id: lead.id }), (e) => e.status === 400);
});

test('assignment rules set OwnerId on Lead and Case inserts unless Sforce-Auto-Assign: FALSE', async () => {
  const me = conn.userInfo.id;
  const users = await conn.query(`SELECT Id FROM User WHERE IsActive = true AND Id != '${me}'`);
  assert.ok(users.totalSize >= 1, 'the org has another active user');
  const rep = users.records[0].Id;
  await sf.control('PUT', '/__emu/assignment-rules', { Lead: { owner_id: rep }, Case: { owner_id: rep } });
  try {
    const l1 = await conn.sobject('Lead').create({ LastName: 'Assigned', Company: 'C' });
    assert.equal((await conn.sobject('Lead').retrieve(l1.id)).OwnerId, rep);
    const l2 = await conn.sobject('Lead').create({ LastName: 'Mine', Company: 'C' }, { headers: { 'Sforce-Auto-Assign': 'FALSE' } });
    assert.equal((await conn.sobject('Lead').retrieve(l2.id)).OwnerId, me);
    const c1 = await conn.sobject('Case').create({ Subject: 'Assigned', Status: 'New', Origin: 'Web' });
    assert.equal((await conn.sobject('Case').retrieve(c1.id)).OwnerId, rep);
    // through conn.request with explicit headers, the way an integration passes them
    const c2 = await conn.request({
      method: 'POST',
      url: `/services/data/v${VERSION}/sobjects/Case`,
      body: JSON.stringify({ Subject: 'Mine', Status: 'New', Origin: 'Web' }),
      headers: { 'content-type': 'application/json', 'Sforce-Auto-Assign': 'FALSE' },
    });
    assert.equal((await conn.sobject('Case').retrieve(c2.id)).OwnerId, me);
    // updates run the rule too
    await conn.sobject('Lead').update({ Id: l2.id, Title: 'Updated' });
    assert.equal((await conn.sobject('Lead').retrieve(l2.id)).OwnerId, rep);
    // Contacts have no assignment rules
    const ct = await conn.sobject('Contact').create({ LastName: 'NoRule' });
    assert.equal((await conn.sobject('Contact').retrieve(ct.id)).OwnerId, me);
  } finally {
    await sf.control('PUT', '/__emu/assignment-rules', { Lead: null, Case: null });
  }
  const l3 = await conn.sobject('Lead').create({ LastName: 'NoRules', Company: 'C' });
  assert.equal((await conn.sobject('Lead').retrieve(l3.id)).OwnerId, me);
});
