// The "related reports and cases" panel in a real browser. Three reports share a phone number:
// one filed by an analyst of サイバー捜査課 with scope "unit" (only that unit may read it), one by
// an analyst of another HQ unit, one by a station. The station officer sees the other two only
// as "a report you may not read (held by X)" — no reference, no title, no link — and the
// public resolver both narratives hold listed as not linked, with the reason. The second analyst
// sees the station's report with why it is linked, follows the link, and sees the same panel
// on a case page.
import { runTest, logIn, logOut, check } from './harness.mjs';

// Fictional values that exist only in this test.
const PHONE = '090-6543-2109';
const PHONE_CANON = '+819065432109';

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
    check(r.status === 201, `POST ${path}: ${r.status} ${JSON.stringify(j)}`);
    return j;
  };
}

function report(title, narrative, extra = {}) {
  return { intake_type: 'sodan', channel: 'denwa', category: 'phishing', title, narrative, ...extra };
}

runTest('related', async (t) => {
  const analysts = t.users('analyst');
  const a1 = analysts[0];
  const a2 = analysts.find((a) => a.unit && a.unit !== a1.unit);
  check(a2, 'the demo data has two analysts in different units');
  const station = t.user('station');

  const post1 = await apiLogin(t.base, a1);
  const post2 = await apiLogin(t.base, a2);
  const postS = await apiLogin(t.base, station);
  const r1 = await post1('/reports', report('捜査課だけが読める通報', `${PHONE} から不審な電話。`, { scope: 'unit' }));
  const r3 = await post2('/reports', report('攻撃対策課の通報', `同じ ${PHONE} からSMS。DNS は 8.8.8.8。`));
  const r2 = await postS('/reports', report('署の通報（関連テスト）', `${PHONE} から電話があり、DNS 8.8.8.8 に変更させられた。`));
  const kase = await post2('/cases', { title: '電話番号共通の事案', report_ids: [r3.id] });

  const page = await t.newPage();

  // 1. The station officer: both analysts' reports appear only as restricted, with their unit.
  await logIn(page, t.base, station);
  await page.goto(`${t.base}/#/reports/${r2.id}`);
  await page.locator('#related-items').waitFor();
  const panel = page.locator('#related');
  for (const unit of [a1.unit, a2.unit]) {
    await panel.locator('.related-restricted', { hasText: unit }).first().waitFor();
  }
  check(await panel.locator('.related-restricted a').count() === 0, 'no link to a restricted item');
  const text = await panel.textContent();
  for (const hidden of [r1.ref, r3.ref, '捜査課だけが読める', '攻撃対策課の通報']) {
    check(!text.includes(hidden), `the station sees nothing of what it may not read (${hidden}): ${text}`);
  }
  const sup = page.locator('#related-suppressed');
  await sup.locator('li', { hasText: '8.8.8.8' }).waitFor();
  check((await sup.textContent()).includes('public-dns-resolvers'), 'the reason names the warninglist');
  await t.shot(page, 'station');
  await logOut(page);

  // 2. The analyst of the other unit: the station's report with why, the unit-only one restricted.
  await logIn(page, t.base, a2);
  await page.goto(`${t.base}/#/reports/${r3.id}`);
  const item = page.locator(`#related-items li[data-id="${r2.id}"]`);
  await item.waitFor();
  check((await item.textContent()).includes(PHONE_CANON), 'the link is explained by the shared phone number');
  await page.locator('#related .related-restricted', { hasText: a1.unit }).first().waitFor();
  check(!(await page.locator('#related').textContent()).includes(r1.ref), 'no reference of the unit-only report');
  await t.shot(page, 'analyst');
  await item.locator('a').first().click();
  await page.waitForURL(new RegExp(`#/reports/${r2.id}$`));
  await page.locator('h1', { hasText: '署の通報（関連テスト）' }).waitFor();

  // 3. The case page has the same panel.
  await page.goto(`${t.base}/#/cases/${kase.id}`);
  await page.locator(`#related-items li[data-id="${r2.id}"]`).waitFor();
  await page.locator('h2', { hasText: '関連する通報・事案' }).waitFor();
  t.checkNoPageErrors();
});
