// Tasks and Events through jsforce, as an activity sync uses them: the fields it maps (Subject,
// Description, ActivityDate as a date, Status and the derived IsClosed, Priority, Type,
// TaskSubtype, WhoId, WhatId, OwnerId), AccountId as Salesforce derives it, a WhatId refused
// next to a Lead WhoId, Event times, upserts on CrmSync_Link_Id__c (Task and Event), and the
// incremental read with queryAll over SystemModstamp windows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSalesforce, tap, sfReject, assertId, uniq, soqlDateTime, sleep, SF_DATE, SF_DATETIME } from './lib/sf.mjs';

const EXT = 'CrmSync_Link_Id__c';
let sf;
let conn;
let owner;
let account;
let account2;
let contact;
let lead;
let opp;
let kase;

before(async () => {
  sf = await startSalesforce();
  conn = await sf.login();
  owner = (await conn.query("SELECT Id FROM User WHERE Username = 'priya.patel@crmsync.test'")).records[0].Id;
  account = (await conn.sobject('Account').create({ Name: 'Activity Account' })).id;
  account2 = (await conn.sobject('Account').create({ Name: 'Other Account' })).id;
  contact = (await conn.sobject('Contact').create({ LastName: 'Doer', AccountId: account })).id;
  lead = (await conn.sobject('Lead').create({ LastName: 'Prospect', Company: 'Lead Co' })).id;
  opp = (await conn.sobject('Opportunity').create({ Name: 'Activity opp', StageName: 'Prospecting', CloseDate: '2030-01-01', AccountId: account2 })).id;
  kase = (await conn.sobject('Case').create({ Subject: 'Activity case', AccountId: account2 })).id;
});
after(async () => {
  await sf?.stop();
});

const TASK = 'Id, Subject, Description, ActivityDate, Status, IsClosed, Priority, IsHighPriority, Type, TaskSubtype, WhoId, WhatId, AccountId, OwnerId, CrmSync_Link_Id__c, IsDeleted, SystemModstamp';

async function task(id) {
  return (await conn.query(`SELECT ${TASK} FROM Task WHERE Id = '${id}'`)).records[0];
}

test('TaskStatus lists Status values with IsClosed; describe Task lists Type, Priority and TaskSubtype', async () => {
  const st = await conn.query('SELECT ApiName, IsClosed, IsDefault, SortOrder FROM TaskStatus ORDER BY SortOrder');
  assert.deepEqual(st.records.map((r) => r.ApiName), ['Not Started', 'In Progress', 'Completed', 'Waiting on someone else', 'Deferred']);
  assert.deepEqual(st.records.filter((r) => r.IsClosed).map((r) => r.ApiName), ['Completed']);
  assert.deepEqual(st.records.filter((r) => r.IsDefault).map((r) => r.ApiName), ['Not Started']);
  const d = await conn.describe('Task');
  const f = (n) => d.fields.find((x) => x.name === n);
  assert.deepEqual(f('Type').picklistValues.map((v) => v.value), ['Call', 'Email', 'Meeting', 'Other']);
  assert.deepEqual(f('Priority').picklistValues.map((v) => v.value), ['High', 'Normal', 'Low']);
  for (const v of ['Task', 'Email', 'Call']) assert.ok(f('TaskSubtype').picklistValues.some((p) => p.value === v), `TaskSubtype ${v}`);
  assert.equal(f('TaskSubtype').updateable, false);
  assert.equal(f('TaskSubtype').createable, true);
  assert.equal(f('ActivityDate').type, 'date');
  assert.equal(f('IsClosed').createable, false);
  assert.equal(f(EXT).externalId, true);
  const e = await conn.describe('Event');
  assert.equal(e.fields.find((x) => x.name === EXT)?.externalId, true, 'Event has the link id too');
});

