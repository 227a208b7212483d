// jsforce against emu-salesforce: getUpdated / getDeleted (conn.sobject(T).updated/deleted):
// ids in the window, latestDateCovered (minute-truncated, <= end), deletedRecords with deletedDate,
// earliestDateAvailable moved by a purge, merge losers listed as deleted, the 30-day (updated) and
// 15-day (deleted) windows and INVALID_REPLICATION_DATE. Time is moved with the emulator clock.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSalesforce, tap, sfReject, parseSfDate, SF_DATETIME, VERSION } from './lib/sf.mjs';

const MIN = 60 * 1000;
const DAY = 24 * 60 * MIN;
let sf;
let conn;
before(async () => {
  sf = await startSalesforce();
  conn = await sf.login();
});
after(async () => {
  await sf?.stop();
});

const minuteFloor = (d) => new Date(Math.floor(d.getTime() / MIN) * MIN);

test('updated(): created and updated ids inside the window; latestDateCovered on a minute, <= end', async () => {
  const t0 = await sf.now();
  const a = await conn.sobject('Account').create({ Name: 'Upd A' });
  const b = await conn.sobject('Account').create({ Name: 'Upd B' });
  await sf.control('PUT', '/__emu/clock', { advance_ms: 3 * MIN });
  await conn.sobject('Account').update({ Id: a.id, Website: 'a.example' });
  const c = await conn.sobject('Account').create({ Name: 'Upd C' });
  await sf.control('PUT', '/__emu/clock', { advance_ms: 3 * MIN });
  const now = await sf.now();

  const start = new Date(t0.getTime() - 2 * MIN);
  const wire = tap(conn);
  const all = await conn.sobject('Account').updated(start, now);
  assert.match(new URL(wire.last().url).pathname, new RegExp(`^/services/data/v${VERSION}/sobjects/Account/updated/?$`));
  assert.deepEqual(Object.keys(all).sort(), ['ids', 'latestDateCovered']);
  for (const id of [a.id, b.id, c.id]) assert.ok(all.ids.includes(id), `${id} in updated ids`);
  assert.equal(all.ids.filter((x) => x === a.id).length, 1, 'an id appears once');
  assert.match(all.latestDateCovered, SF_DATETIME);
  const ldc = parseSfDate(all.latestDateCovered);
  assert.equal(ldc.getUTCSeconds(), 0, 'latestDateCovered falls on a minute');
  assert.ok(ldc <= now);

  // a window that only covers the second burst: a (updated) and c (created), not b
  const mid = new Date(t0.getTime() + 2 * MIN);
  const late = await conn.sobject('Account').updated(mid, now);
  assert.ok(late.ids.includes(a.id));
  assert.ok(late.ids.includes(c.id));
  assert.equal(late.ids.includes(b.id), false);
});

test('updated(): seconds are truncated to the minute on start and end', async () => {
  await sf.control('PUT', '/__emu/clock', { advance_ms: 2 * MIN });
  const t = await sf.now();
  const { id } = await conn.sobject('Contact').create({ LastName: 'Trunc' });
  // end = t truncated to the minute: the record (written at t, after that minute began) is
  // outside [start, end) once end's seconds are dropped, unless t sits exactly on the minute.
  const endWithSeconds = new Date(minuteFloor(t).getTime() + 59 * 1000);
  await sf.control('PUT', '/__emu/clock', { advance_ms: 2 * MIN });
  const r = await conn.sobject('Contact').updated(new Date(t.getTime() - 10 * MIN), endWithSeconds);
  if (Math.floor(t.getTime() / 1000) % 60 !== 0) assert.equal(r.ids.includes(id), false, 'end is truncated to the minute');
  assert.equal(parseSfDate(r.latestDateCovered).getTime() <= minuteFloor(endWithSeconds).getTime(), true);
  const r2 = await conn.sobject('Contact').updated(new Date(t.getTime() - 10 * MIN), new Date(t.getTime() + 2 * MIN));
  assert.ok(r2.ids.includes(id));
});

test('deleted(): deletedRecords with id and deletedDate, earliestDateAvailable, latestDateCovered', async () => {
  const t0 = await sf.now();
  const x = await conn.sobject('Lead').create({ LastName: 'Del X', Company: 'C' });
  const y = await conn.sobject('Lead').create({ LastName: 'Del Y', Company: 'C' });
  await conn.sobject('Lead').destroy(x.id);
  await sf.control('PUT', '/__emu/clock', { advance_ms: 2 * MIN });
  const now = await sf.now();
  const res = await conn.sobject('Lead').deleted(new Date(t0.getTime() - MIN), now);
  assert.deepEqual(Object.keys(res).sort(), ['deletedRecords', 'earliestDateAvailable', 'latestDateCovered']);
  const rec = res.deletedRecords.find((r) => r.id === x.id);
  assert.ok(rec, 'the deleted lead is listed');
  assert.deepEqual(Object.keys(rec).sort(), ['deletedDate', 'id']);
  assert.match(rec.deletedDate, SF_DATETIME);
  assert.ok(Math.abs(parseSfDate(rec.deletedDate) - t0) < MIN);
  assert.equal(res.deletedRecords.some((r) => r.id === y.id), false);
  assert.match(res.earliestDateAvailable, SF_DATETIME);
  assert.ok(parseSfDate(res.earliestDateAvailable) <= parseSfDate(rec.deletedDate));
  assert.match(res.latestDateCovered, SF_DATETIME);
  assert.ok(parseSfDate(res.latestDateCovered) <= now);
});

