// Capture at scale and at the edges of its windows, through the real binaries:
// - 25,000 HubSpot contacts touched at one identical instant (the portal's clock frozen) after the
//   first window are all captured and synced exactly once: the search window reads that one stamp
//   by object id;
// - a Salesforce burst of 20,000 leads in one second (one SystemModstamp) is synced exactly once;
// - a row Salesforce commits late, behind the cursor, is caught by the lookback.
// CRMSYNC_SCALE_HS and CRMSYNC_SCALE_SF change the two sizes (defaults: the figures above).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { peopleIndex, sleep, startPair, until } from './lib/pair.mjs';

const HS_N = Number(process.env.CRMSYNC_SCALE_HS || 25000);
const SF_N = Number(process.env.CRMSYNC_SCALE_SF || 20000);
const RUN_MS = 10 * 60 * 1000;

let pair;
before(async () => {
  pair = await startPair();
});
after(async () => {
  await pair.stop();
});

// `sync --once` with a longer allowance than pair.sync's.
async function syncLong() {
  const { child, done } = pair.spawn('sync', '--once');
  const t = setTimeout(() => child.kill('SIGKILL'), RUN_MS);
  const r = await done;
  clearTimeout(t);
  assert.equal(r.code, 0, `crmsync sync --once exited ${r.code} (${r.signal}):\n${r.stderr}${r.stdout}`);
  return r;
}

async function inWaves(n, width, fn) {
  for (let i = 0; i < n; i += width) {
    const wave = [];
    for (let j = i; j < Math.min(n, i + width); j++) wave.push(fn(j));
    await Promise.all(wave);
  }
}

const freeze = (emu, on) => emu.control('PUT', '/__emu/clock', { freeze: on });

function assertOncePerSide(idx, emails) {
  const problems = [];
  for (const e of emails) {
    const h = idx.hs.get(e)?.length || 0;
    const s = idx.sf.get(e)?.length || 0;
    if (h !== 1 || s !== 1) problems.push(`${e}: HubSpot ${h}, Salesforce ${s}`);
    if (problems.length >= 10) break;
  }
  assert.deepEqual(problems, [], 'every person exactly once on each side');
  assert.equal(idx.hs.size, emails.length, 'HubSpot holds no one else');
  assert.equal(idx.sf.size, emails.length, 'Salesforce holds no one else');
}

test(`${HS_N} HubSpot contacts touched at one instant are synced exactly once`, async () => {
  await pair.reset('settings:\n  new_record_type: lead\n');
  await pair.sync(); // past the first window (a listing): the touch is read by search windows
  await freeze(pair.hs.emu, true);
  const emails = [];
  await inWaves(Math.ceil(HS_N / 100), 8, async (c) => {
    const inputs = [];
    for (let i = c * 100; i < Math.min(HS_N, (c + 1) * 100); i++) {
      const email = `same.instant${i}@scale.example`;
      emails.push(email);
      inputs.push({ properties: { email, firstname: 'Same', lastname: `Instant${i}`, company: 'Frozen Co' } });
    }
    const r = await pair.hs.api('POST', '/crm/v3/objects/contacts/batch/create', { inputs });
    assert.equal(r.status, 201, JSON.stringify(r.body).slice(0, 300));
  });
  const stamps = new Set((await pair.hs.all('contacts')).map((r) => r.properties.lastmodifieddate));
  assert.equal(stamps.size, 1, 'every contact carries one identical last-modified stamp');
  await freeze(pair.hs.emu, false);
  await pair.resetStats();

  const r = await syncLong();
  const idx = await peopleIndex(pair);
  assertOncePerSide(idx, emails);
  const { sf } = await pair.stats();
  const leadWrites =
    (sf.calls.by_endpoint['PATCH /services/data/vXX.X/composite/sobjects/{object}/{field}'] || 0) +
    (sf.calls.by_endpoint['POST /services/data/vXX.X/composite/sobjects'] || 0);
  assert.ok(leadWrites <= Math.ceil(HS_N / 200) * 2, `Salesforce writes in collections: ${leadWrites} calls`);
  assert.match(r.stdout, /0 failed/);

  await pair.resetStats();
  await pair.sync();
  const w = await pair.writes();
  assert.deepEqual(w, { hs: 0, sf: 0 }, 'a second run writes nothing');
});

test(`a Salesforce burst of ${SF_N} leads in one second is synced exactly once`, async () => {
  await pair.reset();
  await freeze(pair.sf.emu, true);
  const emails = [];
  await inWaves(Math.ceil(SF_N / 200), 4, async (c) => {
    const records = [];
    for (let i = c * 200; i < Math.min(SF_N, (c + 1) * 200); i++) {
      const email = `burst${i}@scale.example`;
      emails.push(email);
      records.push({ attributes: { type: 'Lead' }, LastName: `Burst${i}`, Company: 'Burst Co', Email: email });
    }
    const r = await pair.sf.api('POST', '/composite/sobjects', { allOrNone: true, records });
    assert.equal(r.status, 200, JSON.stringify(r.body).slice(0, 300));
  });
  const stamps = new Set((await pair.sf.live('Lead')).map((r) => r.SystemModstamp));
  assert.equal(stamps.size, 1, 'every lead carries one SystemModstamp');
  await freeze(pair.sf.emu, false);
  await pair.resetStats();

  const r = await syncLong();
  assert.match(r.stdout, /0 failed/);
  assertOncePerSide(await peopleIndex(pair), emails);

  await pair.resetStats();
  await pair.sync();
  assert.deepEqual(await pair.writes(), { hs: 0, sf: 0 }, 'a second run writes nothing');
});

test('a Salesforce row committed late, behind the cursor, is caught by the lookback', async () => {
  await pair.reset();
  // 10 s: long enough that the first sync (a process to start, a login, the reads) comes first
  await pair.sf.emu.control('PUT', '/__emu/late-commits', { delay_ms: 10000 });
  const lateId = await pair.sf.create('Lead', { LastName: 'Late', Company: 'Slow Txn', Email: 'late@commit.example' });
  await pair.sf.emu.control('PUT', '/__emu/late-commits', { delay_ms: 0 });
  await sleep(1100); // the next row's stamp is a later second
  await pair.sf.create('Lead', { LastName: 'Prompt', Company: 'Fast Txn', Email: 'prompt@commit.example' });

  await pair.sync();
  let idx = await peopleIndex(pair);
  assert.ok(idx.hs.has('prompt@commit.example'), 'the visible row synced');
  assert.ok(!idx.hs.has('late@commit.example'), 'the late row was not visible yet, and the cursor moved past its stamp');

  // the long transaction commits: the row shows in the API
  const soql = encodeURIComponent(`SELECT Id FROM Lead WHERE Id = '${lateId}'`);
  const visible = async () => (await pair.sf.api('GET', `/query?q=${soql}`)).body.totalSize === 1;
  assert.equal(await visible(), false, 'not committed yet');
  assert.ok(await until(visible, 20000), 'the late row is visible now');
  await pair.sync();
  idx = await peopleIndex(pair);
  assert.equal(idx.hs.get('late@commit.example')?.length, 1, 'the lookback caught the late row, once');
  assert.equal(idx.hs.get('prompt@commit.example')?.length, 1);

  await pair.resetStats();
  await pair.sync();
  assert.deepEqual(await pair.writes(), { hs: 0, sf: 0 }, 'the lookback re-reads nothing twice');
});
