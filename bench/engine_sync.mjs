// Engine benchmark: an initial sync of N people plus companies and deals, then an idle cycle.
//
//   node bench/engine_sync.mjs [N] [--bin DIR] [--people-only]
//                              (N defaults to 2000; DIR to $CRMSYNC_BIN_DIR or build/bin)
//
// Starts emu-hubspot and emu-salesforce (rate limits off) on free loopback ports and creates, with
// distinct names and e-mails: N HubSpot contacts (batch creates, 100 per call) and N Salesforce
// leads (Collections creates, 200 per call); unless --people-only, also N/10 HubSpot companies
// (each with up to 5 of the contacts) and N/10 Salesforce accounts, and N/10 HubSpot deals (in a
// "New Business" pipeline whose stages carry Salesforce's stage names, each on a company) and N/10
// Salesforce opportunities (each on an account). New HubSpot contacts become Salesforce contacts
// (new_record_type: contact), so companies create accounts. It zeroes the emulators' call counters,
// then runs `crmsync sync --once` from an empty store (every record is created on the other side:
// 2(N + N/10 + N/10) synced records) and a second `sync --once` (the idle cycle). It prints wall time, records/s, API calls per
// synced record on each side (from /__emu/stats), crmsync's peak resident memory and the idle
// cycle's calls and time, then stops both emulators. Each crmsync run is killed after 5 minutes or 30 ms per person, whichever is longer.
// Not part of `make check`; see bench/README.md.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const defaultBinDir = process.env.CRMSYNC_BIN_DIR || path.resolve(here, '../build/bin');

const PAT = 'pat-na1-crmsync-demo';
const SF_VERSION = 'v62.0';
const runTimeoutMs = (n) => Math.max(300000, n * 30); // 5 min, or 30 ms per person
const TIME_BIN = '/usr/bin/time';

function parseArgs(argv) {
  const opts = { n: 2000, bin: defaultBinDir, peopleOnly: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--bin') opts.bin = path.resolve(argv[++i]);
    else if (argv[i] === '--people-only') opts.peopleOnly = true;
    else if (/^\d+$/.test(argv[i])) opts.n = Number(argv[i]);
    else throw new Error(`usage: node bench/engine_sync.mjs [N] [--bin DIR] [--people-only] (got "${argv[i]}")`);
  }
  if (opts.n < 1 || opts.n > 100000) throw new Error('N must be 1..100000');
  return opts;
}

async function call(url, method, headers, body) {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${url} -> ${res.status}: ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : null;
}

