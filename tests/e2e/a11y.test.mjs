// Accessibility: axe-core (WCAG 2 A and AA rules) on every page of the UI, for the role that
// uses it, in Japanese and in English. Any serious or critical violation fails the test.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { runTest, logIn, logOut, check, rendered } from './harness.mjs';

const require = createRequire(import.meta.url);
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

async function audit(page, where) {
  // Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not
  // govern; the UI itself still loads no script of ours but its own files.
  await page.evaluate(AXE);
  const res = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  const bad = res.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  check(bad.length === 0, `accessibility of ${where}:\n${JSON.stringify(bad, null, 1)}`);
  return res.length;
}

async function visit(page, base, hash, part) {
  await page.goto(`${base}/${hash}`);
  await rendered(page, part);
}

runTest('a11y', async (t) => {
  const page = await t.newPage();
  let minor = 0;
  await page.goto(`${t.base}/#/login`);
  await page.locator('form.login-form').waitFor();
  minor += await audit(page, 'the log-in page');

  await logIn(page, t.base, t.user('analyst'));
  for (const [hash, part] of [['#/intake', '/intake'], ['#/reports', '/reports'], ['#/cases', '/cases'], ['#/observables', '/observables']]) {
    await visit(page, t.base, hash, part);
    minor += await audit(page, hash);
  }
  // One of each detail page, reached through the lists.
  await visit(page, t.base, '#/reports', '/reports');
  await page.locator('#report-list tbody tr a').first().click();
  await rendered(page, '/reports/');
  minor += await audit(page, 'a report');
  await visit(page, t.base, '#/cases', '/cases');
  await page.locator('#case-list tbody tr a').first().click();
  await rendered(page, '/cases/');
  minor += await audit(page, 'a case');
  await page.locator('#case-observables a').first().click();
  await rendered(page, '/observables/');
  minor += await audit(page, 'an observable');

  // The same pages in English.
  await page.locator('#lang-switch').click();
  await rendered(page, '/observables/');
  minor += await audit(page, 'an observable (English)');
  await visit(page, t.base, '#/intake', '/intake');
  minor += await audit(page, 'the intake form (English)');
  await page.locator('#lang-switch').click();
  await logOut(page);

  await logIn(page, t.base, t.user('supervisor'));
  await rendered(page, '/approvals');
  minor += await audit(page, 'the approvals');
  await logOut(page);
  await logIn(page, t.base, t.user('admin'));
  await rendered(page, '/admin/users');
  minor += await audit(page, 'the users page');
  console.log(`# minor or moderate findings: ${minor}`);
});
