// Salesforce credentials at run time, as the native settings page has them: the admin routes need
// the token and answer bad input with a 400; a wrong password is refused with Salesforce's own
// message and nothing is stored; right credentials are checked, stored sealed (the store file
// never holds the password or the token in clear), shown as valid and used by a running engine
// without a restart; disconnect forgets them and turns the master switch off, and saving again
// (here through `crmsync credentials salesforce`, secrets on stdin) leaves it off. An OAuth
// refresh token (from the emulator's authorization-code flow) is checked with a refresh before it
// is stored, a revoked one is refused with nothing stored, and the stored one is what the engine
// then syncs with; the CLI takes one on stdin too. The sandbox switch (saved, on the CLI, or in
// crmsync.yaml) makes crmsync log in at https://test.salesforce.com: tests cannot reach that
// host, so they give crmsync an HTTPS proxy that records which host it is asked to tunnel to.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { binDir } from '../peers/lib/emu.mjs';
import { makePeople, peopleIndex, sleep, startPair, stopped, until } from './lib/pair.mjs';

const TOKEN = 'admin-secret-for-tests';
const YAML = `admin:\n  listen: 127.0.0.1:0\n  token: ${TOKEN}\n`;
const USER = 'integration@crmsync.test';

let pair;
before(async () => {
  pair = await startPair();
});
after(async () => {
  await pair.stop();
});

// The configuration's Salesforce password replaced (the file's credentials then fail).
function filePassword(pw) {
  const text = fs.readFileSync(pair.configPath, 'utf8');
  fs.writeFileSync(pair.configPath, text.replace('password: demo-password', `password: ${pw}`));
}

