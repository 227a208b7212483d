// The admin API that `crmsync run` serves, and the settings at run time: the token is required,
// bad requests get a 400 naming the problem, a setting changed through the API or
// `crmsync settings` takes effect at the next pass without a restart, the master switch stops
// syncing while changes keep queueing, and /metrics speaks the Prometheus text format.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { makePeople, peopleIndex, sleep, startPair, stopped, until } from './lib/pair.mjs';

const TOKEN = 'admin-secret-for-tests';
const YAML = `admin:\n  listen: 127.0.0.1:0\n  token: ${TOKEN}\n`;

let pair;
before(async () => {
  pair = await startPair();
});
after(async () => {
  await pair.stop();
});

test('every route needs the admin token; the status names the version and the schema', async () => {
  await pair.reset(YAML, { logLevel: 'info' });
  const run = await pair.runAdmin(TOKEN);
  try {
    for (const t of [null, 'wrong-token']) {
      const r = await run.api('GET', '/api/v1/status', { token: t });
      assert.equal(r.status, 401);
      assert.equal(r.body.error.code, 'unauthorized');
      assert.match(r.body.error.message, /admin token/);
      assert.equal(r.headers.get('www-authenticate'), 'Bearer');
    }
    assert.equal((await run.api('GET', '/metrics', { token: null })).status, 401);
    const s = await run.api('GET', '/api/v1/status');
    assert.equal(s.status, 200);
    assert.match(s.body.version, /^\d+\.\d+\.\d+$/);
    assert.equal(s.body.store.backend, 'sqlite');
    assert.equal(s.body.store.schema_version, s.body.store.schema_latest);
    assert.equal(s.body.sync, true);
    for (const k of ['links', 'inbox', 'outbox', 'errors', 'api_usage', 'budget'])
      assert.ok(k in s.body, `the status has ${k}`);
    assert.equal(s.body.budget.suspended, null);
  } finally {
    await stopped(run);
  }
});

test('bad requests get a 400 naming what was wrong, and change nothing', async () => {
  await pair.reset(YAML, { logLevel: 'info' });
  const run = await pair.runAdmin(TOKEN);
  try {
    let r = await run.api('PUT', '/api/v1/settings/deal_sync', { body: { value: 'maybe' } });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.code, 'bad_request');
    assert.match(r.body.error.message, /deal_sync: 'maybe' is not a boolean/);
    r = await run.api('PUT', '/api/v1/settings/retry_interval', { body: { value: '3s' } });
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, /retry_interval/);
    r = await run.api('PUT', '/api/v1/settings/deal_sync', { body: { enabled: false } });
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, /\{"value": \.\.\.\}/);
    r = await run.api('PUT', '/api/v1/settings/deal_sync', { body: '{"value": fals', raw: true });
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, /not JSON/);
    r = await run.api('PUT', '/api/v1/settings/no_such_thing', { body: { value: true } });
    assert.equal(r.status, 404);
    assert.match(r.body.error.message, /unknown setting 'no_such_thing'/);
    // several at once: all or nothing, every problem named
    r = await run.api('PATCH', '/api/v1/settings', {
      body: { company_sync: false, new_record_type: 'account', retry_max_attempts: 0 },
    });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.problems.length, 2);
    assert.match(r.body.error.problems.join('\n'), /new_record_type/);
    assert.match(r.body.error.problems.join('\n'), /retry_max_attempts/);
    r = await run.api('GET', '/api/v1/settings/company_sync');
    assert.equal(r.body.value, true, 'nothing was changed');
    assert.equal(r.body.source, 'default');
    r = await run.api('POST', '/api/v1/suspensions/clear', { body: { kind: 'bogus' } });
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, /kind must be one of allocation, api_limit/);
    r = await run.api('POST', '/api/v1/suspensions/clear', { body: {} });
    assert.deepEqual([r.status, r.body], [200, { cleared: 0 }]);
    r = await run.api('GET', '/api/v1/budget');
    assert.equal(r.status, 200);
    assert.equal(typeof r.body.used_24h, 'number');
    r = await run.api('GET', '/api/v1/nothing-here');
    assert.equal(r.status, 404);
    assert.equal(r.body.error.code, 'not_found');
    r = await run.api('POST', '/api/v1/settings');
    assert.equal(r.status, 405);
    assert.equal(r.body.error.code, 'method_not_allowed');
  } finally {
    await stopped(run);
  }
});

