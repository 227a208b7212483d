// jsforce against emu-salesforce: SOQL query/queryAll over more than 2,000 records (nextRecordsUrl,
// queryMore, autoFetch, Sforce-Query-Options batchSize), the WHERE grammar (AND/OR/NOT/parentheses,
// comparison operators, IN/NOT IN, LIKE, null, date and datetime literals, escapes), parent
// relationship fields, ORDER BY multi-key with NULLS FIRST/LAST, LIMIT/OFFSET, COUNT(), queryAll
// with deleted and merged rows, and the error codes MALFORMED_QUERY / INVALID_FIELD / INVALID_TYPE.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSalesforce, tap, sfReject, uniq, soqlDateTime, VERSION, jsforce } from './lib/sf.mjs';

const BULK = 2200; // more than one 2,000-row page
let sf;
let conn;
let bulkCo; // Company of the paging leads
let dept; // Department of the small contact set
const c = {}; // small contact set by name
before(async () => {
  sf = await startSalesforce();
  conn = await sf.login();
  bulkCo = uniq('Paging');
  for (let i = 0; i < BULK; i += 200) {
    const batch = [];
    for (let j = i; j < Math.min(i + 200, BULK); j++) {
      batch.push({ LastName: `P${String(j).padStart(5, '0')}`, Company: bulkCo, Email: `p${j}@paging.example` });
    }
    const res = await conn.sobject('Lead').create(batch);
    assert.equal(res.filter((r) => r.success).length, batch.length, 'seeding leads');
  }

  dept = uniq('Dept');
  const acct1 = await conn.sobject('Account').create({ Name: 'Analytical', NumberOfEmployees: 10, AnnualRevenue: 1000.5, Industry: 'Technology' });
  const acct2 = await conn.sobject('Account').create({ Name: 'NASA', NumberOfEmployees: 100, AnnualRevenue: 99.25 });
  const rows = {
    ada: { FirstName: 'Ada', LastName: 'Lovelace', Email: 'ada@x.example', Birthdate: '1815-12-10', LeadSource: 'Web', Title: 'Countess', AccountId: acct1.id, HasOptedOutOfEmail: true },
    grace: { FirstName: 'Grace', LastName: 'Hopper', Email: 'grace@navy.example', Birthdate: '1906-12-09', LeadSource: 'Phone Inquiry', Title: null },
    alan: { FirstName: 'Alan', LastName: 'Turing', Email: null, Birthdate: '1912-06-23', LeadSource: 'Web', Title: 'Mr', AccountId: acct1.id },
    kj: { FirstName: 'Katherine', LastName: 'Johnson', Email: 'kj@nasa.example', Birthdate: '1918-08-26', LeadSource: null, Title: 'Dr', AccountId: acct2.id },
    ob: { LastName: "O'Brien", Email: 'ob@x.example', LeadSource: 'Other' },
  };
  for (const [k, r] of Object.entries(rows)) {
    const { id } = await conn.sobject('Contact').create({ ...r, Department: dept });
    c[k] = id;
  }
});
after(async () => {
  await sf?.stop();
});

async function ids(where, extra = '') {
  const r = await conn.query(`SELECT Id FROM Contact WHERE Department = '${dept}' AND (${where}) ${extra}`);
  return r.records.map((x) => x.Id);
}
function same(actual, names) {
  assert.deepEqual([...actual].sort(), names.map((n) => c[n]).sort());
}
function ordered(actual, names) {
  assert.deepEqual(actual, names.map((n) => c[n]));
}
const pagingSoql = () => `SELECT Id, LastName FROM Lead WHERE Company = '${bulkCo}' ORDER BY LastName`;

