// The フィッシング監視 page in a real browser. The demo's fictional lookalikes are listed highest
// score first, with the brand and the reasons in Japanese, and every host shown defanged as text
// (no link to it anywhere on the page). An analyst pastes candidates: the lookalike is added,
// the brand's own domain is not; a blank box is refused naming the field. The analyst confirms
// the new match: it leaves the 未審査 list, a takedown record 未依頼 appears and is set to 依頼済;
// another match is dismissed and reopened; the brand × status table counts the confirmation.
// The English switch shows the same page in English. A station officer has no menu entry and is
// refused the page. All hosts are fictional (reserved .test/.example names).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { runTest, logIn, logOut, check } from './harness.mjs';

const require = createRequire(import.meta.url);
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// axe-core's WCAG 2 A/AA rules on the page as it stands (as tests/e2e/a11y.test.mjs does for
// the other pages): no serious or critical violation.
async function audit(page, where) {
  await page.evaluate(AXE);
  const res = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  const bad = res.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  check(bad.length === 0, `accessibility of ${where}:\n${JSON.stringify(bad, null, 1)}`);
}

const NEW_HOST = 'aeon-card-kakunin.example';

runTest('lookalike', async (t) => {
  const analyst = t.user('analyst');
  const station = t.user('station');
  const page = await t.newPage();

  await logIn(page, t.base, analyst);
  await page.locator('#mainnav a', { hasText: 'フィッシング監視' }).click();
  await page.locator('h1', { hasText: 'フィッシング監視' }).waitFor();
  await page.locator('#lookalike-matches .lookalike-match').first().waitFor();

  // Ranked by score; reasons in Japanese; hosts defanged and never links.
  const scores = (await page.locator('#lookalike-matches .lookalike-score').allTextContents()).map(Number);
  check(scores.length >= 5, `the demo matches are listed: ${scores}`);
  check(scores.every((s, i) => i === 0 || scores[i - 1] >= s), `ranked by score: ${scores}`);
  const amazon = page.locator('.lookalike-match[data-host="amaz0n-co-jp.test"]');
  check((await amazon.locator('.lookalike-brand').textContent()) === 'アマゾン', 'the brand in Japanese');
  check((await amazon.locator('.lookalike-host').textContent()) === 'amaz0n-co-jp[.]test', 'the host is defanged');
  const reasons = await amazon.locator('.lookalike-reasons li').allTextContents();
  check(reasons.some((r) => r.includes('紛らわしい文字')), `reasons in Japanese: ${JSON.stringify(reasons)}`);
  const yamato = page.locator('.lookalike-match[data-host="yamato-fuzai.test"]');
  check((await yamato.locator('.lookalike-input').textContent()).includes('hxxps://yamato-fuzai[.]test/track'), 'the URL input is defanged');
  const idn = page.locator('.lookalike-match[data-host="r\u0430kuten.test"]');
  check((await idn.locator('.lookalike-ascii code').textContent()) === 'xn--rkuten-3nf[.]test', 'an IDN host also shows its ASCII form');
  const links = await page.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href') || ''));
  check(!links.some((l) => /\.test|\.example|^https?:/.test(l)), `no link to a lookalike: ${JSON.stringify(links)}`);

  // A blank box is refused naming the field.
  await page.locator('#lookalike-text').fill('   ');
  await page.locator('form.lookalike-submit button[type=submit]').click();
  await page.locator('form.lookalike-submit .error-box .err-field', { hasText: 'text' }).waitFor();

  // Paste candidates: the lookalike is added, the brand's own domain is not.
  await page.locator('#lookalike-text').fill(`${NEW_HOST}\nwww.aeon.co.jp\n`);
  await page.locator('form.lookalike-submit button[type=submit]').click();
  const card = page.locator(`.lookalike-match[data-host="${NEW_HOST}"]`);
  await card.waitFor();
  check(await page.locator('.lookalike-match[data-host="www.aeon.co.jp"]').count() === 0, 'the real domain is not a match');
  await t.shot(page, 'list');
  await audit(page, 'フィッシング監視 (ja)');

  // Confirm: the match leaves the new list and a takedown record 未依頼 appears.
  await card.locator('input[data-field=target_org]').fill('架空レジストラ（e2e）');
  await card.locator('button[data-decision=confirm]').click();
  await page.locator(`.lookalike-match[data-host="${NEW_HOST}"]`).waitFor({ state: 'detached' });
  const row = page.locator(`#lookalike-takedowns tr[data-domain="${NEW_HOST}"]`);
  await row.waitFor();
  check((await row.locator('td').nth(0).textContent()) === 'aeon-card-kakunin[.]example', 'the takedown domain is defanged');
  check(await row.locator('select').inputValue() === 'not_requested', 'a new takedown is 未依頼');
  await row.locator('select').selectOption('requested');
  await page.locator('#flash', { hasText: '依頼済' }).waitFor();
  check(await page.locator(`#lookalike-takedowns tr[data-domain="${NEW_HOST}"] select`).inputValue() === 'requested', 'the status was saved');

  // Dismiss another, find it among the dismissed, and reopen it.
  const smbc = page.locator('.lookalike-match[data-host="smbc-card-login.example"]');
  await smbc.locator('button[data-decision=dismiss]').click();
  await smbc.waitFor({ state: 'detached' });
  await page.locator('#lookalike-f-status').selectOption('dismissed');
  await page.locator('form.lookalike-filters button[type=submit]').click();
  const dismissed = page.locator('.lookalike-match[data-host="smbc-card-login.example"]');
  await dismissed.waitFor();
  await dismissed.locator('button[data-decision=reopen]').click();
  await page.locator('#flash', { hasText: '未審査に戻しました' }).waitFor();

  // Filter by sector: only credit-card brands.
  await page.locator('#lookalike-f-status').selectOption('new');
  await page.locator('#lookalike-f-sector').selectOption('credit');
  await page.locator('form.lookalike-filters button[type=submit]').click();
  await page.locator('.lookalike-match[data-host="smbc-card-login.example"]').waitFor();
  check(await page.locator('.lookalike-match[data-host="amaz0n-co-jp.test"]').count() === 0, 'the sector filter applies');

  const aeon = page.locator('#lookalike-stats tr[data-brand="aeon"] td');
  check(Number((await aeon.allTextContents())[1]) === 1, 'the statistics count the confirmation');
  await t.shot(page, 'decided');

  // English.
  await page.locator('#lang-switch').click();
  await page.locator('h1', { hasText: 'Phishing watch' }).waitFor();
  await page.locator('#lookalike-matches .lookalike-reasons li', { hasText: 'Brand name plus phishing words' }).first().waitFor();
  await audit(page, 'Phishing watch (en)');
  await page.locator('#lang-switch').click();
  await page.locator('h1', { hasText: 'フィッシング監視' }).waitFor();
  await logOut(page);

  // A station officer: no menu entry, and the page says it is not for the role.
  await logIn(page, t.base, station);
  check(await page.locator('#mainnav a', { hasText: 'フィッシング監視' }).count() === 0, 'no phishing-watch menu for a station');
  await page.goto(`${t.base}/#/lookalike`);
  await page.locator('p', { hasText: 'この画面はあなたの役割では使えません' }).waitFor();
  check(await page.locator('.lookalike-match').count() === 0, 'a station sees no matches');
  t.checkNoPageErrors();
});
