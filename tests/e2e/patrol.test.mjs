// The patrol review page in a real browser. An analyst checks a harmful post and an innocent one
// through the page's form: the harmful one appears in the queue with its evidence highlighted
// (the first highlight is 高収入, so byte offsets were turned into the right string indices),
// the innocent one is reported clean. The analyst decides 削除依頼; the finding leaves the open
// queue, appears among the decided ones, and the statistics table counts it. A station officer
// has no patrol menu entry and is refused the page.
import { runTest, logIn, logOut, check } from './harness.mjs';

// Fictional posts that exist only in this test.
const HARMFUL = '高収入の闇バイト、即日現金手渡し。テレグラムで連絡ください。受け子・出し子募集（e2e）';
const INNOCENT = '今日は八百屋で新鮮な野菜を買いました。冷たい風が吹いています。';

runTest('patrol', async (t) => {
  const analyst = t.user('analyst');
  const station = t.user('station');
  const page = await t.newPage();

  await logIn(page, t.base, analyst);
  await page.locator('#mainnav a', { hasText: 'パトロール審査' }).click();
  await page.locator('h1', { hasText: 'パトロール審査' }).waitFor();

  // An innocent post: nothing found.
  await page.locator('#patrol-post').fill(INNOCENT);
  await page.locator('form.patrol-submit button[type=submit]').click();
  await page.locator('#patrol-result', { hasText: '検知されませんでした' }).waitFor();

  // A harmful post: a finding with highlighted evidence.
  await page.locator('#patrol-post').fill(HARMFUL);
  await page.locator('form.patrol-submit button[type=submit]').click();
  const card = page.locator('.patrol-finding', { hasText: '（e2e）' });
  await card.waitFor();
  check((await card.locator('.badge').textContent()).includes('闇バイト'), 'the category label is shown');
  const marks = await card.locator('mark.patrol-span').allTextContents();
  check(marks.length > 0 && marks[0] === '高収入', `the spans are highlighted at the right characters: ${JSON.stringify(marks)}`);
  check((await card.locator('.patrol-text').textContent()) === HARMFUL, 'the original text is shown whole');
  await t.shot(page, 'queue');

  // Decide 削除依頼.
  await card.locator('button[data-decision=deletion_request]').click();
  await page.locator('.patrol-finding', { hasText: '（e2e）' }).waitFor({ state: 'detached' });
  const stats = page.locator('#patrol-stats tr[data-category="recruit.crime"]');
  await stats.waitFor();
  const cells = await stats.locator('td').allTextContents();
  check(Number(cells[1]) >= 1, `the statistics count the deletion request: ${JSON.stringify(cells)}`);
  await page.locator('#patrol-toggle').click();
  const decided = page.locator('.patrol-finding', { hasText: '（e2e）' });
  await decided.waitFor();
  check((await decided.locator('.patrol-decision').textContent()).includes('削除依頼'), 'the decision is shown');
  await t.shot(page, 'decided');
  await logOut(page);

  // A station officer: no menu entry, and the page says it is not for the role.
  await logIn(page, t.base, station);
  check(await page.locator('#mainnav a', { hasText: 'パトロール審査' }).count() === 0, 'no patrol menu for a station');
  await page.goto(`${t.base}/#/patrol`);
  await page.locator('p', { hasText: 'この画面はあなたの役割では使えません' }).waitFor();
  check(await page.locator('.patrol-finding').count() === 0, 'a station sees no findings');
  t.checkNoPageErrors();
});
