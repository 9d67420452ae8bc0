// Shared set-up of the browser tests: a fresh database with the demo data, the real
// `renkei serve` on a free loopback port, and Debian's chromium driven by playwright-core.
// Everything is torn down at the end, whatever happened.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SOURCE_DIR = process.env.RK_SOURCE_DIR || path.resolve(here, '../..');
export const RENKEI_BIN = process.env.RENKEI_BIN || path.join(SOURCE_DIR, 'build', 'renkei');
const CHROMIUM = process.env.RK_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ROLES = ['station', 'analyst', 'supervisor', 'admin', 'partner'];

export function check(cond, message) {
  if (!cond) throw new Error(`check failed: ${message}`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// The demo log-ins printed by `renkei demo`: JSON ({"logins":[...]} or a list), or the table
// under the header line "login password role unit".
export function parseLogins(text) {
  const t = text.trim();
  if (t.startsWith('{') || t.startsWith('[')) {
    const j = JSON.parse(t);
    return Array.isArray(j) ? j : j.logins || [];
  }
  const out = [];
  let inTable = false;
  for (const line of text.split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols.slice(0, 4).join(' ') === 'login password role unit') {
      inTable = true;
    } else if (inTable && line.trim() === '') {
      break; // the table ends at the first blank line
    } else if (inTable && cols.length >= 3 && ROLES.includes(cols[2])) {
      out.push({ login: cols[0], password: cols[1], role: cols[2], unit: cols.slice(3).join(' ') });
    }
  }
  return out;
}

function run(args, opts = {}) {
  return execFileSync(RENKEI_BIN, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300000, ...opts });
}

async function waitForServer(base, proc, log) {
  const deadline = Date.now() + 20000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`renkei serve exited (${proc.exitCode}): ${log()}`);
    try {
      const res = await fetch(`${base}/api/v1/session`);
      if (res.status === 401 || res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`renkei serve did not answer within 20 s: ${log()}`);
}

// Starts everything; returns {base, logins, login(role), newPage(), shot(page, name), close()}.
export async function setUp(name) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `rk-e2e-${name}-`));
  const db = path.join(tmp, 'renkei.db');
  let proc = null;
  let browser = null;
  const cleanup = async () => {
    if (browser) await browser.close().catch(() => {});
    let stopped = 'not started';
    if (proc && proc.exitCode === null) {
      const exited = new Promise((r) => proc.once('exit', (code, signal) => r({ code, signal })));
      proc.kill('SIGTERM');
      let res = await Promise.race([exited, new Promise((r) => setTimeout(() => r(null), 10000))]);
      if (!res) {
        proc.kill('SIGKILL');
        res = await exited;
      }
      stopped = res.code === 0 ? 'ok' : `renkei serve did not stop cleanly on SIGTERM (code ${res.code}, signal ${res.signal})`;
    } else if (proc) {
      stopped = `renkei serve had already exited (code ${proc.exitCode})`;
    }
    fs.rmSync(tmp, { recursive: true, force: true });
    return stopped;
  };
  try {
    run(['init', '--db', db]);
    const demoOut = run(['demo', '--db', db]);
    const logins = parseLogins(demoOut);
    check(logins.length > 0, `renkei demo printed no log-ins:\n${demoOut.slice(0, 2000)}`);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    let serverLog = '';
    proc = spawn(RENKEI_BIN, ['serve', '--db', db, '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout.on('data', (d) => { serverLog = (serverLog + d).slice(-4000); });
    proc.stderr.on('data', (d) => { serverLog = (serverLog + d).slice(-4000); });
    await waitForServer(base, proc, () => serverLog);
    const profile = path.join(tmp, 'chromium-profile');
    fs.mkdirSync(profile);
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 }, locale: 'ja-JP', timezoneId: 'Asia/Tokyo',
    });
    // Generous on purpose: ctest runs two browser tests at once on a 2-core machine next to the
    // other suites, and a log-in hashes with argon2id; a wait that passes alone in 6 s has been
    // seen to need more than 15 s under that load. A real hang still fails.
    browser.setDefaultTimeout(40000);
    const pageErrors = [];
    const watch = (page) => {
      // A script error or a Content-Security-Policy violation fails the test.
      page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error' && /Content Security Policy|Refused to|SyntaxError|TypeError|ReferenceError/.test(m.text())) {
          pageErrors.push(`console: ${m.text()}`);
        }
      });
      return page;
    };
    const ctx = {
      base, logins, db, tmp,
      serverLog: () => serverLog,
      users(role) {
        return logins.filter((l) => l.role === role);
      },
      user(role) {
        const u = logins.find((l) => l.role === role);
        check(u, `the demo data has no ${role} log-in (${logins.map((l) => l.role).join(', ')})`);
        return u;
      },
      // Forgets the session cookie, as when a session has expired.
      async clearCookies() {
        await browser.clearCookies();
      },
      async newPage() {
        const pages = browser.pages();
        return watch(pages.length && pages[0].url() === 'about:blank' ? pages[0] : await browser.newPage());
      },
      async shot(page, file) {
        const dir = process.env.RK_E2E_SHOTS;
        if (dir) {
          fs.mkdirSync(dir, { recursive: true });
          await page.screenshot({ path: path.join(dir, `${name}-${file}.png`), fullPage: true });
        }
      },
      checkNoPageErrors() {
        check(pageErrors.length === 0, `errors in the page:\n${pageErrors.join('\n')}`);
      },
      close: cleanup,
    };
    return ctx;
  } catch (e) {
    await cleanup();
    throw e;
  }
}

// Runs `body(ctx)` with a fresh set-up and exits 0 on success, 1 on failure.
export async function runTest(name, body) {
  let ctx = null;
  let failed = false;
  try {
    ctx = await setUp(name);
    await body(ctx);
    ctx.checkNoPageErrors();
    console.log(`ok - ${name}`);
  } catch (e) {
    failed = true;
    console.error(`not ok - ${name}: ${e && e.stack ? e.stack : e}`);
    if (ctx) console.error(`server log (tail):\n${ctx.serverLog()}`);
  } finally {
    if (ctx) {
      const log = ctx.serverLog();
      const stopped = await ctx.close();
      // A crash or a sanitizer report at shutdown fails the test too.
      if (stopped !== 'ok') {
        failed = true;
        console.error(`not ok - ${name}: ${stopped}\n${log}`);
      }
    }
  }
  process.exit(failed ? 1 : 0);
}

// Logs in through the form (in whatever language the page shows).
export async function logIn(page, base, user) {
  await page.goto(`${base}/#/login`);
  await page.locator('input[name=login]').fill(user.login);
  await page.locator('input[name=password]').fill(user.password);
  await page.locator('form.login-form button[type=submit]').click();
  await page.locator('#logout').waitFor();
}

// Waits until the page on screen was drawn for the current address and that address
// contains `part` (after a search, a filter or a link).
export async function rendered(page, part) {
  await page.waitForFunction((p) => document.body.dataset.rendered === location.hash
    && decodeURIComponent(location.hash).includes(p), part);
}

export async function logOut(page) {
  await page.locator('#logout').click();
  await page.locator('form.login-form').waitFor();
}
