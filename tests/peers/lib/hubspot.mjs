// Helpers for the HubSpot peer tests: an emu-hubspot on a free port and @hubspot/api-client
// clients pointed at it through the SDK's own basePath option.
//
//   const hs = await startHubspot();              // or startHubspot(['--data', file])
//   const c = hs.client();                        // private app token, no retries
//   await c.crm.contacts.basicApi.create({ properties: { email: 'a@b.co' } });
//   c.last()                                      // raw status, headers, body of the last answer
//   const e = await apiError(c.crm.contacts.basicApi.getById('1'), 404);
//   await hs.stop();
//
//   let hs, c;                                    // a file's one portal, rate limits off:
//   withPortal((portal) => { hs = portal; c = portal.client(); });
//
// Every client records the raw answers it received (a post middleware reads the buffered body,
// which the SDK then reads again), so tests can assert the vendor's JSON as sent on the wire,
// not only what the SDK's model deserialiser kept.
//
// The SDK keeps its decorators (retries, limiter) in a process-wide singleton that each new
// Client overwrites and that each API object picks up when first touched. client({ retries })
// therefore touches the APIs a test names (apis) before any other client is made, and every
// client() call without retries resets the singleton to none.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before } from 'node:test';
import { startEmulator } from './emu.mjs';

const require = createRequire(import.meta.url);
const hubspot = require('@hubspot/api-client');

export const { Client, Signature } = hubspot;
export const PAT = 'pat-na1-crmsync-demo';
export const CLIENT_ID = 'crmsync-demo';
export const CLIENT_SECRET = 'crmsync-demo-secret';

export async function startHubspot(args = []) {
  const emu = await startEmulator('hubspot', args);

  function client({ token = PAT, retries = 0, apis = [], ...rest } = {}) {
    const seen = [];
    const config = {
      basePath: emu.url,
      ...(token ? { accessToken: token } : {}),
      ...(retries ? { numberOfApiCallRetries: retries } : {}),
      middleware: [
        {
          post: async (ctx) => {
            const text = await ctx.body.text();
            let json;
            try {
              json = text ? JSON.parse(text) : undefined;
            } catch {
              json = undefined;
            }
            seen.push({ status: ctx.httpStatusCode, headers: ctx.headers, text, json });
            if (seen.length > 50) seen.shift();
            return ctx;
          },
        },
      ],
      ...rest,
    };
    const c = new Client(config);
    // Bind the decorators of this client now (see the note at the top).
    for (const path of apis) {
      let o = c;
      for (const part of path.split('.')) o = o[part];
    }
    c.last = () => seen[seen.length - 1];
    c.seen = seen;
    return c;
  }

  // Plain HTTP against the emulator for what the SDK cannot express (OAuth authorize redirect,
  // malformed requests). Returns { status, headers, json, text }.
  async function http(method, path, { body, token = PAT, headers = {}, redirect = 'follow' } = {}) {
    const h = { ...headers };
    if (token) h.authorization = `Bearer ${token}`;
    if (body !== undefined && typeof body !== 'string') h['content-type'] = 'application/json';
    const res = await fetch(emu.url + path, {
      method,
      headers: h,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      redirect,
    });
    const text = await res.text();
    let json;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, json, text };
  }

  return { ...emu, client, http };
}

// Awaits a promise that must reject with the SDK's ApiException for this HTTP status; returns the
// error body (the vendor's JSON, which the SDK leaves undeserialised for errors).
export async function apiError(promise, status) {
  let err;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  assert.ok(err, `expected HTTP ${status}, but the call succeeded`);
  assert.equal(err.code, status, `expected HTTP ${status}, got ${err.code}: ${err.message}`);
  return err.body;
}

// The vendor's error envelope: status "error", a message, a correlationId, a category.
export function assertErrorShape(body, category) {
  assert.equal(typeof body, 'object', `error body is not JSON: ${body}`);
  assert.equal(body.status, 'error');
  assert.equal(body.category, category, `category: ${JSON.stringify(body)}`);
  assert.equal(typeof body.message, 'string');
  assert.ok(body.message.length > 0);
  assert.equal(typeof body.correlationId, 'string');
  assert.match(body.correlationId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  if (body.context !== undefined) {
    for (const [k, v] of Object.entries(body.context)) {
      assert.ok(Array.isArray(v), `context.${k} must be an array of strings`);
      for (const s of v) assert.equal(typeof s, 'string', `context.${k} must hold strings`);
    }
  }
}

// A SimplePublicObject as sent on the wire (raw JSON, not the SDK model).
export const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export function assertRecordShape(rec) {
  assert.equal(typeof rec.id, 'string');
  assert.match(rec.id, /^[1-9]\d*$/);
  assert.equal(typeof rec.properties, 'object');
  for (const [k, v] of Object.entries(rec.properties)) {
    assert.ok(v === null || typeof v === 'string', `property ${k} is ${typeof v}, not a string or null`);
  }
  assert.match(rec.createdAt, ISO_MS);
  assert.match(rec.updatedAt, ISO_MS);
  assert.equal(typeof rec.archived, 'boolean');
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Polls fn until it returns a truthy value or the time is up.
export async function waitFor(fn, { timeout = 5000, every = 25, what = 'condition' } = {}) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(every);
  }
}

// Turns off rate limits for tests that are not about them (search is limited to 5/s by default).
export async function noLimits(hs) {
  await hs.control('PUT', '/__emu/limits', { enabled: false });
}

// Starts a file's portal (rate limits off) before its tests and stops it after them; ready(hs)
// is called once it runs, for the file to keep the portal and make its clients.
export function withPortal(ready) {
  let hs;
  before(async () => {
    hs = await startHubspot();
    await noLimits(hs);
    await ready(hs);
  });
  after(async () => {
    await hs?.stop();
  });
}
