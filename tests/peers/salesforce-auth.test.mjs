// jsforce against emu-salesforce: OAuth (password, client_credentials, authorization code,
// refresh_token), token and error shapes, identity, the versions list and version root, session
// expiry (401 INVALID_SESSION_ID) and jsforce's transparent refresh, revocation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startSalesforce,
  connection,
  tap,
  sfReject,
  assertId,
  authorizeWithCode,
  raw,
  form,
  CREDS,
  VERSION,
  jsforce,
} from './lib/sf.mjs';

let sf;
before(async () => {
  sf = await startSalesforce();
});
after(async () => {
  await sf?.stop();
});

test('GET /services/data/ lists every version from v50.0 to v62.0 without authentication', async () => {
  const res = await raw(`${sf.url}/services/data/`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^application\/json(;|$)/);
  assert.ok(Array.isArray(res.json));
  for (let v = 50; v <= 62; v++) {
    const e = res.json.find((x) => x.version === `${v}.0`);
    assert.ok(e, `version ${v}.0 missing`);
    assert.equal(e.url, `/services/data/v${v}.0`);
    assert.equal(typeof e.label, 'string');
    assert.ok(e.label.length > 0);
  }
  const w25 = res.json.find((x) => x.version === '62.0');
  assert.equal(w25.label, "Winter '25");
});

test('password grant through loginUrl: jsforce gets org and user ids from the token answer', async () => {
  const conn = connection(sf);
  const wire = tap(conn);
  const info = await conn.login(CREDS.username, CREDS.password + CREDS.token);
  assertId(info.id, '005');
  assertId(info.organizationId, '00D');
  assert.equal(conn.instanceUrl, sf.url);
  assert.ok(conn.accessToken.startsWith(info.organizationId.slice(0, 15) + '!'), 'token starts with org id + !');

  const tok = wire.find((x) => x.url.endsWith('/services/oauth2/token'));
  assert.equal(tok.status, 200);
  const body = JSON.parse(tok.body);
  assert.equal(body.token_type, 'Bearer');
  assert.equal(body.instance_url, sf.url);
  assert.equal(body.id, `${sf.url}/id/${info.organizationId}/${info.id}`);
  assert.match(body.issued_at, /^\d{13}$/, 'issued_at is epoch ms as a string');
  assert.ok(Math.abs(Number(body.issued_at) - Date.now()) < 60000);
  assert.match(body.signature, /^[A-Za-z0-9+/]+=*$/);
  assert.equal(body.refresh_token, undefined, 'password grant returns no refresh token');
  assert.equal(body.expires_in, undefined, 'Salesforce sends no expires_in');

  const r = await conn.query('SELECT Id, Username FROM User WHERE Id = ' + `'${info.id}'`);
  assert.equal(r.totalSize, 1);
  assert.equal(r.records[0].Username, CREDS.username);
});

test('password without the security token is invalid_grant / authentication failure', async () => {
  const conn = connection(sf);
  const err = await sfReject(conn.login(CREDS.username, CREDS.password), 'invalid_grant');
  assert.equal(err.message, 'authentication failure');
  const conn2 = connection(sf);
  await sfReject(conn2.login('nobody@crmsync.test', CREDS.password + CREDS.token), 'invalid_grant');
  assert.equal(conn2.accessToken, undefined);
});

test('token endpoint errors: wrong secret, unknown client, unsupported grant (400 JSON)', async () => {
  const badSecret = connection(sf, { oauth2: { clientSecret: 'nope' } });
  const e1 = await sfReject(badSecret.login(CREDS.username, CREDS.password + CREDS.token), 'invalid_client');
  assert.equal(e1.message, 'invalid client credentials');

  const badClient = connection(sf, { oauth2: { clientId: 'nobody' } });
  const e2 = await sfReject(badClient.login(CREDS.username, CREDS.password + CREDS.token), 'invalid_client_id');
  assert.equal(e2.message, 'client identifier invalid');

  const conn = connection(sf);
  await sfReject(conn.authorize({ grant_type: 'magic' }), 'unsupported_grant_type');

  const res = await raw(`${sf.url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form({ grant_type: 'password', client_id: CREDS.clientId, client_secret: CREDS.clientSecret, username: CREDS.username, password: 'x' }),
  });
  assert.equal(res.status, 400);
  assert.match(res.headers.get('content-type'), /^application\/json/);
  assert.deepEqual(Object.keys(res.json).sort(), ['error', 'error_description']);
});

test('client id and secret may come as HTTP Basic instead of form fields', async () => {
  const res = await raw(`${sf.url}/services/oauth2/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: 'Basic ' + Buffer.from(`${CREDS.clientId}:${CREDS.clientSecret}`).toString('base64'),
    },
    body: form({ grant_type: 'password', username: CREDS.username, password: CREDS.password + CREDS.token }),
  });
  assert.equal(res.status, 200, res.text);
  assert.ok(res.json.access_token);
});

