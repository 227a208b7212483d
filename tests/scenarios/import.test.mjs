// Imports (backfill): records capture never saw (made with timestamps behind the cursor, with
// the emulators' clock set back) are not synced by `sync --once`; `crmsync import` reads them in
// pages (SOQL with the filter ordered by Id; a HubSpot list's members and one batch read per
// page), queues them in the inbox as capture would, and the next `sync --once` syncs them. A bad
// filter is refused with Salesforce's own message and queues nothing, and one that would close
// the page query's brackets is refused before anything is asked; an import killed after a page
// resumes without reading or queueing anything twice, and a second run of an import that still
// runs stops without queueing the page the first run stored. Contact, Account and Opportunity
// imports with a filter bring over exactly what they select (HubSpot gets those records, and
// only those Salesforce records are linked); while an import runs, its progress shows the rate
// and the time left, on the CLI's lines and in the admin API.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { callsTo, clearFaults, setFaults, sleep, startPair, stopped } from './lib/pair.mjs';
import { newBusinessPipeline } from './lib/deals.mjs';

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

test('an import started through the admin API reads in the page size it asks for; a bad page size is a 400 and stores nothing', async () => {
  const token = 'admin-secret-for-pages';
  await leadsBehindTheCursor('pg', 7, 2, `admin:\n  listen: 127.0.0.1:0\n  token: ${token}\n`);
  const run = await pair.runAdmin(token);
  try {
    for (const page of [0, 2001, 'ten', 2.5]) {
      const bad = await run.api('POST', '/api/v1/imports', { body: { system: 'salesforce', object: 'Lead', page } });
      assert.equal(bad.status, 400, `page ${page}`);
      assert.match(bad.body.error.message, /^page: expected a whole number of records per page from 1 to 2000/);
    }
    assert.deepEqual(await imports(), [], 'nothing stored');
    await pair.resetStats();
    const r = await run.api('POST', '/api/v1/imports', {
      body: { system: 'salesforce', object: 'Lead', where: "LeadSource = 'Web'", page: 3 },
    });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    const end = Date.now() + 20000;
    let job;
    while ((job = (await run.api('GET', `/api/v1/imports/${r.body.id}`)).body).state !== 'done') {
      assert.ok(Date.now() < end, JSON.stringify(job));
      await sleep(100);
    }
    assert.deepEqual([job.read, job.queued, job.total], [8, 8, 8]);
    assert.equal(callsTo((await pair.stats()).sf, SF_QUERY), 1 + 3, 'one COUNT() and pages of 3, 3 and 2');
  } finally {
    await stopped(run);
  }
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

// An import run to its end: its first line names what and how many, its last that all of them
// were read and queued.
async function imported(object, where, total) {
  const r = await pair.crmsync('import', 'salesforce', object, '--where', where, '--page', '2');
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const esc = where.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  assert.match(r.stdout, new RegExp(`^import \\d+: salesforce ${object} where ${esc}, ${total} to read$`, 'm'));
  assert.match(r.stdout, new RegExp(`done: ${total} of ${total} read \\(100\\.0%\\), ${total} queued`));
}

// The store's link of a Salesforce record (null when it has none).
async function linkOf(object, id) {
  return (await pair.explain('salesforce', object, id, '--json')).link || null;
}

test('Contact, Account and Opportunity imports with a filter bring over exactly the records they select', async () => {
  await pair.reset();
  await newBusinessPipeline(pair);
  // an anchor of each object, synced, so each object's cursor stands now
  await pair.sf.create('Contact', { LastName: 'Anchor', Email: 'coa-anchor@example.com' });
  await pair.sf.create('Account', { Name: 'Anchor Looms' });
  await pair.sf.create('Opportunity', { Name: 'Anchor deal', StageName: 'Prospecting', CloseDate: '2027-03-01' });
  await pair.sync();
  await setClock('sf', -2 * HOUR);
  const made = { Contact: { keep: [], skip: [] }, Account: { keep: [], skip: [] }, Opportunity: { keep: [], skip: [] } };
  for (const [i, side] of [[0, 'keep'], [1, 'keep'], [2, 'keep'], [3, 'skip'], [4, 'skip']]) {
    const name = side === 'keep' ? `Keep${i}` : `Skip${i}`;
    made.Contact[side].push({
      email: `coa-${name.toLowerCase()}@example.com`,
      id: await pair.sf.create('Contact', { LastName: name, Email: `coa-${name.toLowerCase()}@example.com` }),
    });
    made.Account[side].push({ name: `${name} Looms`, id: await pair.sf.create('Account', { Name: `${name} Looms` }) });
    made.Opportunity[side].push({
      name: `${name} deal`,
      id: await pair.sf.create('Opportunity', {
        Name: `${name} deal`,
        StageName: side === 'keep' ? 'Qualification' : 'Prospecting',
        CloseDate: '2027-03-01',
      }),
    });
  }
  await setClock('sf', 0);
  await pair.sync();
  const live = async (type) => (await pair.hs.all(type)).filter((r) => !r.archived);
  for (const type of ['contacts', 'companies', 'deals'])
    assert.equal((await live(type)).length, 1, `behind the cursor: only the anchor of ${type} synced`);

  await pair.resetStats();
  await imported('Contact', "LastName LIKE 'Keep%'", 3);
  await imported('Account', "Name LIKE 'Keep%'", 3);
  await imported('Opportunity', "StageName = 'Qualification'", 3);
  assert.deepEqual(await pair.writes(), { hs: 0, sf: 0 }, 'an import writes nothing');
  const jobs = await imports();
  assert.deepEqual(
    jobs.map((j) => [j.what.object, j.state, j.total, j.read, j.queued]).sort(),
    [['Account', 'done', 3, 3, 3], ['Contact', 'done', 3, 3, 3], ['Opportunity', 'done', 3, 3, 3]],
  );
  assert.equal((await pair.status()).inbox.waiting, 9);

  await pair.sync();
  // HubSpot: the selected records, and none of the others
  const contacts = (await live('contacts')).map((c) => c.properties.email).sort();
  assert.deepEqual(contacts, ['coa-anchor@example.com', ...made.Contact.keep.map((c) => c.email)].sort());
  assert.deepEqual(
    (await live('companies')).map((c) => c.properties.name).sort(),
    ['Anchor Looms', ...made.Account.keep.map((a) => a.name)].sort(),
  );
  assert.deepEqual(
    (await live('deals')).map((d) => d.properties.dealname).sort(),
    ['Anchor deal', ...made.Opportunity.keep.map((o) => o.name)].sort(),
  );
  // Salesforce: each selected record is linked to its HubSpot twin, the others have no link,
  // and nothing was made or doubled there
  const hsIds = {
    Contact: new Map((await live('contacts')).map((c) => [c.properties.email, c.id])),
    Account: new Map((await live('companies')).map((c) => [c.properties.name, c.id])),
    Opportunity: new Map((await live('deals')).map((d) => [d.properties.dealname, d.id])),
  };
  for (const object of ['Contact', 'Account', 'Opportunity']) {
    for (const rec of made[object].keep) {
      const l = await linkOf(object, rec.id);
      assert.equal(l?.state, 'LINKED', `${object} ${rec.id}: ${JSON.stringify(l)}`);
      assert.equal(l.hubspot_id, hsIds[object].get(rec.email || rec.name), `${object} ${rec.id} is paired with its own HubSpot record`);
    }
    for (const rec of made[object].skip) assert.equal(await linkOf(object, rec.id), null, `${object} ${rec.id} was not selected`);
    assert.equal((await pair.sf.live(object)).length, 1 + 5, `no ${object} was made in Salesforce`);
  }
  const st = await pair.status();
  assert.equal(st.inbox.waiting, 0);
  assert.deepEqual(st.errors, {}, 'no open sync errors');
});

// The time left a progress shows agrees with its rate: the rest of the total at that rate (the
// rate shown is rounded to a tenth, the time left whole seconds up).
function etaAgrees(total, read, rate, eta, where) {
  assert.ok(rate > 0, `${where}: a rate once a page is read`);
  assert.ok(Number.isInteger(eta) && eta >= 1, `${where}: some whole seconds left, not ${eta}`);
  assert.ok(Math.abs(eta - (total - read) / rate) <= 1, `${where}: ${eta} s left for ${total - read} at ${rate}/s`);
}

test('progress shows the rate and the time left while an import runs, in the CLI and the API', async () => {
  const token = 'admin-secret-for-progress';
  await pair.reset(`admin:\n  listen: 127.0.0.1:0\n  token: ${token}\n`, { logLevel: 'info' });
  for (let i = 0; i < 8; i++)
    await pair.sf.create('Lead', { LastName: `Rate${i}`, Company: 'Rate Co', Email: `rate${i}@example.com`, LeadSource: 'Web' });
  await pair.sf.create('Lead', { LastName: 'Other', Company: 'Rate Co', Email: 'rate-other@example.com', LeadSource: 'Phone' });
  const run = await pair.runAdmin(token);
  const samples = [];
  let cli;
  try {
    // every query held 400 ms: pages of 2 come at 5 records/s at most
    await setFaults(pair, 'sf', { latency_ms: 400, path_prefix: '/services/data/v62.0/query' });
    const imp = pair.spawn('import', 'salesforce', 'Lead', '--where', "LeadSource = 'Web'", '--page', '2');
    const end = Date.now() + 30000;
    while (imp.child.exitCode === null) {
      assert.ok(Date.now() < end, 'the import ends');
      const r = await run.api('GET', '/api/v1/imports/1');
      if (r.status === 200) samples.push(r.body);
      await sleep(50);
    }
    cli = await imp.done;
    samples.push((await run.api('GET', '/api/v1/imports/1')).body);
  } finally {
    await clearFaults(pair);
    await stopped(run);
  }
  assert.equal(cli.code, 0, cli.stderr + cli.stdout);

  // the CLI: a line per page with its rate and time left, then the outcome with the rate
  const lines = [...cli.stdout.matchAll(/^import 1: (\d) of 8 read \(\d+\.\d%\), \d queued(.*)$/gm)];
  assert.ok(lines.length >= 3, `a line per page:\n${cli.stdout}`);
  for (const [line, read, rest] of lines.filter((l) => Number(l[1]) < 8)) {
    const m = /^, (\d+\.\d) records\/s, about (\d+) s left$/.exec(rest);
    assert.ok(m, `rate and time left on: ${line}`);
    assert.ok(Number(m[1]) <= 5.05, `no faster than the held queries allow: ${line}`);
    etaAgrees(8, Number(read), Number(m[1]), Number(m[2]), line);
  }
  assert.match(cli.stdout, /^import 1 \(salesforce Lead where LeadSource = 'Web'\) done: 8 of 8 read \(100\.0%\), 8 queued, \d+\.\d records\/s$/m);

  // the API, polled while it ran: the same figures
  const mid = samples.filter((s) => s.state === 'running' && s.read > 0 && s.read < s.total);
  assert.ok(mid.length >= 2, `the API showed the import between pages: ${JSON.stringify(samples.map((s) => [s.state, s.read]))}`);
  for (const s of mid) {
    assert.equal(s.total, 8);
    assert.equal(s.done_percent, Math.round((1000 * s.read) / 8) / 10);
    assert.ok(s.rate_per_s <= 5.05, JSON.stringify(s));
    etaAgrees(8, s.read, s.rate_per_s, s.eta_s, JSON.stringify(s));
  }
  const last = samples.at(-1);
  assert.deepEqual([last.state, last.read, last.eta_s], ['done', 8, 0], JSON.stringify(last));
  assert.ok(last.rate_per_s > 0 && last.rate_per_s <= 5.05, JSON.stringify(last));
});
