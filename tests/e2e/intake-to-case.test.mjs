// The foundation's main flow in a real browser: a station officer files a Japanese report and
// sees the URL and the phone number of the narrative in the live preview; an HQ analyst finds
// it by a Japanese substring, opens a case from it, links the URL with a role, and sees where
// that observable appears ("seen in": the report and the case).
import { runTest, logIn, logOut, check } from './harness.mjs';

// Fictional data: the place name, the domain and the number exist only in this test.
const MARK = '月見坂商店街';
const TITLE = `宅配便の不在通知を装うSMS（${MARK}）`;
const NARRATIVE = `本日午前10時ごろ、${MARK}に住む相談者のスマートフォンに宅配便の不在通知を装うSMSが届いた。` +
  '記載の hxxps://takuhai-fuzai-renkei[.]top/redelivery にアクセスし、クレジットカード番号を入力してしまった。' +
  'その後、０３－１２３４－５６７８ から電話があり、再配達の手数料を求められた。';
const URL_CANON = 'https://takuhai-fuzai-renkei.top/redelivery';
const PHONE_CANON = '+81312345678';

async function pickFirstOption(page, selector, preferred) {
  const values = await page.locator(`${selector} option`).evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
  check(values.length > 0, `${selector} has no options`);
  const v = values.includes(preferred) ? preferred : values[0];
  await page.locator(selector).selectOption(v);
  return v;
}

runTest('intake-to-case', async (t) => {
  const page = await t.newPage();

  // 1. The station officer: Japanese by default.
  const officer = t.user('station');
  await page.goto(`${t.base}/`);
  await page.locator('form.login-form').waitFor();
  check(await page.locator('html').getAttribute('lang') === 'ja', 'the UI starts in Japanese');
  check((await page.locator('h1').textContent()).includes('ログイン'), 'the log-in page is in Japanese');
  await t.shot(page, '01-login');
  await logIn(page, t.base, officer);

  await page.getByRole('link', { name: '通報・相談の受付' }).first().click();
  await page.locator('form.intake-form').waitFor();
  await page.getByLabel('受付種別').selectOption('tsuho');
  await pickFirstOption(page, '[data-field=channel]', 'denwa');
  await pickFirstOption(page, '[data-field=category]', 'phishing');
  await pickFirstOption(page, '[data-field="reporter.type"]', 'individual');
  await page.getByLabel('件名').fill(TITLE);
  await page.locator('[data-field=narrative]').fill(NARRATIVE);
  await page.locator('[data-field="reporter.name"]').fill('連携 花子');
  await page.locator('[data-field=damage_amount]').fill('123456789');
  check((await page.locator('.yen-out').textContent()) === '1億2,345万6,789円', 'the damage is shown with 万/億');

  // A bank account the money went to, as structured fields.
  await page.getByRole('button', { name: '口座を追加' }).click();
  const acct = page.locator('fieldset.subgroup').first();
  await acct.locator('[data-field="bank_accounts[0].bank_name"]').fill('架空銀行');
  await acct.locator('[data-field="bank_accounts[0].bank_code"]').fill('9999');
  await acct.locator('[data-field="bank_accounts[0].branch_name"]').fill('月見坂支店');
  await acct.locator('[data-field="bank_accounts[0].branch_code"]').fill('321');
  await acct.locator('[data-field="bank_accounts[0].account_type"]').selectOption('futsu');
  await acct.locator('[data-field="bank_accounts[0].number"]').fill('7654321');
  await acct.locator('[data-field="bank_accounts[0].holder_kana"]').fill('カクウ タロウ');

  // The live preview finds the defanged URL and the full-width phone number while typing.
  const preview = page.locator('#obs-preview');
  await preview.locator('li[data-type=url]', { hasText: URL_CANON }).waitFor();
  await preview.locator('li[data-type=phone]', { hasText: PHONE_CANON }).waitFor();
  await t.shot(page, '02-intake');

  await page.locator('#intake-submit').click();
  await page.waitForURL(/#\/reports\/[^/?]+$/);
  await page.locator('#narrative', { hasText: MARK }).waitFor();
  const reportRef = (await page.locator('h1 .ref').textContent()).trim();
  check(/^R\d{4}-\d+$/.test(reportRef), `the new report has a reference number (${reportRef})`);
  await page.locator('#report-observables', { hasText: URL_CANON }).waitFor();
  await page.locator('#report-observables li', { hasText: '7654321' }).waitFor(); // the account
  await t.shot(page, '03-report');
  await logOut(page);

  // 2. The HQ analyst finds it by a Japanese substring (part of a word, not a whole word).
  const analyst = t.user('analyst');
  await logIn(page, t.base, analyst);
  await page.getByRole('link', { name: '通報・相談一覧' }).first().click();
  await page.locator('form.filters').waitFor();
  await page.locator('[data-field=q]').fill('見坂商店');
  await page.locator('#search-submit').click();
  const row = page.locator('#report-list tbody tr', { hasText: reportRef });
  await row.waitFor();
  check(await page.locator('#report-list tbody tr').count() === 1, 'the substring finds exactly the new report');
  await t.shot(page, '04-search');

  // 3. Open a case from the selected report.
  await row.locator('input.pick').check();
  await page.locator('#open-case').click();
  await page.locator('form.open-case').waitFor();
  await page.locator('#open-case-submit').click();
  await page.waitForURL(/#\/cases\/[^/?]+$/);
  await page.locator('#case-reports', { hasText: reportRef }).waitFor();
  const caseRef = (await page.locator('h1 .ref').textContent()).trim();
  check(/^C\d{4}-\d+$/.test(caseRef), `the new case has a reference number (${caseRef})`);

  // 4. Link the phishing URL (typed defanged) with a role; it is stored in canonical form.
  await page.locator('#obs-form [data-field=value]').fill('hxxps://takuhai-fuzai-renkei[.]top/redelivery');
  await page.locator('#obs-form [data-field=role]').selectOption('phishing_site');
  await page.locator('#obs-form button[type=submit]').click();
  const obsLinkEl = page.locator('#case-observables a', { hasText: URL_CANON });
  await obsLinkEl.waitFor();
  await t.shot(page, '05-case');

  // 5. The observable's page shows the report and the case it appears in.
  await obsLinkEl.click();
  await page.waitForURL(/#\/observables\/[^/?]+$/);
  const seen = page.locator('#seen-in');
  await seen.locator('.seen-reports a', { hasText: reportRef }).waitFor();
  await seen.locator('.seen-cases a', { hasText: caseRef }).waitFor();
  await t.shot(page, '06-observable');
});
