// Sync health: `crmsync errors` groups the open errors by category (counts of errors and of
// records, the documented fix, the vendors' raw messages), lists them and exports them as CSV;
// `crmsync resync` queues records for a fresh sync, so a record whose cause was fixed on the
// vendor (nothing changed on its own side) syncs on the next pass and its error is resolved,
// one that still fails keeps its error with the attempts counted, and a record with no change
// at all is planned again from its current values. Salesforce's refusals are grouped for real:
// a duplicate rule (duplicates), a field the integration user may not edit (field_permissions)
// and an owner deactivated while crmsync runs (owner), each alongside records that sync.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { peopleByEmail, sleep, startPair, stopped, until } from './lib/pair.mjs';

// A message with a comma and quotes, so the CSV export has to quote it.
const RULE_MESSAGE = 'Test companies, the "fake" ones, are not leads';

let pair;
before(async () => {
  pair = await startPair();
});
after(async () => {
  await pair.stop();
});
beforeEach(async () => {
  await pair.reset();
});

async function crm(...args) {
  const r = await pair.crmsync(...args);
  assert.equal(r.code, 0, `crmsync ${args.join(' ')} exited ${r.code}:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

const errorsJson = async (...flags) => JSON.parse(await crm('errors', '--json', ...flags));

// RFC 4180: quoted fields may hold commas, CRLF and doubled quotes.
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (c === '"') {
        quoted = false;
        i++;
      } else {
        field += c;
        i++;
      }
    } else if (c === '"') {
      assert.equal(field, '', `a quote inside an unquoted field at ${i}`);
      quoted = true;
      i++;
    } else if (c === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 2;
    } else {
      assert.notEqual(c, '\n', `a bare LF at ${i}`);
      field += c;
      i++;
    }
  }
  assert.equal(quoted, false, 'an unterminated quote');
  assert.equal(field, '', 'the last line ends in CRLF');
  assert.equal(row.length, 0, 'the last line ends in CRLF');
  return rows;
}

// Two HubSpot contacts a Salesforce validation rule refuses, one with an email Salesforce
// refuses, one without email, a Salesforce lead without email, and one that syncs.
async function failingRecords() {
  await pair.sf.emu.control('POST', '/__emu/validation-rules', {
    object: 'Lead',
    name: 'No_Test_Companies',
    condition: "Company = 'Test Co'",
    message: RULE_MESSAGE,
    field: 'Company',
  });
  const id = {};
  id.good = await pair.hs.create('contacts', { email: 'good@example.com', lastname: 'Good', company: 'Real Co' });
  id.rule1 = await pair.hs.create('contacts', { email: 'rule1@example.com', lastname: 'Rule1', company: 'Test Co' });
  id.rule2 = await pair.hs.create('contacts', { email: 'rule2@example.com', lastname: 'Rule2', company: 'Test Co' });
  id.email = await pair.hs.create('contacts', { email: 'bad@exa_mple.com', lastname: 'Bad', company: 'Real Co' });
  id.nomail = await pair.hs.create('contacts', { lastname: 'Nomail', company: 'Real Co' });
  id.sfNomail = await pair.sf.create('Lead', { LastName: 'Nomail', Company: 'Elsewhere' });
  await pair.sync();
  assert.deepEqual((await peopleByEmail(pair)).sf, { 'good@example.com': 1 });
  return id;
}

const errorOf = (list, system, object, id) =>
  list.find((e) => e.record.system === system && e.record.object === object && e.record.id === id);

test('errors groups the open errors by category with counts, fixes and raw messages; the CSV export is well-formed', async () => {
  const id = await failingRecords();
  const x = await errorsJson();
  const s = x.summary;
  assert.equal(s.open_errors, 5);
  assert.equal(s.affected_records, 5);
  const cat = Object.fromEntries(s.categories.map((c) => [c.category, c]));
  assert.deepEqual(Object.keys(cat).sort(), ['custom_code', 'no_email', 'property_value']);
  assert.equal(s.categories[0].category, 'custom_code', 'most errors first');
  assert.equal(cat.custom_code.errors, 2);
  assert.equal(cat.custom_code.records, 2);
  assert.equal(cat.custom_code.card, 'Custom code');
  assert.match(cat.custom_code.fix, /validation rule/);
  assert.equal(cat.custom_code.examples.length, 1, 'the same message is shown once');
  assert.ok(cat.custom_code.examples[0].includes(RULE_MESSAGE), cat.custom_code.examples[0]);
  assert.equal(cat.no_email.errors, 2);
  assert.equal(cat.no_email.card, 'Property value');
  assert.match(cat.no_email.fix, /email/);
  assert.equal(cat.property_value.errors, 1);
  assert.match(cat.property_value.examples[0], /bad@exa_mple\.com/);

  // the list: every open error with its record, the vendor's code and message, and the fix
  assert.equal(x.errors.total, 5);
  assert.equal(x.errors.errors.length, 5);
  assert.equal(x.errors.next_offset, null);
  const r1 = errorOf(x.errors.errors, 'hubspot', 'contacts', id.rule1);
  assert.equal(r1.category, 'custom_code');
  assert.equal(r1.code, 'FIELD_CUSTOM_VALIDATION_EXCEPTION');
  assert.ok(r1.message.includes(RULE_MESSAGE));
  assert.equal(r1.attempts, 1);
  assert.match(r1.link_id, /^L[0-9a-f]{24}$/);
  assert.equal(r1.fix, cat.custom_code.fix);
  const bad = errorOf(x.errors.errors, 'hubspot', 'contacts', id.email);
  assert.equal(bad.code, 'INVALID_EMAIL_ADDRESS');
  assert.ok(errorOf(x.errors.errors, 'salesforce', 'Lead', id.sfNomail), 'the lead without email is listed');
  assert.ok(errorOf(x.errors.errors, 'hubspot', 'contacts', id.nomail));

  // filters and paging
  const only = await errorsJson('--category', 'custom_code');
  assert.equal(only.errors.total, 2);
  assert.ok(only.errors.errors.every((e) => e.category === 'custom_code'));
  const sfOnly = await errorsJson('--system', 'salesforce');
  assert.deepEqual(sfOnly.errors.errors.map((e) => e.record.id), [id.sfNomail]);
  const page1 = await errorsJson('--limit', '2');
  const page2 = await errorsJson('--limit', '2', '--offset', '2');
  const page3 = await errorsJson('--limit', '2', '--offset', '4');
  assert.equal(page1.errors.next_offset, 2);
  assert.equal(page3.errors.next_offset, null);
  const paged = [...page1.errors.errors, ...page2.errors.errors, ...page3.errors.errors].map((e) => e.id);
  assert.deepEqual(paged, x.errors.errors.map((e) => e.id), 'the pages make up the whole list');

  // the text view: one card per category, then the list
  const text = await crm('errors');
  assert.match(text, /sync errors: 5 open on 5 records/);
  assert.match(text, /custom_code \(Custom code\): 2 errors, 2 records/);
  assert.match(text, /no_email \(Property value\): 2 errors, 2 records/);
  assert.match(text, /fix: /);
  assert.match(text, new RegExp(`#${r1.id} +custom_code +hubspot contacts ${id.rule1} \\[FIELD_CUSTOM_VALIDATION_EXCEPTION\\]`));

  // the CSV export: a header row, one row per error, quoting that round-trips the messages
  const csv = await crm('errors', '--csv');
  const rows = parseCsv(csv);
  assert.deepEqual(rows[0], [
    'id', 'category', 'card', 'system', 'object', 'record_id', 'link_id', 'code', 'message',
    'attempts', 'first_seen', 'last_seen', 'fix',
  ]);
  assert.equal(rows.length, 6);
  const byId = new Map(x.errors.errors.map((e) => [String(e.id), e]));
  for (const row of rows.slice(1)) {
    assert.equal(row.length, 13, JSON.stringify(row));
    const e = byId.get(row[0]);
    assert.ok(e, `row ${row[0]} is an open error`);
    assert.equal(row[1], e.category);
    assert.equal(row[3], e.record.system);
    assert.equal(row[5], e.record.id);
    assert.equal(row[7], e.code ?? '');
    assert.equal(row[8], e.message ?? '', 'the message survives the quoting');
    assert.equal(row[9], String(e.attempts));
    assert.equal(Date.parse(row[11]), e.last_seen);
    assert.equal(row[12], e.fix);
  }
  assert.ok(csv.includes(`""fake""`), 'quotes are doubled');
  const csvOnly = parseCsv(await crm('errors', '--csv', '--category', 'no_email'));
  assert.equal(csvOnly.length, 3);
});

