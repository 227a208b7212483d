// Marketing events: form submissions and marketing email events created through the control
// API, read back through HubSpot's forms and email events APIs (plain client.apiRequest: the
// SDK has no methods for these legacy read endpoints), and their effect on contacts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startHubspot, withPortal } from './lib/hubspot.mjs';

let hs;
let c;
const FORM = '5a1c9e2b-0000-4000-8000-00000000f0f0';

withPortal((portal) => {
  hs = portal;
  c = portal.client();
});

async function get(path) {
  const res = await c.apiRequest({ method: 'GET', path });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined, headers: res.headers };
}

test('a form submission creates the contact and is readable through the forms API', async () => {
  const at = '2024-06-01T12:00:00.000Z';
  await hs.control('POST', `/__emu/forms/${FORM}/submissions`, {
    email: 'Form.Filler@Example.com',
    fields: { firstname: 'Ada', lastname: 'Form' },
    submittedAt: at,
  });
  const ct = await c.crm.contacts.basicApi.getById('form.filler@example.com', ['firstname', 'lastname'], ['firstname'], undefined, false, 'email');
  assert.equal(ct.properties.firstname, 'Ada');
  assert.equal(ct.properties.lastname, 'Form');
  const h = c.last().json.propertiesWithHistory.firstname[0];
  assert.equal(h.sourceType, 'FORM', 'the history names the form as the source');

  const r = await get(`/form-integrations/v1/submissions/forms/${FORM}`);
  assert.equal(r.status, 200);
  assert.equal(r.json.results.length, 1);
  const s = r.json.results[0];
  assert.equal(s.submittedAt, Date.parse(at));
  const values = Object.fromEntries(s.values.map((v) => [v.name, v.value]));
  assert.equal(values.email.toLowerCase(), 'form.filler@example.com');
  assert.equal(values.firstname, 'Ada');
});

test('a second submission by the same email updates the same contact; submissions page', async () => {
  const before = await c.crm.contacts.basicApi.getById('form.filler@example.com', ['firstname'], undefined, undefined, false, 'email');
  await hs.control('POST', `/__emu/forms/${FORM}/submissions`, {
    email: 'form.filler@example.com',
    fields: { firstname: 'Adelaide' },
    submittedAt: '2024-06-02T12:00:00.000Z',
  });
  await hs.control('POST', `/__emu/forms/${FORM}/submissions`, {
    email: 'second@example.com',
    fields: { firstname: 'Sec' },
    submittedAt: '2024-06-03T12:00:00.000Z',
  });
  const after = await c.crm.contacts.basicApi.getById('form.filler@example.com', ['firstname'], undefined, undefined, false, 'email');
  assert.equal(after.id, before.id);
  assert.equal(after.properties.firstname, 'Adelaide');

  const p1 = await get(`/form-integrations/v1/submissions/forms/${FORM}?limit=2`);
  assert.equal(p1.json.results.length, 2);
  const next = p1.json.paging?.next?.after;
  assert.ok(next, 'a second page');
  const p2 = await get(`/form-integrations/v1/submissions/forms/${FORM}?limit=2&after=${encodeURIComponent(next)}`);
  assert.equal(p2.json.results.length, 1);
  const times = [...p1.json.results, ...p2.json.results].map((s) => s.submittedAt);
  assert.deepEqual(times, [...times].sort((a, b) => b - a), 'newest first');
  const other = await get('/form-integrations/v1/submissions/forms/00000000-0000-4000-8000-000000000000');
  assert.ok(other.status === 404 || (other.status === 200 && other.json.results.length === 0));
});

test('a submission without an email is refused by the control API', async () => {
  let err;
  try {
    await hs.control('POST', `/__emu/forms/${FORM}/submissions`, { fields: { firstname: 'Anon' } });
  } catch (e) {
    err = e;
  }
  assert.equal(err?.status, 400);
  assert.equal(typeof err.body.error, 'string');
});

