// The minimal administration page: an admin adds a station officer, who can then log in; once
// disabled, the same log-in is refused. The admin's menu has no case data.
import { runTest, logIn, logOut, check } from './harness.mjs';

const NEW = { login: 'e2e-officer', password: 'E2e-パスワード-2026', role: 'station' };

runTest('admin', async (t) => {
  const page = await t.newPage();
  await logIn(page, t.base, t.user('admin'));
  await page.waitForURL(/#\/admin\/users$/);
  const nav = await page.locator('#mainnav').textContent();
  check(!/事案|通報/.test(nav), `no case or report menu for an admin (${nav})`);

  const form = page.locator('form.user-form');
  await form.locator('[data-field=login]').fill(NEW.login);
  await form.locator('[data-field=name]').fill('試験 新規署員');
  await form.locator('[data-field=role]').selectOption('station');
  const station = await form.locator('[data-field=unit_id] option').evaluateAll(
    (os) => os.find((o) => o.textContent.endsWith('警察署')).value);
  await form.locator('[data-field=unit_id]').selectOption(station);
  await form.locator('[data-field=password]').fill(NEW.password);
  await form.locator('button[type=submit]').click();
  const row = page.locator(`#user-list tr[data-login="${NEW.login}"]`);
  await row.waitFor();
  check(await page.locator(`#user-list tr[data-login="${t.user('admin').login}"] button`).count() === 0,
    'no button to disable oneself');
  await t.shot(page, 'users');
  await logOut(page);

  await logIn(page, t.base, NEW);
  await page.waitForURL(/#\/reports/);
  await logOut(page);

  await logIn(page, t.base, t.user('admin'));
  await page.locator(`#user-list tr[data-login="${NEW.login}"] button`).click();
  await page.locator(`#user-list tr.disabled[data-login="${NEW.login}"]`).waitFor();
  await logOut(page);

  await page.locator('input[name=login]').fill(NEW.login);
  await page.locator('input[name=password]').fill(NEW.password);
  await page.locator('form.login-form button[type=submit]').click();
  await page.locator('.error-box', { hasText: 'ログインIDまたはパスワードが違います' }).waitFor();
});