test('a cause fixed on the vendor: resync syncs the record on the next pass and resolves its error; the others stay', async () => {
  const id = await failingRecords();
  await pair.sf.emu.control('DELETE', '/__emu/validation-rules');
  // nothing changed on HubSpot: a pass alone does not try the record again
  await pair.sync();
  assert.deepEqual((await peopleByEmail(pair)).sf, { 'good@example.com': 1 });
  const before = await errorsJson();
  const r1 = errorOf(before.errors.errors, 'hubspot', 'contacts', id.rule1);

  const out = await crm('resync', String(r1.id));
  assert.match(out, new RegExp(`queued hubspot contacts ${id.rule1} \\(error ${r1.id}, custom_code\\)`));
  const st = await pair.status();
  assert.equal(st.inbox.waiting, 1, 'the record waits in the inbox');
  await pair.sync();
  const sf = await peopleByEmail(pair);
  assert.deepEqual(sf.sf, { 'good@example.com': 1, 'rule1@example.com': 1 }, 'only the resynced record');
  const lead = (await pair.sf.live('Lead')).find((l) => l.Email === 'rule1@example.com');
  assert.equal(lead.Company, 'Test Co');

  const after1 = await errorsJson();
  assert.equal(after1.summary.open_errors, 4);
  assert.equal(errorOf(after1.errors.errors, 'hubspot', 'contacts', id.rule1), undefined, 'its error is resolved');
  assert.ok(errorOf(after1.errors.errors, 'hubspot', 'contacts', id.rule2), 'the record not resynced keeps its error');
  const x = await pair.explain('hubspot', 'contacts', id.rule1, '--json');
  assert.equal(x.link.state, 'LINKED');
  assert.deepEqual(x.errors, []);
  const resynced = x.decisions.find((d) => /resync: planned from the record as read from the vendor/.test(d.trace));
  assert.ok(resynced, JSON.stringify(x.decisions));
  assert.match(resynced.trace, /link \S+ is FAILED; the create is planned again/);

  // the rest by error id in one call, an unknown id reported
  const r2 = errorOf(after1.errors.errors, 'hubspot', 'contacts', id.rule2);
  const mixed = await pair.crmsync('resync', String(r2.id), '999999', '--json');
  assert.equal(mixed.code, 1, 'an unknown error id fails the command');
  const res = JSON.parse(mixed.stdout);
  assert.equal(res.queued, 1);
  assert.deepEqual(res.results.map((r) => r.status), ['queued', 'not_found']);
  assert.deepEqual(res.results[0].record, { system: 'hubspot', object: 'contacts', id: id.rule2 });
  await pair.sync();
  assert.equal((await peopleByEmail(pair)).sf['rule2@example.com'], 1);
  assert.deepEqual(Object.keys((await pair.status()).errors).sort(), ['no_email', 'property_value']);

  // a resolved error is not queued again
  const again = JSON.parse(await crm('resync', String(r1.id), '--json'));
  assert.deepEqual(again.results.map((r) => r.status), ['resolved']);
  assert.equal(again.queued, 0);
});

