// The language switch: Japanese by default, English one click away, the choice remembered
// across a reload, dates shown with both calendars in either language, a half-typed intake
// kept across the switch; log-in by keyboard.
import { runTest, check } from './harness.mjs';

runTest('english', async (t) => {
  const page = await t.newPage();
  await page.goto(`${t.base}/`);
  await page.locator('form.login-form').waitFor();
  check((await page.locator('h1').textContent()).includes('ログイン'), 'Japanese first');

  await page.locator('#lang-switch').click();
  await page.locator('h1', { hasText: 'Log in' }).waitFor();
  check(await page.locator('html').getAttribute('lang') === 'en', 'html lang follows the switch');
  check((await page.locator('label', { hasText: 'Login ID' }).count()) === 1, 'the form labels are in English');

  // Log in with the keyboard only: the log-in field has the focus, Tab to the password, Enter.
  const officer = t.user('station');
  await page.waitForFunction(() => document.activeElement && document.activeElement.name === 'login');
  await page.keyboard.type(officer.login);
  await page.keyboard.press('Tab');
  await page.keyboard.type(officer.password);
  await page.keyboard.press('Enter');
  await page.locator('#logout').waitFor();
  await page.getByRole('link', { name: 'Reports' }).first().click();
  await page.locator('#report-list').waitFor();
  const header = await page.locator('#report-list thead').textContent();
  check(header.includes('Received') && header.includes('Status'), `English column headings (${header})`);
  // The demo reports fall in the Reiwa era; English dates name it.
  const firstDate = await page.locator('#report-list tbody tr td.nowrap').nth(1).textContent();
  check(/\d{4} \(Reiwa \d+\)$/.test(firstDate.trim()), `an English date with the era (${firstDate})`);

  // Remembered across a reload.
  await page.reload();
  await page.locator('#report-list').waitFor();
  check((await page.locator('#lang-switch').textContent()).trim() === '日本語', 'still English after a reload');
  await t.shot(page, 'reports-en');

  // And back to Japanese in one click, with 和暦 and 西暦 together.
  await page.locator('#lang-switch').click();
  await page.locator('h1', { hasText: '通報・相談一覧' }).waitFor();
  const jaDate = await page.locator('#report-list tbody tr td.nowrap').nth(1).textContent();
  check(/^\d{4}年\(令和(元|\d+)年\)\d{1,2}月\d{1,2}日$/.test(jaDate.trim()), `a Japanese date with both calendars (${jaDate})`);

  // Switching in the middle of an intake keeps what was typed.
  await page.goto(`${t.base}/#/intake`);
  await page.locator('form.intake-form').waitFor();
  await page.locator('[data-field=intake_type]').selectOption('sodan');
  await page.locator('[data-field=narrative]').fill('不審なSMSが届いた。hxxp://renkei-lang-test[.]top/a');
  await page.locator('[data-field=urgent]').check();
  await page.locator('#obs-preview li[data-type=url]').waitFor();
  await page.locator('#lang-switch').click();
  await page.locator('h1', { hasText: 'New report or consultation' }).waitFor();
  check((await page.locator('[data-field=narrative]').inputValue()).includes('renkei-lang-test'), 'the narrative survives the switch');
  check(await page.locator('[data-field=intake_type]').inputValue() === 'sodan', 'the intake type survives the switch');
  check(await page.locator('[data-field=urgent]').isChecked(), 'the urgent box survives the switch');
  await page.locator('#obs-preview li[data-type=url]').waitFor();
});
