// The エクスポート (センサー向け) page in a real browser. Values are planted through the API in a
// TLP:GREEN case shared with partners and in a TLP:AMBER one. The analyst opens the page from the
// menu, sees the audience rule, makes a partner blocklist of domains: the count matches the
// lines of the downloaded file, the GREEN value is in it and the AMBER one is not. For police
// the AMBER value comes in; the Zeek file for partners carries the GREEN case's reference. A
// format that writes one file per type offers no "all types" and no CIDR dataset. A station
// officer has no menu entry and is refused the page. After the language switch the page is in
// English (both checked with axe-core).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { runTest, logIn, logOut, check } from './harness.mjs';

const require = createRequire(import.meta.url);
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// axe-core's WCAG 2 A/AA rules on the page as shown; a serious or critical violation fails.
async function accessible(page, where) {
  await page.evaluate(AXE);
  const res = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  const bad = res.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  check(bad.length === 0, `accessibility of ${where}:\n${JSON.stringify(bad, null, 1)}`);
}

// Fictional values that exist only in this test.
const GREEN = 'e2e-partner-ok.example.net';
const AMBER = 'e2e-amber-only.example.net';

async function apiLogin(base, user) {
  const res = await fetch(`${base}/api/v1/session`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login: user.login, password: user.password }),
  });
  check(res.ok, `API log-in of ${user.login}: ${res.status}`);
  const cookie = (res.headers.get('set-cookie') || '').split(';')[0];
  const { csrf } = await res.json();
  return async (path, body) => {
    const r = await fetch(`${base}/api/v1${path}`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', Cookie: cookie, 'X-CSRF-Token': csrf },
      body: JSON.stringify(body),
    });
    const j = await r.json();
    check(r.status === 201 || r.status === 200, `POST ${path}: ${r.status} ${JSON.stringify(j)}`);
    return j;
  };
}

async function make(page, format, type, audience) {
  await page.locator('#export-format').selectOption(format);
  if (type !== null) await page.locator('#export-type').selectOption(type);
  await page.locator('#export-audience').selectOption(audience);
  await page.locator('#export-make').click();
}

runTest('exports', async (t) => {
  const analyst = t.user('analyst');
  const station = t.user('station');
  const post = await apiLogin(t.base, analyst);
  const green = await post('/cases', { title: '協定事業者と共有する事案（e2e）', tlp: 'GREEN', scope: 'partners' });
  await post(`/cases/${green.id}/observables`, { value: GREEN, role: 'phishing_site' });
  const amber = await post('/cases', { title: '警察内の事案（e2e）', tlp: 'AMBER', scope: 'police' });
  await post(`/cases/${amber.id}/observables`, { value: AMBER, role: 'phishing_site' });

  const page = await t.newPage();
  await logIn(page, t.base, analyst);
  await page.locator('#mainnav a', { hasText: 'エクスポート' }).click();
  await page.locator('h1', { hasText: 'エクスポート (センサー向け)' }).waitFor();
  await page.locator('#export-audience').selectOption('partners');
  check((await page.locator('#export-rule').textContent()).includes('TLP:AMBER 以上は含まれません'),
    'the partner rule is explained');

  // A partner blocklist of domains: the count is the file's lines; GREEN in, AMBER out.
  await make(page, 'blocklist', 'domain', 'partners');
  await page.locator('#export-count').waitFor();
  const countText = await page.locator('#export-count').textContent();
  const preview = await page.locator('#export-preview').textContent();
  check(preview.includes(GREEN), `the GREEN value is exported: ${preview}`);
  check(!preview.includes(AMBER), 'the AMBER value is not given to partners');
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export-download').click()]);
  check(download.suggestedFilename() === 'blocklist-domain.txt', `file name: ${download.suggestedFilename()}`);
  const file = fs.readFileSync(await download.path(), 'utf8');
  const lines = file.split('\n').filter((l) => l);
  check(countText.includes(`${lines.length} 件`), `the count (${countText}) is the file's ${lines.length} lines`);
  check(lines.includes(GREEN) && !lines.includes(AMBER), 'the downloaded file holds what the preview showed');
  await t.shot(page, 'partners');
  await accessible(page, 'the export page with a result');

  // For police, the AMBER value goes too; the Zeek file carries the GREEN case's reference.
  await make(page, 'blocklist', 'domain', 'police');
  await page.locator('#export-preview', { hasText: AMBER }).waitFor();
  await make(page, 'zeek-intel', '', 'partners');
  await page.locator('#export-preview', { hasText: `${GREEN}\tIntel::DOMAIN\trenkei\tTLP:GREEN ${green.ref}` }).waitFor();

  // The per-type formats offer no "all types".
  await page.locator('#export-format').selectOption('suricata-datasets');
  const opts = await page.locator('#export-type option').allTextContents();
  check(!opts.includes('すべての種別'), `a dataset needs a type: ${JSON.stringify(opts)}`);
  check(!(await page.locator('#export-type option[value=cidr]').count()), 'no CIDR dataset is offered');
  await logOut(page);

  // A station officer: no menu entry, and the page is refused.
  await logIn(page, t.base, station);
  check(await page.locator('#mainnav a', { hasText: 'エクスポート' }).count() === 0, 'no export menu for a station');
  await page.goto(`${t.base}/#/exports`);
  await page.locator('p', { hasText: 'この画面はあなたの役割では使えません' }).waitFor();
  await logOut(page);

  // English, by the language switch.
  await logIn(page, t.base, analyst);
  await page.goto(`${t.base}/#/exports`);
  await page.locator('h1', { hasText: 'エクスポート (センサー向け)' }).waitFor();
  await page.locator('#lang-switch').click();
  await page.locator('h1', { hasText: 'Exports for sensors' }).waitFor();
  check((await page.locator('#export-rule').textContent()).includes('Nothing TLP:AMBER or above'),
    'the rule in English');
  await make(page, 'blocklist', 'domain', 'partners');
  await page.locator('#export-count', { hasText: 'indicators for Partners' }).waitFor();
  await accessible(page, 'the export page in English');
  t.checkNoPageErrors();
});
