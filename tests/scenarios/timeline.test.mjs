// Timeline sync (seed 003): HubSpot activities become Salesforce tasks, through the real binaries.
// Each type has its switch (off by default), a task type and a subject format; a type turned on
// syncs the activities from then on, never earlier ones; a task goes to one Salesforce record
// (the most recently created synced contact, ties to the highest id) and is assigned to the
// activity's owner, else the record owner, else the integration user. An activity whose contact
// is not in Salesforce yet waits for it (form submissions and email events too, which cannot be
// read again); a replay after a crash upserts the same task by the activity's link id. Every type
// is checked the same way in one table; an activity's attachments never reach Salesforce.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { callsTo, clearFaults, killWhen, setFaults, sleep, startPair, traceOf } from './lib/pair.mjs';
import * as timeline from './lib/timeline.mjs';

// An org that also has Salesforce's file objects, so a file crmsync wrote there would be seen.
const FILES_SCHEMA = {
  objects: {
    Attachment: { keyPrefix: '00P', label: 'Attachment', labelPlural: 'Attachments',
      fields: { Name: 'string(255) namefield required', ParentId: 'reference(18) ref:Task|Lead|Contact', Description: 'textarea(500)' } },
    ContentDocument: { keyPrefix: '069', label: 'Content Document', labelPlural: 'Content Documents',
      fields: { Title: 'string(255) namefield' } },
    ContentVersion: { keyPrefix: '068', label: 'Content Version', labelPlural: 'Content Versions',
      fields: { Title: 'string(255) namefield required', PathOnClient: 'string(500)', ContentDocumentId: 'reference(18) ref:ContentDocument' } },
    ContentDocumentLink: { keyPrefix: '06A', label: 'Content Document Link', labelPlural: 'Content Document Links',
      fields: { ContentDocumentId: 'reference(18) required ref:ContentDocument', LinkedEntityId: 'reference(18) required ref:Task|Lead|Contact' } },
  },
};
const FILE_OBJECTS = Object.keys(FILES_SCHEMA.objects);

let pair;
let schemaDir;
before(async () => {
  schemaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crmsync-timeline-'));
  const schema = path.join(schemaDir, 'schema.json');
  fs.writeFileSync(schema, JSON.stringify(FILES_SCHEMA));
  pair = await startPair({ sfArgs: ['--schema', schema] });
});
after(async () => {
  await pair.stop();
  fs.rmSync(schemaDir, { recursive: true, force: true });
});

const FORM = '5a1c9e2b-0000-4000-8000-00000000f0f0'; // the portal's "Contact us"
const tasks = () => timeline.tasks(pair);
const submitForm = (email, fields = {}, pageUrl = 'https://www.crmsync.test/contact') =>
  pair.hs.emu.control('POST', `/__emu/forms/${FORM}/submissions`, { email, fields, pageUrl });
const reset = (settings) => timeline.resetWith(pair, settings);
const set = (name, value) => timeline.setting(pair, name, value);
const person = (email, extra) => timeline.syncedPerson(pair, email, extra);
const engagement = (type, properties, contactIds) => timeline.engagement(pair, type, properties, contactIds);