test('a resynced record that fails again keeps its error, with the attempt counted', async () => {
  const id = await failingRecords();
  const r1 = errorOf((await errorsJson()).errors.errors, 'hubspot', 'contacts', id.rule1);
  await crm('resync', String(r1.id));
  await pair.sync();
  const e = errorOf((await errorsJson()).errors.errors, 'hubspot', 'contacts', id.rule1);
  assert.equal(e.id, r1.id, 'the same error');
  assert.equal(e.attempts, 2);
  assert.ok(e.last_seen >= r1.last_seen);
  assert.ok(e.message.includes(RULE_MESSAGE));
  assert.deepEqual((await peopleByEmail(pair)).sf, { 'good@example.com': 1 });
  // a planner error resynced without a fix: still no email, attempts counted
  const n1 = errorOf((await errorsJson()).errors.errors, 'hubspot', 'contacts', id.nomail);
  await crm('resync', 'hubspot', 'contacts', id.nomail);
  await pair.sync();
  const n2 = errorOf((await errorsJson()).errors.errors, 'hubspot', 'contacts', id.nomail);
  assert.equal(n2.id, n1.id);
  assert.equal(n2.attempts, n1.attempts + 1);
});

test('a resync of a record with no change plans it again from its current values: explain shows it, nothing is written', async () => {
  const hsId = await pair.hs.create('contacts', { email: 'calm@example.com', lastname: 'Calm', company: 'Still Co' });
  await pair.sync();
  const [lead] = await pair.sf.live('Lead');
  const before = await pair.explain('hubspot', 'contacts', hsId, '--json', '--all');
  await pair.sync();
  const idle = await pair.explain('hubspot', 'contacts', hsId, '--json', '--all');
  assert.equal(idle.decisions.length, before.decisions.length, 'a pass alone plans nothing');

  const writes = await pair.writes();
  const out = await crm('resync', 'hubspot', 'contacts', hsId);
  assert.match(out, new RegExp(`queued hubspot contacts ${hsId}: planned again on the next pass`));
  await pair.sync();
  const x = await pair.explain('hubspot', 'contacts', hsId, '--json', '--all');
  assert.equal(x.decisions.length, before.decisions.length + 1, 'one more decision');
  assert.match(x.decisions[0].trace, /resync: planned from the record as read from the vendor just now/);
  assert.deepEqual(await pair.writes(), writes, 'values both sides agree on are not written');

  // the Salesforce side, named by its 15-character id; the card-style JSON answer
  const res = JSON.parse(await crm('resync', 'salesforce', 'lead', lead.Id.slice(0, 15), '--json'));
  assert.equal(res.queued, 1);
  assert.deepEqual(res.results[0].record, { system: 'salesforce', object: 'Lead', id: lead.Id });
  assert.equal(res.results[0].status, 'queued');
  await pair.sync();
  const y = await pair.explain('salesforce', 'Lead', lead.Id, '--json');
  assert.match(y.decisions[0].trace, /resync: planned from the record as read from the vendor just now/);
  assert.deepEqual(await pair.writes(), writes);

  // bad usage
  const badObject = await pair.crmsync('resync', 'hubspot', 'widgets', '1');
  assert.equal(badObject.code, 2);
  assert.match(badObject.stderr, /crmsync does not sync hubspot widgets/);
  const badId = await pair.crmsync('resync', 'twelve');
  assert.equal(badId.code, 2);
});