test('the master switch stops syncing while changes keep queueing, and on again they sync', async () => {
  await pair.reset(YAML, { logLevel: 'info' });
  const [p] = await makePeople(pair, { prefix: 'sw', hs: 1 });
  await pair.sync();
  const run = await pair.runAdmin(TOKEN);
  try {
    let r = await run.api('PUT', '/api/v1/settings/sync', { body: { value: false } });
    assert.equal(r.status, 200);
    assert.deepEqual([r.body.value, r.body.source], [false, 'override']);
    assert.ok(await until(async () => /sync is now false/.test(run.stderr()), 20000), 'the switch took');
    const lead = (await peopleIndex(pair)).sf.get(p.email)[0];
    await pair.sf.update('Lead', lead.Id, { LastName: 'Switched' });
    const [q] = await makePeople(pair, { prefix: 'sw', hs: 1, from: 1 });
    const queued = async () => (await pair.status()).inbox.waiting >= 2;
    assert.ok(await until(queued, 20000), 'the changes wait in the inbox');
    await sleep(2000); // a few more passes
    const hsLast = async () => (await pair.hs.get('contacts', p.id)).properties.lastname;
    assert.notEqual(await hsLast(), 'Switched', 'no write while sync is off');
    assert.equal((await peopleIndex(pair)).sf.get(q.email), undefined, 'no create while sync is off');
    r = await run.api('PUT', '/api/v1/settings/sync', { body: { value: true } });
    assert.equal(r.status, 200);
    assert.ok(
      await until(
        async () => (await hsLast()) === 'Switched' && (await peopleIndex(pair)).sf.get(q.email),
        20000,
      ),
      `both changes synced once the switch was on, without a restart:\n${run.stderr().slice(-3000)}`,
    );
  } finally {
    await stopped(run);
  }
});

test('`crmsync settings` sets, shows and resets a setting the running engine follows', async () => {
  await pair.reset(`${YAML}settings:\n  company_sync: true\n`, { logLevel: 'info' });
  const run = await pair.runAdmin(TOKEN);
  try {
    let r = await pair.crmsync('settings', 'set', 'company_sync', 'false');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /company_sync\s+false\s+\(override\)/);
    assert.ok(await until(async () => /company_sync is now false/.test(run.stderr()), 20000));
    await pair.sf.create('Account', { Name: 'Off Co' });
    const company = async () =>
      (await pair.hs.all('companies')).find((c) => c.properties.name === 'Off Co');
    await sleep(3000); // several passes
    assert.equal(await company(), undefined, 'no account syncs while company sync is off');
    r = await pair.crmsync('settings', 'set', 'company_sync', 'perhaps');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /company_sync: 'perhaps' is not a boolean/);
    r = await pair.crmsync('settings', 'reset', 'company_sync');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /company_sync\s+true\s+\(file\)/);
    assert.ok(await until(company, 20000), 'the account syncs once company sync is on again');
    const all = JSON.parse((await pair.crmsync('settings', '--json')).stdout);
    assert.ok(all.some((s) => s.name === 'sync' && s.value === true && s.source === 'default'));
  } finally {
    await stopped(run);
  }
});

