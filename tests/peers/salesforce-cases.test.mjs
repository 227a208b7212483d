// Cases through jsforce, as a case <-> ticket sync uses them: the fields it maps, Status and
// IsClosed, record types and their business processes (a Status outside the record type's
// process is refused), the CaseStatus, RecordType and BusinessProcess metadata a stage map is
// built from, describe, upserts on CrmSync_Link_Id__c (single and Collections), and the
// incremental read: SystemModstamp windows with queryAll, deletions included.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSalesforce, tap, sfReject, assertId, uniq, soqlDateTime, parseSfDate, sleep, SF_DATETIME } from './lib/sf.mjs';

const EXT = 'CrmSync_Link_Id__c';
let sf;
let conn;
let rt; // DeveloperName -> RecordType row
let users;
let account;
let contact;

before(async () => {
  sf = await startSalesforce();
  conn = await sf.login();
  const rts = await conn.query("SELECT Id, Name, DeveloperName, BusinessProcessId, IsActive FROM RecordType WHERE SobjectType = 'Case'");
  rt = Object.fromEntries(rts.records.map((r) => [r.DeveloperName, r]));
  users = (await conn.query('SELECT Id, Username FROM User WHERE IsActive = true')).records;
  account = (await conn.sobject('Account').create({ Name: 'Case Account' })).id;
  contact = (await conn.sobject('Contact').create({ LastName: 'Caseperson', AccountId: account, Email: 'case.person@example.com' })).id;
});
after(async () => {
  await sf?.stop();
});

const FIELDS = 'Id, CaseNumber, Subject, Description, Priority, Origin, Type, Status, RecordTypeId, AccountId, ContactId, OwnerId, IsClosed, ClosedDate, CrmSync_Link_Id__c, IsDeleted, SystemModstamp, LastModifiedDate';

test('CaseStatus lists the Status values with IsClosed, IsDefault and SortOrder', async () => {
  const res = await conn.query('SELECT Id, MasterLabel, ApiName, IsClosed, IsDefault, SortOrder FROM CaseStatus ORDER BY SortOrder');
  const rows = res.records;
  assert.deepEqual(rows.map((r) => r.ApiName), ['New', 'Working', 'Escalated', 'On Hold', 'Closed']);
  for (const r of rows) {
    assertId(r.Id, '01J');
    assert.equal(r.MasterLabel, r.ApiName);
    assert.equal(typeof r.SortOrder, 'number');
  }
  assert.deepEqual(rows.filter((r) => r.IsDefault).map((r) => r.ApiName), ['New']);
  assert.deepEqual(rows.filter((r) => r.IsClosed).map((r) => r.ApiName), ['Closed']);
  const closed = await conn.query('SELECT ApiName FROM CaseStatus WHERE IsClosed = true');
  assert.deepEqual(closed.records.map((r) => r.ApiName), ['Closed']);
});

test('Case record types point at business processes of TableEnumOrId Case', async () => {
  const bps = await conn.query("SELECT Id, Name, IsActive, TableEnumOrId FROM BusinessProcess WHERE TableEnumOrId = 'Case'");
  const byId = Object.fromEntries(bps.records.map((b) => [b.Id, b]));
  assert.deepEqual(bps.records.map((b) => b.Name).sort(), ['Billing Process', 'Support Process']);
  for (const b of bps.records) {
    assertId(b.Id, '019');
    assert.equal(b.IsActive, true);
  }
  assert.deepEqual(Object.keys(rt).sort(), ['Billing', 'Support']);
  assert.equal(byId[rt.Support.BusinessProcessId].Name, 'Support Process');
  assert.equal(byId[rt.Billing.BusinessProcessId].Name, 'Billing Process');
  for (const r of Object.values(rt)) assertId(r.Id, '012');
  // the relationship query a sync may use instead
  const rel = await conn.query("SELECT DeveloperName, BusinessProcess.Name FROM RecordType WHERE SobjectType = 'Case' ORDER BY DeveloperName");
  assert.deepEqual(rel.records.map((r) => [r.DeveloperName, r.BusinessProcess.Name]), [['Billing', 'Billing Process'], ['Support', 'Support Process']]);
});

