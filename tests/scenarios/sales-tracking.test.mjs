// Timeline sync of what HubSpot's sales tools track (seed 003): a sales email opened or clicked
// and a sales document viewed. HubSpot's APIs give these only as calculated properties (an
// email's last open and click with their counts, a contact's last document view); crmsync reads
// them with the email and the contact and makes each newly seen one a Salesforce task, through
// the real binaries. Each type has its switch; an open from before the switch never syncs; the
// same open seen again makes no second task, also after a crash.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { clearFaults, killWhen, setFaults, sleep, startPair, traceOf } from './lib/pair.mjs';
import * as timeline from './lib/timeline.mjs';

let pair;
before(async () => {
  pair = await startPair();
});
after(async () => {
  await pair.stop();
});

const tasks = () => timeline.tasks(pair);
const reset = (settings) => timeline.resetWith(pair, settings);
const set = (name, value) => timeline.setting(pair, name, value);
const person = (email, extra) => timeline.syncedPerson(pair, email, extra);

// A sales email sent to these contacts.
const salesEmail = (subject, contactIds) =>
  timeline.engagement(
    pair,
    'emails',
    { hs_timestamp: String(Date.now()), hs_email_subject: subject, hs_email_direction: 'EMAIL', hs_email_text: 'Please find it attached.' },
    contactIds,
  );
const track = (emailId, type) => pair.hs.emu.control('POST', '/__emu/sales-email-events', { emailId, type });
const view = (contactId) => pair.hs.emu.control('POST', '/__emu/document-views', { contactId });

test('a sales email opened and clicked: "Opened: …" and "Clicked: …" tasks, each under its own switch, only for opens after it', async () => {
  await reset({ timeline_sales_email_opened_task_type: 'Email' });
  const p = await person('ada@tracked.example');
  const email = await salesEmail('Your quote', [p.hs]);
  await track(email, 'OPEN');
  await pair.sync();
  assert.equal((await tasks()).length, 0, 'every timeline type is off by default');

  await set('timeline_sales_email_opened', 'true');
  await pair.sync();
  assert.equal((await tasks()).length, 0, 'an open from before the switch does not sync');

  await sleep(5);
  const opened = await track(email, 'OPEN');
  assert.equal(opened.count, 2);
  await track(email, 'CLICK'); // timeline_sales_email_clicked is off
  await pair.sync();
  let t = await tasks();
  assert.equal(t.length, 1, JSON.stringify(t.map((x) => x.Subject)));
  assert.equal(t[0].Subject, 'Opened: Your quote');
  assert.equal(t[0].Status, 'Completed');
  assert.equal(t[0].Type, 'Email');
  assert.equal(t[0].WhoId, p.sf);
  assert.equal(t[0].ActivityDate, new Date().toISOString().slice(0, 10));
  assert.equal(t[0].Description, 'Sales email: Your quote\nOpens so far: 2');
  assert.ok(t[0].CrmSync_Link_Id__c, 'the task carries the event key');
  const x = await pair.explain('hubspot', 'contacts', p.hs, '--all', '--json');
  assert.match(JSON.stringify(x.decisions), /a resync was asked for/, 'the open is a sync trigger for its contact');

  // the same open read again (the email changes for another reason) makes no second task
  await pair.hs.update('emails', email, { hs_email_text: 'Edited.' });
  await pair.resetStats();
  await pair.sync();
  assert.equal((await tasks()).length, 1);
  assert.equal((await pair.writes()).sf, 0, 'nothing written to Salesforce');

  // clicks: their own switch and subject; a later open is a task of its own
  await set('timeline_sales_email_clicked', 'true');
  await sleep(5);
  await track(email, 'CLICK');
  await track(email, 'OPEN');
  await pair.sync();
  t = await tasks();
  assert.deepEqual(t.map((x) => x.Subject).sort(), ['Clicked: Your quote', 'Opened: Your quote', 'Opened: Your quote']);
  const click = t.find((x) => x.Subject === 'Clicked: Your quote');
  assert.equal(click.Description, 'Sales email: Your quote\nClicks so far: 2');
  assert.ok(!click.Type, 'no task type set for clicks');
  assert.equal(new Set(t.map((x) => x.CrmSync_Link_Id__c)).size, 3);

  // an incoming email is not a sales email and HubSpot tracks none of its opens; turned off,
  // opens stay in HubSpot
  await set('timeline_sales_email_opened', 'false');
  await sleep(5);
  await track(email, 'OPEN');
  await pair.sync();
  assert.equal((await tasks()).length, 3);
  assert.deepEqual((await pair.status()).errors, {}, 'no open errors');
});

