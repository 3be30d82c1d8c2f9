// End-to-end in headless Chromium: two people sign up through the real forms in open mode, one
// with JavaScript (pow.js does the sign-up proof of work: signed in at once), the other
// without (the account waits for an admin's approval); one posts, the other follows them
// (with JavaScript disabled) and sees the post on their home timeline.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { PAGE_LIMIT_BYTES, launchChromium, startServer, watchedContext } from './harness.mjs';

const PASSWORD = 'browser-test-passphrase';
let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Submits the form that holds `field` by clicking its submit button; waits for the page. */
async function submitFormWith(page, field) {
  const form = page.locator(`form:has([name="${field}"])`).first();
  await form.locator('button[type="submit"], input[type="submit"], button:not([type])').first().click();
  await page.waitForLoadState('load');
}

async function fillForm(page, values) {
  for (const [name, value] of Object.entries(values)) {
    await page.locator(`[name="${name}"]`).first().fill(value);
  }
}

/**
 * Signs up through /signup and returns the path the form led to. With JavaScript, pow.js
 * holds the form back until its proof of work is done and then sends it, so this waits for
 * the page to leave /signup rather than for the click.
 */
async function signUp(page, base, username) {
  const res = await page.goto(`${base}/signup`);
  assert.equal(res.status(), 200, 'GET /signup');
  await fillForm(page, { username, password: PASSWORD, password_confirm: PASSWORD });
  const form = page.locator('form:has([name="password_confirm"])').first();
  await form.locator('button[type="submit"]').first().click();
  await page.waitForURL((url) => url.pathname !== '/signup', { timeout: 60_000 });
  return new URL(page.url()).pathname;
}

/** Logs in through /login and checks the compose form is on /home. */
async function logIn(page, base, username) {
  const login = await page.goto(`${base}/login`);
  assert.equal(login.status(), 200, 'GET /login');
  await fillForm(page, { username, password: PASSWORD });
  await submitFormWith(page, 'password');
  await assertSignedIn(page, base, username);
}

async function assertSignedIn(page, base, username) {
  await page.goto(`${base}/home`);
  assert.equal(
    await page.locator('textarea[name="text"]').count(),
    1,
    `${username} should be signed in and see the compose form on /home (at ${page.url()})`,
  );
}

async function chooseVisibility(page, value) {
  const select = page.locator('select[name="visibility"]');
  if ((await select.count()) > 0) {
    await select.first().selectOption(value);
    return;
  }
  const radio = page.locator(`input[name="visibility"][value="${value}"]`);
  if ((await radio.count()) > 0) await radio.first().check();
}

/** Runs `body`; on failure adds the tail of sociald's log to the error. */
async function withServerLog(body) {
  try {
    await body();
  } catch (e) {
    const tail = server.output().split('\n').slice(-40).join('\n');
    e.message += `\n--- sociald log (last lines) ---\n${tail}`;
    throw e;
  }
}

test('sign up, post, follow, see the post on the home timeline', () => withServerLog(async () => {
  const base = server.base;
  const a = await watchedContext(browser);
  const b = await watchedContext(browser, { javaScriptEnabled: false });
  const staff = await watchedContext(browser, { javaScriptEnabled: false });
  const alice = 'alice_browser';
  const bob = 'bob_browser';
  const text = `Hello from the browser test ${Date.now()} #firstpost`;

  // A signs up with JavaScript on: pow.js does the proof of work, A is signed in at once.
  const pageA = await a.context.newPage();
  assert.equal(await signUp(pageA, base, alice), '/home', 'the proof of work signs A up at once');
  await assertSignedIn(pageA, base, alice);
  await fillForm(pageA, { text });
  await chooseVisibility(pageA, 'public');
  await submitFormWith(pageA, 'text');
  await pageA.goto(`${base}/home`);
  assert.ok(await pageA.getByText(text).first().isVisible(), 'A sees the new post on /home');

  // B signs up with JavaScript off: no proof of work, so the account waits for approval;
  // an admin (JavaScript off too) approves it and B logs in.
  const pageB = await b.context.newPage();
  assert.equal(await signUp(pageB, base, bob), '/signup/pending', 'without JavaScript B waits');
  assert.ok(
    await pageB.getByText('did not run the sign-up check').first().isVisible(),
    'the pending page says why',
  );
  server.createAdmin('boss_browser', PASSWORD);
  const pageAdmin = await staff.context.newPage();
  await logIn(pageAdmin, base, 'boss_browser');
  await pageAdmin.goto(`${base}/admin/registrations`);
  const entry = pageAdmin.locator('li', { hasText: `@${bob}` });
  await Promise.all([
    pageAdmin.waitForResponse((r) => r.url().endsWith('/approve')),
    entry.locator('form[action$="/approve"] button').click(),
  ]);
  await pageAdmin.close();
  await logIn(pageB, base, bob);

  // B follows A from the profile page, reads /home.
  const profile = await pageB.goto(`${base}/@${alice}`);
  assert.equal(profile.status(), 200, `GET /@${alice}`);
  const follow = pageB.locator(`form[action$="/@${alice}/follow"]`);
  assert.equal(await follow.count(), 1, 'the profile has a Follow form');
  await follow.locator('button, input[type="submit"]').first().click();
  await pageB.waitForLoadState('load');
  const home = await pageB.goto(`${base}/home`);
  assert.equal(home.status(), 200, 'GET /home');
  assert.ok(await pageB.getByText(text).first().isVisible(), 'B sees A\'s post on /home');

  const shotDir = mkdtempSync(path.join(tmpdir(), 'social-browser-shot-'));
  const shot = path.join(shotDir, 'home.png');
  await pageB.screenshot({ path: shot, fullPage: true });
  console.log(`screenshot of the home page: ${shot}`);

  await Promise.all([a.settle(), b.settle(), staff.settle()]);
  const problems = [...a.problems, ...b.problems, ...staff.problems];
  assert.deepEqual(problems, [], 'no offsite request, console error or CSP violation');
  const pages = [...a.pages, ...b.pages];
  assert.ok(pages.length >= 6, `measured the HTML pages (${pages.length})`);
  const big = pages.filter((p) => p.bytes >= PAGE_LIMIT_BYTES);
  assert.deepEqual(big, [], `every page under ${PAGE_LIMIT_BYTES} bytes`);
  await a.context.close();
  await b.context.close();
  await staff.context.close();
}));
