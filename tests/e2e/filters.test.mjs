// The report list's filters and paging against the demo data: category, status, station and
// a JST date range each narrow the list to matching rows only; paging walks the result.
import { runTest, logIn, check, rendered } from './harness.mjs';

const COL = { ref: 1, received: 2, title: 3, category: 4, station: 5, status: 6 }; // 0 is the checkbox

async function column(page, n) {
  return page.locator(`#report-list tbody tr td:nth-child(${n + 1})`).allTextContents();
}

async function count(page) {
  const text = await page.locator('.list-bar .count').textContent();
  return Number(text.replace(/[^0-9]/g, ''));
}

// "2026年(令和8年)11月15日" -> "2026-11-15"
function ymd(jaDate) {
  const m = /^(\d{4})年\([^)]*\)(\d{1,2})月(\d{1,2})日/.exec(jaDate.trim());
  check(m, `a Japanese date (${jaDate})`);
  return `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}`;
}

runTest('filters', async (t) => {
  const page = await t.newPage();
  await logIn(page, t.base, t.user('analyst'));
  await page.goto(`${t.base}/#/reports`);
  await page.locator('#report-list').waitFor();
  const all = await count(page);
  check(all > 100, `the demo data has more than two pages of reports for the analyst (${all})`);

  // Paging: 50 a page, the second page starts at 51.
  check((await page.locator('#report-list tbody tr').count()) === 50, 'a page holds 50 reports');
  const firstRef = (await column(page, COL.ref))[0];
  await page.getByRole('button', { name: '次へ' }).click();
  await page.locator('.pager-info', { hasText: `51–100` }).waitFor();
  check(!(await column(page, COL.ref)).includes(firstRef), 'the second page shows other reports');
  await page.getByRole('button', { name: '前へ' }).click();
  await page.locator('.pager-info', { hasText: `1–50` }).waitFor();

  // Category: every row is of that category, and fewer than all.
  const category = page.locator('[data-field=category]');
  await category.selectOption({ index: 2 });
  const catLabel = (await category.locator('option:checked').textContent()).trim();
  await page.locator('#search-submit').click();
  await rendered(page, 'category=');
  const nCat = await count(page);
  check(nCat > 0 && nCat < all, `the category narrows the list (${nCat} of ${all})`);
  check((await column(page, COL.category)).every((c) => c.trim() === catLabel), `only ${catLabel}`);

  // Station on top: every row from that station.
  const station = page.locator('[data-field=unit_id]');
  await station.selectOption({ index: 1 });
  const stLabel = (await station.locator('option:checked').textContent()).trim();
  await page.locator('#search-submit').click();
  await rendered(page, 'unit_id=');
  const nSt = await count(page);
  check(nSt <= nCat, `the station narrows further (${nSt} of ${nCat})`);
  if (nSt > 0) check((await column(page, COL.station)).every((c) => c.trim() === stLabel), `only ${stLabel}`);

  // Status alone.
  await page.locator('button', { hasText: '条件をクリア' }).click();
  await page.waitForFunction(() => document.body.dataset.rendered === '#/reports' && location.hash === '#/reports');
  await page.locator('[data-field=status]').selectOption('closed');
  await page.locator('#search-submit').click();
  await rendered(page, 'status=closed');
  const nClosed = await count(page);
  check(nClosed > 0 && nClosed < all, `some reports are closed (${nClosed})`);
  check((await column(page, COL.status)).every((c) => c.trim() === '完結'), 'only closed reports');

  // A date range in JST: one calendar month, both ends inclusive.
  await page.locator('button', { hasText: '条件をクリア' }).click();
  await page.waitForFunction(() => document.body.dataset.rendered === '#/reports' && location.hash === '#/reports');
  const someDate = ymd((await column(page, COL.received))[10]);
  const month = someDate.slice(0, 7);
  const [y, m] = month.split('-').map(Number);
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  await page.locator('[data-field=from]').fill(`${month}-01`);
  await page.locator('[data-field=to]').fill(`${month}-${String(last).padStart(2, '0')}`);
  await page.locator('#search-submit').click();
  await rendered(page, `from=${month}-01`);
  const nMonth = await count(page);
  check(nMonth > 0 && nMonth < all, `one month holds some reports (${nMonth})`);
  for (const d of await column(page, COL.received)) check(ymd(d).startsWith(month), `${d} is in ${month}`);
  await t.shot(page, 'month');
});
