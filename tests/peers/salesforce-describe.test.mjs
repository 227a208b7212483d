// jsforce against emu-salesforce: describeGlobal and describe (field properties, picklists,
// restricted picklists, external ids, references, record types, child relationships), that
// describe and write behaviour agree, state/country picklists switched on through the control
// API, and custom fields/objects from a --schema file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSalesforce, tap, sfReject, assertId, uniq, VERSION } from './lib/sf.mjs';

const OBJECTS = {
  Lead: '00Q',
  Contact: '003',
  Account: '001',
  Opportunity: '006',
  OpportunityContactRole: '00K',
  Case: '500',
  CaseStatus: null,
  Task: '00T',
  Event: '00U',
  Campaign: '701',
  CampaignMember: '00v',
  User: '005',
  RecordType: '012',
  BusinessProcess: '019',
};

let sf;
let conn;
let schemaFile;
before(async () => {
  sf = await startSalesforce();
  conn = await sf.login();
});
after(async () => {
  await sf?.stop();
  if (schemaFile) fs.rmSync(path.dirname(schemaFile), { recursive: true, force: true });
});

const field = (d, name) => {
  const f = d.fields.find((x) => x.name === name);
  assert.ok(f, `${d.name}.${name} in describe`);
  return f;
};

test('describeGlobal lists every synced object with its key prefix and urls', async () => {
  const wire = tap(conn);
  const g = await conn.describeGlobal();
  assert.equal(new URL(wire.last().url).pathname, `/services/data/v${VERSION}/sobjects`);
  assert.equal(g.encoding, 'UTF-8');
  assert.equal(g.maxBatchSize, 200);
  for (const [name, prefix] of Object.entries(OBJECTS)) {
    const o = g.sobjects.find((x) => x.name === name);
    assert.ok(o, `${name} in describeGlobal`);
    if (prefix) assert.equal(o.keyPrefix, prefix, `${name} keyPrefix`);
    assert.equal(o.queryable, true, `${name} queryable`);
    assert.equal(o.custom, false);
    assert.equal(typeof o.label, 'string');
    assert.equal(typeof o.labelPlural, 'string');
    assert.deepEqual(o.urls.sobject, `/services/data/v${VERSION}/sobjects/${name}`);
    assert.deepEqual(o.urls.describe, `/services/data/v${VERSION}/sobjects/${name}/describe`);
    assert.deepEqual(o.urls.rowTemplate, `/services/data/v${VERSION}/sobjects/${name}/{ID}`);
    for (const k of ['createable', 'updateable', 'deletable', 'replicateable', 'retrieveable', 'searchable', 'mergeable', 'layoutable']) {
      assert.equal(typeof o[k], 'boolean', `${name}.${k}`);
    }
  }
  const by = Object.fromEntries(g.sobjects.map((o) => [o.name, o]));
  assert.equal(by.Lead.createable, true);
  assert.equal(by.Contact.mergeable, true);
  assert.equal(by.Lead.replicateable, true);
  assert.equal(by.User.deletable, false, 'users cannot be deleted');
});

test('describe Lead: identity, field properties and the read-only Name', async () => {
  const d = await conn.describe('Lead');
  assert.equal(d.name, 'Lead');
  assert.equal(d.keyPrefix, '00Q');
  assert.equal(d.urls.describe, `/services/data/v${VERSION}/sobjects/Lead/describe`);
  const id = field(d, 'Id');
  assert.equal(id.type, 'id');
  assert.equal(id.nillable, false);
  assert.equal(id.createable, false);
  assert.equal(id.updateable, false);
  assert.equal(id.idLookup, true);
  const last = field(d, 'LastName');
  assert.equal(last.type, 'string');
  assert.equal(last.length, 80);
  assert.equal(last.nillable, false);
  assert.equal(last.createable, true);
  assert.equal(last.updateable, true);
  assert.equal(last.calculated, false);
  assert.equal(last.filterable, true);
  const email = field(d, 'Email');
  assert.equal(email.type, 'email');
  assert.equal(email.nillable, true);
  const name = field(d, 'Name');
  assert.equal(name.createable, false);
  assert.equal(name.updateable, false);
  assert.equal(name.nameField, true);
  const sysmod = field(d, 'SystemModstamp');
  assert.equal(sysmod.type, 'datetime');
  assert.equal(sysmod.createable, false);
  assert.equal(sysmod.updateable, false);
  for (const f of d.fields) {
    for (const k of ['nillable', 'createable', 'updateable', 'calculated', 'filterable', 'externalId', 'unique', 'custom', 'restrictedPicklist']) {
      assert.equal(typeof f[k], 'boolean', `Lead.${f.name}.${k}`);
    }
    assert.equal(typeof f.length, 'number', `Lead.${f.name}.length`);
    assert.ok(Array.isArray(f.picklistValues), `Lead.${f.name}.picklistValues`);
    assert.ok(Array.isArray(f.referenceTo), `Lead.${f.name}.referenceTo`);
  }
  for (const f of ['IsConverted', 'ConvertedContactId', 'ConvertedAccountId', 'ConvertedOpportunityId', 'ConvertedDate', 'MasterRecordId', 'OwnerId', 'Status', 'Company']) {
    field(d, f);
  }
});

