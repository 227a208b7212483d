// The Salesforce API budget, suspensions and retry suppression (src/engine/budget.h), through
// the real binaries: crmsync counts its own Salesforce calls (agreeing with the emulator's
// count), suspends itself at its allocation while HubSpot changes keep queueing, resumes when
// the allocation allows it again or the rolling 24-hour window frees up, suspends on
// API_DISABLED_FOR_ORG until `crmsync suspension clear`, puts retries off above 75 % of the
// allocation while fresh changes still sync, suspends (until cleared) when the integration
// user lacks edit or read permission on a synced object, suspends when the org's API limit is
// exceeded or on an unknown error until Salesforce answers again (or the suspension is cleared,
// through the CLI or the admin API), and retries failed writes on the configured schedule.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { setFaults, startPair, stopped, until } from './lib/pair.mjs';

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

// Moves the next check of every self-clearing suspension into the past: what 5 minutes do.
function suspensionCheckDue() {
  const db = path.join(pair.dir, 'crmsync.db');
  execFileSync('sqlite3', [db, 'UPDATE suspensions SET check_at = 1 WHERE check_at > 0;']);
}

// The org's rolling 24-hour budget used up (by other integrations): Salesforce refuses every call
// with 403 REQUEST_LIMIT_EXCEEDED "TotalRequests Limit exceeded.". crmsync suspends (api_limit),
// makes no call until its next check, keeps queueing HubSpot changes, stays suspended while a
// check is refused again, and resumes by itself once Salesforce answers.
test('the org API limit exceeded suspends until Salesforce answers again', async () => {
  await pair.reset('', { logLevel: 'info' });
  await pair.hs.create('contacts', { email: 'before@example.com', lastname: 'Before', company: 'Before Co' });
  await pair.sync();
  const { used } = await pair.sf.emu.control('GET', '/__emu/limits');
  await pair.sf.emu.control('PUT', '/__emu/limits', { enabled: true, daily_api_requests: used });

  await pair.hs.create('contacts', { email: 'limited@example.com', lastname: 'Limited', company: 'Limited Co' });
  const r = await pair.sync();
  assert.match(r.stderr, /suspended \(api_limit\): REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded\./);
  let st = await pair.status();
  const s = st.budget.suspended;
  assert.equal(s.kind, 'api_limit');
  assert.equal(s.code, 'REQUEST_LIMIT_EXCEEDED');
  assert.equal(s.message, 'TotalRequests Limit exceeded.');
  assert.equal(s.clears_itself, true);
  assert.match(s.how_to_clear, /clears by itself/);
  const check = Date.parse(s.next_check_at);
  assert.ok(check > Date.now() + 4 * 60000 && check <= Date.now() + 5 * 60000, `next check ${s.next_check_at}`);
  assert.ok(st.inbox.waiting >= 1, 'the HubSpot change waits in the inbox');
  assert.deepEqual(st.errors, {}, 'no per-record error');
  const text = await pair.crmsync('status');
  assert.match(text.stdout, /SUSPENDED: Salesforce organization API limit exceeded \(api_limit\)/);
  assert.match(text.stdout, /TotalRequests Limit exceeded\./);

  // the check comes while the org is still over its limit: refused again, still suspended
  suspensionCheckDue();
  const t0 = Date.now();
  const again = await pair.sync();
  assert.ok(Date.now() - t0 < 40000, 'sync --once does not wait for the refused source to catch up');
  assert.match(again.stderr, /trying Salesforce again \(api_limit suspension\)/);
  assert.match(again.stderr, /still suspended \(api_limit\)/);
  st = await pair.status();
  assert.equal(st.budget.suspended.kind, 'api_limit');
  assert.ok(Date.parse(st.budget.suspended.next_check_at) > Date.now() + 4 * 60000, 'the next check is 5 minutes on');

  // a day on, the org's rolling window has room again, but until the next check no call is
  // made; more HubSpot changes queue meanwhile
  await pair.sf.emu.control('PUT', '/__emu/clock', { advance_ms: 24 * 60 * 60 * 1000 + 60000 });
  assert.equal((await pair.sf.emu.control('GET', '/__emu/limits')).used, 0, 'the window is empty');
  await pair.hs.create('contacts', { email: 'limited2@example.com', lastname: 'Limited2', company: 'Limited Co' });
  await pair.resetStats();
  await pair.sync();
  assert.equal(await sfCounted(), 0, 'no Salesforce call before the next check');
  assert.equal((await budget()).suspended.kind, 'api_limit');
  assert.equal(await leadByEmail('limited@example.com'), undefined);

  // the check: Salesforce answers, the suspension clears and every queued change goes out
  suspensionCheckDue();
  const resumed = await pair.sync();
  assert.match(resumed.stderr, /resumed \(api_limit cleared: Salesforce answered again\)/);
  st = await pair.status();
  assert.equal(st.budget.suspended, null);
  assert.deepEqual(st.budget.suspensions, []);
  assert.deepEqual(st.errors, {});
  assert.ok(await leadByEmail('limited@example.com'), 'the first queued change synced');
  assert.ok(await leadByEmail('limited2@example.com'), 'the second queued change synced');
});

