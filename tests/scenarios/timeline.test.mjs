// Timeline sync (seed 003): HubSpot activities become Salesforce tasks, through the real binaries.
// Each type has its switch (off by default), a task type and a subject format; a type turned on
// syncs the activities from then on, never earlier ones; a task goes to one Salesforce record
// (the most recently created synced contact, ties to the highest id) and is assigned to the
// activity's owner, else the record owner, else the integration user.
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

const FORM = '5a1c9e2b-0000-4000-8000-00000000f0f0'; // the portal's "Contact us"
const tasks = () => pair.sf.live('Task');
const set = async (name, value) => {
  const r = await pair.crmsync('settings', 'set', name, value);
  assert.equal(r.code, 0, r.stderr);
};

// A HubSpot contact synced to a Salesforce lead; answers { hs, sf }.
async function person(email, extra = {}) {
  const hs = await pair.hs.create('contacts', { email, lastname: email.split('@')[0], company: 'Acme', ...extra });
  await pair.sync();
  const lead = (await pair.sf.live('Lead')).find((l) => l.Email === email);
  assert.ok(lead, `${email} synced`);
  return { hs, sf: lead.Id };
}

async function engagement(type, properties, contactIds) {
  const id = await pair.hs.create(type, properties);
  for (const c of contactIds) {
    const r = await pair.hs.api('PUT', `/crm/v4/objects/${type}/${id}/associations/default/contacts/${c}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }
  return id;
}

test('a form submission becomes a completed task on the synced lead, only once the type is on', async () => {
  await pair.reset('settings:\n  timeline_form_submissions_task_type: Other\n');
  const p = await person('ada@engines.example');
  const submit = (page) =>
    pair.hs.emu.control('POST', `/__emu/forms/${FORM}/submissions`, {
      email: 'ada@engines.example',
      fields: { firstname: 'Ada', message: 'Call me' },
      pageUrl: page,
    });
  await submit('https://www.crmsync.test/before');
  await pair.sync();
  assert.equal((await tasks()).length, 0, 'timeline sync is off by default');

  await set('timeline_form_submissions', 'true');
  await pair.sync();
  assert.equal((await tasks()).length, 0, 'a submission from before the switch does not sync');
  await sleep(5);
  await submit('https://www.crmsync.test/contact');
  await pair.sync();
  const t = await tasks();
  assert.equal(t.length, 1);
  assert.equal(t[0].Subject, 'Submitted: Contact us');
  assert.equal(t[0].Status, 'Completed');
  assert.equal(t[0].Type, 'Other');
  assert.equal(t[0].WhoId, p.sf);
  assert.equal(t[0].ActivityDate, new Date().toISOString().slice(0, 10));
  assert.match(t[0].Description, /Form: Contact us\nPage: https:\/\/www\.crmsync\.test\/contact\n/);
  assert.match(t[0].Description, /message: Call me/);
  assert.ok(t[0].CrmSync_Link_Id__c, 'the task carries the activity key');

  // a second run makes no second task
  await pair.resetStats();
  await pair.sync();
  assert.equal((await tasks()).length, 1);
  assert.deepEqual((await pair.writes()).sf, 0);
});

test('notes, calls, meetings, tasks and sales emails each have their switch, subject and status', async () => {
  await pair.reset('');
  const p = await person('grace@navy.example');
  for (const t of ['notes', 'calls', 'meetings', 'tasks', 'sales_email_sent'])
    await set(`timeline_${t}`, 'true');
  await set('timeline_calls_task_type', 'Call');
  await pair.sync();
  await sleep(5);
  const ts = String(Date.parse('2026-03-04T23:30:00.000Z'));
  await engagement('notes', { hs_timestamp: ts, hs_note_body: '<p>Prefers <b>morning</b> calls &amp; email</p>' }, [p.hs]);
  await engagement('calls', { hs_timestamp: ts, hs_call_title: 'Discovery', hs_call_body: 'Talked budget' }, [p.hs]);
  await engagement('meetings', { hs_timestamp: ts, hs_meeting_title: 'Demo', hs_meeting_start_time: ts }, [p.hs]);
  await engagement('tasks', { hs_timestamp: ts, hs_task_subject: 'Send quote', hs_task_status: 'IN_PROGRESS', hs_task_priority: 'HIGH' }, [p.hs]);
  await engagement('emails', { hs_timestamp: ts, hs_email_subject: 'Your quote', hs_email_direction: 'EMAIL', hs_email_text: 'Attached.' }, [p.hs]);
  await engagement('emails', { hs_timestamp: ts, hs_email_subject: 'Re: quote', hs_email_direction: 'INCOMING_EMAIL' }, [p.hs]);
  await pair.sync();
  const bySubject = Object.fromEntries((await tasks()).map((t) => [t.Subject, t]));
  assert.deepEqual(Object.keys(bySubject).sort(), [
    'Call: Discovery',
    'Meeting: Demo',
    'Note: Prefers morning calls & email',
    'Send quote',
    'Your quote',
  ]);
  for (const t of Object.values(bySubject)) {
    assert.equal(t.WhoId, p.sf);
    assert.equal(t.ActivityDate, '2026-03-04', 'the UTC date, not shifted');
  }
  assert.equal(bySubject['Call: Discovery'].Type, 'Call');
  assert.equal(bySubject['Call: Discovery'].Status, 'Completed');
  assert.equal(bySubject['Send quote'].Status, 'In Progress');
  assert.equal(bySubject['Send quote'].Priority, 'High');
  assert.equal(bySubject['Note: Prefers morning calls & email'].Description, 'Prefers morning calls & email');

  // turned off: later notes stay in HubSpot
  await set('timeline_notes', 'false');
  await engagement('notes', { hs_timestamp: ts, hs_note_body: 'Not for Salesforce' }, [p.hs]);
  await pair.sync();
  assert.equal((await tasks()).length, 5);
});
