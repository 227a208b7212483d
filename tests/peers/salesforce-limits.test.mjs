// jsforce against emu-salesforce: API usage accounting. Sforce-Limit-Info on every REST answer
// (jsforce's conn.limitInfo.apiUsage), /limits agreeing with it, one count per request, the
// versions list not counted, 403 REQUEST_LIMIT_EXCEEDED past the daily limit, limits switched off,
// Sforce-Call-Options client recorded on each change (GET /__emu/changes), /__emu/stats.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSalesforce, tap, sfReject, raw } from './lib/sf.mjs';

let sf;
let conn;
before(async () => {
  sf = await startSalesforce();
  conn = await sf.login();
});
after(async () => {
  await sf?.stop();
});

test('every REST answer carries Sforce-Limit-Info api-usage=n/100000, errors included', async () => {
  const wire = tap(conn);
  await conn.query('SELECT Id FROM User LIMIT 1');
  await conn.sobject('Contact').retrieve('003000000000000AAA').catch(() => {});
  await conn.query('SELEC nonsense').catch(() => {});
  await conn.describe('Lead');
  assert.equal(wire.length, 4);
  for (const x of wire) {
    assert.match(x.headers['sforce-limit-info'] || '', /^api-usage=\d+\/100000$/, `${x.method} ${x.url} -> ${x.status}`);
    assert.match(x.headers['content-type'] || '', /^application\/json(;|$)/, 'jsforce parses only application/json');
  }
  const used = wire.map((x) => Number(x.headers['sforce-limit-info'].match(/=(\d+)\//)[1]));
  assert.deepEqual(used, [used[0], used[0] + 1, used[0] + 2, used[0] + 3], 'one call each');
  assert.deepEqual(conn.limitInfo.apiUsage, { used: used[3], limit: 100000 });
});

test('/limits DailyApiRequests agrees with the header; numeric Max/Remaining entries', async () => {
  const lim = await conn.limits();
  const { used, limit } = conn.limitInfo.apiUsage;
  assert.equal(lim.DailyApiRequests.Max, limit);
  assert.equal(lim.DailyApiRequests.Remaining, limit - used);
  for (const k of ['DailyBulkApiBatches', 'DailyBulkV2QueryJobs', 'DataStorageMB', 'FileStorageMB']) {
    assert.equal(typeof lim[k].Max, 'number', k);
    assert.equal(typeof lim[k].Remaining, 'number', k);
  }
});

test('the versions list and the token endpoint are not counted', async () => {
  await conn.query('SELECT Id FROM User LIMIT 1');
  const before = conn.limitInfo.apiUsage.used;
  const v = await raw(`${sf.url}/services/data/`);
  assert.equal(v.status, 200);
  assert.equal(v.headers.get('sforce-limit-info'), null, 'no usage header on the versions list');
  await sf.login();
  await conn.query('SELECT Id FROM User LIMIT 1');
  assert.equal(conn.limitInfo.apiUsage.used, before + 1);
});

test('past the daily limit: 403 REQUEST_LIMIT_EXCEEDED "TotalRequests Limit exceeded."; switching limits off lets calls through', async () => {
  await conn.query('SELECT Id FROM User LIMIT 1');
  const used = conn.limitInfo.apiUsage.used;
  await sf.control('PUT', '/__emu/limits', { daily_api_requests: used + 2 });
  try {
    await conn.query('SELECT Id FROM User LIMIT 1');
    await conn.query('SELECT Id FROM User LIMIT 1');
    assert.deepEqual(conn.limitInfo.apiUsage, { used: used + 2, limit: used + 2 });
    const wire = tap(conn);
    const err = await sfReject(conn.sobject('Lead').create({ LastName: 'Over', Company: 'Limit' }), 'REQUEST_LIMIT_EXCEEDED');
    assert.equal(err.message, 'TotalRequests Limit exceeded.');
    assert.equal(wire.last().status, 403);
    const n = await conn.query("SELECT COUNT() FROM Lead WHERE LastName = 'Over'").catch((e) => e);
    assert.equal(n.errorCode, 'REQUEST_LIMIT_EXCEEDED', 'reads are refused too');

    await sf.control('PUT', '/__emu/limits', { enabled: false });
    const ok = await conn.query("SELECT COUNT() FROM Lead WHERE LastName = 'Over'");
    assert.equal(ok.totalSize, 0, 'the refused create wrote nothing');
  } finally {
    await sf.control('PUT', '/__emu/limits', { daily_api_requests: 100000, enabled: true });
  }
  const r = await conn.query('SELECT Id FROM User LIMIT 1');
  assert.equal(r.records.length, 1);
  assert.equal(conn.limitInfo.apiUsage.limit, 100000);
});

test('GET /__emu/limits reads back what PUT set', async () => {
  await sf.control('PUT', '/__emu/limits', { daily_api_requests: 12345 });
  try {
    const l = await sf.control('GET', '/__emu/limits');
    assert.equal(l.daily_api_requests, 12345);
    await conn.query('SELECT Id FROM User LIMIT 1');
    assert.equal(conn.limitInfo.apiUsage.limit, 12345);
  } finally {
    await sf.control('PUT', '/__emu/limits', { daily_api_requests: 100000 });
  }
});

test('Sforce-Call-Options client=crmsync is recorded on every change it makes, and only on those', async () => {
  const mine = await sf.login({ callOptions: { client: 'crmsync' } });
  const wire = tap(mine);
  const start = (await sf.control('GET', '/__emu/changes')).last;
  const a = await mine.sobject('Contact').create({ LastName: 'Mine' });
  assert.equal(wire.last().reqHeaders['Sforce-Call-Options'], 'client=crmsync', 'jsforce sent the header');
  await mine.sobject('Contact').update({ Id: a.id, Title: 'Edited' });
  const b = await conn.sobject('Contact').create({ LastName: 'Theirs' });
  await mine.sobject('Contact').destroy(a.id);

  const log = await sf.control('GET', `/__emu/changes?after=${start}`);
  const ch = log.changes;
  assert.equal(ch.length, 4);
  assert.deepEqual(ch.map((x) => x.type), ['CREATE', 'UPDATE', 'CREATE', 'DELETE']);
  assert.deepEqual(ch.map((x) => x.object), ['Contact', 'Contact', 'Contact', 'Contact']);
  assert.deepEqual(ch.map((x) => x.ids), [[a.id], [a.id], [b.id], [a.id]]);
  assert.deepEqual(ch.map((x) => x.client || null), ['crmsync', 'crmsync', null, 'crmsync'], 'no client for writes without the header');
  assert.ok(ch[1].fields.includes('Title'));
  assert.ok(ch.every((x, i) => i === 0 || x.seq > ch[i - 1].seq));
  assert.equal(log.last, ch[3].seq);
});

test('/__emu/stats counts API calls per route template; control calls are not counted', async () => {
  await sf.control('POST', '/__emu/stats/reset');
  const { id } = await conn.sobject('Account').create({ Name: 'Stats' });
  await conn.sobject('Account').retrieve(id);
  await conn.sobject('Account').retrieve(id);
  await conn.query('SELECT Id FROM Account LIMIT 1');
  const s = await sf.control('GET', '/__emu/stats');
  assert.equal(s.calls.total, 4);
  assert.equal(s.calls.by_endpoint['GET /services/data/vXX.X/sobjects/{object}/{id}'], 2);
  assert.equal(s.calls.by_endpoint['POST /services/data/vXX.X/sobjects/{object}'], 1);
  assert.ok(s.records.Account >= 1);
  assert.equal(typeof s.records.Lead, 'number');
});

test('the usage header is cumulative across connections (it is per org, not per session)', async () => {
  const other = await sf.login();
  await conn.query('SELECT Id FROM User LIMIT 1');
  const a = conn.limitInfo.apiUsage.used;
  await other.query('SELECT Id FROM User LIMIT 1');
  assert.equal(other.limitInfo.apiUsage.used, a + 1);
});

test("Sforce-Call-Options as jsforce joins several options (', ') still yields client=crmsync", async () => {
  const multi = await sf.login({ callOptions: { client: 'crmsync', defaultNamespace: 'crm' } });
  const wire = tap(multi);
  const start = (await sf.control('GET', '/__emu/changes')).last;
  await multi.sobject('Account').create({ Name: 'Multi options' });
  assert.equal(wire.last().reqHeaders['Sforce-Call-Options'], 'client=crmsync, defaultNamespace=crm');
  const log = await sf.control('GET', `/__emu/changes?after=${start}`);
  assert.equal(log.changes.length, 1);
  assert.equal(log.changes[0].client, 'crmsync');
  assert.equal(log.changes[0].type, 'CREATE');
});
