// Salesforce task sync (seed 003) through the real binaries: Salesforce tasks, email and call tasks
// and events become HubSpot tasks, emails, calls and meetings, one way, each type under its switch,
// with Assigned To, Related To, Due Date (a UTC date, never shifted), Comments, Subject, Status and
// Priority; only what is created or updated once task sync is on (an import brings history); a
// task crmsync made from a HubSpot activity (timeline sync) is never synced back.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sleep, startPair } from './lib/pair.mjs';

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
