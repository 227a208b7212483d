// jsforce against emu-salesforce with the integration user's object permissions restricted
// through PUT /__emu/settings object_access: without read permission the object does not exist
// for the user (query INVALID_TYPE "sObject type ... is not supported", describe and record
// calls NOT_FOUND, left out of describeGlobal, collections INVALID_TYPE per record); with read
// only, it is read as before but every write is refused (INSUFFICIENT_ACCESS_OR_READONLY
// "insufficient access rights on object id", per record in collections) and describe says it is
// not createable, updateable or deletable. The setting survives a restart with --data and
// /__emu/reset gives edit back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSalesforce, tap, sfReject } from './lib/sf.mjs';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sfaccess-'));
const file = path.join(dir, 'org.db');
let sf;
let conn;
before(async () => {
  sf = await startSalesforce(['--data', file]);
  conn = await sf.login();
});
after(async () => {
  await sf?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function access(map) {
  return sf.control('PUT', '/__emu/settings', { object_access: map });
}

test('object_access is an org setting: edit by default, validated, read back', async () => {
  let s = await sf.control('GET', '/__emu/settings');
  assert.equal(s.object_access, undefined, 'every object at edit: nothing listed');
  s = await access({ Lead: 'read', Contact: 'none' });
  assert.deepEqual(s.object_access, { Lead: 'read', Contact: 'none' });
  s = await access({ Contact: 'edit' });
  assert.deepEqual(s.object_access, { Lead: 'read' }, 'only the objects named change');
  await assert.rejects(access({ Nope: 'read' }), (e) => e.status === 400);
  await assert.rejects(access({ Lead: 'write' }), (e) => e.status === 400);
  await assert.rejects(sf.control('PUT', '/__emu/settings', { object_access: ['Lead'] }), (e) => e.status === 400);
  assert.deepEqual((await sf.control('GET', '/__emu/settings')).object_access, { Lead: 'read' }, 'a refused body changes nothing');
  await access({ Lead: 'edit' });
});

test('no read permission: the object is unknown to the user', async () => {
  const lead = await conn.sobject('Lead').create({ LastName: 'Hidden', Company: 'H' });
  await access({ Lead: 'none' });
  try {
    const wire = tap(conn);
    const q = await sfReject(conn.query('SELECT Id FROM Lead'), 'INVALID_TYPE');
    assert.equal(wire.last().status, 400);
    assert.match(q.message, /sObject type 'Lead' is not supported\. If you are attempting to use a custom object/);
    await sfReject(conn.sobject('Lead').describe(), 'NOT_FOUND');
    await sfReject(conn.sobject('Lead').retrieve(lead.id), 'NOT_FOUND');
    await sfReject(conn.sobject('Lead').create({ LastName: 'X', Company: 'X' }), 'NOT_FOUND');
    const global = await conn.describeGlobal();
    assert.ok(!global.sobjects.some((o) => o.name === 'Lead'), 'left out of describeGlobal');
    assert.ok(global.sobjects.some((o) => o.name === 'Contact'));
    const res = await conn.sobject('Lead').create([{ LastName: 'C1', Company: 'C' }, { LastName: 'C2', Company: 'C' }], { allOrNone: false });
    assert.equal(res.length, 2);
    for (const r of res) {
      assert.equal(r.success, false);
      assert.equal(r.errors[0].statusCode, 'INVALID_TYPE');
      assert.equal(r.errors[0].message, "sObject type 'Lead' is not supported.");
    }
    // other objects are untouched
    assert.ok((await conn.query('SELECT Id FROM Contact')).done);
  } finally {
    await access({ Lead: 'edit' });
  }
  assert.equal((await conn.sobject('Lead').retrieve(lead.id)).Id, lead.id, 'visible again');
});

test('read only: reads work, every write is refused', async () => {
  const lead = await conn.sobject('Lead').create({ LastName: 'Ro', Company: 'R', Email: 'ro@x.example' });
  await access({ Lead: 'read' });
  try {
    const q = await conn.query("SELECT Id FROM Lead WHERE Email = 'ro@x.example'");
    assert.equal(q.totalSize, 1);
    const d = await conn.sobject('Lead').describe();
    assert.equal(d.queryable, true);
    assert.equal(d.createable, false);
    assert.equal(d.updateable, false);
    assert.equal(d.deletable, false);
    const wire = tap(conn);
    const e = await sfReject(conn.sobject('Lead').update({ Id: lead.id, LastName: 'Changed' }), 'INSUFFICIENT_ACCESS_OR_READONLY');
    assert.equal(wire.last().status, 400);
    assert.equal(e.message, 'insufficient access rights on object id');
    await sfReject(conn.sobject('Lead').create({ LastName: 'N', Company: 'N' }), 'INSUFFICIENT_ACCESS_OR_READONLY');
    await sfReject(conn.sobject('Lead').destroy(lead.id), 'INSUFFICIENT_ACCESS_OR_READONLY');
    const res = await conn.sobject('Lead').create([{ LastName: 'C1', Company: 'C' }, { LastName: 'C2', Company: 'C' }], { allOrNone: false });
    for (const r of res) {
      assert.equal(r.success, false);
      assert.equal(r.errors[0].statusCode, 'INSUFFICIENT_ACCESS_OR_READONLY');
      assert.equal(r.errors[0].message, 'insufficient access rights on object id');
    }
    const up = await conn.sobject('Lead').upsert([{ LastName: 'U', Company: 'U', CrmSync_Link_Id__c: 'ACC-1' }], 'CrmSync_Link_Id__c', { allOrNone: false });
    assert.equal(up[0].success, false);
    assert.equal(up[0].errors[0].statusCode, 'INSUFFICIENT_ACCESS_OR_READONLY');
    assert.equal((await conn.sobject('Lead').retrieve(lead.id)).LastName, 'Ro', 'nothing changed');
    // Contact keeps edit
    const c = await conn.sobject('Contact').create({ LastName: 'Free' });
    assert.equal(c.success, true);
  } finally {
    await access({ Lead: 'edit' });
  }
  await conn.sobject('Lead').update({ Id: lead.id, LastName: 'Changed' });
});

test('object_access survives a restart with --data; /__emu/reset gives edit back', async () => {
  await access({ Opportunity: 'read', Account: 'none' });
  await sf.stop();
  sf = await startSalesforce(['--data', file]);
  conn = await sf.login();
  assert.deepEqual((await sf.control('GET', '/__emu/settings')).object_access, { Opportunity: 'read', Account: 'none' });
  await sfReject(conn.query('SELECT Id FROM Account'), 'INVALID_TYPE');
  await sf.control('POST', '/__emu/reset');
  assert.equal((await sf.control('GET', '/__emu/settings')).object_access, undefined);
  assert.ok((await conn.query('SELECT Id FROM Account')).done);
});
