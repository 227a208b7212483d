// The Salesforce API budget, suspensions and retry suppression (src/engine/budget.h), through
// the real binaries: crmsync counts its own Salesforce calls (agreeing with the emulator's
// count), suspends itself at its allocation while HubSpot changes keep queueing, resumes when
// the allocation allows it again or the rolling 24-hour window frees up, suspends on
// API_DISABLED_FOR_ORG until `crmsync suspension clear`, puts retries off above 75 % of the
// allocation while fresh changes still sync, and suspends (until cleared) when the integration
// user lacks edit or read permission on a synced object.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startPair } from './lib/pair.mjs';

let pair;
before(async () => {
  pair = await startPair();
});
after(async () => {
  await pair.stop();
});

// Salesforce calls the emulator counted since its counters were reset (OAuth is not counted
// by Salesforce, so it is left out).
async function sfCounted() {
  const s = await pair.sf.emu.control('GET', '/__emu/stats');
  let n = 0;
  for (const [route, count] of Object.entries(s.calls.by_endpoint))
    if (route.includes('/services/data/')) n += count;
  return n;
}

function setAllocation(n, extra = '') {
  const text = fs.readFileSync(pair.configPath, 'utf8').replace(/\nsettings:\n(  .*\n)*/, '\n');
  fs.writeFileSync(pair.configPath, `${text}settings:\n  salesforce_api_allocation: ${n}\n${extra}`);
}

async function budget() {
  return (await pair.status()).budget;
}

async function leadByEmail(email) {
  return (await pair.sf.live('Lead')).find((r) => (r.Email || '').toLowerCase() === email);
}

// Moves every call crmsync counted a day back: what the rolling window does in 24 hours.
function ageCounts() {
  const db = path.join(pair.dir, 'crmsync.db');
  execFileSync('sqlite3', [db, 'UPDATE api_calls SET minute = minute - 1441;']);
}

test('crmsync counts its Salesforce calls as the emulator does', async () => {
  await pair.reset();
  await pair.resetStats();
  await pair.hs.create('contacts', { email: 'count@example.com', lastname: 'Count', company: 'Count Co' });
  await pair.sync();
  const b = await budget();
  assert.ok(b.used_24h > 0);
  assert.equal(b.used_24h, await sfCounted(), 'crmsync and the emulator agree');
  const limits = await pair.sf.emu.control('GET', '/__emu/limits');
  assert.equal(b.used_24h, limits.used, 'the org usage the emulator reports');
  assert.equal(b.org_limit, limits.daily_api_requests);
  assert.equal(b.allocation, 0);
  assert.equal(b.suspended, null);
  assert.ok(await leadByEmail('count@example.com'));
});

