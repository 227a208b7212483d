// Scenario harness: both emulators, a crmsync.yaml in a temp dir, and the real crmsync binary.
//
//   const pair = await startPair();          // emu-hubspot and emu-salesforce on free ports
//   await pair.reset();                      // fresh portal and org, a new store and config
//   await pair.hs.create('contacts', { email: 'ada@example.com', lastname: 'Lovelace' });
//   const r = await pair.crmsync('sync', '--once');   // { code, stdout, stderr }
//   await pair.stop();
//
// HubSpot records are made and edited through /__emu/records (as a user in HubSpot's UI would);
// Salesforce records through the REST API as the integration user (tests reset the call
// counters after setting up, so the counts they check are the engine's alone).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { binDir, startEmulator } from '../../peers/lib/emu.mjs';

export const PAT = 'pat-na1-crmsync-demo';
const SF_VERSION = 'v62.0';
const SF_CREDS = {
  client_id: 'crmsync-demo',
  client_secret: 'crmsync-demo-secret',
  username: 'integration@crmsync.test',
  password: 'demo-passwordDEMOTOKEN',
};

async function json(res) {
  const text = await res.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  return { status: res.status, body };
}

function hubspot(emu) {
  const api = async (method, p, body) =>
    json(
      await fetch(emu.url + p, {
        method,
        headers: { authorization: `Bearer ${PAT}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    );
  return {
    emu,
    api,
    // as a user in the UI: no API call counted
    create: async (type, properties) =>
      (await emu.control('POST', `/__emu/records/${type}`, { properties })).id,
    update: (type, id, properties) =>
      emu.control('PATCH', `/__emu/records/${type}/${id}`, { properties }),
    // every record of a type, archived included, with every set property
    all: async (type) => (await emu.control('GET', `/__emu/records/${type}`)).results,
    get: async (type, id) =>
      (await emu.control('GET', `/__emu/records/${type}`)).results.find((r) => r.id === id),
  };
}

function salesforce(emu) {
  let token = null;
  async function login() {
    const res = await fetch(`${emu.url}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', ...SF_CREDS }),
    });
    const { body } = await json(res);
    assert.ok(body && body.access_token, `Salesforce login failed: ${JSON.stringify(body)}`);
    token = body.access_token;
  }
  const call = async (method, p, body) =>
    json(
      await fetch(`${emu.url}/services/data/${SF_VERSION}${p}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    );
  // logs in again once when the session has expired (tests may expire every session)
  const api = async (method, p, body) => {
    if (!token) await login();
    const r = await call(method, p, body);
    if (r.status !== 401) return r;
    await login();
    return call(method, p, body);
  };
  return {
    emu,
    api,
    create: async (object, fields) => {
      const r = await api('POST', `/sobjects/${object}`, fields);
      assert.equal(r.status, 201, `create ${object}: ${JSON.stringify(r.body)}`);
      return r.body.id;
    },
    update: async (object, id, fields) => {
      const r = await api('PATCH', `/sobjects/${object}/${id}`, fields);
      assert.equal(r.status, 204, `update ${object} ${id}: ${JSON.stringify(r.body)}`);
    },
    // every row of an object, deleted included (no API call counted)
    all: async (object) => (await emu.control('GET', `/__emu/records/${object}`)).records,
    live: async (object) =>
      (await emu.control('GET', `/__emu/records/${object}`)).records.filter((r) => !r.IsDeleted),
  };
}

// Write calls in an emulator's /__emu/stats: every route that changes records.
export function writeCalls(stats) {
  let n = 0;
  for (const [route, count] of Object.entries(stats.calls.by_endpoint)) {
    const [method, p] = route.split(' ');
    const hsWrite =
      p.startsWith('/crm/') &&
      ((method === 'POST' && /\/batch\/(create|update|upsert|archive)$/.test(p)) ||
        (method === 'POST' && /^\/crm\/v3\/objects\/\{[^}]+\}$/.test(p)) ||
        method === 'PATCH' ||
        method === 'DELETE' ||
        method === 'PUT');
    const sfWrite =
      p.startsWith('/services/data/') &&
      (method === 'PATCH' ||
        method === 'DELETE' ||
        (method === 'POST' && /\/sobjects\/\{object\}$/.test(p) && !p.includes('composite')) ||
        (method === 'POST' && /\/composite\/sobjects$/.test(p)));
    if (hsWrite || sfWrite) n += count;
  }
  return n;
}

// Calls to one route template ("PATCH /services/data/vXX.X/composite/sobjects/{object}/{field}").
export function callsTo(stats, route) {
  return stats.calls.by_endpoint[route] || 0;
}

const BASE_YAML = (hs, sf, store) => `hubspot:
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
`;

// Options: hsArgs and sfArgs are added to each emulator's command line (e.g. sfArgs:
// ['--schema', file] for an org with custom fields; a reset keeps them).
export async function startPair({ hsArgs = [], sfArgs = [] } = {}) {
  const [hsEmu, sfEmu] = await Promise.all([
    startEmulator('hubspot', ['--no-limits', ...hsArgs]),
    startEmulator('salesforce', ['--no-limits', ...sfArgs]),
  ]);
  const pair = {
    hs: hubspot(hsEmu),
    sf: salesforce(sfEmu),
    dir: null,
    configPath: null,
    children: new Set(),
  };

  // A fresh portal and org, and a new store and configuration. extraYaml is appended; logLevel
  // replaces the default warn.
  pair.reset = async (extraYaml = '', { logLevel = 'warn' } = {}) => {
    await Promise.all([hsEmu.control('POST', '/__emu/reset'), sfEmu.control('POST', '/__emu/reset')]);
    if (pair.dir) fs.rmSync(pair.dir, { recursive: true, force: true });
    pair.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crmsync-scenario-'));
    pair.configPath = path.join(pair.dir, 'crmsync.yaml');
    fs.writeFileSync(
      pair.configPath,
      BASE_YAML(hsEmu, sfEmu, path.join(pair.dir, 'crmsync.db')).replace(
        'log_level: warn',
        `log_level: ${logLevel}`,
      ) + extraYaml,
    );
  };

  pair.resetStats = () =>
    Promise.all([hsEmu.control('POST', '/__emu/stats/reset'), sfEmu.control('POST', '/__emu/stats/reset')]);
  pair.stats = async () => ({
    hs: await hsEmu.control('GET', '/__emu/stats'),
    sf: await sfEmu.control('GET', '/__emu/stats'),
  });
  pair.writes = async () => {
    const s = await pair.stats();
    return { hs: writeCalls(s.hs), sf: writeCalls(s.sf) };
  };

  // Starts crmsync with the test's configuration; the handle's done resolves to the result.
  pair.spawn = (...args) => {
    const child = spawn(path.join(binDir, 'crmsync'), ['--config', pair.configPath, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      if (stderr.length > 262144) stderr = stderr.slice(-131072);
    });
    pair.children.add(child);
    const done = new Promise((resolve) =>
      child.on('exit', (code, signal) => {
        pair.children.delete(child);
        if (/AddressSanitizer|LeakSanitizer|runtime error:/.test(stderr))
          resolve({ code: 99, signal, stdout, stderr: `sanitizer report:\n${stderr}` });
        else resolve({ code, signal, stdout, stderr });
      }),
    );
    return { child, done, stderr: () => stderr };
  };

  // `crmsync run` serving the admin API: the configuration must set admin.token and admin.listen
  // (127.0.0.1:0: any free port) and log at info or debug, so the address line shows. The handle
  // adds url and api(method, path, { body, token }) -> { status, headers, body } (JSON parsed
  // when the answer is JSON); token defaults to the one given here.
  pair.runAdmin = async (token) => {
    const run = pair.spawn('run');
    const end = Date.now() + 20000;
    let m;
    while (!(m = /admin API listening on (http:\/\/[0-9.]+:\d+)/.exec(run.stderr()))) {
      if (Date.now() > end || run.child.exitCode !== null)
        throw new Error(`the admin API did not start:\n${run.stderr()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    run.url = m[1];
    run.api = async (method, p, { body, token: t = token, raw } = {}) => {
      const headers = {};
      if (t) headers.authorization = `Bearer ${t}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(run.url + p, {
        method,
        headers,
        body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
      });
      const text = await res.text();
      const json = (res.headers.get('content-type') || '').startsWith('application/json');
      return { status: res.status, headers: res.headers, body: json && text ? JSON.parse(text) : text };
    };
    return run;
  };

  // Runs crmsync to completion (60 s at most).
  pair.crmsync = async (...args) => {
    const { child, done } = pair.spawn(...args);
    const t = setTimeout(() => child.kill('SIGKILL'), 60000);
    const r = await done;
    clearTimeout(t);
    return r;
  };

  // `sync --once`, which must succeed.
  pair.sync = async () => {
    const r = await pair.crmsync('sync', '--once');
    assert.equal(r.code, 0, `crmsync sync --once exited ${r.code} (${r.signal}):\n${r.stderr}${r.stdout}`);
    return r;
  };

  pair.status = async () => {
    const r = await pair.crmsync('status', '--json');
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout);
  };

  pair.explain = async (system, object, id, ...flags) => {
    const r = await pair.crmsync('explain', system, object, id, ...flags);
    assert.equal(r.code, 0, r.stderr);
    return flags.includes('--json') ? JSON.parse(r.stdout) : r.stdout;
  };

  pair.stop = async () => {
    for (const c of pair.children) c.kill('SIGKILL');
    if (pair.dir) fs.rmSync(pair.dir, { recursive: true, force: true });
    await Promise.all([hsEmu.stop(), sfEmu.stop()]);
  };
  return pair;
}

// Every live person in both systems, by lower-cased email: { hs: {email: n}, sf: {email: n} }.
export async function peopleByEmail(pair) {
  const count = (list, key) => {
    const out = {};
    for (const r of list) {
      const e = key(r);
      if (e) out[e.toLowerCase()] = (out[e.toLowerCase()] || 0) + 1;
    }
    return out;
  };
  const hs = (await pair.hs.all('contacts')).filter((r) => !r.archived);
  const leads = await pair.sf.live('Lead');
  const contacts = await pair.sf.live('Contact');
  return {
    hs: count(hs, (r) => r.properties.email),
    sf: count([...leads, ...contacts], (r) => r.Email),
  };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Waits (50 ms steps, timeoutMs at most) until check() holds; answers whether it did.
export async function until(check, timeoutMs) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return true;
    await sleep(50);
  }
  return false;
}

// Stops a `crmsync run` (pair.spawn, pair.runAdmin) with SIGTERM; it must exit 0.
export async function stopped(run) {
  run.child.kill('SIGTERM');
  const r = await run.done;
  assert.equal(r.code, 0, r.stderr);
}

// Sets (or with null clears) the faults of one emulator: side is 'hs' or 'sf'.
export async function setFaults(pair, side, faults) {
  const emu = pair[side].emu;
  if (faults === null) await emu.control('DELETE', '/__emu/faults');
  else await emu.control('PUT', '/__emu/faults', faults);
}

export async function clearFaults(pair) {
  await Promise.all([setFaults(pair, 'hs', null), setFaults(pair, 'sf', null)]);
}

// Makes people: hs contacts through the UI route, sf leads through Collections (200 a call), and
// both: the same person (e-mail, names, company) on both sides, for crmsync to match. Each person
// is { email, side, id, fields } with fields in the vendor's own names (both: HubSpot's, and
// sfId); returns them.
export async function makePeople(pair, { prefix, hs = 0, sf = 0, both = 0, from = 0 }) {
  const out = [];
  for (let i = from; i < from + both; i++) {
    const email = `${prefix}-both${i}@example.com`;
    const fields = { email, firstname: 'B', lastname: `Both${i}`, company: `Both Co ${i}` };
    const id = await pair.hs.create('contacts', fields);
    const sfId = await pair.sf.create('Lead', { FirstName: 'B', LastName: `Both${i}`, Company: `Both Co ${i}`, Email: email });
    out.push({ email, side: 'both', id, sfId, fields });
  }
  for (let i = from; i < from + hs; i++) {
    const email = `${prefix}-hs${i}@example.com`;
    const fields = { email, firstname: 'H', lastname: `Hs${i}`, company: `Company ${i}` };
    out.push({ email, side: 'hs', id: await pair.hs.create('contacts', fields), fields });
  }
  for (let i = from; i < from + sf; i += 200) {
    const chunk = [];
    for (let j = i; j < Math.min(from + sf, i + 200); j++) {
      const email = `${prefix}-sf${j}@example.com`;
      chunk.push({ email, side: 'sf', fields: { LastName: `Sf${j}`, Company: `Firm ${j}`, Email: email } });
    }
    const r = await pair.sf.api('POST', '/composite/sobjects', {
      allOrNone: true,
      records: chunk.map((p) => ({ attributes: { type: 'Lead' }, ...p.fields })),
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    r.body.forEach((res, k) => {
      assert.ok(res.success, JSON.stringify(res));
      chunk[k].id = res.id;
    });
    out.push(...chunk);
  }
  return out;
}

// Salesforce edits of many records in one Collections call (200 at most): [{ object, id, ...fields }].
export async function sfUpdateMany(pair, edits) {
  for (let i = 0; i < edits.length; i += 200) {
    const records = edits.slice(i, i + 200).map(({ object, id, ...f }) => ({ attributes: { type: object }, id, ...f }));
    const r = await pair.sf.api('PATCH', '/composite/sobjects', { allOrNone: true, records });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    for (const res of r.body) assert.ok(res.success, JSON.stringify(res));
  }
}

// The decision traces of an `explain --json` answer, one after another.
export const traceOf = (x) => x.decisions.map((d) => d.trace).join('\n');

// Both sides' live people, by lower-cased e-mail: { hs: Map(email -> [record]), sf: Map(...) }.
// Salesforce records carry their object in attributes.type.
export async function peopleIndex(pair) {
  const hs = new Map();
  const sf = new Map();
  const add = (m, e, r) => {
    if (!e) return;
    const k = e.toLowerCase();
    if (!m.has(k)) m.set(k, []);
    m.get(k).push(r);
  };
  for (const r of (await pair.hs.all('contacts')).filter((x) => !x.archived)) add(hs, r.properties.email, r);
  for (const object of ['Lead', 'Contact'])
    for (const r of await pair.sf.live(object)) add(sf, r.Email, { ...r, attributes: { type: object } });
  return { hs, sf };
}

const blankish = (v) => (v === undefined || v === null ? '' : String(v));

// The end state every crash and fault test wants: every expected e-mail exactly once per side and
// no other; the record crmsync created for each person (on the side opposite to origin; none for
// people made on both sides, which are matched) carrying the link id, no link id on two records
// of one side, and the link ids of a pair agreeing where both carry one; the given values on both
// sides; a sample of records paired 1:1 in the store as on the vendors (explain); and the store
// with nothing stuck. expect: Map(email -> { origin: 'hs'|'sf'|'both', hs: {prop: v}, sf:
// {Field: v} }) (the fields to compare).
export async function assertConverged(pair, expect, { sample = 20 } = {}) {
  const { hs, sf } = await peopleIndex(pair);
  const problems = [];
  const note = (m) => problems.length < 20 && problems.push(m);
  for (const [side, m] of [['HubSpot', hs], ['Salesforce', sf]]) {
    for (const [email, list] of m) {
      if (!expect.has(email)) note(`${side} has ${email}, which nobody made`);
      else if (list.length !== 1) note(`${side} has ${email} ${list.length} times`);
    }
    for (const email of expect.keys()) if (!m.has(email)) note(`${side} lacks ${email}`);
  }
  const hsLinks = new Map();
  const sfLinks = new Map();
  for (const [email, want] of expect) {
    const h = hs.get(email)?.[0];
    const s = sf.get(email)?.[0];
    if (!h || !s) continue;
    const hl = h.properties.crmsync_link_id;
    const sl = s.CrmSync_Link_Id__c;
    if (want.origin === 'sf' && !hl) note(`HubSpot ${email}, made by crmsync, has no crmsync_link_id`);
    if (want.origin === 'hs' && !sl) note(`Salesforce ${email}, made by crmsync, has no CrmSync_Link_Id__c`);
    if (hl && sl && hl.toLowerCase() !== sl.toLowerCase()) note(`${email}: link ids differ (${hl} / ${sl})`);
    if (hl) {
      if (hsLinks.has(hl)) note(`link ${hl} on HubSpot ${hsLinks.get(hl)} and ${email}`);
      hsLinks.set(hl, email);
    }
    if (sl) {
      if (sfLinks.has(sl)) note(`link ${sl} on Salesforce ${sfLinks.get(sl)} and ${email}`);
      sfLinks.set(sl, email);
    }
    for (const [k, v] of Object.entries(want.hs || {}))
      if (blankish(h.properties[k]) !== blankish(v)) note(`HubSpot ${email} ${k} = ${h.properties[k]}, want ${v}`);
    for (const [k, v] of Object.entries(want.sf || {}))
      if (blankish(s[k]) !== blankish(v)) note(`Salesforce ${email} ${k} = ${s[k]}, want ${v}`);
  }
  assert.deepEqual(problems, [], `not converged:\n${problems.join('\n')}`);
  // the store pairs the same records (spread over the whole list)
  const emails = [...expect.keys()];
  const step = Math.max(1, Math.floor(emails.length / sample));
  for (let i = 0; i < emails.length; i += step) {
    const h = hs.get(emails[i])[0];
    const s = sf.get(emails[i])[0];
    const x = await pair.explain('hubspot', 'contacts', h.id, '--json');
    assert.equal(x.link?.state, 'LINKED', `${emails[i]}: ${JSON.stringify(x.link)}`);
    assert.equal(x.link.salesforce_id, s.Id, `${emails[i]} is paired with its own Salesforce record`);
    assert.equal(x.link.salesforce_object, s.attributes.type);
    const carried = h.properties.crmsync_link_id || s.CrmSync_Link_Id__c;
    if (carried) assert.equal(x.link.link_id.toLowerCase(), carried.toLowerCase(), `${emails[i]}: the store's link id`);
  }
  const st = await pair.status();
  const links = st.links.contact || {};
  assert.equal(links.LINKED, expect.size, `links: ${JSON.stringify(st.links)}`);
  assert.equal(links.PENDING_CREATE || 0, 0, 'no link waits for its create');
  assert.equal(links.FAILED || 0, 0, 'no link failed');
  assert.equal(st.outbox.waiting + st.outbox.claimed, 0, `outbox: ${JSON.stringify(st.outbox)}`);
  assert.equal(st.inbox.waiting, 0, 'nothing left in the inbox');
  assert.deepEqual(st.errors, {}, 'no open sync errors');
  return st;
}

// Starts crmsync with args, and kills it with SIGKILL once until(elapsedMs) says so (polled
// every 5 ms) or it exits first. Answers the run's result; signal is 'SIGKILL' when it was killed.
export async function killWhen(pair, args, until) {
  const run = pair.spawn(...args);
  const started = Date.now();
  while (run.child.exitCode === null && run.child.signalCode === null) {
    if (await until(Date.now() - started)) {
      run.child.kill('SIGKILL');
      break;
    }
    await sleep(5);
  }
  return run.done;
}
