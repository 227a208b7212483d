// The ticket sync setup flow (seeds 000/001) through the real binaries: `crmsync tickets` step by
// step (show, preview, map-pipeline, map-status, start, stop, remove), an import of the cases
// that existed before (all of them, or those a condition picks), what remove forgets, the same
// flow over the admin API, and the pipeline map carried by the configuration as code
// (`crmsync settings export|import`).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { sleep, startPair } from './lib/pair.mjs';

let pair;
before(async () => {
  pair = await startPair();
});
after(async () => {
  await pair.stop();
});

const tickets = async () => (await pair.hs.all('tickets')).filter((t) => !t.archived);
const ok = (r, what) => assert.equal(r.code, 0, `${what}: ${r.stderr}${r.stdout}`);
const setup = async () => {
  const r = await pair.crmsync('tickets', 'show', '--json');
  ok(r, 'tickets show');
  return JSON.parse(r.stdout);
};
const statusOf = (s, process, status) =>
  s.pipelines.processes.find((p) => p.process === process).statuses.find((x) => x.status === status);

test('the setup flow: pre-filled map, a status mapped by the admin, preview, start, import, remove', async () => {
  await pair.reset('');
  for (const [subject, status] of [
    ['Old: jam', 'New'],
    ['Old: noise', 'Working'],
    ['Old: done', 'Closed'],
  ])
    await pair.sf.create('Case', { Subject: subject, Status: status });

  // steps 1-4 as they stand: the required mappings first, the pre-filled pipeline map
  let s = await setup();
  assert.equal(s.ticket_sync, false);
  assert.equal(s.delete_rule, 'nothing');
  assert.deepEqual(s.associations, { account: true, contact: true });
  assert.deepEqual(
    s.mappings.filter((m) => m.required).map((m) => m.hubspot),
    ['subject', 'hs_pipeline', 'hs_pipeline_stage'],
  );
  const support = s.pipelines.processes.find((p) => p.process === 'Support Process');
  assert.equal(support.pipeline, '0');
  assert.equal(support.pipeline_how, 'default');
  assert.equal(statusOf(s, 'Support Process', 'New').stage, '1');
  assert.equal(statusOf(s, 'Support Process', 'Closed').stage, '4');
  assert.equal(statusOf(s, 'Support Process', 'Working').stage, undefined);
  assert.ok(s.problems.some((p) => /Billing Process has no ticket pipeline/.test(p)));
  assert.ok(s.problems.some((p) => /case status Working has no ticket status/.test(p)));

  // a required mapping cannot be turned off
  const dont = await pair.crmsync('mappings', 'set-rule', 'ticket', 'hs_pipeline_stage', 'dont_sync');
  assert.notEqual(dont.code, 0);
  assert.match(dont.stderr, /hs_pipeline_stage is required/);

  // step 4 by the admin: Working -> "Waiting on us"; bad names are refused, naming them
  const bad = await pair.crmsync('tickets', 'map-status', '0', 'Sleeping', '3');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /'Sleeping' is not a Salesforce case status/);
  const badStage = await pair.crmsync('tickets', 'map-status', '0', 'Working', '99');
  assert.equal(badStage.code, 2);
  assert.match(badStage.stderr, /'99' is not a ticket status of pipeline 0/);
  ok(await pair.crmsync('tickets', 'map-status', '0', 'Working', '3'), 'map-status');
  s = await setup();
  assert.deepEqual(statusOf(s, 'Support Process', 'Working'), {
    status: 'Working',
    closed: false,
    stage: '3',
    stage_label: 'Waiting on us',
    how: 'configured',
  });

  // step 5: the preview counts what an import would bring
  const pv = await pair.crmsync('tickets', 'preview');
  ok(pv, 'preview');
  assert.match(pv.stdout, /an import would bring 3 existing cases/);
  const pvw = await pair.crmsync('tickets', 'preview', '--where', "Status = 'Closed'", '--json');
  ok(pvw, 'preview --where');
  assert.deepEqual(JSON.parse(pvw.stdout).import, { cases: 1, where: "Status = 'Closed'" });

  // step 6: start; nothing is imported by turning it on
  await sleep(1100); // Salesforce stamps whole seconds: the old cases are a second behind
  ok(await pair.crmsync('tickets', 'start'), 'start');
  await pair.sync();
  assert.equal((await tickets()).length, 0, 'turning ticket sync on imports nothing');
  const fresh = await pair.sf.create('Case', { Subject: 'New: smoke', Status: 'Working' });
  await pair.sync();
  let all = await tickets();
  assert.equal(all.length, 1);
  assert.equal(all[0].properties.hs_pipeline_stage, '3', 'Working went to the status the admin chose');

  // the import brings the rest, with progress
  const imp = await pair.crmsync('import', 'salesforce', 'Case');
  ok(imp, 'import');
  assert.match(imp.stdout + imp.stderr, /done: 4 of 4 read \(100\.0%\), 4 queued/);
  await pair.sync();
  all = await tickets();
  assert.deepEqual(
    all.map((t) => t.properties.subject).sort(),
    ['New: smoke', 'Old: done', 'Old: jam', 'Old: noise'],
  );
  assert.equal(all.find((t) => t.properties.subject === 'Old: done').properties.hs_pipeline_stage, '4');

  // a case waiting on the map (Escalated has no ticket status) goes through once it is mapped,
  // with no further change to the case
  const esc = await pair.sf.create('Case', { Subject: 'Hot: smoke', Status: 'Escalated' });
  await pair.sync();
  const card = await pair.explain('salesforce', 'Case', esc, '--json');
  assert.match(card.errors.find((e) => !e.resolved_at).message, /stage not mapped: status "Escalated"/);
  ok(await pair.crmsync('tickets', 'map-status', '0', 'Escalated', '3'), 'map-status Escalated');
  await pair.sync();
  all = await tickets();
  assert.equal(all.length, 5);
  assert.equal(all.find((t) => t.properties.subject === 'Hot: smoke').properties.hs_pipeline_stage, '3');
  assert.equal((await pair.explain('salesforce', 'Case', esc, '--json')).errors.filter((e) => !e.resolved_at).length, 0);

  // stop: a new case waits; remove: off, and the choices are back to the pre-fill
  ok(await pair.crmsync('tickets', 'stop'), 'stop');
  await pair.sf.create('Case', { Subject: 'While off', Status: 'New' });
  await pair.sync();
  assert.equal((await tickets()).length, 5);
  ok(await pair.crmsync('tickets', 'remove'), 'remove');
  s = await setup();
  assert.equal(s.ticket_sync, false);
  assert.equal(statusOf(s, 'Support Process', 'Working').stage, undefined, 'the choice is gone');
  // the tickets and their links stay: an update of an imported case after a new setup does not
  // make a second ticket
  await sleep(1100);
  ok(await pair.crmsync('tickets', 'start'), 'start again');
  await pair.sync();
  assert.equal((await tickets()).length, 5, 'a new setup imports nothing either');
  const jam = (await pair.sf.live('Case')).find((c) => c.Subject === 'Old: jam');
  await pair.sf.update('Case', jam.Id, { Subject: 'Old: jam (again)' });
  await pair.sync();
  all = await tickets();
  assert.equal(all.length, 5, 'no duplicate ticket');
  assert.ok(all.some((t) => t.properties.subject === 'Old: jam (again)'));
});

