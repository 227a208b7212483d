// jsforce against emu-salesforce: every validation error a sync engine meets, with the vendor's
// code, HTTP status, message and fields, on single-record REST (errorCode) and in collections
// (statusCode): REQUIRED_FIELD_MISSING, STRING_TOO_LONG, INVALID_EMAIL_ADDRESS,
// INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST, FIELD_CUSTOM_VALIDATION_EXCEPTION, DUPLICATES_DETECTED,
// UNABLE_TO_LOCK_ROW, ENTITY_IS_DELETED, MALFORMED_ID, INVALID_CROSS_REFERENCE_KEY,
// INSUFFICIENT_ACCESS_OR_READONLY, INVALID_FIELD, INVALID_FIELD_FOR_INSERT_UPDATE, JSON_PARSER_ERROR.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSalesforce, tap, sfReject, unusedId, uniq, VERSION } from './lib/sf.mjs';

let sf;
let conn;
before(async () => {
  sf = await startSalesforce();
  conn = await sf.login();
  tap(conn); // install the recorder before the first call starts
});
after(async () => {
  await sf?.stop();
});

// Asserts a single-record failure: jsforce error with code, HTTP status, vendor array body.
async function fails(promise, code, status = 400) {
  const wire = tap(conn);
  const err = await sfReject(promise, code);
  const last = wire.last();
  assert.equal(last.status, status, `${code} should be HTTP ${status}`);
  const body = JSON.parse(last.body);
  assert.ok(Array.isArray(body), 'error body is an array');
  assert.equal(body[0].errorCode, code);
  assert.equal(typeof body[0].message, 'string');
  wire.clear();
  return err;
}

test('REQUIRED_FIELD_MISSING on create and when an update nulls a required field', async () => {
  const e = await fails(conn.sobject('Contact').create({ FirstName: 'No' }), 'REQUIRED_FIELD_MISSING');
  assert.equal(e.message, 'Required fields are missing: [LastName]');
  assert.deepEqual(e.data.fields, ['LastName']);
  const e2 = await fails(conn.sobject('Lead').create({ FirstName: 'No' }), 'REQUIRED_FIELD_MISSING');
  assert.deepEqual([...e2.data.fields].sort(), ['Company', 'LastName']);
  const { id } = await conn.sobject('Contact').create({ LastName: 'Req' });
  const e3 = await fails(conn.sobject('Contact').update({ Id: id, LastName: null }), 'REQUIRED_FIELD_MISSING');
  assert.deepEqual(e3.data.fields, ['LastName']);
  assert.equal((await conn.sobject('Contact').retrieve(id)).LastName, 'Req');
});

test('STRING_TOO_LONG names the field label, the value and the max length', async () => {
  const long = 'L'.repeat(81);
  const e = await fails(conn.sobject('Contact').create({ LastName: long }), 'STRING_TOO_LONG');
  assert.equal(e.message, `Last Name: data value too large: ${long} (max length=80)`);
  assert.deepEqual(e.data.fields, ['LastName']);
});

test('INVALID_EMAIL_ADDRESS', async () => {
  const e = await fails(conn.sobject('Lead').create({ LastName: 'E', Company: 'C', Email: 'foo' }), 'INVALID_EMAIL_ADDRESS');
  assert.equal(e.message, 'Email: invalid email address: foo');
  assert.deepEqual(e.data.fields, ['Email']);
  for (const ok of ['a@b.co', 'first.last+tag@sub.example.org']) {
    assert.equal((await conn.sobject('Lead').create({ LastName: 'E', Company: 'C', Email: ok })).success, true, ok);
  }
});

