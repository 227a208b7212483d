// The seed through jsforce: POST /__emu/seed with bad_values adds the people careless imports
// leave behind (no e-mail, an e-mail no mail system takes), visible to SOQL like any record;
// seeded records are never stamped later than the org's now, so "changed since" reads see them.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSalesforce } from './lib/sf.mjs';

const running = [];
after(async () => {
  for (const emu of running) await emu.stop();
});

test('bad_values adds leads and contacts without an e-mail and with invalid ones', async () => {
  const emu = await startSalesforce([]);
  running.push(emu);
  const conn = await emu.login();
  const s = await emu.control('POST', '/__emu/seed', { count: 100, bad_values: true });
  // 100 of each, plus 100/50+1 without an e-mail and 100/100+1 with a bad one
  assert.equal(s.created.Lead, 105);
  assert.equal(s.created.Contact, 105);
  assert.equal(s.created.Account, 100);
  for (const object of ['Lead', 'Contact']) {
    const none = await conn.query(`SELECT Id FROM ${object} WHERE Email = null`);
    assert.equal(none.totalSize, 3, `${object} without an e-mail`);
    const all = await conn.query(`SELECT Email FROM ${object} WHERE Email != null`);
    const bad = all.records.filter((r) => !/^[^\s@]+@[^\s@]+\.[a-z]{2,}$/i.test(r.Email));
    assert.equal(bad.length, 2, `${object} with an invalid e-mail: ${bad.map((r) => r.Email)}`);
  }
});

test('without bad_values every person has an e-mail; bad_values must be a boolean', async () => {
  const emu = await startSalesforce([]);
  running.push(emu);
  const conn = await emu.login();
  const s = await emu.control('POST', '/__emu/seed', { count: 20 });
  assert.equal(s.created.Lead, 20);
  assert.equal((await conn.query('SELECT Id FROM Lead WHERE Email = null')).totalSize, 0);
  await assert.rejects(emu.control('POST', '/__emu/seed', { count: 2, bad_values: 'yes' }), (e) => {
    assert.equal(e.status, 400);
    assert.match(e.body.error, /bad_values/);
    return true;
  });
});

test('seeded records are never modified later than now', async () => {
  const emu = await startSalesforce(['--seed', '300']);
  running.push(emu);
  const conn = await emu.login();
  const now = Date.now() + 1000;
  for (const object of ['Account', 'Contact', 'Lead', 'Opportunity', 'Case']) {
    const r = await conn.query(
      `SELECT SystemModstamp FROM ${object} ORDER BY SystemModstamp DESC LIMIT 1`,
    );
    const latest = r.records[0].SystemModstamp;
    assert.ok(Date.parse(latest.replace('+0000', 'Z')) <= now, `${object}: ${latest}`);
  }
});
