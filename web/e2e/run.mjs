// End-to-end test: starts the real server on a fresh data directory, drives
// Debian's chromium through the main flows and saves screenshots.
//
//   HUDDLE_BIN=/path/to/huddle npm run test:e2e
//
// HUDDLE_E2E_URL=http://127.0.0.1:PORT runs against an already running server
// instead (it must not be set up yet). E2E_SKIP_BUILD=1 skips `vite build`.
// E2E_ONLY=<regex> runs only the steps whose name matches (after the setup steps), e.g.
// E2E_ONLY=approvals.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { createSteps, sleep } from './steps.mjs';
import { servesSameClient, startFront } from './front.mjs';

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repoDir = path.resolve(webDir, '..');
const shotDir = path.join(repoDir, 'test-output', 'screenshots');

function huddleBin() {
  if (process.env.HUDDLE_BIN) return process.env.HUDDLE_BIN;
  if (process.env.CARGO_TARGET_DIR) return path.join(process.env.CARGO_TARGET_DIR, 'debug', 'huddle');
  return path.join(repoDir, 'target', 'debug', 'huddle');
}

function buildClient() {
  if (process.env.E2E_SKIP_BUILD === '1' && existsSync(path.join(webDir, 'dist', 'index.html'))) return;
  const vite = path.join(webDir, 'node_modules', 'vite', 'bin', 'vite.js');
  const r = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: webDir, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('vite build failed');
}

/** A free TCP port on 127.0.0.1, chosen up front so a restarted server can reuse it. */
async function freePort() {
  const srv = net.createServer();
  await new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', resolve);
  });
  const { port } = srv.address();
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

/** Spawns `huddle serve` on `dataDir` and `port`; resolves once /healthz answers. */
async function spawnServer(bin, dataDir, port, logSink) {
  const child = spawn(bin, ['serve', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'warn' },
  });
  let log = '';
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not report its address in 60s:\n${log}`)), 60_000);
    const onData = (chunk) => {
      log += chunk.toString();
      logSink(chunk.toString());
      const m = log.match(/Huddle is listening on (http:\/\/[^\s]+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1].replace(/\/$/, ''));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (c) => {
      log += c.toString();
      logSink(c.toString());
      if (process.env.E2E_VERBOSE) process.stderr.write(c);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${log}`));
    });
  });
  child.removeAllListeners('exit');
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) break;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error('server /healthz did not answer 200 in 30s');
    await sleep(200);
  }
  return { child, base };
}

async function terminate(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(10_000)]);
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await exited;
  }
}

/**
 * Starts `huddle serve` on a fresh data directory and a port chosen up front. The
 * returned `halt()` stops it (SIGTERM) and `resume()` starts a new process on the same
 * data directory and port, so clients reconnect to the same URL.
 */
async function startServer() {
  const bin = huddleBin();
  if (!existsSync(bin)) throw new Error(`server binary not found at ${bin} (set HUDDLE_BIN)`);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'huddle-e2e-'));
  const port = await freePort();
  let log = '';
  const sink = (text) => {
    log += text;
  };
  let { child, base } = await spawnServer(bin, dataDir, port, sink);
  const halt = async () => {
    await terminate(child);
  };
  const resume = async () => {
    await terminate(child);
    // The port may linger briefly after the old process exits.
    for (let attempt = 0; ; attempt++) {
      try {
        ({ child } = await spawnServer(bin, dataDir, port, sink));
        return;
      } catch (e) {
        if (attempt >= 10) throw e;
        await sleep(500);
      }
    }
  };
  const stop = async () => {
    await terminate(child);
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { base, stop, halt, resume, log: () => log };
}

async function main() {
  mkdirSync(shotDir, { recursive: true });
  buildClient();
  const server = process.env.HUDDLE_E2E_URL
    ? { base: process.env.HUDDLE_E2E_URL.replace(/\/$/, ''), stop: async () => {}, log: () => '' }
    : await startServer();
  console.log(`server: ${server.base}`);
  // The server may embed another checkout's client; then test ours through a front.
  const distDir = path.join(webDir, 'dist');
  let front = null;
  if (!process.env.HUDDLE_E2E_URL && !(await servesSameClient(server.base, distDir))) {
    front = await startFront(server.base, distDir);
    console.log(`client: ${front.base} (this checkout's web/dist; the server serves another build)`);
  }
  const base = front ? front.base : server.base;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  let passed = 0;
  let failed = 0;
  const pageErrors = [];
  try {
    const restart = server.halt ? { halt: server.halt, resume: server.resume } : null;
    const steps = createSteps({ browser, base, shotDir, pageErrors, restart });
    const only = process.env.E2E_ONLY ? new RegExp(process.env.E2E_ONLY) : null;
    const chosen = only ? steps.filter(([name], i) => i < (steps.setupCount ?? 0) || only.test(name)) : steps;
    for (const [name, fn] of chosen) {
      const started = Date.now();
      try {
        await fn();
        if (pageErrors.length) throw new Error(`uncaught page error: ${pageErrors.splice(0).join('\n')}`);
        passed++;
        console.log(`ok   ${name} (${Date.now() - started} ms)`);
      } catch (e) {
        failed++;
        console.log(`FAIL ${name}\n     ${String(e?.stack ?? e).split('\n').slice(0, 6).join('\n     ')}`);
        await steps.failureShot(name).catch(() => {});
        // Later steps build on earlier ones: stop at the first failure.
        break;
      }
    }
  } finally {
    await browser.close().catch(() => {});
    if (failed && server.log()) console.log(`--- server log (tail) ---\n${server.log().slice(-3000)}`);
    if (front) await front.stop();
    await server.stop();
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(e?.stack ?? e);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
