// Fault injection seen through @hubspot/api-client: added latency, 5xx answers (and the SDK's
// retry of them), 423 locks from faults and from /__emu/locks, connections dropped before and
// after the write commits (state checked afterwards), path scoping, and the control API staying
// unfaulted.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startHubspot, apiError, noLimits } from './lib/hubspot.mjs';

let hs;
let c;

before(async () => {
  hs = await startHubspot();
});
after(async () => {
  await hs?.stop();
});
beforeEach(async () => {
  await hs.control('POST', '/__emu/reset');
  await noLimits(hs);
  c = hs.client();
});

async function records(type) {
  const r = await hs.control('GET', `/__emu/records/${type}`);
  return Array.isArray(r) ? r : r.results ?? r.records;
}
async function rejects(promise) {
  let err;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  assert.ok(err, 'the call failed');
  return err;
}

test('latency_ms delays API calls, not the control API', async () => {
  // a delay far above what a busy machine adds to a call, so "delayed" and "not" stay apart
  await hs.control('PUT', '/__emu/faults', { latency_ms: 1500 });
  const f = await hs.control('GET', '/__emu/faults');
  assert.equal(f.latency_ms, 1500);
  let t = Date.now();
  await c.crm.contacts.basicApi.getPage(1);
  assert.ok(Date.now() - t >= 1490, `took ${Date.now() - t} ms`);
  t = Date.now();
  await hs.control('GET', '/__emu/stats');
  assert.ok(Date.now() - t < 1000, 'control API not delayed');
  await hs.control('DELETE', '/__emu/faults');
  t = Date.now();
  await c.crm.contacts.basicApi.getPage(1);
  assert.ok(Date.now() - t < 1000);
});

test('error_next: the next N calls get error_status with a JSON vendor body, then calls succeed', async () => {
  await hs.control('PUT', '/__emu/faults', { error_next: 2, error_status: 503 });
  const e1 = await rejects(c.crm.contacts.basicApi.getPage(1));
  assert.equal(e1.code, 503);
  assert.equal(typeof e1.body, 'object', 'a JSON body the SDK can parse');
  assert.equal(e1.body.status, 'error');
  const e2 = await rejects(c.crm.contacts.basicApi.create({ properties: { email: 'fault503@example.com' } }));
  assert.equal(e2.code, 503);
  assert.ok(!JSON.stringify(await records('contacts')).includes('fault503@example.com'), 'the faulted create did nothing');
  await c.crm.contacts.basicApi.getPage(1);
  assert.equal(c.last().status, 200);
});

test('error_rate 1 with a path prefix: only that path fails; DELETE clears', async () => {
  await hs.control('PUT', '/__emu/faults', { error_rate: 1, error_status: 500, path_prefix: '/crm/v3/objects/deals' });
  const e = await rejects(c.crm.deals.basicApi.getPage(1));
  assert.equal(e.code, 500);
  await c.crm.contacts.basicApi.getPage(1);
  assert.equal(c.last().status, 200);
  // the control API is never faulted
  await hs.control('PUT', '/__emu/faults', { path_prefix: '' });
  const stats = await hs.control('GET', '/__emu/stats');
  assert.equal(typeof stats.calls.total, 'number');
  await rejects(c.crm.contacts.basicApi.getPage(1));
  await hs.control('DELETE', '/__emu/faults');
  await c.crm.deals.basicApi.getPage(1);
  assert.equal(c.last().status, 200);
});

test('error_rate 0.5 with a seed fails some calls and not others, reproducibly', async () => {
  const run = async () => {
    await hs.control('PUT', '/__emu/faults', { error_rate: 0.5, seed: 42 });
    const out = [];
    for (let i = 0; i < 20; i++) {
      try {
        await c.crm.contacts.basicApi.getPage(1);
        out.push(200);
      } catch (e) {
        out.push(e.code);
      }
    }
    await hs.control('DELETE', '/__emu/faults');
    return out;
  };
  const a = await run();
  const b = await run();
  assert.ok(a.includes(200) && a.includes(500), a.join(','));
  assert.deepEqual(a, b, 'same seed, same dice');
});

test('the SDK retries a 5xx (numberOfApiCallRetries) and succeeds', async () => {
  const retry = hs.client({ retries: 3, apis: ['crm.contacts.basicApi'] });
  const api = retry.crm.contacts.basicApi;
  hs.client();
  await hs.control('PUT', '/__emu/faults', { error_next: 2, error_status: 502 });
  const created = await api.create({ properties: { email: 'after5xx@example.com' } });
  assert.deepEqual(retry.seen.map((s) => s.status), [502, 502, 201]);
  const all = (await records('contacts')).filter((r) => JSON.stringify(r).includes('after5xx@example.com'));
  assert.equal(all.length, 1, 'exactly one contact');
  assert.equal(String(all[0].id), created.id);
});

