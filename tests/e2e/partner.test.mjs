// A partner account sees no case data: no report, case or observable page in its menu, those
// pages refuse it, and the API behind them answers 403.
import { runTest, logIn, check } from './harness.mjs';

runTest('partner', async (t) => {
  const page = await t.newPage();
  await logIn(page, t.base, t.user('partner'));
  await page.locator('h1', { hasText: '協定先' }).waitFor();
  const nav = await page.locator('#mainnav').textContent();
  check(!/事案|通報|観測値/.test(nav), `no case, report or observable menu for a partner (${nav})`);
  await t.shot(page, 'home');

  for (const hash of ['#/cases', '#/reports', '#/observables', '#/intake']) {
    await page.goto(`${t.base}/${hash}`);
    await page.locator('h1', { hasText: '権限がありません' }).waitFor();
  }
  const statuses = await page.evaluate(async () => {
    const out = {};
    for (const p of ['/api/v1/cases', '/api/v1/reports', '/api/v1/observables']) {
      out[p] = (await fetch(p, { credentials: 'same-origin' })).status;
    }
    return out;
  });
  check(Object.values(statuses).every((s) => s === 403), `the API refuses a partner: ${JSON.stringify(statuses)}`);
});
