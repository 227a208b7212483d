// Marketing events: form submissions and marketing email events created through the control
// API, read back through HubSpot's forms and email events APIs (plain client.apiRequest: the
// SDK has no methods for these legacy read endpoints), and their effect on contacts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHubspot, noLimits } from './lib/hubspot.mjs';

let hs;
let c;
const FORM = '5a1c9e2b-0000-4000-8000-00000000f0f0';

before(async () => {
  hs = await startHubspot();
  await noLimits(hs);
  c = hs.client();
});
after(async () => {
  await hs?.stop();
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
