// The グループ page in a real browser. An analyst opens the page from the menu: the demo's
// confirmed group is listed with its name and actor. The analyst confirms the smallest candidate
// under a name, sets aliases and creates and links an actor record; a report filed afterwards
// that shares one of the group's tie values appears under 新たに関連する事案 and is added as a
// member from there. Two members are split off into a new group, which is then merged back. An
// error names the field; the page switches to English; a station officer has no menu entry and
// is refused the page.
import { runTest, logIn, logOut, check, rendered } from './harness.mjs';

const NAME = 'e2e 試験グループ';
const SPLIT = 'e2e 分派';

// Files a report through the API in the page's own session (cookie and CSRF token).
async function fileReport(page, narrative) {
  return page.evaluate(async (text) => {
    const s = await (await fetch('/api/v1/session')).json();
    const r = await fetch('/api/v1/reports', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf },
      body: JSON.stringify({
        intake_type: 'sodan', channel: 'denwa', category: 'phishing',
        title: 'e2e 確定後に届いた通報', narrative: text, received_at: '2026-11-20T09:30:00Z',
      }),
    });
    return { status: r.status, body: await r.json() };
  }, narrative);
}

runTest('groups', async (t) => {
  const analyst = t.user('analyst');
  const station = t.user('station');
  const page = await t.newPage();

  await logIn(page, t.base, analyst);
  await page.locator('#mainnav a', { hasText: 'グループ' }).click();
  await page.locator('h1', { hasText: 'グループ（攻撃グループ・犯行グループ）' }).waitFor();
  const demo = page.locator('.group-confirmed', { hasText: '架空請求グループ「さくら」（デモ）' });
  await demo.waitFor();
  check((await demo.textContent()).includes('架空請求集団「さくら」（デモ）'), 'the demo group shows its actor');

  // The smallest candidate (the list is largest first): its tie and how many members.
  const cands = page.locator('.group-candidate');
  const n = await cands.count();
  check(n > 0, 'the demo data yields candidate groups');
  const card = cands.nth(n - 1);
  const tieType = (await card.locator('.group-ties .obs-type').first().getAttribute('class')).replace(/.*obs-/, '');
  const tieValue = (await card.locator('.group-ties code').first().textContent()).trim();
  // Members the analyst may not read show as restricted and are not part of the confirmation.
  const members = await card.locator('.group-members li a').count();
  await t.shot(page, 'list');
  await card.locator('input.group-name').fill(NAME);
  await card.locator('button[type=submit]').click();
  await page.locator('h1', { hasText: NAME }).waitFor();
  check(await page.locator('#group-members li').count() === members, `the confirmed group has the candidate's ${members} members`);
  check((await page.locator('#group-status').textContent()) === '確定', 'the status is 確定');

  // Aliases, then a new actor record linked.
  await page.locator('#group-aliases').fill('甲、Group-A');
  await page.locator('#group-save').click();
  await page.locator('dd', { hasText: '甲、Group-A' }).waitFor();
  await page.locator('#actor-name-ja').fill('e2e 架空の攻撃者');
  await page.locator('#actor-name-en').fill('e2e fictional actor');
  await page.locator('form.group-actor-new button[type=submit]').click();
  await page.locator('dd', { hasText: 'e2e 架空の攻撃者' }).waitFor();
  const groupUrl = page.url();

  // A report filed now that holds the tie value is flagged as newly related.
  const value = tieType === 'phone' && tieValue.startsWith('+81') ? `0${tieValue.slice(3)}` : tieValue;
  const filed = await fileReport(page, `e2e: ${value} に関する新たな相談。`);
  check(filed.status === 201, `the report was filed (${filed.status})`);
  await page.reload();
  const flag = page.locator('#group-flags li', { hasText: 'e2e 確定後に届いた通報' });
  await flag.waitFor();
  check((await page.locator('#group-flag-count').textContent()).includes('1'), 'one open flag');
  await t.shot(page, 'flag');
  await flag.locator('button.flag-add').click();
  await page.locator('#group-members li', { hasText: 'e2e 確定後に届いた通報' }).waitFor();
  check(await page.locator('#group-members li').count() === members + 1, 'the flagged report became a member');

  // An error names the field: a split with no member chosen.
  await page.locator('#split-name').fill(SPLIT);
  await page.locator('#group-split').click();
  const box = page.locator('.group-member-actions').locator('xpath=..').locator('.error-box');
  await box.first().waitFor();
  check((await box.first().textContent()).includes('members'), 'the error names the members field');

  // Split two members off, then merge the original group into the new one.
  const picks = page.locator('input.member-pick');
  await picks.nth(0).check();
  await picks.nth(1).check();
  await page.locator('#group-split').click();
  await page.locator('h1', { hasText: SPLIT }).waitFor();
  check(await page.locator('#group-members li').count() === 2, 'the new group holds the two members');
  const mergeOption = await page.locator('#merge-pick option', { hasText: NAME }).getAttribute('value');
  await page.locator('#merge-pick').selectOption(mergeOption);
  await page.locator('#group-merge').click();
  await page.waitForFunction((k) => document.querySelectorAll('#group-members li').length === k, members + 1);
  check((await page.locator('dd').allTextContents()).some((x) => x.includes(NAME)), 'the merged name became an alias');
  // Remove a member with its box, then add it back by its reference number.
  const first = page.locator('#group-members li').first();
  const ref = (await first.locator('a').textContent()).trim().split(/\s+/)[0];
  await first.locator('input.member-pick').check();
  await page.locator('#group-remove').click();
  await page.waitForFunction((k) => document.querySelectorAll('#group-members li').length === k, members);
  await page.locator('#add-id').fill(ref);
  await page.locator('form.group-add button[type=submit]').click();
  await page.waitForFunction((k) => document.querySelectorAll('#group-members li').length === k, members + 1);
  check((await page.locator('#group-members li', { hasText: ref }).textContent()).includes('手動で追加'), `${ref} was added back by hand`);
  // A reference that does not exist: the error names the field by its label.
  await page.locator('#add-id').fill('R2099-999999');
  await page.locator('form.group-add button[type=submit]').click();
  const addErr = page.locator('.group-member-actions').locator('xpath=..').locator('.error-box', { hasText: '該当するものがありません' });
  await addErr.waitFor();
  check((await addErr.textContent()).includes('add[0].ref'), 'the error names the field');

  await page.goto(groupUrl);
  await page.locator('#group-status', { hasText: '解消' }).waitFor();

  // English.
  await page.goto(`${t.base}/#/groups`);
  await rendered(page, '/groups');
  await page.locator('#lang-switch').click();
  await page.locator('h1', { hasText: 'Groups (attack groups / crime groups)' }).waitFor();
  check((await page.locator('h2').allTextContents()).includes('Candidate groups'), 'English section headings');
  await page.locator('#lang-switch').click();
  await page.locator('h1', { hasText: 'グループ' }).waitFor();
  await logOut(page);

  // A station officer: no menu entry, and the page says it is not for the role.
  await logIn(page, t.base, station);
  check(await page.locator('#mainnav a', { hasText: 'グループ' }).count() === 0, 'no groups menu for a station');
  await page.goto(`${t.base}/#/groups`);
  await page.locator('p', { hasText: 'この画面はあなたの役割では使えません' }).waitFor();
  check(await page.locator('.group-card').count() === 0, 'a station sees no groups');
  t.checkNoPageErrors();
});