test('error_status 423: Locked', async () => {
  await hs.control('PUT', '/__emu/faults', { error_next: 1, error_status: 423 });
  const e = await rejects(c.crm.contacts.basicApi.getPage(1));
  assert.equal(e.code, 423);
});

test('/__emu/locks by id: the next N writes touching the record get 423, reads do not', async () => {
  const x = await c.crm.contacts.basicApi.create({ properties: { email: 'locked@example.com', firstname: 'L0' } });
  const y = await c.crm.contacts.basicApi.create({ properties: { email: 'unlocked@example.com' } });
  await hs.control('POST', '/__emu/locks', { ids: [x.id], count: 2 });
  await c.crm.contacts.basicApi.getById(x.id);
  assert.equal(c.last().status, 200, 'reads pass');
  await c.crm.contacts.basicApi.update(y.id, { properties: { firstname: 'free' } });
  assert.equal(c.last().status, 200, 'other records pass');
  for (let i = 0; i < 2; i++) {
    const e = await rejects(c.crm.contacts.basicApi.update(x.id, { properties: { firstname: `L${i + 1}` } }));
    assert.equal(e.code, 423);
    assert.equal(typeof e.body, 'object');
  }
  const still = await c.crm.contacts.basicApi.getById(x.id, ['firstname']);
  assert.equal(still.properties.firstname, 'L0', 'locked writes changed nothing');
  await c.crm.contacts.basicApi.update(x.id, { properties: { firstname: 'L3' } });
  assert.equal(c.last().status, 200, 'the lock is used up');
});

test('/__emu/locks by object type, including batch writes', async () => {
  await hs.control('POST', '/__emu/locks', { objectType: 'companies', count: 1 });
  const e = await rejects(
    c.crm.companies.batchApi.create({ inputs: [{ properties: { name: 'Locked batch' }, associations: [] }] }),
  );
  assert.equal(e.code, 423);
  assert.equal((await records('companies')).length, 0);
  await c.crm.contacts.basicApi.create({ properties: { email: 'other.type@example.com' } });
  assert.equal(c.last().status, 201);
  await c.crm.companies.basicApi.create({ properties: { name: 'After lock' } });
  assert.equal(c.last().status, 201);
});

test('drop_before_next: the connection closes, nothing is written', async () => {
  await hs.control('PUT', '/__emu/faults', { drop_before_next: 1 });
  const e = await rejects(c.crm.contacts.basicApi.create({ properties: { email: 'dropped.before@example.com' } }));
  assert.equal(e.code, undefined, `a transport error, not an HTTP answer: ${e.message}`);
  assert.ok(!JSON.stringify(await records('contacts')).includes('dropped.before@example.com'));
  // the retry of a dropped-before write creates exactly one
  await c.crm.contacts.basicApi.create({ properties: { email: 'dropped.before@example.com' } });
  assert.equal(c.last().status, 201);
});

test('drop_after_next: the write commits but no answer comes; a blind retry then conflicts', async () => {
  await hs.control('PUT', '/__emu/faults', { drop_after_next: 1 });
  const e = await rejects(c.crm.contacts.basicApi.create({ properties: { email: 'dropped.after@example.com' } }));
  assert.equal(e.code, undefined, `a transport error: ${e.message}`);
  const recs = (await records('contacts')).filter((r) => JSON.stringify(r).includes('dropped.after@example.com'));
  assert.equal(recs.length, 1, 'the write committed');
  const body = await apiError(c.crm.contacts.basicApi.create({ properties: { email: 'dropped.after@example.com' } }), 409);
  assert.equal(body.message, `Contact already exists. Existing ID: ${recs[0].id}`);
});

test('drops apply to writes only', async () => {
  await hs.control('PUT', '/__emu/faults', { drop_before_next: 1 });
  await c.crm.contacts.basicApi.getPage(1);
  assert.equal(c.last().status, 200, 'a read is not dropped');
  await rejects(c.crm.companies.basicApi.create({ properties: { name: 'x' } }));
});

test('PUT /__emu/faults rejects unknown keys and bad values with 400 {"error"}', async () => {
  for (const body of [{ nonsense: 1 }, { error_rate: 2 }, { latency_ms: 'slow' }]) {
    let err;
    try {
      await hs.control('PUT', '/__emu/faults', body);
    } catch (e) {
      err = e;
    }
    assert.equal(err?.status, 400, JSON.stringify(body));
    assert.equal(typeof err.body.error, 'string');
  }
});
