// The control API of emu-hubspot (docs/EMULATORS.md): a fresh portal, --seed and /__emu/seed
// giving the same records for the same N, reset, call statistics by route template, settings,
// limits at the vendor's values by default, lock rules and the 400/404 answers to bad calls.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHubspot, PAT } from './lib/hubspot.mjs';

const TYPES = ['contacts', 'companies', 'deals', 'tickets', 'tasks', 'notes', 'calls', 'emails', 'meetings'];
let hs;

before(async () => {
  hs = await startHubspot();
});
after(async () => {
  await hs?.stop();
});

async function controlError(method, path, body, status) {
  await assert.rejects(hs.control(method, path, body), (e) => {
    assert.equal(e.status, status);
    assert.equal(typeof e.body.error, 'string');
    return true;
  });
}

// The records of every type as the control API dumps them, without the instants of the writes.
async function dump(emu) {
  const out = {};
  for (const t of TYPES) {
    const { results } = await emu.control('GET', `/__emu/records/${t}`);
    out[t] = results.map(({ updatedAt, properties, ...r }) => {
      const { lastmodifieddate, hs_lastmodifieddate, ...p } = properties;
      return { ...r, properties: p };
    });
  }
  return out;
}

test('a fresh portal has no records; limits are on at the vendor values', async () => {
  const s = await hs.control('GET', '/__emu/stats');
  for (const t of TYPES) assert.equal(s.records[t], 0, t);
  const l = await hs.control('GET', '/__emu/limits');
  assert.equal(l.enabled, true);
  assert.equal(l.burst_per_10s, 190);
  assert.equal(l.daily, 625000);
  assert.equal(l.search_per_second, 5);
});

test('--seed N gives the same records every time', async () => {
  const a = await startHubspot(['--seed', '4']);
  const b = await startHubspot(['--seed', '4']);
  try {
    const da = await dump(a);
    for (const t of TYPES) assert.equal(da[t].length, 4, t);
    assert.deepEqual(da, await dump(b));
  } finally {
    await a.stop();
    await b.stop();
  }
});

test('seed and reset take 0 to 100,000 per object; reset empties the portal first', async () => {
  const r = await hs.control('POST', '/__emu/seed', { count: 2 });
  for (const t of TYPES) assert.equal(r.created[t], 2, t);
  await controlError('POST', '/__emu/seed', { count: 100001 }, 400);
  await controlError('POST', '/__emu/seed', {}, 400);
  await controlError('POST', '/__emu/reset', { seed: -1 }, 400);
  assert.equal((await hs.control('GET', '/__emu/stats')).records.contacts, 2, 'a refused reset changes nothing');
  await hs.control('POST', '/__emu/reset', { seed: 1 });
  assert.equal((await hs.control('GET', '/__emu/stats')).records.contacts, 1);
  await hs.control('POST', '/__emu/reset');
});

test('stats count calls by method and route template, unknown paths apart; stats/reset zeroes them', async () => {
  await hs.control('POST', '/__emu/stats/reset');
  const h = { authorization: `Bearer ${PAT}` };
  await fetch(`${hs.url}/crm/v3/objects/contacts?limit=1`, { headers: h });
  await fetch(`${hs.url}/crm/v3/objects/contacts/123`, { headers: h });
  await fetch(`${hs.url}/crm/v3/objects/deals/456`, { headers: h });
  await fetch(`${hs.url}/no/such/path`, { headers: h });
  await fetch(`${hs.url}/no/such/path`, { method: 'PURGE', headers: h });
  const s = await hs.control('GET', '/__emu/stats');
  assert.equal(s.calls.total, 5);
  assert.equal(s.calls.by_endpoint['GET /crm/v3/objects/{objectType}'], 1);
  assert.equal(s.calls.by_endpoint['GET /crm/v3/objects/{objectType}/{objectId}'], 2);
  assert.equal(s.calls.by_endpoint['GET (unknown)'], 1);
  assert.equal(s.calls.by_endpoint['OTHER (unknown)'], 1);
  await hs.control('POST', '/__emu/stats/reset');
  assert.equal((await hs.control('GET', '/__emu/stats')).calls.total, 0);
});

test('settings read back what was put, signature version included; bad ones are 400', async () => {
  const s = await hs.control('PUT', '/__emu/settings', { webhook_signature_version: 'v2', search_lag_ms: 5 });
  assert.equal(s.webhook_signature_version, 'v2');
  assert.equal((await hs.control('GET', '/__emu/settings')).search_lag_ms, 5);
  await controlError('PUT', '/__emu/settings', { webhook_signature_version: 'v3' }, 400);
  await controlError('PUT', '/__emu/settings', { no_such_setting: 1 }, 400);
  await controlError('PUT', '/__emu/settings', { labels_imply_unlabeled: 2 }, 400);
  await hs.control('POST', '/__emu/reset');
  assert.equal((await hs.control('GET', '/__emu/settings')).webhook_signature_version, 'v1');
});

test('lock rules: at most 32 pending, ids must be record ids; unknown calls are 404', async () => {
  const ids = Array.from({ length: 33 }, (_, i) => String(10000000001 + i));
  await controlError('POST', '/__emu/locks', { ids }, 400);
  await controlError('POST', '/__emu/locks', { ids: ['abc'] }, 400);
  await controlError('POST', '/__emu/locks', {}, 400);
  const r = await hs.control('POST', '/__emu/locks', { ids: ids.slice(0, 32) });
  assert.equal(r.locks, 32);
  await controlError('POST', '/__emu/locks', { objectType: 'contacts' }, 400);
  await hs.control('POST', '/__emu/reset');
  await controlError('GET', '/__emu/no-such-call', undefined, 404);
  await controlError('GET', '/__emu/records/nosuchtype', undefined, 400);
});
