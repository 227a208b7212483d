// Crash safety: `sync --once` killed with SIGKILL in the middle of its work and run again
// converges with no duplicate on either side; a write whose answer is lost is read back, never
// sent again blindly.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { callsTo, peopleByEmail, startPair, writeCalls } from './lib/pair.mjs';

const SF_UPSERT = 'PATCH /services/data/vXX.X/composite/sobjects/{object}/{field}';
const N = 30;

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

async function people() {
  const emails = [];
  for (let i = 0; i < N; i++) {
    emails.push(`hs${i}@example.com`);
    await pair.hs.create('contacts', {
      email: `hs${i}@example.com`,
      lastname: `Hs${i}`,
      company: `Company ${i}`,
    });
  }
  const records = [];
  for (let i = 0; i < N; i++) {
    emails.push(`sf${i}@example.com`);
    records.push({ attributes: { type: 'Lead' }, LastName: `Sf${i}`, Company: `Firm ${i}`, Email: `sf${i}@example.com` });
  }
  const r = await pair.sf.api('POST', '/composite/sobjects', { allOrNone: true, records });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return emails;
}

async function assertConverged(emails) {
  const seen = await peopleByEmail(pair);
  const once = Object.fromEntries(emails.map((e) => [e, 1]));
  assert.deepEqual(seen.hs, once, 'every person exactly once in HubSpot');
  assert.deepEqual(seen.sf, once, 'every person exactly once in Salesforce');
  const st = await pair.status();
  assert.equal(st.links.contact.LINKED, emails.length);
  assert.equal(st.links.contact.PENDING_CREATE || 0, 0);
  assert.equal(st.outbox.waiting + st.outbox.claimed, 0);
  assert.equal(st.inbox.waiting, 0);
}

// Starts sync --once, waits until until() says so, then kills it with SIGKILL.
async function killWhen(until) {
  const run = pair.spawn('sync', '--once');
  const started = Date.now();
  while (!(await until(Date.now() - started))) {
    if (run.child.exitCode !== null) break;
    await sleep(5);
  }
  run.child.kill('SIGKILL');
  const r = await run.done;
  return r;
}

test('killed right after its first write, a rerun converges with no duplicates', async () => {
  const emails = await people();
  await pair.hs.emu.control('PUT', '/__emu/faults', { latency_ms: 25 });
  await pair.sf.emu.control('PUT', '/__emu/faults', { latency_ms: 25 });
  await pair.resetStats();
  const r = await killWhen(async () => {
    const s = await pair.stats();
    return writeCalls(s.sf) + writeCalls(s.hs) > 0;
  });
  assert.equal(r.signal, 'SIGKILL', `it finished before the kill: ${r.stdout}`);
  await pair.hs.emu.control('DELETE', '/__emu/faults');
  await pair.sf.emu.control('DELETE', '/__emu/faults');
  await pair.sync();
  await assertConverged(emails);
  // and a further run has nothing left to do
  const before = await pair.writes();
  await pair.sync();
  assert.deepEqual(await pair.writes(), before);
});

test('killed at several moments in turn, each rerun picks up where the last stopped', async () => {
  const emails = await people();
  await pair.hs.emu.control('PUT', '/__emu/faults', { latency_ms: 15 });
  await pair.sf.emu.control('PUT', '/__emu/faults', { latency_ms: 15 });
  // each run is killed after it has made k API calls: during capture, planning, writing
  for (const k of [4, 9, 13, 17]) {
    await pair.resetStats();
    const r = await killWhen(async () => {
      const s = await pair.stats();
      return s.hs.calls.total + s.sf.calls.total >= k;
    });
    if (r.signal !== 'SIGKILL') break; // finished first: nothing left to interrupt
  }
  await pair.hs.emu.control('DELETE', '/__emu/faults');
  await pair.sf.emu.control('DELETE', '/__emu/faults');
  await pair.sync();
  await assertConverged(emails);
});

test('an upsert whose answer is lost is read back by link id and not sent again', async () => {
  await pair.hs.create('contacts', { email: 'lost@example.com', lastname: 'Lost', company: 'Answers' });
  await pair.sf.emu.control('PUT', '/__emu/faults', {
    drop_after_next: 1,
    path_prefix: '/services/data/v62.0/composite/sobjects/Lead',
  });
  await pair.resetStats();
  await pair.sync();
  const stats = await pair.stats();
  assert.equal(callsTo(stats.sf, SF_UPSERT), 1, 'the upsert went out once');
  assert.deepEqual((await peopleByEmail(pair)).sf, { 'lost@example.com': 1 });
  const st = await pair.status();
  assert.equal(st.links.contact.LINKED, 1);
});

test('an upsert dropped before it committed is read back, found missing, and sent again', async () => {
  await pair.hs.create('contacts', { email: 'again@example.com', lastname: 'Again', company: 'Retry' });
  await pair.sf.emu.control('PUT', '/__emu/faults', {
    drop_before_next: 1,
    path_prefix: '/services/data/v62.0/composite/sobjects/Lead',
  });
  await pair.resetStats();
  await pair.sync();
  const stats = await pair.stats();
  assert.equal(callsTo(stats.sf, SF_UPSERT), 2, 'sent again after the read-back found nothing');
  assert.deepEqual((await peopleByEmail(pair)).sf, { 'again@example.com': 1 });
  assert.equal((await pair.status()).links.contact.LINKED, 1);
});