test('describe Case: the Status picklist, Priority and Origin values, recordTypeInfos', async () => {
  const d = await conn.describe('Case');
  const f = (n) => d.fields.find((x) => x.name === n);
  assert.deepEqual(f('Status').picklistValues.map((v) => v.value), ['New', 'Working', 'Escalated', 'On Hold', 'Closed']);
  assert.equal(f('Status').picklistValues.find((v) => v.defaultValue).value, 'New');
  assert.deepEqual(f('Priority').picklistValues.map((v) => v.value), ['High', 'Medium', 'Low']);
  assert.deepEqual(f('Origin').picklistValues.map((v) => v.value), ['Phone', 'Email', 'Web']);
  assert.equal(f('IsClosed').updateable, false);
  assert.equal(f('IsClosed').createable, false);
  assert.equal(f(EXT).externalId, true);
  const infos = Object.fromEntries(d.recordTypeInfos.map((r) => [r.developerName, r]));
  assert.equal(infos.Support.recordTypeId, rt.Support.Id);
  assert.equal(infos.Support.defaultRecordTypeMapping, true);
  assert.equal(infos.Billing.recordTypeId, rt.Billing.Id);
  assert.equal(infos.Billing.defaultRecordTypeMapping, false);
  assert.ok(d.recordTypeInfos.some((r) => r.master));
});

test('create with every mapped field; IsClosed and ClosedDate follow Status', async () => {
  const owner = users.find((u) => u.Username === 'sam.seller@crmsync.test').Id;
  const key = uniq('case');
  const res = await conn.sobject('Case').create({
    Subject: 'Printer on fire',
    Description: 'Room 4. Again.',
    Priority: 'High',
    Origin: 'Phone',
    Type: 'Problem',
    Status: 'New',
    RecordTypeId: rt.Billing.Id,
    AccountId: account,
    ContactId: contact,
    OwnerId: owner,
    [EXT]: key,
  });
  assertId(res.id, '500');
  const [c] = (await conn.query(`SELECT ${FIELDS} FROM Case WHERE Id = '${res.id}'`)).records;
  assert.equal(c.Subject, 'Printer on fire');
  assert.equal(c.Description, 'Room 4. Again.');
  assert.equal(c.Priority, 'High');
  assert.equal(c.Origin, 'Phone');
  assert.equal(c.Type, 'Problem');
  assert.equal(c.RecordTypeId, rt.Billing.Id);
  assert.equal(c.AccountId, account);
  assert.equal(c.ContactId, contact);
  assert.equal(c.OwnerId, owner);
  assert.equal(c[EXT], key);
  assert.equal(c.IsClosed, false);
  assert.equal(c.ClosedDate, null);
  assert.match(c.CaseNumber, /^\d{8}$/);
  assert.match(c.SystemModstamp, SF_DATETIME);

  await conn.sobject('Case').update({ Id: res.id, Status: 'Closed' });
  let r = await conn.sobject('Case').retrieve(res.id);
  assert.equal(r.IsClosed, true);
  assert.match(r.ClosedDate, SF_DATETIME);
  await conn.sobject('Case').update({ Id: res.id, Status: 'On Hold' });
  r = await conn.sobject('Case').retrieve(res.id);
  assert.equal(r.IsClosed, false);
  assert.equal(r.ClosedDate, null);
  // IsClosed is derived, never written
  const e = await sfReject(conn.sobject('Case').update({ Id: res.id, IsClosed: true }), 'INVALID_FIELD_FOR_INSERT_UPDATE');
  assert.match(e.message, /IsClosed/);
});

test('without RecordTypeId a case gets the default record type and Status; a queue may own it', async () => {
  const queue = (await conn.query("SELECT Id FROM Group WHERE Type = 'Queue' AND Name = 'Support Queue'")).records[0].Id;
  const res = await conn.sobject('Case').create({ Subject: 'Defaults', Origin: 'Web', OwnerId: queue });
  const r = await conn.sobject('Case').retrieve(res.id);
  assert.equal(r.RecordTypeId, rt.Support.Id);
  assert.equal(r.Status, 'New');
  assert.equal(r.Priority, 'Medium');
  assert.equal(r.OwnerId, queue);
});

