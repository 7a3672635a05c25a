// The console in a real headless browser: Debian's chromium driven by
// playwright-core (never a downloaded browser). Starts console_driver (a
// server with a simulated call), checks that the page and the live feed are
// refused without the session cookie, logs in, watches the call appear with
// its actor tree and transcript lines arriving, ends it from the page and
// sees it finalized. Screenshots go to the artifacts folder.
//
// usage: node console.test.mjs <console_driver> <artifacts dir> [docs png to update]

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync, mkdirSync, mkdtempSync, copyFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';

const [driverPath, artifacts, docsPng] = process.argv.slice(2);
const chromiumPath = '/usr/bin/chromium';
const token = 'browser-test-token-' + Math.random().toString(36).slice(2);
let passed = 0, failed = 0;

function fatal(msg) {
  console.error('console browser test: ' + msg);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

if (!driverPath || !existsSync(driverPath)) fatal('console_driver not found: ' + driverPath);
if (!existsSync(chromiumPath)) fatal(`${chromiumPath} is missing: run scripts/setup.sh (Debian package "chromium")`);
let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch (e) {
  fatal('playwright-core is missing: run scripts/setup.sh (npm ci in tests/browser): ' + e.message);
}
mkdirSync(artifacts, { recursive: true });

// -- the driver ---------------------------------------------------------------
const driver = spawn(driverPath, [], {
  env: { ...process.env, SWITCHBOARD_CONSOLE_TOKEN: token },
  stdio: ['pipe', 'pipe', 'inherit'],
});
const lines = [];
const waiters = [];
createInterface({ input: driver.stdout }).on('line', line => {
  console.log('[driver] ' + line);
  lines.push(line);
  for (const w of [...waiters]) if (line.startsWith(w.prefix)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(line); }
});
const driverLine = (prefix, ms) => new Promise((resolve, reject) => {
  const hit = lines.find(l => l.startsWith(prefix));
  if (hit) return resolve(hit);
  waiters.push({ prefix, resolve });
  setTimeout(() => reject(new Error(`driver did not print ${prefix} within ${ms} ms`)), ms);
});

let ctx, userDataDir;
async function cleanup() {
  if (ctx) await ctx.close().catch(() => {});
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  if (driver.exitCode === null) {
    driver.stdin.end('quit\n');
    await new Promise(r => { const t = setTimeout(() => { driver.kill('SIGKILL'); r(); }, 15000); driver.on('exit', () => { clearTimeout(t); r(); }); });
  }
}

async function step(name, fn) {
  try {
    await fn();
    passed++;
    console.log('ok - ' + name);
  } catch (e) {
    failed++;
    console.log('not ok - ' + name + '\n  ' + (e.stack || e));
    throw e;
  }
}

try {
  const url = (await driverLine('URL ', 60000)).slice(4);
  userDataDir = mkdtempSync(join(tmpdir(), 'sb-chromium-'));
  // A persistent context is how playwright passes --user-data-dir: a new, empty one.
  ctx = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1360, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });

  // Every Content-Security-Policy violation the browser reports (issue 15:
  // the console has no inline code, so there must be none).
  const cspViolations = [];
  ctx.on('page', p => p.on('console', m => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  }));

  await step('without the cookie the page and the feed are refused', async () => {
    assert.equal((await ctx.cookies()).length, 0);
    const page = await ctx.newPage();
    const resp = await page.goto(url + '/console');
    assert.equal(resp.status(), 401);
    await page.locator('form.login input[name=token]').waitFor();
    const feed = await page.evaluate(u => new Promise(resolve => {
      const ws = new WebSocket(u.replace('http', 'ws') + '/console/feed');
      ws.onopen = () => resolve('open');
      ws.onerror = () => resolve('refused');
      setTimeout(() => resolve('timeout'), 5000);
    }), url);
    assert.equal(feed, 'refused');
    const end = await page.evaluate(u => fetch(u + '/console/calls/CA0/end', { method: 'POST' }).then(r => r.status), url);
    assert.equal(end, 401);
    await page.close();
  });

  const page = await ctx.newPage();

  await step('a wrong token is refused; the right one logs in with an HttpOnly SameSite cookie', async () => {
    await page.goto(url + '/console');
    await page.fill('input[name=token]', 'wrong-token');
    await Promise.all([page.waitForLoadState(), page.click('form.login button')]);
    await page.locator('p.error').waitFor();
    await page.fill('input[name=token]', token);
    await Promise.all([page.waitForURL(url + '/console'), page.click('form.login button')]);
    await page.locator('#feed-status', { hasText: 'live' }).waitFor({ timeout: 10000 });
    const cookies = await ctx.cookies();
    const c = cookies.find(c => c.name === 'sb_console');
    assert.ok(c, 'session cookie set');
    assert.equal(c.httpOnly, true);
    assert.equal(c.sameSite, 'Strict');
    assert.notEqual(c.value, token);
  });

  await step('the stylesheet and script load under the CSP; inline code does not run', async () => {
    // The served stylesheet applies (--bg: #0f1419 on body).
    assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(15, 20, 25)');
    const ran = await page.evaluate(() => new Promise(resolve => {
      const s = document.createElement('script');
      s.textContent = 'window.__inlineRan = true;';
      document.body.appendChild(s);
      setTimeout(() => resolve(window.__inlineRan === true), 200);
    }));
    assert.equal(ran, false, 'an inline script ran: the CSP does not forbid it');
    assert.equal(cspViolations.length, 1, 'only the injected script is refused: ' + cspViolations.join(' | '));
    cspViolations.length = 0;
  });

  let sid;
  await step('the call appears with its actor tree and transcript lines arriving', async () => {
    driver.stdin.write('call\n');
    const call = page.locator('section.call').first();
    await call.waitFor({ timeout: 30000 });
    sid = await call.getAttribute('data-sid');
    assert.match(sid, /^CA/);
    for (const name of ['call_supervisor', 'openai_socket', 'twilio_socket', 'transcript', 'tool_call'])
      await call.locator(`tr.actor[data-name=${name}]`).waitFor({ timeout: 20000 });
    await call.locator('tr.actor[data-name=openai_socket] td.alive', { hasText: 'ready' }).waitFor({ timeout: 20000 });
    const callerLines = call.locator('.transcript .line.caller');
    await callerLines.first().waitFor({ timeout: 40000 });
    const first = await callerLines.count();
    // More words arrive while we watch: pushed, not reloaded.
    await page.waitForFunction(n => document.querySelectorAll('section.call .transcript .line.caller').length > n, first, { timeout: 60000 });
    await call.locator('.booking td', { hasText: '10:00' }).waitFor({ timeout: 60000 });
    await call.locator('.line.assistant .lat').first().waitFor();
    await page.screenshot({ path: join(artifacts, 'console-live-call.png') });
    if (docsPng) copyFileSync(join(artifacts, 'console-live-call.png'), docsPng);
  });

  await step('the cluster view lists this node (one, on SQLite) and the call it holds', async () => {
    const view = await page.evaluate(() => fetch('/console/api/cluster').then(r => r.json()));
    const node = page.locator(`#cluster-nodes tr.node[data-node="${view.self}"]`);
    await node.waitFor({ timeout: 15000 });
    assert.equal(await page.locator('#cluster-nodes tr.node').count(), 1);
    assert.equal(await node.getAttribute('data-lease'), 'none');
    const row = page.locator(`#cluster-calls tr.cluster-call[data-sid="${sid}"]`);
    await row.waitFor({ timeout: 15000 });
    assert.equal(await row.getAttribute('data-node'), view.self);
    assert.equal(await row.locator('a').getAttribute('href'), '#call-' + sid);
    assert.equal(await page.locator('#node-count').textContent(), '1');
  });

  await step('ending the call from the page finalizes it with a job card', async () => {
    await page.click(`section.call[data-sid="${sid}"] button.end-call`);
    const card = page.locator(`.job-card[data-sid="${sid}"]`);
    await card.waitFor({ timeout: 30000 });
    await card.locator('.end-reason', { hasText: 'operator_hangup' }).waitFor();
    assert.match(await card.locator('.language').textContent(), /^[a-z]{2}$/, 'the call\'s language is listed');
    await page.locator(`section.call[data-sid="${sid}"]`).waitFor({ state: 'detached' });
    // The cluster view drops it too (reloaded as the feed changes, else at its 5 s poll).
    await page.locator(`#cluster-calls tr.cluster-call[data-sid="${sid}"]`).waitFor({ state: 'detached', timeout: 7000 });
    assert.ok(Number((await card.textContent()).match(/job #(\d+)/)[1]) > 0, 'job card stored');
    await driverLine('CALL_DONE ' + sid, 30000);
    await page.screenshot({ path: join(artifacts, 'console-finished-call.png') });
    assert.deepEqual(cspViolations, [], 'the console broke its own CSP');
  });

  await step('the Reports page charts the stored calls: one bar per day, heights and titles from the report', async () => {
    await page.click('nav a[data-page=reports]');
    await page.waitForURL(url + '/console/reports');
    await page.locator('main[data-loaded]').waitFor({ timeout: 15000 });
    const tenant = await page.locator('#tenant').inputValue();
    const rep = await page.evaluate(t => fetch('/console/api/report?tenant=' + encodeURIComponent(t) + '&per=day').then(r => r.json()), tenant);
    assert.ok(rep.rows.length >= 1, 'the call just made is in the report');
    const bars = await page.$$eval('#chart-calls rect.bar-calls', rs => rs.map(r => ({
      h: Number(r.getAttribute('height')), title: r.querySelector('title').textContent })));
    assert.equal(bars.length, rep.rows.length);
    const max = Math.max(...rep.rows.flatMap(r => [r.calls, r.booked]));
    rep.rows.forEach((r, i) => {
      assert.equal(bars[i].title, `${r.period}: ${r.calls} calls`);
      assert.ok(Math.abs(bars[i].h - r.calls / max * 150) < 0.01, `bar ${i} height ${bars[i].h}`);
    });
    assert.equal(await page.locator('#report-table tr').count(), rep.rows.length + 1);
    await page.screenshot({ path: join(artifacts, 'console-reports.png') });
  });

  await step('the Variants page lists the outcomes per variant with the booking rate\'s interval', async () => {
    await page.click('nav a[data-page=variants]');
    await page.waitForURL(url + '/console/variants');
    await page.locator('main[data-loaded]').waitFor({ timeout: 15000 });
    const tenant = await page.locator('#tenant').inputValue();
    const v = await page.evaluate(t => fetch('/console/api/variants?tenant=' + encodeURIComponent(t)).then(r => r.json()), tenant);
    assert.equal(await page.locator('#variants-table tr.variant').count(), v.variants.length);
    assert.equal(await page.locator('#chart-variants rect.bar-rate').count(), v.variants.length);
    assert.equal(await page.locator('#chart-variants line.ci').count(), v.variants.length);
    await page.screenshot({ path: join(artifacts, 'console-variants.png') });
    assert.deepEqual(cspViolations, [], 'the report pages broke the CSP');
  });
} catch (e) {
  if (failed === 0) { failed++; console.log('not ok - setup\n  ' + (e.stack || e)); }
} finally {
  await cleanup();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
