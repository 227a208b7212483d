// Authentication against emu-hubspot through @hubspot/api-client: the private app token, OAuth
// (authorization code, refresh token, 30-minute access tokens, token metadata, revocation),
// scope checks and the 401/403 error bodies the vendor sends.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHubspot, apiError, assertErrorShape, CLIENT_ID, CLIENT_SECRET, PAT } from './lib/hubspot.mjs';

const REDIRECT = 'http://127.0.0.1:9/oauth-callback';
let hs;

before(async () => {
  hs = await startHubspot();
  await hs.control('PUT', '/__emu/limits', { enabled: false });
});
after(async () => {
  await hs?.stop();
});

// The authorize step is a browser redirect, so plain HTTP; the emulator serves HubSpot's
// app.hubspot.com/oauth/authorize on its own host.
async function authorize(scopes, state = 'st-1') {
  const q = new URLSearchParams({ client_id: CLIENT_ID, redirect_uri: REDIRECT, scope: scopes.join(' '), state });
  const r = await hs.http('GET', `/oauth/authorize?${q}`, { token: null, redirect: 'manual' });
  assert.equal(r.status, 302, `authorize answered ${r.status}: ${r.text}`);
  const loc = new URL(r.headers.get('location'));
  assert.equal(loc.origin + loc.pathname, REDIRECT);
  assert.equal(loc.searchParams.get('state'), state);
  const code = loc.searchParams.get('code');
  assert.ok(code, 'redirect carries a code');
  return code;
}

async function exchange(code) {
  const c = hs.client({ token: null });
  const tok = await c.oauth.tokensApi.create('authorization_code', code, REDIRECT, CLIENT_ID, CLIENT_SECRET);
  return { tok, raw: c.last().json };
}

const ALL = ['crm.objects.contacts.read', 'crm.objects.contacts.write'];

test('the private app token is accepted on CRM calls', async () => {
  const c = hs.client();
  const page = await c.crm.contacts.basicApi.getPage(10);
  assert.ok(Array.isArray(page.results));
  assert.equal(c.last().status, 200);
});

test('no token gives 401 INVALID_AUTHENTICATION', async () => {
  const c = hs.client({ token: null });
  const body = await apiError(c.crm.contacts.basicApi.getPage(10), 401);
  assertErrorShape(body, 'INVALID_AUTHENTICATION');
});

test('an unknown token gives 401 INVALID_AUTHENTICATION', async () => {
  const c = hs.client({ token: 'pat-na1-00000000-not-a-token' });
  const body = await apiError(c.crm.contacts.basicApi.getById('1'), 401);
  assertErrorShape(body, 'INVALID_AUTHENTICATION');
});

test('authorization code exchange returns a bearer token valid for 30 minutes', async () => {
  const code = await authorize(ALL);
  const { tok, raw } = await exchange(code);
  assert.equal(raw.token_type, 'bearer');
  assert.equal(raw.expires_in, 1800);
  assert.equal(typeof raw.access_token, 'string');
  assert.equal(typeof raw.refresh_token, 'string');
  assert.ok(raw.access_token.length > 0 && raw.access_token.length <= 300);
  assert.notEqual(raw.access_token, raw.refresh_token);
  // the SDK's model maps the snake_case keys
  assert.equal(tok.accessToken, raw.access_token);
  assert.equal(tok.refreshToken, raw.refresh_token);
  assert.equal(tok.expiresIn, 1800);
  assert.equal(tok.tokenType, 'bearer');

  const c = hs.client({ token: tok.accessToken });
  const created = await c.crm.contacts.basicApi.create({ properties: { email: 'oauth-user@example.com' } });
  assert.equal(c.last().status, 201);
  assert.equal(created.properties.email, 'oauth-user@example.com');
});

test('an authorization code works once', async () => {
  const code = await authorize(ALL);
  await exchange(code);
  const c = hs.client({ token: null });
  const body = await apiError(
    c.oauth.tokensApi.create('authorization_code', code, REDIRECT, CLIENT_ID, CLIENT_SECRET),
    400,
  );
  assert.equal(typeof body.status, 'string');
  assert.equal(typeof body.message, 'string');
});

test('a redirect_uri other than the authorized one is refused', async () => {
  const code = await authorize(ALL);
  const c = hs.client({ token: null });
  await apiError(c.oauth.tokensApi.create('authorization_code', code, 'http://127.0.0.1:9/elsewhere', CLIENT_ID, CLIENT_SECRET), 400);
});