// Salesforce answers a 403 crmsync has no meaning for (here the emulator's injected fault:
// 403 BAD_REQUEST): the "unknown error" suspension. It clears by itself at a check Salesforce
// answers; `crmsync suspension clear` (the CLI, or the admin API of a running crmsync) tries
// again at once and suspends again while the cause is still there.
test('an unknown error suspends until Salesforce answers again or the suspension is cleared', async () => {
  const TOKEN = 'budget-admin-token';
  await pair.reset(`admin:\n  listen: 127.0.0.1:0\n  token: ${TOKEN}\n`, { logLevel: 'info' });
  await pair.hs.create('contacts', { email: 'ok@example.com', lastname: 'Ok', company: 'Ok Co' });
  await pair.sync();
  const fault = { error_rate: 1, error_status: 403, path_prefix: '/services/data/' };
  await setFaults(pair, 'sf', fault);
  await pair.hs.create('contacts', { email: 'odd@example.com', lastname: 'Odd', company: 'Odd Co' });
  const r = await pair.sync();
  assert.match(r.stderr, /suspended \(unknown\): BAD_REQUEST: The request could not be processed/);
  let st = await pair.status();
  assert.equal(st.budget.suspended.kind, 'unknown');
  assert.equal(st.budget.suspended.code, 'BAD_REQUEST');
  assert.equal(st.budget.suspended.clears_itself, true);
  assert.match(st.budget.suspended.how_to_clear, /crmsync suspension clear/);
  assert.ok(Date.parse(st.budget.suspended.next_check_at) > Date.now() + 4 * 60000);
  assert.ok(st.inbox.waiting >= 1, 'the HubSpot change waits in the inbox');
  assert.deepEqual(st.errors, {}, 'no per-record error');
  const text = await pair.crmsync('status');
  assert.match(text.stdout, /SUSPENDED: Unknown error \(unknown\)/);

  // cleared by hand while Salesforce still refuses: tried at once, suspended again
  const cleared = await pair.crmsync('suspension', 'clear', 'unknown');
  assert.equal(cleared.code, 0, cleared.stderr);
  assert.match(cleared.stdout, /cleared 1 suspension/);
  const again = await pair.sync();
  assert.match(again.stderr, /suspended \(unknown\): BAD_REQUEST/);
  assert.equal((await budget()).suspended.kind, 'unknown');
  assert.equal(await leadByEmail('odd@example.com'), undefined);

  // Salesforce answers again: the next check clears it by itself
  await setFaults(pair, 'sf', null);
  suspensionCheckDue();
  const resumed = await pair.sync();
  assert.match(resumed.stderr, /resumed \(unknown cleared: Salesforce answered again\)/);
  assert.equal((await budget()).suspended, null);
  assert.ok(await leadByEmail('odd@example.com'), 'the queued change synced');

  // the same through the admin API of a running crmsync: GET /api/v1/budget shows it and
  // POST /api/v1/suspensions/clear clears it without waiting for the next check
  const run = await pair.runAdmin(TOKEN);
  try {
    await setFaults(pair, 'sf', fault);
    await pair.hs.create('contacts', { email: 'odd2@example.com', lastname: 'Odd2', company: 'Odd Co' });
    let b;
    assert.ok(
      await until(async () => (b = (await run.api('GET', '/api/v1/budget')).body).suspended?.kind === 'unknown', 20000),
      `suspended: ${JSON.stringify(b)}`,
    );
    assert.equal(b.suspended.code, 'BAD_REQUEST');
    assert.ok(Date.parse(b.suspended.next_check_at) > Date.now() + 4 * 60000);
    await setFaults(pair, 'sf', null);
    const bad = await run.api('POST', '/api/v1/suspensions/clear', { body: { kind: 'odd' } });
    assert.equal(bad.status, 400);
    const c = await run.api('POST', '/api/v1/suspensions/clear', { body: { kind: 'unknown' } });
    assert.equal(c.status, 200, JSON.stringify(c.body));
    assert.equal(c.body.cleared, 1);
    assert.ok(await until(async () => !!(await leadByEmail('odd2@example.com')), 20000), 'the queued change synced');
    b = (await run.api('GET', '/api/v1/budget')).body;
    assert.equal(b.suspended, null);
  } finally {
    await stopped(run);
  }
});

// Makes every waiting outbox entry due now: what the time until its next attempt does.
function retriesDue() {
  const db = path.join(pair.dir, 'crmsync.db');
  execFileSync('sqlite3', [db, "UPDATE outbox SET next_attempt_at = 0 WHERE state = 'waiting';"]);
}

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
const hhmm = (ms) => new Date(ms).toISOString().slice(11, 16);
// The first instant after now at HH:MM UTC (retry_nightly_at).
function nextDaily(now, at) {
  const [h, m] = at.split(':').map(Number);
  const t = now - (now % DAY_MS) + (h * 60 + m) * 60000;
  return t > now ? t : t + DAY_MS;
}