test("a Status outside the record type's business process is refused", async () => {
  // Working is in the Support Process, not in the Billing Process
  const e = await sfReject(
    conn.sobject('Case').create({ Subject: 'Bad status', Status: 'Working', RecordTypeId: rt.Billing.Id }),
    'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
  );
  assert.match(e.message, /Working/);
  assert.deepEqual(e.data.fields, ['Status']);
  const ok = await conn.sobject('Case').create({ Subject: 'Good status', Status: 'Working', RecordTypeId: rt.Support.Id });
  assert.equal(ok.success, true);
  // moving it to Billing with Status Working is refused too; with a Billing status it is fine
  await sfReject(conn.sobject('Case').update({ Id: ok.id, RecordTypeId: rt.Billing.Id }), 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
  await conn.sobject('Case').update({ Id: ok.id, RecordTypeId: rt.Billing.Id, Status: 'On Hold' });
  assert.equal((await conn.sobject('Case').retrieve(ok.id)).RecordTypeId, rt.Billing.Id);
  // Priority is a restricted picklist
  await sfReject(conn.sobject('Case').create({ Subject: 'x', Priority: 'Urgent' }), 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
  // a record type of another object is not a Case record type
  const oppRt = (await conn.query("SELECT Id FROM RecordType WHERE SobjectType = 'Opportunity' LIMIT 1")).records[0].Id;
  await sfReject(conn.sobject('Case').create({ Subject: 'x', RecordTypeId: oppRt }), 'INVALID_CROSS_REFERENCE_KEY');
});

test('upsert on CrmSync_Link_Id__c: PATCH by external id, then Collections upsert', async () => {
  const key = uniq('T');
  const wire = tap(conn);
  const ins = await conn.sobject('Case').upsert({ [EXT]: key, Subject: 'From ticket', Status: 'New', Priority: 'Low', Origin: 'Email' }, EXT);
  assert.equal(wire.last().status, 201);
  assert.equal(ins.created, true);
  const upd = await conn.sobject('Case').upsert({ [EXT]: key, Status: 'Escalated' }, EXT);
  assert.equal(wire.last().status, 200);
  assert.deepEqual(upd, { id: ins.id, success: true, errors: [], created: false });
  assert.equal((await conn.sobject('Case').retrieve(ins.id)).Status, 'Escalated');

  const k2 = uniq('T');
  const many = await conn.sobject('Case').upsert(
    [
      { [EXT]: key, Priority: 'High' },
      { [EXT]: k2, Subject: 'Second', Status: 'New' },
      { [EXT]: uniq('T'), Subject: 'Bad', Status: 'Nope' },
    ],
    EXT,
    { allOrNone: false },
  );
  assert.equal(many[0].success, true);
  assert.equal(many[0].created, false);
  assert.equal(many[0].id, ins.id);
  assert.equal(many[1].success, true);
  assert.equal(many[1].created, true);
  assert.equal(many[2].success, false);
  assert.equal(many[2].errors[0].statusCode, 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
  const byKey = await conn.query(`SELECT Id, Priority FROM Case WHERE ${EXT} IN ('${key}', '${k2}') ORDER BY Subject`);
  assert.equal(byKey.totalSize, 2);
});

test('incremental read: SystemModstamp windows with queryAll see updates and deletions', async () => {
  const a = (await conn.sobject('Case').create({ Subject: 'Window A' })).id;
  const b = (await conn.sobject('Case').create({ Subject: 'Window B' })).id;
  await sleep(1100);
  const from = await sf.now();
  await sleep(1100);
  await conn.sobject('Case').update({ Id: a, Status: 'Escalated' });
  await conn.sobject('Case').destroy(b);
  await sleep(1100);
  const to = await sf.now();
  const q = `SELECT Id, Status, IsDeleted, SystemModstamp FROM Case WHERE SystemModstamp > ${soqlDateTime(from)} AND SystemModstamp <= ${soqlDateTime(to)} ORDER BY SystemModstamp, Id`;
  const live = await conn.query(q);
  assert.deepEqual(live.records.map((r) => r.Id), [a], 'query leaves the deleted case out');
  const all = await conn.query(q, { scanAll: true });
  assert.deepEqual(all.records.map((r) => r.Id).sort(), [a, b].sort(), 'queryAll includes it');
  const del = all.records.find((r) => r.Id === b);
  assert.equal(del.IsDeleted, true);
  for (const r of all.records) {
    const t = parseSfDate(r.SystemModstamp);
    assert.ok(t > new Date(soqlDateTime(from)) && t <= new Date(soqlDateTime(to)));
  }
  const wire = tap(conn);
  await conn.query(q, { scanAll: true });
  assert.match(new URL(wire.last().url).pathname, /\/queryAll$/);
});
