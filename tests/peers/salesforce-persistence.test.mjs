// jsforce against emu-salesforce started with --data FILE: records (live and deleted), their
// audit stamps, the id sequence, the change log, settings and declared rules survive a restart;
// --seed N is deterministic; /__emu/reset goes back to a fresh org.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSalesforce, sfReject } from './lib/sf.mjs';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sfdata-'));
const running = [];
async function start(args) {
  const emu = await startSalesforce(args);
  running.push(emu);
  return emu;
}
after(async () => {
  for (const emu of running) await emu.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('--data FILE: what was written before a restart is read back after it', async () => {
  const file = path.join(dir, 'org.db');
  const first = await start(['--data', file]);
  const c1 = await first.login();
  const acct = await c1.sobject('Account').create({ Name: 'Durable', CrmSync_Link_Id__c: 'D-1' });
  const contact = await c1.sobject('Contact').create({ LastName: 'Durable', Email: 'd@x.example', AccountId: acct.id });
  const gone = await c1.sobject('Contact').create({ LastName: 'Deleted' });
  await c1.sobject('Contact').destroy(gone.id);
  const before = await c1.sobject('Contact').retrieve(contact.id);
  assert.equal(await first.stop(), 0, 'clean exit on SIGTERM');

  const second = await start(['--data', file]);
  const c2 = await second.login();
  const after = await c2.sobject('Contact').retrieve(contact.id);
  assert.deepEqual(after, before, 'the record comes back identical, stamps included');
  const q = await c2.query(`SELECT Id, Account.CrmSync_Link_Id__c FROM Contact WHERE Id = '${contact.id}'`);
  assert.equal(q.records[0].Account.CrmSync_Link_Id__c, 'D-1');
  await sfReject(c2.sobject('Contact').retrieve(gone.id), 'ENTITY_IS_DELETED');
  const all = await c2.query(`SELECT Id, IsDeleted FROM Contact WHERE Id = '${gone.id}'`, { scanAll: true });
  assert.equal(all.records[0].IsDeleted, true);
  const up = await c2.sobject('Account').upsert({ CrmSync_Link_Id__c: 'D-1', Website: 'durable.example' }, 'CrmSync_Link_Id__c');
  assert.equal(up.created, false);
  assert.equal(up.id, acct.id);

  const fresh = await c2.sobject('Contact').create({ LastName: 'After restart' });
  assert.ok(![contact.id, gone.id].includes(fresh.id), 'ids keep counting after a restart');
  await second.stop();

  const third = await start(['--data', file]);
  const c3 = await third.login();
  assert.equal((await c3.sobject('Account').retrieve(acct.id)).Website, 'durable.example');
  assert.equal((await c3.sobject('Contact').retrieve(fresh.id)).LastName, 'After restart');
  await third.stop();
});

test('--data FILE keeps settings, rules, permissions, assignment rules and the change log', async () => {
  const file = path.join(dir, 'rules.db');
  const first = await start(['--data', file]);
  const c1 = await first.login();
  const users = await c1.query(`SELECT Id FROM User WHERE IsActive = true AND Id != '${c1.userInfo.id}' LIMIT 1`);
  const rep = users.records[0].Id;
  await first.control('PUT', '/__emu/settings', { token_lifetime_s: 3600, state_country_picklists: true });
  await first.control('POST', '/__emu/validation-rules', {
    object: 'Lead', name: 'Phone_For_Web', condition: "Phone = null AND LeadSource = 'Web'", message: 'Phone is required for web leads', field: 'Phone',
  });
  await first.control('POST', '/__emu/duplicate-rules', { object: 'Contact', name: 'Same_Email', fields: ['Email'], action: 'alert' });
  await first.control('PUT', '/__emu/permissions', { object: 'Lead', read_only_fields: ['Rating'] });
  await first.control('PUT', '/__emu/assignment-rules', { Case: { owner_id: rep } });
  await c1.sobject('Contact').create({ LastName: 'Logged', Email: 'logged@x.example' });
  const log = await first.control('GET', '/__emu/changes');
  const vrules = await first.control('GET', '/__emu/validation-rules');
  const drules = await first.control('GET', '/__emu/duplicate-rules');
  await first.stop();

  const second = await start(['--data', file]);
  const c2 = await second.login();
  assert.deepEqual(await second.control('GET', '/__emu/settings'), { token_lifetime_s: 3600, state_country_picklists: true, api_enabled: true });
  assert.deepEqual(await second.control('GET', '/__emu/validation-rules'), vrules);
  assert.deepEqual(await second.control('GET', '/__emu/duplicate-rules'), drules);
  assert.deepEqual((await second.control('GET', '/__emu/changes')).changes, log.changes);
  const e1 = await sfReject(c2.sobject('Lead').create({ LastName: 'W', Company: 'C', LeadSource: 'Web' }), 'FIELD_CUSTOM_VALIDATION_EXCEPTION');
  assert.equal(e1.message, 'Phone is required for web leads');
  await sfReject(c2.sobject('Contact').create({ LastName: 'Again', Email: 'LOGGED@x.example' }), 'DUPLICATES_DETECTED');
  await sfReject(c2.sobject('Lead').create({ LastName: 'R', Company: 'C', Rating: 'Hot' }), 'INSUFFICIENT_ACCESS_OR_READONLY');
  const kase = await c2.sobject('Case').create({ Subject: 'Assigned', Status: 'New', Origin: 'Web' });
  assert.equal((await c2.sobject('Case').retrieve(kase.id)).OwnerId, rep);
  await second.stop();
});

test('--seed N adds N records per object, the same ones every time', async () => {
  const a = await start(['--seed', '5']);
  const b = await start(['--seed', '5']);
  const ca = await a.login();
  const cb = await b.login();
  const soql = 'SELECT Id, FirstName, LastName, Email, Company FROM Lead ORDER BY Id';
  const ra = await ca.query(soql);
  const rb = await cb.query(soql);
  assert.equal(ra.totalSize, 5);
  assert.deepEqual(ra.records, rb.records);
  for (const obj of ['Contact', 'Account', 'Opportunity', 'Case', 'Task']) {
    assert.equal((await ca.query(`SELECT COUNT() FROM ${obj}`)).totalSize, 5, obj);
  }
  assert.ok(ra.records.every((r) => r.LastName && r.Company), 'seeded leads are valid records');
  await a.stop();
  await b.stop();
});

test('POST /__emu/reset empties the org; POST /__emu/seed adds records', async () => {
  const emu = await start([]);
  const conn = await emu.login();
  await conn.sobject('Lead').create({ LastName: 'Temp', Company: 'C' });
  assert.equal((await conn.query('SELECT COUNT() FROM Lead')).totalSize, 1);
  await emu.control('POST', '/__emu/reset');
  const c2 = await emu.login();
  assert.equal((await c2.query('SELECT COUNT() FROM Lead')).totalSize, 0);
  assert.ok((await c2.query('SELECT COUNT() FROM User')).totalSize >= 1, 'a fresh org keeps its users');
  const s = await emu.control('POST', '/__emu/seed', { count: 3 });
  assert.equal(s.created.Lead, 3);
  assert.equal((await c2.query('SELECT COUNT() FROM Lead')).totalSize, 3);
  await emu.stop();
});