test('settings export and import: config as code with a diff of what would change', async () => {
  await pair.reset(YAML);
  let r = await pair.crmsync('settings', 'set', 'new_record_type', 'contact');
  assert.equal(r.code, 0, r.stderr);
  r = await pair.crmsync('settings', 'export');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /new_record_type: contact/);
  assert.match(r.stdout, /password: <redacted>/);
  let file = path.join(pair.dir, 'import.yaml');
  fs.writeFileSync(file, 'settings:\n  new_record_type: lead\n  deal_sync: false\n  contact_sync: true\n');
  r = await pair.crmsync('settings', 'import', file, '--dry-run');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /importing would change/);
  assert.match(r.stdout, /new_record_type\s+contact -> lead/);
  assert.match(r.stdout, /deal_sync\s+true -> false/);
  assert.doesNotMatch(r.stdout, /contact_sync/, 'unchanged settings are not listed');
  r = await pair.crmsync('settings', 'get', 'deal_sync');
  assert.match(r.stdout, /deal_sync\s+true/, 'a dry run changes nothing');
  r = await pair.crmsync('settings', 'import', file);
  assert.equal(r.code, 0, r.stderr);
  r = await pair.crmsync('settings', 'get', 'deal_sync');
  assert.match(r.stdout, /deal_sync\s+false\s+\(override\)/);
  // deal_stages: exported as crmsync.yaml gives them; they are read from crmsync.yaml only, so
  // an import whose deal_stages differ says so and applies the rest
  const stages = 'deal_stages:\n- pipeline: default\n  stages:\n    closedwon: Closed Won\n';
  await pair.reset(`${YAML}${stages}`);
  file = path.join(pair.dir, 'import.yaml');
  r = await pair.crmsync('settings', 'export');
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.includes(stages), r.stdout);
  fs.writeFileSync(file, `settings:\n  deal_sync: false\n${stages}`);
  r = await pair.crmsync('settings', 'import', file, '--dry-run');
  assert.doesNotMatch(r.stdout, /deal_stages/, 'the same deal_stages: nothing to say');
  fs.writeFileSync(file, `settings:\n  deal_sync: false\n${stages.replace('Closed Won', 'Won')}`);
  r = await pair.crmsync('settings', 'import', file);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /deal_stages: not imported: the engine reads them from crmsync\.yaml, whose deal_stages differ from this file's; copy them there/);
  assert.match((await pair.crmsync('settings', 'get', 'deal_sync')).stdout, /deal_sync\s+false\s+\(override\)/, 'the rest is imported');
  fs.writeFileSync(file, 'settings:\n  deal_sync: sometimes\n  colour: blue\n');
  r = await pair.crmsync('settings', 'import', file);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /import\.yaml:2: settings\.deal_sync: 'sometimes' is not a boolean/);
  assert.match(r.stderr, /import\.yaml:3: settings\.colour: unknown setting/);
  assert.match(r.stderr, /nothing was changed/);
});