test('marketing email events (SENT, OPEN, CLICK) are readable through the email events API', async () => {
  const base = Date.parse('2024-07-01T09:00:00.000Z');
  const types = ['SENT', 'OPEN', 'CLICK'];
  for (let i = 0; i < types.length; i++) {
    await hs.control('POST', '/__emu/email-events', {
      type: types[i],
      recipient: 'reader@example.com',
      emailCampaignId: 777,
      subject: 'July news',
      created: new Date(base + i * 60000).toISOString(),
    });
  }
  await hs.control('POST', '/__emu/email-events', {
    type: 'SENT', recipient: 'someone.else@example.com', emailCampaignId: 778, subject: 'Other', created: new Date(base).toISOString(),
  });

  const r = await get('/email/public/v1/events?recipient=reader%40example.com');
  assert.equal(r.status, 200);
  const ev = r.json.events;
  assert.equal(ev.length, 3);
  for (const e of ev) {
    assert.equal(e.recipient, 'reader@example.com');
    assert.equal(e.emailCampaignId, 777);
    assert.equal(typeof e.created, 'number');
    assert.equal(typeof e.id, 'string');
    assert.ok(types.includes(e.type));
  }
  assert.deepEqual(ev.map((e) => e.type).sort(), ['CLICK', 'OPEN', 'SENT']);
  assert.equal(typeof r.json.hasMore, 'boolean');

  const opens = await get('/email/public/v1/events?eventType=OPEN');
  assert.deepEqual(opens.json.events.map((e) => e.recipient), ['reader@example.com']);
  const camp = await get('/email/public/v1/events?campaignId=778');
  assert.deepEqual(camp.json.events.map((e) => e.recipient), ['someone.else@example.com']);
  const since = await get(`/email/public/v1/events?recipient=reader%40example.com&startTimestamp=${base + 30000}`);
  assert.deepEqual(since.json.events.map((e) => e.type).sort(), ['CLICK', 'OPEN']);
});

test('a bad email event type is refused by the control API', async () => {
  let err;
  try {
    await hs.control('POST', '/__emu/email-events', { type: 'TELEPORT', recipient: 'a@b.co', emailCampaignId: 1 });
  } catch (e) {
    err = e;
  }
  assert.equal(err?.status, 400);
});

test('the read endpoints need a token', async () => {
  const r = await hs.http('GET', '/email/public/v1/events', { token: null });
  assert.equal(r.status, 401);
  assert.equal(r.json.category, 'INVALID_AUTHENTICATION');
});

test('email events carry what a sync needs; the campaign answers with its name and subject', async () => {
  const camp = await hs.control('POST', '/__emu/email-campaigns', { name: 'Spring launch', subject: 'Meet the new printer' });
  assert.equal(typeof camp.id, 'number');
  const base = Date.parse('2024-08-01T09:00:00.000Z');
  const sent = await hs.control('POST', '/__emu/email-events', {
    type: 'SENT', recipient: 'clicker@example.com', emailCampaignId: camp.id, created: new Date(base).toISOString(),
  });
  await hs.control('POST', '/__emu/email-events', {
    type: 'OPEN', recipient: 'clicker@example.com', emailCampaignId: camp.id, created: new Date(base + 60000).toISOString(),
  });
  await hs.control('POST', '/__emu/email-events', {
    type: 'CLICK', recipient: 'clicker@example.com', emailCampaignId: camp.id, url: 'https://www.crmsync.test/printer',
    created: new Date(base + 120000).toISOString(),
  });
  const r = await get(`/email/public/v1/events?recipient=clicker%40example.com&startTimestamp=${base}`);
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.events.map((e) => e.type), ['CLICK', 'OPEN', 'SENT'], 'newest first');
  const [click, open, s] = r.json.events;
  for (const e of r.json.events) {
    assert.equal(e.recipient, 'clicker@example.com');
    assert.equal(e.emailCampaignId, camp.id);
    assert.equal(typeof e.created, 'number');
    assert.equal(e.portalId, 24681357);
    assert.equal(typeof e.appId, 'number');
  }
  assert.equal(click.url, 'https://www.crmsync.test/printer');
  assert.equal(s.subject, 'Meet the new printer', 'a SENT event carries the subject');
  assert.equal(s.sentBy, undefined);
  assert.deepEqual(open.sentBy, { id: sent.id, created: sent.created }, 'later events point at their SENT event');
  // one event by its EventId
  const one = await get(`/email/public/v1/events/${click.created}/${click.id}`);
  assert.equal(one.json.url, click.url);

  const cp = await get(`/email/public/v1/campaigns/${camp.id}`);
  assert.equal(cp.status, 200);
  assert.equal(cp.json.id, camp.id);
  assert.equal(cp.json.name, 'Spring launch');
  assert.equal(cp.json.subject, 'Meet the new printer');
  assert.deepEqual(cp.json.counters, { sent: 1, open: 1, click: 1 });
  for (const k of ['appId', 'appName', 'contentId', 'numIncluded', 'numQueued', 'type']) assert.ok(k in cp.json, k);
  const missing = await get('/email/public/v1/campaigns/424242');
  assert.equal(missing.status, 404);

  // an event of a campaign not made yet makes it, named by the subject
  await hs.control('POST', '/__emu/email-events', { type: 'SENT', recipient: 'x@example.com', emailCampaignId: 990001, subject: 'Autumn' });
  const auto = await get('/email/public/v1/campaigns/990001');
  assert.equal(auto.json.subject, 'Autumn');
  assert.equal(auto.json.name, 'Autumn');

  const byId = await get('/email/public/v1/campaigns/by-id?limit=100');
  assert.ok(byId.json.campaigns.some((x) => x.id === camp.id));
  assert.equal(typeof byId.json.hasMore, 'boolean');
  const recent = await get('/email/public/v1/campaigns?limit=100');
  assert.equal(recent.json.campaigns[0].id, 990001, 'most recent activity first');
  assert.equal(typeof recent.json.campaigns[0].lastUpdatedTime, 'number');
});