test('the setup over the admin API: token, bad input, pipeline choices, start, preview, remove', async () => {
  await pair.reset('admin:\n  listen: 127.0.0.1:0\n  token: tk-admin\n', { logLevel: 'info' });
  const run = await pair.runAdmin('tk-admin');
  try {
    assert.equal((await run.api('GET', '/api/v1/tickets', { token: '' })).status, 401);
    let r = await run.api('GET', '/api/v1/tickets');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.ready, true);

    r = await run.api('PATCH', '/api/v1/tickets/pipelines', { body: { stages: { 0: { Working: '42' } } } });
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, /'42' is not a ticket status of pipeline 0/);
    r = await run.api('PATCH', '/api/v1/tickets/pipelines', { body: { processes: { 'No Process': '0' } } });
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, /'No Process' is not an active case business process/);
    r = await run.api('PATCH', '/api/v1/tickets/pipelines', { body: { colour: {} } });
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, /colour: unknown member/);

    // Billing Process takes pipeline 0 (Support Process loses it), Escalated -> Waiting on us
    r = await run.api('PATCH', '/api/v1/tickets/pipelines', {
      body: { processes: { 'Billing Process': '0' }, stages: { 0: { 'On Hold': '2' } } },
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const billing = r.body.pipelines.processes.find((p) => p.process === 'Billing Process');
    assert.equal(billing.pipeline_how, 'configured');
    assert.equal(billing.statuses.find((x) => x.status === 'On Hold').stage, '2');
    assert.equal(r.body.pipelines.processes.find((p) => p.process === 'Support Process').pipeline, undefined);

    r = await run.api('POST', '/api/v1/tickets/start');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.ticket_sync, true);

    const billingRt = (await pair.sf.all('RecordType')).find((x) => x.Name === 'Billing').Id;
    const supportRt = (await pair.sf.all('RecordType')).find((x) => x.Name === 'Support').Id;
    const a = await pair.sf.create('Case', { Subject: 'Invoice twice', Status: 'On Hold', RecordTypeId: billingRt });
    const b = await pair.sf.create('Case', { Subject: 'Printer', Status: 'New', RecordTypeId: supportRt });
    let card;
    const end = Date.now() + 20000;
    while (Date.now() < end) {
      card = await run.api('GET', `/api/v1/records/salesforce/Case/${b}`);
      if ((await tickets()).length === 1 && card.body.errors?.some((e) => !e.resolved_at)) break;
      await sleep(200);
    }
    const t = await tickets();
    assert.equal(t.length, 1, 'the billing case synced; the support case did not');
    assert.equal(t[0].properties.subject, 'Invoice twice');
    assert.equal(t[0].properties.hs_pipeline_stage, '2');
    const open = card.body.errors.filter((e) => !e.resolved_at);
    assert.equal(open[0].category, 'mapping');
    assert.match(open[0].message, /pipeline not mapped/);
    assert.ok(a);

    r = await run.api('GET', `/api/v1/tickets/preview?where=${encodeURIComponent("Status = 'New'")}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.import.cases, 1);
    r = await run.api('GET', `/api/v1/tickets/preview?where=${encodeURIComponent('Nope__c = 1')}`);
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, /Salesforce refused the filter/);

    r = await run.api('DELETE', '/api/v1/tickets');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.ticket_sync, false);
    assert.equal(r.body.pipelines.processes.find((p) => p.process === 'Support Process').pipeline, '0');

    // with no ticket pipeline left in HubSpot, start is refused and ticket sync stays off
    assert.equal((await pair.hs.api('DELETE', '/crm/v3/pipelines/tickets/0')).status, 204);
    r = await run.api('POST', '/api/v1/tickets/start');
    assert.equal(r.status, 409, JSON.stringify(r.body));
    assert.match(r.body.error.message, /no case business process has a ticket pipeline yet/);
    r = await run.api('GET', '/api/v1/tickets');
    assert.equal(r.body.ticket_sync, false);
    assert.equal(r.body.ready, false);
  } finally {
    run.child.kill('SIGTERM');
    await run.done;
  }
});

test('start is refused while no process has a pipeline; map-pipeline and map-status from the command line; a filtered import brings only the cases it matches', async () => {
  await pair.reset('settings:\n  contact_sync: false\n  company_sync: false\n  deal_sync: false\n');
  for (const [subject, status, priority] of [
    ['Old: urgent new', 'New', 'High'],
    ['Old: calm new', 'New', 'Low'],
    ['Old: urgent closed', 'Closed', 'High'],
  ])
    await pair.sf.create('Case', { Subject: subject, Status: status, Priority: priority });

  // the portal has no ticket pipeline: nothing is mapped, and start is refused
  assert.equal((await pair.hs.api('DELETE', '/crm/v3/pipelines/tickets/0')).status, 204);
  let s = await setup();
  assert.equal(s.ready, false);
  assert.ok(s.problems.some((p) => /Support Process has no ticket pipeline/.test(p)), s.problems.join('\n'));
  const refused = await pair.crmsync('tickets', 'start');
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /no case business process has a ticket pipeline yet: map one first/);
  assert.equal((await setup()).ticket_sync, false, 'refused: ticket sync stays off');

  // two pipelines whose labels match no process: the first listed is now HubSpot's default, which
  // the default record type's process takes; the admin maps Support Process to the other
  const pipeline = async (label, order) => {
    const r = await pair.hs.api('POST', '/crm/v3/pipelines/tickets', {
      label,
      displayOrder: order,
      stages: [
        { label: 'Open', displayOrder: 0, metadata: { ticketState: 'OPEN' } },
        { label: 'Doing', displayOrder: 1, metadata: { ticketState: 'OPEN' } },
        { label: 'Done', displayOrder: 2, metadata: { ticketState: 'CLOSED' } },
      ],
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return { id: r.body.id, stage: Object.fromEntries(r.body.stages.map((x) => [x.label, x.id])) };
  };
  const helpdesk = await pipeline('Helpdesk', 0);
  const desk = await pipeline('Service Desk', 1);
  const supportOf = (x) => x.pipelines.processes.find((p) => p.process === 'Support Process');
  s = await setup();
  assert.deepEqual([supportOf(s).pipeline, supportOf(s).pipeline_how], [helpdesk.id, 'default']);
  const bad = await pair.crmsync('tickets', 'map-pipeline', 'Support Process', 'nope');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /'nope' is not a HubSpot ticket pipeline/);
  const badProcess = await pair.crmsync('tickets', 'map-pipeline', 'Repair Process', desk.id);
  assert.equal(badProcess.code, 2);
  assert.match(badProcess.stderr, /'Repair Process' is not an active case business process/);
  const mapped = await pair.crmsync('tickets', 'map-pipeline', 'Support Process', desk.id);
  ok(mapped, 'map-pipeline');
  assert.match(mapped.stdout, /saved: map-pipeline Support Process/);
  s = await setup();
  assert.deepEqual(
    [supportOf(s).pipeline, supportOf(s).pipeline_label, supportOf(s).pipeline_how],
    [desk.id, 'Service Desk', 'configured'],
  );
  // "-" drops the choice (the pre-fill is back), and the admin chooses again
  ok(await pair.crmsync('tickets', 'map-pipeline', 'Support Process', '-'), 'map-pipeline -');
  assert.equal(supportOf(await setup()).pipeline, helpdesk.id);
  ok(await pair.crmsync('tickets', 'map-pipeline', 'Support Process', desk.id), 'map-pipeline again');
  ok(await pair.crmsync('tickets', 'map-status', desk.id, 'New', desk.stage.Doing), 'map-status New');
  s = await setup();
  assert.equal(supportOf(s).pipeline, desk.id);
  assert.deepEqual([statusOf(s, 'Support Process', 'New').stage, statusOf(s, 'Support Process', 'New').how], [desk.stage.Doing, 'configured']);
  assert.deepEqual(
    [statusOf(s, 'Support Process', 'Closed').stage, statusOf(s, 'Support Process', 'Closed').how],
    [desk.stage.Done, 'closed'],
    'a closed case status takes the pipeline\'s only closed status',
  );
  assert.equal(s.ready, true);

  // start, then an import of the urgent cases alone
  await sleep(1100); // Salesforce stamps whole seconds: the old cases are a second behind
  const on = await pair.crmsync('tickets', 'start');
  ok(on, 'start');
  assert.match(on.stdout, /ticket sync is on/);
  await pair.sync();
  assert.equal((await tickets()).length, 0, 'turning ticket sync on imports nothing');
  const imp = await pair.crmsync('import', 'salesforce', 'Case', '--where', "Priority = 'High'");
  ok(imp, 'import --where');
  assert.match(imp.stdout, /^import \d+ \(salesforce Case where Priority = 'High'\) done: 2 of 2 read \(100\.0%\), 2 queued/m);
  await pair.sync();
  const all = await tickets();
  assert.deepEqual(all.map((t) => t.properties.subject).sort(), ['Old: urgent closed', 'Old: urgent new']);
  for (const t of all) assert.equal(t.properties.hs_pipeline, desk.id);
  assert.equal(all.find((t) => t.properties.subject === 'Old: urgent new').properties.hs_pipeline_stage, desk.stage.Doing);
  assert.equal(all.find((t) => t.properties.subject === 'Old: urgent closed').properties.hs_pipeline_stage, desk.stage.Done);
  const calm = (await pair.sf.live('Case')).find((c) => c.Subject === 'Old: calm new');
  assert.equal((await pair.explain('salesforce', 'Case', calm.Id, '--json')).link, null, 'the unmatched case is not synced');
});

test('remove forgets every ticket override: settings, mappings added, re-pointed or removed at run time, and rules; other kinds keep theirs', async () => {
  // the file maps case_company; the rest is done at run time
  await pair.reset(
    'settings:\n  contact_sync: false\n  company_sync: false\n  deal_sync: false\n' +
      'mappings:\n  - kind: ticket\n    hubspot: case_company\n    salesforce: Case.SuppliedCompany\n' +
      '    hubspot_type: string/text\n    salesforce_type: string\n',
  );
  for (const [name, type, fieldType, options] of [
    ['case_reason', 'enumeration', 'select', ['Installation', 'Performance', 'Other']],
    ['case_name', 'string', 'text', undefined],
  ]) {
    const r = await pair.hs.api('POST', '/crm/v3/properties/tickets', {
      name,
      label: name,
      type,
      fieldType,
      groupName: 'ticketinformation',
      options: options?.map((v, i) => ({ label: v, value: v, displayOrder: i })),
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  ok(await pair.crmsync('mappings', 'add', 'ticket', 'case_reason', 'Case.Reason', '--rule', 'always_use_salesforce'), 'add case_reason');
  ok(await pair.crmsync('mappings', 'add', 'ticket', 'case_name', 'Case.SuppliedName'), 'add case_name');
  ok(await pair.crmsync('mappings', 'edit', 'ticket', 'case_name', '--salesforce', 'Case.SuppliedPhone'), 're-point case_name');
  ok(await pair.crmsync('mappings', 'delete', 'ticket', 'case_company'), 'delete the file mapping');
  ok(await pair.crmsync('mappings', 'set-rule', 'ticket', 'content', 'dont_sync'), 'rule of content');
  ok(await pair.crmsync('mappings', 'set-rule', 'contact', 'jobtitle', 'two_way'), 'a contact rule');
  ok(await pair.crmsync('settings', 'set', 'ticket_delete_rule', 'delete'), 'delete rule');
  ok(await pair.crmsync('settings', 'set', 'ticket_two_way', 'true'), 'two way');
  ok(await pair.crmsync('tickets', 'map-status', '0', 'Working', '3'), 'map-status');

  const byProp = (s) => Object.fromEntries(s.mappings.map((m) => [m.hubspot, m]));
  let s = await setup();
  let m = byProp(s);
  assert.deepEqual([s.delete_rule, s.two_way], ['delete', true]);
  assert.deepEqual([m.case_reason?.rule, m.case_reason?.source], ['always_use_salesforce', 'override']);
  assert.deepEqual(m.case_name?.salesforce, [{ object: 'Case', field: 'SuppliedPhone' }]);
  assert.equal(m.case_company, undefined, 'the file mapping is removed');
  assert.deepEqual([m.content.rule, m.content.source], ['dont_sync', 'override']);

  const rm = await pair.crmsync('tickets', 'remove');
  ok(rm, 'remove');
  assert.match(rm.stdout, /ticket sync removed/);
  s = await setup();
  m = byProp(s);
  assert.deepEqual([s.ticket_sync, s.delete_rule, s.two_way], [false, 'nothing', false]);
  assert.equal(statusOf(s, 'Support Process', 'Working').stage, undefined, 'the pipeline choice is gone');
  assert.equal(m.case_reason, undefined, 'the mapping added at run time is gone');
  assert.equal(m.case_name, undefined, 'the mapping re-pointed at run time is gone');
  assert.deepEqual(
    [m.case_company?.salesforce, m.case_company?.source],
    [[{ object: 'Case', field: 'SuppliedCompany' }], 'file'],
    'the file mapping is back',
  );
  assert.deepEqual([m.content.rule, m.content.source], ['two_way', 'default'], 'the default rule is back');
  assert.deepEqual(s.mappings.filter((x) => x.source === 'override'), []);

  const all = await pair.crmsync('mappings', '--json');
  ok(all, 'mappings --json');
  const list = JSON.parse(all.stdout);
  assert.deepEqual(list.filter((x) => x.kind === 'ticket' && x.source === 'override'), [], 'no ticket override left');
  const jobtitle = list.find((x) => x.kind === 'contact' && x.hubspot === 'jobtitle');
  assert.deepEqual([jobtitle.rule, jobtitle.source], ['two_way', 'override'], 'the contact rule stays');
  const settings = JSON.parse((await pair.crmsync('settings', '--json')).stdout);
  const list2 = Array.isArray(settings) ? settings : settings.settings;
  for (const name of ['ticket_delete_rule', 'ticket_two_way'])
    assert.equal(list2.find((x) => x.name === name).source, 'default', `${name} is back to its default`);
});

test('the pipeline map travels with the configuration as code: exported, imported into a fresh store after a dry run, and a refused choice stores nothing', async () => {
  await pair.reset('');
  ok(await pair.crmsync('tickets', 'map-pipeline', 'Billing Process', '0'), 'map-pipeline');
  ok(await pair.crmsync('tickets', 'map-status', '0', 'Working', '3'), 'map-status Working');
  ok(await pair.crmsync('tickets', 'map-status', '0', 'On Hold', '2'), 'map-status On Hold');
  const chosen = (await setup()).pipelines;
  const billing = chosen.processes.find((p) => p.process === 'Billing Process');
  assert.deepEqual([billing.pipeline, billing.pipeline_how], ['0', 'configured']);
  const exp = await pair.crmsync('settings', 'export');
  ok(exp, 'export');
  assert.match(
    exp.stdout,
    /\nticket_pipelines:\n  processes:\n    Billing Process: "0"\n  stages:\n    "0":\n      Working: "3"\n      On Hold: "2"\n/,
  );

  // a fresh store has the pre-fill alone; the dry run lists the choices and asks no vendor
  await pair.reset('');
  const prefilled = (await setup()).pipelines;
  assert.notDeepEqual(prefilled, chosen);
  const file = path.join(pair.dir, 'exported.yaml');
  fs.writeFileSync(file, exp.stdout);
  await pair.resetStats();
  const dry = await pair.crmsync('settings', 'import', file, '--dry-run');
  ok(dry, 'import --dry-run');
  assert.match(dry.stdout, /importing would change/);
  assert.match(dry.stdout, /ticket pipeline of process Billing Process: \(pre-filled\) -> 0\n/);
  assert.match(dry.stdout, /ticket status of pipeline 0 status Working: \(pre-filled\) -> 3\n/);
  assert.match(dry.stdout, /ticket status of pipeline 0 status On Hold: \(pre-filled\) -> 2\n/);
  const stats = await pair.stats();
  assert.equal(stats.hs.calls.total + stats.sf.calls.total, 0, 'a dry run asks no vendor');
  assert.deepEqual((await setup()).pipelines, prefilled, 'a dry run stores nothing');

  // the import stores them, checked against the vendors; `crmsync tickets` shows the same map
  const imp = await pair.crmsync('settings', 'import', file);
  ok(imp, 'import');
  assert.match(imp.stdout, /importing changes/);
  assert.deepEqual((await setup()).pipelines, chosen);
  const shown = await pair.crmsync('tickets');
  ok(shown, 'tickets');
  assert.match(shown.stdout, /Billing Process -> pipeline 0 \(Support Pipeline\) \[configured\]/);
  assert.match(shown.stdout, /Working\s+-> 3 \(Waiting on us\) \[configured\]/);
  assert.match(shown.stdout, /On Hold\s+-> 2 \(Waiting on contact\) \[configured\]/);
  const again = await pair.crmsync('settings', 'import', file);
  ok(again, 'import again');
  assert.match(again.stdout, /nothing: every setting and mapping it gives is already in force/);
  const exp2 = await pair.crmsync('settings', 'export');
  ok(exp2, 'export again');
  assert.match(exp2.stdout, /ticket_pipelines:\n  processes:\n    Billing Process: "0"\n/);

  // a file naming a pipeline HubSpot does not have is refused, naming it: nothing is stored,
  // not even the file's settings
  const bad = path.join(pair.dir, 'bad.yaml');
  fs.writeFileSync(
    bad,
    'settings:\n  deal_sync: false\nticket_pipelines:\n  processes:\n    Support Process: "77"\n' +
      '  stages:\n    "0":\n      Working: ~\n',
  );
  const dryBad = await pair.crmsync('settings', 'import', bad, '--dry-run');
  ok(dryBad, 'import --dry-run of the bad file');
  assert.match(dryBad.stdout, /ticket pipeline of process Support Process: \(pre-filled\) -> 77/);
  assert.match(dryBad.stdout, /ticket status of pipeline 0 status Working: 3 -> \(pre-filled\)/);
  const refused = await pair.crmsync('settings', 'import', bad);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /ticket_pipelines\.processes\.Support Process: '77' is not a HubSpot ticket pipeline/);
  assert.match(refused.stderr, /nothing was changed/);
  assert.deepEqual((await setup()).pipelines, chosen, 'the choices are as they were');
  const dealSync = await pair.crmsync('settings', 'get', 'deal_sync');
  assert.match(dealSync.stdout, /deal_sync\s+true\s+\(default\)/, 'the file\'s setting was not applied');
});

test('an import over the admin API changes the pipeline map of the running engine: a case waiting on the map syncs without a restart or a change', async () => {
  await pair.reset('admin:\n  listen: 127.0.0.1:0\n  token: tk-admin\n', { logLevel: 'info' });
  const run = await pair.runAdmin('tk-admin');
  try {
    let r = await run.api('POST', '/api/v1/tickets/start');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const billingRt = (await pair.sf.all('RecordType')).find((x) => x.Name === 'Billing').Id;
    const c = await pair.sf.create('Case', { Subject: 'Refund', Status: 'On Hold', RecordTypeId: billingRt });
    const waiting = async () => {
      const card = await run.api('GET', `/api/v1/records/salesforce/Case/${c}`);
      return card.body.errors?.some((e) => !e.resolved_at && /pipeline not mapped/.test(e.message));
    };
    let end = Date.now() + 20000;
    while (Date.now() < end && !(await waiting())) await sleep(200);
    assert.ok(await waiting(), 'the billing case waits on the map');
    r = await run.api('GET', '/api/v1/config');
    assert.equal(r.status, 200);
    assert.doesNotMatch(r.body, /ticket_pipelines/, 'no choice yet: no section');

    const yaml = 'ticket_pipelines:\n  processes:\n    Billing Process: "0"\n  stages:\n    "0":\n      On Hold: "2"\n';
    r = await run.api('POST', '/api/v1/config/import', { body: { yaml, dry_run: true } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body, {
      changes: [
        { ticket_pipeline: 'process Billing Process', from: null, to: '0' },
        { ticket_status: 'pipeline 0 status On Hold', from: null, to: '2' },
      ],
      applied: false,
      notes: [],
    });
    r = await run.api('POST', '/api/v1/config/import', {
      body: { yaml: yaml.replace('On Hold: "2"', 'On Hold: "42"') },
    });
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.match(r.body.error.message, /ticket_pipelines\.stages\.0\.On Hold: '42' is not a ticket status of pipeline 0/);
    r = await run.api('POST', '/api/v1/config/import', { body: { yaml } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.applied, true);
    assert.equal(r.body.changes.length, 2);

    end = Date.now() + 20000;
    while (Date.now() < end && (await tickets()).length === 0) await sleep(200);
    const t = await tickets();
    assert.equal(t.length, 1, 'the waiting case synced once its process was mapped');
    assert.deepEqual(
      [t[0].properties.subject, t[0].properties.hs_pipeline, t[0].properties.hs_pipeline_stage],
      ['Refund', '0', '2'],
    );
    r = await run.api('GET', '/api/v1/config');
    assert.match(r.body, /ticket_pipelines:\n  processes:\n    Billing Process: "0"\n  stages:\n    "0":\n      On Hold: "2"\n/);
  } finally {
    run.child.kill('SIGTERM');
    await run.done;
  }
});

test('ticket_pipelines in crmsync.yaml alone are not applied: run says so until the file is imported', async () => {
  await pair.reset('ticket_pipelines:\n  processes:\n    Billing Process: "0"\n', { logLevel: 'info' });
  const runOnce = async () => {
    const run = pair.spawn('run');
    const end = Date.now() + 15000;
    while (!/syncing every|ticket pipeline choice/.test(run.stderr()) && Date.now() < end) await sleep(50);
    await sleep(200);
    run.child.kill('SIGTERM');
    const r = await run.done;
    assert.equal(r.code, 0, r.stderr);
    return r.stderr;
  };
  assert.match(await runOnce(),
    /crmsync\.yaml gives 1 ticket pipeline choice other than those in force, which the file alone does not apply: run `crmsync settings import .*crmsync\.yaml` to apply them/);
  ok(await pair.crmsync('settings', 'import', pair.configPath), 'import');
  const billing = (await setup()).pipelines.processes.find((p) => p.process === 'Billing Process');
  assert.deepEqual([billing.pipeline, billing.pipeline_how], ['0', 'configured']);
  assert.doesNotMatch(await runOnce(), /ticket pipeline choice/, 'in force now: nothing to say');
});
