// Workflow with 起案/決裁: a report moves at once where no approval is needed; steps that need a
// superior become drafts that wait; the supervisor approves the case's draft on the 決裁 page
// (the case moves) and sends the report's back with a comment (the report stays).
import { runTest, logIn, logOut, check } from './harness.mjs';

runTest('approvals', async (t) => {
  const page = await t.newPage();
  await logIn(page, t.base, t.user('analyst'));

  // A report step with no approval applies at once.
  await page.goto(`${t.base}/#/reports?status=received`);
  await page.locator('#report-list tbody tr').first().locator('a').first().click();
  await page.locator('button[data-to=triaged]').click();
  await page.locator('.badges .status', { hasText: '振分け' }).waitFor();

  const reportUrl = page.url();
  const reportRef = (await page.locator('h1 .ref').textContent()).trim();
  await page.locator('button[data-to=in_progress]').click();
  await page.locator('.badges .status', { hasText: '対応中' }).waitFor();
  // Handing over needs the supervisor: it becomes a draft.
  await page.locator('button[data-to=handed_over]').click();
  await page.locator('#pending-approval').waitFor();

  // Open a case from it and draft 事件化, which needs the supervisor.
  await page.locator('#open-case').click();
  await page.locator('form.open-case [data-field=title]').fill('決裁の流れを確かめる事案');
  await page.locator('#open-case-submit').click();
  await page.waitForURL(/#\/cases\/[^/?]+$/);
  const caseUrl = page.url();
  const caseRef = (await page.locator('h1 .ref').textContent()).trim();
  // A second report joins the case from its own page ("add to an existing case").
  await page.goto(`${t.base}/#/reports`);
  const second = page.locator('#report-list tbody tr').filter({ hasNotText: reportRef }).nth(2);
  const secondRef = (await second.locator('td').nth(1).textContent()).trim();
  await second.locator('a').first().click();
  await page.locator('#add-to-case [data-field=case_id]').selectOption({ label: `${caseRef} 決裁の流れを確かめる事案` });
  await page.locator('#add-to-case button[type=submit]').click();
  await page.waitForURL(caseUrl);
  await page.locator('#case-reports', { hasText: secondRef }).waitFor();
  await page.locator('#case-reports', { hasText: reportRef }).waitFor();

  await page.locator('button[data-to=jikenka]').click();
  await page.locator('#pending-approval').waitFor();
  const before = await page.locator('.badges .status').textContent();
  await logOut(page);

  // The supervisor sees it among the approvals and approves it.
  await logIn(page, t.base, t.user('supervisor'));
  await page.waitForURL(/#\/approvals$/);
  const card = page.locator('article.approval', { hasText: caseRef });
  await card.waitFor();
  await t.shot(page, 'approvals');
  await card.getByRole('button', { name: '決裁する' }).click();
  await page.locator('#flash', { hasText: '決裁しました' }).waitFor();
  check(await page.locator('article.approval', { hasText: caseRef }).count() === 0, 'the approval left the list');

  // The report's draft is sent back.
  const rcard = page.locator('article.approval', { hasText: reportRef });
  await rcard.locator('[data-field=comment]').fill('引継ぎ先を確認してから再度起案してください。');
  await rcard.getByRole('button', { name: '差し戻す' }).click();
  await page.locator('#flash', { hasText: '差し戻しました' }).waitFor();
  check(await page.locator('article.approval', { hasText: reportRef }).count() === 0, 'the sent-back draft left the list');
  await page.goto(reportUrl);
  await page.locator('.badges .status', { hasText: '対応中' }).waitFor();
  check(await page.locator('#pending-approval').count() === 0, 'the report has no pending draft');

  await page.goto(caseUrl);
  await page.locator('.badges .status', { hasText: '事件化' }).waitFor();
  check(before.trim() !== '事件化', `the case had not moved before the approval (${before})`);
  check(await page.locator('#pending-approval').count() === 0, 'nothing is pending any more');
});
