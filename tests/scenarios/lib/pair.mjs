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
  const api = async (method, p, body) => {
    if (!token) await login();
    return json(
      await fetch(`${emu.url}/services/data/${SF_VERSION}${p}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    );
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

export async function startPair() {
  const [hsEmu, sfEmu] = await Promise.all([
    startEmulator('hubspot', ['--no-limits']),
    startEmulator('salesforce', ['--no-limits']),
  ]);
  const pair = {
    hs: hubspot(hsEmu),
    sf: salesforce(sfEmu),
    dir: null,
    configPath: null,
    children: new Set(),
  };

  // A fresh portal and org, and a new store and configuration. extraYaml is appended.
  pair.reset = async (extraYaml = '') => {
    await Promise.all([hsEmu.control('POST', '/__emu/reset'), sfEmu.control('POST', '/__emu/reset')]);
    if (pair.dir) fs.rmSync(pair.dir, { recursive: true, force: true });
    pair.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crmsync-scenario-'));
    pair.configPath = path.join(pair.dir, 'crmsync.yaml');
    fs.writeFileSync(
      pair.configPath,
      BASE_YAML(hsEmu, sfEmu, path.join(pair.dir, 'crmsync.db')) + extraYaml,
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
    return { child, done };
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