test('a wrong client secret is refused', async () => {
  const code = await authorize(ALL);
  const c = hs.client({ token: null });
  await apiError(c.oauth.tokensApi.create('authorization_code', code, REDIRECT, CLIENT_ID, 'wrong-secret'), 400);
});

test('access token metadata names the portal, app, scopes and remaining lifetime', async () => {
  const { tok } = await exchange(await authorize(ALL));
  const c = hs.client({ token: null });
  const info = await c.oauth.accessTokensApi.get(tok.accessToken);
  const raw = c.last().json;
  assert.equal(raw.token, tok.accessToken);
  assert.equal(typeof raw.hub_id, 'number');
  assert.equal(typeof raw.app_id, 'number');
  assert.equal(typeof raw.user_id, 'number');
  assert.equal(typeof raw.user, 'string');
  assert.equal(typeof raw.hub_domain, 'string');
  assert.deepEqual([...raw.scopes].sort(), [...ALL].sort());
  assert.ok(raw.expires_in > 1700 && raw.expires_in <= 1800, `expires_in ${raw.expires_in}`);
  assert.equal(info.hubId, raw.hub_id);
  assert.equal(info.appId, raw.app_id);
});

test('refresh_token grant issues a new working access token', async () => {
  const { tok } = await exchange(await authorize(ALL));
  const c = hs.client({ token: null });
  const fresh = await c.oauth.tokensApi.create('refresh_token', undefined, undefined, CLIENT_ID, CLIENT_SECRET, tok.refreshToken);
  assert.equal(c.last().status, 200);
  assert.equal(fresh.expiresIn, 1800);
  assert.equal(fresh.tokenType, 'bearer');
  assert.ok(fresh.accessToken);
  assert.notEqual(fresh.accessToken, tok.accessToken);
  assert.ok(fresh.refreshToken, 'a refresh answer carries the refresh token');
  const api = hs.client({ token: fresh.accessToken });
  await api.crm.contacts.basicApi.getPage(1);
  assert.equal(api.last().status, 200);
});

test('an unknown refresh token gives 400 BAD_REFRESH_TOKEN', async () => {
  const c = hs.client({ token: null });
  const body = await apiError(
    c.oauth.tokensApi.create('refresh_token', undefined, undefined, CLIENT_ID, CLIENT_SECRET, 'not-a-refresh-token'),
    400,
  );
  assert.equal(body.status, 'BAD_REFRESH_TOKEN');
  assert.equal(typeof body.message, 'string');
  assert.equal(typeof body.correlationId, 'string');
});

test('revoking a refresh token stops refreshes but leaves issued access tokens working', async () => {
  const { tok } = await exchange(await authorize(ALL));
  const c = hs.client({ token: null });
  const meta = await c.oauth.refreshTokensApi.get(tok.refreshToken);
  assert.equal(c.last().status, 200);
  assert.equal(meta.token, tok.refreshToken);
  await c.oauth.refreshTokensApi.archive(tok.refreshToken);
  assert.equal(c.last().status, 204);
  const body = await apiError(
    c.oauth.tokensApi.create('refresh_token', undefined, undefined, CLIENT_ID, CLIENT_SECRET, tok.refreshToken),
    400,
  );
  assert.equal(body.status, 'BAD_REFRESH_TOKEN');
  const api = hs.client({ token: tok.accessToken });
  await api.crm.contacts.basicApi.getPage(1);
  assert.equal(api.last().status, 200);
});

test('an access token expires after 30 minutes: 401 EXPIRED_AUTHENTICATION, then refresh works', async () => {
  const { tok } = await exchange(await authorize(ALL));
  const api = hs.client({ token: tok.accessToken });
  await api.crm.contacts.basicApi.getPage(1);
  await hs.control('PUT', '/__emu/clock', { advance_ms: 1801 * 1000 });
  try {
    const body = await apiError(api.crm.contacts.basicApi.getPage(1), 401);
    assertErrorShape(body, 'EXPIRED_AUTHENTICATION');
    const m = body.message.match(/^The OAuth token used to make this call expired (\d+) second\(s\) ago\.$/);
    assert.ok(m, body.message);
    assert.ok(Number(m[1]) >= 1 && Number(m[1]) < 30, `expired ${m[1]} s ago`);
    assert.ok(Array.isArray(body.context?.['expire time']), 'context["expire time"] lists the expiry');
    assert.ok(!Number.isNaN(Date.parse(body.context['expire time'][0])));
    // the private app token does not expire
    const pat = hs.client({ token: PAT });
    await pat.crm.contacts.basicApi.getPage(1);
    // the refresh token still does
    const c = hs.client({ token: null });
    const fresh = await c.oauth.tokensApi.create('refresh_token', undefined, undefined, CLIENT_ID, CLIENT_SECRET, tok.refreshToken);
    const api2 = hs.client({ token: fresh.accessToken });
    await api2.crm.contacts.basicApi.getPage(1);
    assert.equal(api2.last().status, 200);
  } finally {
    await hs.control('PUT', '/__emu/clock', { offset_ms: 0 });
  }
});

