// jsforce against emu-salesforce with faults injected through the control API: latency, 500/503
// answers with the vendor's bodies (and jsforce's own retry of idempotent methods), connections
// dropped before or after a write commits (state checked afterwards with a query), path-scoped
// faults, and late commits (a row visible only some time after its SystemModstamp).
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startSalesforce, tap, sfReject, parseSfDate, uniq, sleep, VERSION } from './lib/sf.mjs';

let sf;
let conn;
before(async () => {
  sf = await startSalesforce();
  conn = await sf.login();
});
afterEach(async () => {
  await sf.control('DELETE', '/__emu/faults');
  await sf.control('PUT', '/__emu/late-commits', { delay_ms: 0 });
});
after(async () => {
  await sf?.stop();
});

async function countLeads(company) {
  return (await conn.query(`SELECT COUNT() FROM Lead WHERE Company = '${company}'`)).totalSize;
}

test('latency_ms delays every API answer; the control API is never delayed', async () => {
  await sf.control('PUT', '/__emu/faults', { latency_ms: 1500 });
  const f = await sf.control('GET', '/__emu/faults');
  assert.equal(f.latency_ms, 1500);
  const t0 = Date.now();
  await conn.query('SELECT Id FROM User LIMIT 1');
  assert.ok(Date.now() - t0 >= 1480, `query took ${Date.now() - t0} ms`);
  const t1 = Date.now();
  await sf.control('GET', '/__emu/stats');
  // wide margin: the machine may be busy, but a control call never waits the 1.5 s
  assert.ok(Date.now() - t1 < 1000, 'control calls skip the latency');
});

test('error_next with 500: a POST is not retried by jsforce and fails UNKNOWN_EXCEPTION; nothing is written', async () => {
  const co = uniq('E500');
  await sf.control('PUT', '/__emu/faults', { error_next: 1, error_status: 500 });
  const wire = tap(conn);
  const err = await sfReject(conn.sobject('Lead').create({ LastName: 'X', Company: co }), 'UNKNOWN_EXCEPTION');
  assert.equal(wire.last().status, 500);
  assert.match(err.message, /unexpected error/i);
  assert.equal(await countLeads(co), 0);
});

test('error_next with 503: jsforce retries a GET on its own and succeeds; the answers were SERVER_UNAVAILABLE', async () => {
  await sf.control('PUT', '/__emu/faults', { error_next: 2, error_status: 503 });
  const wire = tap(conn);
  const t0 = Date.now();
  const r = await conn.query('SELECT Id FROM User LIMIT 1');
  assert.equal(r.records.length, 1);
  assert.ok(Date.now() - t0 >= 1000, 'jsforce backed off 0.5 s then 1 s');
  // jsforce retries inside one transport call, so the tap sees only the final answer
  assert.equal(wire.last().status, 200);
  const s = await sf.control('GET', '/__emu/stats');
  assert.ok(s.calls.total >= 3);

  await sf.control('PUT', '/__emu/faults', { error_next: 1, error_status: 503 });
  const e = await sfReject(conn.sobject('Lead').create({ LastName: 'Y', Company: uniq('E503') }), 'SERVER_UNAVAILABLE');
  assert.ok(e.message.length > 0);
});

test('error_rate 1 scoped by path_prefix only hits that path', async () => {
  await sf.control('PUT', '/__emu/faults', { error_rate: 1, error_status: 500, path_prefix: `/services/data/v${VERSION}/sobjects/Account` });
  await sfReject(conn.sobject('Account').create({ Name: 'Nope' }), 'UNKNOWN_EXCEPTION');
  const ok = await conn.sobject('Contact').create({ LastName: 'Fine' });
  assert.equal(ok.success, true);
});

test('error_rate 0.5 with a seed fails about half of the writes, reproducibly', async () => {
  const run = async () => {
    await sf.control('PUT', '/__emu/faults', { error_rate: 0.5, error_status: 500, seed: 42 });
    const out = [];
    for (let i = 0; i < 20; i++) {
      try {
        await conn.sobject('Lead').create({ LastName: `R${i}`, Company: 'Rate' });
        out.push(1);
      } catch (e) {
        assert.equal(e.errorCode, 'UNKNOWN_EXCEPTION');
        out.push(0);
      }
    }
    await sf.control('DELETE', '/__emu/faults');
    return out;
  };
  const a = await run();
  const b = await run();
  const ok = a.reduce((x, y) => x + y, 0);
  assert.ok(ok >= 3 && ok <= 17, `${ok}/20 succeeded`);
  assert.deepEqual(a, b, 'the same seed gives the same faults');
});

test('drop_before_next: the connection closes before the write commits; nothing happened', async () => {
  const co = uniq('DropB');
  await sf.control('PUT', '/__emu/faults', { drop_before_next: 1 });
  await assert.rejects(conn.sobject('Lead').create({ LastName: 'Dropped', Company: co }), (e) => !e.errorCode || /ERROR_HTTP|ECONNRESET|socket|fetch failed/i.test(`${e.errorCode} ${e.message}`));
  assert.equal(await countLeads(co), 0);
});

