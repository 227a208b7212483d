// The sales tools' tracking through @hubspot/api-client: opens and clicks of a sent sales email
// and views of a sales document, made to happen with the control API (POST
// /__emu/sales-email-events, POST /__emu/document-views). HubSpot shows them only as calculated,
// read-only properties: the email's counts and last dates, its contacts' last opened and clicked
// dates, a contact's last document view. A last date only moves forward; the records' modify
// dates move, so an incremental search finds them; history and webhooks name CALCULATED; the
// values survive a restart on --data; the public API cannot write them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startHubspot, apiError, assertErrorShape, noLimits, waitFor, ISO_MS, withPortal } from './lib/hubspot.mjs';

let hs;
let c;

withPortal((portal) => {
  hs = portal;
  c = portal.client();
});

const EMAIL_PROPS = ['hs_email_open_count', 'hs_email_click_count', 'hs_email_last_open_date', 'hs_email_last_click_date', 'hs_lastmodifieddate'];
const CONTACT_PROPS = ['hs_sales_email_last_opened', 'hs_sales_email_last_clicked', 'hs_document_last_revisited', 'lastmodifieddate'];
const iso = (ms) => new Date(ms).toISOString();
const track = (emailId, type, at) => hs.control('POST', '/__emu/sales-email-events', { emailId, type, ...(at ? { at } : {}) });
const view = (contactId, at) => hs.control('POST', '/__emu/document-views', { contactId, ...(at ? { at } : {}) });
const emuNow = async () => Date.parse((await hs.control('GET', '/__emu/clock')).now);
const readEmail = (id) => c.crm.objects.emails.basicApi.getById(id, EMAIL_PROPS);
const readContact = (id) => c.crm.contacts.basicApi.getById(id, CONTACT_PROPS);

// A control call that must fail with 400 {"error"}; answers the message.
async function refused(promise) {
  const e = await promise.then(
    () => assert.fail('the control call succeeded'),
    (x) => x,
  );
  assert.equal(e.status, 400, e.message);
  assert.deepEqual(Object.keys(e.body), ['error']);
  assert.equal(typeof e.body.error, 'string');
  return e.body.error;
}

async function contact(email) {
  return (await c.crm.contacts.basicApi.create({ properties: { email } })).id;
}

// An email engagement associated with the contacts (email -> contact, type 198).
async function email(direction, contactIds = [], subject = 'Your quote') {
  const properties = { hs_timestamp: '2024-05-02T14:00:00.000Z', hs_email_subject: subject };
  if (direction) properties.hs_email_direction = direction;
  const r = await c.crm.objects.emails.basicApi.create({
    properties,
    associations: contactIds.map((id) => ({ to: { id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 198 }] })),
  });
  return r.id;
}

async function searchIds(api, prop, from) {
  const res = await api.searchApi.doSearch({
    filterGroups: [{ filters: [{ propertyName: prop, operator: 'GTE', value: String(from) }] }],
    limit: 100,
  });
  return res.results.map((r) => r.id);
}

test('opens and clicks of a sent sales email: counts and last dates on the email, last opened and clicked on its contacts', async () => {
  const ada = await contact('ada@tracked.example');
  const bob = await contact('bob@tracked.example');
  const sent = await email('EMAIL', [ada, bob]);
  const fresh = await readEmail(sent);
  for (const p of EMAIL_PROPS.slice(0, 4)) assert.equal(fresh.properties[p], null, `${p} unset before any event`);

  const mark = await emuNow();
  const t1 = iso(Date.parse('2024-05-03T09:00:00Z'));
  const t2 = iso(Date.parse('2024-05-03T10:30:00Z'));
  const t3 = iso(Date.parse('2024-05-03T11:15:00Z'));
  const o1 = await track(sent, 'OPEN', t1);
  assert.deepEqual(o1, { emailId: sent, type: 'OPEN', count: 1, at: t1, contactIds: [ada, bob] });
  const o2 = await track(Number(sent), 'OPEN', '2024-05-03T12:30:00+02:00'); // a number id, an offset
  assert.deepEqual(o2, { emailId: sent, type: 'OPEN', count: 2, at: t2, contactIds: [ada, bob] });
  const k1 = await track(sent, 'CLICK', t3);
  assert.equal(k1.count, 1);
  assert.equal(k1.at, t3);

  const e = await readEmail(sent);
  assert.equal(e.properties.hs_email_open_count, '2');
  assert.equal(e.properties.hs_email_click_count, '1');
  assert.equal(e.properties.hs_email_last_open_date, t2);
  assert.equal(e.properties.hs_email_last_click_date, t3);
  assert.ok(Date.parse(e.properties.hs_lastmodifieddate) >= mark, 'the email was modified now, not at the event time');
  for (const id of [ada, bob]) {
    const r = await readContact(id);
    assert.equal(r.properties.hs_sales_email_last_opened, t2, id);
    assert.equal(r.properties.hs_sales_email_last_clicked, t3, id);
    assert.equal(r.properties.hs_document_last_revisited, null);
    assert.ok(Date.parse(r.properties.lastmodifieddate) >= mark);
  }

  // history names HubSpot's own calculation as the source
  await c.crm.objects.emails.basicApi.getById(sent, ['hs_email_open_count'], ['hs_email_open_count']);
  const hist = c.last().json.propertiesWithHistory.hs_email_open_count;
  assert.deepEqual(hist.map((h) => h.value), ['2', '1']);
  assert.deepEqual([...new Set(hist.map((h) => h.sourceType))], ['CALCULATED']);

  // an incremental poll on the modify dates finds the email and its contacts
  assert.ok((await searchIds(c.crm.objects.emails, 'hs_lastmodifieddate', mark)).includes(sent));
  const found = await searchIds(c.crm.contacts, 'lastmodifieddate', mark);
  assert.ok(found.includes(ada) && found.includes(bob), JSON.stringify(found));
});

