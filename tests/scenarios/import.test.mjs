// Imports (backfill): records capture never saw (made with timestamps behind the cursor, with
// the emulators' clock set back) are not synced by `sync --once`; `crmsync import` reads them in
// pages (SOQL with the filter ordered by Id; a HubSpot list's members and one batch read per
// page), queues them in the inbox as capture would, and the next `sync --once` syncs them. A bad
// filter is refused with Salesforce's own message and queues nothing, and one that would close
// the page query's brackets is refused before anything is asked; an import killed after a page
// resumes without reading or queueing anything twice, and a second run of an import that still
// runs stops without queueing the page the first run stored.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { callsTo, clearFaults, setFaults, sleep, startPair } from './lib/pair.mjs';

const SF_QUERY = 'GET /services/data/vXX.X/query';
const HOUR = 3600 * 1000;

let pair;
before(async () => {
  pair = await startPair();
});
after(async () => {
  await pair.stop();
});

const setClock = (side, offsetMs) => pair[side].emu.control('PUT', '/__emu/clock', { offset_ms: offsetMs });

async function imports() {
  const r = await pair.crmsync('import', 'list', '--json');
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

// A synced anchor lead, so the Salesforce cursor stands now; then leads made two hours ago
// (behind the cursor and its lookback): web ones with an email (webs), one web lead without an
// email, and phone ones. Answers { webs: [{id, email}], noEmail, phones: [{id, email}] }.
async function leadsBehindTheCursor(prefix, nWeb, nPhone, yaml = '') {
  await pair.reset(yaml, { logLevel: yaml ? 'info' : 'warn' });
  await pair.sf.create('Lead', { LastName: 'Anchor', Company: 'Anchor Co', Email: `${prefix}-anchor@example.com`, LeadSource: 'Phone' });
  await pair.sync();
  await setClock('sf', -2 * HOUR);
  const webs = [];
  const phones = [];
  for (let i = 0; i < nWeb; i++) {
    const email = `${prefix}-web${i}@example.com`;
    webs.push({ email, id: await pair.sf.create('Lead', { LastName: `Web${i}`, Company: 'Web Co', Email: email, LeadSource: 'Web' }) });
  }
  const noEmail = await pair.sf.create('Lead', { LastName: 'Nomail', Company: 'Web Co', LeadSource: 'Web' });
  for (let i = 0; i < nPhone; i++) {
    const email = `${prefix}-phone${i}@example.com`;
    phones.push({ email, id: await pair.sf.create('Lead', { LastName: `Phone${i}`, Company: 'Phone Co', Email: email, LeadSource: 'Phone' }) });
  }
  await setClock('sf', 0);
  return { webs, noEmail, phones };
}

// A refusal: exit 1 or 2 with a message, not a crash (nor a sanitizer report, which is 99).
const refused = (r) => assert.ok(r.code === 1 || r.code === 2, `exit ${r.code}:\n${r.stderr}`);

const hsEmails = async () =>
  new Set((await pair.hs.all('contacts')).filter((r) => !r.archived).map((r) => r.properties.email));

test('a filtered Salesforce import queues exactly the leads it selects, in pages, and sync --once syncs them', async () => {
  const { webs, phones } = await leadsBehindTheCursor('imp', 7, 4);
  await pair.sync();
  assert.equal((await hsEmails()).size, 1, 'records behind the cursor are not captured: only the anchor synced');

  await pair.resetStats();
  const r = await pair.crmsync('import', 'salesforce', 'Lead', '--where', "LeadSource = 'Web'", '--page', '3');
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /^import 1: salesforce Lead where LeadSource = 'Web', 8 to read$/m);
  // not a terminal: a line per page
  assert.match(r.stdout, /^import 1: 3 of 8 read \(37\.5%\), 3 queued/m);
  assert.match(r.stdout, /^import 1: 6 of 8 read \(75\.0%\), 6 queued/m);
  assert.match(r.stdout, /^import 1 \(salesforce Lead where LeadSource = 'Web'\) done: 8 of 8 read \(100\.0%\), 8 queued/m);
  const stats = await pair.stats();
  assert.equal(callsTo(stats.sf, SF_QUERY), 1 + 3, 'one COUNT() and three pages of 3, 3 and 2: no call per record');
  assert.equal(stats.hs.calls.total, 0, 'an import reads; it writes nothing anywhere');

  const [job] = await imports();
  assert.equal(job.state, 'done');
  assert.deepEqual(job.what, { system: 'salesforce', object: 'Lead', where: "LeadSource = 'Web'" });
  assert.equal(job.total, 8);
  assert.equal(job.read, 8);
  assert.equal(job.queued, 8);
  assert.equal(job.done_percent, 100);
  assert.equal(job.eta_s, 0);
  assert.equal(job.error, null);
  assert.ok(Date.parse(job.finished_at) >= Date.parse(job.started_at));
  assert.equal((await pair.status()).inbox.waiting, 8);

  await pair.sync();
  const emails = await hsEmails();
  for (const w of webs) assert.ok(emails.has(w.email), `${w.email} synced to HubSpot`);
  for (const p of phones) assert.ok(!emails.has(p.email), `${p.email} was not selected`);
  assert.equal(emails.size, 1 + webs.length);
  const st = await pair.status();
  assert.equal(st.inbox.waiting, 0);
  assert.equal(Object.values(st.errors).reduce((a, b) => a + b, 0), 1, `the lead without an email is reported: ${JSON.stringify(st.errors)}`);
  assert.equal(st.links.contact.LINKED, 1 + webs.length);

  // an import of what is synced already queues it again, and planning writes nothing
  const again = await pair.crmsync('import', 'salesforce', 'lead', '--where', "LeadSource = 'Web'");
  assert.equal(again.code, 0, again.stderr);
  const before = await pair.writes();
  await pair.sync();
  assert.deepEqual(await pair.writes(), before, 'values both sides agree on are echoes');
});