test('query over 2,200 rows: first page 2,000 with nextRecordsUrl /query/<locator>-2000, second page done', async () => {
  const q = encodeURIComponent(pagingSoql());
  const p1 = await conn.request(`/services/data/v${VERSION}/query?q=${q}`);
  assert.equal(p1.totalSize, BULK);
  assert.equal(p1.done, false);
  assert.equal(p1.records.length, 2000);
  assert.match(p1.nextRecordsUrl, new RegExp(`^/services/data/v${VERSION}/query/[A-Za-z0-9]+-2000$`));
  const p2 = await conn.request(p1.nextRecordsUrl);
  assert.equal(p2.totalSize, BULK);
  assert.equal(p2.done, true);
  assert.equal(p2.records.length, BULK - 2000);
  assert.equal('nextRecordsUrl' in p2, false, 'no nextRecordsUrl on the last page');
  const all = [...p1.records, ...p2.records].map((r) => r.LastName);
  assert.equal(new Set(all).size, BULK);
  assert.deepEqual(all, [...all].sort(), 'ORDER BY holds across pages');
});

test('jsforce queryMore and autoFetch walk every page', async () => {
  const first = await conn.query(pagingSoql());
  assert.equal(first.done, false);
  assert.equal(first.records.length, 2000);
  const more = await conn.queryMore(first.nextRecordsUrl);
  assert.equal(more.done, true);
  assert.equal(more.records.length, BULK - 2000);

  const all = await conn.query(pagingSoql(), { autoFetch: true, maxFetch: 10000 });
  assert.equal(all.records.length, BULK);
  assert.equal(new Set(all.records.map((r) => r.Id)).size, BULK);
});

test('Sforce-Query-Options batchSize=500 gives 500-row pages', async () => {
  const wire = tap(conn);
  const all = await conn.query(pagingSoql(), {
    autoFetch: true,
    maxFetch: 10000,
    headers: { 'Sforce-Query-Options': 'batchSize=500' },
  });
  assert.equal(all.records.length, BULK);
  const pages = wire.filter((x) => x.method === 'GET').map((x) => JSON.parse(x.body).records.length);
  assert.deepEqual(pages, [500, 500, 500, 500, 200]);
  wire.clear();
});

test('queryAll pages continue as queryAll through /query/<locator>', async () => {
  const ids = (await conn.query(pagingSoql() + ' LIMIT 300')).records.map((r) => r.Id);
  const d1 = await conn.sobject('Lead').destroy(ids.slice(0, 200));
  const d2 = await conn.sobject('Lead').destroy(ids.slice(200));
  assert.ok([...d1, ...d2].every((r) => r.success));
  const live = await conn.query(`SELECT COUNT() FROM Lead WHERE Company = '${bulkCo}'`);
  assert.equal(live.totalSize, BULK - 300);
  const wire = tap(conn);
  const all = await conn.query(`SELECT Id, IsDeleted FROM Lead WHERE Company = '${bulkCo}' ORDER BY LastName DESC`, {
    scanAll: true,
    autoFetch: true,
    maxFetch: 10000,
  });
  assert.equal(all.totalSize, BULK);
  assert.equal(all.records.length, BULK);
  assert.equal(all.records.filter((r) => r.IsDeleted === true).length, 300);
  const paths = wire.map((x) => new URL(x.url).pathname);
  assert.deepEqual(paths.slice(0, 1), [`/services/data/v${VERSION}/queryAll`]);
  assert.match(paths[1], new RegExp(`^/services/data/v${VERSION}/query/`));
  // the deleted rows are on the second page (ORDER BY LastName DESC puts P00000..P00299 last)
  const page2 = JSON.parse(wire[1].body).records;
  assert.equal(page2.filter((r) => r.IsDeleted).length, 200);
});

test('an unknown query locator is INVALID_QUERY_LOCATOR', async () => {
  await sfReject(conn.queryMore(`/services/data/v${VERSION}/query/0r8xx0000000001AAA-2000`), 'INVALID_QUERY_LOCATOR');
});

test('comparison operators, null tests and case-insensitive text equality', async () => {
  same(await ids("LastName = 'Lovelace'"), ['ada']);
  same(await ids("LastName = 'lovelace'"), ['ada']);
  same(await ids("LastName != 'Lovelace'"), ['grace', 'alan', 'kj', 'ob']);
  same(await ids('Email = null'), ['alan']);
  same(await ids('Email != null'), ['ada', 'grace', 'kj', 'ob']);
  same(await ids('Title = null'), ['grace', 'ob']);
  same(await ids('HasOptedOutOfEmail = true'), ['ada']);
  same(await ids('HasOptedOutOfEmail = false'), ['grace', 'alan', 'kj', 'ob']);
  same(await ids("LastName > 'Lovelace'"), ['alan', 'ob']);
  same(await ids("LastName >= 'Lovelace'"), ['ada', 'alan', 'ob']);
  same(await ids("LastName < 'Johnson'"), ['grace']);
  same(await ids("LastName <= 'Johnson'"), ['grace', 'kj']);
});