test('at its allocation crmsync suspends, queues HubSpot changes, and resumes', async () => {
  await pair.reset('', { logLevel: 'info' });
  await pair.resetStats();
  await pair.hs.create('contacts', { email: 'first@example.com', lastname: 'First', company: 'First Co' });
  await pair.sync();
  const used = (await budget()).used_24h;

  setAllocation(used);
  await pair.resetStats();
  await pair.hs.create('contacts', { email: 'queued@example.com', lastname: 'Queued', company: 'Queued Co' });
  const r = await pair.sync();
  assert.match(r.stderr, /suspended \(allocation\)/);
  assert.equal(await sfCounted(), 0, 'no Salesforce call while suspended');
  const st = await pair.status();
  assert.equal(st.budget.suspended.kind, 'allocation');
  assert.equal(st.budget.suspended.clears_itself, true);
  assert.equal(st.budget.percent_of_allocation, 100);
  assert.ok(st.inbox.waiting >= 1, 'the HubSpot change waits in the inbox');
  assert.equal(await leadByEmail('queued@example.com'), undefined);
  const text = await pair.crmsync('status');
  assert.match(text.stdout, /SUSPENDED: API call allocation reached \(allocation\)/);

  // the rolling window frees up: the calls of a day ago no longer count
  ageCounts();
  setAllocation(used * 3);
  const again = await pair.sync();
  assert.match(again.stderr, /resumed \(allocation/);
  assert.ok(await leadByEmail('queued@example.com'), 'the queued change synced');
  const b = await budget();
  assert.equal(b.suspended, null);
  assert.equal(b.used_24h, await sfCounted(), 'only the calls since count');
});

test('raising the allocation resumes the sync', async () => {
  await pair.reset();
  await pair.hs.create('contacts', { email: 'a@example.com', lastname: 'A', company: 'A Co' });
  await pair.sync();
  setAllocation(1);
  await pair.hs.create('contacts', { email: 'b@example.com', lastname: 'B', company: 'B Co' });
  await pair.sync();
  assert.equal((await budget()).suspended.kind, 'allocation');
  setAllocation(100000);
  await pair.sync();
  assert.equal((await budget()).suspended, null);
  assert.ok(await leadByEmail('b@example.com'));
});

test('API access disabled suspends until the suspension is cleared', async () => {
  await pair.reset();
  await pair.sf.emu.control('PUT', '/__emu/settings', { api_enabled: false });
  await pair.hs.create('contacts', { email: 'off@example.com', lastname: 'Off', company: 'Off Co' });
  const r = await pair.sync();
  assert.match(r.stderr, /suspended \(api_disabled\): API_DISABLED_FOR_ORG/);
  let b = await budget();
  assert.equal(b.suspended.kind, 'api_disabled');
  assert.equal(b.suspended.code, 'API_DISABLED_FOR_ORG');
  assert.equal(b.suspended.clears_itself, false);
  assert.match(b.suspended.how_to_clear, /crmsync suspension clear/);

  // granted again, but it stays suspended until cleared (no call is made meanwhile)
  await pair.sf.emu.control('PUT', '/__emu/settings', { api_enabled: true });
  await pair.resetStats();
  await pair.sync();
  assert.equal(await sfCounted(), 0);
  assert.equal((await budget()).suspended.kind, 'api_disabled');
  const shown = await pair.crmsync('suspension');
  assert.match(shown.stdout, /Salesforce organization API access disabled \(api_disabled\)/);

  const cleared = await pair.crmsync('suspension', 'clear');
  assert.equal(cleared.code, 0, cleared.stderr);
  assert.match(cleared.stdout, /cleared 1 suspension/);
  await pair.sync();
  b = await budget();
  assert.equal(b.suspended, null);
  assert.ok(await leadByEmail('off@example.com'));
  const bad = await pair.crmsync('suspension', 'clear', 'paused');
  assert.equal(bad.code, 2);
});

// The rule is the same at any share; a 1 % share of a 1,000-call allocation is reached by one
// sync's real calls, leaving room for the rest of the test (the default 75 % is in the unit
// tests of budget.c).
test('above its share of the allocation retries wait and fresh changes still sync', async () => {
  await pair.reset('', { logLevel: 'info' });
  setAllocation(1000, '  retry_suppress_above_percent: 1\n');
  await pair.hs.create('contacts', { email: 'warm@example.com', lastname: 'Warm', company: 'Warm Co' });
  await pair.sync();
  let b = await budget();
  assert.ok(b.used_24h > 10, `used ${b.used_24h}`);
  assert.equal(b.retries_suppressed, true);
  assert.equal(b.suspended, null);

  // a lead locked for longer than the connector retries: the write fails, to be retried
  await pair.sf.emu.control('POST', '/__emu/locks', { object: 'Lead', count: 1000 });
  await pair.hs.create('contacts', { email: 'locked@example.com', lastname: 'Locked', company: 'Locked Co' });
  const r = await pair.crmsync('sync', '--once');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /retries suppressed \(\d+ Salesforce API calls in 24 hours\): 1 put off/);
  let st = await pair.status();
  assert.ok(st.outbox.waiting >= 1, 'the failed write waits');
  assert.ok(st.outbox.next_attempt_at > Date.now() + 20 * 60 * 1000, `put off by the interval: ${JSON.stringify(st.outbox)}`);
  assert.equal(await leadByEmail('locked@example.com'), undefined);

  // fresh changes still go: a contact made in Salesforce reaches HubSpot
  await pair.sf.create('Contact', { LastName: 'Fresh', Email: 'fresh@example.com' });
  await pair.sync();
  const hs = await pair.hs.all('contacts');
  assert.ok(hs.find((c) => c.properties.email === 'fresh@example.com'), 'a fresh change synced');
  st = await pair.status();
  assert.equal(st.budget.suspended, null);
  assert.equal(await leadByEmail('locked@example.com'), undefined, 'the retry still waits');
});