test('a filter Salesforce refuses comes back with its message and queues nothing', async () => {
  await leadsBehindTheCursor('bad', 2, 0);
  await pair.resetStats();
  const r = await pair.crmsync('import', 'salesforce', 'Lead', '--where', "NoSuchField__c = 'x'");
  refused(r);
  assert.match(r.stderr, /Salesforce refused the filter: INVALID_FIELD: .*No such column 'NoSuchField__c' on entity 'Lead'/s);
  assert.match(r.stderr, /nothing was queued/);
  const malformed = await pair.crmsync('import', 'salesforce', 'Lead', '--where', "LeadSource = 'Web' AND");
  refused(malformed);
  assert.match(malformed.stderr, /Salesforce refused the filter: MALFORMED_QUERY/);
  const other = await pair.crmsync('import', 'salesforce', 'Product2');
  assert.equal(other.code, 2);
  assert.match(other.stderr, /Lead, Contact, Account, Opportunity, Case, Task or Event, not 'Product2'/);
  assert.deepEqual(await imports(), [], 'no job was stored');
  assert.equal((await pair.status()).inbox.waiting, 0);
  assert.equal(callsTo(await pair.sf.emu.control('GET', '/__emu/stats'), SF_QUERY), 2, 'only the two COUNT() checks');
});

// Spawns a Salesforce import of the web leads with email in pages of 2, every query held
// latencyMs, and waits for its first page's line (of total). Answers the run and a getter of
// its stdout.
async function importHeld(latencyMs, total = 8) {
  await setFaults(pair, 'sf', { latency_ms: latencyMs, path_prefix: '/services/data/v62.0/query' });
  const run = pair.spawn('import', 'salesforce', 'Lead', '--where', "LeadSource = 'Web' AND Email != null", '--page', '2');
  let out = '';
  run.child.stdout.on('data', (d) => (out += d));
  const end = Date.now() + 30000;
  while (!new RegExp(`^import 1: 2 of ${total} read`, 'm').test(out)) {
    assert.ok(Date.now() < end && run.child.exitCode === null, `the first page is reported:\n${out}${run.stderr()}`);
    await sleep(5);
  }
  return { run, out: () => out };
}