test('a form submission becomes a completed task on the synced lead, only once the type is on', async () => {
  await reset({ timeline_form_submissions_task_type: 'Other' });
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
  await reset();
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

test('marketing email sent, opened and clicked each have their own switch; a delivered event makes no task', async () => {
  await reset({ timeline_marketing_email_sent: true, timeline_marketing_email_clicked: true });
  const email = 'mary@campaigns.example';
  const p = await person(email);
  await sleep(5);
  const campaign = await pair.hs.emu.control('POST', '/__emu/email-campaigns', {
    name: 'Spring Launch',
    subject: 'New for spring',
  });
  const event = (type, extra = {}) =>
    pair.hs.emu.control('POST', '/__emu/email-events', { type, recipient: email, emailCampaignId: campaign.id, ...extra });
  await event('SENT');
  await event('DELIVERED');
  await event('OPEN');
  await event('CLICK', { url: 'https://www.crmsync.test/spring?utm_source=email' });
  await pair.sync();
  let bySubject = Object.fromEntries((await tasks()).map((t) => [t.Subject, t]));
  assert.deepEqual(Object.keys(bySubject).sort(), ['Clicked: Spring Launch', 'Sent: Spring Launch'],
    'opened is off, and a delivered event is no activity');
  for (const t of Object.values(bySubject)) {
    assert.equal(t.Status, 'Completed', 'a marketing event is done when it happens');
    assert.equal(t.WhoId, p.sf);
    assert.equal(t.ActivityDate, new Date().toISOString().slice(0, 10));
  }
  assert.equal(bySubject['Sent: Spring Launch'].Description, 'Email: Spring Launch\nSubject: New for spring');
  assert.match(bySubject['Clicked: Spring Launch'].Description, /^Email: Spring Launch\n/);
  assert.match(bySubject['Clicked: Spring Launch'].Description, /Clicked: https:\/\/www\.crmsync\.test\/spring\?utm_source=email$/);

  // the other way round: opened on (from the next pass), sent and clicked off
  await set('timeline_marketing_email_opened', 'true');
  await set('timeline_marketing_email_sent', 'false');
  await set('timeline_marketing_email_clicked', 'false');
  await pair.sync();
  await sleep(5);
  await event('SENT');
  await event('OPEN');
  await event('CLICK', { url: 'https://www.crmsync.test/summer' });
  await pair.sync();
  const subjects = (await tasks()).map((t) => t.Subject).sort();
  assert.deepEqual(subjects, ['Clicked: Spring Launch', 'Opened: Spring Launch', 'Sent: Spring Launch']);
  bySubject = Object.fromEntries((await tasks()).map((t) => [t.Subject, t]));
  assert.equal(bySubject['Opened: Spring Launch'].Status, 'Completed');
  assert.equal(bySubject['Opened: Spring Launch'].WhoId, p.sf);
});

test('an email event HubSpot makes readable late, stamped behind the cursor, still becomes its task, once', async () => {
  await reset({ timeline_marketing_email_opened: true });
  const email = 'late@campaigns.example';
  const p = await person(email); // its pass turns the type on
  const on = Date.now();
  await sleep(1500);
  const campaign = await pair.hs.emu.control('POST', '/__emu/email-campaigns', { name: 'Late News', subject: 'Late' });
  const open = (extra = {}) =>
    pair.hs.emu.control('POST', '/__emu/email-events', { type: 'OPEN', recipient: email, emailCampaignId: campaign.id, ...extra });
  await open();
  await pair.sync();
  assert.equal((await tasks()).length, 1);
  // an open that happened after the type was on but shows only now, behind the events read
  const late = await open({ created: new Date(on + 500).toISOString() });
  await pair.sync();
  const made = await tasks();
  assert.deepEqual(made.map((t) => t.Subject), ['Opened: Late News', 'Opened: Late News']);
  assert.ok(made.every((t) => t.WhoId === p.sf));
  // read again by the next passes, neither makes a second task, nor is planned again
  await pair.sync();
  assert.equal((await tasks()).length, 2);
  assert.equal((await pair.explain('hubspot', 'email_events', String(late.id), '--json')).decisions.length, 1, 'planned once');
});

test('an activity of several contacts goes to the most recently created synced one, ties to the highest id', async () => {
  await reset({ timeline_notes: true });
  const clock = (body) => pair.hs.emu.control('PUT', '/__emu/clock', body);
  const contact = (email, lastname) => pair.hs.create('contacts', { email, lastname, company: 'Twins' });
  // a and b: the same createdate (the portal's clock stands still), b the higher id
  await clock({ freeze: true });
  const a = await contact('a@twins.example', 'A');
  const b = await contact('b@twins.example', 'B');
  await clock({ freeze: false });
  await sleep(20);
  // c: made after both; d: a higher id than c, but made a day earlier
  const c = await contact('c@twins.example', 'C');
  await clock({ offset_ms: -86400000 });
  const d = await contact('d@twins.example', 'D');
  await clock({ offset_ms: 0 });
  // e: the newest, but with no email it never syncs
  const e = await pair.hs.create('contacts', { lastname: 'E', company: 'Twins' });
  const all = Object.fromEntries((await pair.hs.all('contacts')).map((r) => [r.id, r.properties.createdate]));
  assert.equal(all[a], all[b], 'a and b were made at the same instant');
  assert.ok(Number(b) > Number(a) && Number(d) > Number(c));
  assert.ok(all[d] < all[c] && all[c] < all[e]);
  await pair.sync();
  const leads = Object.fromEntries((await pair.sf.live('Lead')).map((l) => [l.Email, l.Id]));
  assert.equal(Object.keys(leads).length, 4, 'e has no lead');

  await sleep(5);
  const ts = String(Date.now());
  const tie = await engagement('notes', { hs_timestamp: ts, hs_note_body: 'Tie' }, [a, b]);
  await engagement('notes', { hs_timestamp: ts, hs_note_body: 'Newest' }, [d, c]);
  await engagement('notes', { hs_timestamp: ts, hs_note_body: 'Synced only' }, [c, e]);
  await pair.sync();
  const bySubject = Object.fromEntries((await tasks()).map((t) => [t.Subject, t]));
  assert.equal(Object.keys(bySubject).length, 3, 'one task per activity, however many contacts');
  assert.equal(bySubject['Note: Tie'].WhoId, leads['b@twins.example'], 'equal createdates: the higher id');
  assert.equal(bySubject['Note: Newest'].WhoId, leads['c@twins.example'], 'the most recently created, not the higher id');
  assert.equal(bySubject['Note: Synced only'].WhoId, leads['c@twins.example'], 'a contact that does not sync is passed over');
  const x = await pair.explain('hubspot', 'notes', tie, '--json');
  assert.match(traceOf(x), new RegExp(`2 contacts; the task goes to the most recently created .*HubSpot contact ${b}`));
});

test('a task is assigned to the activity owner, else the contact owner, else the integration user', async () => {
  await reset({ timeline_notes: true });
  const owner = async (email, firstName, lastName) =>
    String((await pair.hs.emu.control('POST', '/__emu/owners', { email, firstName, lastName })).id);
  const users = Object.fromEntries((await pair.sf.all('User')).map((u) => [u.Username, u.Id]));
  const priya = await owner('priya.patel@crmsync.test', 'Priya', 'Patel');
  const sam = await owner('sam.seller@crmsync.test', 'Sam', 'Seller');
  const hsOwners = (await pair.hs.api('GET', '/crm/v3/owners?limit=100')).body.results;
  const kenji = hsOwners.find((o) => o.email === 'kenji.tanaka@crmsync.test').id; // no Salesforce user
  const samsContact = await person('owned@assign.example', { hubspot_owner_id: sam });
  const kenjisContact = await person('kenji@assign.example', { hubspot_owner_id: kenji });
  const leads = Object.fromEntries((await pair.sf.live('Lead')).map((l) => [l.Id, l]));
  assert.equal(leads[samsContact.sf].OwnerId, users['sam.seller@crmsync.test']);

  // the lead was made with the integration user as its owner, and the contact's owner follows
  // it back; Kenji takes the contact again just before his note
  await pair.hs.update('contacts', kenjisContact.hs, { hubspot_owner_id: kenji });
  await sleep(5);
  const ts = String(Date.now());
  const notes = {
    activity: await engagement('notes', { hs_timestamp: ts, hs_note_body: 'By Priya', hubspot_owner_id: priya }, [samsContact.hs]),
    record: await engagement('notes', { hs_timestamp: ts, hs_note_body: 'By Kenji', hubspot_owner_id: kenji }, [samsContact.hs]),
    unowned: await engagement('notes', { hs_timestamp: ts, hs_note_body: 'By nobody' }, [samsContact.hs]),
    neither: await engagement('notes', { hs_timestamp: ts, hs_note_body: 'Kenji on his own', hubspot_owner_id: kenji }, [kenjisContact.hs]),
  };
  await pair.sync();
  const bySubject = Object.fromEntries((await tasks()).map((t) => [t.Subject, t]));
  assert.equal(bySubject['Note: By Priya'].OwnerId, users['priya.patel@crmsync.test'], "the activity owner's user");
  assert.equal(bySubject['Note: By Kenji'].OwnerId, users['sam.seller@crmsync.test'], "unmapped: the contact owner's user");
  assert.equal(bySubject['Note: By nobody'].OwnerId, users['sam.seller@crmsync.test'], "no owner: the contact owner's user");
  assert.equal(bySubject['Note: Kenji on his own'].WhoId, kenjisContact.sf);
  assert.equal(bySubject['Note: Kenji on his own'].OwnerId, users['integration@crmsync.test'], 'neither: the integration user');
  assert.match(traceOf(await pair.explain('hubspot', 'notes', notes.activity, '--json')), /the activity's owner/);
  assert.match(traceOf(await pair.explain('hubspot', 'notes', notes.record, '--json')),
    /the record owner \(the activity's owner has no Salesforce user\)/);
  assert.match(traceOf(await pair.explain('hubspot', 'notes', notes.unowned, '--json')),
    /the record owner \(the activity has no owner\)/);
  assert.match(traceOf(await pair.explain('hubspot', 'notes', notes.neither, '--json')),
    /the integration user \(neither the activity's owner nor the record owner has a Salesforce user\)/);
});

test('an activity whose contact has not reached Salesforce waits for it, then becomes its task', async () => {
  await reset({ timeline_notes: true, timeline_form_submissions: true });
  await pair.sync();
  await sleep(5);
  // Salesforce refuses lead creates for now: both contacts stay linked but not created
  await pair.sf.emu.control('PUT', '/__emu/settings', { object_access: { Lead: 'read' } });
  const c = await pair.hs.create('contacts', { email: 'late@waiting.example', lastname: 'Late', company: 'Queue' });
  const note = await engagement('notes', { hs_timestamp: String(Date.now()), hs_note_body: 'Waiting' }, [c]);
  // a form filled by someone new: the submission makes the contact, as HubSpot does
  const sub = await submitForm('new@waiting.example', { firstname: 'New', lastname: 'Comer', company: 'Queue' });
  assert.equal(sub.new, true);
  await pair.sync();
  assert.equal((await tasks()).length, 0);
  for (const [object, id] of [['notes', note], ['form_submissions', sub.conversionId]]) {
    const x = await pair.explain('hubspot', object, id, '--json');
    assert.deepEqual(x.errors.map((er) => [er.category, er.message]),
      [['associations', 'waiting for contact to sync: its contact has no Salesforce record yet']], object);
  }

  await pair.sf.emu.control('PUT', '/__emu/settings', { object_access: { Lead: 'edit' } });
  const cleared = await pair.crmsync('suspension', 'clear');
  assert.equal(cleared.code, 0, cleared.stderr);
  await pair.sync();
  const leads = Object.fromEntries((await pair.sf.live('Lead')).map((l) => [l.Email, l.Id]));
  const bySubject = Object.fromEntries((await tasks()).map((t) => [t.Subject, t]));
  assert.deepEqual(Object.keys(bySubject).sort(), ['Note: Waiting', 'Submitted: Contact us']);
  assert.equal(bySubject['Note: Waiting'].WhoId, leads['late@waiting.example']);
  assert.equal(bySubject['Submitted: Contact us'].WhoId, leads['new@waiting.example']);
  assert.match(bySubject['Submitted: Contact us'].Description, /lastname: Comer/);
  for (const [object, id] of [['notes', note], ['form_submissions', sub.conversionId]])
    assert.deepEqual((await pair.explain('hubspot', object, id, '--json')).errors, [], `${object}: resolved`);

  // nothing in the way: a new person's contact and submission sync in one run, also while
  // HubSpot's search lags (the contact shows a second after the form's submission does)
  fs.writeFileSync(pair.configPath, fs.readFileSync(pair.configPath, 'utf8').replace('search_settle: 0s', 'search_settle: 1s'));
  await sleep(5);
  await submitForm('quick@waiting.example', { lastname: 'Quick', company: 'Fast' }, 'https://www.crmsync.test/quick');
  await pair.sync();
  const quick = (await pair.sf.live('Lead')).find((l) => l.Email === 'quick@waiting.example');
  assert.ok(quick, 'the contact the form made synced');
  const made = (await tasks()).filter((t) => t.WhoId === quick.Id);
  assert.equal(made.length, 1);
  assert.match(made[0].Description, /Page: https:\/\/www\.crmsync\.test\/quick/);
  assert.deepEqual((await pair.status()).errors, {}, 'no open errors');
});

test('an activity waiting for a contact that then stops syncing (deleted in HubSpot) makes no task and its waiting error is resolved', async () => {
  await reset({ timeline_notes: true });
  await pair.sync();
  await sleep(5);
  await pair.sf.emu.control('PUT', '/__emu/settings', { object_access: { Lead: 'read' } });
  const c = await pair.hs.create('contacts', { email: 'gone@waiting.example', lastname: 'Gone', company: 'Queue' });
  const note = await engagement('notes', { hs_timestamp: String(Date.now()), hs_note_body: 'Never mind' }, [c]);
  await pair.sync();
  assert.deepEqual((await pair.explain('hubspot', 'notes', note, '--json')).errors.map((er) => er.category), ['associations']);

  // the contact is deleted before it ever reached Salesforce: nothing left to wait for
  const del = await pair.hs.api('DELETE', `/crm/v3/objects/contacts/${c}`);
  assert.equal(del.status, 204);
  await pair.sf.emu.control('PUT', '/__emu/settings', { object_access: { Lead: 'edit' } });
  assert.equal((await pair.crmsync('suspension', 'clear')).code, 0);
  await pair.sync();
  assert.equal((await tasks()).length, 0, 'no task');
  const x = await pair.explain('hubspot', 'notes', note, '--json');
  assert.deepEqual(x.errors, [], 'the waiting error is resolved');
  assert.match(traceOf(x), /none of its 0 contacts syncs with Salesforce: no task\n.*the earlier associations error is resolved/);
  assert.deepEqual((await pair.status()).errors, {}, 'no open errors');
});

test('killed after the task write landed but before it was recorded, a rerun makes no second task', async () => {
  await reset({ timeline_notes: true, timeline_form_submissions: true });
  const p = await person('crash@replay.example');
  await sleep(5);
  await engagement('notes', { hs_timestamp: String(Date.now()), hs_note_body: 'Once only' }, [p.hs]);
  await submitForm('crash@replay.example', { message: 'Once only' });
  // every Salesforce call is slow, and the first write's answer is lost after it commits: the
  // run is killed while it would read back what it wrote
  await setFaults(pair, 'sf', { latency_ms: 1000, drop_after_next: 1 });
  const r = await killWhen(pair, ['sync', '--once'], async () => (await tasks()).length > 0);
  assert.equal(r.signal, 'SIGKILL', `it finished before the kill: ${r.stderr}`);
  await clearFaults(pair);
  const landed = await tasks();
  assert.ok(landed.length >= 1);
  const links = (await pair.status()).links.timeline || {};
  assert.equal(links.LINKED || 0, 0, `a task landed that the store does not know of: ${JSON.stringify(links)}`);
  assert.equal(links.PENDING_CREATE, 2);

  await pair.sync();
  const all = await pair.sf.all('Task');
  assert.equal(all.length, 2, `one task per activity: ${JSON.stringify(all.map((t) => t.Subject))}`);
  assert.deepEqual(all.map((t) => t.Subject).sort(), ['Note: Once only', 'Submitted: Contact us']);
  const ids = all.map((t) => t.CrmSync_Link_Id__c);
  assert.ok(ids.every(Boolean) && new Set(ids).size === 2, 'each carries its own link id');
  for (const t of landed) assert.ok(all.some((a) => a.Id === t.Id), 'the task that landed is the one kept');
  const st = await pair.status();
  assert.deepEqual(st.links.timeline, { LINKED: 2 });
  assert.equal(st.outbox.waiting + st.outbox.claimed, 0);
  assert.deepEqual(st.errors, {});
  // and a further run writes nothing
  await pair.resetStats();
  await pair.sync();
  assert.equal((await pair.writes()).sf, 0);
  assert.equal((await pair.sf.all('Task')).length, 2);
});

test('a subject format and task type set with crmsync settings shape the tasks; subjects count characters, not bytes', async () => {
  await reset({ timeline_calls: true, timeline_notes: true });
  await set('timeline_calls_subject', 'Phoned: {title}');
  await set('timeline_calls_task_type', 'Call');
  const shown = await pair.crmsync('settings', 'get', 'timeline_calls_subject');
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /Phoned: \{title\}/);
  const tooLong = await pair.crmsync('settings', 'set', 'timeline_calls_subject', 'x'.repeat(256));
  assert.notEqual(tooLong.code, 0, 'a format past 255 characters is refused');
  const p = await person('ring@phone.example');
  await sleep(5);
  const ts = String(Date.now());
  await engagement('calls', { hs_timestamp: ts, hs_call_title: 'Renewal', hs_call_body: '<p>Budget <b>approved</b></p>' }, [p.hs]);
  // Japanese text: three bytes a character
  const title = '契約更新のご相談'.repeat(12); // 96 characters
  const body = 'お問い合わせありがとう'.repeat(10); // 110 characters
  await engagement('calls', { hs_timestamp: ts, hs_call_title: title }, [p.hs]);
  await engagement('notes', { hs_timestamp: ts, hs_note_body: `<p>${body}</p>` }, [p.hs]);
  await pair.sync();
  const bySubject = Object.fromEntries((await tasks()).map((t) => [t.Subject, t]));
  assert.equal(Object.keys(bySubject).length, 3, Object.keys(bySubject).join('\n'));
  const t = bySubject['Phoned: Renewal'];
  assert.equal(t.Type, 'Call');
  assert.equal(t.Status, 'Completed');
  assert.equal(t.Description, 'Budget approved');
  assert.equal(t.WhoId, p.sf);
  assert.ok(bySubject[`Phoned: ${title}`], 'a 104-character subject is kept whole');
  assert.equal(bySubject[`Phoned: ${title}`].Type, 'Call');
  const note = bySubject[`Note: ${body.slice(0, 80)}`];
  assert.ok(note, 'a note subject has its first 80 characters');
  assert.equal(note.Description, body);
  assert.equal(note.Type, null, 'notes have no task type set');
});

test('a task type that is not a value of the Task Type picklist is a picklist error and no task; named right, the resync makes the task', async () => {
  await reset({ timeline_notes: true, timeline_notes_task_type: 'Emial' });
  const p = await person('typo@type.example');
  await sleep(5);
  const note = await engagement('notes', { hs_timestamp: String(Date.now()), hs_note_body: 'Sent the quote' }, [p.hs]);
  await pair.sync();
  assert.equal((await tasks()).length, 0, 'no task with an unlisted type');
  const openErrors = async () => JSON.parse((await pair.crmsync('errors', '--json')).stdout).errors.errors;
  let errs = await openErrors();
  assert.equal(errs.length, 1, JSON.stringify(errs));
  assert.equal(errs[0].category, 'picklist');
  assert.deepEqual(errs[0].record, { system: 'hubspot', object: 'notes', id: note });
  assert.match(errs[0].message, /^timeline_notes_task_type "Emial" is not a value of Salesforce's Task Type picklist \(Call, Email, Meeting, Other\)/);
  // another pass alone does not try again before the retry is due
  await pair.sync();
  assert.equal((await tasks()).length, 0);
  // the setting named in any case takes the org's spelling; resyncing the error makes the task
  await set('timeline_notes_task_type', 'email');
  const r = await pair.crmsync('resync', String(errs[0].id));
  assert.equal(r.code, 0, r.stderr);
  await pair.sync();
  const made = await tasks();
  assert.equal(made.length, 1);
  assert.equal(made[0].Type, 'Email');
  assert.equal(made[0].Subject, 'Note: Sent the quote');
  assert.equal((await openErrors()).length, 0, 'the picklist error is resolved');
});

test('a form that adds its submitter to an active Salesforce campaign: a member once, a sync trigger; an inactive campaign adds nobody', async () => {
  await pair.reset('settings:\n  company_sync: false\n  deal_sync: false\n');
  const active = await pair.sf.create('Campaign', { Name: 'Spring webinar', IsActive: true });
  const dormant = await pair.sf.create('Campaign', { Name: 'Old fair', IsActive: false });
  const bad = await pair.crmsync('settings', 'set', 'form_campaigns', `${FORM}=00Q000000000001`);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /is not a Salesforce campaign id/);
  const hs = await pair.hs.create('contacts', { email: 'camp@engines.example', lastname: 'Camp', company: 'Acme' });
  await pair.sync();
  const lead = (await pair.sf.live('Lead')).find((l) => l.Email === 'camp@engines.example');
  assert.ok(lead);
  const ok = await pair.crmsync('settings', 'set', 'form_campaigns', `${FORM}=${active}`);
  assert.equal(ok.code, 0, ok.stderr);
  await pair.sync(); // the form cursor starts here
  await sleep(5);
  await pair.hs.emu.control('POST', `/__emu/forms/${FORM}/submissions`, { email: 'camp@engines.example', fields: { firstname: 'Cam' } });
  await pair.sync();
  let members = await pair.sf.live('CampaignMember');
  assert.equal(members.length, 1, JSON.stringify(members));
  assert.equal(members[0].CampaignId, active);
  assert.equal(members[0].LeadId, lead.Id);
  assert.equal((await tasks()).length, 0, 'timeline_form_submissions is off: no task');
  const x = await pair.explain('hubspot', 'contacts', hs, '--all', '--json');
  assert.match(JSON.stringify(x.decisions), /a resync was asked for/, 'the submission is a sync trigger for its contact');

  // a second submission does not add it twice
  await pair.hs.emu.control('POST', `/__emu/forms/${FORM}/submissions`, { email: 'camp@engines.example', fields: { firstname: 'Cam' } });
  await pair.sync();
  members = await pair.sf.live('CampaignMember');
  assert.equal(members.length, 1);

  // an inactive campaign adds nobody
  const off = await pair.crmsync('settings', 'set', 'form_campaigns', `${FORM}=${dormant}`);
  assert.equal(off.code, 0, off.stderr);
  await pair.hs.emu.control('POST', `/__emu/forms/${FORM}/submissions`, { email: 'camp@engines.example', fields: { firstname: 'Cam' } });
  await pair.sync();
  assert.equal((await pair.sf.live('CampaignMember')).length, 1);
});

// Reading submissions costs a call per form: the forms are read only when HubSpot's contacts
// search shows a contact that converted (recent_conversion_date) since they were last read, or
// when a sweep is due (every 10 minutes), so a pass with nothing new asks that one search whatever
// the number of forms. Contact sync is turned off once the person is synced (its link stays), so
// a pass makes no other HubSpot call and each run is one pass when there is nothing to do.
const FORMS_LIST = 'GET /marketing/v3/forms';
const SUBMISSIONS = 'GET /form-integrations/v1/submissions/forms/{formId}';
const SEARCH = 'POST /crm/v3/objects/{objectType}/search';

test('with many forms, a pass with no new submission makes one HubSpot call, the conversion search, not one per form; a submission still becomes its task', async () => {
  await reset();
  await person('lin@forms.example');
  await set('contact_sync', 'false');
  const FORMS = 6; // the portal's "Contact us" and five more
  for (let i = 1; i < FORMS; i++) {
    const r = await pair.hs.api('POST', '/marketing/v3/forms', { name: `Offer ${i}` });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  // one pass with nothing to plan or write (sync --once --max-passes 1 fails otherwise); answers
  // its HubSpot calls by endpoint
  const onePass = async () => {
    await pair.resetStats();
    const r = await pair.crmsync('sync', '--once', '--max-passes', '1');
    assert.equal(r.code, 0, `not one quiet pass:\n${r.stderr}${r.stdout}`);
    return (await pair.stats()).hs.calls.by_endpoint;
  };
  assert.deepEqual(await onePass(), {}, 'the type off: no HubSpot call');

  await set('timeline_form_submissions', 'true');
  assert.deepEqual(await onePass(), { [FORMS_LIST]: 1, [SUBMISSIONS]: FORMS }, 'the first read lists the forms and reads each');
  for (let n = 0; n < 3; n++)
    assert.deepEqual(await onePass(), { [SEARCH]: 1 }, 'nobody converted since: one search, no form read');

  await sleep(5);
  await submitForm('lin@forms.example', { message: 'Send the offer' });
  await pair.resetStats();
  await pair.sync();
  const made = await tasks();
  assert.equal(made.length, 1);
  assert.equal(made[0].Subject, 'Submitted: Contact us');
  assert.match(made[0].Description, /message: Send the offer/);
  const read = (await pair.stats()).hs.calls.by_endpoint;
  assert.equal(read[FORMS_LIST], 1, 'the conversion made one read of the forms');
  assert.equal(read[SUBMISSIONS], FORMS, 'each form once');
  assert.deepEqual(await onePass(), { [SEARCH]: 1 }, 'once read, the submission asks for no more reads');

  // a contact HubSpot's search does not show yet: no read while it lags, the next pass's gate
  // after it shows reads the submission, once
  await pair.hs.emu.control('PUT', '/__emu/settings', { search_lag_ms: 5000 });
  await sleep(5);
  await submitForm('lin@forms.example', { message: 'And the price list' });
  assert.deepEqual(await onePass(), { [SEARCH]: 1 }, 'the search does not show the conversion yet');
  assert.equal((await tasks()).length, 1);
  await sleep(5100);
  await pair.resetStats();
  await pair.sync();
  const later = await tasks();
  assert.equal(later.length, 2);
  assert.ok(later.some((t) => /message: And the price list/.test(t.Description)));
  assert.equal((await pair.stats()).hs.calls.by_endpoint[SUBMISSIONS], FORMS, 'read once it shows');
  await pair.hs.emu.control('PUT', '/__emu/settings', { search_lag_ms: 0 });

  // a conversion search that fails reads every form, as a pass did before there was one
  await setFaults(pair, 'hs', { error_rate: 1, error_status: 400, path_prefix: '/crm/v3/objects/contacts/search' });
  try {
    assert.deepEqual(await onePass(), { [SEARCH]: 1, [FORMS_LIST]: 1, [SUBMISSIONS]: FORMS });
  } finally {
    await clearFaults(pair);
  }
  assert.equal((await tasks()).length, 2, 'and reads nothing twice');
});

// Every timeline type, as the emulators make it: its Task Type (a value of the org's Task Type
// picklist) and one activity of it, made by make(x, tag) on the person x.p, answering the subject
// its task gets by default and that task's Status. Related types (the three marketing
// events, the three sales email types) have different task types, so one type's setting used for
// another shows.
const TYPES = [
  { type: 'form_submissions', taskType: 'Other',
    make: async (x, tag) => {
      await submitForm(x.email, { message: `From ${tag}` });
      return ['Submitted: Contact us', 'Completed'];
    } },
  ...['SENT', 'OPEN', 'CLICK'].map((event, i) => ({
    type: ['marketing_email_sent', 'marketing_email_opened', 'marketing_email_clicked'][i],
    taskType: ['Email', 'Other', 'Call'][i],
    make: async (x, tag) => {
      const name = `Launch ${tag}`;
      if (!x.campaigns[tag]) x.campaigns[tag] = (await pair.hs.emu.control('POST', '/__emu/email-campaigns', { name, subject: `News ${tag}` })).id;
      const extra = event === 'CLICK' ? { url: `https://www.crmsync.test/${tag}` } : {};
      await pair.hs.emu.control('POST', '/__emu/email-events', { type: event, recipient: x.email, emailCampaignId: x.campaigns[tag], ...extra });
      return [`${['Sent', 'Opened', 'Clicked'][i]}: ${name}`, 'Completed'];
    },
  })),
  { type: 'sales_email_sent', taskType: 'Email',
    make: async (x, tag) => {
      x.ids[tag].emails = await salesEmail(x, tag);
      return [`Quote ${tag}`, 'Completed'];
    } },
  ...['OPEN', 'CLICK'].map((event, i) => ({
    type: ['sales_email_opened', 'sales_email_clicked'][i],
    taskType: ['Meeting', 'Other'][i],
    make: async (x, tag) => {
      x.ids[tag].emails ||= await salesEmail(x, tag);
      await pair.hs.emu.control('POST', '/__emu/sales-email-events', { emailId: x.ids[tag].emails, type: event });
      return [`${['Opened', 'Clicked'][i]}: Quote ${tag}`, 'Completed'];
    },
  })),
  { type: 'meetings', taskType: 'Meeting',
    make: async (x, tag) => {
      x.ids[tag].meetings = await engagement('meetings', { hs_timestamp: String(Date.now()), hs_meeting_title: `Demo ${tag}`, hs_meeting_start_time: String(Date.now()) }, [x.p.hs]);
      return [`Meeting: Demo ${tag}`, 'Completed'];
    } },
  { type: 'calls', taskType: 'Call',
    make: async (x, tag) => {
      x.ids[tag].calls = await engagement('calls', { hs_timestamp: String(Date.now()), hs_call_title: `Discovery ${tag}`, hs_call_body: 'Budget' }, [x.p.hs]);
      return [`Call: Discovery ${tag}`, 'Completed'];
    } },
  { type: 'notes', taskType: 'Other',
    make: async (x, tag) => {
      x.ids[tag].notes = await engagement('notes', { hs_timestamp: String(Date.now()), hs_note_body: `<p>Remember ${tag}</p>` }, [x.p.hs]);
      return [`Note: Remember ${tag}`, 'Completed'];
    } },
  { type: 'documents', taskType: 'Email',
    make: async (x) => {
      await pair.hs.emu.control('POST', '/__emu/document-views', { contactId: x.p.hs });
      return ['Viewed: sales document', 'Completed'];
    } },
  { type: 'tasks', taskType: 'Call',
    make: async (x, tag) => {
      x.ids[tag].tasks = await engagement('tasks', { hs_timestamp: String(Date.now()), hs_task_subject: `Chase ${tag}`, hs_task_status: 'WAITING', hs_task_priority: 'LOW' }, [x.p.hs]);
      return [`Chase ${tag}`, 'Waiting on someone else'];
    } },
];

// A sales email (sent) to the person, with its subject "Quote <tag>".
const salesEmail = (x, tag) =>
  engagement('emails', { hs_timestamp: String(Date.now()), hs_email_subject: `Quote ${tag}`, hs_email_direction: 'EMAIL', hs_email_text: 'Here it is.' }, [x.p.hs]);

// One activity of each of these types labelled tag; answers [subject, Status, Type, timeline
// type] of the task each would make.
async function makeEach(x, types, tag) {
  x.ids[tag] ||= {};
  const out = [];
  for (const t of types) out.push([...(await t.make(x, tag)), t.taskType, t.type]);
  return out;
}

const switchAll = async (types, on) => {
  for (const t of types) await set(`timeline_${t.type}`, on ? 'true' : 'false');
};

// The tasks as sorted [Subject, Status, Type] rows, each checked to be on the person's lead.
async function taskRows(x) {
  const all = await tasks();
  for (const t of all) assert.equal(t.WhoId, x.p.sf, `${t.Subject}: on the person's lead`);
  return all.map((t) => [t.Subject, t.Status, t.Type]).sort();
}
const rows = (made) => made.map(([s, st, ty]) => [s, st, ty]);

test('every timeline type: nothing from before its switch, the default subject, Status and Type once on, nothing once off again', async () => {
  await reset(Object.fromEntries(TYPES.map((t) => [`timeline_${t.type}_task_type`, t.taskType])));
  const picklist = await timeline.taskTypes(pair);
  for (const t of TYPES) assert.ok(picklist.includes(t.taskType), `${t.taskType} is a Task Type of the org (${picklist})`);
  const email = 'matrix@every.example';
  const x = { email, p: await person(email), campaigns: {}, ids: {} };

  // made while every type is off, read by a pass
  await sleep(5);
  await makeEach(x, TYPES, 'before');
  await pair.sync();
  assert.deepEqual(await taskRows(x), [], 'every timeline type is off by default');

  // every type on: what was made before is read again (edited, or its email or contact changed)
  // and still makes no task
  await switchAll(TYPES, true);
  for (const object of ['emails', 'meetings', 'calls', 'notes', 'tasks'])
    await pair.hs.update(object, x.ids.before[object], object === 'tasks' ? { hs_task_body: 'Edited' } : { hs_timestamp: String(Date.now() - 1000) });
  await pair.hs.update('contacts', x.p.hs, { jobtitle: 'Buyer' });
  await pair.sync();
  assert.deepEqual(await taskRows(x), [], 'an activity from before the switch never syncs');
  for (const [object, id] of [['notes', x.ids.before.notes], ['emails', x.ids.before.emails]])
    assert.match(traceOf(await pair.explain('hubspot', object, id, '--json')), /from before timeline_\w+ was turned on/, object);

  // one of each, made after: its task, with the default subject, its Status and its Type
  await sleep(5);
  const on = await makeEach(x, TYPES, 'on');
  await pair.sync();
  assert.deepEqual(await taskRows(x), rows(on).sort());
  assert.equal((await tasks()).find((t) => t.Subject === 'Chase on').Priority, 'Low');

  // half the types off: their later activities make no task, while the other half's still do
  const off = TYPES.filter((_, i) => i % 2 === 0);
  const still = TYPES.filter((_, i) => i % 2 === 1);
  await switchAll(off, false);
  await sleep(5);
  const later = await makeEach(x, TYPES, 'later');
  await pair.sync();
  const want = [...rows(on), ...rows(later.filter((m) => still.some((t) => t.type === m[3])))].sort();
  assert.deepEqual(await taskRows(x), want, `off: ${off.map((t) => t.type)}`);

  // and the other half off too: nothing more reaches Salesforce
  await switchAll(still, false);
  await sleep(5);
  await makeEach(x, TYPES, 'last');
  await pair.resetStats();
  await pair.sync();
  assert.deepEqual(await taskRows(x), want);
  assert.equal((await pair.writes()).sf, 0, 'nothing written to Salesforce');
});

test('an activity with attachments becomes its task without them: no file reaches Salesforce, the description names none', async () => {
  await reset({ timeline_notes: true, timeline_sales_email_sent: true, timeline_tasks: true });
  const p = await person('files@attached.example');
  // the org's file objects are there, and take a file (as crmsync would write one)
  const probe = await pair.sf.create('ContentVersion', { Title: 'probe', PathOnClient: 'probe.txt' });
  const counts = await timeline.sfRecordCounts(pair);
  assert.equal(counts.ContentVersion, 1, JSON.stringify(counts));
  await sleep(5);
  const ts = String(Date.now());
  const files = { notes: '90017;90018', emails: '90019', tasks: '90020;90021' };
  const ids = {
    notes: await engagement('notes', { hs_timestamp: ts, hs_note_body: 'Signed contract attached', hs_attachment_ids: files.notes }, [p.hs]),
    emails: await engagement('emails', { hs_timestamp: ts, hs_email_subject: 'The contract', hs_email_direction: 'EMAIL', hs_email_text: 'Attached: the contract.', hs_attachment_ids: files.emails }, [p.hs]),
    tasks: await engagement('tasks', { hs_timestamp: ts, hs_task_subject: 'Countersign', hs_task_body: 'See the file', hs_task_status: 'NOT_STARTED', hs_attachment_ids: files.tasks }, [p.hs]),
  };
  for (const [object, id] of Object.entries(ids))
    assert.equal((await pair.hs.get(object, id)).properties.hs_attachment_ids, files[object], `the ${object} carries its files`);
  await pair.sync();

  const bySubject = Object.fromEntries((await tasks()).map((t) => [t.Subject, t]));
  assert.deepEqual(Object.keys(bySubject).sort(), ['Countersign', 'Note: Signed contract attached', 'The contract']);
  assert.equal(bySubject['Note: Signed contract attached'].Description, 'Signed contract attached');
  assert.equal(bySubject['The contract'].Description, 'Attached: the contract.');
  assert.equal(bySubject['Countersign'].Description, 'See the file');
  for (const t of Object.values(bySubject)) {
    assert.equal(t.WhoId, p.sf);
    assert.doesNotMatch(JSON.stringify(t), /9001[789]|9002[01]/, `${t.Subject}: no attachment id anywhere on the task`);
  }
  const now = await timeline.sfRecordCounts(pair);
  for (const object of FILE_OBJECTS) assert.equal(now[object] || 0, counts[object] || 0, `no ${object} made`);
  assert.deepEqual((await pair.sf.live('ContentVersion')).map((r) => r.Id), [probe]);
  assert.deepEqual((await pair.status()).errors, {}, 'no open errors');
});
