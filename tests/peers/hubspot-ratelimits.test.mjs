// Rate limits through @hubspot/api-client: the X-HubSpot-RateLimit-* headers, the ten-second
// window, the daily window, 5 searches per second, the exact 429 bodies, and the SDK's own retry
// logic recognising the emulator's 429s (numberOfApiCallRetries) for the ten-second and search
// limits while leaving the daily one alone. Limits are made small through the control API.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startHubspot, apiError, sleep, CLIENT_ID, CLIENT_SECRET } from './lib/hubspot.mjs';

let hs;

before(async () => {
  hs = await startHubspot();
});
after(async () => {
  await hs?.stop();
});
beforeEach(async () => {
  await hs.control('POST', '/__emu/reset');
});

const search = (c) => c.crm.contacts.searchApi.doSearch({ filterGroups: [], limit: 1 });

function assert429(body, policyName, message) {
  assert.equal(body.status, 'error');
  assert.equal(body.message, message);
  assert.equal(body.errorType, 'RATE_LIMIT');
  assert.equal(body.category, 'RATE_LIMITS');
  if (policyName) assert.equal(body.policyName, policyName);
  assert.equal(typeof body.correlationId, 'string');
}

test('defaults: on, at the Professional private-app values', async () => {
  const l = await hs.control('GET', '/__emu/limits');
  assert.equal(l.burst_per_10s, 190);
  assert.equal(l.daily, 625000);
  assert.equal(l.search_per_second, 5);
  assert.equal(l.enabled, true);
});

test('non-search answers carry the X-HubSpot-RateLimit headers, counting down', async () => {
  const c = hs.client();
  await c.crm.contacts.basicApi.getPage(1);
  const h1 = c.last().headers;
  assert.equal(h1['x-hubspot-ratelimit-max'], '190');
  assert.equal(h1['x-hubspot-ratelimit-interval-milliseconds'], '10000');
  assert.equal(h1['x-hubspot-ratelimit-daily'], '625000');
  assert.ok(h1['x-hubspot-ratelimit-secondly'] !== undefined, 'Secondly still sent');
  assert.ok(h1['x-hubspot-ratelimit-secondly-remaining'] !== undefined, 'Secondly-Remaining still sent');
  const r1 = Number(h1['x-hubspot-ratelimit-remaining']);
  const d1 = Number(h1['x-hubspot-ratelimit-daily-remaining']);
  assert.equal(r1, 189);
  assert.equal(d1, 624999);
  await c.crm.companies.basicApi.create({ properties: { name: 'Counted' } });
  const h2 = c.last().headers;
  assert.equal(Number(h2['x-hubspot-ratelimit-remaining']), r1 - 1);
  assert.equal(Number(h2['x-hubspot-ratelimit-daily-remaining']), d1 - 1);
  // error answers carry them too
  await apiError(c.crm.contacts.basicApi.getById('987654321'), 404);
  assert.equal(Number(c.last().headers['x-hubspot-ratelimit-remaining']), r1 - 2);
});

test('the ten-second window: 429 TEN_SECONDLY_ROLLING past the burst, free again 10 s later', async () => {
  await hs.control('PUT', '/__emu/limits', { burst_per_10s: 3 });
  const c = hs.client();
  for (let i = 0; i < 3; i++) await c.crm.contacts.basicApi.getPage(1);
  assert.equal(c.last().headers['x-hubspot-ratelimit-max'], '3');
  assert.equal(c.last().headers['x-hubspot-ratelimit-remaining'], '0');
  const body = await apiError(c.crm.contacts.basicApi.getPage(1), 429);
  assert429(body, 'TEN_SECONDLY_ROLLING', 'You have reached your ten_secondly_rolling limit.');
  // writes are refused too, and nothing is written
  await apiError(c.crm.contacts.basicApi.create({ properties: { email: 'limited@example.com' } }), 429);
  // search is not in the ten-second window
  await search(c);
  assert.equal(c.last().status, 200);
  // the window rolls
  await hs.control('PUT', '/__emu/clock', { advance_ms: 10001 });
  await c.crm.contacts.basicApi.getPage(1);
  assert.equal(c.last().status, 200);
  const recs = await hs.control('GET', '/__emu/records/contacts');
  assert.ok(!JSON.stringify(recs).includes('limited@example.com'), 'the refused create wrote nothing');
});

test('the ten-second window is per app: an OAuth app is not refused when the private app is', async () => {
  await hs.control('PUT', '/__emu/limits', { burst_per_10s: 2 });
  const q = new URLSearchParams({ client_id: CLIENT_ID, redirect_uri: 'http://127.0.0.1:9/cb', scope: 'crm.objects.contacts.read' });
  const r = await hs.http('GET', `/oauth/authorize?${q}`, { token: null, redirect: 'manual' });
  const code = new URL(r.headers.get('location')).searchParams.get('code');
  const anon = hs.client({ token: null });
  const tok = await anon.oauth.tokensApi.create('authorization_code', code, 'http://127.0.0.1:9/cb', CLIENT_ID, CLIENT_SECRET);
  const pat = hs.client();
  await pat.crm.contacts.basicApi.getPage(1);
  await pat.crm.contacts.basicApi.getPage(1);
  await apiError(pat.crm.contacts.basicApi.getPage(1), 429);
  const oauth = hs.client({ token: tok.accessToken });
  await oauth.crm.contacts.basicApi.getPage(1);
  assert.equal(oauth.last().status, 200);
});