test('without "at" the event happens now (the emulator clock); an earlier "at" counts but moves no last date back', async () => {
  const cy = await contact('cy@tracked.example');
  const sent = await email('EMAIL', [cy]);
  const before = await emuNow();
  const now = await track(sent, 'OPEN');
  assert.match(now.at, ISO_MS);
  assert.ok(Date.parse(now.at) >= before && Date.parse(now.at) <= (await emuNow()));

  const old = await track(sent, 'OPEN', '2020-01-01T00:00:00Z');
  assert.equal(old.count, 2);
  assert.equal(old.at, '2020-01-01T00:00:00.000Z');
  const e = await readEmail(sent);
  assert.equal(e.properties.hs_email_open_count, '2');
  assert.equal(e.properties.hs_email_last_open_date, now.at);
  assert.equal((await readContact(cy)).properties.hs_sales_email_last_opened, now.at);

  // an email on the contact opened earlier than the contact's last open leaves the contact be
  const other = await email('EMAIL', [cy], 'Older thread');
  const mark = await emuNow();
  await track(other, 'OPEN', '2021-06-01T00:00:00Z');
  const r = await readContact(cy);
  assert.equal(r.properties.hs_sales_email_last_opened, now.at);
  assert.ok(Date.parse(r.properties.lastmodifieddate) < mark, 'the contact did not change');
  assert.equal((await readEmail(other)).properties.hs_email_last_open_date, '2021-06-01T00:00:00.000Z');
});

test('only a live sent email is tracked; bad bodies get 400 {"error"} and change nothing', async () => {
  const dee = await contact('dee@tracked.example');
  const incoming = await email('INCOMING_EMAIL', [dee]);
  assert.match(await refused(track(incoming, 'OPEN')), /only a sent sales email \(hs_email_direction EMAIL\) is tracked/);
  assert.match(await refused(track(await email(null, [dee]), 'CLICK')), /hs_email_direction EMAIL/);
  assert.match(await refused(track('99999999999', 'OPEN')), /emailId 99999999999/);
  assert.match(await refused(hs.control('POST', '/__emu/sales-email-events', { type: 'OPEN' })), /emailId/);

  const sent = await email('EMAIL', [dee]);
  assert.match(await refused(track(sent, 'BOUNCE')), /OPEN or CLICK/);
  assert.match(await refused(hs.control('POST', '/__emu/sales-email-events', { emailId: sent })), /OPEN or CLICK/);
  assert.match(await refused(track(sent, 'OPEN', 'yesterday')), /at must be an ISO-8601 time/);
  assert.match(await refused(hs.control('POST', '/__emu/sales-email-events', { emailId: sent, type: 'OPEN', at: 1714658400000 })), /at/);
  assert.match(await refused(hs.control('POST', '/__emu/sales-email-events', { emailId: true, type: 'OPEN' })), /emailId/);
  assert.match(await refused(hs.control('POST', '/__emu/sales-email-events', [sent])), /JSON object/);
  const raw = await hs.http('POST', '/__emu/sales-email-events', { body: '{"emailId":', token: null });
  assert.equal(raw.status, 400);
  assert.equal(typeof raw.json.error, 'string');

  // an archived email is not there any more
  await c.crm.objects.emails.basicApi.archive(sent);
  assert.match(await refused(track(sent, 'OPEN')), /emailId/);

  for (const id of [incoming]) {
    const e = await readEmail(id);
    assert.equal(e.properties.hs_email_open_count, null);
  }
  const r = await readContact(dee);
  assert.equal(r.properties.hs_sales_email_last_opened, null);
  assert.equal(r.properties.hs_sales_email_last_clicked, null);
});

