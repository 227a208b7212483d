// Webhooks: subscriptions set up through @hubspot/api-client's webhooks API (developer key), a
// small HTTP receiver on 127.0.0.1:0, and API writes that must produce creation, deletion,
// propertyChange, associationChange, merge and restore events. Every delivery's v3 signature
// and timestamp are verified, and its legacy v1/v2 signature; batching as JSON arrays, retries
// after the receiver answers 500, and changeSource/sourceId of API writes are checked.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import crypto from 'node:crypto';
import { startHubspot, CLIENT_SECRET, Signature, noLimits, waitFor } from './lib/hubspot.mjs';

const APP_ID = 1357911;
const DEV_KEY = 'crmsync-demo-developer-key';
const PATH = '/hooks/hubspot?x=1';

let hs;
let c;
let dev;
let recv;
let targetUrl;
const deliveries = []; // { method, url, headers, body, at, status }
let failNext = 0;
const subs = {};

function startReceiver() {
  return new Promise((resolve) => {
    const srv = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (d) => chunks.push(d));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const status = failNext > 0 ? (failNext--, 500) : 200;
        deliveries.push({ method: req.method, url: req.url, headers: req.headers, body, at: Date.now(), status });
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(status === 200 ? 'ok' : 'nope');
      });
    });
    srv.listen(0, '127.0.0.1', () => resolve(srv));
  });
}

const events = () => deliveries.filter((d) => d.status === 200).flatMap((d) => JSON.parse(d.body));
const eventsOf = (type, pred = () => true) => events().filter((e) => e.subscriptionType === type && pred(e));
async function waitEvent(type, pred, what) {
  return waitFor(() => eventsOf(type, pred)[0], { timeout: 5000, what: what ?? type });
}

before(async () => {
  hs = await startHubspot();
  await noLimits(hs);
  await hs.control('PUT', '/__emu/settings', { webhook_retry_base_ms: 100, webhook_batch_size: 100 });
  recv = await startReceiver();
  targetUrl = `http://127.0.0.1:${recv.address().port}${PATH}`;
  c = hs.client();
  dev = hs.client({ token: null, developerApiKey: DEV_KEY });
});
after(async () => {
  await hs?.stop();
  await new Promise((r) => recv?.close(r));
});

test('settings and subscriptions through the webhooks API (developer key)', async () => {
  const s = await dev.webhooks.settingsApi.configure(APP_ID, { targetUrl, throttling: { maxConcurrentRequests: 5 } });
  assert.equal(dev.last().status, 200);
  assert.equal(s.targetUrl, targetUrl);
  const got = await dev.webhooks.settingsApi.getAll(APP_ID);
  assert.equal(got.targetUrl, targetUrl);
  assert.equal(got.throttling.maxConcurrentRequests, 5);

  for (const [eventType, propertyName] of [
    ['contact.creation'],
    ['contact.deletion'],
    ['contact.propertyChange', 'firstname'],
    ['contact.associationChange'],
    ['contact.merge'],
    ['contact.restore'],
    ['company.creation'],
  ]) {
    const sub = await dev.webhooks.subscriptionsApi.create(APP_ID, { eventType, propertyName, active: true });
    assert.equal(dev.last().status, 201);
    assert.equal(sub.eventType, eventType);
    assert.equal(sub.active, true);
    assert.match(String(sub.id), /^\d+$/);
    subs[eventType] = sub;
  }
  const list = await dev.webhooks.subscriptionsApi.getAll(APP_ID);
  assert.equal(list.results.length, 7);

  // without the developer key the management API refuses
  const anon = hs.client({ token: null });
  let err;
  try {
    await anon.webhooks.settingsApi.getAll(APP_ID);
  } catch (e) {
    err = e;
  }
  assert.equal(err?.code, 401);
});

let contactId;
let companyId;

