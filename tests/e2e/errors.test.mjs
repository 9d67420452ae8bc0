// Errors reach the user: a wrong password, and a value the server rejects is shown with the
// field it names (by its label) and the control marked invalid; nothing is filed. A session
// that has ended sends the user to the log-in, and back to the same page afterwards.
import { runTest, logIn, check } from './harness.mjs';

runTest('errors', async (t) => {
  const page = await t.newPage();
  const officer = t.user('station');
  await page.goto(`${t.base}/#/login`);
  await page.locator('input[name=login]').fill(officer.login);
  await page.locator('input[name=password]').fill(`${officer.password}-wrong`);
  await page.locator('form.login-form button[type=submit]').click();
  await page.locator('.error-box', { hasText: 'ログインIDまたはパスワードが違います' }).waitFor();

  await logIn(page, t.base, officer);
  const before = await page.evaluate(async () => (await (await fetch('/api/v1/reports?limit=1')).json()).total);
  await page.goto(`${t.base}/#/intake`);
  await page.locator('form.intake-form').waitFor();
  await page.locator('[data-field=intake_type]').selectOption('sodan');
  for (const sel of ['[data-field=channel]', '[data-field=category]', '[data-field="reporter.type"]']) {
    const v = await page.locator(`${sel} option`).evaluateAll((os) => os.map((o) => o.value).filter(Boolean)[0]);
    await page.locator(sel).selectOption(v);
  }
  await page.locator('[data-field=title]').fill('被害額の誤り');
  await page.locator('[data-field=narrative]').fill('不審なメールについての相談。');
  await page.locator('[data-field=damage_amount]').fill('-1'); // the server must refuse this
  await page.locator('#intake-submit').click();
  const box = page.locator('.intake-form .error-box');
  await box.waitFor();
  const text = await box.textContent();
  check(text.includes('damage_amount') && text.includes('被害額'), `the error names the field by its label (${text})`);
  check(await page.locator('[data-field=damage_amount]').getAttribute('aria-invalid') === 'true', 'the control is marked invalid');
  // The server's English message ("out of range") reaches a Japanese user in Japanese.
  check(text.includes('値が範囲外です') && !text.includes('out of range'), `the message is in Japanese (${text})`);
  await t.shot(page, 'intake-error');
  const after = await page.evaluate(async () => (await (await fetch('/api/v1/reports?limit=1')).json()).total);
  check(before === after, `nothing was filed (${before} -> ${after})`);

  // The session ends (cookie gone): the next page load asks for a log-in, then returns there.
  await t.clearCookies();
  await page.goto(`${t.base}/#/reports?q=${encodeURIComponent('詐欺')}`);
  await page.locator('form.login-form').waitFor();
  await page.locator('input[name=login]').fill(officer.login);
  await page.locator('input[name=password]').fill(officer.password);
  await page.locator('form.login-form button[type=submit]').click();
  await page.waitForURL(/#\/reports\?q=/);
  check(await page.locator('[data-field=q]').inputValue() === '詐欺', 'back on the page asked for, with its search');

  // And while the page is open: the next API call answers 401 and the log-in comes up.
  await t.clearCookies();
  await page.locator('#search-submit').click();
  await page.locator('form.login-form').waitFor();
});