test('every property the research lists (jsforce DescribeGlobalResult / DescribeSObjectResult / Field) is there', async () => {
  const global = [
    'name', 'label', 'labelPlural', 'keyPrefix', 'custom', 'createable', 'updateable', 'deletable', 'queryable',
    'replicateable', 'retrieveable', 'searchable', 'triggerable', 'undeletable', 'mergeable', 'layoutable',
    'activateable', 'customSetting', 'deprecatedAndHidden', 'feedEnabled', 'hasSubtypes', 'isSubtype',
    'isInterface', 'idEnabled', 'mruEnabled', 'deepCloneable', 'urls',
  ];
  const object = [
    'fields', 'childRelationships', 'recordTypeInfos', 'namedLayoutInfos', 'supportedScopes', 'actionOverrides',
    'compactLayoutable', 'listviewable', 'lookupLayoutable', 'searchLayoutable', 'networkScopeFieldName',
  ];
  const fieldProps = [
    'name', 'label', 'type', 'soapType', 'length', 'byteLength', 'precision', 'scale', 'digits', 'nillable',
    'createable', 'updateable', 'calculated', 'calculatedFormula', 'autoNumber', 'defaultedOnCreate',
    'defaultValue', 'defaultValueFormula', 'picklistValues', 'restrictedPicklist', 'dependentPicklist',
    'controllerName', 'referenceTo', 'relationshipName', 'polymorphicForeignKey', 'externalId', 'unique',
    'caseSensitive', 'idLookup', 'filterable', 'sortable', 'groupable', 'custom', 'compoundFieldName',
    'deprecatedAndHidden', 'htmlFormatted', 'nameField',
  ];
  const g = await conn.describeGlobal();
  for (const o of g.sobjects) for (const k of global) assert.ok(k in o, `describeGlobal ${o.name}.${k}`);
  for (const name of ['Lead', 'Contact', 'Opportunity', 'Case', 'Task']) {
    const d = await conn.describe(name);
    for (const k of [...global, ...object]) assert.ok(k in d, `describe ${name}.${k}`);
    for (const f of d.fields) for (const k of fieldProps) assert.ok(k in f, `${name}.${f.name}.${k}`);
    for (const p of d.fields.flatMap((f) => f.picklistValues)) {
      for (const k of ['active', 'defaultValue', 'label', 'validFor', 'value']) assert.ok(k in p, `${name} picklist value ${k}`);
    }
    for (const r of d.childRelationships) {
      for (const k of ['childSObject', 'field', 'relationshipName', 'cascadeDelete', 'restrictedDelete']) assert.ok(k in r, `${name} child ${k}`);
    }
    for (const r of d.recordTypeInfos) {
      for (const k of ['available', 'defaultRecordTypeMapping', 'developerName', 'master', 'name', 'recordTypeId', 'active', 'urls']) {
        assert.ok(k in r, `${name} recordTypeInfo ${k}`);
      }
    }
  }
});

