// jsforce against emu-salesforce: upsert by external id (CrmSync_Link_Id__c from the default
// schema), single (PATCH /sobjects/T/Field/value: 201 created / 200 updated / 300 several
// matches, 204 before v46.0) and collections (PATCH /composite/sobjects/T/Field with `created`).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSalesforce, tap, sfReject, assertId, uniq, VERSION } from './lib/sf.mjs';

const EXT = 'CrmSync_Link_Id__c';
let sf;
let conn;
before(async () => {
  sf = await startSalesforce();
  conn = await sf.login();
});
after(async () => {
  await sf?.stop();
});

test('upsert with no match inserts: 201 {id, success, errors, created:true}', async () => {
  const key = uniq('U');
  const wire = tap(conn);
  const res = await conn.sobject('Contact').upsert({ [EXT]: key, LastName: 'Upserted', Email: 'u@x.example' }, EXT);
  assert.equal(wire.last().status, 201);
  assert.equal(wire.last().method, 'PATCH');
  assert.equal(new URL(wire.last().url).pathname, `/services/data/v${VERSION}/sobjects/Contact/${EXT}/${key}`);
  assertId(res.id, '003');
  assert.deepEqual({ ...res, id: 'x' }, { id: 'x', success: true, errors: [], created: true });
  const rec = await conn.sobject('Contact').retrieve(res.id);
  assert.equal(rec[EXT], key, 'the external id from the URL is stored on the record');
  assert.equal(rec.LastName, 'Upserted');
});

test('upsert with one match updates: 200 {created:false} and the same id', async () => {
  const key = uniq('U');
  const first = await conn.sobject('Lead').upsert({ [EXT]: key, LastName: 'One', Company: 'Co' }, EXT);
  const wire = tap(conn);
  const second = await conn.sobject('Lead').upsert({ [EXT]: key, LastName: 'Two' }, EXT);
  assert.equal(wire.last().status, 200);
  assert.deepEqual(second, { id: first.id, success: true, errors: [], created: false });
  const rec = await conn.sobject('Lead').retrieve(first.id);
  assert.equal(rec.LastName, 'Two');
  assert.equal(rec.Company, 'Co', 'fields not sent stay');
  const count = await conn.query(`SELECT COUNT() FROM Lead WHERE ${EXT} = '${key}'`);
  assert.equal(count.totalSize, 1);
});

test('before v46.0 an upsert update answers 204 and jsforce reports success without an id', async () => {
  const old = await sf.login({ version: '45.0' });
  const key = uniq('U');
  const wire = tap(old);
  const ins = await old.sobject('Account').upsert({ [EXT]: key, Name: 'Old API' }, EXT);
  assert.equal(wire.last().status, 201);
  assertId(ins.id, '001');
  assert.equal(ins.created, undefined, 'no created flag before v46.0');
  const upd = await old.sobject('Account').upsert({ [EXT]: key, Name: 'Old API 2' }, EXT);
  assert.equal(wire.last().status, 204);
  assert.deepEqual(upd, { success: true, errors: [] });
  assert.equal((await conn.sobject('Account').retrieve(ins.id)).Name, 'Old API 2');
});

test('upsert on a field that is not an external id, or does not exist: 404 NOT_FOUND', async () => {
  const wire = tap(conn);
  await sfReject(conn.sobject('Contact').upsert({ LastName: 'Smith', Email: 'x@y.example' }, 'LastName'), 'NOT_FOUND');
  assert.equal(wire.last().status, 404);
  await sfReject(conn.sobject('Contact').upsert({ Nope__c: 'k', LastName: 'Smith' }, 'Nope__c'), 'NOT_FOUND');
});

test('upsert on Id updates by record id', async () => {
  const { id } = await conn.sobject('Contact').create({ LastName: 'ById' });
  const res = await conn.sobject('Contact').upsert({ Id: id, Title: 'Via Id' }, 'Id');
  assert.equal(res.id, id);
  assert.equal(res.created, false);
  assert.equal((await conn.sobject('Contact').retrieve(id)).Title, 'Via Id');
});