test('/metrics gives the store figures and the engine counters in the Prometheus format', async () => {
  await pair.reset(YAML, { logLevel: 'info' });
  await makePeople(pair, { prefix: 'mt', hs: 2, sf: 2 });
  const run = await pair.runAdmin(TOKEN);
  try {
    assert.ok(await until(async () => (await pair.status()).links.contact?.LINKED === 4, 20000));
    const r = await run.api('GET', '/metrics');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
    assert.match(r.body, /# TYPE crmsync_links gauge\ncrmsync_links\{kind="contact",state="LINKED"\} 4\n/);
    assert.match(r.body, /crmsync_outbox_waiting\{state="waiting"\} 0/);
    assert.match(r.body, /# TYPE crmsync_writes_total counter/);
    assert.match(r.body, /crmsync_writes_total\{vendor="salesforce",result="ok"\} [1-9]/);
    // crmsync's own calls by vendor and result, and their latency
    assert.match(r.body, /# TYPE crmsync_api_calls_total counter/);
    assert.match(r.body, /crmsync_api_calls_total\{vendor="hubspot",result="ok"\} [1-9]/);
    assert.match(r.body, /crmsync_api_calls_total\{vendor="salesforce",result="ok"\} [1-9]/);
    assert.match(r.body, /# TYPE crmsync_api_request_seconds histogram/);
    assert.match(r.body, /crmsync_api_request_seconds_count\{vendor="salesforce"\} [1-9]/);
    assert.match(r.body, /crmsync_api_request_seconds_bucket\{vendor="hubspot",le="\+Inf"\} [1-9]/);
    // the Salesforce budget, the suspensions (none), open errors
    const used = Number(/crmsync_budget_used_24h\{vendor="salesforce"\} (\d+)/.exec(r.body)?.[1]);
    assert.ok(used > 0, 'the budget counts the calls');
    assert.match(r.body, /crmsync_budget_allocation\{vendor="salesforce"\} \d+/);
    assert.match(r.body, /crmsync_budget_retries_suppressed\{vendor="salesforce"\} 0/);
    assert.match(r.body, /# TYPE crmsync_suspended gauge\n(?!crmsync_suspended\{)/);
    assert.match(r.body, /# TYPE crmsync_errors_open gauge/);
    assert.match(r.body, /# TYPE crmsync_pass_seconds histogram/);
    assert.match(r.body, /crmsync_change_to_plan_seconds_count\{system="hubspot"\} [1-9]/);
    assert.match(r.body, /crmsync_change_to_plan_seconds_count\{system="salesforce"\} [1-9]/);
    assert.match(r.body, /crmsync_pass_seconds_bucket\{le="\+Inf"\} [1-9]/);
  } finally {
    await stopped(run);
  }
});

test('sync health over the API: error cards, the errors and their CSV, a record card, resync', async () => {
  await pair.reset(YAML, { logLevel: 'info' });
  const noEmail = await pair.hs.create('contacts', { lastname: 'Nomail', company: 'X' });
  await pair.sync();
  const run = await pair.runAdmin(TOKEN);
  try {
    let r = await run.api('GET', '/api/v1/health');
    assert.equal(r.status, 200);
    const card = r.body.categories.find((c) => c.category === 'no_email');
    assert.deepEqual([card.errors, card.records], [1, 1]);
    assert.match(card.fix, /email/);
    r = await run.api('GET', '/api/v1/errors?category=no_email');
    assert.equal(r.status, 200);
    assert.equal(r.body.total, 1);
    const [e] = r.body.errors;
    assert.deepEqual(e.record, { system: 'hubspot', object: 'contacts', id: noEmail });
    assert.match(e.message, /no email address/);
    r = await run.api('GET', '/api/v1/errors.csv');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/csv/);
    assert.match(r.headers.get('content-disposition'), /crmsync-errors\.csv/);
    assert.match(r.body.split('\r\n')[0], /^id,/);
    assert.equal(r.body.trim().split('\r\n').length, 2, 'a header and one error');
    r = await run.api('GET', `/api/v1/records/hubspot/contacts/${noEmail}`);
    assert.equal(r.status, 200);
    assert.equal(r.body.error.category, 'no_email');
    assert.ok(r.body.decisions.length >= 1);
    // fixed in HubSpot, then resynced through the API: it syncs, and the error is resolved
    await pair.hs.update('contacts', noEmail, { email: 'found@example.com' });
    r = await run.api('POST', '/api/v1/resync', { body: { error_ids: [e.id] } });
    assert.equal(r.status, 200);
    assert.ok(
      await until(async () => (await peopleIndex(pair)).sf.get('found@example.com'), 20000),
      'the record synced',
    );
    assert.ok(
      await until(async () => (await run.api('GET', '/api/v1/errors')).body.total === 0, 20000),
      'its error was resolved',
    );
    // bad requests
    r = await run.api('GET', '/api/v1/errors?category=weather');
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, /unknown error category 'weather'/);
    r = await run.api('GET', '/api/v1/errors?limit=lots');
    assert.equal(r.status, 400);
    r = await run.api('POST', '/api/v1/resync', { body: { error_ids: ['x'] } });
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, /error_ids\[0\]/);
    r = await run.api('POST', '/api/v1/resync', { body: {} });
    assert.equal(r.status, 400);
    r = await run.api('POST', '/api/v1/resync', {
      body: { record: { system: 'hubspot', object: 'products', id: '1' } },
    });
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, /crmsync does not sync hubspot products/);
    r = await run.api('POST', '/api/v1/resync', {
      body: { record: { system: 'salesforce', object: 'Lead', id: 'foo' } },
    });
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, /not a Salesforce record id/);
  } finally {
    await stopped(run);
  }
});

test('an import started through the API runs on its own, shows its progress, and its records sync', async () => {
  await pair.reset(YAML, { logLevel: 'info' });
  await pair.sf.create('Lead', { LastName: 'Anchor', Company: 'A', Email: 'anchor@example.com' });
  await pair.sync();
  // leads made two hours ago: behind the capture cursor, so only an import brings them
  await pair.sf.emu.control('PUT', '/__emu/clock', { offset_ms: -2 * 3600 * 1000 });
  for (let i = 0; i < 5; i++)
    await pair.sf.create('Lead', { LastName: `Old${i}`, Company: 'Old Co', Email: `old${i}@example.com`, LeadSource: i < 3 ? 'Web' : 'Phone' });
  await pair.sf.emu.control('PUT', '/__emu/clock', { offset_ms: 0 });
  const run = await pair.runAdmin(TOKEN);
  try {
    let r = await run.api('POST', '/api/v1/imports', {
      body: { system: 'salesforce', object: 'Lead', where: "LeadSorce = 'Web'" },
    });
    assert.equal(r.status, 400, 'a filter Salesforce refuses');
    assert.match(r.body.error.message, /LeadSorce/);
    r = await run.api('POST', '/api/v1/imports', { body: { object: 'Lead' } });
    assert.equal(r.status, 400);
    r = await run.api('POST', '/api/v1/imports', {
      body: { system: 'salesforce', object: 'Lead', where: "LeadSource = 'Web'" },
    });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    assert.equal(r.body.total, 3);
    const id = r.body.id;
    assert.ok(
      await until(async () => (await run.api('GET', `/api/v1/imports/${id}`)).body.state === 'done', 20000),
      'the import finished',
    );
    r = await run.api('GET', `/api/v1/imports/${id}`);
    assert.deepEqual([r.body.read, r.body.queued, r.body.done_percent], [3, 3, 100]);
    assert.equal((await run.api('GET', '/api/v1/imports')).body.imports.length, 1);
    const emails = async () => (await pair.hs.all('contacts')).map((c) => c.properties.email);
    const want = ['old0@example.com', 'old1@example.com', 'old2@example.com'];
    assert.ok(
      await until(async () => {
        const have = await emails();
        return want.every((e) => have.includes(e));
      }, 20000),
      'the imported leads synced',
    );
    assert.ok(!(await emails()).includes('old3@example.com'), 'the filter held');
    r = await run.api('GET', '/api/v1/imports/999');
    assert.equal(r.status, 404);
    r = await run.api('POST', `/api/v1/imports/${id}/cancel`);
    assert.equal(r.status, 400, 'a finished import cannot be cancelled');
  } finally {
    await stopped(run);
  }
});

test("a mapping's rule changed while running takes effect at the next pass; the file's comes back on reset", async () => {
  await pair.reset(YAML, { logLevel: 'info' });
  const [p] = await makePeople(pair, { prefix: 'rule', hs: 1 });
  await pair.sync();
  const run = await pair.runAdmin(TOKEN);
  try {
    let r = await run.api('GET', '/api/v1/mappings');
    assert.equal(r.status, 200);
    const jobtitle = r.body.mappings.find((m) => m.kind === 'contact' && m.hubspot === 'jobtitle');
    assert.deepEqual([jobtitle.rule, jobtitle.source], ['prefer_salesforce_unless_blank', 'default']);
    assert.deepEqual(jobtitle.salesforce, [
      { object: 'Lead', field: 'Title' },
      { object: 'Contact', field: 'Title' },
    ]);
    r = await run.api('PUT', '/api/v1/mappings/contact/jobtitle', { body: { rule: 'sideways' } });
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, /unknown rule 'sideways'/);
    r = await run.api('PUT', '/api/v1/mappings/contact/shoe_size', { body: { rule: 'two_way' } });
    assert.equal(r.status, 404);
    r = await run.api('PUT', '/api/v1/mappings/contact/crmsync_link_id', { body: { rule: 'two_way' } });
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, /crmsync's own link id/);
    r = await run.api('PUT', '/api/v1/mappings/contact/jobtitle', { body: { rule: 'always_use_hubspot' } });
    assert.equal(r.status, 200);
    assert.deepEqual([r.body.rule, r.body.source], ['always_use_hubspot', 'override']);
    assert.ok(await until(async () => /mapping of jobtitle is now always_use_hubspot/.test(run.stderr()), 20000));
    // a HubSpot edit now wins (the default rule would have kept Salesforce's value)
    await pair.hs.update('contacts', p.id, { jobtitle: 'Set in HubSpot' });
    const title = async () => (await peopleIndex(pair)).sf.get(p.email)[0].Title;
    assert.ok(await until(async () => (await title()) === 'Set in HubSpot', 20000), 'the edit reached Salesforce');
    // a default mapping cannot be deleted; its rule override is dropped on the /rule route
    r = await run.api('DELETE', '/api/v1/mappings/contact/jobtitle');
    assert.equal(r.status, 409);
    assert.match(r.body.error.message, /cannot be removed/);
    r = await run.api('DELETE', '/api/v1/mappings/contact/jobtitle/rule');
    assert.deepEqual([r.body.rule, r.body.source], ['prefer_salesforce_unless_blank', 'default']);
    const cli = await pair.crmsync('mappings');
    assert.match(cli.stdout, /contact\s+jobtitle\s+Lead\.Title, Contact\.Title\s+prefer_salesforce_unless_blank \(default\)/);
  } finally {
    await stopped(run);
  }
});

test('settings export and import carry the mappings in force: added at run time, re-pointed, re-ruled', async () => {
  await pair.reset(YAML);
  let file = path.join(pair.dir, 'rules.yaml');
  fs.writeFileSync(
    file,
    'mappings:\n  - kind: contact\n    hubspot: phone\n    rule: two_way\n' +
      '  - kind: contact\n    hubspot: favourite_colour\n    salesforce: Colour__c\n    rule: two_way\n',
  );
  let r = await pair.crmsync('settings', 'import', file, '--dry-run');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /mapping contact phone\s+prefer_salesforce_unless_blank -> two_way/);
  assert.match(r.stdout, /mapping contact favourite_colour: new, \*\.Colour__c \(two_way\)/);
  // HubSpot has no favourite_colour: the whole import is refused, the phone rule too
  r = await pair.crmsync('settings', 'import', file);
  assert.equal(r.code, 2, r.stdout);
  assert.match(r.stderr, /favourite_colour/);
  assert.match(r.stderr, /nothing was changed/);
  r = await pair.crmsync('mappings');
  assert.match(r.stdout, /contact\s+phone\s+.*prefer_salesforce_unless_blank \(default\)/);

  // a new mapping checked against the vendors, and a rule
  fs.writeFileSync(
    file,
    'mappings:\n  - kind: contact\n    hubspot: phone\n    rule: two_way\n' +
      '  - kind: contact\n    hubspot: date_of_birth\n    salesforce: Contact.Birthdate\n',
  );
  r = await pair.crmsync('settings', 'import', file);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /mapping contact date_of_birth: new, Contact\.Birthdate \(prefer_salesforce_unless_blank\)/);
  r = await pair.crmsync('mappings');
  assert.match(r.stdout, /contact\s+phone\s+.*two_way \(override\)/);
  assert.match(r.stdout, /contact\s+date_of_birth\s+Contact\.Birthdate\s+prefer_salesforce_unless_blank \(override\)/);

  // one added at run time is exported with its types, and the export imports into a fresh store
  // with no vendor call; a second import changes nothing
  r = await pair.crmsync('mappings', 'add', 'contact', 'hs_timezone', 'Contact.Department', '--rule', 'always_use_hubspot');
  assert.equal(r.code, 0, r.stderr);
  r = await pair.crmsync('settings', 'export');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /- kind: contact\n\s+hubspot: date_of_birth\n\s+salesforce: Contact\.Birthdate\n\s+rule: prefer_salesforce_unless_blank\n\s+hubspot_type: date\/date\n\s+salesforce_type: date/);
  assert.match(r.stdout, /hubspot: hs_timezone\n\s+salesforce: Contact\.Department\n\s+rule: always_use_hubspot/);
  assert.match(r.stdout, /hubspot: phone\n\s+rule: two_way/);
  const yaml = r.stdout;
  await pair.reset(YAML);
  const exported = path.join(pair.dir, 'exported.yaml');
  fs.writeFileSync(exported, yaml);
  file = path.join(pair.dir, 'rules.yaml');
  await pair.resetStats();
  r = await pair.crmsync('settings', 'import', exported);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /mapping contact hs_timezone: new, Contact\.Department \(always_use_hubspot\)/);
  const stats = await pair.stats();
  assert.equal(stats.hs.calls.total + stats.sf.calls.total, 0, 'typed entries need no vendor');
  r = await pair.crmsync('mappings');
  assert.match(r.stdout, /contact\s+hs_timezone\s+Contact\.Department\s+always_use_hubspot \(override\)/);
  assert.match(r.stdout, /contact\s+date_of_birth\s+Contact\.Birthdate/);
  r = await pair.crmsync('settings', 'import', exported);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /nothing: every setting and mapping it gives is already in force/);

  // re-pointed: a user mapping follows the file, keeping its rule; a default mapping refuses
  fs.writeFileSync(file, 'mappings:\n  - kind: contact\n    hubspot: hs_timezone\n    salesforce: Contact.OtherPhone\n');
  r = await pair.crmsync('settings', 'import', file);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /mapping contact hs_timezone: Contact\.Department \(always_use_hubspot\) -> Contact\.OtherPhone \(always_use_hubspot\)/);
  fs.writeFileSync(file, 'mappings:\n  - kind: contact\n    hubspot: email\n    salesforce: Title\n');
  r = await pair.crmsync('settings', 'import', file, '--dry-run');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /contact mapping email: a default mapping cannot be re-pointed, only its rule changes/);
});