test('a task with every mapped field; IsClosed and IsHighPriority are derived', async () => {
  const key = uniq('act');
  const res = await conn.sobject('Task').create({
    Subject: 'Call: Discovery',
    Description: 'Talked budget.',
    ActivityDate: '2024-05-02',
    Status: 'Not Started',
    Priority: 'High',
    Type: 'Call',
    TaskSubtype: 'Call',
    WhoId: contact,
    WhatId: opp,
    OwnerId: owner,
    [EXT]: key,
  });
  assertId(res.id, '00T');
  let t = await task(res.id);
  assert.equal(t.ActivityDate, '2024-05-02');
  assert.match(t.ActivityDate, SF_DATE);
  assert.equal(t.Subject, 'Call: Discovery');
  assert.equal(t.Description, 'Talked budget.');
  assert.equal(t.Type, 'Call');
  assert.equal(t.TaskSubtype, 'Call');
  assert.equal(t.WhoId, contact);
  assert.equal(t.WhatId, opp);
  assert.equal(t.OwnerId, owner);
  assert.equal(t[EXT], key);
  assert.equal(t.IsClosed, false);
  assert.equal(t.IsHighPriority, true);
  assert.match(t.SystemModstamp, SF_DATETIME);
  await conn.sobject('Task').update({ Id: res.id, Status: 'Completed', Priority: 'Normal' });
  t = await task(res.id);
  assert.equal(t.IsClosed, true);
  assert.equal(t.IsHighPriority, false);
  // derived and create-only fields cannot be written on update
  await sfReject(conn.sobject('Task').update({ Id: res.id, IsClosed: false }), 'INVALID_FIELD_FOR_INSERT_UPDATE');
  await sfReject(conn.sobject('Task').update({ Id: res.id, TaskSubtype: 'Email' }), 'INVALID_FIELD_FOR_INSERT_UPDATE');
  // a due date with a time is not a date
  await sfReject(conn.sobject('Task').create({ Subject: 'x', ActivityDate: 'tomorrow' }), 'JSON_PARSER_ERROR');
});

