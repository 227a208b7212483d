// Salesforce task sync (seed 003) through the real binaries: Salesforce tasks, email and call tasks
// and events become HubSpot tasks, emails, calls and meetings, one way, each type under its switch,
// with Assigned To, Related To, Due Date (a UTC date, never shifted), Comments, Subject, Status and
// Priority; only what is created or updated once task sync is on (an import brings history); a
// task crmsync made from a HubSpot activity (timeline sync) is never synced back. Assigned To goes
// through the owner rules; Related To an opportunity or a case is the deal or the ticket; a
// contact that has not synced yet is waited for.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sleep, startPair, traceOf } from './lib/pair.mjs';
import { newBusinessPipeline } from './lib/deals.mjs';

let pair;
before(async () => {
  pair = await startPair();
});
after(async () => {
  await pair.stop();
});

const ON = 'settings:\n  salesforce_task_sync: true\n  deal_sync: false\n';
const live = async (type) => (await pair.hs.all(type)).filter((r) => !r.archived);
async function assocIds(from, id, to) {
  const r = await pair.hs.api('GET', `/crm/v4/objects/${from}/${id}/associations/${to}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.results.map((x) => String(x.toObjectId));
}

// A Salesforce account with a contact, synced; answers both sides' ids.
async function customer() {
  const acc = await pair.sf.create('Account', { Name: 'Analytical Engines' });
  const con = await pair.sf.create('Contact', { LastName: 'Lovelace', Email: 'ada@engines.example', AccountId: acc });
  await pair.sync();
  const company = (await live('companies')).find((c) => c.properties.name === 'Analytical Engines');
  const contact = (await live('contacts')).find((c) => c.properties.email === 'ada@engines.example');
  assert.ok(company && contact);
  return { acc, con, company: company.id, contact: contact.id };
}

test('tasks, email and call tasks and events become HubSpot activities with their fields and associations', async () => {
  await pair.reset(ON);
  const old = await pair.sf.create('Task', { Subject: 'Old task', Status: 'Not Started' });
  await sleep(1100); // Salesforce stamps whole seconds; the first read starts at its own
  const c = await customer();
  assert.equal((await live('tasks')).length, 0, 'turning task sync on imports nothing');

  await pair.sf.create('Task', {
    Subject: 'Send the quote',
    Description: 'Include shipping',
    ActivityDate: '2026-05-01',
    Status: 'In Progress',
    Priority: 'High',
    WhoId: c.con,
    WhatId: c.acc,
  });
  await pair.sf.create('Task', { Subject: 'Quote sent', TaskSubtype: 'Email', Description: 'See attached', ActivityDate: '2026-05-02', WhoId: c.con });
  await pair.sf.create('Task', { Subject: 'Discovery call', TaskSubtype: 'Call', ActivityDate: '2026-05-03', WhoId: c.con, Status: 'Completed' });
  await pair.sf.create('Event', {
    Subject: 'Demo',
    StartDateTime: '2026-05-04T15:00:00.000Z',
    EndDateTime: '2026-05-04T16:00:00.000Z',
    Location: 'Room 1',
    WhoId: c.con,
  });
  await pair.sync();

  const [task] = await live('tasks');
  assert.ok(task, 'a HubSpot task');
  assert.equal(task.properties.hs_task_subject, 'Send the quote');
  assert.equal(task.properties.hs_task_body, 'Include shipping');
  assert.equal(new Date(Number(task.properties.hs_timestamp) || task.properties.hs_timestamp).toISOString(), '2026-05-01T00:00:00.000Z', 'the due date at 00:00 UTC');
  assert.equal(task.properties.hs_task_status, 'IN_PROGRESS');
  assert.equal(task.properties.hs_task_priority, 'HIGH');
  assert.deepEqual(await assocIds('tasks', task.id, 'contacts'), [c.contact]);
  assert.deepEqual(await assocIds('tasks', task.id, 'companies'), [c.company]);
  const [email] = await live('emails');
  assert.equal(email.properties.hs_email_subject, 'Quote sent');
  assert.equal(email.properties.hs_email_direction, 'EMAIL');
  const [call] = await live('calls');
  assert.equal(call.properties.hs_call_title, 'Discovery call');
  const [meeting] = await live('meetings');
  assert.equal(meeting.properties.hs_meeting_title, 'Demo');
  assert.equal(meeting.properties.hs_meeting_location, 'Room 1');
  for (const [type, r] of [['emails', email], ['calls', call], ['meetings', meeting]])
    assert.deepEqual(await assocIds(type, r.id, 'contacts'), [c.contact], `${type} on the contact`);
  assert.equal((await live('tasks')).length, 1, 'the old task did not sync');
  assert.ok(old);

  // an update flows; a second run writes nothing
  const sfTask = (await pair.sf.live('Task')).find((t) => t.Subject === 'Send the quote');
  await pair.sf.update('Task', sfTask.Id, { Status: 'Completed' });
  await pair.sync();
  assert.equal((await live('tasks'))[0].properties.hs_task_status, 'COMPLETED');
  await pair.resetStats();
  await pair.sync();
  assert.deepEqual(await pair.writes(), { hs: 0, sf: 0 });

  // the import brings history
  const imp = await pair.crmsync('import', 'salesforce', 'Task', '--where', "Subject = 'Old task'");
  assert.equal(imp.code, 0, imp.stderr);
  await pair.sync();
  assert.deepEqual((await live('tasks')).map((t) => t.properties.hs_task_subject).sort(), ['Old task', 'Send the quote']);
});

test('each type has its switch; a task crmsync made from a HubSpot note is not synced back', async () => {
  await pair.reset(ON + '  salesforce_emails: false\n  timeline_notes: true\n');
  const c = await customer();
  await sleep(5);
  await pair.sf.create('Task', { Subject: 'Mail', TaskSubtype: 'Email', ActivityDate: '2026-05-02', WhoId: c.con });
  await pair.sf.create('Task', { Subject: 'Todo', ActivityDate: '2026-05-02', WhoId: c.con });
  const note = await pair.hs.create('notes', { hs_timestamp: String(Date.now()), hs_note_body: 'From HubSpot' });
  const r = await pair.hs.api('PUT', `/crm/v4/objects/notes/${note}/associations/default/contacts/${c.contact}`);
  assert.equal(r.status, 200);
  await pair.sync();
  await pair.sync();
  assert.equal((await live('emails')).length, 0, 'salesforce_emails is off');
  assert.deepEqual((await live('tasks')).map((t) => t.properties.hs_task_subject), ['Todo']);
  const sfTasks = await pair.sf.live('Task');
  assert.ok(sfTasks.some((t) => t.Subject === 'Note: From HubSpot'), 'the note became a Salesforce task');
  assert.equal((await live('notes')).length, 1);
});

test('a due date stays the same day whatever time zone crmsync runs in', async () => {
  await pair.reset(ON + '  company_sync: false\n');
  const con = await pair.sf.create('Contact', { LastName: 'Hopper', Email: 'grace@navy.example' });
  await pair.sync();
  const saved = process.env.TZ;
  try {
    for (const [tz, day] of [
      ['Pacific/Kiritimati', '2026-07-01'], // UTC+14
      ['Pacific/Pago_Pago', '2026-07-02'], // UTC-11
    ]) {
      process.env.TZ = tz;
      await pair.sf.create('Task', { Subject: `Due in ${tz}`, ActivityDate: day, WhoId: con });
      await pair.sync();
      const t = (await live('tasks')).find((x) => x.properties.hs_task_subject === `Due in ${tz}`);
      assert.ok(t, tz);
      const at = Number(t.properties.hs_timestamp) || Date.parse(t.properties.hs_timestamp);
      assert.equal(new Date(at).toISOString(), `${day}T00:00:00.000Z`, `${tz}: the date at 00:00 UTC`);
    }
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
});

test('with task sync and timeline sync both on, a Salesforce task makes one HubSpot task and never comes back as a second Salesforce task', async () => {
  await pair.reset(ON + '  timeline_tasks: true\n  timeline_meetings: true\n');
  const c = await customer();
  await sleep(5);
  await pair.sf.create('Task', { Subject: 'Call back', ActivityDate: '2026-05-02', WhoId: c.con });
  await pair.sf.create('Event', { Subject: 'Lunch', StartDateTime: '2026-05-04T12:00:00.000Z', EndDateTime: '2026-05-04T13:00:00.000Z', WhoId: c.con });
  await pair.sync();
  await pair.sync();
  assert.equal((await live('tasks')).length, 1);
  assert.equal((await live('meetings')).length, 1);
  assert.deepEqual((await pair.sf.live('Task')).map((t) => t.Subject), ['Call back'], 'no echo task');
  assert.equal((await pair.sf.live('Event')).length, 1);
});

test('task sync turned off and on again reads only what changes from then on', async () => {
  await pair.reset(ON);
  const c = await customer();
  await sleep(5);
  await pair.sf.create('Task', { Subject: 'While on', ActivityDate: '2026-05-02', WhoId: c.con });
  await pair.sync();
  let r = await pair.crmsync('settings', 'set', 'salesforce_task_sync', 'false');
  assert.equal(r.code, 0, r.stderr);
  await pair.sync();
  await pair.sf.create('Task', { Subject: 'While off', ActivityDate: '2026-05-02', WhoId: c.con });
  await sleep(1100); // Salesforce stamps whole seconds
  r = await pair.crmsync('settings', 'set', 'salesforce_task_sync', 'true');
  assert.equal(r.code, 0, r.stderr);
  await pair.sync();
  await sleep(5);
  await pair.sf.create('Task', { Subject: 'On again', ActivityDate: '2026-05-02', WhoId: c.con });
  await pair.sync();
  assert.deepEqual((await live('tasks')).map((t) => t.properties.hs_task_subject).sort(), ['On again', 'While on']);
});

// A Salesforce contact (no account), synced; answers both sides' ids.
async function person(email, lastName = 'Hopper') {
  const con = await pair.sf.create('Contact', { LastName: lastName, Email: email });
  await pair.sync();
  const contact = (await live('contacts')).find((c) => c.properties.email === email);
  assert.ok(contact, `${email} synced`);
  return { con, contact: contact.id };
}
// One of each Salesforce activity type on this contact, labelled tag: [switch, Salesforce
// object, id, HubSpot type, HubSpot subject property, subject].
async function oneOfEach(con, tag) {
  const made = [];
  const add = async (sw, object, fields, type, prop) => {
    const id = await pair.sf.create(object, { ...fields, WhoId: con });
    made.push({ sw, object, id, type, prop, subject: fields.Subject });
  };
  await add('salesforce_tasks', 'Task', { Subject: `Todo ${tag}`, ActivityDate: '2026-05-02' }, 'tasks', 'hs_task_subject');
  await add('salesforce_emails', 'Task', { Subject: `Mail ${tag}`, TaskSubtype: 'Email', ActivityDate: '2026-05-02' }, 'emails', 'hs_email_subject');
  await add('salesforce_calls', 'Task', { Subject: `Ring ${tag}`, TaskSubtype: 'Call', ActivityDate: '2026-05-02' }, 'calls', 'hs_call_title');
  await add('salesforce_meetings', 'Event', { Subject: `Meet ${tag}`, StartDateTime: '2026-05-04T15:00:00.000Z', EndDateTime: '2026-05-04T16:00:00.000Z' }, 'meetings', 'hs_meeting_title');
  return made;
}

test('salesforce_tasks, salesforce_calls and salesforce_meetings each off alone stop only their own type', async () => {
  for (const off of ['salesforce_tasks', 'salesforce_calls', 'salesforce_meetings']) {
    await pair.reset(`${ON}  company_sync: false\n  ${off}: false\n`);
    const p = await person('grace@navy.example');
    await sleep(5);
    const made = await oneOfEach(p.con, off);
    await pair.sync();
    for (const m of made) {
      const subjects = (await live(m.type)).map((r) => r.properties[m.prop]);
      if (m.sw === off) {
        assert.deepEqual(subjects, [], `${off} is off: no HubSpot ${m.type}`);
        const x = await pair.explain('salesforce', m.object, m.id, '--json');
        assert.equal(x.link, null, `${m.object} ${m.id}: not linked`);
        if (m.object === 'Event') assert.deepEqual(x.decisions, [], 'events are not even read while meetings are off');
        else assert.match(traceOf(x), new RegExp(`: ${off} is off`), 'read with the other task types, and skipped');
      } else {
        assert.deepEqual(subjects, [m.subject], `${off} off leaves ${m.sw} on`);
      }
    }
  }
});

test('Assigned To goes through the owner rules; Related To an opportunity or a case becomes the deal or the ticket', async () => {
  await pair.reset('settings:\n  salesforce_task_sync: true\n  ticket_sync: true\n  new_record_type: contact\n');
  const users = Object.fromEntries((await pair.sf.all('User')).map((u) => [u.Email, u.Id]));
  const samHs = String((await pair.hs.emu.control('POST', '/__emu/owners', { email: 'sam.seller@crmsync.test', firstName: 'Sam', lastName: 'Seller' })).id);
  // a deal pipeline named like the opportunities' record type, its stages like theirs
  await newBusinessPipeline(pair);
  const c = await customer();
  const opp = await pair.sf.create('Opportunity', { Name: 'Engine order', StageName: 'Prospecting', CloseDate: '2026-12-01', AccountId: c.acc });
  const cs = await pair.sf.create('Case', { Subject: 'Gear slips', Status: 'New', AccountId: c.acc, ContactId: c.con });
  await pair.sync();
  const deal = (await pair.explain('salesforce', 'Opportunity', opp, '--json')).link?.hubspot_id;
  const ticket = (await pair.explain('salesforce', 'Case', cs, '--json')).link?.hubspot_id;
  assert.ok(deal && ticket, 'the opportunity and the case synced');
  await sleep(5);

  const made = {
    onDeal: await pair.sf.create('Task', { Subject: 'Price the order', ActivityDate: '2026-05-02', WhoId: c.con, WhatId: opp, OwnerId: users['sam.seller@crmsync.test'] }),
    onCase: await pair.sf.create('Task', { Subject: 'Reproduce the slip', ActivityDate: '2026-05-02', WhoId: c.con, WhatId: cs, OwnerId: users['priya.patel@crmsync.test'] }),
    meeting: await pair.sf.create('Event', { Subject: 'Order review', StartDateTime: '2026-05-04T15:00:00.000Z', EndDateTime: '2026-05-04T16:00:00.000Z', WhoId: c.con, WhatId: opp, OwnerId: users['sam.seller@crmsync.test'] }),
    call: await pair.sf.create('Task', { Subject: 'Support call', TaskSubtype: 'Call', ActivityDate: '2026-05-02', WhoId: c.con, WhatId: cs, OwnerId: users['sam.seller@crmsync.test'] }),
  };
  await pair.sync();
  const byTitle = async (type, prop) => Object.fromEntries((await live(type)).map((r) => [r.properties[prop], r]));
  const tasks = await byTitle('tasks', 'hs_task_subject');
  const onDeal = tasks['Price the order'];
  const onCase = tasks['Reproduce the slip'];
  const meeting = (await byTitle('meetings', 'hs_meeting_title'))['Order review'];
  const call = (await byTitle('calls', 'hs_call_title'))['Support call'];
  assert.ok(onDeal && onCase && meeting && call, 'every activity synced');

  // Assigned To: Sam has a HubSpot owner with his email; Priya has none, so no owner is set
  assert.equal(onDeal.properties.hubspot_owner_id, samHs);
  assert.equal(meeting.properties.hubspot_owner_id, samHs);
  assert.equal(call.properties.hubspot_owner_id, samHs);
  assert.ok(!onCase.properties.hubspot_owner_id, `Priya has no HubSpot owner: ${onCase.properties.hubspot_owner_id}`);
  assert.match(traceOf(await pair.explain('salesforce', 'Task', made.onDeal, '--json')), new RegExp(`hubspot_owner_id: Salesforce's owner is HubSpot owner ${samHs}`));

  // Related To: the deal, the ticket; no company (the WhatId is not an account); the contact
  for (const [type, r] of [['tasks', onDeal], ['meetings', meeting]]) {
    assert.deepEqual(await assocIds(type, r.id, 'deals'), [deal], `${type}: the opportunity's deal`);
    assert.deepEqual(await assocIds(type, r.id, 'tickets'), [], type);
  }
  for (const [type, r] of [['tasks', onCase], ['calls', call]]) {
    assert.deepEqual(await assocIds(type, r.id, 'tickets'), [ticket], `${type}: the case's ticket`);
    assert.deepEqual(await assocIds(type, r.id, 'deals'), [], type);
  }
  for (const [type, r] of [['tasks', onDeal], ['tasks', onCase], ['meetings', meeting], ['calls', call]]) {
    assert.deepEqual(await assocIds(type, r.id, 'contacts'), [c.contact], `${type}: the contact`);
    assert.deepEqual(await assocIds(type, r.id, 'companies'), [], `${type}: no company`);
  }
  assert.deepEqual((await pair.status()).errors, {}, 'no open errors');
});