async function sfLogin(sf) {
  const res = await fetch(`${sf.url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: 'crmsync-demo',
      client_secret: 'crmsync-demo-secret',
      username: 'integration@crmsync.test',
      password: 'demo-passwordDEMOTOKEN',
    }),
  });
  const body = await res.json();
  if (!body.access_token) throw new Error(`Salesforce login failed: ${JSON.stringify(body)}`);
  return body.access_token;
}

// Runs fn(0..chunks-1) with at most `width` in flight.
async function inWaves(chunks, width, fn) {
  let next = 0;
  const worker = async () => {
    while (next < chunks) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(width, chunks) }, worker));
}

async function createHubspotContacts(hs, n) {
  const per = 100;
  const ids = new Array(n);
  await inWaves(Math.ceil(n / per), 4, async (c) => {
    const inputs = [];
    for (let i = c * per; i < Math.min(n, (c + 1) * per); i++) {
      inputs.push({
        properties: {
          email: `hs.person${i}@bench-hs.example`,
          firstname: `Hub${i}`,
          lastname: `Person${i}`,
          phone: `+1 415 555 ${String(i % 10000).padStart(4, '0')}`,
          company: `Hub Co ${i % 97}`,
          city: 'Boston',
        },
      });
    }
    const out = await call(`${hs.url}/crm/v3/objects/contacts/batch/create`, 'POST',
      { authorization: `Bearer ${PAT}` }, { inputs });
    for (const r of out.results) ids[Number(r.properties.email.match(/person(\d+)@/)[1])] = r.id;
  });
  return ids;
}

const hsAuth = { authorization: `Bearer ${PAT}` };

// Batch creates of 100; answers the new ids in input order (matched back by a unique property).
async function hubspotBatchCreate(hs, type, count, props, key) {
  const ids = new Array(count);
  await inWaves(Math.ceil(count / 100), 4, async (c) => {
    const inputs = [];
    for (let i = c * 100; i < Math.min(count, (c + 1) * 100); i++) inputs.push({ properties: props(i) });
    const out = await call(`${hs.url}/crm/v3/objects/${type}/batch/create`, 'POST', hsAuth, { inputs });
    const at = new Map(inputs.map((x, k) => [x.properties[key], c * 100 + k]));
    for (const r of out.results) ids[at.get(r.properties[key])] = r.id;
  });
  return ids;
}

async function hubspotAssociate(hs, from, to, pairs) {
  await inWaves(Math.ceil(pairs.length / 100), 4, async (c) => {
    const inputs = pairs.slice(c * 100, (c + 1) * 100).map(([a, b]) => ({ from: { id: a }, to: { id: b } }));
    await call(`${hs.url}/crm/v4/associations/${from}/${to}/batch/associate/default`, 'POST', hsAuth, { inputs });
  });
}

// N/10 companies (contact i belongs to company i % C while i < 5C) and N/10 deals on them, in a
// "New Business" pipeline whose stage labels are Salesforce's stage names.
async function createHubspotCompaniesAndDeals(hs, contactIds, c) {
  const companies = await hubspotBatchCreate(hs, 'companies', c, (k) => ({
    name: `Hub Company ${k}`,
    domain: `hub-company-${k}.bench-hs.example`,
    city: 'Boston',
  }), 'name');
  const members = [];
  for (let i = 0; i < Math.min(contactIds.length, 5 * c); i++) members.push([contactIds[i], companies[i % c]]);
  await hubspotAssociate(hs, 'contacts', 'companies', members);
  const pipeline = await call(`${hs.url}/crm/v3/pipelines/deals`, 'POST', hsAuth, {
    label: 'New Business',
    displayOrder: 1,
    stages: ['Prospecting', 'Qualification', 'Closed Won', 'Closed Lost'].map((label, k) => ({
      label,
      displayOrder: k,
      metadata: { probability: String([0.1, 0.3, 1, 0][k]), isClosed: String(k >= 2) },
    })),
  });
  const stage = pipeline.stages.find((x) => x.label === 'Qualification').id;
  const deals = await hubspotBatchCreate(hs, 'deals', c, (k) => ({
    dealname: `Hub Deal ${k}`,
    pipeline: pipeline.id,
    dealstage: stage,
    closedate: '2027-03-31T00:00:00.000Z',
    amount: String(1000 + k),
  }), 'dealname');
  await hubspotAssociate(hs, 'deals', 'companies', deals.map((d, k) => [d, companies[k]]));
}

// N/10 accounts and N/10 opportunities (record type New Business, one on each account).
async function createSalesforceAccountsAndOpportunities(sf, c) {
  const token = await sfLogin(sf);
  const auth = { authorization: `Bearer ${token}` };
  const accounts = new Array(c);
  await inWaves(Math.ceil(c / 200), 4, async (k) => {
    const records = [];
    for (let i = k * 200; i < Math.min(c, (k + 1) * 200); i++)
      records.push({ attributes: { type: 'Account' }, Name: `Force Account ${i}`, BillingCity: 'Denver' });
    const out = await call(`${sf.url}/services/data/${SF_VERSION}/composite/sobjects`, 'POST', auth, { allOrNone: true, records });
    out.forEach((r, j) => (accounts[k * 200 + j] = r.id));
  });
  const rt = (await sf.control('GET', '/__emu/records/RecordType')).records.find((r) => r.Name === 'New Business');
  await inWaves(Math.ceil(c / 200), 4, async (k) => {
    const records = [];
    for (let i = k * 200; i < Math.min(c, (k + 1) * 200); i++)
      records.push({
        attributes: { type: 'Opportunity' },
        Name: `Force Opportunity ${i}`,
        StageName: 'Prospecting',
        CloseDate: '2027-02-28',
        Amount: 2000 + i,
        AccountId: accounts[i],
        ...(rt ? { RecordTypeId: rt.Id } : {}),
      });
    const out = await call(`${sf.url}/services/data/${SF_VERSION}/composite/sobjects`, 'POST', auth, { allOrNone: true, records });
    const bad = out.filter((r) => !r.success);
    if (bad.length) throw new Error(`opportunity create failed: ${JSON.stringify(bad[0])}`);
  });
}

async function createSalesforceLeads(sf, n) {
  const token = await sfLogin(sf);
  const per = 200;
  await inWaves(Math.ceil(n / per), 4, async (c) => {
    const records = [];
    for (let i = c * per; i < Math.min(n, (c + 1) * per); i++) {
      records.push({
        attributes: { type: 'Lead' },
        Email: `sf.person${i}@bench-sf.example`,
        FirstName: `Sales${i}`,
        LastName: `Person${i}`,
        Company: `Force Co ${i % 89}`,
        Phone: `+1 212 555 ${String(i % 10000).padStart(4, '0')}`,
        City: 'Denver',
      });
    }
    const out = await call(`${sf.url}/services/data/${SF_VERSION}/composite/sobjects`, 'POST',
      { authorization: `Bearer ${token}` }, { allOrNone: true, records });
    const bad = out.filter((r) => !r.success);
    if (bad.length) throw new Error(`lead create failed: ${JSON.stringify(bad[0])}`);
  });
}

function configYaml(hs, sf, store, peopleOnly) {
  return `hubspot:
  base_url: ${hs.url}
  access_token: ${PAT}
  search_settle: 0s
salesforce:
  login_url: ${sf.url}
  client_id: crmsync-demo
  client_secret: crmsync-demo-secret
  username: integration@crmsync.test
  password: demo-password
  security_token: DEMOTOKEN
store: sqlite:${store}
poll_interval: 1s
log_level: warn
${peopleOnly ? '' : 'settings:\n  new_record_type: contact\n'}`;
}

// Peak RSS while the process runs, from /proc/<pid>/status (VmHWM), for when /usr/bin/time is absent.
function watchHwm(pid) {
  let kb = 0;
  const timer = setInterval(() => {
    try {
      const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmHWM:\s+(\d+) kB/);
      if (m) kb = Math.max(kb, Number(m[1]));
    } catch {
      /* gone */
    }
  }, 20);
  return () => {
    clearInterval(timer);
    return kb;
  };
}

// crmsync runs in its own process group (with /usr/bin/time above it): kill both.
function killGroup(child) {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

// One `crmsync --config FILE sync --once`: { ms, peakKb, summary }.
async function syncOnce(bin, configPath, children, n) {
  const crmsync = path.join(bin, 'crmsync');
  const useTime = fs.existsSync(TIME_BIN);
  const argv = ['--config', configPath, 'sync', '--once'];
  const t0 = process.hrtime.bigint();
  const child = useTime
    ? spawn(TIME_BIN, ['-v', crmsync, ...argv], { stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    : spawn(crmsync, argv, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.add(child);
  const stopWatch = useTime ? null : watchHwm(child.pid);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => {
    stderr += d;
    if (stderr.length > 1 << 20) stderr = stderr.slice(-(1 << 19));
  });
  const killer = setTimeout(() => killGroup(child), runTimeoutMs(n));
  const code = await new Promise((resolve) => child.on('exit', (c, s) => resolve(c ?? s)));
  clearTimeout(killer);
  children.delete(child);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const hwm = stopWatch ? stopWatch() : 0;
  if (code !== 0) throw new Error(`crmsync sync --once exited ${code}:\n${stderr.slice(-4000)}${stdout}`);
  let peakKb = hwm;
  let cpu = null;
  if (useTime) {
    const num = (re) => Number((stderr.match(re) || [0, 0])[1]);
    peakKb = num(/Maximum resident set size \(kbytes\): (\d+)/);
    cpu = num(/User time \(seconds\): ([\d.]+)/) + num(/System time \(seconds\): ([\d.]+)/);
  }
  const summary = (stdout.match(/^sync: .*$/m) || [stdout.trim()])[0];
  return { ms, peakKb, cpu, summary, via: useTime ? 'time -v' : 'VmHWM' };
}

async function stats(emu) {
  return emu.control('GET', '/__emu/stats');
}

function topEndpoints(s, k = 6) {
  return Object.entries(s.calls.by_endpoint)
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(([route, n]) => `    ${String(n).padStart(7)}  ${route}`)
    .join('\n');
}

const fmt = (x, d = 0) => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const n = opts.n;
  // The peer harness takes its binaries from CRMSYNC_BIN_DIR when it is first imported.
  process.env.CRMSYNC_BIN_DIR = opts.bin;
  const { startEmulator } = await import('../tests/peers/lib/emu.mjs');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crmsync-bench-'));
  const emus = [];
  const children = new Set();
  // On SIGINT/SIGTERM: stop crmsync and both emulators, remove the temp dir, exit.
  const onSignal = async (sig) => {
    for (const c of children) killGroup(c);
    for (const e of emus) await e.stop().catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const hs = await startEmulator('hubspot', ['--no-limits']);
    emus.push(hs);
    const sf = await startEmulator('salesforce', ['--no-limits']);
    emus.push(sf);

    const tSetup = Date.now();
    const c = opts.peopleOnly ? 0 : Math.ceil(n / 10);
    const [contactIds] = await Promise.all([createHubspotContacts(hs, n), createSalesforceLeads(sf, n)]);
    if (c) {
      await createHubspotCompaniesAndDeals(hs, contactIds, c);
      await createSalesforceAccountsAndOpportunities(sf, c);
    }
    const before = { hs: await stats(hs), sf: await stats(sf) };
    if (before.hs.records.contacts !== n || before.sf.records.Lead !== n)
      throw new Error(`setup made ${before.hs.records.contacts} contacts, ${before.sf.records.Lead} leads`);
    const base = { hsCompanies: before.hs.records.companies || 0, hsDeals: before.hs.records.deals || 0,
      sfAccounts: before.sf.records.Account || 0, sfOpps: before.sf.records.Opportunity || 0 };
    console.log(`# setup: ${n} HubSpot contacts, ${n} Salesforce leads, ${c} companies, accounts, deals and opportunities each in ${Date.now() - tSetup} ms`);

    const configPath = path.join(dir, 'crmsync.yaml');
    fs.writeFileSync(configPath, configYaml(hs, sf, path.join(dir, 'crmsync.db'), opts.peopleOnly));
    await Promise.all([hs.control('POST', '/__emu/stats/reset'), sf.control('POST', '/__emu/stats/reset')]);

    const first = await syncOnce(opts.bin, configPath, children, opts.n);
    const afterFirst = { hs: await stats(hs), sf: await stats(sf) };
    const synced = 2 * n + 4 * c;
    const gotHs = afterFirst.hs.records.contacts;
    const gotSf = afterFirst.sf.records.Lead + (afterFirst.sf.records.Contact || 0);
    const got = {
      companies: (afterFirst.hs.records.companies || 0) - base.hsCompanies + c,
      accounts: (afterFirst.sf.records.Account || 0) - base.sfAccounts + c,
      deals: (afterFirst.hs.records.deals || 0) - base.hsDeals + c,
      opportunities: (afterFirst.sf.records.Opportunity || 0) - base.sfOpps + c,
    };
    const complete = gotHs === 2 * n && gotSf === 2 * n &&
      Object.values(got).every((v) => v === 2 * c);

    await Promise.all([hs.control('POST', '/__emu/stats/reset'), sf.control('POST', '/__emu/stats/reset')]);
    const idle = await syncOnce(opts.bin, configPath, children, opts.n);
    const afterIdle = { hs: await stats(hs), sf: await stats(sf) };

    const hsCalls = afterFirst.hs.calls.total;
    const sfCalls = afterFirst.sf.calls.total;
    console.log(`# N = ${n}: ${n} HubSpot contacts + ${n} Salesforce leads, ${c} of each company/account/deal/opportunity -> ${synced} synced records`);
    console.log(`initial sync: ${fmt(first.ms / 1000, 2)} s wall, ${fmt(synced / (first.ms / 1000))} records/s`);
    console.log(`  ${first.summary}`);
    console.log(`  after: HubSpot contacts ${gotHs}, Salesforce leads+contacts ${gotSf} (expected ${2 * n} each)` +
      (c ? `; companies ${got.companies}, accounts ${got.accounts}, deals ${got.deals}, opportunities ${got.opportunities} (expected ${2 * c} each)` : '') +
      `: ${complete ? 'complete' : 'INCOMPLETE'}`);
    console.log(`  Salesforce API calls: ${sfCalls} total, ${fmt(sfCalls / synced, 4)} per synced record`);
    console.log(topEndpoints(afterFirst.sf));
    console.log(`  HubSpot API calls: ${hsCalls} total, ${fmt(hsCalls / synced, 4)} per synced record`);
    console.log(topEndpoints(afterFirst.hs));
    console.log(`  crmsync peak RSS: ${fmt(first.peakKb / 1024, 1)} MiB (${first.via})` +
      (first.cpu === null ? '' : `, CPU (user+sys) ${fmt(first.cpu, 2)} s`));
    console.log(`idle cycle: ${fmt(idle.ms / 1000, 2)} s wall, Salesforce ${afterIdle.sf.calls.total} calls, HubSpot ${afterIdle.hs.calls.total} calls, peak RSS ${fmt(idle.peakKb / 1024, 1)} MiB`);
    console.log(`  ${idle.summary}`);
    console.log(topEndpoints(afterIdle.sf));
    console.log(topEndpoints(afterIdle.hs));
    if (!complete) process.exitCode = 1;
  } finally {
    for (const e of emus) await e.stop().catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e.stack || String(e));
  process.exit(1);
});
