// The demo's data and its scripted tour, for scripts/demo.sh (node, no packages needed).
//
//   node scripts/demo-tour.mjs prepare --hubspot URL --salesforce URL --seed N
//   node scripts/demo-tour.mjs tour --hubspot URL --salesforce URL --crmsync BIN --config FILE
//                                   [--result FILE] [--timeout SECONDS]
//
// prepare: what a portal and an org that have lived side by side for a while hold on top of each
// emulator's seed. HubSpot gets an owner for every Salesforce sales user (inactive ones too), so
// owners can be matched by e-mail; people who are in both CRMs already (one Salesforce lead or
// contact in ten also a HubSpot contact, under the same e-mail with HubSpot's own values); and
// contacts with values Salesforce refuses (a first name longer than its 40 characters, a job
// title longer than 128). Everything goes through HubSpot's API (batch creates) and the control
// API's owners call, as an import would.
//
// tour: a user edits a synced contact in HubSpot (job title and owner, through HubSpot's API)
// and the script times how long until Salesforce shows it; then edits a synced contact in
// Salesforce (title and phone, through its REST API) and times how long until HubSpot shows
// it; then prints both timings and what `crmsync explain` says about each record. --result
// writes the ids, values and timings as JSON (for tests). Exit status 0 when both edits
// arrived within --timeout (default 60 s), 1 otherwise.
import { execFile } from 'node:child_process';
import fs from 'node:fs';

const PAT = 'pat-na1-crmsync-demo';
const SF_VERSION = 'v62.0';
const SF_LOGIN = {
  grant_type: 'password',
  client_id: 'crmsync-demo',
  client_secret: 'crmsync-demo-secret',
  username: 'integration@crmsync.test',
  password: 'demo-passwordDEMOTOKEN',
};
const POLL_MS = 200;

// On a terminal crmsync demo keeps one progress line updated: clear it before printing.
const CLEAR = process.stdout.isTTY ? '\r\x1b[K' : '';
const say = (s = '') => process.stdout.write(`${CLEAR}${s}\n`);

function args(argv) {
  const o = { cmd: argv[0], timeout: 60 };
  for (let i = 1; i < argv.length; i++) {
    const k = argv[i].replace(/^--/, '');
    if (!['hubspot', 'salesforce', 'seed', 'crmsync', 'config', 'result', 'timeout'].includes(k))
      throw new Error(`demo-tour: unknown option ${argv[i]}`);
    o[k] = argv[++i];
  }
  o.timeout = Number(o.timeout);
  return o;
}