test('IN, NOT IN, LIKE with % and _, and quote escapes', async () => {
  same(await ids("LeadSource IN ('Web', 'Other')"), ['ada', 'alan', 'ob']);
  same(await ids("LeadSource NOT IN ('Web') AND LeadSource != null"), ['grace', 'ob']);
  same(await ids("LastName LIKE 'Ho%'"), ['grace']);
  same(await ids("LastName LIKE '%o%'"), ['ada', 'grace', 'kj', 'ob']);
  same(await ids("LastName LIKE 't_ring'"), ['alan']);
  same(await ids("LastName = 'O\\'Brien'"), ['ob']);
  same(await ids("Email LIKE '%@x.example'"), ['ada', 'ob']);
});

test('AND, OR, NOT and parentheses', async () => {
  same(await ids("(LeadSource = 'Web' OR LeadSource = 'Other') AND Title != null"), ['ada', 'alan']);
  same(await ids("LeadSource = 'Web' AND (Title = 'Mr' OR Email = 'ada@x.example')"), ['ada', 'alan']);
  same(await ids("NOT (LastName LIKE 'T%')"), ['ada', 'grace', 'kj', 'ob']);
  same(await ids("NOT (LeadSource = 'Web' OR Email = null) AND Title != null"), ['kj']);
});

test('date and datetime literals (unquoted, Z and offsets)', async () => {
  same(await ids('Birthdate > 1900-01-01'), ['grace', 'alan', 'kj']);
  same(await ids('Birthdate <= 1906-12-09'), ['ada', 'grace']);
  same(await ids('Birthdate = 1912-06-23'), ['alan']);
  same(await ids('CreatedDate > 2000-01-01T00:00:00Z'), ['ada', 'grace', 'alan', 'kj', 'ob']);
  same(await ids('CreatedDate < 2000-01-01T00:00:00Z'), []);
  same(await ids('CreatedDate > 2000-01-01T00:00:00+02:00'), ['ada', 'grace', 'alan', 'kj', 'ob']);
  same(await ids('CreatedDate > 2000-01-01T00:00:00.000Z'), ['ada', 'grace', 'alan', 'kj', 'ob']);
  const now = await sf.now();
  const soon = new Date(now.getTime() + 3600 * 1000);
  same(await ids(`SystemModstamp < ${soqlDateTime(soon)}`), ['ada', 'grace', 'alan', 'kj', 'ob']);
  same(await ids(`SystemModstamp > ${soqlDateTime(soon)}`), []);
});

test('ORDER BY several keys, ASC/DESC, NULLS FIRST/LAST', async () => {
  ordered(await ids('Id != null', 'ORDER BY LeadSource ASC NULLS LAST, LastName DESC'), ['ob', 'grace', 'alan', 'ada', 'kj']);
  ordered(await ids('Id != null', 'ORDER BY LeadSource ASC NULLS FIRST, LastName DESC'), ['kj', 'ob', 'grace', 'alan', 'ada']);
  ordered(await ids('Id != null', 'ORDER BY Birthdate DESC NULLS LAST'), ['kj', 'alan', 'grace', 'ada', 'ob']);
  ordered(await ids('Id != null', 'ORDER BY Birthdate DESC NULLS FIRST'), ['ob', 'kj', 'alan', 'grace', 'ada']);
});

test('LIMIT and OFFSET', async () => {
  ordered(await ids('Id != null', 'ORDER BY LastName LIMIT 2'), ['grace', 'kj']);
  ordered(await ids('Id != null', 'ORDER BY LastName LIMIT 2 OFFSET 1'), ['kj', 'ada']);
  ordered(await ids('Id != null', 'ORDER BY LastName OFFSET 4'), ['alan']);
  const r = await conn.query(`SELECT Id FROM Contact WHERE Department = '${dept}' ORDER BY LastName LIMIT 3`);
  assert.equal(r.totalSize, 3, 'totalSize counts the rows LIMIT lets through');
});

