// The ticket sync setup flow (seeds 000/001) through the real binaries: `crmsync tickets` step by
// step (show, preview, map-pipeline, map-status, start, stop, remove), an import of the cases
// that existed before, and the same flow over the admin API.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
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
  } finally {
    run.child.kill('SIGTERM');
    await run.done;
  }
});
