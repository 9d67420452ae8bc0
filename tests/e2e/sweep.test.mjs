// ログ照合 (スイープ) on a case page in a real browser. An analyst opens a case, chooses a gzipped
// proxy log with planted hits and an indicator file, and starts the sweep; the progress line
// appears and the job finishes 完了; the sightings are listed by indicator (evil.example.com twice,
// 198.51.100.7 once), by host and by time (JST, file:line). In English the section and the views
// switch language. A station officer of another unit cannot open the case at all.
import zlib from 'node:zlib';
import { runTest, logIn, logOut, check } from './harness.mjs';

// Fictional log lines; the planted hits are lines 1, 3 and 4.
const LOG = [
  '192.0.2.10 - - [21/Nov/2026:10:00:00 +0900] "GET http://evil.example.com/a HTTP/1.1" 200 1',
  '192.0.2.11 - - [21/Nov/2026:10:05:00 +0900] "GET http://www.example.com/ HTTP/1.1" 200 1',
  '192.0.2.12 - - [21/Nov/2026:10:06:00 +0900] "CONNECT 198.51.100.7:443 HTTP/1.1" 200 0',
  '192.0.2.10 - - [21/Nov/2026:10:07:00 +0900] "GET http://cdn.evil.example.com/b HTTP/1.1" 200 1',
].join('\n') + '\n';
const IOCS = '# e2e\n198.51.100.7\nevil.example.com\n';

runTest('sweep', async (t) => {
  const analyst = t.user('analyst');
  const page = await t.newPage();
  await logIn(page, t.base, analyst);

  // A case of the analyst's own unit, visible to that unit only.
  const sess = await (await page.request.get(`${t.base}/api/v1/session`)).json();
  const res = await page.request.post(`${t.base}/api/v1/cases`, {
    headers: { 'X-CSRF-Token': sess.csrf },
    data: { title: 'ログ照合 e2e 事案', tlp: 'AMBER', scope: 'unit' },
  });
  check(res.status() === 201, `case created: ${res.status()}`);
  const kase = await res.json();

  await page.goto(`${t.base}/#/cases/${kase.id}`);
  const panel = page.locator('#sweep-panel');
  await panel.locator('h2', { hasText: 'ログ照合 (スイープ)' }).waitFor();
  await panel.locator('#sightings', { hasText: 'この事案の検出はまだありません' }).waitFor();

  // Starting without a log names what is missing.
  await panel.locator('form.sweep-form button[type=submit]').click();
  await panel.locator('[role=alert]', { hasText: 'ログファイルを選んでください' }).waitFor();

  await panel.locator('input[name=logs]').setInputFiles({ name: 'proxy.log.gz', mimeType: 'application/gzip', buffer: zlib.gzipSync(Buffer.from(LOG)) });
  await panel.locator('input[name=indicators]').setInputFiles({ name: 'iocs.txt', mimeType: 'text/plain', buffer: Buffer.from(IOCS) });
  await panel.locator('form.sweep-form button[type=submit]').click();
  await panel.locator('#sweep-job[data-status=done]').waitFor();
  check(!(await panel.locator('#sweep-cancel').isVisible()), 'no cancel button once the job is done');
  check(!(await panel.locator('#sweep-panel, #sightings').first().textContent()).includes('null'), 'no stray "null" in the section');
  const figures = await panel.locator('.sweep-figures').textContent();
  check(figures.includes('ヒット 3 件') && figures.includes('4 行'), `the job's figures: ${figures}`);
  await t.shot(page, 'done');

  // By indicator.
  const byInd = panel.locator('#sightings-indicator tbody tr');
  await byInd.first().waitFor();
  const rows = await byInd.allTextContents();
  check(rows.length === 2, `two indicators: ${JSON.stringify(rows)}`);
  check(rows[0].includes('evil.example.com') && (await byInd.nth(0).locator('td').nth(1).textContent()) === '2',
    `evil.example.com seen twice: ${rows[0]}`);
  check(rows[1].includes('198.51.100.7') && (await byInd.nth(1).locator('td').nth(1).textContent()) === '1',
    `198.51.100.7 seen once: ${rows[1]}`);

  // By host.
  await panel.locator('button[data-view=host]').click();
  const byHost = panel.locator('#sightings-host tbody tr');
  await byHost.first().waitFor();
  const hosts = await byHost.locator('td:first-child').allTextContents();
  check(JSON.stringify(hosts) === JSON.stringify(['192.0.2.10', '192.0.2.12']), `hosts: ${JSON.stringify(hosts)}`);

  // By time: JST times, file:line and the token as found.
  await panel.locator('button[data-view=time]').click();
  const byTime = panel.locator('#sightings-time tbody tr');
  await byTime.first().waitFor();
  const where = await byTime.locator('td:nth-child(4)').allTextContents();
  check(JSON.stringify(where) === JSON.stringify(['proxy.log.gz:1', 'proxy.log.gz:3', 'proxy.log.gz:4']), `file:line: ${JSON.stringify(where)}`);
  const first = await byTime.nth(0).locator('td').nth(0).textContent();
  check(first.includes('10:00'), `the first time is shown in JST: ${first}`);
  const tokens = await byTime.locator('td:nth-child(5)').allTextContents();
  check(tokens[2] === 'cdn.evil.example.com', `the token as found: ${JSON.stringify(tokens)}`);
  await t.shot(page, 'time');

  // The case's timeline records the sweep (after a reload of the page).
  await page.reload();
  await page.locator('#timeline li', { hasText: 'ログ照合終了' }).waitFor();

  // English.
  await page.locator('#lang-switch').click();
  await panel.locator('h2', { hasText: 'Log sweep' }).waitFor();
  await panel.locator('button[data-view=host]', { hasText: 'By host' }).waitFor();
  await page.locator('#lang-switch').click();
  await panel.locator('h2', { hasText: 'ログ照合' }).waitFor();
  await logOut(page);

  // A station officer of another unit cannot read the case, so sees no sweep section.
  const station = t.users('station').find((u) => u.unit !== analyst.unit) || t.user('station');
  await logIn(page, t.base, station);
  await page.goto(`${t.base}/#/cases/${kase.id}`);
  await page.locator('.error, [role=alert], .empty').first().waitFor();
  check(await page.locator('#sweep-panel').count() === 0, 'no sweep section for a station without the case');
  t.checkNoPageErrors();
});