test('a resync while `crmsync run` syncs the same store is picked up by the running engine', async () => {
  const id = await failingRecords();
  const run = pair.spawn('run');
  try {
    await pair.sf.emu.control('DELETE', '/__emu/validation-rules');
    const r1 = errorOf((await errorsJson()).errors.errors, 'hubspot', 'contacts', id.rule1);
    await crm('resync', String(r1.id));
    const deadline = Date.now() + 20000;
    let synced = false;
    while (!synced && Date.now() < deadline) {
      await sleep(250);
      synced = (await peopleByEmail(pair)).sf['rule1@example.com'] === 1;
    }
    assert.ok(synced, 'the running engine synced the resynced record');
    let open = true;
    while (open && Date.now() < deadline) {
      open = !!errorOf((await errorsJson()).errors.errors, 'hubspot', 'contacts', id.rule1);
      if (open) await sleep(250);
    }
    assert.equal(open, false, 'and resolved its error');
  } finally {
    run.child.kill('SIGTERM');
  }
  const r = await run.done;
  assert.equal(r.code, 0, r.stderr);
});

// ---- the vendor-refusal categories: duplicates, field permissions, owner ----
// Each is made to happen for real on the emulators, in a pass that also syncs other records;
// the error is shown under its category (CLI and admin API card) with Salesforce's own code and
// message; once the cause is gone on Salesforce, a resync of the error syncs the record.

const ADMIN_TOKEN = 'health-admin-token';
const ADMIN_YAML = `admin:\n  listen: 127.0.0.1:0\n  token: ${ADMIN_TOKEN}\n`;

