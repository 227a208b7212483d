// jsforce against emu-salesforce: single-record create/retrieve/update/destroy on every synced
// object, ids (18 chars, key prefixes, checksums, 15-char input), the record shape (attributes
// first, nulls present), server-maintained audit fields, the read-only Name formula, derived flags
// (IsClosed/IsWon), the default schema's CrmSync_Link_Id__c, and 404s.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startSalesforce,
  tap,
  sfReject,
  assertId,
  unusedId,
  uniq,
  parseSfDate,
  SF_DATETIME,
  VERSION,
} from './lib/sf.mjs';

let sf;
let conn;
let me;
before(async () => {
  sf = await startSalesforce();
  conn = await sf.login();
  me = conn.userInfo.id;
});
after(async () => {
  await sf?.stop();
});

test('create Lead: 201 {id, success, errors}, 18-char 00Q id with a valid checksum', async () => {
  const wire = tap(conn);
  const res = await conn.sobject('Lead').create({ LastName: 'Lovelace', FirstName: 'Ada', Company: 'Analytical Engines' });
  assert.deepEqual(Object.keys(res).sort(), ['errors', 'id', 'success']);
  assert.equal(res.success, true);
  assert.deepEqual(res.errors, []);
  assertId(res.id, '00Q');
  assert.equal(wire.last().status, 201);
  assert.match(wire.last().headers['content-type'], /^application\/json(;|$)/);
});

test('retrieve: attributes first, every field present (nulls as null), audit fields by the server', async () => {
  const t0 = await sf.now();
  const { id } = await conn.sobject('Lead').create({ LastName: 'Hopper', FirstName: 'Grace', Company: 'Navy', Email: 'grace@navy.example' });
  const rec = await conn.sobject('Lead').retrieve(id);
  assert.equal(Object.keys(rec)[0], 'attributes');
  assert.deepEqual(rec.attributes, { type: 'Lead', url: `/services/data/v${VERSION}/sobjects/Lead/${id}` });
  assert.equal(rec.Id, id);
  assert.equal(rec.LastName, 'Hopper');
  assert.equal(rec.Email, 'grace@navy.example');
  assert.equal(rec.IsDeleted, false);
  assert.equal(rec.MasterRecordId, null);
  assert.equal(rec.IsConverted, false);
  assert.ok('Phone' in rec && rec.Phone === null, 'unset fields come back as null');
  assert.ok('CrmSync_Link_Id__c' in rec, 'default schema adds CrmSync_Link_Id__c');
  for (const f of ['CreatedDate', 'LastModifiedDate', 'SystemModstamp']) {
    assert.match(rec[f], SF_DATETIME, f);
    assert.ok(Math.abs(parseSfDate(rec[f]) - t0) < 5000, `${f} near server now`);
  }
  assert.equal(rec.CreatedById, me);
  assert.equal(rec.LastModifiedById, me);
  assertId(rec.OwnerId, '005');
  assert.ok(rec.Status, 'Status defaulted from the picklist default');
});

test('Name is a read-only formula of FirstName and LastName on Lead and Contact', async () => {
  const { id } = await conn.sobject('Contact').create({ FirstName: 'Alan', LastName: 'Turing' });
  let rec = await conn.sobject('Contact').retrieve(id);
  assert.equal(rec.Name, 'Alan Turing');
  await conn.sobject('Contact').update({ Id: id, FirstName: 'A. M.' });
  rec = await conn.sobject('Contact').retrieve(id);
  assert.equal(rec.Name, 'A. M. Turing');
  const lead = await conn.sobject('Lead').create({ LastName: 'Solo', Company: 'X' });
  assert.equal((await conn.sobject('Lead').retrieve(lead.id)).Name, 'Solo');
  const err = await sfReject(conn.sobject('Contact').update({ Id: id, Name: 'Someone Else' }), 'INVALID_FIELD_FOR_INSERT_UPDATE');
  assert.match(err.message, /Unable to create\/update fields: Name\./);
});