test('COUNT() answers totalSize with no records', async () => {
  const raw = await conn.request(`/services/data/v${VERSION}/query?q=${encodeURIComponent(`SELECT COUNT() FROM Contact WHERE Department = '${dept}'`)}`);
  assert.equal(raw.totalSize, 5);
  assert.equal(raw.done, true);
  assert.deepEqual(raw.records, []);
});

test('parent relationship fields: nested records with attributes, null when the lookup is empty, filterable', async () => {
  const r = await conn.query(
    `SELECT Id, LastName, Account.Name, Account.NumberOfEmployees, Owner.Username FROM Contact WHERE Department = '${dept}' ORDER BY LastName`,
  );
  const byName = Object.fromEntries(r.records.map((x) => [x.LastName, x]));
  assert.equal(byName.Lovelace.Account.Name, 'Analytical');
  assert.equal(byName.Lovelace.Account.NumberOfEmployees, 10);
  assert.equal(byName.Lovelace.Account.attributes.type, 'Account');
  assert.match(byName.Lovelace.Account.attributes.url, new RegExp(`^/services/data/v${VERSION}/sobjects/Account/001\\w{15}$`));
  assert.equal(byName.Hopper.Account, null);
  assert.equal(byName.Johnson.Owner.Username, 'integration@crmsync.test');
  same(await ids("Account.Name = 'NASA'"), ['kj']);
  same(await ids('Account.NumberOfEmployees > 10'), ['kj']);
  same(await ids('Account.AnnualRevenue >= 1000.5'), ['ada', 'alan']);
});

test('keywords and field names are case-insensitive; answers use canonical field names', async () => {
  const r = await conn.query(`select id, lastname, ACCOUNT.name from contact where department = '${dept}' and lastname = 'Turing'`);
  assert.equal(r.records.length, 1);
  assert.equal(r.records[0].LastName, 'Turing');
  assert.equal(r.records[0].Account.Name, 'Analytical');
  assert.equal(r.records[0].attributes.type, 'Contact');
});

test('MALFORMED_QUERY, INVALID_FIELD and INVALID_TYPE (400)', async () => {
  const wire = tap(conn);
  await sfReject(conn.query('SELEC Id FROM Contact'), 'MALFORMED_QUERY');
  assert.equal(wire.last().status, 400);
  await sfReject(conn.query('SELECT Id FROM Contact WHERE'), 'MALFORMED_QUERY');
  await sfReject(conn.query("SELECT Id FROM Contact WHERE LastName = 'unterminated"), 'MALFORMED_QUERY');
  const e = await sfReject(conn.query('SELECT Id, Foo__c FROM Lead'), 'INVALID_FIELD');
  assert.match(e.message, /No such column 'Foo__c' on entity 'Lead'/);
  assert.match(e.message, /ERROR at Row:1:Column:\d+/);
  await sfReject(conn.query("SELECT Id FROM Contact WHERE Nope__c = 'x'"), 'INVALID_FIELD');
  await sfReject(conn.query('SELECT Id, Account.Nope FROM Contact'), 'INVALID_FIELD');
  await sfReject(conn.query('SELECT Id FROM Contact WHERE CreatedDate > 2020-01-01'), 'INVALID_FIELD');
  await sfReject(conn.query("SELECT Id FROM Contact WHERE Birthdate > '1900-01-01'"), 'INVALID_FIELD');
  const t = await sfReject(conn.query('SELECT Id FROM Nope'), 'INVALID_TYPE');
  assert.match(t.message, /sObject type 'Nope' is not supported/);
});