// The category as every view shows it: the summary card and the list (`crmsync errors --json`),
// the text view, and GET /api/v1/health and /api/v1/errors of a running engine (run, or a short
// `crmsync run` started for the look when none is given). Answers the error.
async function assertCategoryShown(category, card, record, { code, message }, run = null) {
  const x = await errorsJson();
  const c = x.summary.categories.find((k) => k.category === category);
  assert.ok(c, `no ${category} card: ${JSON.stringify(x.summary.categories)}`);
  assert.equal(c.errors, 1, `${category}: one error: ${JSON.stringify(x.errors.errors, null, 1)}`);
  assert.equal(c.records, 1, `${category}: one record`);
  assert.equal(c.card, card);
  assert.match(c.fix, /then resync/);
  assert.equal(c.examples.length, 1);
  assert.ok(c.examples[0].includes(message), `${c.examples[0]} has Salesforce's message ${message}`);
  const e = errorOf(x.errors.errors, record.system, record.object, record.id);
  assert.ok(e, `an error on ${JSON.stringify(record)}: ${JSON.stringify(x.errors.errors)}`);
  assert.equal(e.category, category);
  assert.equal(e.code, code);
  assert.ok(e.message.includes(message), e.message);
  assert.equal(e.fix, c.fix);
  const text = await crm('errors', '--category', category);
  assert.match(text, new RegExp(`${category} \\(${card}\\): 1 error, 1 record`));
  assert.match(text, new RegExp(`#${e.id} +${category} +${record.system} ${record.object} ${record.id}${code ? ` \\[${code}\\]` : ' '}`));

  const own = run ? null : await pair.runAdmin(ADMIN_TOKEN);
  const api = run || own;
  try {
    const h = await api.api('GET', '/api/v1/health');
    assert.equal(h.status, 200, JSON.stringify(h.body));
    const hc = h.body.categories.find((k) => k.category === category);
    assert.ok(hc, `the health API has a ${category} card: ${JSON.stringify(h.body)}`);
    assert.equal(hc.card, card);
    assert.equal(hc.errors, 1);
    assert.equal(hc.records, 1);
    assert.equal(hc.fix, c.fix);
    assert.ok(hc.examples.some((m) => m.includes(message)), JSON.stringify(hc.examples));
    const l = await api.api('GET', `/api/v1/errors?category=${category}`);
    assert.equal(l.status, 200);
    assert.deepEqual(l.body.errors.map((r) => [r.id, r.code, r.record.id]), [[e.id, code, record.id]]);
  } finally {
    if (own) await stopped(own);
  }
  return e;
}

test('a Salesforce duplicate rule blocks one new lead: duplicates card with Salesforce\'s message, the others sync, a resync after the fix creates it', async () => {
  await pair.reset(ADMIN_YAML, { logLevel: 'info' });
  // a lead already in Salesforce (it syncs to HubSpot), then a blocking rule on name + company
  const firstId = await pair.sf.create('Lead', { LastName: 'Twin', Company: 'Mirror Co', Email: 'first@example.com' });
  await pair.sync();
  await pair.sf.emu.control('POST', '/__emu/duplicate-rules', {
    object: 'Lead',
    name: 'Same_Name_Same_Company',
    fields: ['LastName', 'Company'],
    action: 'block',
  });
  const dupId = await pair.hs.create('contacts', { email: 'second@example.com', lastname: 'Twin', company: 'Mirror Co', jobtitle: 'Buyer' });
  await pair.hs.create('contacts', { email: 'other1@example.com', lastname: 'Other1', company: 'Mirror Co' });
  await pair.hs.create('contacts', { email: 'other2@example.com', lastname: 'Twin', company: 'Glass Co' });
  await pair.sync();
  assert.deepEqual((await peopleByEmail(pair)).sf, {
    'first@example.com': 1,
    'other1@example.com': 1,
    'other2@example.com': 1,
  }, 'the rest of the batch synced; the duplicate did not');

  const e = await assertCategoryShown('duplicates', 'Duplicates', { system: 'hubspot', object: 'contacts', id: dupId }, {
    code: 'DUPLICATES_DETECTED',
    message: 'Use one of these records?',
  });
  assert.equal((await errorsJson()).summary.open_errors, 1, 'no other error');

  // the fix on Salesforce: the other lead moves to another company; nothing changed in HubSpot
  await pair.sf.update('Lead', firstId, { Company: 'Mirror Holdings' });
  await pair.sync();
  assert.equal((await peopleByEmail(pair)).sf['second@example.com'], undefined, 'a pass alone does not retry it');
  const out = await crm('resync', String(e.id));
  assert.match(out, new RegExp(`queued hubspot contacts ${dupId} \\(error ${e.id}, duplicates\\)`));
  await pair.sync();
  const lead = (await pair.sf.live('Lead')).find((l) => l.Email === 'second@example.com');
  assert.ok(lead, 'the resync created the lead');
  assert.equal(lead.LastName, 'Twin');
  assert.equal(lead.Company, 'Mirror Co');
  assert.equal(lead.Title, 'Buyer', 'with all its values');
  const after = await errorsJson();
  assert.equal(after.summary.open_errors, 0, JSON.stringify(after.errors.errors));
  assert.equal((await pair.explain('hubspot', 'contacts', dupId, '--json')).link.state, 'LINKED');
});

