// jsforce (conn.requestPost) against emu-salesforce: Composite (POST /composite): up to 25
// subrequests, @{ref.field} substitution in urls and bodies, per-subrequest httpStatusCode /
// httpHeaders / body, allOrNone rollback, collections and queries inside, one API call.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSalesforce, tap, sfReject, assertId, uniq, VERSION } from './lib/sf.mjs';

const V = `/services/data/v${VERSION}`;
let sf;
let conn;
before(async () => {
  sf = await startSalesforce();
  conn = await sf.login();
});
after(async () => {
  await sf?.stop();
});

function composite(compositeRequest, extra = {}) {
  return conn.requestPost(`${V}/composite`, { allOrNone: false, collateSubrequests: false, compositeRequest, ...extra });
}

test('references: create an Account, a Contact under it, query and read them back in one call', async () => {
  const name = uniq('Comp');
  const wire = tap(conn);
  const res = await composite([
    { method: 'POST', url: `${V}/sobjects/Account`, referenceId: 'acct', body: { Name: name } },
    { method: 'POST', url: `${V}/sobjects/Contact`, referenceId: 'c1', body: { LastName: 'Ref', AccountId: '@{acct.id}' } },
    { method: 'GET', url: `${V}/query?q=SELECT+Id,+AccountId+FROM+Contact+WHERE+AccountId+=+'@{acct.id}'`, referenceId: 'q' },
    { method: 'PATCH', url: `${V}/sobjects/Contact/@{c1.id}`, referenceId: 'upd', body: { Title: 'Boss' } },
    { method: 'GET', url: `${V}/sobjects/Contact/@{c1.id}?fields=Title,AccountId`, referenceId: 'get' },
  ]);
  assert.equal(wire.last().status, 200);
  const out = res.compositeResponse;
  assert.deepEqual(out.map((r) => r.referenceId), ['acct', 'c1', 'q', 'upd', 'get']);
  assert.deepEqual(out.map((r) => r.httpStatusCode), [201, 201, 200, 204, 200]);
  const acctId = out[0].body.id;
  assertId(acctId, '001');
  assert.deepEqual(out[0].body, { id: acctId, success: true, errors: [] });
  assert.equal(out[0].httpHeaders.Location, `${V}/sobjects/Account/${acctId}`);
  const cId = out[1].body.id;
  assertId(cId, '003');
  assert.equal(out[2].body.totalSize, 1);
  assert.equal(out[2].body.records[0].Id, cId);
  assert.equal(out[2].body.records[0].AccountId, acctId);
  assert.equal(out[3].body, null);
  assert.equal(out[4].body.Title, 'Boss');
  assert.equal(out[4].body.AccountId, acctId);
});

test('references to fields of a query result: @{q.records[0].Id}', async () => {
  const name = uniq('QRef');
  await conn.sobject('Account').create({ Name: name });
  const res = await composite([
    { method: 'GET', url: `${V}/query?q=${encodeURIComponent(`SELECT Id FROM Account WHERE Name = '${name}'`)}`, referenceId: 'q' },
    { method: 'POST', url: `${V}/sobjects/Contact`, referenceId: 'c', body: { LastName: 'Q', AccountId: '@{q.records[0].Id}' } },
  ]);
  assert.equal(res.compositeResponse[1].httpStatusCode, 201);
  const c = await conn.sobject('Contact').retrieve(res.compositeResponse[1].body.id);
  assert.equal(c.AccountId, res.compositeResponse[0].body.records[0].Id);
});

test('allOrNone false: a failed subrequest reports its error array, the others commit', async () => {
  const name = uniq('Part');
  const res = await composite([
    { method: 'POST', url: `${V}/sobjects/Account`, referenceId: 'ok', body: { Name: name } },
    { method: 'POST', url: `${V}/sobjects/Contact`, referenceId: 'bad', body: { FirstName: 'No last name' } },
  ]);
  const [ok, bad] = res.compositeResponse;
  assert.equal(ok.httpStatusCode, 201);
  assert.equal(bad.httpStatusCode, 400);
  assert.ok(Array.isArray(bad.body));
  assert.equal(bad.body[0].errorCode, 'REQUIRED_FIELD_MISSING');
  assert.deepEqual(bad.body[0].fields, ['LastName']);
  const q = await conn.query(`SELECT COUNT() FROM Account WHERE Name = '${name}'`);
  assert.equal(q.totalSize, 1);
});

