// `make demo`'s script end to end, in its non-interactive mode: both emulators seeded (on free
// ports), crmsync demo syncing them, the tour's two timed edits, then everything stopped. The
// test checks the tour's edits on the other side and that both sides hold each other's people,
// from the emulators' own records the script leaves behind, and that nothing is left running.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { binDir } from '../peers/lib/emu.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SEED = 200;
const RUN_TIMEOUT_MS = 150000;

const valid = (e) => typeof e === 'string' && /^[^\s@]+@[^\s@]+\.[a-z]{2,}$/i.test(e);

function runDemo(dir) {
  return new Promise((resolve) => {
    const child = spawn(
      'bash',
      [path.join(root, 'scripts/demo.sh'), binDir, '--tour-then-exit', '--result',
        path.join(dir, 'result.json')],
      {
        cwd: root,
        env: {
          ...process.env,
          CRMSYNC_DEMO_SEED: String(SEED),
          CRMSYNC_DEMO_SF: '127.0.0.1:0',
          CRMSYNC_DEMO_HS: '127.0.0.1:0',
          CRMSYNC_DEMO_DIR: dir,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGTERM'), RUN_TIMEOUT_MS);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out });
    });
  });
}

const readJson = (dir, name) => JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));

test('the demo syncs seeded data both ways, times an edit each way, stops cleanly', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crmsync-demo-'));
  const t0 = Date.now();
  const r = await runDemo(dir);
  assert.equal(r.code, 0, `demo.sh failed (${r.signal || r.code}):\n${r.out}`);
  assert.ok(Date.now() - t0 < RUN_TIMEOUT_MS);
  assert.match(r.out, /initial sync done in \d+:\d\d: [1-9]\d* linked/);
  assert.match(r.out, /Salesforce lead \S+ shows it after [\d.]+ s/);
  assert.match(r.out, /HubSpot contact \d+ shows it after [\d.]+ s/);
  assert.match(r.out, /crmsync explain hubspot contacts \d+/);
  assert.match(r.out, /field jobtitle: .*"Head of Platform/);
  assert.match(r.out, /crmsync demo: stopped after/);

  // the tour's edits, as the other side's records hold them
  const result = readJson(dir, 'result.json');
  assert.equal(result.ok, true);
  const hs = readJson(dir, 'hubspot-contacts.json').results.filter((c) => !c.archived);
  const sf = ['Lead', 'Contact']
    .flatMap((o) => readJson(dir, `salesforce-${o}.json`).records)
    .filter((x) => !x.IsDeleted);
  const lead = sf.find((x) => x.Id === result.hubspot_to_salesforce.lead_id);
  assert.equal(lead.Title, result.hubspot_to_salesforce.title);
  const twin = hs.find((c) => c.id === result.salesforce_to_hubspot.hubspot_id);
  assert.equal(twin.properties.jobtitle, result.salesforce_to_hubspot.title);
  assert.equal(twin.properties.phone, result.salesforce_to_hubspot.phone);

  // Salesforce people with a valid e-mail no other Salesforce person has are HubSpot contacts
  const sfCount = new Map();
  for (const x of sf) {
    const e = (x.Email || '').toLowerCase();
    if (e) sfCount.set(e, (sfCount.get(e) || 0) + 1);
  }
  const hsEmails = new Set(hs.map((c) => (c.properties.email || '').toLowerCase()));
  const sfSyncable = sf.filter((x) => valid(x.Email) && sfCount.get(x.Email.toLowerCase()) === 1);
  assert.ok(sfSyncable.length > SEED, `only ${sfSyncable.length} Salesforce people to sync`);
  const notInHs = sfSyncable.filter((x) => !hsEmails.has(x.Email.toLowerCase()));
  assert.deepEqual(notInHs.map((x) => `${x.Id} ${x.Email}`), [], 'missing in HubSpot');

  // HubSpot contacts with an e-mail and values Salesforce takes are Salesforce leads or contacts
  const hsSyncable = hs.filter(
    (c) =>
      valid(c.properties.email) &&
      (c.properties.firstname || '').length <= 40 &&
      (c.properties.jobtitle || '').length <= 128,
  );
  assert.ok(hsSyncable.length >= SEED, `only ${hsSyncable.length} HubSpot contacts to sync`);
  const notInSf = hsSyncable.filter((c) => !sfCount.has(c.properties.email.toLowerCase()));
  const notInSfIds = notInSf.map((c) => `${c.id} ${c.properties.email}`);
  assert.deepEqual(notInSfIds, [], 'missing in Salesforce');
  // and the ones it refuses are not
  const refused = hs.filter((c) => (c.properties.firstname || '').length > 40);
  assert.ok(refused.length > 0);
  for (const c of refused) assert.ok(!sfCount.has(c.properties.email.toLowerCase()));

  // nothing is left running: both emulators' ports are closed
  for (const m of r.out.matchAll(/demo: (?:Salesforce|HubSpot) +(http:\/\/[\d.:]+)/g))
    await assert.rejects(fetch(`${m[1]}/__emu/stats`), `${m[1]} still answers`);
  fs.rmSync(dir, { recursive: true, force: true });
});