test('retrieve with ?fields returns only those fields', async () => {
  const { id } = await conn.sobject('Contact').create({ LastName: 'Fields', Email: 'f@x.example', Phone: '555' });
  const rec = await conn.sobject('Contact').retrieve(id, { fields: ['Email', 'LastName'] });
  assert.equal(rec.Email, 'f@x.example');
  assert.equal(rec.LastName, 'Fields');
  assert.equal(rec.attributes.type, 'Contact');
  assert.equal('Phone' in rec, false);
});

test('15-char ids and case-changed 18-char ids address the same record; answers use 18 chars', async () => {
  const { id } = await conn.sobject('Account').create({ Name: 'Fifteen Inc' });
  const r15 = await conn.sobject('Account').retrieve(id.slice(0, 15));
  assert.equal(r15.Id, id);
  const q15 = await conn.query(`SELECT Id FROM Account WHERE Id = '${id.slice(0, 15)}'`);
  assert.deepEqual(q15.records.map((r) => r.Id), [id], 'SOQL matches a 15-char id literal');
  const r18 = await conn.sobject('Account').retrieve(id.slice(0, 15) + id.slice(15).toLowerCase());
  assert.equal(r18.Id, id);
  await conn.sobject('Account').update({ Id: id.slice(0, 15), Website: 'fifteen.example' });
  assert.equal((await conn.sobject('Account').retrieve(id)).Website, 'fifteen.example');
});

test('update: 204 (jsforce synthesises success), LastModifiedDate/SystemModstamp move, CreatedDate stays', async () => {
  const { id } = await conn.sobject('Contact').create({ LastName: 'Stamp' });
  const r1 = await conn.sobject('Contact').retrieve(id);
  await sf.control('PUT', '/__emu/clock', { advance_ms: 5000 });
  const wire = tap(conn);
  const res = await conn.sobject('Contact').update({ Id: id, Title: 'Engineer' });
  assert.deepEqual(res, { id, success: true, errors: [] });
  assert.equal(wire.last().status, 204);
  assert.equal(wire.last().body, '');
  const r2 = await conn.sobject('Contact').retrieve(id);
  assert.equal(r2.Title, 'Engineer');
  assert.equal(r2.CreatedDate, r1.CreatedDate);
  assert.ok(parseSfDate(r2.LastModifiedDate) - parseSfDate(r1.LastModifiedDate) >= 5000);
  assert.ok(parseSfDate(r2.SystemModstamp) - parseSfDate(r1.SystemModstamp) >= 5000);
  // null clears a field; omitted fields stay
  await conn.sobject('Contact').update({ Id: id, Title: null });
  const r3 = await conn.sobject('Contact').retrieve(id);
  assert.equal(r3.Title, null);
  assert.equal(r3.LastName, 'Stamp');
});

test('destroy: 204, then GET/PATCH/DELETE on the id answer 404 ENTITY_IS_DELETED', async () => {
  const { id } = await conn.sobject('Lead').create({ LastName: 'Gone', Company: 'Bin' });
  const wire = tap(conn);
  const res = await conn.sobject('Lead').destroy(id);
  assert.deepEqual(res, { id, success: true, errors: [] });
  assert.equal(wire.last().status, 204);
  const e1 = await sfReject(conn.sobject('Lead').retrieve(id), 'ENTITY_IS_DELETED');
  assert.equal(e1.message, 'entity is deleted');
  assert.equal(wire.last().status, 404);
  await sfReject(conn.sobject('Lead').update({ Id: id, LastName: 'Back' }), 'ENTITY_IS_DELETED');
  await sfReject(conn.sobject('Lead').destroy(id), 'ENTITY_IS_DELETED');
});

test('unknown id and unknown object: 404 NOT_FOUND', async () => {
  const wire = tap(conn);
  await sfReject(conn.sobject('Contact').retrieve(unusedId('003')), 'NOT_FOUND');
  assert.equal(wire.last().status, 404);
  const e = await sfReject(conn.sobject('NoSuchThing__c').create({ Name: 'x' }), 'NOT_FOUND');
  assert.equal(e.message, 'The requested resource does not exist');
});