test('a field the integration user may not edit, as describe says: the record syncs without it, a field_permissions card names the field, and access given then a resync writes it', async () => {
  await pair.reset(ADMIN_YAML, { logLevel: 'info' });
  // field-level security: Title is read-only for the integration user; Salesforce's describe
  // (the user's view) says so, so crmsync does not send it
  await pair.sf.emu.control('PUT', '/__emu/permissions', { object: 'Lead', read_only_fields: ['Title'] });
  const titledId = await pair.hs.create('contacts', { email: 'cto@example.com', lastname: 'Chief', company: 'Tech Co', jobtitle: 'CTO', phone: '+1 415 555 0100' });
  await pair.hs.create('contacts', { email: 'plain1@example.com', lastname: 'Plain1', company: 'Tech Co' });
  await pair.sync();
  assert.deepEqual((await peopleByEmail(pair)).sf, { 'cto@example.com': 1, 'plain1@example.com': 1 },
    'every record synced');
  let lead = (await pair.sf.live('Lead')).find((l) => l.Email === 'cto@example.com');
  assert.equal(lead.Title, null, 'without the field it may not set');
  assert.equal(lead.Company, 'Tech Co');
  assert.equal(lead.Phone, '+1 415 555 0100');

  const e = await assertCategoryShown('field_permissions', 'Field permissions',
    { system: 'hubspot', object: 'contacts', id: titledId },
    { code: null, message: "Salesforce's describe says the integration user may not edit Lead.Title (field-level security): the rest of the record synced without it" });
  assert.equal((await errorsJson()).summary.open_errors, 1, 'no other error');
  const x = await pair.explain('hubspot', 'contacts', titledId, '--json');
  assert.match(x.decisions.map((d) => d.trace).join('\n'), /field jobtitle: Salesforce Lead Title is read-only for the integration user \(field-level security\); it is not synced/);
  // the lead's own echo is planned again: the error stays open (the write of the rest does not
  // resolve it), and it is one error
  await pair.sync();
  assert.equal((await errorsJson()).summary.open_errors, 1);

  // a running engine: another edit of the title meets the same describe
  const attempts = async () => errorOf((await errorsJson()).errors.errors, 'hubspot', 'contacts', titledId)?.attempts;
  const seen = await attempts();
  const run = await pair.runAdmin(ADMIN_TOKEN);
  try {
    await pair.hs.update('contacts', titledId, { jobtitle: 'Chief Technology Officer' });
    assert.ok(await until(async () => (await attempts()) > seen, 20000), 'the same error, seen again');
    // the fix on Salesforce: edit access to the field; a resync describes Lead again at once
    // and writes it
    await pair.sf.emu.control('PUT', '/__emu/permissions', { object: 'Lead', read_only_fields: [] });
    await crm('resync', String(e.id));
    assert.ok(await until(async () => (await pair.sf.live('Lead')).find((l) => l.Email === 'cto@example.com').Title === 'Chief Technology Officer', 20000),
      'the field is written now');
    assert.ok(await until(async () => (await errorsJson()).summary.open_errors === 0, 20000), 'the error is resolved');
  } finally {
    await stopped(run);
  }
});