test('the daily window: 429 DAILY with the daily message', async () => {
  await hs.control('PUT', '/__emu/limits', { daily: 4 });
  const c = hs.client();
  for (let i = 0; i < 4; i++) await c.crm.contacts.basicApi.getPage(1);
  assert.equal(c.last().headers['x-hubspot-ratelimit-daily'], '4');
  assert.equal(c.last().headers['x-hubspot-ratelimit-daily-remaining'], '0');
  const body = await apiError(c.crm.contacts.basicApi.getPage(1), 429);
  assert429(body, 'DAILY', 'You have reached your daily limit.');
  // ten seconds later it is still spent
  await hs.control('PUT', '/__emu/clock', { advance_ms: 11000 });
  assert429(await apiError(c.crm.contacts.basicApi.getPage(1), 429), 'DAILY', 'You have reached your daily limit.');
  // the next day it is not
  await hs.control('PUT', '/__emu/clock', { advance_ms: 24 * 3600 * 1000 });
  await c.crm.contacts.basicApi.getPage(1);
  assert.equal(c.last().status, 200);
});

test('search: 5 per second, then 429 "You have reached your secondly limit."', async () => {
  const c = hs.client();
  // the portal's clock stands still: the six searches fall in one second however slow they are
  await hs.control('PUT', '/__emu/clock', { freeze: true });
  for (let i = 0; i < 5; i++) await search(c);
  const body = await apiError(search(c), 429);
  assert429(body, null, 'You have reached your secondly limit.');
  // other calls are unaffected
  await c.crm.contacts.basicApi.getPage(1);
  assert.equal(c.last().status, 200);
  await hs.control('PUT', '/__emu/clock', { freeze: false });
  await hs.control('PUT', '/__emu/clock', { advance_ms: 1001 });
  await search(c);
  assert.equal(c.last().status, 200);
});

test('switching limits off lets everything through', async () => {
  await hs.control('PUT', '/__emu/limits', { burst_per_10s: 1, enabled: false });
  const c = hs.client();
  for (let i = 0; i < 3; i++) await c.crm.contacts.basicApi.getPage(1);
  for (let i = 0; i < 7; i++) await search(c);
  assert.equal(c.last().status, 200);
});

test('the SDK retries a search 429 after 1 s and succeeds', async () => {
  // one search a second: the retrying client's search right after a plain one is refused
  await hs.control('PUT', '/__emu/limits', { search_per_second: 1 });
  const plain = hs.client();
  const retry = hs.client({ retries: 2, apis: ['crm.contacts.searchApi'] });
  const api = retry.crm.contacts.searchApi;
  hs.client(); // later clients get no retries
  await search(plain);
  const t0 = Date.now();
  const res = await api.doSearch({ filterGroups: [], limit: 1 });
  assert.ok(Array.isArray(res.results));
  assert.deepEqual(retry.seen.map((s) => s.status), [429, 200]);
  assert.ok(Date.now() - t0 >= 900, 'the SDK waited before retrying');
});

test('the SDK retries a TEN_SECONDLY_ROLLING 429 and succeeds once the window frees', async () => {
  await hs.control('PUT', '/__emu/limits', { burst_per_10s: 2 });
  const plain = hs.client();
  const retry = hs.client({ retries: 2, apis: ['crm.contacts.basicApi'] });
  const api = retry.crm.contacts.basicApi;
  hs.client();
  await plain.crm.contacts.basicApi.getPage(1);
  await plain.crm.contacts.basicApi.getPage(1);
  // the retry comes 10 s after the 429; leave a margin so the two calls above have left the window
  await sleep(300);
  const t0 = Date.now();
  const created = await api.create({ properties: { email: 'retried@example.com' } });
  assert.ok(created.id);
  assert.deepEqual(retry.seen.map((s) => s.status), [429, 201]);
  assert.ok(Date.now() - t0 >= 9500);
  const got = await plain.crm.contacts.basicApi.getById(created.id, ['email']);
  assert.equal(got.properties.email, 'retried@example.com');
});

test('the SDK does not retry a DAILY 429', async () => {
  await hs.control('PUT', '/__emu/limits', { daily: 1 });
  const plain = hs.client();
  const retry = hs.client({ retries: 3, apis: ['crm.contacts.basicApi'] });
  const api = retry.crm.contacts.basicApi;
  hs.client();
  await plain.crm.contacts.basicApi.getPage(1);
  const t0 = Date.now();
  const body = await apiError(api.getPage(1), 429);
  assert.equal(body.policyName, 'DAILY');
  assert.equal(retry.seen.length, 1, 'one attempt only');
  assert.ok(Date.now() - t0 < 2000);
});

test('PUT /__emu/limits rejects bad values with 400 {"error"}', async () => {
  let err;
  try {
    await hs.control('PUT', '/__emu/limits', { burst_per_10s: 'many' });
  } catch (e) {
    err = e;
  }
  assert.equal(err?.status, 400);
  assert.equal(typeof err.body.error, 'string');
});
