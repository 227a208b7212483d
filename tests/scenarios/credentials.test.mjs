// Salesforce credentials at run time, as the native settings page has them: the admin routes need
// the token and answer bad input with a 400; a wrong password is refused with Salesforce's own
// message and nothing is stored; right credentials are checked, stored sealed (the store file
// never holds the password or the token in clear), shown as valid and used by a running engine
// without a restart; disconnect forgets them and turns the master switch off, and saving again
// (here through `crmsync credentials salesforce`, secrets on stdin) leaves it off.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
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

// crmsync with text on stdin; resolves { code, stdout, stderr }.
function crmsyncStdin(input, ...args) {
  return new Promise((resolve) => {
    const child = spawn(path.join(binDir, 'crmsync'), ['--config', pair.configPath, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
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
    assert.ok(await until(async () => /sync is now false/.test(run.stderr()), 10000));
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