test('merge losers appear in deleted() for their object', async () => {
  const t0 = await sf.now();
  const m = await conn.sobject('Account').create({ Name: 'Master Acct' });
  const l = await conn.sobject('Account').create({ Name: 'Loser Acct' });
  await sf.control('POST', '/__emu/merge', { object: 'Account', master_id: m.id, loser_ids: [l.id] });
  await sf.control('PUT', '/__emu/clock', { advance_ms: 2 * MIN });
  const res = await conn.sobject('Account').deleted(new Date(t0.getTime() - MIN), await sf.now());
  assert.ok(res.deletedRecords.some((r) => r.id === l.id));
  assert.equal(res.deletedRecords.some((r) => r.id === m.id), false);
});

test('purge-deleted empties the bin before an instant and moves earliestDateAvailable to it', async () => {
  const t0 = await sf.now();
  const old = await conn.sobject('Contact').create({ LastName: 'Purged' });
  await conn.sobject('Contact').destroy(old.id);
  await sf.control('PUT', '/__emu/clock', { advance_ms: 5 * MIN });
  const cut = minuteFloor(await sf.now());
  await sf.control('PUT', '/__emu/clock', { advance_ms: 1 * MIN });
  const kept = await conn.sobject('Contact').create({ LastName: 'KeptInBin' });
  await conn.sobject('Contact').destroy(kept.id);
  await sf.control('PUT', '/__emu/clock', { advance_ms: 2 * MIN });

  await sf.control('POST', '/__emu/purge-deleted', { before: cut.toISOString() });
  const now = await sf.now();
  const res = await conn.sobject('Contact').deleted(new Date(cut.getTime() + MIN), now);
  assert.equal(parseSfDate(res.earliestDateAvailable).getTime(), cut.getTime(), 'earliestDateAvailable = the purge point');
  assert.ok(res.deletedRecords.some((r) => r.id === kept.id), 'later deletes stay');

  // A window reaching into the purged span: the vendor either refuses it
  // (INVALID_REPLICATION_DATE, "do a full pull") or answers without the purged row.
  let early = null;
  try {
    early = await conn.sobject('Contact').deleted(new Date(t0.getTime() - MIN), now);
  } catch (e) {
    assert.equal(e.errorCode, 'INVALID_REPLICATION_DATE');
  }
  if (early) {
    assert.equal(early.deletedRecords.some((r) => r.id === old.id), false, 'purged deletes are gone');
    assert.equal(parseSfDate(early.earliestDateAvailable).getTime(), cut.getTime());
  }

  const all = await conn.query(`SELECT Id FROM Contact WHERE Id IN ('${old.id}', '${kept.id}')`, { scanAll: true });
  assert.deepEqual(all.records.map((r) => r.Id), [kept.id], 'queryAll no longer sees the purged row');
});

test('start must precede end: INVALID_REPLICATION_DATE', async () => {
  const now = await sf.now();
  const wire = tap(conn);
  await sfReject(conn.sobject('Account').updated(now, new Date(now.getTime() - 5 * MIN)), 'INVALID_REPLICATION_DATE');
  assert.equal(wire.last().status, 400);
  await sfReject(conn.sobject('Account').deleted(now, new Date(now.getTime() - 5 * MIN)), 'INVALID_REPLICATION_DATE');
});

test('getUpdated reaches back 30 days and no further; getDeleted answers within 15 days', async () => {
  const now = await sf.now();
  const ok = await conn.sobject('Account').updated(new Date(now.getTime() - 29 * DAY), now);
  assert.ok(Array.isArray(ok.ids));
  await sfReject(conn.sobject('Account').updated(new Date(now.getTime() - 31 * DAY), now), 'INVALID_REPLICATION_DATE');
  const okDel = await conn.sobject('Account').deleted(new Date(now.getTime() - 14 * DAY), now);
  assert.ok(Array.isArray(okDel.deletedRecords));
});

test('an object that is not replicateable or does not exist is refused', async () => {
  const now = await sf.now();
  await sfReject(conn.sobject('Nope__c').updated(new Date(now.getTime() - 5 * MIN), now), 'NOT_FOUND');
});