test('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST (Lead Status, Opportunity StageName)', async () => {
  const e = await fails(conn.sobject('Lead').create({ LastName: 'P', Company: 'C', Status: 'Hot' }), 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
  assert.equal(e.message, 'Lead Status: bad value for restricted picklist field: Hot');
  assert.deepEqual(e.data.fields, ['Status']);
  await fails(
    conn.sobject('Opportunity').create({ Name: 'O', StageName: 'Dreaming', CloseDate: '2030-01-01' }),
    'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
  );
});

test('INVALID_FIELD for an unknown field; INVALID_FIELD_FOR_INSERT_UPDATE for read-only ones', async () => {
  const e = await fails(conn.sobject('Contact').create({ LastName: 'F', Foo__c: 'x' }), 'INVALID_FIELD');
  assert.equal(e.message, "No such column 'Foo__c' on sobject of type Contact");
  const e2 = await fails(conn.sobject('Contact').create({ LastName: 'F', CreatedDate: '2020-01-01T00:00:00.000+0000' }), 'INVALID_FIELD_FOR_INSERT_UPDATE');
  assert.equal(
    e2.message,
    'Unable to create/update fields: CreatedDate. Please check the security settings of this field and verify that it is read/write for your profile or permission set.',
  );
  assert.deepEqual(e2.data.fields, ['CreatedDate']);
  const { id } = await conn.sobject('Case').create({ Subject: 'RO', Status: 'New', Origin: 'Web' });
  await fails(conn.sobject('Case').update({ Id: id, IsClosed: true }), 'INVALID_FIELD_FOR_INSERT_UPDATE');
  await fails(conn.sobject('Case').update({ Id: id, CaseNumber: '1' }), 'INVALID_FIELD_FOR_INSERT_UPDATE');
});

test('MALFORMED_ID and INVALID_CROSS_REFERENCE_KEY for bad lookups', async () => {
  const e = await fails(conn.sobject('Contact').create({ LastName: 'M', AccountId: '001xyz' }), 'MALFORMED_ID');
  assert.deepEqual(e.data.fields, ['AccountId']);
  const e2 = await fails(conn.sobject('Contact').create({ LastName: 'X', AccountId: unusedId('001') }), 'INVALID_CROSS_REFERENCE_KEY');
  assert.equal(e2.message, 'invalid cross reference id');
  // a deleted parent is no longer a valid reference either
  const a = await conn.sobject('Account').create({ Name: 'Doomed' });
  await conn.sobject('Account').destroy(a.id);
  await fails(conn.sobject('Contact').create({ LastName: 'X', AccountId: a.id }), 'ENTITY_IS_DELETED');
});

test('ENTITY_IS_DELETED (404) on the recycled record itself', async () => {
  const { id } = await conn.sobject('Contact').create({ LastName: 'Recycled' });
  await conn.sobject('Contact').destroy(id);
  const e = await fails(conn.sobject('Contact').update({ Id: id, LastName: 'Back' }), 'ENTITY_IS_DELETED', 404);
  assert.equal(e.message, 'entity is deleted');
});

test('malformed JSON is 400 JSON_PARSER_ERROR', async () => {
  await fails(
    conn.request({ method: 'POST', url: `/services/data/v${VERSION}/sobjects/Contact`, body: '{"LastName": ', headers: { 'content-type': 'application/json' } }),
    'JSON_PARSER_ERROR',
  );
});

test('custom validation rule: FIELD_CUSTOM_VALIDATION_EXCEPTION with the rule message and field', async () => {
  await sf.control('POST', '/__emu/validation-rules', {
    object: 'Lead',
    name: 'Phone_Required',
    condition: "Phone = null AND LeadSource = 'Web'",
    message: 'Phone is required for web leads',
    field: 'Phone',
  });
  try {
    const rules = await sf.control('GET', '/__emu/validation-rules');
    assert.ok(JSON.stringify(rules).includes('Phone_Required'));
    const e = await fails(conn.sobject('Lead').create({ LastName: 'V', Company: 'C', LeadSource: 'Web' }), 'FIELD_CUSTOM_VALIDATION_EXCEPTION');
    assert.equal(e.message, 'Phone is required for web leads');
    assert.deepEqual(e.data.fields, ['Phone']);
    // records that do not match the condition pass
    const ok = await conn.sobject('Lead').create({ LastName: 'V', Company: 'C', LeadSource: 'Web', Phone: '555' });
    assert.equal(ok.success, true);
    await conn.sobject('Lead').create({ LastName: 'V', Company: 'C', LeadSource: 'Other' });
    // the rule judges the resulting record on update too
    await fails(conn.sobject('Lead').update({ Id: ok.id, Phone: null }), 'FIELD_CUSTOM_VALIDATION_EXCEPTION');
    // and per record in a collection
    const res = await conn.sobject('Lead').create([
      { LastName: 'V1', Company: 'C', LeadSource: 'Web' },
      { LastName: 'V2', Company: 'C', LeadSource: 'Web', Phone: '1' },
    ]);
    assert.deepEqual(res[0].errors, [{ statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'Phone is required for web leads', fields: ['Phone'] }]);
    assert.equal(res[1].success, true);
  } finally {
    await sf.control('DELETE', '/__emu/validation-rules');
  }
  const after = await conn.sobject('Lead').create({ LastName: 'V', Company: 'C', LeadSource: 'Web' });
  assert.equal(after.success, true, 'rules cleared');
});

test('duplicate rule (block): DUPLICATES_DETECTED with a duplicateResult naming the match', async () => {
  const email = `${uniq('dup')}@x.example`;
  const first = await conn.sobject('Contact').create({ LastName: 'Dup', Email: email });
  await sf.control('POST', '/__emu/duplicate-rules', { object: 'Contact', name: 'Standard_Contact_Duplicate_Rule', fields: ['Email'], action: 'block' });
  try {
    const e = await fails(conn.sobject('Contact').create({ LastName: 'Dup2', Email: email.toUpperCase() }), 'DUPLICATES_DETECTED');
    assert.equal(e.message, 'Use one of these records?');
    const dr = e.data.duplicateResult;
    assert.ok(dr, 'duplicateResult present');
    assert.equal(dr.allowSave, false);
    assert.equal(dr.duplicateRule, 'Standard_Contact_Duplicate_Rule');
    assert.equal(dr.duplicateRuleEntityType, 'Contact');
    assert.equal(dr.errorMessage, 'Use one of these records?');
    const mr = dr.matchResults[0];
    assert.equal(mr.entityType, 'Contact');
    assert.equal(mr.success, true);
    assert.equal(mr.size, 1);
    assert.equal(mr.matchRecords[0].record.Id, first.id);
    assert.equal(mr.matchRecords[0].record.attributes.type, 'Contact');
    assert.equal(typeof mr.matchRecords[0].matchConfidence, 'number');

    const other = await conn.sobject('Contact').create({ LastName: 'Other', Email: `${uniq('o')}@x.example` });
    await fails(conn.sobject('Contact').update({ Id: other.id, Email: email }), 'DUPLICATES_DETECTED');
    const res = await conn.sobject('Contact').create([{ LastName: 'Dup3', Email: email }]);
    assert.equal(res[0].success, false);
    assert.equal(res[0].errors[0].statusCode, 'DUPLICATES_DETECTED');
    assert.equal(res[0].errors[0].duplicateResult.matchResults[0].matchRecords[0].record.Id, first.id);
  } finally {
    await sf.control('DELETE', '/__emu/duplicate-rules');
  }
  assert.equal((await conn.sobject('Contact').create({ LastName: 'Dup4', Email: email })).success, true);
});

test('duplicate rule (alert): refused with allowSave true, saved with Sforce-Duplicate-Rule-Header allowSave=true', async () => {
  const email = `${uniq('alert')}@x.example`;
  await conn.sobject('Lead').create({ LastName: 'A', Company: 'C', Email: email });
  await sf.control('POST', '/__emu/duplicate-rules', { object: 'Lead', name: 'Lead_Alert', fields: ['Email'], action: 'alert' });
  try {
    const e = await fails(conn.sobject('Lead').create({ LastName: 'B', Company: 'C', Email: email }), 'DUPLICATES_DETECTED');
    assert.equal(e.data.duplicateResult.allowSave, true);
    const ok = await conn.sobject('Lead').create(
      { LastName: 'B', Company: 'C', Email: email },
      { headers: { 'Sforce-Duplicate-Rule-Header': 'allowSave=true' } },
    );
    assert.equal(ok.success, true);
  } finally {
    await sf.control('DELETE', '/__emu/duplicate-rules');
  }
});

test('UNABLE_TO_LOCK_ROW for the next N writes to locked records, then writes go through', async () => {
  const { id } = await conn.sobject('Account').create({ Name: 'Locked' });
  await sf.control('POST', '/__emu/locks', { ids: [id], count: 2 });
  const e = await fails(conn.sobject('Account').update({ Id: id, Website: 'a.example' }), 'UNABLE_TO_LOCK_ROW');
  assert.match(e.message, /^unable to obtain exclusive access to this record/);
  const res = await conn.sobject('Account').update([{ Id: id, Website: 'b.example' }]);
  assert.equal(res[0].errors[0].statusCode, 'UNABLE_TO_LOCK_ROW');
  await conn.sobject('Account').update({ Id: id, Website: 'c.example' });
  assert.equal((await conn.sobject('Account').retrieve(id)).Website, 'c.example');

  await sf.control('POST', '/__emu/locks', { object: 'Contact', count: 1 });
  await fails(conn.sobject('Contact').create({ LastName: 'Blocked' }), 'UNABLE_TO_LOCK_ROW');
  assert.equal((await conn.sobject('Contact').create({ LastName: 'Through' })).success, true);
});

test('INSUFFICIENT_ACCESS_OR_READONLY for read-only fields and objects (control API permissions)', async () => {
  await sf.control('PUT', '/__emu/permissions', { object: 'Lead', read_only_fields: ['Rating'], read_only: false });
  try {
    const e = await sfReject(conn.sobject('Lead').create({ LastName: 'R', Company: 'C', Rating: 'Hot' }), 'INSUFFICIENT_ACCESS_OR_READONLY');
    assert.ok(e.message.length > 0);
    // describe is the user's view: field-level security shows there
    const rating = (await conn.sobject('Lead').describe()).fields.find((f) => f.name === 'Rating');
    assert.equal(rating.createable, false);
    assert.equal(rating.updateable, false);
    assert.equal((await conn.sobject('Lead').create({ LastName: 'R', Company: 'C' })).success, true);
    await sf.control('PUT', '/__emu/permissions', { object: 'Lead', read_only_fields: [], read_only: true });
    await sfReject(conn.sobject('Lead').create({ LastName: 'R', Company: 'C' }), 'INSUFFICIENT_ACCESS_OR_READONLY');
    const q = await conn.query('SELECT COUNT() FROM Lead');
    assert.ok(q.totalSize >= 1, 'reads still allowed');
  } finally {
    await sf.control('PUT', '/__emu/permissions', { object: 'Lead', read_only_fields: [], read_only: false });
  }
  assert.equal((await conn.sobject('Lead').create({ LastName: 'R', Company: 'C', Rating: 'Hot' })).success, true);
  const rating = (await conn.sobject('Lead').describe()).fields.find((f) => f.name === 'Rating');
  assert.equal(rating.updateable, true, 'editable again');
});

test('validation errors in collections use statusCode with the same codes and fields', async () => {
  const res = await conn.sobject('Contact').create([
    { LastName: 'x'.repeat(81) },
    { LastName: 'ok', Email: 'bad' },
    { LastName: 'ok', AccountId: unusedId('001') },
  ]);
  assert.deepEqual(
    res.map((r) => r.errors[0].statusCode),
    ['STRING_TOO_LONG', 'INVALID_EMAIL_ADDRESS', 'INVALID_CROSS_REFERENCE_KEY'],
  );
  assert.deepEqual(res[0].errors[0].fields, ['LastName']);
  assert.ok(res.every((r) => r.success === false && !('errorCode' in r.errors[0])));
});