test('client_credentials grant: jsforce authorize() gives a working session without a refresh token', async () => {
  const conn = connection(sf);
  const info = await conn.authorize({ grant_type: 'client_credentials' });
  assertId(info.id, '005');
  assert.equal(conn.refreshToken, undefined);
  const r = await conn.query('SELECT COUNT() FROM User');
  assert.ok(r.totalSize >= 1);
});

test('identity(): version root names the identity URL, which answers for the session user', async () => {
  const conn = await sf.login();
  const root = await conn.request(`/services/data/v${VERSION}/`);
  for (const k of ['sobjects', 'query', 'queryAll', 'limits', 'composite']) {
    assert.equal(root[k], `/services/data/v${VERSION}/${k}`, `version root ${k}`);
  }
  assert.match(root.identity, new RegExp(`/id/${conn.userInfo.organizationId}/${conn.userInfo.id}$`));

  conn.userInfo.url = undefined; // make jsforce read the identity URL from the version root
  const id = await conn.identity();
  assert.equal(id.user_id, conn.userInfo.id);
  assert.equal(id.username, CREDS.username);
  assert.equal(typeof id.display_name, 'string');
  assert.equal(typeof id.email, 'string');
  assert.ok(id.organization_id.startsWith('00D'));
  assert.match(id.id, /\/id\/00D\w{15}\/005\w{15}$/);
});

test('a bad token gets 401 INVALID_SESSION_ID with the vendor array body', async () => {
  const conn = new jsforce.Connection({ instanceUrl: sf.url, accessToken: '00Dxx0000000001!bogus', version: VERSION });
  const wire = tap(conn);
  const err = await sfReject(conn.query('SELECT Id FROM Lead'), 'INVALID_SESSION_ID');
  assert.equal(err.message, 'Session expired or invalid');
  assert.equal(wire.last().status, 401);
  assert.ok(Array.isArray(JSON.parse(wire.last().body)));
  const noAuth = await raw(`${sf.url}/services/data/v${VERSION}/limits`);
  assert.equal(noAuth.status, 401);
  assert.equal(noAuth.json[0].errorCode, 'INVALID_SESSION_ID');
});

test('expired sessions: jsforce logged in with a password re-logs in once and retries', async () => {
  const conn = await sf.login();
  const wire = tap(conn);
  const old = conn.accessToken;
  await sf.control('POST', '/__emu/sessions/expire');
  const r = await conn.query('SELECT COUNT() FROM User');
  assert.ok(r.totalSize >= 1);
  assert.notEqual(conn.accessToken, old);
  const statuses = wire.map((x) => `${x.method} ${new URL(x.url).pathname} ${x.status}`);
  assert.deepEqual(statuses, [
    `GET /services/data/v${VERSION}/query 401`,
    'POST /services/oauth2/token 200',
    `GET /services/data/v${VERSION}/query 200`,
  ]);
  // the old token stays dead
  const stale = new jsforce.Connection({ instanceUrl: sf.url, accessToken: old, version: VERSION });
  await sfReject(stale.query('SELECT Id FROM User'), 'INVALID_SESSION_ID');
});

test('sessions/expire with one token leaves the others alive', async () => {
  const a = await sf.login();
  const b = await sf.login();
  assert.notEqual(a.accessToken, b.accessToken);
  await sf.control('POST', '/__emu/sessions/expire', { token: a.accessToken });
  const bareA = new jsforce.Connection({ instanceUrl: sf.url, accessToken: a.accessToken, version: VERSION });
  const bareB = new jsforce.Connection({ instanceUrl: sf.url, accessToken: b.accessToken, version: VERSION });
  await sfReject(bareA.query('SELECT Id FROM User LIMIT 1'), 'INVALID_SESSION_ID');
  const r = await bareB.query('SELECT Id FROM User LIMIT 1');
  assert.equal(r.records.length, 1);
});

test('token lifetime is configurable, counts inactivity and follows the emulator clock', async () => {
  await sf.control('PUT', '/__emu/settings', { token_lifetime_s: 60 });
  try {
    const conn = await sf.login();
    const bare = new jsforce.Connection({ instanceUrl: sf.url, accessToken: conn.accessToken, version: VERSION });
    await bare.query('SELECT Id FROM User LIMIT 1'); // still fresh
    // the timeout counts inactivity, as Salesforce's session timeout does: use keeps it alive
    await sf.control('PUT', '/__emu/clock', { advance_ms: 45000 });
    await bare.query('SELECT Id FROM User LIMIT 1');
    await sf.control('PUT', '/__emu/clock', { advance_ms: 45000 });
    await bare.query('SELECT Id FROM User LIMIT 1'); // 90 s after login, 45 s idle
    await sf.control('PUT', '/__emu/clock', { advance_ms: 61000 });
    await sfReject(bare.query('SELECT Id FROM User LIMIT 1'), 'INVALID_SESSION_ID');
    const r = await conn.query('SELECT Id FROM User LIMIT 1'); // jsforce logs in again
    assert.equal(r.records.length, 1);
  } finally {
    await sf.control('PUT', '/__emu/settings', { token_lifetime_s: 7200 });
  }
});