// Each web lead with an email is one HubSpot contact, and nothing else synced but the anchor.
async function syncedOnce(webs) {
  await pair.sync();
  const contacts = (await pair.hs.all('contacts')).filter((c) => !c.archived);
  for (const w of webs) assert.equal(contacts.filter((c) => c.properties.email === w.email).length, 1, `${w.email} once`);
  assert.equal(contacts.length, 1 + webs.length);
}

test('an import killed after a page resumes where it stopped and reads nothing twice', async () => {
  const { webs } = await leadsBehindTheCursor('kill', 8, 2);
  await pair.sync();
  // each query is held for seconds: the kill lands while the second page is held
  const { run } = await importHeld(3000);
  run.child.kill('SIGKILL');
  await run.done;
  await clearFaults(pair);
  let [job] = await imports();
  assert.equal(job.state, 'running', 'killed: nothing finished it');
  // the second page was held when the kill landed; were the machine too slow for that, the
  // kill came after a later page, and what follows holds just the same
  assert.ok([2, 4, 6].includes(job.read), `killed after a whole page: ${job.read} read`);
  assert.equal(job.queued, job.read, 'every page read was queued with it');
  const killedAt = job.read;

  await pair.resetStats();
  const r = await pair.crmsync('import', 'resume', String(job.id), '--page', '2');
  assert.equal(r.code, 0, r.stderr + r.stdout);
  if (killedAt === 2) assert.match(r.stdout, /^import 1: 4 of 8 read \(50\.0%\), 4 queued/m);
  assert.match(r.stdout, /done: 8 of 8 read \(100\.0%\), 8 queued/);
  [job] = await imports();
  assert.equal(job.state, 'done');
  assert.equal(job.read, 8, 'no page read before the kill was read again');
  assert.equal(job.queued, 8, 'nor queued again');
  const q = callsTo(await pair.sf.emu.control('GET', '/__emu/stats'), SF_QUERY);
  const left = (8 - killedAt) / 2;
  assert.ok(q >= left && q <= left + 1, `${left} pages of 2 (and an empty one that ends it): ${q} queries`);
  const again = await pair.crmsync('import', 'resume', String(job.id));
  refused(again);
  assert.match(again.stderr, /import 1 is done already/);

  await syncedOnce(webs);
});

test('a resume while the import still runs elsewhere stops without queueing, and the run that owns it finishes', async () => {
  const { webs } = await leadsBehindTheCursor('twice', 8, 2);
  await pair.sync();
  // the first run's second page is held; a second run reads the same page meanwhile, and
  // whichever stores it first owns the job (the first, unless it was slower to ask)
  const { run, out } = await importHeld(2000);
  const second = await pair.crmsync('import', 'resume', '1', '--page', '2');
  await clearFaults(pair);
  const first = { ...(await run.done), stdout: out() };
  const won = [first, second].filter((r) => r.code === 0);
  const lost = [first, second].filter((r) => r.code === 1 && /another run owns import 1 /.test(r.stderr));
  assert.equal(won.length, 1, `one run finished it:\n${first.stderr}\n${second.stderr}`);
  assert.equal(lost.length, 1, `the other stopped:\n${first.stderr}\n${second.stderr}`);
  assert.match(won[0].stdout, /done: 8 of 8 read \(100\.0%\), 8 queued/);
  assert.match(lost[0].stderr, /this run stopped without queueing its page/);
  assert.doesNotMatch(lost[0].stderr, /resume/, 'no hint to resume what another run reads');
  const [job] = await imports();
  assert.equal(job.state, 'done', 'the losing run did not fail the job');
  assert.equal(job.read, 8, 'the page both read counts once');
  assert.equal(job.queued, 8);
  assert.equal(job.error, null);
  assert.equal((await pair.status()).inbox.waiting, 8);
  await syncedOnce(webs);
});