test('defaults: Status Not Started, Priority Normal, TaskSubtype Task, the caller as owner', async () => {
  const me = (await conn.identity()).user_id;
  const res = await conn.sobject('Task').create({ Subject: 'Plain' });
  const t = await task(res.id);
  assert.equal(t.Status, 'Not Started');
  assert.equal(t.Priority, 'Normal');
  assert.equal(t.TaskSubtype, 'Task');
  assert.equal(t.OwnerId, me);
  assert.equal(t.IsClosed, false);
  await sfReject(conn.sobject('Task').create({ Subject: 'x', Status: 'Done' }), 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
  await sfReject(conn.sobject('Task').create({ Subject: 'x', Priority: 'Medium' }), 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
});

test('AccountId: from an Account or Opportunity WhatId; from the contact when WhatId is something else', async () => {
  const t1 = await conn.sobject('Task').create({ Subject: 'on account', WhoId: contact, WhatId: account2 });
  assert.equal((await task(t1.id)).AccountId, account2, 'WhatId an account');
  const t2 = await conn.sobject('Task').create({ Subject: 'on opp', WhoId: contact, WhatId: opp });
  assert.equal((await task(t2.id)).AccountId, account2, "WhatId an opportunity: the opportunity's account");
  const t3 = await conn.sobject('Task').create({ Subject: 'on case', WhoId: contact, WhatId: kase });
  assert.equal((await task(t3.id)).AccountId, account, "WhatId a case: the contact's account, not the case's");
  const t4 = await conn.sobject('Task').create({ Subject: 'case only', WhatId: kase });
  assert.equal((await task(t4.id)).AccountId, null, 'WhatId a case and no contact: none');
  const t5 = await conn.sobject('Task').create({ Subject: 'contact only', WhoId: contact });
  assert.equal((await task(t5.id)).AccountId, account);
  const t6 = await conn.sobject('Task').create({ Subject: 'lead only', WhoId: lead });
  const r6 = await task(t6.id);
  assert.equal(r6.AccountId, null);
  assert.equal(r6.WhoId, lead);
  // the account follows later changes
  await conn.sobject('Task').update({ Id: t5.id, WhatId: account2 });
  assert.equal((await task(t5.id)).AccountId, account2);
  await conn.sobject('Task').update({ Id: t5.id, WhatId: null });
  assert.equal((await task(t5.id)).AccountId, account);
});

test('a WhatId next to a Lead WhoId is refused (FIELD_INTEGRITY_EXCEPTION), on create and update', async () => {
  const e = await sfReject(conn.sobject('Task').create({ Subject: 'x', WhoId: lead, WhatId: account }), 'FIELD_INTEGRITY_EXCEPTION');
  assert.ok(e.data.fields.includes('WhatId'), JSON.stringify(e.data));
  const t = await conn.sobject('Task').create({ Subject: 'lead task', WhoId: lead });
  await sfReject(conn.sobject('Task').update({ Id: t.id, WhatId: opp }), 'FIELD_INTEGRITY_EXCEPTION');
  const c = await conn.sobject('Task').create({ Subject: 'contact task', WhoId: contact, WhatId: opp });
  await sfReject(conn.sobject('Task').update({ Id: c.id, WhoId: lead }), 'FIELD_INTEGRITY_EXCEPTION');
  await conn.sobject('Task').update({ Id: c.id, WhoId: lead, WhatId: null });
  assert.equal((await task(c.id)).WhoId, lead);
  // the same rule holds for events
  await sfReject(
    conn.sobject('Event').create({ Subject: 'x', WhoId: lead, WhatId: opp, StartDateTime: '2024-05-02T14:00:00.000Z', DurationInMinutes: 30 }),
    'FIELD_INTEGRITY_EXCEPTION',
  );
  // and a WhoId or WhatId of the wrong kind is refused
  await sfReject(conn.sobject('Task').create({ Subject: 'x', WhoId: account }), 'FIELD_INTEGRITY_EXCEPTION');
  await sfReject(conn.sobject('Task').create({ Subject: 'x', WhatId: contact }), 'FIELD_INTEGRITY_EXCEPTION');
});

test('events: Start and End or a duration; ActivityDateTime and ActivityDate follow the start', async () => {
  const key = uniq('ev');
  const a = await conn.sobject('Event').create({
    Subject: 'Meeting: Kickoff',
    Description: 'Agenda: scope',
    StartDateTime: '2024-05-02T14:00:00.000Z',
    EndDateTime: '2024-05-02T15:30:00.000Z',
    WhoId: contact,
    WhatId: opp,
    OwnerId: owner,
    Type: 'Meeting',
    [EXT]: key,
  });
  assertId(a.id, '00U');
  const F = 'Id, Subject, Description, StartDateTime, EndDateTime, DurationInMinutes, ActivityDateTime, ActivityDate, WhoId, WhatId, AccountId, OwnerId, Type, CrmSync_Link_Id__c';
  let e = (await conn.query(`SELECT ${F} FROM Event WHERE Id = '${a.id}'`)).records[0];
  assert.equal(e.DurationInMinutes, 90);
  assert.equal(e.ActivityDateTime, e.StartDateTime);
  assert.equal(e.ActivityDate, '2024-05-02');
  assert.equal(e.AccountId, account2);
  assert.equal(e.OwnerId, owner);
  assert.equal(e[EXT], key);
  assert.match(e.StartDateTime, SF_DATETIME);
  const b = await conn.sobject('Event').create({ Subject: 'By duration', ActivityDateTime: '2024-06-01T09:00:00.000Z', DurationInMinutes: 45, WhoId: lead });
  e = (await conn.query(`SELECT ${F} FROM Event WHERE Id = '${b.id}'`)).records[0];
  assert.equal(e.StartDateTime, e.ActivityDateTime);
  assert.equal(Date.parse(e.EndDateTime.replace('+0000', 'Z')) - Date.parse(e.StartDateTime.replace('+0000', 'Z')), 45 * 60000);
  assert.equal(e.AccountId, null);
  const m = await sfReject(conn.sobject('Event').create({ Subject: 'No time' }), 'REQUIRED_FIELD_MISSING');
  assert.match(m.message, /ActivityDateTime|DurationInMinutes/);
});

test('upsert on CrmSync_Link_Id__c for Task and Event, single and Collections', async () => {
  for (const [obj, base] of [
    ['Task', { Subject: 'Upserted task', ActivityDate: '2024-07-01', Status: 'Completed', WhoId: contact }],
    ['Event', { Subject: 'Upserted event', StartDateTime: '2024-07-01T10:00:00.000Z', DurationInMinutes: 30, WhoId: contact }],
  ]) {
    const key = uniq(obj);
    const wire = tap(conn);
    const ins = await conn.sobject(obj).upsert({ [EXT]: key, ...base }, EXT);
    assert.equal(wire.last().status, 201, obj);
    assert.equal(ins.created, true);
    const upd = await conn.sobject(obj).upsert({ [EXT]: key, Subject: `${base.Subject} again` }, EXT);
    assert.equal(wire.last().status, 200);
    assert.equal(upd.id, ins.id);
    assert.equal(upd.created, false);
    const k2 = uniq(obj);
    const many = await conn.sobject(obj).upsert(
      [
        { [EXT]: key, Description: 'batch' },
        { [EXT]: k2, ...base },
        { [EXT]: uniq(obj), ...base, WhoId: lead, WhatId: account },
      ],
      EXT,
      { allOrNone: false },
    );
    assert.deepEqual(many.map((r) => [r.success, r.created]), [[true, false], [true, true], [false, undefined]], obj);
    assert.equal(many[2].errors[0].statusCode, 'FIELD_INTEGRITY_EXCEPTION');
    const rows = await conn.query(`SELECT Id, Description FROM ${obj} WHERE ${EXT} = '${key}'`);
    assert.equal(rows.records[0].Description, 'batch');
  }
});

test('incremental read: SystemModstamp windows with queryAll on Task and Event, deletions included', async () => {
  const t1 = (await conn.sobject('Task').create({ Subject: 'win task', WhoId: contact })).id;
  const t2 = (await conn.sobject('Task').create({ Subject: 'win task 2', WhoId: contact })).id;
  const e1 = (await conn.sobject('Event').create({ Subject: 'win event', StartDateTime: '2024-08-01T10:00:00.000Z', DurationInMinutes: 15 })).id;
  await sleep(1100);
  const from = await sf.now();
  await sleep(1100);
  await conn.sobject('Task').update({ Id: t1, Status: 'Completed' });
  await conn.sobject('Task').destroy(t2);
  await conn.sobject('Event').destroy(e1);
  await sleep(1100);
  const to = await sf.now();
  const win = `SystemModstamp > ${soqlDateTime(from)} AND SystemModstamp <= ${soqlDateTime(to)}`;
  const tasks = await conn.query(`SELECT Id, IsDeleted, IsClosed FROM Task WHERE ${win} ORDER BY SystemModstamp, Id`, { scanAll: true });
  assert.deepEqual(tasks.records.map((r) => [r.Id, r.IsDeleted]).sort(), [[t1, false], [t2, true]].sort());
  assert.equal(tasks.records.find((r) => r.Id === t1).IsClosed, true);
  const live = await conn.query(`SELECT Id FROM Task WHERE ${win}`);
  assert.deepEqual(live.records.map((r) => r.Id), [t1]);
  const events = await conn.query(`SELECT Id, IsDeleted FROM Event WHERE ${win}`, { scanAll: true });
  assert.deepEqual(events.records.map((r) => [r.Id, r.IsDeleted]), [[e1, true]]);
});
