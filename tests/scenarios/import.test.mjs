// Imports (backfill): records capture never saw (made with timestamps behind the cursor, with
// the emulators' clock set back) are not synced by `sync --once`; `crmsync import` reads them in
// pages (SOQL with the filter ordered by Id; a HubSpot list's members and one batch read per
// page), queues them in the inbox as capture would, and the next `sync --once` syncs them. A bad
// filter is refused with Salesforce's own message and queues nothing; an import killed after its
// first page resumes without reading or queueing anything twice.
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
async function leadsBehindTheCursor(prefix, nWeb, nPhone) {
  await pair.reset();
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
  const other = await pair.crmsync('import', 'salesforce', 'Case');
  assert.equal(other.code, 2);
  assert.match(other.stderr, /Lead, Contact, Account or Opportunity, not 'Case'/);
  assert.deepEqual(await imports(), [], 'no job was stored');
  assert.equal((await pair.status()).inbox.waiting, 0);
  assert.equal(callsTo(await pair.sf.emu.control('GET', '/__emu/stats'), SF_QUERY), 2, 'only the two COUNT() checks');
});

test('an import killed after its first page resumes where it stopped and reads nothing twice', async () => {
  const { webs } = await leadsBehindTheCursor('kill', 8, 2);
  await pair.sync();
  // each query takes a while, so the kill lands between pages
  await setFaults(pair, 'sf', { latency_ms: 400, path_prefix: '/services/data/v62.0/query' });
  const run = pair.spawn('import', 'salesforce', 'Lead', '--where', "LeadSource = 'Web' AND Email != null", '--page', '2');
  let out = '';
  run.child.stdout.on('data', (d) => (out += d));
  const end = Date.now() + 20000;
  while (!/^import 1: 2 of 8 read/m.test(out)) {
    assert.ok(Date.now() < end && run.child.exitCode === null, `the first page is reported:\n${out}${run.stderr()}`);
    await sleep(5);
  }
  run.child.kill('SIGKILL');
  await run.done;
  await clearFaults(pair);
  let [job] = await imports();
  assert.equal(job.state, 'running', 'killed: nothing finished it');
  assert.equal(job.read, 2);
  assert.equal(job.queued, 2);
  assert.equal(job.done_percent, 25);

  await pair.resetStats();
  const r = await pair.crmsync('import', 'resume', String(job.id), '--page', '2');
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /^import 1: 4 of 8 read \(50\.0%\), 4 queued/m);
  [job] = await imports();
  assert.equal(job.state, 'done');
  assert.equal(job.read, 8, 'the first page was not read again');
  assert.equal(job.queued, 8);
  const q = callsTo(await pair.sf.emu.control('GET', '/__emu/stats'), SF_QUERY);
  assert.ok(q >= 3 && q <= 4, `three pages of 2 (and an empty one that ends it): ${q} queries`);
  const again = await pair.crmsync('import', 'resume', String(job.id));
  refused(again);
  assert.match(again.stderr, /import 1 is done already/);

  await pair.sync();
  const contacts = (await pair.hs.all('contacts')).filter((c) => !c.archived);
  for (const w of webs) assert.equal(contacts.filter((c) => c.properties.email === w.email).length, 1, `${w.email} once`);
  assert.equal(contacts.length, 1 + webs.length);
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