test('the configuration as code over the admin API: the export, a dry run, and an import all or nothing', async () => {
  await pair.reset(YAML, { logLevel: 'info' });
  const run = await pair.runAdmin(TOKEN);
  try {
    let r = await run.api('PUT', '/api/v1/settings/deal_sync', { body: { value: false } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    r = await run.api('POST', '/api/v1/mappings', {
      body: { kind: 'contact', hubspot: 'hs_timezone', salesforce: 'Contact.Department', rule: 'two_way' },
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    r = await run.api('GET', '/api/v1/config');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^application\/yaml/);
    assert.match(r.body, /deal_sync: false/);
    assert.match(r.body, /hubspot: hs_timezone\n\s+salesforce: Contact\.Department\n\s+rule: two_way/);
    assert.match(r.body, /token: <redacted>/);
    assert.equal((await run.api('GET', '/api/v1/config', { token: null })).status, 401);

    const yaml = 'settings:\n  deal_sync: true\n  new_record_type: contact\nmappings:\n' +
      '  - kind: contact\n    hubspot: hs_timezone\n    rule: always_use_hubspot\n' +
      '  - kind: contact\n    hubspot: date_of_birth\n    salesforce: Contact.Birthdate\n';
    r = await run.api('POST', '/api/v1/config/import', { body: { yaml, dry_run: true } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.applied, false);
    assert.deepEqual(r.body.changes, [
      { setting: 'deal_sync', from: 'false', to: 'true' },
      { setting: 'new_record_type', from: 'lead', to: 'contact' },
      { mapping: 'contact hs_timezone', change: 'rule', from: 'two_way', to: 'always_use_hubspot' },
      { mapping: 'contact date_of_birth', change: 'add', from: null, to: 'Contact.Birthdate (prefer_salesforce_unless_blank)' },
    ]);
    assert.equal((await run.api('GET', '/api/v1/settings/deal_sync')).body.value, false, 'a dry run changes nothing');

    // one bad mapping refuses the whole import
    r = await run.api('POST', '/api/v1/config/import', {
      body: { yaml: yaml + '  - kind: contact\n    hubspot: no_such_property\n    salesforce: Contact.Title\n' },
    });
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.match(r.body.error.message, /no_such_property/);
    assert.equal((await run.api('GET', '/api/v1/settings/deal_sync')).body.value, false, 'nothing was applied');

    r = await run.api('POST', '/api/v1/config/import', { body: { yaml } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.applied, true);
    assert.equal(r.body.changes.length, 4);
    assert.deepEqual(r.body.notes, []);
    assert.equal((await run.api('GET', '/api/v1/settings/deal_sync')).body.value, true);
    // deal_stages are not imported: the answer says so
    r = await run.api('POST', '/api/v1/config/import', {
      body: { yaml: 'deal_stages:\n- pipeline: default\n  stages: {closedwon: Won}\n', dry_run: true },
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.changes, []);
    assert.equal(r.body.notes.length, 1);
    assert.match(r.body.notes[0], /^deal_stages are not imported: the engine reads them from crmsync\.yaml/);
    const maps = (await run.api('GET', '/api/v1/mappings')).body.mappings;
    assert.equal(maps.find((m) => m.hubspot === 'hs_timezone').rule, 'always_use_hubspot');
    assert.deepEqual(maps.find((m) => m.hubspot === 'date_of_birth').salesforce, [{ object: 'Contact', field: 'Birthdate' }]);

    // bad input: not YAML, an unknown setting, an environment reference, no body
    r = await run.api('POST', '/api/v1/config/import', { body: { yaml: 'settings: [' } });
    assert.equal(r.status, 400);
    r = await run.api('POST', '/api/v1/config/import', { body: { yaml: 'settings:\n  colour: blue\n' } });
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, /import:2: settings\.colour: unknown setting/);
    r = await run.api('POST', '/api/v1/config/import', { body: { yaml: 'settings:\n  form_campaigns: ${HOME}\n' } });
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, /environment variable HOME is not set/);
    r = await run.api('POST', '/api/v1/config/import', { body: { dry_run: true } });
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, /the body must be/);
  } finally {
    await stopped(run);
  }
});