test('authorization code flow returns a refresh token; jsforce refreshes an expired session with it', async () => {
  const { conn, refreshToken, userInfo } = await authorizeWithCode(sf);
  assert.ok(refreshToken, 'authorization_code answer carries refresh_token');
  assertId(userInfo.id, '005');

  // A fresh process that only kept the refresh token (and a stale access token).
  const conn2 = new jsforce.Connection({
    oauth2: { loginUrl: sf.url, clientId: CREDS.clientId, clientSecret: CREDS.clientSecret },
    instanceUrl: sf.url,
    accessToken: conn.accessToken,
    refreshToken,
    version: VERSION,
  });
  const wire = tap(conn2);
  let refreshed = null;
  conn2.on('refresh', (tok) => {
    refreshed = tok;
  });
  await sf.control('POST', '/__emu/sessions/expire');
  const r = await conn2.query('SELECT Id FROM User LIMIT 1');
  assert.equal(r.records.length, 1);
  assert.ok(refreshed, 'jsforce emitted refresh');
  assert.equal(conn2.accessToken, refreshed);
  const tokCall = wire.find((x) => x.url.endsWith('/services/oauth2/token'));
  assert.ok(tokCall, 'refresh went to the token endpoint');
  assert.match(tokCall.body, /"id"\s*:/, 'refresh answer carries id (jsforce parses it)');
  assert.equal(conn2.userInfo.id, userInfo.id);
});

test('refresh_token grant shapes; a revoked refresh token is invalid_grant "expired access/refresh token"', async () => {
  const { conn, refreshToken } = await authorizeWithCode(sf);
  const res = await conn.oauth2.refreshToken(refreshToken);
  assert.ok(res.access_token);
  assert.equal(res.instance_url, sf.url);
  assert.match(res.id, /\/id\/00D\w{15}\/005\w{15}$/);
  assert.equal(res.token_type, 'Bearer');
  assert.match(res.issued_at, /^\d{13}$/);

  await conn.oauth2.revokeToken(refreshToken);
  const err = await sfReject(conn.oauth2.refreshToken(refreshToken), 'invalid_grant');
  assert.equal(err.message, 'expired access/refresh token');
});

test('logout() revokes the access token', async () => {
  const conn = await sf.login();
  const token = conn.accessToken;
  await conn.logout();
  const bare = new jsforce.Connection({ instanceUrl: sf.url, accessToken: token, version: VERSION });
  await sfReject(bare.query('SELECT Id FROM User LIMIT 1'), 'INVALID_SESSION_ID');
});

test('jsforce default API version (50.0) is served', async () => {
  const conn = new jsforce.Connection({
    oauth2: { loginUrl: sf.url, clientId: CREDS.clientId, clientSecret: CREDS.clientSecret },
  });
  assert.equal(conn.version, '50.0');
  await conn.login(CREDS.username, CREDS.password + CREDS.token);
  const r = await conn.query('SELECT Id FROM User LIMIT 1');
  assert.equal(r.records[0].attributes.url, `/services/data/v50.0/sobjects/User/${r.records[0].Id}`);
});

test('API disabled for the org: 403 API_DISABLED_FOR_ORG', async () => {
  const conn = await sf.login();
  await sf.control('PUT', '/__emu/settings', { api_enabled: false });
  try {
    const wire = tap(conn);
    await sfReject(conn.query('SELECT Id FROM User LIMIT 1'), 'API_DISABLED_FOR_ORG');
    assert.equal(wire.last().status, 403);
  } finally {
    await sf.control('PUT', '/__emu/settings', { api_enabled: true });
  }
  const r = await conn.query('SELECT Id FROM User LIMIT 1');
  assert.equal(r.records.length, 1);
});

test('without a client secret jsforce logs in through SOAP login(); bad credentials give INVALID_LOGIN', async () => {
  const conn = new jsforce.Connection({ loginUrl: sf.url, version: VERSION });
  const info = await conn.login(CREDS.username, CREDS.password + CREDS.token);
  assertId(info.id, '005');
  assertId(info.organizationId, '00D');
  assert.equal(conn.instanceUrl, sf.url);
  const r = await conn.query('SELECT Id FROM User LIMIT 1');
  assert.equal(r.records.length, 1);
  const bad = new jsforce.Connection({ loginUrl: sf.url, version: VERSION });
  await assert.rejects(bad.login(CREDS.username, 'wrong'), /INVALID_LOGIN: Invalid username, password, security token; or user locked out\./);
});

test('identity() with the id URL from the token answer', async () => {
  const conn = await sf.login();
  assert.equal(conn.userInfo.url, `${sf.url}/id/${conn.userInfo.organizationId}/${conn.userInfo.id}`);
  const id = await conn.identity();
  assert.equal(id.user_id, conn.userInfo.id);
  assert.equal(id.organization_id, conn.userInfo.organizationId);
  assert.ok(id.urls && typeof id.urls.rest === 'string', 'identity urls map');
});
