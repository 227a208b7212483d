// One user edit on a linked pair causes exactly one write on the other side, and nothing comes
// back: the echo of our own write is recognised through the ledger.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startPair } from './lib/pair.mjs';

let pair;
before(async () => {
  pair = await startPair();
});
after(async () => {
  await pair.stop();
});

// A linked pair: a HubSpot contact that became a Salesforce lead.
async function linkedPair() {
  const hsId = await pair.hs.create('contacts', {
    email: 'ada@example.com',
    firstname: 'Ada',
    lastname: 'Lovelace',
    company: 'Analytical Engines',
    phone: '100',
  });
  await pair.sync();
  const [lead] = await pair.sf.live('Lead');
  assert.ok(lead, 'the lead was made');
  return { hsId, leadId: lead.Id };
}

test('a Salesforce edit reaches HubSpot with one write, and the echo is not written back', async () => {
  await pair.reset();
  const { hsId, leadId } = await linkedPair();
  await pair.sf.update('Lead', leadId, { Phone: '200', Title: 'Countess' });
  const before = await pair.writes();
  await pair.sync();
  const mid = await pair.writes();
  assert.equal(mid.hs - before.hs, 1, 'one HubSpot write');
  assert.equal(mid.sf - before.sf, 0, 'nothing written to Salesforce');
  const hs = await pair.hs.get('contacts', hsId);
  assert.equal(hs.properties.phone, '200');
  assert.equal(hs.properties.jobtitle, 'Countess');
  // the HubSpot change our write caused is an echo: a further run writes nothing
  await pair.sync();
  assert.deepEqual(await pair.writes(), mid);
  const x = await pair.explain('hubspot', 'contacts', hsId, '--json');
  assert.equal(x.decisions[0].action, 'skip_echo');
});

test('with phone two-way, a HubSpot edit reaches Salesforce with one write and no ping-pong', async () => {
  await pair.reset('mappings:\n  - kind: contact\n    hubspot: phone\n    rule: two_way\n');
  const { hsId, leadId } = await linkedPair();
  await pair.hs.update('contacts', hsId, { phone: '300' });
  const before = await pair.writes();
  await pair.sync();
  const mid = await pair.writes();
  assert.equal(mid.sf - before.sf, 1, 'one Salesforce write');
  assert.equal(mid.hs - before.hs, 0, 'nothing written to HubSpot');
  const lead = (await pair.sf.live('Lead')).find((l) => l.Id === leadId);
  assert.equal(lead.Phone, '300');
  await pair.sync();
  assert.deepEqual(await pair.writes(), mid, 'the Salesforce echo is not written back');
  const x = await pair.explain('salesforce', 'Lead', leadId, '--json');
  const phone = x.ledger.find((r) => r.field === 'phone');
  assert.equal(phone.value, '300');
  assert.equal(phone.written_by, 'hubspot');
});

test('under the default rule Salesforce keeps its value and HubSpot goes back to it', async () => {
  await pair.reset();
  const { hsId, leadId } = await linkedPair();
  await pair.hs.update('contacts', hsId, { phone: '999' });
  const before = await pair.writes();
  await pair.sync();
  const mid = await pair.writes();
  assert.equal(mid.sf - before.sf, 0, 'Prefer Salesforce unless blank: Salesforce is not written');
  assert.equal(mid.hs - before.hs, 1, 'HubSpot is set back to the Salesforce value');
  const lead = (await pair.sf.live('Lead')).find((l) => l.Id === leadId);
  assert.equal(lead.Phone, '100');
  assert.equal((await pair.hs.get('contacts', hsId)).properties.phone, '100');
  const x = await pair.explain('hubspot', 'contacts', hsId, '--all');
  assert.match(x, /field phone: rule Prefer Salesforce unless blank: HubSpot's edit is not sent/);
  await pair.sync();
  assert.deepEqual(await pair.writes(), mid, 'and that is the end of it');
});

test('a field changed on both sides is a conflict settled by the rule and logged', async () => {
  await pair.reset('mappings:\n  - kind: contact\n    hubspot: jobtitle\n    rule: two_way\n');
  const { hsId, leadId } = await linkedPair();
  await pair.hs.update('contacts', hsId, { jobtitle: 'Analyst' });
  await new Promise((r) => setTimeout(r, 1100)); // Salesforce stamps whole seconds
  await pair.sf.update('Lead', leadId, { Title: 'Programmer' });
  await pair.sync();
  const hs = await pair.hs.get('contacts', hsId);
  const lead = (await pair.sf.live('Lead')).find((l) => l.Id === leadId);
  assert.equal(hs.properties.jobtitle, 'Programmer', 'the later change wins');
  assert.equal(lead.Title, 'Programmer');
  const x = await pair.explain('hubspot', 'contacts', hsId, '--json');
  const c = x.conflicts.find((r) => r.field === 'jobtitle');
  assert.ok(c, JSON.stringify(x.conflicts));
  assert.equal(c.hubspot, 'Analyst');
  assert.equal(c.salesforce, 'Programmer');
  assert.equal(c.winner, 'salesforce');
});
