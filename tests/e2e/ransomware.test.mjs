// The rest of the DOMAIN.md §7 intake in a real browser: the ransomware block appears only for
// the ransomware category and takes its coded answers from GET /api/v1/ref; a crypto transfer;
// an attachment whose SHA-256 the browser computes (the file is not sent); 認知 time and the
// 警察庁報告済 flag. The filed report shows all of it, and the hash is linked as an observable.
import { createHash } from 'node:crypto';
import { runTest, logIn, check } from './harness.mjs';

// Fictional data, made for this test.
const MARK = '霞ヶ浦精密工業';
const TITLE = `ランサムウェアによるファイル暗号化（${MARK}）`;
const NARRATIVE = `${MARK}の総務担当者から、社内のファイルサーバが暗号化され、脅迫文が表示されたとの通報。` +
  'VPN 機器経由で侵入された可能性がある。';
const NOTE = 'YOUR FILES ARE ENCRYPTED. Contact us: kasumi-recover-test@example.org';
const ATTACHMENT = Buffer.from(`脅迫文のスクリーンショット（${MARK}、試験用の架空データ）\n`, 'utf8');
const ATTACHMENT_SHA = createHash('sha256').update(ATTACHMENT).digest('hex');
const WALLET = 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq';

runTest('ransomware', async (t) => {
  const page = await t.newPage();
  await logIn(page, t.base, t.user('station'));
  // The role is named with the label of GET /api/v1/ref "roles" (DOMAIN.md §7 glossary).
  check((await page.locator('.who-unit').textContent()).includes('警察署員'), 'the station role is 警察署員');
  await page.goto(`${t.base}/#/intake`);
  await page.locator('form.intake-form').waitFor();

  // The block is there only for the ransomware category.
  const block = page.locator('#ransomware-block');
  check(await block.isHidden(), 'no ransomware block before a category is chosen');
  await page.locator('[data-field=category]').selectOption('phishing');
  check(await block.isHidden(), 'no ransomware block for phishing');
  await page.locator('[data-field=category]').selectOption('ransomware');
  await block.waitFor({ state: 'visible' });

  await page.locator('[data-field=intake_type]').selectOption('tsuho');
  await page.locator('[data-field=channel]').selectOption('denwa');
  await page.locator('[data-field=title]').fill(TITLE);
  await page.locator('[data-field=narrative]').fill(NARRATIVE);
  await page.locator('[data-field="reporter.type"]').selectOption('company_sme');
  await page.locator('[data-field=recognised_at]').fill('2026-04-02T09:30');
  await page.locator('[data-field=npa_reported]').check();

  // Coded answers are offered with the labels of GET /api/v1/ref.
  await block.getByLabel('被害組織の規模').selectOption({ label: '中小企業' });
  await block.getByLabel('侵入経路').selectOption({ label: 'VPN機器' });
  await block.getByLabel('復旧までの期間').selectOption({ label: '1か月未満' });
  await block.getByLabel('調査・復旧費用').selectOption({ label: '1,000万～5,000万円' });
  await block.getByLabel('バックアップからの復元').selectOption({ label: '一部復元' });
  await block.locator('[data-field="ransomware.industry"]').fill('製造業');
  await block.locator('[data-field="ransomware.ransom_note"]').fill(NOTE);
  await block.locator('[data-field="ransomware.extension"]').fill('.kasumi');
  await block.locator('[data-field="ransomware.data_stolen"]').selectOption('yes');
  await block.locator('[data-field="ransomware.no_encryption"]').selectOption('no');
  await block.locator('[data-field="ransomware.demand_amount"]').fill('3');
  await block.locator('[data-field="ransomware.demand_currency"]').fill('BTC');
  await block.locator('[data-field="ransomware.device"]').fill('TESTGATE VX-100');
  await block.locator('[data-field="ransomware.device_version"]').fill('7.2.1');
  await block.locator('[data-field="ransomware.patched"]').selectOption('no');
  await block.locator('[data-field="ransomware.backup"]').selectOption('yes');

  // The ransom note's contact address shows up in the live preview.
  await page.locator('#obs-preview li[data-type=email]', { hasText: 'kasumi-recover-test@example.org' }).waitFor();

  // A crypto transfer.
  await page.locator('#add-crypto').click();
  await page.locator('[data-field="crypto[0].exchange"]').fill('架空交換所');
  await page.locator('[data-field="crypto[0].wallet"]').fill(WALLET);

  // An attachment: the browser computes its SHA-256.
  await page.locator('#attachment-files').setInputFiles({ name: 'ransom-note.png', mimeType: 'image/png', buffer: ATTACHMENT });
  await page.locator(`#attachment-list li[data-sha256="${ATTACHMENT_SHA}"]`, { hasText: 'ransom-note.png' }).waitFor();
  await t.shot(page, '01-intake');

  // A value the server refuses inside the block: the Japanese message names the field by its
  // label and marks it; nothing is filed. Then the right value.
  const amount = block.locator('[data-field="ransomware.demand_amount"]');
  await amount.fill('-5');
  await page.locator('#intake-submit').click();
  const box = page.locator('.intake-form .error-box');
  await box.waitFor();
  const errText = await box.textContent();
  check(errText.includes('要求額') && errText.includes('ransomware.demand_amount') && errText.includes('値が範囲外です'),
    `the error names the block's field in Japanese (${errText})`);
  check(await amount.getAttribute('aria-invalid') === 'true', 'the amount is marked invalid');
  await amount.fill('3');

  await page.locator('#intake-submit').click();
  await page.waitForURL(/#\/reports\/[^/?]+$/);
  await page.locator('#narrative', { hasText: MARK }).waitFor();

  // The report page shows the block with the same labels, the transfer and the attachment.
  const rw = page.locator('#report-ransomware');
  for (const text of ['中小企業', '製造業', 'VPN機器', 'TESTGATE VX-100 7.2.1', '1か月未満', '1,000万～5,000万円', '一部復元', '.kasumi', '3 BTC', NOTE]) {
    await rw.getByText(text, { exact: false }).first().waitFor();
  }
  const rwText = await rw.textContent();
  check(rwText.includes('データ窃取あり（二重恐喝・ダブルエクストーション）はい'), `data theft shown as yes: ${rwText}`);
  check(rwText.includes('修正プログラム適用済みいいえ'), `not patched shown as no: ${rwText}`);
  check(!rwText.includes('個人情報保護委員会'), 'an unanswered question is not shown');
  await page.locator('#report-crypto', { hasText: WALLET }).waitFor();
  await page.locator('#report-crypto', { hasText: '架空交換所' }).waitFor();
  await page.locator('#report-attachments', { hasText: ATTACHMENT_SHA }).waitFor();
  const summary = await page.locator('.col-side').first().textContent();
  check(summary.includes('認知日時') && summary.includes('2026年(令和8年)4月2日 09:30'), `recognised time shown: ${summary}`);
  check(summary.includes('警察庁報告済'), 'the NPA flag is shown');
  // The attachment's hash and the wallet were linked as observables.
  await page.locator('#report-observables', { hasText: ATTACHMENT_SHA }).waitFor();
  await page.locator('#report-observables', { hasText: WALLET }).waitFor();
  await t.shot(page, '02-report');

  // What the API stored is exactly what was typed (the coded members as codes).
  const id = page.url().split('/').pop();
  const stored = await page.evaluate(async (rid) => (await fetch(`/api/v1/reports/${rid}`)).json(), id);
  const want = { size: 'sme', intrusion_route: 'vpn', recovery_time: 'lt_1m', cost_band: '1000_5000man', restored: 'partial',
    data_stolen: true, no_encryption: false, patched: false, backup: true, demand_amount: 3, demand_currency: 'BTC' };
  for (const [k, v] of Object.entries(want)) check(stored.ransomware[k] === v, `ransomware.${k} stored as ${JSON.stringify(stored.ransomware[k])}`);
  check(!('ppc_notified' in stored.ransomware), 'unanswered questions are not sent');
  check(stored.npa_reported === true, 'npa_reported stored');
  check(stored.attachments.length === 1 && stored.attachments[0].size === ATTACHMENT.length
    && stored.attachments[0].name === 'ransom-note.png', `attachment stored: ${JSON.stringify(stored.attachments)}`);
  check(stored.recognised_at === '2026-04-02T00:30:00Z', `recognised_at is the JST time in UTC: ${stored.recognised_at}`);

  // Switching to English shows the same report with English labels from the reference data.
  await page.locator('#lang-switch').click();
  await page.locator('#report-ransomware', { hasText: 'VPN appliance' }).waitFor();
  await page.locator('#report-ransomware', { hasText: 'SME' }).waitFor();
  check((await page.locator('.who-unit').textContent()).includes('Station officer'), 'the station role in English');
});