test('a field made read-only while crmsync runs: Salesforce refuses the write, a field_permissions card with its message, the others sync; access given, the running engine writes it on resync', async () => {
  await pair.reset(ADMIN_YAML, { logLevel: 'info' });
  const aId = await pair.hs.create('contacts', { email: 'fls-a@example.com', lastname: 'A', company: 'Lock Co' });
  const leadOf = async (email) => (await pair.sf.live('Lead')).find((l) => l.Email === email);
  const run = await pair.runAdmin(ADMIN_TOKEN);
  try {
    assert.ok(await until(() => leadOf('fls-a@example.com'), 20000), 'the running engine synced the contact');
    // the engine described Lead when Title was writable; now an admin makes it read-only
    await pair.sf.emu.control('PUT', '/__emu/permissions', { object: 'Lead', read_only_fields: ['Title'] });
    await pair.hs.update('contacts', aId, { jobtitle: 'CTO', phone: '+1 415 555 0188' });
    const bId = await pair.hs.create('contacts', { email: 'fls-b@example.com', lastname: 'B', company: 'Lock Co' });
    const failed = async () => errorOf((await errorsJson()).errors.errors, 'hubspot', 'contacts', aId);
    assert.ok(await until(failed, 20000), 'the write with the title was refused');
    assert.ok(await until(() => leadOf('fls-b@example.com'), 20000), 'the rest synced');
    assert.equal((await leadOf('fls-a@example.com')).Title, null);
    const e = await assertCategoryShown('field_permissions', 'Field permissions',
      { system: 'hubspot', object: 'contacts', id: aId },
      { code: 'INSUFFICIENT_ACCESS_OR_READONLY', message: 'Unable to create/update fields: Title.' }, run);
    assert.match(e.message, /check the security settings of this field/);
    assert.equal(errorOf((await errorsJson()).errors.errors, 'hubspot', 'contacts', bId), undefined,
      'the contact without a title has no error');

    await pair.sf.emu.control('PUT', '/__emu/permissions', { object: 'Lead', read_only_fields: [] });
    await crm('resync', String(e.id));
    assert.ok(await until(async () => (await leadOf('fls-a@example.com')).Title === 'CTO', 20000), 'the resync wrote the title');
    assert.ok(await until(async () => !(await failed()), 20000), 'and resolved the error');
  } finally {
    await stopped(run);
  }
});