test('picklists: values with active/defaultValue/label/value; Lead Status has exactly one default', async () => {
  const d = await conn.describe('Lead');
  const status = field(d, 'Status');
  assert.equal(status.type, 'picklist');
  assert.ok(status.picklistValues.length >= 3);
  for (const v of status.picklistValues) {
    assert.deepEqual(Object.keys(v).sort(), ['active', 'defaultValue', 'label', 'validFor', 'value']);
  }
  assert.equal(status.picklistValues.filter((v) => v.defaultValue).length, 1);
  const def = status.picklistValues.find((v) => v.defaultValue).value;
  const { id } = await conn.sobject('Lead').create({ LastName: 'Pick', Company: 'Co' });
  assert.equal((await conn.sobject('Lead').retrieve(id)).Status, def, 'the default is applied on create');
  const src = field(d, 'LeadSource');
  assert.ok(src.picklistValues.some((v) => v.value === 'Web'));
});

test('a restricted picklist rejects values not in describe (INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST)', async () => {
  let found = null;
  for (const obj of ['Lead', 'Contact', 'Account', 'Opportunity', 'Case', 'Task']) {
    const d = await conn.describe(obj);
    const f = d.fields.find((x) => x.restrictedPicklist && x.type === 'picklist' && x.createable);
    if (f) {
      found = { obj, f };
      break;
    }
  }
  assert.ok(found, 'at least one restricted picklist among the synced objects');
  const base = {
    Lead: { LastName: 'R', Company: 'C' },
    Contact: { LastName: 'R' },
    Account: { Name: 'R' },
    Opportunity: { Name: 'R', StageName: 'Prospecting', CloseDate: '2030-01-01' },
    Case: { Subject: 'R', Status: 'New', Origin: 'Web' },
    Task: { Subject: 'R', Status: 'Not Started', Priority: 'Normal' },
  }[found.obj];
  const err = await sfReject(conn.sobject(found.obj).create({ ...base, [found.f.name]: 'Definitely Not A Value' }), 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
  assert.match(err.message, /bad value for restricted picklist field: Definitely Not A Value/);
  assert.deepEqual(err.data.fields, [found.f.name]);
  const ok = found.f.picklistValues.find((v) => v.active).value;
  const res = await conn.sobject(found.obj).create({ ...base, [found.f.name]: ok });
  assert.equal(res.success, true);
});

test('CrmSync_Link_Id__c is an external id (custom, idLookup, filterable) on the six synced objects', async () => {
  for (const obj of ['Lead', 'Contact', 'Account', 'Opportunity', 'Case', 'Task']) {
    const f = field(await conn.describe(obj), 'CrmSync_Link_Id__c');
    assert.equal(f.externalId, true, obj);
    assert.equal(f.custom, true, obj);
    assert.equal(f.idLookup, true, obj);
    assert.equal(f.filterable, true, obj);
    assert.equal(f.nillable, true, obj);
    assert.ok(['string', 'email', 'int', 'double'].includes(f.type), `${obj} ext id type ${f.type}`);
  }
});

test('references: referenceTo, relationshipName, polymorphic WhoId/WhatId, child relationships', async () => {
  const contact = await conn.describe('Contact');
  const acctId = field(contact, 'AccountId');
  assert.equal(acctId.type, 'reference');
  assert.deepEqual(acctId.referenceTo, ['Account']);
  assert.equal(acctId.relationshipName, 'Account');
  const owner = field(contact, 'OwnerId');
  assert.ok(owner.referenceTo.includes('User'));
  const task = await conn.describe('Task');
  const who = field(task, 'WhoId');
  assert.deepEqual([...who.referenceTo].sort(), ['Contact', 'Lead']);
  assert.equal(who.polymorphicForeignKey, true);
  const what = field(task, 'WhatId');
  for (const t of ['Account', 'Opportunity', 'Case']) assert.ok(what.referenceTo.includes(t), `WhatId -> ${t}`);
  const account = await conn.describe('Account');
  const rel = account.childRelationships.find((r) => r.relationshipName === 'Contacts');
  assert.ok(rel, 'Account.Contacts child relationship');
  assert.equal(rel.childSObject, 'Contact');
  assert.equal(rel.field, 'AccountId');
});

test('recordTypeInfos: a Master record type everywhere; Opportunity and Case record types match RecordType rows', async () => {
  for (const obj of ['Lead', 'Contact', 'Account', 'Opportunity', 'Case', 'Task']) {
    const d = await conn.describe(obj);
    assert.ok(Array.isArray(d.recordTypeInfos) && d.recordTypeInfos.length >= 1, obj);
    const master = d.recordTypeInfos.find((r) => r.master);
    assert.ok(master, `${obj} has a Master record type`);
    assert.equal(master.recordTypeId, '012000000000000AAA');
    for (const r of d.recordTypeInfos) {
      for (const k of ['available', 'defaultRecordTypeMapping', 'master', 'name', 'recordTypeId']) assert.ok(k in r, `${obj} rt.${k}`);
    }
    assert.equal(d.recordTypeInfos.filter((r) => r.defaultRecordTypeMapping).length, 1, `${obj} one default record type`);
  }
  const rows = await conn.query("SELECT Id, Name, DeveloperName, SobjectType, BusinessProcessId FROM RecordType WHERE SobjectType IN ('Opportunity', 'Case')");
  for (const row of rows.records) {
    const d = await conn.describe(row.SobjectType);
    const info = d.recordTypeInfos.find((r) => r.recordTypeId === row.Id);
    assert.ok(info, `RecordType ${row.Id} listed in ${row.SobjectType} describe`);
    assert.equal(info.name, row.Name);
    if (row.BusinessProcessId) {
      assertId(row.BusinessProcessId, '019');
      const bp = await conn.query(`SELECT Id FROM BusinessProcess WHERE Id = '${row.BusinessProcessId}'`);
      assert.equal(bp.totalSize, 1);
    }
  }
});

test('describe and behaviour agree: a value one past the described length is STRING_TOO_LONG', async () => {
  const d = await conn.describe('Contact');
  const f = field(d, 'Title');
  const err = await sfReject(conn.sobject('Contact').create({ LastName: 'Long', Title: 'x'.repeat(f.length + 1) }), 'STRING_TOO_LONG');
  assert.match(err.message, new RegExp(`data value too large: x+ \\(max length=${f.length}\\)`));
  assert.deepEqual(err.data.fields, ['Title']);
  const ok = await conn.sobject('Contact').create({ LastName: 'Long', Title: 'x'.repeat(f.length) });
  assert.equal(ok.success, true);
});

test('describe of an unknown object is 404 NOT_FOUND', async () => {
  await sfReject(conn.describe('Nope__c'), 'NOT_FOUND');
});

test('state/country picklists: off by default, switched on they add *StateCode/*CountryCode and validate', async () => {
  const off = await conn.describe('Contact');
  assert.equal(off.fields.some((f) => f.name === 'MailingCountryCode'), false, 'no code fields while off');
  field(off, 'MailingCountry');
  await sf.control('PUT', '/__emu/settings', { state_country_picklists: true });
  try {
    const on = await conn.describe('Contact');
    const cc = field(on, 'MailingCountryCode');
    assert.equal(cc.type, 'picklist');
    const us = cc.picklistValues.find((v) => v.value === 'US');
    assert.ok(us, 'US in MailingCountryCode');
    const sc = field(on, 'MailingStateCode');
    assert.equal(sc.type, 'picklist');
    assert.equal(sc.dependentPicklist, true);
    assert.equal(sc.controllerName, 'MailingCountryCode');
    const ca = sc.picklistValues.find((v) => v.value === 'CA');
    assert.ok(ca && typeof ca.validFor === 'string', 'CA with a validFor bitmap');
    for (const obj of ['Lead', 'Account']) {
      const d = await conn.describe(obj);
      field(d, obj === 'Lead' ? 'CountryCode' : 'BillingCountryCode');
    }

    const { id } = await conn.sobject('Contact').create({ LastName: 'Geo', MailingCountryCode: 'US', MailingStateCode: 'CA' });
    const rec = await conn.sobject('Contact').retrieve(id);
    assert.equal(rec.MailingCountryCode, 'US');
    assert.equal(rec.MailingCountry, us.label, 'the label field follows the code');
    assert.equal(rec.MailingState, ca.label);
    // FD is a state code (Florida, Uruguay), just not one of the United States
    const st = await sfReject(conn.sobject('Contact').create({ LastName: 'Geo', MailingCountryCode: 'US', MailingStateCode: 'FD' }), 'FIELD_INTEGRITY_EXCEPTION');
    assert.match(st.message, /state/i);
    assert.deepEqual(st.data.fields, ['MailingStateCode']);
    await sfReject(conn.sobject('Contact').create({ LastName: 'Geo', MailingCountry: 'Narnia' }), 'FIELD_INTEGRITY_EXCEPTION');
  } finally {
    await sf.control('PUT', '/__emu/settings', { state_country_picklists: false });
  }
  const back = await conn.describe('Contact');
  assert.equal(back.fields.some((f) => f.name === 'MailingCountryCode'), false);
});

test('--schema FILE adds custom fields (non-unique external id: upsert answers 300) and custom objects', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sfschema-'));
  schemaFile = path.join(dir, 'schema.json');
  fs.writeFileSync(
    schemaFile,
    JSON.stringify({
      picklists: { Tier: ['Gold', 'Silver', { value: 'Bronze', default: true }] },
      objects: {
        Contact: { fields: { Legacy_Key__c: 'string(40) extid', Score__c: 'double(5,2)', Tier__c: 'picklist restricted defaulted pick:Tier', Badge__c: 'string(20) extid unique' } },
        Widget__c: { keyPrefix: 'a01', label: 'Widget', labelPlural: 'Widgets', fields: { Name: 'string(80) namefield required', Size__c: 'int(9)', Contact__c: 'reference ref:Contact rel:Contact__r' } },
      },
    }),
  );
  const custom = await startSalesforce(['--schema', schemaFile]);
  try {
    const c2 = await custom.login();
    const d = await c2.describe('Contact');
    const key = field(d, 'Legacy_Key__c');
    assert.equal(key.externalId, true);
    assert.equal(key.unique, false);
    assert.equal(key.length, 40);
    assert.equal(key.custom, true);
    assert.equal(field(d, 'Score__c').type, 'double');
    assert.equal(field(d, 'Tier__c').restrictedPicklist, true);
    field(d, 'CrmSync_Link_Id__c'); // the default schema is still there

    const a = await c2.sobject('Contact').create({ LastName: 'A', Legacy_Key__c: 'K1', Score__c: 12.5, Tier__c: 'Gold' });
    const b = await c2.sobject('Contact').create({ LastName: 'B', Legacy_Key__c: 'K1' });
    const err = await sfReject(c2.sobject('Contact').upsert({ Legacy_Key__c: 'K1', LastName: 'C' }, 'Legacy_Key__c'), 'MULTIPLE_CHOICES');
    assert.deepEqual([...err.data].sort(), [a.id, b.id].map((id) => `/services/data/v${VERSION}/sobjects/Contact/${id}`).sort());
    assert.equal((await c2.sobject('Contact').retrieve(b.id)).Tier__c, 'Bronze', 'picklist default');
    await sfReject(c2.sobject('Contact').create({ LastName: 'D', Tier__c: 'Platinum' }), 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
    assert.equal(field(d, 'Badge__c').unique, true);
    const b1 = await c2.sobject('Contact').create({ LastName: 'E', Badge__c: 'B-1' });
    const dup = await sfReject(c2.sobject('Contact').create({ LastName: 'F', Badge__c: 'B-1' }), 'DUPLICATE_VALUE');
    assert.equal(dup.message, `duplicate value found: Badge__c duplicates value on record with id: ${b1.id}`);

    const g = await c2.describeGlobal();
    const w = g.sobjects.find((o) => o.name === 'Widget__c');
    assert.ok(w, 'Widget__c in describeGlobal');
    assert.equal(w.custom, true);
    assert.equal(w.keyPrefix, 'a01');
    const wid = await c2.sobject('Widget__c').create({ Name: uniq('W'), Size__c: 3, Contact__c: a.id });
    assertId(wid.id, 'a01');
    const q = await c2.query(`SELECT Id, Size__c, Contact__r.LastName FROM Widget__c WHERE Id = '${wid.id}'`);
    assert.equal(q.records[0].Size__c, 3);
    assert.equal(q.records[0].Contact__r.LastName, 'A');
  } finally {
    await custom.stop();
  }
});

test('GET /sobjects/{T} (jsforce recent()) answers objectDescribe and recentItems', async () => {
  const raw = await conn.request(`/services/data/v${VERSION}/sobjects/Lead`);
  assert.equal(raw.objectDescribe.name, 'Lead');
  assert.equal(raw.objectDescribe.keyPrefix, '00Q');
  assert.ok(Array.isArray(raw.recentItems));
  const items = await conn.sobject('Lead').recent();
  assert.ok(Array.isArray(items));
});
