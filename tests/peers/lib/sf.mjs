// Helpers for the Salesforce peer tests: start emu-salesforce, log jsforce in through the OAuth
// password grant exactly as an integration would, watch the raw HTTP answers jsforce receives
// (status codes and headers that jsforce's return values hide), and build record ids.
//
//   const sf = await startSalesforce();
//   const conn = await sf.login();            // jsforce.Connection, API v62.0
//   const wire = tap(conn);                   // wire.last().status, wire.last().headers
//   const err = await sfReject(conn.sobject('Lead').create({}), 'REQUIRED_FIELD_MISSING');
//
// Every call still goes through jsforce's own HTTP layer; tap() only records what came back.
import assert from 'node:assert/strict';
import jsforce from 'jsforce';
import { startEmulator } from './emu.mjs';

export const CREDS = {
  clientId: 'crmsync-demo',
  clientSecret: 'crmsync-demo-secret',
  username: 'integration@crmsync.test',
  password: 'demo-password',
  token: 'DEMOTOKEN',
};
export const VERSION = '62.0';

// Salesforce datetimes in REST JSON: UTC, millis always shown, offset without a colon.
export const SF_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/;
export const SF_DATE = /^\d{4}-\d{2}-\d{2}$/;

export { jsforce };

// Starts an emulator and adds Salesforce conveniences to the handle.
export async function startSalesforce(args = []) {
  const emu = await startEmulator('salesforce', args);
  emu.connection = (opts = {}) => connection(emu, opts);
  emu.login = (opts = {}) => login(emu, opts);
  emu.now = async () => new Date((await emu.control('GET', '/__emu/clock')).now);
  return emu;
}

export function connection(emu, opts = {}) {
  const { oauth2, ...rest } = opts;
  return new jsforce.Connection({
    oauth2: {
      loginUrl: emu.url,
      clientId: CREDS.clientId,
      clientSecret: CREDS.clientSecret,
      ...(oauth2 || {}),
    },
    version: VERSION,
    ...rest,
  });
}

export async function login(emu, opts = {}) {
  const conn = connection(emu, opts);
  await conn.login(CREDS.username, CREDS.password + CREDS.token);
  return conn;
}

// Records every HTTP exchange of a connection (REST and OAuth transports): method, url, request
// headers, status, response headers (lower-case names) and raw body. A later tap() on the same
// connection takes over the recording.
export function tap(conn) {
  const log = [];
  for (const t of [conn._transport, conn.oauth2 && conn.oauth2._transport]) {
    if (!t) continue;
    t.__sfLog = log;
    if (t.__sfTap) continue;
    const orig = t.httpRequest.bind(t);
    t.__sfTap = true;
    t.httpRequest = (req, opts) => {
      const p = orig(req, opts);
      // the log current when the answer arrives: tap() may be called just after a call started
      p.then(
        (res) =>
          t.__sfLog.push({
            method: req.method,
            url: req.url,
            reqHeaders: req.headers || {},
            status: res.statusCode,
            headers: res.headers || {},
            body: res.body,
          }),
        (error) => t.__sfLog.push({ method: req.method, url: req.url, error }),
      );
      return p;
    };
  }
  log.last = () => log[log.length - 1];
  log.clear = () => log.splice(0, log.length);
  return log;
}

// Awaits a jsforce promise that must fail with the given Salesforce errorCode; returns the error.
export async function sfReject(promise, code) {
  let err;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  assert.ok(err, `expected ${code}, but the call succeeded`);
  assert.equal(err.errorCode ?? err.name, code, `expected ${code}, got ${err.errorCode ?? err.name}: ${err.message}`);
  return err;
}

// The 18-char form of a 15-char id: three 5-char chunks, bit i set when char i is A-Z.
export function sfId18(id15) {
  const map = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15[chunk * 5 + i];
      if (c >= 'A' && c <= 'Z') bits |= 1 << i;
    }
    suffix += map[bits];
  }
  return id15 + suffix;
}

// Asserts an 18-char id with a valid checksum and the given key prefix.
export function assertId(id, prefix) {
  assert.equal(typeof id, 'string', `id ${id} is not a string`);
  assert.equal(id.length, 18, `id ${id} is not 18 characters`);
  assert.equal(id.slice(0, 3), prefix, `id ${id} should start with ${prefix}`);
  assert.equal(sfId18(id.slice(0, 15)), id, `id ${id} has a bad checksum`);
}

// A well-formed 18-char id that no emulator will have issued (all-Z body).
export function unusedId(prefix) {
  return sfId18(prefix + '0ZZZZZZZZZZZ'.slice(0, 12));
}

// SOQL datetime literal for a Date: whole seconds, Z.
export function soqlDateTime(d) {
  return new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

// Parses a Salesforce datetime ('2024-01-17T19:55:04.000+0000').
export function parseSfDate(s) {
  return new Date(s.replace(/\+0000$/, 'Z'));
}

// A run-unique token for test data, so assertions never depend on seed data.
let seq = 0;
export function uniq(prefix = 't') {
  seq += 1;
  return `${prefix}${Date.now().toString(36)}${seq}`;
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

// Plain fetch against the emulator for what must not go through a logged-in client (the token
// endpoint's raw answers, the unauthenticated versions list).
export async function raw(url, { method = 'GET', headers = {}, body } = {}) {
  const res = await fetch(url, { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export function form(obj) {
  return new URLSearchParams(obj).toString();
}

export const REDIRECT_URI = 'http://127.0.0.1:1/oauth/callback';

// A refresh token the way a connected app gets one: the authorization-code flow. The emulator's
// /services/oauth2/authorize signs the integration user in without a page and redirects to
// redirect_uri with ?code=...; the code is then exchanged by jsforce (grant_type=authorization_code)
// and the answer carries refresh_token. Returns the connection jsforce established and the token.
export async function authorizeWithCode(emu, opts = {}) {
  const conn = connection(emu, { oauth2: { redirectUri: REDIRECT_URI }, ...opts });
  const authUrl = conn.oauth2.getAuthorizationUrl({ scope: 'api refresh_token' });
  const res = await fetch(authUrl, { redirect: 'manual' });
  const location = res.headers.get('location');
  assert.ok(
    res.status === 302 && location,
    `GET /services/oauth2/authorize should redirect (302) with a code, got ${res.status} ${location}`,
  );
  const code = new URL(location).searchParams.get('code');
  assert.ok(code, `no code in redirect ${location}`);
  const userInfo = await conn.authorize(code);
  return { conn, userInfo, refreshToken: conn.refreshToken };
}