test('creation: one event with the vendor fields as JSON numbers, changeSource of an API write', async () => {
  const ct = await c.crm.contacts.basicApi.create({ properties: { email: 'hook@example.com', firstname: 'Hook' } });
  contactId = ct.id;
  const e = await waitEvent('contact.creation', (x) => String(x.objectId) === ct.id);
  for (const k of ['eventId', 'subscriptionId', 'portalId', 'appId', 'occurredAt', 'attemptNumber', 'objectId']) {
    assert.equal(typeof e[k], 'number', `${k} is a JSON number`);
  }
  assert.equal(e.appId, APP_ID);
  assert.equal(e.subscriptionId, Number(subs['contact.creation'].id));
  assert.equal(e.attemptNumber, 0);
  assert.ok(Math.abs(e.occurredAt - Date.now()) < 10000);
  assert.ok(['NEW', 'CREATED'].includes(e.changeFlag), `changeFlag ${e.changeFlag}`);
  assert.ok(['INTEGRATION', 'API'].includes(e.changeSource), `changeSource ${e.changeSource}`);
  // the same source the record's history names
  const r = await c.crm.contacts.basicApi.getById(ct.id, ['email'], ['email']);
  const h = c.last().json.propertiesWithHistory.email[0];
  assert.equal(e.changeSource, h.sourceType);
  if (h.sourceId !== undefined) assert.equal(String(e.sourceId), h.sourceId);
  assert.ok(r.id);
  // the company subscription saw nothing for a contact
  assert.equal(eventsOf('company.creation').length, 0);
});

test('propertyChange: only for the subscribed property, value as a string', async () => {
  await c.crm.contacts.basicApi.update(contactId, { properties: { firstname: 'Hooked', lastname: 'Line' } });
  const e = await waitEvent('contact.propertyChange', (x) => String(x.objectId) === contactId && x.propertyValue === 'Hooked');
  assert.equal(e.propertyName, 'firstname');
  assert.equal(typeof e.propertyValue, 'string');
  assert.ok(['INTEGRATION', 'API'].includes(e.changeSource));
  assert.ok(e.sourceId !== undefined && String(e.sourceId).length > 0, 'sourceId names the writer');
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(!eventsOf('contact.propertyChange').some((x) => x.propertyName === 'lastname'), 'no event for lastname');
  // an update that changes nothing sends nothing
  const before = eventsOf('contact.propertyChange').length;
  await c.crm.contacts.basicApi.update(contactId, { properties: { firstname: 'Hooked' } });
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(eventsOf('contact.propertyChange').length, before);
});

test('associationChange: added and removed, with the association fields', async () => {
  const co = await c.crm.companies.basicApi.create({ properties: { name: 'Hook Co' } });
  companyId = co.id;
  await waitEvent('company.creation', (x) => String(x.objectId) === co.id);
  await c.crm.associations.v4.basicApi.createDefault('contacts', contactId, 'companies', co.id);
  const added = await waitEvent(
    'contact.associationChange',
    (x) => String(x.fromObjectId) === contactId && x.associationRemoved === false,
  );
  assert.equal(added.associationType, 'CONTACT_TO_COMPANY');
  assert.equal(added.toObjectId, Number(co.id));
  assert.equal(typeof added.fromObjectId, 'number');
  assert.equal(typeof added.isPrimaryAssociation, 'boolean');
  await c.crm.associations.v4.basicApi.archive('contacts', contactId, 'companies', co.id);
  const removed = await waitEvent(
    'contact.associationChange',
    (x) => String(x.fromObjectId) === contactId && x.associationRemoved === true,
  );
  assert.equal(removed.toObjectId, Number(co.id));
});

test('merge: primaryObjectId, mergedObjectIds, newObjectId, numberOfPropertiesMoved', async () => {
  const b = await c.crm.contacts.basicApi.create({ properties: { email: 'hook.loser@example.com', lastname: 'Loser' } });
  const merged = await c.crm.contacts.basicApi.merge({ primaryObjectId: contactId, objectIdToMerge: b.id });
  const e = await waitEvent('contact.merge', (x) => x.primaryObjectId === Number(contactId));
  assert.ok(Array.isArray(e.mergedObjectIds));
  assert.ok(e.mergedObjectIds.map(String).includes(b.id));
  assert.equal(typeof e.newObjectId, 'number');
  assert.equal(String(e.newObjectId), merged.id);
  assert.equal(typeof e.numberOfPropertiesMoved, 'number');
  contactId = merged.id;
});

test('deletion and restore', async () => {
  const x = await c.crm.contacts.basicApi.create({ properties: { email: 'hook.delete@example.com' } });
  await c.crm.contacts.basicApi.archive(x.id);
  const del = await waitEvent('contact.deletion', (e) => String(e.objectId) === x.id);
  assert.ok(['INTEGRATION', 'API'].includes(del.changeSource));
  await hs.control('POST', '/__emu/restore', { objectType: 'contacts', id: x.id });
  const res = await waitEvent('contact.restore', (e) => String(e.objectId) === x.id);
  assert.equal(typeof res.eventId, 'number');
  const back = await c.crm.contacts.basicApi.getById(x.id, ['email']);
  assert.equal(back.properties.email, 'hook.delete@example.com');
});