test('allOrNone true: one failure rolls back every subrequest', async () => {
  const name = uniq('Roll');
  const res = await composite(
    [
      { method: 'POST', url: `${V}/sobjects/Account`, referenceId: 'a', body: { Name: name } },
      { method: 'POST', url: `${V}/sobjects/Contact`, referenceId: 'c', body: { LastName: name, AccountId: '@{a.id}' } },
      { method: 'POST', url: `${V}/sobjects/Contact`, referenceId: 'bad', body: { LastName: name, Email: 'broken' } },
    ],
    { allOrNone: true },
  );
  const out = res.compositeResponse;
  assert.equal(out[2].httpStatusCode, 400);
  assert.equal(out[2].body[0].errorCode, 'INVALID_EMAIL_ADDRESS');
  for (const r of out.slice(0, 2)) {
    assert.ok(r.httpStatusCode >= 400, `${r.referenceId} reports the rollback`);
    assert.ok(['PROCESSING_HALTED', 'ALL_OR_NONE_OPERATION_ROLLED_BACK'].includes(r.body[0].errorCode), r.body[0].errorCode);
  }
  const a = await conn.query(`SELECT COUNT() FROM Account WHERE Name = '${name}'`, { scanAll: true });
  const c = await conn.query(`SELECT COUNT() FROM Contact WHERE LastName = '${name}'`, { scanAll: true });
  assert.equal(a.totalSize, 0);
  assert.equal(c.totalSize, 0);
});

test('a reference to a failed subrequest fails the dependent one', async () => {
  const res = await composite([
    { method: 'POST', url: `${V}/sobjects/Account`, referenceId: 'a', body: {} },
    { method: 'POST', url: `${V}/sobjects/Contact`, referenceId: 'c', body: { LastName: 'Orphan', AccountId: '@{a.id}' } },
  ]);
  assert.equal(res.compositeResponse[0].httpStatusCode, 400);
  assert.equal(res.compositeResponse[0].body[0].errorCode, 'REQUIRED_FIELD_MISSING');
  assert.equal(res.compositeResponse[1].httpStatusCode, 400);
  const q = await conn.query("SELECT COUNT() FROM Contact WHERE LastName = 'Orphan'");
  assert.equal(q.totalSize, 0);
});

test('collections and upsert inside a composite', async () => {
  const key = uniq('CK');
  const res = await composite([
    {
      method: 'POST',
      url: `${V}/composite/sobjects`,
      referenceId: 'many',
      body: { allOrNone: false, records: [{ attributes: { type: 'Lead' }, LastName: 'CL1', Company: 'C' }, { attributes: { type: 'Lead' }, LastName: 'CL2', Company: 'C' }] },
    },
    { method: 'PATCH', url: `${V}/sobjects/Lead/CrmSync_Link_Id__c/${key}`, referenceId: 'up', body: { LastName: 'Up', Company: 'C' } },
    { method: 'PATCH', url: `${V}/sobjects/Lead/CrmSync_Link_Id__c/${key}`, referenceId: 'up2', body: { LastName: 'Up2' } },
  ]);
  const [many, up, up2] = res.compositeResponse;
  assert.equal(many.httpStatusCode, 200);
  assert.equal(many.body.length, 2);
  assert.ok(many.body.every((r) => r.success));
  assert.equal(up.httpStatusCode, 201);
  assert.equal(up.body.created, true);
  assert.equal(up2.httpStatusCode, 200);
  assert.equal(up2.body.created, false);
  assert.equal(up2.body.id, up.body.id);
});

test('25 subrequests are accepted, 26 are refused with nothing written', async () => {
  const tag = uniq('Max');
  const mk = (n) =>
    Array.from({ length: n }, (_, i) => ({ method: 'POST', url: `${V}/sobjects/Lead`, referenceId: `r${i}`, body: { LastName: `${tag}`, Company: 'C' } }));
  const res = await composite(mk(25));
  assert.equal(res.compositeResponse.length, 25);
  assert.ok(res.compositeResponse.every((r) => r.httpStatusCode === 201));
  const tag2 = tag + 'x';
  const wire = tap(conn);
  let err = null;
  try {
    await composite(mk(26).map((r) => ({ ...r, body: { LastName: tag2, Company: 'C' } })));
  } catch (e) {
    err = e;
  }
  assert.ok(err, '26 subrequests must be refused');
  assert.equal(wire.last().status, 400);
  assert.match(String(err.errorCode), /^[A-Z_]+$/, 'a vendor error code');
  const q = await conn.query(`SELECT COUNT() FROM Lead WHERE LastName = '${tag2}'`);
  assert.equal(q.totalSize, 0);
});

test('a composite request counts as one API call', async () => {
  await conn.query('SELECT Id FROM User LIMIT 1');
  const before = conn.limitInfo.apiUsage.used;
  await composite([
    { method: 'POST', url: `${V}/sobjects/Lead`, referenceId: 'a', body: { LastName: 'One', Company: 'C' } },
    { method: 'GET', url: `${V}/sobjects/Lead/@{a.id}`, referenceId: 'b' },
    { method: 'GET', url: `${V}/limits`, referenceId: 'c' },
  ]);
  assert.equal(conn.limitInfo.apiUsage.used, before + 1);
});

test('a malformed composite body is 400 JSON_PARSER_ERROR', async () => {
  await sfReject(
    conn.request({ method: 'POST', url: `${V}/composite`, body: '{"compositeRequest": [', headers: { 'content-type': 'application/json' } }),
    'JSON_PARSER_ERROR',
  );
});