test('every synced object is created with its key prefix and read back', async () => {
  const acct = await conn.sobject('Account').create({ Name: uniq('Acct') });
  assertId(acct.id, '001');
  const contact = await conn.sobject('Contact').create({ LastName: 'Byron', AccountId: acct.id });
  assertId(contact.id, '003');
  const opp = await conn.sobject('Opportunity').create({ Name: 'Big deal', StageName: 'Prospecting', CloseDate: '2030-01-31', AccountId: acct.id, Amount: 1200.5 });
  assertId(opp.id, '006');
  const ocr = await conn.sobject('OpportunityContactRole').create({ OpportunityId: opp.id, ContactId: contact.id, Role: 'Decision Maker', IsPrimary: true });
  assertId(ocr.id, '00K');
  const kase = await conn.sobject('Case').create({ Subject: 'Broken', Status: 'New', Origin: 'Email', Priority: 'High', ContactId: contact.id, AccountId: acct.id });
  assertId(kase.id, '500');
  const task = await conn.sobject('Task').create({ Subject: 'Call', Status: 'Not Started', Priority: 'Normal', WhoId: contact.id, WhatId: opp.id, ActivityDate: '2030-02-01' });
  assertId(task.id, '00T');
  const event = await conn.sobject('Event').create({ Subject: 'Meet', ActivityDateTime: '2030-02-01T10:00:00.000+0000', DurationInMinutes: 30, WhoId: contact.id });
  assertId(event.id, '00U');
  const camp = await conn.sobject('Campaign').create({ Name: uniq('Camp'), IsActive: true });
  assertId(camp.id, '701');
  const cm = await conn.sobject('CampaignMember').create({ CampaignId: camp.id, ContactId: contact.id, Status: 'Sent' });
  assertId(cm.id, '00v');

  const o = await conn.sobject('Opportunity').retrieve(opp.id);
  assert.equal(o.Amount, 1200.5);
  assert.equal(o.CloseDate, '2030-01-31');
  assert.equal(o.AccountId, acct.id);
  const t = await conn.sobject('Task').retrieve(task.id);
  assert.equal(t.WhoId, contact.id);
  assert.equal(t.WhatId, opp.id);
  assert.equal(t.ActivityDate, '2030-02-01');
  assert.equal(t.IsClosed, false);
  const e = await conn.sobject('Event').retrieve(event.id);
  assert.equal(e.ActivityDateTime, '2030-02-01T10:00:00.000+0000');
  const c = await conn.sobject('Case').retrieve(kase.id);
  assert.match(c.CaseNumber, /^\d+$/, 'CaseNumber is an auto-number');
  assert.equal(c.IsClosed, false);
});

test('read-only reference objects are there: User, RecordType, BusinessProcess, CaseStatus', async () => {
  const users = await conn.query('SELECT Id, Username, Email, IsActive, Name FROM User');
  assert.ok(users.totalSize >= 2, 'the integration user and a few others');
  users.records.forEach((u) => assertId(u.Id, '005'));
  assert.ok(users.records.some((u) => u.Id === me));
  const rts = await conn.query('SELECT Id, Name, DeveloperName, SobjectType, BusinessProcessId, IsActive FROM RecordType');
  rts.records.forEach((r) => assertId(r.Id, '012'));
  const bps = await conn.query('SELECT Id, Name, TableEnumOrId, IsActive FROM BusinessProcess');
  bps.records.forEach((b) => assertId(b.Id, '019'));
  const statuses = await conn.query('SELECT Id, MasterLabel, IsClosed, IsDefault FROM CaseStatus');
  assert.ok(statuses.records.some((s) => s.MasterLabel === 'Closed' && s.IsClosed === true));
  assert.ok(statuses.records.some((s) => s.IsClosed === false));
});