test('a task whose contact has not synced yet waits for it ("waiting for contact to sync"), then is associated', async () => {
  await pair.reset(`${ON}  company_sync: false\n`);
  await pair.sync();
  await sleep(5);
  // a contact with no email does not reach HubSpot yet
  const con = await pair.sf.create('Contact', { LastName: 'Babbage' });
  const task = await pair.sf.create('Task', { Subject: 'Send the plans', ActivityDate: '2026-05-02', WhoId: con });
  await pair.sync();
  let [hsTask] = await live('tasks');
  assert.equal(hsTask?.properties.hs_task_subject, 'Send the plans', 'the task is made');
  assert.deepEqual(await assocIds('tasks', hsTask.id, 'contacts'), [], 'with no contact yet');
  let x = await pair.explain('salesforce', 'Task', task, '--json');
  assert.deepEqual(x.errors.map((e) => [e.category, e.message]),
    [['associations', `waiting for contact to sync: Salesforce contact ${con} has no HubSpot contact yet`]]);
  assert.deepEqual((await pair.status()).errors, { associations: 1, no_email: 1 }, 'the task waits; the contact has no email');

  // the contact gets an email and syncs: the task is associated with it, the error resolved
  await pair.sf.update('Contact', con, { Email: 'charles@engines.example' });
  await pair.sync();
  const contact = (await live('contacts')).find((c) => c.properties.email === 'charles@engines.example');
  assert.ok(contact, 'the contact synced');
  [hsTask] = await live('tasks');
  assert.equal((await live('tasks')).length, 1, 'still one task');
  assert.deepEqual(await assocIds('tasks', hsTask.id, 'contacts'), [contact.id]);
  x = await pair.explain('salesforce', 'Task', task, '--json');
  assert.deepEqual(x.errors, [], 'the wait is resolved');
  assert.match(traceOf(x), /the earlier associations error is resolved/);
  assert.deepEqual((await pair.status()).errors, {}, 'no open errors');
});