// Every byte of the store (the database and its write-ahead log).
function storeBytes() {
  const db = path.join(pair.dir, 'crmsync.db');
  return Buffer.concat(
    [db, `${db}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f)),
  );
}

// crmsync with text on stdin; resolves { code, stdout, stderr }. env: variables added to ours.
function crmsyncStdin(input, ...args) {
  const env = typeof args[0] === 'object' ? { ...process.env, ...args.shift() } : process.env;
  return new Promise((resolve) => {
    const child = spawn(path.join(binDir, 'crmsync'), ['--config', pair.configPath, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => {
      if (/AddressSanitizer|LeakSanitizer|runtime error:/.test(stderr))
        resolve({ code: 99, stdout, stderr: `sanitizer report:\n${stderr}` });
      else resolve({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

const sfCreds = async (run) => (await run.api('GET', '/api/v1/credentials/salesforce')).body;

test('the credential routes need the admin token and answer bad input with a 400', async () => {
  await pair.reset(YAML, { logLevel: 'info' });
  const run = await pair.runAdmin(TOKEN);
  try {
    for (const [method, p] of [
      ['GET', '/api/v1/credentials'],
      ['PUT', '/api/v1/credentials/salesforce'],
      ['DELETE', '/api/v1/credentials/salesforce'],
    ]) {
      const r = await run.api(method, p, { token: 'wrong', body: method === 'PUT' ? {} : undefined });
      assert.equal(r.status, 401, `${method} ${p}`);
      assert.equal(r.body.error.code, 'unauthorized');
    }
    let r = await run.api('GET', '/api/v1/credentials');
    assert.equal(r.status, 200);
    assert.deepEqual(
      [r.body.salesforce.source, r.body.salesforce.username, r.body.salesforce.grant],
      ['file', USER, 'password'],
    );
    assert.equal(r.body.salesforce.login_url, pair.sf.emu.url);
    assert.equal(r.body.salesforce.sandbox, false);
    assert.deepEqual(
      [r.body.hubspot.source, r.body.hubspot.auth, r.body.hubspot.token_present, r.body.hubspot.valid],
      ['file', 'private_app', true, null],
    );
    assert.doesNotMatch(JSON.stringify(r.body), /demo-password|DEMOTOKEN|pat-na1/, 'no secret shown');
    r = await run.api('PUT', '/api/v1/credentials/salesforce', { body: {} });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.code, 'bad_request');
    assert.match(r.body.error.problems.join('\n'), /username: missing/);
    assert.match(r.body.error.problems.join('\n'), /password: missing/);
    r = await run.api('PUT', '/api/v1/credentials/salesforce', {
      body: { username: 5, password: 'x', sandbox: 'yes', colour: 'blue', login_url: 'ftp://h' },
    });
    assert.equal(r.status, 400);
    const problems = r.body.error.problems.join('\n');
    for (const want of [/username: must be a string/, /sandbox: must be true or false/, /colour: unknown field/, /login_url: 'ftp:\/\/h'/])
      assert.match(problems, want);
    r = await run.api('PUT', '/api/v1/credentials/salesforce', { body: '{"username": ', raw: true });
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, /not JSON/);
    r = await run.api('PUT', '/api/v1/credentials/hubspot', { body: { username: 'u', password: 'p' } });
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, /crmsync\.yaml/);
    r = await run.api('GET', '/api/v1/credentials/zendesk');
    assert.equal(r.status, 404);
    assert.equal((await sfCreds(run)).source, 'file', 'nothing was stored');
  } finally {
    await stopped(run);
  }
});

test('a wrong password is refused with the vendor message, and nothing is stored', async () => {
  await pair.reset(YAML, { logLevel: 'info' });
  const run = await pair.runAdmin(TOKEN);
  try {
    const r = await run.api('PUT', '/api/v1/credentials/salesforce', {
      body: { username: USER, password: 'not-the-password', security_token: 'DEMOTOKEN', login_url: pair.sf.emu.url },
    });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.vendor_code, 'invalid_grant');
    assert.match(r.body.error.message, /invalid_grant: authentication failure/);
    const c = await sfCreds(run);
    assert.equal(c.source, 'file');
    assert.ok(!storeBytes().includes('not-the-password'), 'not in the store either');
  } finally {
    await stopped(run);
  }
});

test('right credentials are stored sealed, shown valid and used by the running engine', async () => {
  await pair.reset(YAML, { logLevel: 'info' });
  filePassword('wrong-password');
  const [p] = await makePeople(pair, { prefix: 'cred', hs: 1 });
  const run = await pair.runAdmin(TOKEN);
  try {
    assert.ok(
      await until(async () => (await sfCreds(run)).valid === false, 15000),
      `the file's credentials are found invalid:\n${run.stderr().slice(-2000)}`,
    );
    let c = await sfCreds(run);
    assert.equal(c.source, 'file');
    assert.match(c.error, /invalid_grant: authentication failure/);
    assert.equal((await peopleIndex(pair)).sf.get(p.email), undefined, 'nothing synced');
    const r = await run.api('PUT', '/api/v1/credentials/salesforce', {
      body: { username: USER, password: 'demo-password', security_token: 'DEMOTOKEN', login_url: pair.sf.emu.url },
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual([r.body.source, r.body.username, r.body.valid, r.body.grant], ['stored', USER, true, 'password']);
    assert.equal(r.body.error, null);
    assert.ok(
      await until(async () => (await peopleIndex(pair)).sf.get(p.email), 20000),
      `the next pass syncs with the saved credentials, no restart:\n${run.stderr().slice(-3000)}`,
    );
    c = await sfCreds(run);
    assert.deepEqual([c.source, c.valid], ['stored', true]);
    assert.match(run.stderr(), /Salesforce credentials changed: now the stored ones of integration@crmsync\.test/);
    const bytes = storeBytes();
    assert.ok(bytes.includes(USER), 'the username is kept in clear');
    assert.ok(!bytes.includes('demo-password'), 'the password is not in the store in clear');
    assert.ok(!bytes.includes('DEMOTOKEN'), 'nor the security token');
    const key = fs.statSync(path.join(pair.dir, 'crmsync.db.key'));
    assert.equal(key.mode & 0o777, 0o600, 'the key file is its owner\'s only');
    const shown = await pair.crmsync('credentials', '--json');
    assert.equal(shown.code, 0, shown.stderr);
    const j = JSON.parse(shown.stdout);
    assert.deepEqual([j.salesforce.source, j.salesforce.valid], ['stored', true]);
    assert.doesNotMatch(shown.stdout, /demo-password|DEMOTOKEN/);
  } finally {
    await stopped(run);
  }
});

test('disconnect forgets the credentials and stops syncing; saving again leaves sync off', async () => {
  await pair.reset(YAML, { logLevel: 'info' });
  const run = await pair.runAdmin(TOKEN);
  try {
    let r = await run.api('PUT', '/api/v1/credentials/salesforce', {
      body: { username: USER, password: 'demo-password', security_token: 'DEMOTOKEN', login_url: pair.sf.emu.url },
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    r = await run.api('DELETE', '/api/v1/credentials/salesforce');
    assert.equal(r.status, 200);
    assert.deepEqual([r.body.forgotten, r.body.sync, r.body.salesforce.source], [true, false, 'file']);
    r = await run.api('GET', '/api/v1/settings/sync');
    assert.deepEqual([r.body.value, r.body.source], [false, 'override']);
    assert.ok(await until(async () => /sync is now false/.test(run.stderr()), 20000));
    const [p] = await makePeople(pair, { prefix: 'disc', hs: 1 });
    await sleep(3000); // several passes
    assert.equal((await peopleIndex(pair)).sf.get(p.email), undefined, 'nothing syncs after disconnect');
    assert.equal((await pair.status()).sync, false);
    // the CLI: a wrong password is refused, the right one saved; sync stays off
    let cli = await crmsyncStdin('nope\nDEMOTOKEN\n', 'credentials', 'salesforce', '--username', USER, '--login-url', pair.sf.emu.url);
    assert.equal(cli.code, 1, cli.stderr);
    assert.match(cli.stderr, /not saved: .*invalid_grant: authentication failure/);
    cli = await crmsyncStdin('demo-password\nDEMOTOKEN\n', 'credentials', 'salesforce', '--username', USER, '--login-url', pair.sf.emu.url);
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, /saved, checked with a login to Salesforce/);
    assert.equal((await sfCreds(run)).source, 'stored');
    await sleep(2000);
    assert.equal((await peopleIndex(pair)).sf.get(p.email), undefined, 'saving does not turn sync on');
    r = await run.api('PUT', '/api/v1/settings/sync', { body: { value: true } });
    assert.equal(r.status, 200);
    assert.ok(
      await until(async () => (await peopleIndex(pair)).sf.get(p.email), 20000),
      `syncing again once the switch is on:\n${run.stderr().slice(-3000)}`,
    );
    // `crmsync disconnect` does the same as the route
    cli = await crmsyncStdin('', 'disconnect');
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, /forgotten; sync is off/);
    assert.equal((await sfCreds(run)).source, 'file');
  } finally {
    await stopped(run);
  }
});

// A refresh token as a connected app gets one: the authorize redirect's code, exchanged at the
// token endpoint (the code grant answers a refresh token).
async function refreshToken() {
  const redirect = 'http://127.0.0.1:1/callback';
  const auth = await fetch(
    `${pair.sf.emu.url}/services/oauth2/authorize?${new URLSearchParams({ response_type: 'code', client_id: 'crmsync-demo', redirect_uri: redirect, state: 's1' })}`,
    { redirect: 'manual' },
  );
  assert.equal(auth.status, 302);
  const code = new URL(auth.headers.get('location')).searchParams.get('code');
  assert.ok(code, auth.headers.get('location'));
  const res = await fetch(`${pair.sf.emu.url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirect,
      client_id: 'crmsync-demo',
      client_secret: 'crmsync-demo-secret',
    }),
  });
  const body = await res.json();
  assert.ok(body.refresh_token, JSON.stringify(body));
  return body.refresh_token;
}

const tokenCalls = async () =>
  (await pair.sf.emu.control('GET', '/__emu/stats')).calls.by_endpoint['POST /services/oauth2/token'] || 0;

test('a refresh token is checked before it is stored, a revoked one is refused, and the stored one syncs', async () => {
  await pair.reset(YAML, { logLevel: 'info' });
  filePassword('wrong-password');
  const [p] = await makePeople(pair, { prefix: 'rt', hs: 1 });
  const good = await refreshToken();
  const revoked = await refreshToken();
  const rv = await fetch(`${pair.sf.emu.url}/services/oauth2/revoke`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: revoked }),
  });
  assert.equal(rv.status, 200);
  const run = await pair.runAdmin(TOKEN);
  try {
    assert.ok(await until(async () => (await sfCreds(run)).valid === false, 15000), 'the file\'s password fails');
    // a refresh token of the right shape that Salesforce no longer honours
    let r = await run.api('PUT', '/api/v1/credentials/salesforce', {
      body: { refresh_token: revoked, login_url: pair.sf.emu.url },
    });
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.equal(r.body.error.vendor_code, 'invalid_grant');
    assert.match(r.body.error.message, /Salesforce refused the credentials at .*: invalid_grant: expired access\/refresh token/);
    assert.equal((await sfCreds(run)).source, 'file', 'nothing was stored');
    assert.ok(!storeBytes().includes(revoked), 'not in the store either');
    for (const extra of [{ password: 'demo-password' }, { username: USER }]) {
      r = await run.api('PUT', '/api/v1/credentials/salesforce', {
        body: { refresh_token: good, login_url: pair.sf.emu.url, ...extra },
      });
      assert.equal(r.status, 400, `${JSON.stringify(extra)}: ${JSON.stringify(r.body)}`);
      assert.match(r.body.error.problems.join('\n'), /refresh_token: give either username and password .*not both/);
    }
    assert.equal((await sfCreds(run)).source, 'file', 'nothing was stored');

    r = await run.api('PUT', '/api/v1/credentials/salesforce', { body: { refresh_token: good, login_url: pair.sf.emu.url } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(
      [r.body.source, r.body.grant, r.body.username, r.body.valid, r.body.login_url],
      ['stored', 'refresh_token', null, true, pair.sf.emu.url],
    );
    assert.ok(
      await until(async () => (await peopleIndex(pair)).sf.get(p.email), 20000),
      `the engine syncs with the stored refresh token:\n${run.stderr().slice(-3000)}`,
    );
    assert.match(run.stderr(), /Salesforce credentials changed: now the stored ones of a refresh token/);
    assert.ok(!storeBytes().includes(good), 'the refresh token is sealed');
    assert.doesNotMatch(JSON.stringify(await run.api('GET', '/api/v1/credentials')), new RegExp(good));
  } finally {
    await stopped(run);
  }

  // the CLI reads one from stdin, checked the same way (and nothing else logs in meanwhile)
  await pair.reset();
  filePassword('wrong-password');
  let calls = await tokenCalls();
  let cli = await crmsyncStdin(`${revoked}\n`, 'credentials', 'salesforce', '--refresh-token-stdin', '--login-url', pair.sf.emu.url);
  assert.equal(cli.code, 1, cli.stderr);
  assert.match(cli.stderr, /not saved: Salesforce refused the credentials at .*: invalid_grant: expired access\/refresh token/);
  assert.equal((await tokenCalls()) - calls, 1, 'Salesforce was asked, once');
  cli = await crmsyncStdin('', 'credentials', '--json');
  assert.equal(JSON.parse(cli.stdout).salesforce.source, 'file', 'nothing stored');
  cli = await crmsyncStdin(`${good}\n`, 'credentials', 'salesforce', '--refresh-token-stdin', '--username', USER);
  assert.equal(cli.code, 2, 'a refresh token or a username, not both');
  assert.match(cli.stderr, /--username .* or --refresh-token-stdin, one of them/);
  cli = await crmsyncStdin('', 'credentials', 'salesforce', '--refresh-token-stdin');
  assert.equal(cli.code, 2);
  assert.match(cli.stderr, /no refresh token on stdin/);
  calls = await tokenCalls();
  cli = await crmsyncStdin(`${good}\n`, 'credentials', 'salesforce', '--refresh-token-stdin', '--login-url', pair.sf.emu.url);
  assert.equal(cli.code, 0, cli.stderr);
  assert.equal((await tokenCalls()) - calls, 1, 'checked with one refresh');
  assert.match(cli.stdout, /saved, checked with a login to Salesforce\nsalesforce +stored, refresh_token grant, user \(none\) at http/);
  const [q] = await makePeople(pair, { prefix: 'rtcli', hs: 1 });
  await pair.sync();
  assert.ok((await peopleIndex(pair)).sf.get(q.email), 'synced with the refresh token the CLI saved');
});

// An HTTPS proxy that records the host:port of every tunnel asked of it, and refuses it.
async function tunnelRecorder() {
  const asked = [];
  const server = http.createServer((req, res) => res.writeHead(405).end());
  server.on('connect', (req, socket) => {
    asked.push(req.url);
    socket.on('error', () => {});
    socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    env: { https_proxy: `http://127.0.0.1:${server.address().port}`, HTTPS_PROXY: '', no_proxy: '', NO_PROXY: '' },
    asked,
    close: () => new Promise((r) => server.close(r)),
  };
}

test('the sandbox switch logs in at test.salesforce.com, saved, on the CLI and in crmsync.yaml', async () => {
  const proxy = await tunnelRecorder();
  try {
    await pair.reset(YAML, { logLevel: 'info' });
    // the admin API: crmsync run started with the proxy in its environment
    const saved = { ...process.env };
    Object.assign(process.env, proxy.env);
    let run;
    try {
      run = await pair.runAdmin(TOKEN);
    } finally {
      for (const k of Object.keys(proxy.env)) {
        if (k in saved) process.env[k] = saved[k];
        else delete process.env[k];
      }
    }
    try {
      const creds = { username: USER, password: 'demo-password', security_token: 'DEMOTOKEN' };
      let r = await run.api('PUT', '/api/v1/credentials/salesforce', { body: { ...creds, sandbox: true } });
      assert.equal(r.status, 502, JSON.stringify(r.body));
      assert.match(r.body.error.message, /the login check at https:\/\/test\.salesforce\.com failed/);
      assert.deepEqual([...new Set(proxy.asked)], ['test.salesforce.com:443'], 'the login went to the sandbox host');
      assert.equal((await sfCreds(run)).source, 'file', 'nothing was stored');
      proxy.asked.length = 0;
      r = await run.api('PUT', '/api/v1/credentials/salesforce', { body: { ...creds, sandbox: false } });
      assert.equal(r.status, 502, JSON.stringify(r.body));
      assert.deepEqual([...new Set(proxy.asked)], ['login.salesforce.com:443'], 'and to production without it');
      // a login_url wins over the switch (a My Domain, here the emulator): saved, shown sandbox
      proxy.asked.length = 0;
      r = await run.api('PUT', '/api/v1/credentials/salesforce', { body: { ...creds, sandbox: true, login_url: pair.sf.emu.url } });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual([r.body.source, r.body.sandbox, r.body.login_url], ['stored', true, pair.sf.emu.url]);
      assert.deepEqual(proxy.asked, [], 'no tunnel: the emulator is not an https host');
    } finally {
      await stopped(run);
    }

    // the CLI's --sandbox
    await pair.reset();
    proxy.asked.length = 0;
    let cli = await crmsyncStdin('demo-password\nDEMOTOKEN\n', proxy.env, 'credentials', 'salesforce', '--username', USER, '--sandbox');
    assert.equal(cli.code, 1, cli.stderr);
    assert.match(cli.stderr, /not saved: the login check at https:\/\/test\.salesforce\.com failed/);
    assert.deepEqual([...new Set(proxy.asked)], ['test.salesforce.com:443']);

    // crmsync.yaml's salesforce.sandbox without a login_url: shown, and where the engine logs in
    fs.writeFileSync(pair.configPath, fs.readFileSync(pair.configPath, 'utf8').replace(/^ {2}login_url: .*$/m, '  sandbox: true'));
    cli = await crmsyncStdin('', 'credentials', '--json');
    assert.equal(cli.code, 0, cli.stderr);
    const sf = JSON.parse(cli.stdout).salesforce;
    assert.deepEqual([sf.source, sf.login_url, sf.sandbox], ['file', 'https://test.salesforce.com', true]);
    proxy.asked.length = 0;
    cli = await crmsyncStdin('', proxy.env, 'sync', '--once');
    assert.equal(cli.code, 1, cli.stderr.slice(-2000));
    assert.match(cli.stderr, /crmsync sync: .*CONNECT tunnel failed, response 403/, 'the sandbox host was not reached');
    assert.deepEqual([...new Set(proxy.asked)], ['test.salesforce.com:443'], cli.stderr.slice(-2000));
  } finally {
    await proxy.close();
  }
});