test('a filter that would close the page query brackets is refused before anything is stored', async () => {
  await leadsBehindTheCursor('brk', 2, 1);
  await pair.resetStats();
  const r = await pair.crmsync('import', 'salesforce', 'Lead', '--where', "LeadSource = 'Web') OR (LeadSource = 'Phone'");
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /parentheses do not balance/);
  assert.match(r.stderr, /nothing was queued/);
  assert.deepEqual(await imports(), [], 'no job was stored');
  assert.equal(callsTo(await pair.sf.emu.control('GET', '/__emu/stats'), SF_QUERY), 0, 'refused before asking Salesforce');
  const inString = await pair.crmsync('import', 'salesforce', 'Lead', '--where', "Company = 'Web) OR (Co' OR LeadSource = 'Web'");
  assert.equal(inString.code, 0, inString.stderr);
  assert.match(inString.stdout, /done: 3 of 3 read/, 'brackets inside a string are the string\'s');
});

test('the admin API resumes a stopped import like a new one, and refuses what it cannot run', async () => {
  const token = 'admin-secret-for-imports';
  const { webs } = await leadsBehindTheCursor('api', 5, 0, `admin:\n  listen: 127.0.0.1:0\n  token: ${token}\n`);
  await pair.sync();
  // an import left running: its process was killed after a page
  const { run: killed } = await importHeld(2000, 5);
  killed.child.kill('SIGKILL');
  await killed.done;
  let [job] = await imports();
  assert.equal(job.state, 'running');

  const run = await pair.runAdmin(token);
  try {
    // every query held 2 s: the resumed import holds its slot while the rest is asked
    let r = await run.api('POST', '/api/v1/imports/1/resume');
    assert.equal(r.status, 202, JSON.stringify(r.body));
    assert.equal(r.body.id, 1);
    assert.equal(r.body.state, 'running');
    r = await run.api('POST', '/api/v1/imports/1/resume');
    assert.equal(r.status, 409, 'it runs on the API already');
    const starts = await Promise.all(
      [0, 1, 2, 3].map(() => run.api('POST', '/api/v1/imports', { body: { system: 'salesforce', object: 'Lead' } })),
    );
    assert.deepEqual(starts.map((x) => x.status).sort(), [202, 202, 202, 409], 'three more slots, then none');
    assert.match(starts.find((x) => x.status === 409).body.error.message, /4 imports are running already.*nothing was stored/);
    assert.equal((await imports()).length, 4, 'the refused start stored no job');
    await clearFaults(pair);
    const ids = [1, ...starts.filter((x) => x.status === 202).map((x) => x.body.id)];
    const allDone = async () => {
      for (const id of ids) if ((await run.api('GET', `/api/v1/imports/${id}`)).body.state !== 'done') return false;
      return true;
    };
    const end = Date.now() + 30000;
    while (!(await allDone())) {
      assert.ok(Date.now() < end, JSON.stringify(await imports()));
      await sleep(100);
    }
    r = await run.api('GET', '/api/v1/imports/1');
    assert.deepEqual([r.body.read, r.body.queued, r.body.total], [5, 5, 5], 'the resume read the rest once');
    r = await run.api('POST', '/api/v1/imports/1/resume');
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, /import 1 is done/);
    r = await run.api('POST', '/api/v1/imports/99/resume');
    assert.equal(r.status, 404);
    // one cancelled while its page is held cannot be resumed either
    await setFaults(pair, 'sf', { latency_ms: 2000, path_prefix: '/services/data/v62.0/query' });
    r = await run.api('POST', '/api/v1/imports', { body: { system: 'salesforce', object: 'Lead' } });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    const last = r.body.id;
    assert.equal((await run.api('POST', `/api/v1/imports/${last}/cancel`)).status, 200);
    r = await run.api('POST', `/api/v1/imports/${last}/resume`);
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, /is cancelled/);
    await clearFaults(pair);
  } finally {
    run.child.kill('SIGTERM');
    const r = await run.done;
    assert.equal(r.code, 0, r.stderr);
  }
  await pair.sync();
  const contacts = (await pair.hs.all('contacts')).filter((c) => !c.archived);
  for (const w of webs) assert.equal(contacts.filter((c) => c.properties.email === w.email).length, 1, `${w.email} once`);
});