test('derived flags: Opportunity IsClosed/IsWon from the stage, Case IsClosed from the status', async () => {
  const { id } = await conn.sobject('Opportunity').create({ Name: 'Won', StageName: 'Prospecting', CloseDate: '2030-01-01' });
  let o = await conn.sobject('Opportunity').retrieve(id);
  assert.equal(o.IsClosed, false);
  assert.equal(o.IsWon, false);
  await conn.sobject('Opportunity').update({ Id: id, StageName: 'Closed Won' });
  o = await conn.sobject('Opportunity').retrieve(id);
  assert.equal(o.IsClosed, true);
  assert.equal(o.IsWon, true);
  assert.equal(o.Probability, 100, 'probability follows the stage');
  await conn.sobject('Opportunity').update({ Id: id, StageName: 'Closed Lost' });
  o = await conn.sobject('Opportunity').retrieve(id);
  assert.equal(o.IsClosed, true);
  assert.equal(o.IsWon, false);
  const e = await sfReject(conn.sobject('Opportunity').update({ Id: id, IsWon: true }), 'INVALID_FIELD_FOR_INSERT_UPDATE');
  assert.match(e.message, /^Unable to create\/update fields: IsWon\. Please check the security settings of this field/);

  const k = await conn.sobject('Case').create({ Subject: 'x', Status: 'New', Origin: 'Web' });
  await conn.sobject('Case').update({ Id: k.id, Status: 'Closed' });
  const c = await conn.sobject('Case').retrieve(k.id);
  assert.equal(c.IsClosed, true);
  assert.match(c.ClosedDate, SF_DATETIME);

  const t = await conn.sobject('Task').create({ Subject: 'Do', Status: 'Not Started', Priority: 'High' });
  let task = await conn.sobject('Task').retrieve(t.id);
  assert.equal(task.IsClosed, false);
  assert.equal(task.IsHighPriority, true);
  await conn.sobject('Task').update({ Id: t.id, Status: 'Completed' });
  task = await conn.sobject('Task').retrieve(t.id);
  assert.equal(task.IsClosed, true);

  const camp = await conn.sobject('Campaign').create({ Name: uniq('Resp') });
  const lead = await conn.sobject('Lead').create({ LastName: 'Resp', Company: 'C' });
  const cm = await conn.sobject('CampaignMember').create({ CampaignId: camp.id, LeadId: lead.id, Status: 'Sent' });
  assert.equal((await conn.sobject('CampaignMember').retrieve(cm.id)).HasResponded, false);
  await conn.sobject('CampaignMember').update({ Id: cm.id, Status: 'Responded' });
  assert.equal((await conn.sobject('CampaignMember').retrieve(cm.id)).HasResponded, true);
});

test('CrmSync_Link_Id__c exists on Lead, Contact, Account, Opportunity, Case and Task', async () => {
  const link = uniq('L');
  const make = {
    Lead: { LastName: 'L', Company: 'C' },
    Contact: { LastName: 'C' },
    Account: { Name: 'A' },
    Opportunity: { Name: 'O', StageName: 'Prospecting', CloseDate: '2030-01-01' },
    Case: { Subject: 'S', Status: 'New', Origin: 'Web' },
    Task: { Subject: 'T', Status: 'Not Started', Priority: 'Normal' },
  };
  for (const [type, rec] of Object.entries(make)) {
    const v = `${link}-${type}`;
    const { id } = await conn.sobject(type).create({ ...rec, CrmSync_Link_Id__c: v });
    const got = await conn.sobject(type).retrieve(id, { fields: ['CrmSync_Link_Id__c'] });
    assert.equal(got.CrmSync_Link_Id__c, v, type);
  }
});

test('relationship: Contact.AccountId is a lookup readable as Account.Name in SOQL', async () => {
  const acct = await conn.sobject('Account').create({ Name: 'Parent Co' });
  const c = await conn.sobject('Contact').create({ LastName: 'Child', AccountId: acct.id });
  const r = await conn.query(`SELECT Id, Account.Name, Owner.Username FROM Contact WHERE Id = '${c.id}'`);
  assert.equal(r.records[0].Account.Name, 'Parent Co');
  assert.equal(r.records[0].Account.attributes.type, 'Account');
  assert.equal(r.records[0].Owner.Username, 'integration@crmsync.test');
});