test('the access token lifetime setting is honoured', async () => {
  await hs.control('PUT', '/__emu/settings', { access_token_lifetime_s: 120 });
  try {
    const { raw } = await exchange(await authorize(ALL));
    assert.equal(raw.expires_in, 120);
  } finally {
    await hs.control('PUT', '/__emu/settings', { access_token_lifetime_s: 1800 });
  }
});

test('POST /__emu/tokens/expire makes an access token answer EXPIRED_AUTHENTICATION', async () => {
  const { tok } = await exchange(await authorize(ALL));
  const { tok: other } = await exchange(await authorize(ALL));
  await hs.control('POST', '/__emu/tokens/expire', { token: tok.accessToken });
  const api = hs.client({ token: tok.accessToken });
  const body = await apiError(api.crm.contacts.basicApi.getPage(1), 401);
  assertErrorShape(body, 'EXPIRED_AUTHENTICATION');
  const api2 = hs.client({ token: other.accessToken });
  await api2.crm.contacts.basicApi.getPage(1);
  assert.equal(api2.last().status, 200, 'only the named token expired');
});

test('a missing scope gives 403 MISSING_SCOPES naming the scope', async () => {
  const { tok } = await exchange(await authorize(['crm.objects.contacts.read']));
  const api = hs.client({ token: tok.accessToken });
  await api.crm.contacts.basicApi.getPage(1);
  assert.equal(api.last().status, 200);

  const body = await apiError(api.crm.contacts.basicApi.create({ properties: { email: 'noscope@example.com' } }), 403);
  assertErrorShape(body, 'MISSING_SCOPES');
  const named = [...(body.context?.missingScopes ?? []), ...(body.context?.requiredGranularScopes ?? [])];
  assert.ok(named.includes('crm.objects.contacts.write'), `context names the scope: ${JSON.stringify(body)}`);

  const body2 = await apiError(api.crm.deals.basicApi.getPage(1), 403);
  assertErrorShape(body2, 'MISSING_SCOPES');
  const named2 = [...(body2.context?.missingScopes ?? []), ...(body2.context?.requiredGranularScopes ?? [])];
  assert.ok(named2.includes('crm.objects.deals.read'), JSON.stringify(body2));

  // nothing was written
  const pat = hs.client();
  const found = await pat.crm.contacts.basicApi.getPage(100, undefined, ['email']);
  assert.ok(!found.results.some((r) => r.properties.email === 'noscope@example.com'));
});

test('a private app token limited to some scopes gets 403 MISSING_SCOPES for the others', async () => {
  const { token } = await hs.control('POST', '/__emu/tokens', { scopes: ['crm.objects.contacts.read'] });
  const api = hs.client({ token });
  await api.crm.contacts.basicApi.getPage(1);
  assert.equal(api.last().status, 200);
  assertErrorShape(await apiError(api.crm.companies.basicApi.getPage(1), 403), 'MISSING_SCOPES');
  assertErrorShape(await apiError(api.crm.contacts.basicApi.create({ properties: { email: 'patscope@example.com' } }), 403), 'MISSING_SCOPES');
});

test('OAuth calls carry the ten-second headers but not the daily pair', async () => {
  await hs.control('PUT', '/__emu/limits', { enabled: true });
  try {
    const { tok } = await exchange(await authorize(ALL));
    const api = hs.client({ token: tok.accessToken });
    await api.crm.contacts.basicApi.getPage(1);
    const h = api.last().headers;
    assert.equal(h['x-hubspot-ratelimit-max'], '110', 'public OAuth apps get 110 per 10 s');
    assert.ok(h['x-hubspot-ratelimit-remaining'], 'X-HubSpot-RateLimit-Remaining present');
    assert.equal(h['x-hubspot-ratelimit-daily'], undefined);
    assert.equal(h['x-hubspot-ratelimit-daily-remaining'], undefined);
    const pat = hs.client();
    await pat.crm.contacts.basicApi.getPage(1);
    assert.ok(pat.last().headers['x-hubspot-ratelimit-daily'], 'private app calls carry the daily header');
  } finally {
    await hs.control('PUT', '/__emu/limits', { enabled: false });
  }
});
