// Need-to-know on an observable's page: an analyst marks a case TLP:RED for its own unit and
// links a URL to it; an analyst of another unit who opens that URL's page sees only that a
// case exists and which unit holds it — no reference number, no title, no link.
import { runTest, logIn, logOut, check } from './harness.mjs';

const URL_CANON = 'http://restricted-renkei-test.top/login';

runTest('restricted', async (t) => {
  const analysts = t.users('analyst');
  const owner = analysts[0];
  const other = analysts.find((a) => a.unit && a.unit !== owner.unit);
  check(other, `the demo data has two analysts in different units (${analysts.map((a) => a.unit).join(', ')})`);
  const page = await t.newPage();

  await logIn(page, t.base, owner);
  await page.goto(`${t.base}/#/reports`);
  await page.locator('#report-list tbody tr').first().locator('a').first().click();
  await page.locator('#open-case').click();
  await page.locator('form.open-case [data-field=title]').fill('制限付き事案（TLP:RED）');
  await page.locator('#open-case-submit').click();
  await page.waitForURL(/#\/cases\/[^/?]+$/);
  const caseRef = (await page.locator('h1 .ref').textContent()).trim();

  await page.locator('#tlp-red').check();
  await page.locator('#classify-form [data-field=scope]').selectOption('unit');
  await page.locator('#classify-form button[type=submit]').click();
  await page.locator('.badges .tlp-red').waitFor();

  await page.locator('#obs-form [data-field=value]').fill('hxxp://restricted-renkei-test[.]top/login');
  await page.locator('#obs-form [data-field=role]').selectOption('phishing_site');
  await page.locator('#obs-form button[type=submit]').click();
  const link = page.locator('#case-observables a', { hasText: URL_CANON });
  await link.waitFor();
  await link.click();
  await page.waitForURL(/#\/observables\/[^/?]+$/);
  const obsUrl = page.url();
  await page.locator('#seen-in .seen-cases a', { hasText: caseRef }).waitFor();
  await logOut(page);

  await logIn(page, t.base, other);
  await page.goto(obsUrl);
  await page.locator('#seen-in').waitFor();
  const cases = page.locator('#seen-in .seen-cases');
  await cases.locator('.restricted', { hasText: owner.unit }).waitFor();
  const text = await cases.textContent();
  check(!text.includes(caseRef) && !text.includes('制限付き事案'), `the restricted case shows no reference or title (${text})`);
  check(await cases.locator('a').count() === 0, 'no link to the restricted case');
  await t.shot(page, 'restricted');
});