// The integration user without edit permission on Lead: the lead write is refused as Salesforce
// refuses it, record by record (INSUFFICIENT_ACCESS_OR_READONLY), crmsync asks describe, which
// says Lead is not createable or updateable for the user, and suspends the whole Salesforce side
// instead of filing an error per record; HubSpot changes keep queueing until the permission is
// granted and the suspension cleared.
test('a missing object permission on a write suspends until the suspension is cleared', async () => {
  await pair.reset();
  await pair.sf.emu.control('PUT', '/__emu/settings', { object_access: { Lead: 'read' } });
  await pair.hs.create('contacts', { email: 'perm@example.com', lastname: 'Perm', company: 'Perm Co' });
  const r = await pair.sync();
  assert.match(r.stderr, /suspended \(object_permissions\): INSUFFICIENT_ACCESS_OR_READONLY: insufficient access rights on object id/);
  let st = await pair.status();
  assert.equal(st.budget.suspended.kind, 'object_permissions');
  assert.equal(st.budget.suspended.code, 'INSUFFICIENT_ACCESS_OR_READONLY');
  assert.match(st.budget.suspended.message, /no create and edit permission on Lead/);
  assert.equal(st.budget.suspended.clears_itself, false);
  assert.match(st.budget.suspended.how_to_clear, /crmsync suspension clear/);
  assert.deepEqual(st.errors, {}, 'no per-record error');
  const text = await pair.crmsync('status');
  assert.match(text.stdout, /SUSPENDED: Salesforce object permissions missing \(object_permissions\)/);
  assert.match(text.stdout, /insufficient access rights on object id/);
  assert.match(text.stdout, /to clear: .*then run `crmsync suspension clear`/);

  // more HubSpot changes queue; no Salesforce call is made and no error piles up
  await pair.resetStats();
  await pair.hs.create('contacts', { email: 'perm2@example.com', lastname: 'Perm2', company: 'Perm Co' });
  await pair.sync();
  assert.equal(await sfCounted(), 0, 'no Salesforce call while suspended');
  st = await pair.status();
  assert.ok(st.inbox.waiting >= 1, 'the HubSpot change waits in the inbox');
  assert.deepEqual(st.errors, {});

  // granted again, it stays suspended until cleared; then the queued changes go out
  await pair.sf.emu.control('PUT', '/__emu/settings', { object_access: { Lead: 'edit' } });
  await pair.sync();
  assert.equal((await budget()).suspended.kind, 'object_permissions');
  assert.equal(await leadByEmail('perm@example.com'), undefined);
  const cleared = await pair.crmsync('suspension', 'clear', 'object_permissions');
  assert.equal(cleared.code, 0, cleared.stderr);
  assert.match(cleared.stdout, /cleared 1 suspension/);
  await pair.sync();
  st = await pair.status();
  assert.equal(st.budget.suspended, null);
  assert.deepEqual(st.errors, {});
  assert.ok(await leadByEmail('perm@example.com'), 'the first queued change synced');
  assert.ok(await leadByEmail('perm2@example.com'), 'the second queued change synced');
});

// No read permission on Contact: Salesforce no longer knows the object for the user, so the
// capture query is refused with INVALID_TYPE, which suspends too.
test('a missing read permission suspends capture until the suspension is cleared', async () => {
  await pair.reset();
  await pair.sf.emu.control('PUT', '/__emu/settings', { object_access: { Contact: 'none' } });
  await pair.hs.create('contacts', { email: 'unread@example.com', lastname: 'Unread', company: 'Unread Co' });
  const r = await pair.sync();
  assert.match(r.stderr, /suspended \(object_permissions\): INVALID_TYPE/);
  let b = await budget();
  assert.equal(b.suspended.kind, 'object_permissions');
  assert.equal(b.suspended.code, 'INVALID_TYPE');
  assert.match(b.suspended.message, /sObject type 'Contact' is not supported/);
  assert.deepEqual((await pair.status()).errors, {});
  assert.equal(await leadByEmail('unread@example.com'), undefined);

  await pair.sf.emu.control('PUT', '/__emu/settings', { object_access: { Contact: 'edit' } });
  const cleared = await pair.crmsync('suspension', 'clear');
  assert.equal(cleared.code, 0, cleared.stderr);
  await pair.sync();
  b = await budget();
  assert.equal(b.suspended, null);
  assert.ok(await leadByEmail('unread@example.com'), 'the queued change synced');
});