test('queryAll sees deleted rows (IsDeleted) and merge losers (MasterRecordId); query does not', async () => {
  const d2 = uniq('Merge');
  const master = await conn.sobject('Contact').create({ LastName: 'Master', Department: d2 });
  const loser = await conn.sobject('Contact').create({ LastName: 'Loser', Department: d2 });
  const gone = await conn.sobject('Contact').create({ LastName: 'Gone', Department: d2 });
  await conn.sobject('Contact').destroy(gone.id);
  const m = await sf.control('POST', '/__emu/merge', { object: 'Contact', master_id: master.id, loser_ids: [loser.id] });
  assert.equal(m.id, master.id);

  const live = await conn.query(`SELECT Id FROM Contact WHERE Department = '${d2}'`);
  assert.deepEqual(live.records.map((r) => r.Id), [master.id]);

  const all = await conn.query(`SELECT Id, IsDeleted, MasterRecordId FROM Contact WHERE Department = '${d2}'`, { scanAll: true });
  const by = Object.fromEntries(all.records.map((r) => [r.Id, r]));
  assert.equal(all.totalSize, 3);
  assert.deepEqual([by[master.id].IsDeleted, by[master.id].MasterRecordId], [false, null]);
  assert.deepEqual([by[loser.id].IsDeleted, by[loser.id].MasterRecordId], [true, master.id]);
  assert.deepEqual([by[gone.id].IsDeleted, by[gone.id].MasterRecordId], [true, null]);

  const merged = await conn.query(
    `SELECT Id FROM Contact WHERE Department = '${d2}' AND IsDeleted = true AND MasterRecordId != null`,
    { scanAll: true },
  );
  assert.deepEqual(merged.records.map((r) => r.Id), [loser.id]);
});

test("jsforce's query builder: find() with conditions (quotes escaped), sort, limit; '*' selects every described field", async () => {
  const found = await conn
    .sobject('Contact')
    .find({ Department: dept, LastName: { $in: ["O'Brien", 'Turing'] } }, ['Id', 'LastName'])
    .sort({ LastName: -1 });
  assert.deepEqual(found.map((r) => r.LastName), ['Turing', "O'Brien"]);
  const one = await conn.sobject('Contact').findOne({ Department: dept, Birthdate: { $gt: jsforce.SfDate.toDateLiteral(new Date('1910-01-01T00:00:00Z')) } }, ['LastName']).sort('Birthdate');
  assert.equal(one.LastName, 'Turing');
  const all = await conn.sobject('Contact').find({ Id: c.ada }, '*');
  assert.equal(all.length, 1);
  const d = await conn.sobject('Contact').describe();
  for (const f of d.fields) assert.ok(f.name in all[0], `${f.name} selected by '*'`);
  assert.equal(all[0].Name, 'Ada Lovelace');
  const n = await conn.sobject('Contact').count({ Department: dept });
  assert.equal(n, 5);
});

test('polymorphic lookups: Who/What/Owner resolve per row, and .Type names the record type', async () => {
  const lead = await conn.sobject('Lead').create({ LastName: 'PolyLead', Company: 'P' });
  const subj = uniq('Poly');
  await conn.sobject('Task').create({ Subject: `${subj}-1`, Status: 'Not Started', Priority: 'Normal', WhoId: c.ada, WhatId: (await conn.sobject('Contact').retrieve(c.ada)).AccountId });
  await conn.sobject('Task').create({ Subject: `${subj}-2`, Status: 'Not Started', Priority: 'Normal', WhoId: lead.id });
  const r = await conn.query(`SELECT Subject, Who.Name, Who.Type, What.Name, What.Type FROM Task WHERE Subject LIKE '${subj}%' ORDER BY Subject`);
  assert.equal(r.records[0].Who.Name, 'Ada Lovelace');
  assert.equal(r.records[0].Who.Type, 'Contact');
  assert.equal(r.records[0].What.Name, 'Analytical');
  assert.equal(r.records[0].What.Type, 'Account');
  assert.equal(r.records[1].Who.Name, 'PolyLead');
  assert.equal(r.records[1].Who.Type, 'Lead');
  assert.equal(r.records[1].What, null);
  const o = await conn.query(`SELECT Owner.Type, Owner.Name FROM Lead WHERE Id = '${lead.id}'`);
  assert.equal(o.records[0].Owner.Type, 'User');
});