test('a change made in the UI (control API) carries changeSource CRM_UI and the user, not the app', async () => {
  const made = await hs.control('POST', '/__emu/records/contacts', { properties: { email: 'hook.ui@example.com', firstname: 'Ui' }, source: 'CRM_UI', userId: 9100001 });
  const id = String(made.id);
  const e = await waitEvent('contact.creation', (x) => String(x.objectId) === id);
  assert.equal(e.changeSource, 'CRM_UI');
  assert.equal(String(e.sourceId), 'userId:9100001');
  await hs.control('PATCH', `/__emu/records/contacts/${id}`, { properties: { firstname: 'Ui2' }, source: 'CRM_UI', userId: 9100001 });
  const p = await waitEvent('contact.propertyChange', (x) => String(x.objectId) === id && x.propertyValue === 'Ui2');
  assert.equal(p.changeSource, 'CRM_UI');
  // and an API write to the same record is the app again
  await c.crm.contacts.basicApi.update(id, { properties: { firstname: 'Api' } });
  const a = await waitEvent('contact.propertyChange', (x) => String(x.objectId) === id && x.propertyValue === 'Api');
  assert.notEqual(a.changeSource, 'CRM_UI');
  assert.notEqual(String(a.sourceId), 'userId:9100001');
});

test('legacy signature v2 when the portal is set to it', async () => {
  await hs.control('PUT', '/__emu/settings', { webhook_signature_version: 'v2' });
  try {
    const start = deliveries.length;
    const x = await c.crm.contacts.basicApi.create({ properties: { email: 'hook.v2@example.com' } });
    await waitEvent('contact.creation', (e) => String(e.objectId) === x.id);
    const d = deliveries.slice(start).find((y) => JSON.parse(y.body).some((e) => String(e.objectId) === x.id));
    assert.equal(d.headers['x-hubspot-signature-version'], 'v2');
    const want = crypto.createHash('sha256').update(`${CLIENT_SECRET}POST${targetUrl}${d.body}`).digest('hex');
    assert.equal(d.headers['x-hubspot-signature'], want);
  } finally {
    await hs.control('PUT', '/__emu/settings', { webhook_signature_version: 'v1' });
  }
});

test('batching: a JSON array of at most webhook_batch_size events per request', async () => {
  await hs.control('PUT', '/__emu/settings', { webhook_batch_size: 2 });
  try {
    const start = deliveries.length;
    const res = await c.crm.contacts.batchApi.create({
      inputs: Array.from({ length: 5 }, (_, i) => ({ properties: { email: `hook.batch${i}@example.com` }, associations: [] })),
    });
    const ids = new Set(res.results.map((r) => r.id));
    await waitFor(() => eventsOf('contact.creation', (e) => ids.has(String(e.objectId))).length === 5, { what: 'five creation events' });
    const mine = deliveries.slice(start).filter((d) => JSON.parse(d.body).some((e) => ids.has(String(e.objectId))));
    for (const d of mine) {
      const arr = JSON.parse(d.body);
      assert.ok(Array.isArray(arr));
      assert.ok(arr.length >= 1 && arr.length <= 2, `batch of ${arr.length}`);
    }
    assert.ok(mine.some((d) => JSON.parse(d.body).length === 2), 'events are batched');
    const eventIds = eventsOf('contact.creation', (e) => ids.has(String(e.objectId))).map((e) => e.eventId);
    assert.equal(new Set(eventIds).size, 5, 'distinct event ids');
  } finally {
    await hs.control('PUT', '/__emu/settings', { webhook_batch_size: 100 });
  }
});

test('a 500 from the receiver is retried with attemptNumber 1 and the same events', async () => {
  failNext = 1;
  const start = deliveries.length;
  const x = await c.crm.contacts.basicApi.create({ properties: { email: 'hook.retry@example.com' } });
  await waitEvent('contact.creation', (e) => String(e.objectId) === x.id, 'the retried delivery');
  const tries = deliveries.slice(start).filter((d) => JSON.parse(d.body).some((e) => String(e.objectId) === x.id));
  assert.ok(tries.length >= 2, `${tries.length} attempts`);
  assert.equal(tries[0].status, 500);
  const first = JSON.parse(tries[0].body).find((e) => String(e.objectId) === x.id);
  const second = JSON.parse(tries[1].body).find((e) => String(e.objectId) === x.id);
  assert.equal(first.attemptNumber, 0);
  assert.equal(second.attemptNumber, 1);
  assert.equal(second.eventId, first.eventId);
  assert.ok(tries[1].at - tries[0].at >= 80, 'retried after the base delay');
  const log = await hs.control('GET', '/__emu/webhooks/deliveries');
  const statuses = log.deliveries.map((d) => [d.status, d.attempt]);
  assert.ok(statuses.some(([s, a]) => s === 500 && a === 0));
  assert.ok(statuses.some(([s, a]) => s === 200 && a === 1));
  for (const d of log.deliveries) {
    assert.equal(d.url, targetUrl);
    assert.equal(typeof d.events, 'number');
  }
});

