// The crmsync command line: `run` syncs until SIGTERM, `status` and `explain` say what the store
// holds in words, and bad usage or a bad configuration exits 2 with every problem named.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startPair } from './lib/pair.mjs';

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

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what, fn, ms = 30000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

test('run keeps syncing every poll_interval until SIGTERM, then exits 0', async () => {
  fs.writeFileSync(
    pair.configPath,
    fs.readFileSync(pair.configPath, 'utf8').replace('poll_interval: 1s', 'poll_interval: 200ms'),
  );
  const run = pair.spawn('run');
  try {
    const id = await pair.hs.create('contacts', { email: 'live@example.com', lastname: 'Live', company: 'Now' });
    const lead = await waitFor('the lead', async () =>
      (await pair.sf.live('Lead')).find((l) => l.Email === 'live@example.com'),
    );
    await pair.sf.update('Lead', lead.Id, { Title: 'Operator' });
    await waitFor('the title in HubSpot', async () => (await pair.hs.get('contacts', id)).properties.jobtitle === 'Operator');
  } finally {
    run.child.kill('SIGTERM');
  }
  const r = await run.done;
  assert.equal(r.code, 0, r.stderr);
});

test('poll_interval and log_level are settings: changed while run waits, they apply without a restart', async () => {
  await pair.reset('', { logLevel: 'info' });
  fs.writeFileSync(
    pair.configPath,
    fs.readFileSync(pair.configPath, 'utf8').replace('poll_interval: 1s', 'poll_interval: 1h'),
  );
  let r = await pair.crmsync('settings', 'get', 'poll_interval');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^poll_interval +1h +\(file\)$/m);
  const run = pair.spawn('run');
  try {
    await waitFor('the first pass', async () => /syncing every 3600000 ms/.test(run.stderr()));
    await sleep(500);
    await pair.hs.create('contacts', { email: 'later@example.com', lastname: 'Later', company: 'Wait' });
    await sleep(3000);
    assert.equal((await pair.sf.live('Lead')).length, 0, 'an hour between passes: nothing synced yet');
    // another process shortens the wait under way; no restart, no admin API to wake the loop
    r = await pair.crmsync('settings', 'set', 'poll_interval', '300ms');
    assert.equal(r.code, 0, r.stderr);
    await waitFor('the lead', async () =>
      (await pair.sf.live('Lead')).find((l) => l.Email === 'later@example.com'),
    );
    assert.match(run.stderr(), /poll_interval is now 300ms \(was 1h\)/);
    assert.doesNotMatch(run.stderr(), /DEBUG/);
    r = await pair.crmsync('settings', 'set', 'log_level', 'debug');
    assert.equal(r.code, 0, r.stderr);
    await waitFor('a debug line', async () => /DEBUG/.test(run.stderr()));
    assert.match(run.stderr(), /log_level is now debug \(was info\)/);
    r = await pair.crmsync('settings', 'set', 'log_level', 'chatty');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /log_level: 'chatty' is not one of: debug, info, warn, error/);
    r = await pair.crmsync('settings', 'set', 'poll_interval', '50ms');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /poll_interval: 50ms is below the minimum \(100ms\)/);
  } finally {
    run.child.kill('SIGTERM');
  }
  r = await run.done;
  assert.equal(r.code, 0, r.stderr);
});

test('sync --once waits until HubSpot search has settled past its start', async () => {
  fs.writeFileSync(
    pair.configPath,
    fs.readFileSync(pair.configPath, 'utf8').replace('search_settle: 0s', 'search_settle: 1500ms'),
  );
  // search lags writes by 1 s, as HubSpot's index does; the engine waits its 1.5 s settle
  await pair.hs.emu.control('PUT', '/__emu/settings', { search_lag_ms: 1000 });
  await pair.hs.create('contacts', { email: 'fresh@example.com', lastname: 'Fresh', company: 'New' });
  const started = Date.now();
  await pair.sync();
  assert.ok(Date.now() - started >= 1500, 'it waited for the settle');
  assert.ok((await pair.sf.live('Lead')).find((l) => l.Email === 'fresh@example.com'));
});