test('a HubSpot list resync reads its members in pages with one batch read each and plans every one again', async () => {
  await pair.reset();
  const anchor = await pair.hs.create('contacts', { email: 'list-anchor@example.com', lastname: 'Anchor', company: 'Anchor Co' });
  await pair.sync();
  await setClock('hs', -2 * HOUR);
  const members = [];
  for (let i = 0; i < 3; i++)
    members.push(await pair.hs.create('contacts', { email: `list${i}@example.com`, lastname: `List${i}`, company: 'Listed' }));
  const outsider = await pair.hs.create('contacts', { email: 'outsider@example.com', lastname: 'Outside' });
  await setClock('hs', 0);
  await pair.sync();
  assert.equal((await pair.sf.live('Lead')).length, 1, 'contacts behind the cursor are not captured');

  const made = await pair.hs.api('POST', '/crm/v3/lists', { name: 'Backfill', objectTypeId: '0-1', processingType: 'MANUAL' });
  assert.equal(made.status, 200, JSON.stringify(made.body));
  const listId = made.body.list.listId;
  const added = await pair.hs.api('PUT', `/crm/v3/lists/${listId}/memberships/add`, [...members, anchor]);
  assert.equal(added.status, 200, JSON.stringify(added.body));
  assert.ok(outsider);

  await pair.resetStats();
  const r = await pair.crmsync('import', 'hubspot-list', listId, '--page', '2');
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, new RegExp(`^import 1: hubspot list ${listId}, 4 to read$`, 'm'));
  assert.match(r.stdout, /done: 4 of 4 read \(100\.0%\), 4 queued/);
  const hs = await pair.hs.emu.control('GET', '/__emu/stats');
  assert.equal(callsTo(hs, 'GET /crm/v3/lists/{listId}'), 1);
  assert.equal(callsTo(hs, 'GET /crm/v3/lists/{listId}/memberships'), 2, 'pages of 2 and 2');
  assert.equal(callsTo(hs, 'POST /crm/v3/objects/{objectType}/batch/read'), 2, 'one batch read per page');
  assert.equal(hs.calls.total, 5);
  const [job] = await imports();
  assert.deepEqual(job.what, { system: 'hubspot', object: 'contacts', list_id: listId });

  const planned = (await pair.explain('hubspot', 'contacts', anchor, '--json')).decisions.length;
  await pair.sync();
  const leads = new Set((await pair.sf.live('Lead')).map((l) => l.Email));
  for (let i = 0; i < 3; i++) assert.ok(leads.has(`list${i}@example.com`), `member ${i} synced`);
  assert.ok(!leads.has('outsider@example.com'), 'not a member: not read');
  assert.equal(leads.size, 4);
  const x = await pair.explain('hubspot', 'contacts', anchor, '--json');
  assert.equal(x.decisions.length, planned + 1, 'the member synced already was planned again');
  assert.match(x.decisions[0].trace, /echo|agree|nothing/i, x.decisions[0].trace);

  const missing = await pair.crmsync('import', 'hubspot-list', '999999');
  refused(missing);
  assert.match(missing.stderr, /HubSpot: .*List 999999 does not exist/);
});