test('several records share the external id value: 300 MULTIPLE_CHOICES, or the field is unique (DUPLICATE_VALUE)', async () => {
  const d = await conn.sobject('Contact').describe();
  const f = d.fields.find((x) => x.name === EXT);
  assert.equal(f.externalId, true);
  const key = uniq('Dup');
  const a = await conn.sobject('Contact').create({ LastName: 'A', [EXT]: key });
  if (f.unique) {
    const err = await sfReject(conn.sobject('Contact').create({ LastName: 'B', [EXT]: key }), 'DUPLICATE_VALUE');
    assert.equal(err.message, `duplicate value found: ${EXT} duplicates value on record with id: ${a.id}`);
  } else {
    const b = await conn.sobject('Contact').create({ LastName: 'B', [EXT]: key });
    const wire = tap(conn);
    const err = await sfReject(conn.sobject('Contact').upsert({ [EXT]: key, LastName: 'C' }, EXT), 'MULTIPLE_CHOICES');
    assert.equal(wire.last().status, 300);
    const urls = err.data;
    assert.ok(Array.isArray(urls));
    assert.deepEqual(
      [...urls].sort(),
      [a.id, b.id].map((id) => `/services/data/v${VERSION}/sobjects/Contact/${id}`).sort(),
    );
    // nothing changed
    assert.equal((await conn.sobject('Contact').retrieve(a.id)).LastName, 'A');
  }
});

test('collection upsert: per-record created flags, in order, with a failure in the middle', async () => {
  const k1 = uniq('C');
  const k2 = uniq('C');
  const k3 = uniq('C');
  const existing = await conn.sobject('Contact').create({ LastName: 'Existing', [EXT]: k1 });
  const wire = tap(conn);
  const res = await conn.sobject('Contact').upsert(
    [
      { [EXT]: k1, LastName: 'Existing2' },
      { [EXT]: k2, LastName: 'Bad', Email: 'not-an-email' },
      { [EXT]: k3, LastName: 'Brand New' },
    ],
    EXT,
  );
  assert.equal(wire.last().status, 200);
  assert.equal(new URL(wire.last().url).pathname, `/services/data/v${VERSION}/composite/sobjects/Contact/${EXT}`);
  assert.equal(res.length, 3);
  assert.deepEqual(res[0], { id: existing.id, success: true, errors: [], created: false });
  assert.equal(res[1].success, false);
  assert.equal(res[1].errors[0].statusCode, 'INVALID_EMAIL_ADDRESS');
  assert.equal(res[2].success, true);
  assert.equal(res[2].created, true);
  assertId(res[2].id, '003');
  assert.equal((await conn.sobject('Contact').retrieve(existing.id)).LastName, 'Existing2');
  const none = await conn.query(`SELECT COUNT() FROM Contact WHERE ${EXT} = '${k2}'`);
  assert.equal(none.totalSize, 0);
});

test('collection upsert with allOrNone rolls every record back', async () => {
  const k1 = uniq('R');
  const k2 = uniq('R');
  const res = await conn.sobject('Lead').upsert(
    [
      { [EXT]: k1, LastName: 'Fine', Company: 'Co' },
      { [EXT]: k2, Company: 'No last name' },
    ],
    EXT,
    { allOrNone: true },
  );
  assert.equal(res[0].success, false);
  assert.equal(res[0].errors[0].statusCode, 'ALL_OR_NONE_OPERATION_ROLLED_BACK');
  assert.equal(res[1].errors[0].statusCode, 'REQUIRED_FIELD_MISSING');
  const r = await conn.query(`SELECT COUNT() FROM Lead WHERE ${EXT} IN ('${k1}', '${k2}')`);
  assert.equal(r.totalSize, 0);
});
