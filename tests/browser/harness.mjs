// Test harness for the browser tests: starts a real sociald on a private port and data dir,
// launches Debian's Chromium through playwright-core, and watches every page for requests that
// leave 127.0.0.1, console errors (CSP violations included) and oversized HTML.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PAGE_LIMIT_BYTES = 50 * 1024;

/** Path of the debug sociald binary; builds it when it is missing. */
export function sociald() {
  const target = process.env.CARGO_TARGET_DIR ?? path.join(ROOT, 'target');
  const bin = process.env.SOCIALD_BIN ?? path.join(target, 'debug', 'sociald');
  if (!existsSync(bin)) {
    const built = spawnSync('cargo', ['build', '-p', 'sociald'], { cwd: ROOT, stdio: 'inherit' });
    if (built.status !== 0) throw new Error('cargo build -p sociald failed');
  }
  return bin;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Polls `check` every 50 ms until it returns true; throws after `ms`. */
async function waitFor(what, ms, check) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Starts `sociald serve` on a fresh data dir with open registration and the default
 * configuration (so the sign-up proof of work is on). Returns
 * `{ base, stop(), output(), createAdmin(name, password) }`.
 */
export async function startServer() {
  const bin = sociald();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'social-browser-data-'));
  const admin = spawnSync(bin, ['admin', 'set-registration', 'open', '--data-dir', dataDir], {
    encoding: 'utf8',
  });
  if (admin.status !== 0) {
    throw new Error(`sociald admin set-registration failed:\n${admin.stdout}${admin.stderr}`);
  }
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let log = '';
  const child = spawn(bin, ['serve', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  let exited = null;
  const exit = new Promise((resolve) => child.on('exit', (code, signal) => {
    exited = signal ?? code;
    resolve();
  }));

  const stop = async () => {
    if (exited === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(killer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    await waitFor('sociald /readyz', 30_000, async () => {
      if (exited !== null) throw new Error(`sociald exited (${exited}) before ready:\n${log}`);
      try {
        return (await fetch(`${base}/readyz`)).status === 200;
      } catch {
        return false;
      }
    });
  } catch (e) {
    await stop();
    throw e;
  }
  /** `sociald admin create-user --admin` on the running server's database. */
  const createAdmin = (name, password) => {
    const made = spawnSync(
      bin,
      ['admin', 'create-user', '--admin', '--password-stdin', name, '--data-dir', dataDir],
      { encoding: 'utf8', input: `${password}\n` },
    );
    if (made.status !== 0) {
      throw new Error(`sociald admin create-user failed:\n${made.stdout}${made.stderr}`);
    }
  };
  return { base, stop, output: () => log, createAdmin };
}

/** Debian's Chromium, headless, with no background traffic (this machine has no internet). */
export async function launchChromium() {
  // playwright-core gives every launch a fresh, temporary --user-data-dir itself (it refuses
  // the flag in `args`), so no state leaks between runs.
  return chromium.launch({
    executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
    headless: true,
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
}

/**
 * A browser context that records what the site must never do: `problems` lists requests to
 * hosts other than 127.0.0.1 (aborted), console errors and uncaught page errors; `pages` lists
 * every HTML document served with its size.
 */
export async function watchedContext(browser, options = {}) {
  const context = await browser.newContext(options);
  const problems = [];
  const pages = [];
  const pending = [];
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === '127.0.0.1') return route.continue();
    problems.push(`request left 127.0.0.1: ${url.href}`);
    return route.abort('blockedbyclient');
  });
  context.on('page', (page) => watchPage(page, problems, pages, pending));
  return {
    context,
    problems,
    pages,
    /** Waits for the page-size measurements still in flight. */
    settle: () => Promise.all(pending.splice(0)),
  };
}

function watchPage(page, problems, pages, pending) {
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error on ${page.url()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error on ${page.url()}: ${err.message}`));
  page.on('response', (response) => {
    const redirect = response.status() >= 300 && response.status() < 400;
    if (response.request().resourceType() !== 'document' || redirect) return;
    pending.push(
      response
        .body()
        .then((body) => pages.push({ url: response.url(), bytes: body.length }))
        .catch(() => {}),
    );
  });
}