test('contacts in the recycle bin are left out; an email without contacts is still counted', async () => {
  const keep = await contact('keep@tracked.example');
  const gone = await contact('gone@tracked.example');
  const sent = await email('EMAIL', [keep, gone]);
  await c.crm.contacts.basicApi.archive(gone);
  const k = await track(sent, 'CLICK');
  assert.deepEqual(k.contactIds, [keep]);
  await hs.control('POST', '/__emu/restore', { objectType: 'contacts', id: gone });
  assert.equal((await readContact(gone)).properties.hs_sales_email_last_clicked, null);

  const alone = await email('EMAIL');
  const a = await track(alone, 'CLICK');
  assert.deepEqual(a.contactIds, []);
  assert.equal((await readEmail(alone)).properties.hs_email_click_count, '1');
});

test('a sales document viewed: hs_document_last_revisited on the contact, forward only; the contact is found by lastmodifieddate', async () => {
  const eve = await contact('eve@viewer.example');
  const mark = await emuNow();
  const v = await view(eve);
  assert.deepEqual(Object.keys(v).sort(), ['at', 'contactId']);
  assert.equal(v.contactId, eve);
  assert.match(v.at, ISO_MS);
  let r = await readContact(eve);
  assert.equal(r.properties.hs_document_last_revisited, v.at);
  assert.ok(Date.parse(r.properties.lastmodifieddate) >= mark);
  assert.ok((await searchIds(c.crm.contacts, 'lastmodifieddate', mark)).includes(eve));

  const earlier = await view(Number(eve), '2022-02-02T02:02:02Z');
  assert.equal(earlier.at, '2022-02-02T02:02:02.000Z');
  r = await readContact(eve);
  assert.equal(r.properties.hs_document_last_revisited, v.at, 'an earlier view does not move it back');
  const later = iso(Date.parse(v.at) + 60000);
  await view(eve, later);
  assert.equal((await readContact(eve)).properties.hs_document_last_revisited, later);
  await c.crm.contacts.basicApi.getById(eve, ['hs_document_last_revisited'], ['hs_document_last_revisited']);
  assert.deepEqual(
    c.last().json.propertiesWithHistory.hs_document_last_revisited.map((h) => [h.value, h.sourceType]),
    [[later, 'CALCULATED'], [v.at, 'CALCULATED']],
  );

  assert.match(await refused(view('99999999999')), /contactId 99999999999/);
  assert.match(await refused(hs.control('POST', '/__emu/document-views', {})), /contactId/);
  assert.match(await refused(view(eve, 'not a time')), /at must be an ISO-8601 time/);
});

