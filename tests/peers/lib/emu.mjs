// Starts an emulator binary for a peer test and talks to its control API.
//
//   const sf = await startEmulator('salesforce', ['--seed', '10']);
//   sf.url                      -> 'http://127.0.0.1:PORT'
//   await sf.control('POST', '/__emu/reset')
//   await sf.stop()
//
// Each emulator listens on 127.0.0.1 port 0 (any free port) and prints one line
// '... listening on http://HOST:PORT' when ready; the harness reads the address from it.
// Binaries come from $CRMSYNC_BIN_DIR, or build/bin at the top of the tree.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const binDir = process.env.CRMSYNC_BIN_DIR || path.resolve(here, '../../../build/bin');

export async function startEmulator(kind, args = []) {
  const bin = path.join(binDir, `emu-${kind}`);
  const proc = spawn(bin, ['--listen', '127.0.0.1:0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d) => {
    stderr += d;
    if (stderr.length > 65536) stderr = stderr.slice(-32768);
  });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${bin} did not start in 15 s:\n${stderr}`)), 15000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/[^\s]+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${bin} exited with ${code} before listening:\n${stderr}`));
    });
  });
  proc.stdout.resume();

  async function control(method, p, body) {
    const res = await fetch(url + p, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    if (res.status >= 400) {
      const e = new Error(`${method} ${p} -> ${res.status}: ${text}`);
      e.status = res.status;
      e.body = json;
      throw e;
    }
    return json;
  }

  // Stops the emulator with SIGTERM. Under AddressSanitizer/UBSan builds a sanitizer report
  // (a leak at exit included) makes stop() throw, so memory errors fail the test that found them.
  async function stop() {
    let code = proc.exitCode;
    if (code === null) {
      const done = new Promise((resolve) => proc.on('exit', (c, sig) => resolve(c ?? sig)));
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 10000);
      code = await done;
      clearTimeout(t);
    }
    if (/AddressSanitizer|LeakSanitizer|runtime error:/.test(stderr)) {
      throw new Error(`emu-${kind} reported a sanitizer error:\n${stderr.slice(-8000)}`);
    }
    return code;
  }

  return { url, proc, control, stop, stderr: () => stderr };
}