test('email events page by an opaque offset; events arriving between pages shift nothing', async () => {
  const base = Date.parse('2024-09-01T09:00:00.000Z');
  for (let i = 0; i < 5; i++) {
    await hs.control('POST', '/__emu/email-events', {
      type: 'DELIVERED', recipient: 'pager@example.com', emailCampaignId: 555, created: new Date(base + i * 1000).toISOString(),
    });
  }
  const q = `/email/public/v1/events?recipient=pager%40example.com&startTimestamp=${base}&limit=2`;
  const p1 = await get(q);
  assert.equal(p1.json.events.length, 2);
  assert.equal(p1.json.hasMore, true);
  assert.equal(typeof p1.json.offset, 'string');
  // a new event arrives (newest) before the next page is read
  await hs.control('POST', '/__emu/email-events', {
    type: 'DELIVERED', recipient: 'pager@example.com', emailCampaignId: 555, created: new Date(base + 9000).toISOString(),
  });
  const seen = p1.json.events.map((e) => e.created);
  let offset = p1.json.offset;
  let more = p1.json.hasMore;
  while (more) {
    const p = await get(`${q}&offset=${encodeURIComponent(offset)}`);
    seen.push(...p.json.events.map((e) => e.created));
    offset = p.json.offset;
    more = p.json.hasMore;
  }
  assert.deepEqual(seen, [4, 3, 2, 1, 0].map((i) => base + i * 1000), 'every older event once, none twice');
  const bad = await get('/email/public/v1/events?offset=not-a-cursor');
  assert.equal(bad.status, 400);
});

test('form submissions page by an opaque cursor; submissions arriving between pages shift nothing', async () => {
  const form = (await c.apiRequest({ method: 'GET', path: `/marketing/v3/forms/${FORM}` }).then((r) => r.json()));
  assert.equal(form.name, 'Contact us', 'the form name, for a "Submitted: <form name>" subject');
  const F2 = '5a1c9e2b-0000-4000-8000-0000000000aa';
  for (let i = 0; i < 5; i++) {
    await hs.control('POST', `/__emu/forms/${F2}/submissions`, {
      email: `sub${i}@example.com`, submittedAt: new Date(Date.parse('2024-10-01T00:00:00.000Z') + i * 1000).toISOString(),
    });
  }
  const p1 = await get(`/form-integrations/v1/submissions/forms/${F2}?limit=2`);
  assert.equal(p1.json.results.length, 2);
  await hs.control('POST', `/__emu/forms/${F2}/submissions`, { email: 'late@example.com' });
  const emails = p1.json.results.map((s) => s.values.find((v) => v.name === 'email').value);
  let after = p1.json.paging?.next?.after;
  while (after) {
    const p = await get(`/form-integrations/v1/submissions/forms/${F2}?limit=2&after=${encodeURIComponent(after)}`);
    emails.push(...p.json.results.map((s) => s.values.find((v) => v.name === 'email').value));
    after = p.json.paging?.next?.after;
  }
  assert.deepEqual(emails, ['sub4@example.com', 'sub3@example.com', 'sub2@example.com', 'sub1@example.com', 'sub0@example.com']);
  for (const s of p1.json.results) assert.equal(typeof s.conversionId, 'string');
});

test('campaigns, events and submissions survive a restart on the same --data file', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-mkt-'));
  const file = path.join(dir, 'portal.db');
  let p = await startHubspot(['--data', file]);
  try {
    const camp = await p.control('POST', '/__emu/email-campaigns', { name: 'Kept', subject: 'Kept subject' });
    await p.control('POST', '/__emu/email-events', { type: 'SENT', recipient: 'kept@example.com', emailCampaignId: camp.id });
    await p.stop();
    p = await startHubspot(['--data', file]);
    const cl = p.client();
    const res = await cl.apiRequest({ method: 'GET', path: `/email/public/v1/campaigns/${camp.id}` });
    const got = await res.json();
    assert.equal(got.subject, 'Kept subject');
    assert.deepEqual(got.counters, { sent: 1 });
    const next = await p.control('POST', '/__emu/email-campaigns', { name: 'Next' });
    assert.equal(next.id, camp.id + 1, 'new campaign ids do not collide with stored ones');
  } finally {
    await p.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