test('drop_after_next: the write commits, then the connection closes without an answer', async () => {
  const co = uniq('DropA');
  await sf.control('PUT', '/__emu/faults', { drop_after_next: 1 });
  await assert.rejects(conn.sobject('Lead').create({ LastName: 'Ghost', Company: co }));
  assert.equal(await countLeads(co), 1, 'the record exists although the client saw an error');
});

test('drop_after on DELETE: the delete happened; a jsforce retry (if any) sees ENTITY_IS_DELETED', async () => {
  // jsforce retries DELETE only when the socket error carries ECONNRESET & co.; a clean close
  // (undici "other side closed") is not retried. Either way the record is gone.
  const { id } = await conn.sobject('Lead').create({ LastName: 'Twice', Company: 'C' });
  await sf.control('PUT', '/__emu/faults', { drop_after_next: 1 });
  const err = await conn.sobject('Lead').destroy(id).then(() => null, (e) => e);
  assert.ok(err, 'the client saw a failure');
  assert.ok(err.errorCode === 'ENTITY_IS_DELETED' || /fetch failed|socket|ECONNRESET/i.test(err.message), `${err.errorCode}: ${err.message}`);
  const r = await conn.query(`SELECT IsDeleted FROM Lead WHERE Id = '${id}'`, { scanAll: true });
  assert.equal(r.records[0].IsDeleted, true);
});

test('drops hit writes only: reads pass while drop_before_next is armed', async () => {
  await sf.control('PUT', '/__emu/faults', { drop_before_next: 1 });
  const r = await conn.query('SELECT Id FROM User LIMIT 1');
  assert.equal(r.records.length, 1);
  await assert.rejects(conn.sobject('Contact').create({ LastName: 'Dropped' }));
});

test('late commits: a new row is invisible at first, then visible with its earlier SystemModstamp', async () => {
  await sf.control('PUT', '/__emu/late-commits', { delay_ms: 3000 });
  const co = uniq('Late');
  const t0 = await sf.now();
  const { id } = await conn.sobject('Lead').create({ LastName: 'Late', Company: co });
  const written = Date.now();
  assert.equal((await conn.query(`SELECT Id FROM Lead WHERE Id = '${id}'`)).totalSize, 0, 'invisible to query');
  await sfReject(conn.sobject('Lead').retrieve(id), 'NOT_FOUND');
  await sleep(1250 - (Date.now() - written));
  assert.equal((await conn.query(`SELECT Id FROM Lead WHERE Id = '${id}'`)).totalSize, 0, 'still invisible 1.25 s after the write');
  await sleep(3500 - (Date.now() - written));
  const t1 = await sf.now();
  const r = await conn.query(`SELECT Id, SystemModstamp FROM Lead WHERE Id = '${id}'`);
  assert.equal(r.totalSize, 1, 'visible after the delay');
  const stamp = parseSfDate(r.records[0].SystemModstamp);
  assert.ok(stamp.getTime() >= Math.floor(t0.getTime() / 1000) * 1000, 'stamp is the write time');
  assert.ok(t1.getTime() - stamp.getTime() >= 1000, 'stamp is older than the moment it became visible');

  // a poller that read "SystemModstamp > t0" before the commit missed it; after, it is there
  const since = await conn.query(`SELECT Id FROM Lead WHERE Company = '${co}' AND SystemModstamp >= ${t0.toISOString().replace(/\.\d{3}Z$/, 'Z')}`);
  assert.equal(since.totalSize, 1);
});

test('late commits apply to updates: the new value shows up only after the delay', async () => {
  const { id } = await conn.sobject('Contact').create({ LastName: 'Before' });
  await sf.control('PUT', '/__emu/late-commits', { delay_ms: 3000 });
  await conn.sobject('Contact').update({ Id: id, LastName: 'After' });
  const written = Date.now();
  const early = await conn.query(`SELECT LastName FROM Contact WHERE Id = '${id}'`);
  assert.equal(early.records[0].LastName, 'Before');
  await sleep(3500 - (Date.now() - written));
  const late = await conn.query(`SELECT LastName FROM Contact WHERE Id = '${id}'`);
  assert.equal(late.records[0].LastName, 'After');
});

test('late commits hide the row from getUpdated until it commits', async () => {
  await sf.control('PUT', '/__emu/late-commits', { delay_ms: 3000 });
  const t0 = await sf.now();
  const { id } = await conn.sobject('Account').create({ Name: 'Late Updated' });
  const written = Date.now();
  const start = new Date(t0.getTime() - 120000);
  const end = new Date(t0.getTime() + 120000);
  const first = await conn.sobject('Account').updated(start, end);
  assert.equal(first.ids.includes(id), false);
  await sleep(3500 - (Date.now() - written));
  const second = await conn.sobject('Account').updated(start, end);
  assert.ok(second.ids.includes(id));
});