test('status shows links by state, pending work, open errors and API usage', async () => {
  await pair.hs.create('contacts', { email: 'a@example.com', lastname: 'A', company: 'X' });
  await pair.hs.create('contacts', { lastname: 'No Email' });
  let r = await pair.crmsync('status');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^crmsync \d+\.\d+\.\d+, store sqlite schema \d+; sync on\n/);
  assert.match(r.stdout, /links\n {2}\(none yet\)/);
  await pair.sync();
  r = await pair.crmsync('status');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /contact: PENDING_CREATE 0, LINKED 1, FAILED 0, DETACHED 0, DELETED 0/);
  assert.match(r.stdout, /inbox\n {2}0 changes waiting to be planned/);
  assert.match(r.stdout, /outbox\n {2}0 waiting, 0 claimed/);
  assert.match(r.stdout, /no_email +1/);
  assert.match(r.stdout, /hubspot +daily \d+ of 625000/);
  assert.match(r.stdout, /salesforce +daily \d+ of 100000/);
  const st = await pair.status();
  assert.ok(st.api_usage.salesforce.daily.used > 0);
  assert.equal(st.api_usage.salesforce.daily.limit, 100000);
});

test('explain tells a record\'s link, ledger and decisions in words', async () => {
  const id = await pair.hs.create('contacts', { email: 'why@example.com', lastname: 'Why', company: 'Because' });
  await pair.sync();
  const [lead] = await pair.sf.live('Lead');
  const text = await pair.explain('hubspot', 'contacts', id);
  assert.match(text, new RegExp(`^hubspot contacts ${id}\\n`));
  assert.match(text, new RegExp(`link L[0-9a-f]{24} \\(contact\\): LINKED`));
  assert.match(text, new RegExp(`salesforce +Lead ${lead.Id}`));
  assert.match(text, /lastname +Why +by hubspot/);
  assert.match(text, /create_sf\n.*no Salesforce lead or contact has email why@example\.com/);
  assert.match(text, /creates Salesforce Lead with \d+ fields \(an upsert on link id L[0-9a-f]{24}\)/);
  // a 15-character Salesforce id names the same record
  const fromSf = await pair.explain('salesforce', 'Lead', lead.Id.slice(0, 15), '--json');
  assert.equal(fromSf.link.hubspot_id, id);
  const none = await pair.explain('hubspot', 'contacts', '123', '--json');
  assert.equal(none.link, null);
  assert.deepEqual(none.decisions, []);
});

test('bad usage and bad configuration exit 2 and say what is wrong', async () => {
  let r = await pair.crmsync('frobnicate');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /'frobnicate' is not a crmsync command/);
  r = await pair.crmsync('explain', 'hubspot', 'contacts');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /usage: crmsync explain/);
  r = await pair.crmsync('sync', '--twice');
  assert.equal(r.code, 2);
  const bad = path.join(pair.dir, 'bad.yaml');
  fs.writeFileSync(bad, 'hubspot:\n  base_url: ftp://nowhere\nsalesforce:\n  client_id: x\npoll_interval: 30\n');
  const saved = pair.configPath;
  pair.configPath = bad;
  r = await pair.crmsync('sync', '--once');
  pair.configPath = saved;
  assert.equal(r.code, 2);
  assert.match(r.stderr, /bad\.yaml:2: hubspot\.base_url: 'ftp:\/\/nowhere' is not an http/);
  assert.match(r.stderr, /poll_interval: '30' is not a duration/);
  assert.match(r.stderr, /salesforce\.client_secret: missing/);
});

test('with salesforce.grant client_credentials, crmsync signs in as the connected app and syncs', async () => {
  const yaml = fs
    .readFileSync(pair.configPath, 'utf8')
    .replace(/^  (username|password|security_token):.*\n/gm, '')
    .replace('  client_secret: crmsync-demo-secret\n', '  client_secret: crmsync-demo-secret\n  grant: client_credentials\n');
  assert.doesNotMatch(yaml, /username|password/);
  fs.writeFileSync(pair.configPath, yaml);
  await pair.hs.create('contacts', { email: 'cc@grant.example', lastname: 'Grant', company: 'Flow Co' });
  await pair.sync();
  const leads = (await pair.sf.live('Lead')).filter((l) => l.Email === 'cc@grant.example');
  assert.equal(leads.length, 1);
  const { sf } = await pair.stats();
  assert.equal(sf.calls.by_endpoint['POST /services/oauth2/token'], 1, 'one sign-in');
});
