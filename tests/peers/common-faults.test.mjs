// The fault settings both emulators share (emulators/common/faults.c), seen on the wire:
// retry_after_s puts a Retry-After on injected errors, and path_prefix scopes latency as it
// scopes errors and drops.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator } from './lib/emu.mjs';

const PAT = 'pat-na1-crmsync-demo';
let hs;
let sf;
let sfToken;

before(async () => {
  [hs, sf] = await Promise.all([
    startEmulator('hubspot', ['--no-limits']),
    startEmulator('salesforce', ['--no-limits']),
  ]);
  const res = await fetch(`${sf.url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: 'crmsync-demo',
      client_secret: 'crmsync-demo-secret',
      username: 'integration@crmsync.test',
      password: 'demo-passwordDEMOTOKEN',
    }),
  });
  sfToken = (await res.json()).access_token;
});
after(async () => {
  await Promise.all([hs?.stop(), sf?.stop()]);
});

const hsGet = (p) => fetch(hs.url + p, { headers: { authorization: `Bearer ${PAT}` } });
const sfGet = (p) =>
  fetch(`${sf.url}/services/data/v62.0${p}`, { headers: { authorization: `Bearer ${sfToken}` } });

test('retry_after_s puts Retry-After on injected errors; without it only a HubSpot 477 has one', async () => {
  await hs.control('PUT', '/__emu/faults', { error_status: 429, error_next: 1, retry_after_s: 3 });
  assert.equal((await hs.control('GET', '/__emu/faults')).retry_after_s, 3);
  let r = await hsGet('/crm/v3/objects/contacts?limit=1');
  assert.equal(r.status, 429);
  assert.equal(r.headers.get('retry-after'), '3');
  assert.equal((await r.json()).errorType, 'RATE_LIMIT');

  await sf.control('PUT', '/__emu/faults', { error_status: 503, error_next: 1, retry_after_s: 4 });
  r = await sfGet('/query?q=SELECT+Id+FROM+Lead');
  assert.equal(r.status, 503);
  assert.equal(r.headers.get('retry-after'), '4');
  assert.equal((await r.json())[0].errorCode, 'SERVER_UNAVAILABLE');

  await hs.control('DELETE', '/__emu/faults');
  await hs.control('PUT', '/__emu/faults', { error_status: 429, error_next: 1 });
  r = await hsGet('/crm/v3/objects/contacts?limit=1');
  assert.equal(r.status, 429);
  assert.equal(r.headers.get('retry-after'), null);
  await hs.control('PUT', '/__emu/faults', { error_status: 477, error_next: 1 });
  r = await hsGet('/crm/v3/objects/contacts?limit=1');
  assert.equal(r.status, 477);
  assert.equal(r.headers.get('retry-after'), '2');
  await hs.control('DELETE', '/__emu/faults');
  await sf.control('DELETE', '/__emu/faults');
});

test('latency_ms with a path_prefix delays only the paths under it', async () => {
  for (const [emu, get, slow, quick] of [
    [hs, hsGet, '/crm/v3/objects/deals', '/crm/v3/objects/contacts?limit=1'],
    [sf, sfGet, '/sobjects/Account', '/query?q=SELECT+Id+FROM+Lead'],
  ]) {
    const prefix = emu === hs ? slow : `/services/data/v62.0${slow}`;
    await emu.control('PUT', '/__emu/faults', { latency_ms: 2000, path_prefix: prefix });
    let t = Date.now();
    assert.equal((await get(quick)).status, 200);
    assert.ok(Date.now() - t < 1500, `a path outside the prefix took ${Date.now() - t} ms`);
    t = Date.now();
    assert.equal((await get(slow)).status, 200);
    assert.ok(Date.now() - t >= 1990, `a path under the prefix took ${Date.now() - t} ms`);
    await emu.control('DELETE', '/__emu/faults');
  }
});
