// jsforce against emu-salesforce: sObject Collections (POST/PATCH/DELETE /composite/sobjects,
// POST /composite/sobjects/{T} retrieve): per-record results in request order with `statusCode`
// errors, partial failures, allOrNone rollback, mixed types, null holes on retrieve, the 200-record
// cap (and jsforce's allowRecursive split), one API call per request.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSalesforce, tap, sfReject, assertId, unusedId, uniq, VERSION } from './lib/sf.mjs';

let sf;
let conn;
before(async () => {
  sf = await startSalesforce();
  conn = await sf.login();
});
after(async () => {
  await sf?.stop();
});

test('create: partial failure keeps the good records, errors carry statusCode/message/fields', async () => {
  const tag = uniq('Col');
  const wire = tap(conn);
  const res = await conn.sobject('Contact').create([
    { LastName: 'First', Department: tag },
    { FirstName: 'NoLast', Department: tag },
    { LastName: 'Third', Department: tag },
  ]);
  assert.equal(wire.last().status, 200);
  assert.equal(wire.last().method, 'POST');
  assert.equal(new URL(wire.last().url).pathname, `/services/data/v${VERSION}/composite/sobjects`);
  assert.equal(res.length, 3);
  assert.equal(res[0].success, true);
  assertId(res[0].id, '003');
  assert.deepEqual(res[0].errors, []);
  assert.equal(res[1].success, false);
  assert.deepEqual(res[1].errors, [
    { statusCode: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [LastName]', fields: ['LastName'] },
  ]);
  assert.equal(res[1].id, undefined);
  assert.equal(res[2].success, true);
  const q = await conn.query(`SELECT LastName FROM Contact WHERE Department = '${tag}' ORDER BY LastName`);
  assert.deepEqual(q.records.map((r) => r.LastName), ['First', 'Third']);
});

test('create with allOrNone: nothing is written, good records report ALL_OR_NONE_OPERATION_ROLLED_BACK', async () => {
  const tag = uniq('Aon');
  const res = await conn.sobject('Contact').create(
    [
      { LastName: 'Good', Department: tag },
      { LastName: 'Bad', Email: 'nope', Department: tag },
    ],
    { allOrNone: true },
  );
  assert.equal(res[0].success, false);
  assert.equal(res[0].id, undefined);
  assert.equal(res[0].errors[0].statusCode, 'ALL_OR_NONE_OPERATION_ROLLED_BACK');
  assert.equal(
    res[0].errors[0].message,
    'Record rolled back because not all records were valid and the request was using AllOrNone header',
  );
  assert.equal(res[1].errors[0].statusCode, 'INVALID_EMAIL_ADDRESS');
  assert.deepEqual(res[1].errors[0].fields, ['Email']);
  const q = await conn.query(`SELECT COUNT() FROM Contact WHERE Department = '${tag}'`, { scanAll: true });
  assert.equal(q.totalSize, 0);
});

test('create with mixed sObject types in one request', async () => {
  const tag = uniq('Mix');
  const res = await conn.create(null, [
    { attributes: { type: 'Account' }, Name: tag },
    { attributes: { type: 'Contact' }, LastName: tag },
    { attributes: { type: 'Lead' }, LastName: tag, Company: tag },
  ]);
  assert.ok(res.every((r) => r.success), JSON.stringify(res));
  assertId(res[0].id, '001');
  assertId(res[1].id, '003');
  assertId(res[2].id, '00Q');
});

test('update: lower-case id per record, results in order, a deleted record fails alone', async () => {
  const tag = uniq('Upd');
  const made = await conn.sobject('Contact').create([1, 2, 3].map((i) => ({ LastName: `U${i}`, Department: tag })));
  const [a, b, d] = made.map((r) => r.id);
  await conn.sobject('Contact').destroy(d);
  const wire = tap(conn);
  const res = await conn.sobject('Contact').update([
    { Id: a, Title: 'T-a' },
    { Id: d, Title: 'T-d' },
    { Id: b, Title: 'T-b' },
  ]);
  assert.equal(wire.last().method, 'PATCH');
  assert.equal(wire.last().status, 200);
  assert.deepEqual(res[0], { id: a, success: true, errors: [] });
  assert.equal(res[1].success, false);
  assert.equal(res[1].errors[0].statusCode, 'ENTITY_IS_DELETED');
  assert.deepEqual(res[2], { id: b, success: true, errors: [] });
  const q = await conn.query(`SELECT Id, Title FROM Contact WHERE Department = '${tag}' ORDER BY LastName`);
  assert.deepEqual(q.records.map((r) => r.Title), ['T-a', 'T-b']);
});

test('update with allOrNone leaves every record unchanged', async () => {
  const tag = uniq('UpdA');
  const made = await conn.sobject('Contact').create([1, 2].map((i) => ({ LastName: `A${i}`, Department: tag })));
  const res = await conn.sobject('Contact').update(
    [
      { Id: made[0].id, Title: 'changed' },
      { Id: made[1].id, LastName: null },
    ],
    { allOrNone: true },
  );
  assert.equal(res[0].errors[0].statusCode, 'ALL_OR_NONE_OPERATION_ROLLED_BACK');
  assert.equal(res[1].errors[0].statusCode, 'REQUIRED_FIELD_MISSING');
  const r = await conn.sobject('Contact').retrieve(made[0].id);
  assert.equal(r.Title, null);
});

test('retrieve: POST /composite/sobjects/{T} {ids, fields} with null holes for missing ids', async () => {
  const made = await conn.sobject('Account').create([{ Name: 'R1' }, { Name: 'R2' }]);
  const wire = tap(conn);
  const res = await conn.sobject('Account').retrieve([made[0].id, unusedId('001'), made[1].id], { fields: ['Name', 'Website'] });
  assert.equal(wire.last().method, 'POST');
  assert.equal(new URL(wire.last().url).pathname, `/services/data/v${VERSION}/composite/sobjects/Account`);
  assert.equal(res.length, 3);
  assert.equal(res[0].Name, 'R1');
  assert.equal(res[0].attributes.url, `/services/data/v${VERSION}/sobjects/Account/${made[0].id}`);
  assert.equal(res[0].attributes.type, 'Account');
  assert.equal(res[0].Website, null);
  assert.equal(res[1], null);
  assert.equal(res[2].Name, 'R2');
});

test('retrieve without fields: jsforce asks describe for every field name and the emulator accepts them all', async () => {
  const { id } = await conn.sobject('Lead').create({ LastName: 'AllFields', Company: 'Co' });
  const res = await conn.sobject('Lead').retrieve([id]);
  assert.equal(res[0].Id, id);
  assert.equal(res[0].LastName, 'AllFields');
  assert.equal(res[0].Name, 'AllFields');
});

test('retrieve with an unknown field is 400 INVALID_FIELD; a malformed id is MALFORMED_ID', async () => {
  const { id } = await conn.sobject('Account').create({ Name: 'R3' });
  await sfReject(conn.sobject('Account').retrieve([id], { fields: ['Name', 'Nope__c'] }), 'INVALID_FIELD');
  await sfReject(conn.sobject('Account').retrieve([id, '001notanid'], { fields: ['Name'] }), 'MALFORMED_ID');
});

test('delete: DELETE /composite/sobjects?ids=...; an already-deleted id fails alone; allOrNone rolls back', async () => {
  const made = await conn.sobject('Lead').create([1, 2, 3, 4].map((i) => ({ LastName: `D${i}`, Company: 'Del' })));
  const [a, b, c, d] = made.map((r) => r.id);
  await conn.sobject('Lead').destroy(b);
  const wire = tap(conn);
  const res = await conn.sobject('Lead').destroy([a, b]);
  assert.equal(wire.last().method, 'DELETE');
  assert.match(wire.last().url, /\/composite\/sobjects\?ids=/);
  assert.deepEqual(res[0], { id: a, success: true, errors: [] });
  assert.equal(res[1].success, false);
  assert.equal(res[1].errors[0].statusCode, 'ENTITY_IS_DELETED');

  const res2 = await conn.sobject('Lead').destroy([c, b, d], { allOrNone: true });
  assert.ok(res2.every((r) => r.success === false));
  assert.equal(res2[0].errors[0].statusCode, 'ALL_OR_NONE_OPERATION_ROLLED_BACK');
  assert.equal((await conn.sobject('Lead').retrieve(c)).IsDeleted, false);
  assert.equal((await conn.sobject('Lead').retrieve(d)).IsDeleted, false);
});

test('more than 200 records is 400 EXCEEDED_ID_LIMIT; jsforce allowRecursive splits it', async () => {
  const tag = uniq('Cap');
  const recs = Array.from({ length: 201 }, (_, i) => ({ LastName: `Cap${i}`, Department: tag }));
  const wire = tap(conn);
  await sfReject(conn.sobject('Contact').create(recs), 'EXCEEDED_ID_LIMIT');
  assert.equal(wire.last().status, 400);
  assert.equal((await conn.query(`SELECT COUNT() FROM Contact WHERE Department = '${tag}'`)).totalSize, 0);
  wire.clear();
  const res = await conn.sobject('Contact').create(recs, { allowRecursive: true });
  assert.equal(res.length, 201);
  assert.ok(res.every((r) => r.success));
  assert.equal(wire.filter((x) => x.url.includes('/composite/sobjects')).length, 2);
});

test('a collection request counts as one API call', async () => {
  await conn.query('SELECT Id FROM User LIMIT 1');
  const before = conn.limitInfo.apiUsage.used;
  await conn.sobject('Contact').create(Array.from({ length: 50 }, (_, i) => ({ LastName: `N${i}` })));
  assert.equal(conn.limitInfo.apiUsage.used, before + 1);
});