// crmsync keeps its owner directory for a minute (docs/PLANNER.md, "Owners"); a Salesforce user
// deactivated within that minute is still sent as an owner, and Salesforce refuses the write.
test('an owner deactivated in Salesforce while crmsync runs: owner card with Salesforce\'s message, the others sync, a resync after reactivation moves the lead', async () => {
  await pair.reset(ADMIN_YAML, { logLevel: 'info' });
  const users = await pair.sf.all('User');
  const userOf = (email) => users.find((u) => u.Email === email);
  const priya = userOf('priya.patel@crmsync.test');
  const sam = userOf('sam.seller@crmsync.test');
  const owner = async (email, firstName, lastName) =>
    String((await pair.hs.emu.control('POST', '/__emu/owners', { email, firstName, lastName })).id);
  const priyaHs = await owner('priya.patel@crmsync.test', 'Priya', 'Patel');
  const samHs = await owner('sam.seller@crmsync.test', 'Sam', 'Seller');
  const aId = await pair.hs.create('contacts', { email: 'owned-a@example.com', lastname: 'A', company: 'Own Co', hubspot_owner_id: samHs });
  const bId = await pair.hs.create('contacts', { email: 'owned-b@example.com', lastname: 'B', company: 'Own Co', hubspot_owner_id: samHs });
  const leadOf = async (email) => (await pair.sf.live('Lead')).find((l) => l.Email === email);

  const run = await pair.runAdmin(ADMIN_TOKEN);
  try {
    assert.ok(await until(async () => (await leadOf('owned-a@example.com')) && (await leadOf('owned-b@example.com')), 20000),
      'the running engine synced both contacts');
    const leadA = await leadOf('owned-a@example.com');
    assert.equal(leadA.OwnerId, sam.Id);
    // the engine has read its own create back from Salesforce (an echo), so the owner change
    // below is planned from HubSpot's side alone
    assert.ok(await until(async () => (await pair.explain('salesforce', 'Lead', leadA.Id, '--json')).decisions.length > 0, 20000),
      'the echo of the create was planned');

    // a Salesforce admin deactivates Priya; in HubSpot A moves to Priya, B gets a title, C is new
    await pair.sf.update('User', priya.Id, { IsActive: false });
    await pair.hs.update('contacts', aId, { hubspot_owner_id: priyaHs });
    await pair.hs.update('contacts', bId, { jobtitle: 'Buyer' });
    await pair.hs.create('contacts', { email: 'owned-c@example.com', lastname: 'C', company: 'Own Co', hubspot_owner_id: samHs });
    const failed = async () => errorOf((await errorsJson()).errors.errors, 'hubspot', 'contacts', aId);
    assert.ok(await until(failed, 20000), 'the owner change failed');
    assert.ok(await until(async () => (await leadOf('owned-b@example.com')).Title === 'Buyer' && (await leadOf('owned-c@example.com')), 20000),
      'the rest synced');
    assert.equal((await leadOf('owned-a@example.com')).OwnerId, sam.Id, 'Salesforce kept its owner');

    const e = await assertCategoryShown('owner', 'Owner', { system: 'hubspot', object: 'contacts', id: aId }, {
      code: 'INACTIVE_OWNER_OR_USER',
      message: `operation performed with inactive user [${priya.Id}] as owner of Lead`,
    }, run);
    assert.equal((await errorsJson()).summary.open_errors, 1, 'no other error');

    // the fix: Priya is active again; the resync is picked up by the running engine
    await pair.sf.update('User', priya.Id, { IsActive: true });
    await crm('resync', String(e.id));
    assert.ok(await until(async () => (await leadOf('owned-a@example.com')).OwnerId === priya.Id, 20000),
      'the resync moved the lead to Priya');
    assert.ok(await until(async () => !(await failed()), 20000), 'and resolved the error');
    assert.equal((await pair.hs.get('contacts', aId)).properties.hubspot_owner_id, priyaHs, "HubSpot's owner stays Priya");
    const h = await run.api('GET', '/api/v1/health');
    assert.equal(h.body.open_errors, 0, JSON.stringify(h.body));
  } finally {
    await stopped(run);
  }
});

test('a refused write planned from both sides in one pass is one error, on the HubSpot record, and the write that lands resolves it', async () => {
  await pair.reset();
  const id = await pair.hs.create('contacts', { email: 'both@example.com', lastname: 'Both', company: 'Two Sides' });
  await pair.sync();
  const lead = (await pair.sf.live('Lead')).find((l) => l.Email === 'both@example.com');
  assert.ok(lead);
  // Title becomes read-only; HubSpot's job title and a Salesforce edit of the lead come in
  // together, so the contact's plan and the lead's both carry the title to Salesforce
  await pair.sf.emu.control('PUT', '/__emu/permissions', { object: 'Lead', read_only_fields: ['Title'] });
  await pair.hs.update('contacts', id, { jobtitle: 'CTO' });
  await pair.sf.update('Lead', lead.Id, { Phone: '+1 415 555 0199' });
  await pair.sync();
  const x = await errorsJson();
  assert.deepEqual(
    x.errors.errors.map((e) => [e.record.system, e.record.object, e.record.id, e.category]),
    [['hubspot', 'contacts', id, 'field_permissions']],
    'one error, on the contact whose title does not reach Salesforce',
  );
  assert.equal((await pair.hs.get('contacts', id)).properties.phone, '+1 415 555 0199', 'the rest of the change synced');

  await pair.sf.emu.control('PUT', '/__emu/permissions', { object: 'Lead', read_only_fields: [] });
  await crm('resync', String(x.errors.errors[0].id));
  await pair.sync();
  assert.equal((await pair.sf.live('Lead')).find((l) => l.Id === lead.Id).Title, 'CTO');
  assert.deepEqual((await pair.status()).errors, {}, 'resolved, with nothing left on the lead');
});