// The retry schedule, HubSpot's "every 30 minutes, 10 times, then nightly" with a few quick
// retries first (after 0.5 s, doubling while under a minute): here every 2 minutes, twice,
// then nightly at a time three hours on, all settings, and retry_interval and retry_nightly_at
// changed while records wait. Every Salesforce write loses its connection before it commits:
// crmsync reads the lead back, finds it did not land, and retries; before each attempt the test
// moves the entry's due time to now, as the clock would.
test('failed writes are retried quickly, then every retry_interval retry_max_attempts times, then nightly', async () => {
  const nightly = hhmm(Date.now() + 3 * HOUR_MS);
  await pair.reset(
    `settings:\n  retry_interval: 2m\n  retry_max_attempts: 2\n  retry_nightly_at: "${nightly}"\n`,
  );
  await setFaults(pair, 'sf', { drop_before_rate: 1, path_prefix: '/services/data/' });
  await pair.hs.create('contacts', { email: 'retry@example.com', lastname: 'Retry', company: 'Retry Co' });
  // one `sync --once`; answers how many failed attempts it made and the next one's window
  const attempt = async () => {
    const t0 = Date.now();
    const r = await pair.sync();
    const t1 = Date.now();
    const tries = Number(/(\d+) retrying/.exec(r.stdout)[1]);
    const st = await pair.status();
    assert.equal(st.outbox.waiting, 1, JSON.stringify(st.outbox));
    return { tries, t0, t1, next: st.outbox.next_attempt_at, errors: st.errors };
  };
  const within = (a, wait, what) =>
    assert.ok(a.next >= a.t0 + wait && a.next <= a.t1 + wait, `${what}: next attempt in ${a.next - a.t1} ms`);

  // the quick retries `sync --once` waits for: after 0.5, 1, 2 and 4 s; the next after 8 s
  let a = await attempt();
  assert.equal(a.tries, 5);
  within(a, 8000, 'fifth quick retry');
  assert.deepEqual(a.errors, {}, 'no error while retrying');
  retriesDue();
  within((a = await attempt()), 16000, 'sixth quick retry');
  retriesDue();
  within((a = await attempt()), 32000, 'seventh quick retry');

  // then every retry_interval: past the quick retries the record is errored, and says why in
  // sync health while it is retried
  retriesDue();
  a = await attempt();
  assert.equal(a.tries, 1);
  within(a, 2 * 60000, 'first retry at the interval');
  assert.deepEqual(a.errors, { other: 1 }, 'an errored record while it is retried');
  const openErrors = async () => JSON.parse((await pair.crmsync('errors', '--json')).stdout).errors.errors;
  let errs = await openErrors();
  assert.equal(errs.length, 1);
  assert.equal(errs[0].code, 'AMBIGUOUS_OUTCOME');
  assert.match(errs[0].message, /^salesforce upsert of Lead \(new\): no answer after the request was sent/);
  assert.equal(errs[0].attempts, 1);
  // a new retry_interval takes effect with the next failure
  const set = await pair.crmsync('settings', 'set', 'retry_interval', '3m');
  assert.equal(set.code, 0, set.stderr);
  retriesDue();
  within((a = await attempt()), 3 * 60000, 'second retry at the new interval');
  assert.deepEqual(a.errors, { other: 1 });
  assert.equal((await openErrors())[0].attempts, 2, 'the same error, each attempt counted');

  // past retry_max_attempts: an `other` sync error, and the nightly retry at retry_nightly_at
  retriesDue();
  a = await attempt();
  assert.equal(a.tries, 1);
  assert.ok([nextDaily(a.t0, nightly), nextDaily(a.t1, nightly)].includes(a.next), `nightly at ${nightly}: ${new Date(a.next).toISOString()}`);
  assert.deepEqual(a.errors, { other: 1 });
  errs = await openErrors();
  assert.equal(errs.length, 1);
  assert.equal(errs[0].attempts, 3);
  // no attempt before that time
  await pair.resetStats();
  await pair.sync();
  assert.equal((await pair.writes()).sf, 0, 'no retry before the nightly one');

  // the nightly retry failing again waits for the next one, at the nightly time in force
  const later = hhmm(Date.now() + 5 * HOUR_MS);
  assert.equal((await pair.crmsync('settings', 'set', 'retry_nightly_at', later)).code, 0);
  retriesDue();
  a = await attempt();
  assert.ok([nextDaily(a.t0, later), nextDaily(a.t1, later)].includes(a.next), `nightly at ${later}: ${new Date(a.next).toISOString()}`);
  errs = await openErrors();
  assert.equal(errs.length, 1);
  assert.equal(errs[0].attempts, 4, 'the same error, seen again');

  // the connection holds again: the nightly retry writes the lead and the error resolves
  await setFaults(pair, 'sf', null);
  retriesDue();
  await pair.sync();
  assert.ok(await leadByEmail('retry@example.com'), 'the lead was written');
  const st = await pair.status();
  assert.equal(st.outbox.waiting, 0);
  assert.deepEqual(st.errors, {});
});