async function call(url, method, headers, body) {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

const control = (base, method, p, body) => call(base + p, method, {}, body);
const hubspot = (o, method, p, body) =>
  call(o.hubspot + p, method, { authorization: `Bearer ${PAT}` }, body);

async function salesforceLogin(o) {
  const res = await fetch(`${o.salesforce}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(SF_LOGIN),
  });
  const body = await res.json();
  if (!body.access_token) throw new Error(`Salesforce login: ${JSON.stringify(body)}`);
  return (method, p, b) =>
    call(
      `${o.salesforce}/services/data/${SF_VERSION}${p}`,
      method,
      { authorization: `Bearer ${body.access_token}` },
      b,
    );
}

const live = async (o, object) =>
  (await control(o.salesforce, 'GET', `/__emu/records/${object}`)).records.filter(
    (r) => !r.IsDeleted,
  );
const hsAll = async (o, type) =>
  (await control(o.hubspot, 'GET', `/__emu/records/${type}`)).results.filter((r) => !r.archived);
const validEmail = (e) => typeof e === 'string' && /^[^\s@]+@[^\s@]+\.[a-z]{2,}$/i.test(e);

// ---- prepare ----

async function prepare(o) {
  const users = (await live(o, 'User')).filter(
    (u) => u.UserType === 'Standard' && u.Email !== 'integration@crmsync.test',
  );
  const owners = await hubspot(o, 'GET', '/crm/v3/owners?limit=100&archived=false');
  const known = new Set(owners.results.map((w) => w.email));
  let nowners = 0;
  for (const u of users) {
    if (known.has(u.Email)) continue;
    await control(o.hubspot, 'POST', '/__emu/owners', {
      email: u.Email,
      firstName: u.FirstName || u.Email.split('.')[0],
      lastName: u.LastName,
      archived: !u.IsActive,
    });
    nowners++;
  }

  // people in both CRMs: every tenth Salesforce person with a usable, not yet taken e-mail
  const taken = new Set((await hsAll(o, 'contacts')).map((c) => c.properties.email));
  const people = [...(await live(o, 'Lead')), ...(await live(o, 'Contact'))];
  const inputs = [];
  people.forEach((p, i) => {
    const email = (p.Email || '').toLowerCase();
    if (i % 10 !== 3 || !validEmail(email) || taken.has(email)) return;
    taken.add(email);
    inputs.push({
      properties: {
        email,
        firstname: p.FirstName || '',
        lastname: p.LastName,
        phone: '+1 555 01' + String(i % 100).padStart(2, '0'),
        lifecyclestage: i % 20 === 3 ? 'customer' : 'lead',
      },
    });
  });
  // values Salesforce refuses: a 41+ character first name (Lead/Contact FirstName holds 40),
  // a job title past Title's 128
  const n = Math.max(2, Math.floor(Number(o.seed || 100) / 100));
  for (let k = 0; k < n; k++) {
    const long = k % 2 === 0;
    inputs.push({
      properties: {
        email: `import.${k}@oversized.example.com`,
        firstname: long ? 'Maximiliana-Alexandrina-Konstantina-Bartholomea' : 'Pat',
        lastname: `Importer${k}`,
        jobtitle: long
          ? 'Manager'
          : 'Senior Vice President of Global Strategic Partnerships, Channel Alliances, ' +
            'Ecosystem Development and Customer Success Operations (EMEA)',
      },
    });
  }
  for (let i = 0; i < inputs.length; i += 100)
    await hubspot(o, 'POST', '/crm/v3/objects/contacts/batch/create', {
      inputs: inputs.slice(i, i + 100),
    });
  say(
    `demo: HubSpot now has ${nowners} more owners (Salesforce's sales users), ` +
      `${inputs.length - n} contacts who are in Salesforce too and ${n} with values ` +
      `Salesforce refuses`,
  );
}

// ---- tour ----

// Polls check() every POLL_MS until it answers true or the timeout passes; returns the seconds
// it took since t0, or null.
async function until(o, t0, check) {
  for (;;) {
    if (await check()) return (performance.now() - t0) / 1000;
    if (performance.now() - t0 > o.timeout * 1000) return null;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

function explain(o, system, object, id, fields) {
  return new Promise((resolve) => {
    execFile(
      o.crmsync,
      ['--config', o.config, 'explain', system, object, id],
      { maxBuffer: 4 << 20 },
      (err, stdout, stderr) => {
        if (err) return resolve(`  (crmsync explain failed: ${stderr.trim() || err.message})`);
        resolve(abridge(stdout, fields));
      },
    );
  });
}

// The link, the ledger rows of the fields edited and the newest decision with its trace.
function abridge(text, fields) {
  const out = [];
  let section = 'link';
  let decisions = 0;
  for (const line of text.split('\n')) {
    if (/^ledger/.test(line)) section = 'ledger';
    else if (/^errors/.test(line)) section = 'errors';
    else if (/^conflicts/.test(line)) section = 'conflicts';
    else if (/^decisions/.test(line)) section = 'decisions';
    else if (section === 'ledger' && !fields.some((f) => line.trim().startsWith(f + ' '))) continue;
    else if (section === 'decisions' && /^ {2}\d{4}-/.test(line) && ++decisions > 1) break;
    else if (section === 'decisions' && / unchanged since the last agreement/.test(line)) continue;
    if (line.trim()) out.push('    ' + line);
  }
  return out.join('\n');
}

async function tour(o) {
  const sf = await salesforceLogin(o);
  const hsOwners = (await hubspot(o, 'GET', '/crm/v3/owners?limit=100')).results;
  const priyaHs = hsOwners.find((w) => w.email === 'priya.patel@crmsync.test');
  const priyaSf = (await live(o, 'User')).find((u) => u.Email === 'priya.patel@crmsync.test');
  const contacts = await hsAll(o, 'contacts');
  const byEmail = new Map(contacts.map((c) => [c.properties.email, c]));
  const result = { ok: false };

  // 1. HubSpot -> Salesforce: a HubSpot contact crmsync made a Salesforce lead of
  const leads = await live(o, 'Lead');
  const lead = leads.find(
    (l) => l.CrmSync_Link_Id__c && !l.IsConverted && !l.Title && byEmail.has(l.Email),
  );
  if (!lead) throw new Error('no synced HubSpot contact found: did the initial sync run?');
  const hsContact = byEmail.get(lead.Email);
  const title = `Head of Platform (demo ${new Date().toISOString().slice(11, 19)})`;
  say();
  say(`tour 1: in HubSpot, ${hsContact.properties.firstname} ${hsContact.properties.lastname} ` +
      `(contact ${hsContact.id}) gets the job title "${title}"` +
      (priyaHs ? ` and Priya Patel as owner` : ''));
  let t0 = performance.now();
  await hubspot(o, 'PATCH', `/crm/v3/objects/contacts/${hsContact.id}`, {
    properties: { jobtitle: title, ...(priyaHs ? { hubspot_owner_id: priyaHs.id } : {}) },
  });
  let seenLead = null;
  const hsToSf = await until(o, t0, async () => {
    seenLead = await sf('GET', `/sobjects/Lead/${lead.Id}?fields=Title,OwnerId`);
    return seenLead.Title === title;
  });
  const owner = !priyaSf
    ? ''
    : ` (owner ${seenLead.OwnerId === priyaSf.Id ? 'Priya Patel too' : seenLead.OwnerId})`;
  say(
    hsToSf === null
      ? `        Salesforce lead ${lead.Id} did not show it within ${o.timeout} s`
      : `        Salesforce lead ${lead.Id} shows it after ${hsToSf.toFixed(1)} s${owner}`,
  );

  // 2. Salesforce -> HubSpot: a Salesforce contact crmsync made a HubSpot contact of
  const sfContacts = await live(o, 'Contact');
  const counts = new Map();
  for (const c of [...sfContacts, ...leads]) counts.set(c.Email, (counts.get(c.Email) || 0) + 1);
  const sfContact = sfContacts.find(
    (c) => counts.get(c.Email) === 1 && validEmail(c.Email) && byEmail.has(c.Email.toLowerCase()),
  );
  if (!sfContact) throw new Error('no synced Salesforce contact found: did the initial sync run?');
  const hsTwin = byEmail.get(sfContact.Email.toLowerCase());
  const sfTitle = `Chief Revenue Officer (demo ${new Date().toISOString().slice(11, 19)})`;
  const sfPhone = '+1 415 555 0199';
  say();
  say(`tour 2: in Salesforce, ${sfContact.FirstName} ${sfContact.LastName} (contact ` +
      `${sfContact.Id}) gets the title "${sfTitle}" and phone ${sfPhone}`);
  t0 = performance.now();
  await sf('PATCH', `/sobjects/Contact/${sfContact.Id}`, { Title: sfTitle, Phone: sfPhone });
  const sfToHs = await until(o, t0, async () => {
    const c = await hubspot(
      o,
      'GET',
      `/crm/v3/objects/contacts/${hsTwin.id}?properties=jobtitle,phone`,
    );
    return c.properties.jobtitle === sfTitle && c.properties.phone === sfPhone;
  });
  say(
    sfToHs === null
      ? `        HubSpot contact ${hsTwin.id} did not show it within ${o.timeout} s`
      : `        HubSpot contact ${hsTwin.id} shows it after ${sfToHs.toFixed(1)} s`,
  );

  say();
  say(`HubSpot -> Salesforce ${hsToSf === null ? 'did not arrive' : hsToSf.toFixed(1) + ' s'}, ` +
      `Salesforce -> HubSpot ${sfToHs === null ? 'did not arrive' : sfToHs.toFixed(1) + ' s'} ` +
      `(edit to visible on the other side; crmsync polls every 2 s and reads HubSpot's search ` +
      `a few seconds behind, as its index lags)`);
  say();
  say(`crmsync explain hubspot contacts ${hsContact.id}   (abridged)`);
  say(await explain(o, 'hubspot', 'contacts', hsContact.id, ['jobtitle', 'hubspot_owner_id']));
  say();
  say(`crmsync explain salesforce Contact ${sfContact.Id}   (abridged)`);
  say(await explain(o, 'salesforce', 'Contact', sfContact.Id, ['jobtitle', 'phone']));
  say();

  Object.assign(result, {
    ok: hsToSf !== null && sfToHs !== null,
    hubspot_to_salesforce: { hubspot_id: hsContact.id, lead_id: lead.Id, title, seconds: hsToSf },
    salesforce_to_hubspot: {
      contact_id: sfContact.Id,
      hubspot_id: hsTwin.id,
      title: sfTitle,
      phone: sfPhone,
      seconds: sfToHs,
    },
  });
  if (o.result) fs.writeFileSync(o.result, JSON.stringify(result, null, 2) + '\n');
  return result.ok ? 0 : 1;
}

const o = args(process.argv.slice(2));
try {
  if (o.cmd === 'prepare') await prepare(o);
  else if (o.cmd === 'tour') process.exitCode = await tour(o);
  else throw new Error('usage: demo-tour.mjs prepare|tour --hubspot URL --salesforce URL ...');
} catch (e) {
  process.stderr.write(`${CLEAR}demo-tour: ${e.message}\n`);
  process.exitCode = 1;
}