test('the import of Task and Event brings history, with its progress, and makes no second copy of what synced already', async () => {
  await pair.reset(`${ON}  company_sync: false\n`);
  const con = await pair.sf.create('Contact', { LastName: 'Somerville', Email: 'mary@physics.example' });
  await pair.sf.create('Task', { Subject: 'Old call back', ActivityDate: '2025-11-02', WhoId: con });
  await pair.sf.create('Task', { Subject: 'Old call', TaskSubtype: 'Call', ActivityDate: '2025-11-03', WhoId: con });
  await pair.sf.create('Event', { Subject: 'Old lunch', StartDateTime: '2025-11-04T12:00:00.000Z', EndDateTime: '2025-11-04T13:00:00.000Z', WhoId: con });
  await sleep(1100); // Salesforce stamps whole seconds; the first read starts at its own
  await pair.sync();
  await sleep(5);
  await pair.sf.create('Task', { Subject: 'New follow-up', ActivityDate: '2026-05-02', WhoId: con });
  await pair.sync();
  const subjects = async (type, prop) => (await live(type)).map((r) => r.properties[prop]).sort();
  assert.deepEqual(await subjects('tasks', 'hs_task_subject'), ['New follow-up'], 'turning task sync on imports nothing');
  assert.deepEqual(await subjects('calls', 'hs_call_title'), []);
  assert.deepEqual(await subjects('meetings', 'hs_meeting_title'), []);

  // each import counts what it will read, and reports its progress and its end
  for (const [object, n] of [['Task', 3], ['Event', 1]]) {
    const r = await pair.crmsync('import', 'salesforce', object);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0], new RegExp(`^import (\\d+): salesforce ${object}, ${n} to read$`), r.stdout);
    const id = /^import (\d+)/.exec(lines[0])[1];
    assert.ok(lines.some((l) => new RegExp(`^import ${id}: ${n} of ${n} read \\(100\\.0%\\), ${n} queued`).test(l)), `a progress line: ${r.stdout}`);
    assert.match(r.stdout, new RegExp(`^import ${id} \\(salesforce ${object}\\) done: ${n} of ${n} read \\(100\\.0%\\), ${n} queued`, 'm'));
  }
  await pair.sync();
  assert.deepEqual(await subjects('tasks', 'hs_task_subject'), ['New follow-up', 'Old call back'], 'history, and no second copy');
  assert.deepEqual(await subjects('calls', 'hs_call_title'), ['Old call']);
  assert.deepEqual(await subjects('meetings', 'hs_meeting_title'), ['Old lunch']);
  const contact = (await live('contacts')).find((c) => c.properties.email === 'mary@physics.example');
  for (const type of ['tasks', 'calls', 'meetings'])
    for (const r of await live(type)) assert.deepEqual(await assocIds(type, r.id, 'contacts'), [contact.id], `${type}: on the contact`);
  assert.deepEqual((await pair.status()).errors, {}, 'no open errors');
});

