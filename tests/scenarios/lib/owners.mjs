// The people records carry: a fresh org's Salesforce user, and a HubSpot owner added to the
// portal (the fresh portal's reps have no Salesforce users).
import assert from 'node:assert/strict';

// The fresh org's user with this email.
export async function sfUser(pair, email) {
  const u = (await pair.sf.all('User')).find((r) => r.Email === email);
  assert.ok(u, `the fresh org has ${email}`);
  return u;
}

// A HubSpot owner for this email; answers its id.
export async function hsOwner(pair, email, firstName, lastName) {
  const o = await pair.hs.emu.control('POST', '/__emu/owners', { email, firstName, lastName });
  assert.ok(o && o.id, `owner added: ${JSON.stringify(o)}`);
  return String(o.id);
}
