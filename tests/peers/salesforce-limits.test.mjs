// jsforce against emu-salesforce: API usage accounting. Sforce-Limit-Info on every REST answer
// (jsforce's conn.limitInfo.apiUsage), /limits agreeing with it, one count per request, the
// versions list not counted, a rolling 24-hour window, 403 REQUEST_LIMIT_EXCEEDED past the daily
// limit and past the concurrent long-running limit, limits switched off, Sforce-Call-Options
// client recorded on each change (GET /__emu/changes), /__emu/stats.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSalesforce, tap, sfReject, raw, sleep, uniq, VERSION } from './lib/sf.mjs';

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

test('concurrent long-running requests: past the limit the next call gets 403 REQUEST_LIMIT_EXCEEDED until they finish', async () => {
  // Salesforce allows 25 requests running 20 s or more at once; here 2 running 200 ms or more,
  // made slow with injected latency on the query path only
  await sf.control('PUT', '/__emu/limits', { concurrent_long_running: 2, long_running_ms: 200 });
  await sf.control('PUT', '/__emu/faults', { latency_ms: 1500, path_prefix: `/services/data/v${VERSION}/query` });
  const company = uniq('Conc');
  try {
    const l = await sf.control('GET', '/__emu/limits');
    assert.equal(l.concurrent_long_running, 2);
    assert.equal(l.long_running_ms, 200);
    // jsforce queries are lazy thenables: Promise.resolve sends them now
    const slow = [1, 2].map(() => Promise.resolve(conn.query('SELECT Id FROM User LIMIT 1')));
    await sleep(600); // both are in flight and have run for 200 ms or more
    const wire = tap(conn);
    const err = await sfReject(conn.sobject('Lead').create({ LastName: 'Refused', Company: company }), 'REQUEST_LIMIT_EXCEEDED');
    assert.equal(err.message, 'ConcurrentPerOrgLongTxn Limit exceeded.');
    assert.equal(wire.last().status, 403);
    assert.match(wire.last().headers['sforce-limit-info'] || '', /^api-usage=\d+\/\d+$/);
    const done = await Promise.all(slow);
    assert.ok(done.every((r) => r.records.length === 1), 'the long-running requests themselves finish');
    // with them gone the org takes calls again, and the refused create wrote nothing
    await sf.control('DELETE', '/__emu/faults');
    const n = await conn.query(`SELECT COUNT() FROM Lead WHERE Company = '${company}'`);
    assert.equal(n.totalSize, 0);
    const ok = await conn.sobject('Lead').create({ LastName: 'Accepted', Company: company });
    assert.equal(ok.success, true);
  } finally {
    await sf.control('DELETE', '/__emu/faults');
    await sf.control('PUT', '/__emu/limits', { concurrent_long_running: 25, long_running_ms: 20000 });
  }
});

test('the concurrent limit is off with the other limits', async () => {
  await sf.control('PUT', '/__emu/limits', { concurrent_long_running: 0, long_running_ms: 0, enabled: false });
  try {
    const r = await conn.query('SELECT Id FROM User LIMIT 1');
    assert.equal(r.records.length, 1);
  } finally {
    await sf.control('PUT', '/__emu/limits', { concurrent_long_running: 25, long_running_ms: 20000, enabled: true });
  }
  await sf.control('PUT', '/__emu/limits', { concurrent_long_running: 0, long_running_ms: 0 });
  try {
    await sfReject(conn.query('SELECT Id FROM User LIMIT 1'), 'REQUEST_LIMIT_EXCEEDED');
  } finally {
    await sf.control('PUT', '/__emu/limits', { concurrent_long_running: 25, long_running_ms: 20000 });
  }
});

test('usage is a rolling 24 hours: calls drop out of Sforce-Limit-Info and /limits a day after they were made', async () => {
  // sessions outlive the jump, so every call below is the one counted
  await sf.control('PUT', '/__emu/settings', { token_lifetime_s: 3 * 86400 });
  try {
    await conn.query('SELECT Id FROM User LIMIT 1');
    const used = conn.limitInfo.apiUsage.used;
    await sf.control('PUT', '/__emu/clock', { advance_ms: 23 * 3600 * 1000 });
    await conn.query('SELECT Id FROM User LIMIT 1');
    assert.equal(conn.limitInfo.apiUsage.used, used + 1, 'a day has not passed yet: nothing dropped out');
    await sf.control('PUT', '/__emu/clock', { advance_ms: 61 * 60 * 1000 });
    await conn.query('SELECT Id FROM User LIMIT 1');
    assert.equal(conn.limitInfo.apiUsage.used, 2, 'only the calls of the last 24 hours count');
    const lim = await conn.limits();
    assert.equal(conn.limitInfo.apiUsage.used, 3);
    assert.equal(lim.DailyApiRequests.Remaining, lim.DailyApiRequests.Max - 3);
  } finally {
    await sf.control('PUT', '/__emu/clock', { offset_ms: 0 });
    await sf.control('PUT', '/__emu/settings', { token_lifetime_s: 7200 });
  }
});

test('started with --no-limits nothing is refused, and a reset keeps the limits off', async () => {
  const free = await startSalesforce(['--no-limits']);
  try {
    const c = await free.login();
    assert.equal((await free.control('GET', '/__emu/limits')).enabled, false);
    await free.control('PUT', '/__emu/limits', { daily_api_requests: 1 });
    for (let i = 0; i < 3; i++) await c.query('SELECT Id FROM User LIMIT 1');
    assert.equal(c.limitInfo.apiUsage.used, 3, 'calls are still counted');
    await free.control('POST', '/__emu/reset');
    assert.equal((await free.control('GET', '/__emu/limits')).enabled, false);
  } finally {
    await free.stop();
  }
});