test('a task made while its type was off does not sync when the type is turned on before the next run; an import brings it', async () => {
  await pair.reset('settings:\n  salesforce_task_sync: true\n  salesforce_tasks: false\n  deal_sync: false\n');
  const acc = await pair.sf.create('Account', { Name: 'Analytical Engines' });
  const con = await pair.sf.create('Contact', { LastName: 'Lovelace', Email: 'ada@engines.example', AccountId: acc });
  await pair.sync();
  await sleep(5);
  await pair.sf.create('Task', { Subject: 'While tasks were off', ActivityDate: '2026-05-02', WhoId: con });
  await pair.sf.create('Task', { Subject: 'A call', TaskSubtype: 'Call', ActivityDate: '2026-05-02', WhoId: con });
  await sleep(1100); // Salesforce stamps whole seconds
  const r = await pair.crmsync('settings', 'set', 'salesforce_tasks', 'true');
  assert.equal(r.code, 0, r.stderr);
  await pair.sync();
  assert.deepEqual((await live('tasks')).map((t) => t.properties.hs_task_subject), [], 'changed while off: not synced');
  assert.equal((await live('calls')).length, 1, 'the call type was on all along');
  const x = await pair.explain('salesforce', 'Task', (await pair.sf.live('Task')).find((t) => t.Subject === 'While tasks were off').Id, '--json');
  assert.match(x.decisions.map((d) => d.trace).join('\n'), /last changed before salesforce_tasks and salesforce_task_sync were both on/);
  await pair.sf.create('Task', { Subject: 'After', ActivityDate: '2026-05-02', WhoId: con });
  await pair.sync();
  assert.deepEqual((await live('tasks')).map((t) => t.properties.hs_task_subject), ['After']);
  // history comes by import
  const imp = await pair.crmsync('import', 'salesforce', 'Task');
  assert.equal(imp.code, 0, imp.stderr);
  await pair.sync();
  assert.deepEqual((await live('tasks')).map((t) => t.properties.hs_task_subject).sort(), ['After', 'While tasks were off']);
});