test('webhook_max_retries bounds the attempts for a receiver that keeps failing', async () => {
  await hs.control('PUT', '/__emu/settings', { webhook_max_retries: 2, webhook_retry_base_ms: 50 });
  try {
    failNext = 1000;
    const start = deliveries.length;
    const x = await c.crm.contacts.basicApi.create({ properties: { email: 'hook.never@example.com' } });
    const mine = () => deliveries.slice(start).filter((d) => JSON.parse(d.body).some((e) => String(e.objectId) === x.id));
    await waitFor(() => mine().length >= 3, { timeout: 5000, what: 'three attempts' });
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(mine().length, 3, 'the first try and two retries, then no more');
    assert.deepEqual(
      mine().map((d) => JSON.parse(d.body).find((e) => String(e.objectId) === x.id).attemptNumber),
      [0, 1, 2],
    );
  } finally {
    failNext = 0;
    await hs.control('PUT', '/__emu/settings', { webhook_max_retries: 10, webhook_retry_base_ms: 100 });
  }
});

test('every delivery is signed: v3 HMAC with a fresh timestamp, and the legacy v1/v2 header', async () => {
  assert.ok(deliveries.length >= 8, `${deliveries.length} deliveries`);
  for (const d of deliveries) {
    assert.equal(d.method, 'POST');
    assert.equal(d.url, PATH, 'the target path and query are kept');
    assert.match(d.headers['content-type'], /^application\/json/);
    const ts = d.headers['x-hubspot-request-timestamp'];
    assert.match(ts, /^\d{13}$/, 'timestamp in epoch ms');
    assert.ok(Math.abs(Number(ts) - d.at) < 5 * 60 * 1000, 'timestamp is fresh');
    const v3 = d.headers['x-hubspot-signature-v3'];
    assert.ok(v3, 'X-HubSpot-Signature-v3 present');
    const want3 = crypto.createHmac('sha256', CLIENT_SECRET).update(`POST${targetUrl}${d.body}${ts}`, 'utf8').digest('base64');
    assert.equal(v3, want3, 'v3 signature');
    assert.equal(
      Signature.isValid({ signatureVersion: 'v3', signature: v3, clientSecret: CLIENT_SECRET, requestBody: d.body, url: targetUrl, method: 'POST', timestamp: Number(ts) }),
      true,
    );
    const version = d.headers['x-hubspot-signature-version'];
    const legacy = d.headers['x-hubspot-signature'];
    assert.ok(['v1', 'v2'].includes(version), `X-HubSpot-Signature-Version ${version}`);
    const want =
      version === 'v1'
        ? crypto.createHash('sha256').update(CLIENT_SECRET + d.body).digest('hex')
        : crypto.createHash('sha256').update(`${CLIENT_SECRET}POST${targetUrl}${d.body}`).digest('hex');
    assert.equal(legacy, want, `${version} signature`);
    assert.equal(
      Signature.isValid({ signatureVersion: version, signature: legacy, clientSecret: CLIENT_SECRET, requestBody: d.body, url: targetUrl, method: 'POST' }),
      true,
    );
    const arr = JSON.parse(d.body);
    assert.ok(Array.isArray(arr) && arr.length > 0, 'a JSON array of events');
  }
});

test('deactivating a subscription stops its events; deleting settings stops deliveries', async () => {
  await dev.webhooks.subscriptionsApi.update(Number(subs['company.creation'].id), APP_ID, { active: false });
  const co = await c.crm.companies.basicApi.create({ properties: { name: 'Silent Co' } });
  const ct = await c.crm.contacts.basicApi.create({ properties: { email: 'hook.after@example.com' } });
  await waitEvent('contact.creation', (e) => String(e.objectId) === ct.id);
  assert.ok(!eventsOf('company.creation').some((e) => String(e.objectId) === co.id));
  await dev.webhooks.subscriptionsApi.archive(Number(subs['contact.creation'].id), APP_ID);
  assert.equal(dev.last().status, 204);
  const n = deliveries.length;
  await c.crm.contacts.basicApi.create({ properties: { email: 'hook.none@example.com' } });
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(deliveries.length, n);
});