test('a sales document viewed becomes "Viewed: sales document" on the lead, assigned to the contact owner', async () => {
  await reset({ timeline_documents_task_type: 'Other' });
  const sam = String(
    (await pair.hs.emu.control('POST', '/__emu/owners', { email: 'sam.seller@crmsync.test', firstName: 'Sam', lastName: 'Seller' })).id,
  );
  const users = Object.fromEntries((await pair.sf.all('User')).map((u) => [u.Username, u.Id]));
  const p = await person('grace@viewer.example', { hubspot_owner_id: sam });
  await view(p.hs);
  await pair.sync();
  assert.equal((await tasks()).length, 0, 'timeline_documents is off');

  await set('timeline_documents', 'true');
  await pair.sync();
  assert.equal((await tasks()).length, 0, 'a view from before the switch does not sync');
  await sleep(5);
  const v = await view(p.hs);
  await pair.sync();
  const t = await tasks();
  assert.equal(t.length, 1);
  assert.equal(t[0].Subject, 'Viewed: sales document');
  assert.equal(t[0].Status, 'Completed');
  assert.equal(t[0].Type, 'Other');
  assert.equal(t[0].WhoId, p.sf);
  assert.equal(t[0].OwnerId, users['sam.seller@crmsync.test'], "no owner of its own: the contact owner's user");
  const why = traceOf(await pair.explain('hubspot', 'document_views', `${p.hs}:${Date.parse(v.at)}`, '--json'));
  assert.match(why, /timeline_documents: Salesforce task "Viewed: sales document"/);
  assert.match(why, /the record owner \(the activity has no owner\)/);
  const x = await pair.explain('hubspot', 'contacts', p.hs, '--all', '--json');
  assert.match(JSON.stringify(x.decisions), /a resync was asked for/, 'the view is a sync trigger for its contact');

  // the subject format is a setting; the contact read again makes no second task
  await set('timeline_documents_subject', 'Document opened by {document} reader');
  await pair.hs.update('contacts', p.hs, { jobtitle: 'CTO' });
  await pair.resetStats();
  await pair.sync();
  assert.equal((await tasks()).length, 1);
  await sleep(5);
  await view(p.hs);
  await pair.sync();
  assert.deepEqual((await tasks()).map((x) => x.Subject).sort(), ['Document opened by sales document reader', 'Viewed: sales document']);
});

test('an open whose contact has not reached Salesforce waits for it; killed after the task landed, a rerun makes no second task', async () => {
  await reset({ timeline_sales_email_opened: true });
  await pair.sync();
  await sleep(5);
  await pair.sf.emu.control('PUT', '/__emu/settings', { object_access: { Lead: 'read' } });
  const c = await pair.hs.create('contacts', { email: 'late@tracked.example', lastname: 'Late', company: 'Queue' });
  const email = await salesEmail('Checking in', [c]);
  await track(email, 'OPEN');
  await pair.sync();
  assert.equal((await tasks()).length, 0);
  const open = Object.values((await pair.status()).errors || {}).length;
  assert.ok(open > 0, 'an associations error is open while the contact waits');

  await pair.sf.emu.control('PUT', '/__emu/settings', { object_access: { Lead: 'edit' } });
  const cleared = await pair.crmsync('suspension', 'clear');
  assert.equal(cleared.code, 0, cleared.stderr);
  await pair.sync();
  const lead = (await pair.sf.live('Lead')).find((l) => l.Email === 'late@tracked.example');
  assert.ok(lead);
  let t = await tasks();
  assert.deepEqual(t.map((x) => [x.Subject, x.WhoId]), [['Opened: Checking in', lead.Id]]);
  assert.deepEqual((await pair.status()).errors, {}, 'the wait is resolved');

  // a second open: every Salesforce call is slow and the first write's answer is lost after it
  // commits; the run is killed while it would read back what it wrote
  await sleep(5);
  await track(email, 'OPEN');
  await setFaults(pair, 'sf', { latency_ms: 1000, drop_after_next: 1 });
  const r = await killWhen(pair, ['sync', '--once'], async () => (await tasks()).length > 1);
  assert.equal(r.signal, 'SIGKILL', `it finished before the kill: ${r.stderr}`);
  await clearFaults(pair);
  await pair.sync();
  t = await pair.sf.all('Task');
  assert.equal(t.length, 2, JSON.stringify(t.map((x) => x.Subject)));
  assert.equal(new Set(t.map((x) => x.CrmSync_Link_Id__c)).size, 2);
  const st = await pair.status();
  assert.equal(st.outbox.waiting + st.outbox.claimed, 0);
  assert.deepEqual(st.errors, {});
});