test('the tracked properties are calculated and read-only: the public API refuses to write them', async () => {
  const expect = {
    emails: {
      hs_email_open_count: ['Number of opens', 'number'],
      hs_email_click_count: ['Number of clicks', 'number'],
      hs_email_last_open_date: ['Last opened', 'datetime'],
      hs_email_last_click_date: ['Last clicked', 'datetime'],
    },
    contacts: {
      hs_sales_email_last_opened: ['Recent Sales Email Opened Date', 'datetime'],
      hs_sales_email_last_clicked: ['Recent Sales Email Clicked Date', 'datetime'],
      hs_document_last_revisited: ['Recent Document Revisit Date', 'datetime'],
    },
  };
  for (const [type, props] of Object.entries(expect)) {
    for (const [name, [label, ptype]] of Object.entries(props)) {
      const d = await c.crm.properties.coreApi.getByName(type, name);
      assert.equal(d.label, label, name);
      assert.equal(d.type, ptype, name);
      assert.equal(d.calculated, true, name);
      assert.equal(d.hubspotDefined, true, name);
      assert.equal(d.modificationMetadata.readOnlyValue, true, name);
    }
  }

  const fay = await contact('fay@tracked.example');
  const sent = await email('EMAIL', [fay]);
  await track(sent, 'OPEN');
  const body = await apiError(c.crm.objects.emails.basicApi.update(sent, { properties: { hs_email_open_count: '5' } }), 400);
  assertErrorShape(body, 'VALIDATION_ERROR');
  assert.equal(body.errors[0].code, 'READ_ONLY_VALUE');
  assert.deepEqual(body.errors[0].context, { propertyName: ['hs_email_open_count'] });
  assert.match(body.message, /hs_email_open_count/);
  const onCreate = await apiError(
    c.crm.objects.emails.basicApi.create({ properties: { hs_timestamp: '2024-05-02T14:00:00Z', hs_email_last_click_date: '2024-05-02T14:00:00Z' } }),
    400,
  );
  assertErrorShape(onCreate, 'VALIDATION_ERROR');
  assert.equal(onCreate.errors[0].code, 'READ_ONLY_VALUE');
  const onContact = await apiError(c.crm.contacts.basicApi.update(fay, { properties: { hs_document_last_revisited: '2024-05-02T14:00:00Z' } }), 400);
  assert.equal(onContact.errors[0].code, 'READ_ONLY_VALUE');
  const batch = await apiError(
    c.crm.contacts.batchApi.update({ inputs: [{ id: fay, properties: { hs_sales_email_last_opened: '2024-05-02T14:00:00Z' } }] }),
    400,
  );
  assert.equal(batch.errors[0].code, 'READ_ONLY_VALUE');
  assert.equal((await readEmail(sent)).properties.hs_email_open_count, '1', 'the refused write changed nothing');
});

test('propertyChange webhooks of tracked values name CALCULATED as the change source', async () => {
  const got = [];
  const srv = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (d) => chunks.push(d));
    req.on('end', () => {
      got.push(...JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.end('ok');
    });
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  try {
    const dev = hs.client({ token: null, developerApiKey: 'crmsync-demo-developer-key' });
    await dev.webhooks.settingsApi.configure(1357911, { targetUrl: `http://127.0.0.1:${srv.address().port}/hook`, throttling: { maxConcurrentRequests: 5 } });
    await dev.webhooks.subscriptionsApi.create(1357911, { eventType: 'contact.propertyChange', propertyName: 'hs_sales_email_last_opened', active: true });
    const gus = await contact('gus@tracked.example');
    const sent = await email('EMAIL', [gus]);
    const o = await track(sent, 'OPEN');
    const e = await waitFor(() => got.find((x) => String(x.objectId) === gus), { what: 'the propertyChange event' });
    assert.equal(e.subscriptionType, 'contact.propertyChange');
    assert.equal(e.propertyName, 'hs_sales_email_last_opened');
    assert.equal(e.propertyValue, o.at);
    assert.equal(e.changeSource, 'CALCULATED');
  } finally {
    await new Promise((r) => srv.close(r));
  }
});

test('tracked values survive a restart on the same --data file', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-tracking-'));
  const file = path.join(dir, 'portal.db');
  let p = await startHubspot(['--data', file]);
  try {
    await noLimits(p);
    let pc = p.client();
    const id = (await pc.crm.contacts.basicApi.create({ properties: { email: 'hal@tracked.example' } })).id;
    const sent = (
      await pc.crm.objects.emails.basicApi.create({
        properties: { hs_timestamp: '2024-05-02T14:00:00Z', hs_email_direction: 'EMAIL' },
        associations: [{ to: { id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 198 }] }],
      })
    ).id;
    const o = await p.control('POST', '/__emu/sales-email-events', { emailId: sent, type: 'OPEN' });
    const v = await p.control('POST', '/__emu/document-views', { contactId: id });
    assert.equal(await p.stop(), 0);

    p = await startHubspot(['--data', file]);
    await noLimits(p);
    pc = p.client();
    const e = await pc.crm.objects.emails.basicApi.getById(sent, EMAIL_PROPS);
    assert.equal(e.properties.hs_email_open_count, '1');
    assert.equal(e.properties.hs_email_last_open_date, o.at);
    const r = await pc.crm.contacts.basicApi.getById(id, CONTACT_PROPS);
    assert.equal(r.properties.hs_sales_email_last_opened, o.at);
    assert.equal(r.properties.hs_document_last_revisited, v.at);
    const again = await p.control('POST', '/__emu/sales-email-events', { emailId: sent, type: 'OPEN' });
    assert.equal(again.count, 2, 'counting goes on from the kept value');
  } finally {
    try {
      await p.stop();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
});
