// A partner account sees no case data: no case or report pages in its menu, the case and
// report pages refuse it, the API answers 403 for cases and reports, and an observable's
// "seen in" shows at most that a case or report exists and which unit holds it.
import { runTest, logIn, check } from './harness.mjs';

runTest('partner', async (t) => {
  const page = await t.newPage();
  await logIn(page, t.base, t.user('partner'));
  const nav = await page.locator('#mainnav').textContent();
  check(!nav.includes('事案') && !nav.includes('通報'), `no case or report menu for a partner (${nav})`);

  // The pages refuse, and so does the API behind them.
  for (const hash of ['#/cases', '#/reports']) {
    await page.goto(`${t.base}/${hash}`);
    await page.locator('h1', { hasText: '権限がありません' }).waitFor();
  }
  const statuses = await page.evaluate(async () => {
    const out = {};
    for (const p of ['/api/v1/cases', '/api/v1/reports']) out[p] = (await fetch(p, { credentials: 'same-origin' })).status;
    return out;
  });
  check(statuses['/api/v1/cases'] === 403 && statuses['/api/v1/reports'] === 403, `the API refuses a partner: ${JSON.stringify(statuses)}`);

  // Observables the partner may see carry no readable case or report.
  const obs = await page.evaluate(async () => {
    const r = await fetch('/api/v1/observables?limit=5', { credentials: 'same-origin' });
    return { status: r.status, body: r.ok ? await r.json() : null };
  });
  if (obs.status === 200 && obs.body.items.length) {
    await page.goto(`${t.base}/#/observables/${encodeURIComponent(obs.body.items[0].id)}`);
    await page.locator('#seen-in').waitFor();
    check(await page.locator('#seen-in a[href^="#/cases/"], #seen-in a[href^="#/reports/"]').count() === 0,
      'no link to a case or report in "seen in" for a partner');
    await t.shot(page, 'observable');
  } else {
    check(obs.status === 200 || obs.status === 403, `observable list answers 200 or 403, got ${obs.status}`);
  }
});
