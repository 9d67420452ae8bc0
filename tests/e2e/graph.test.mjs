// The 関連図 (link chart) in a real browser. An analyst of サイバー攻撃対策課 files a report
// (January) and opens a case on it; a station files a report with the same phone number
// (September); an analyst of サイバー捜査課 files a unit-only report with the same phone and a
// second, secret URL. From the case page the analyst opens the chart, expands the report and
// then the phone, hides the phone type, narrows the timeline, and exports PNG and JSON. The
// unit-only report appears only as "サイバー捜査課が保有" and its URL never reaches the page; its
// panel offers "閲覧を依頼" through the phone it was found by, and the request sent is one the
// server accepts and that concerns exactly that report (the holder sees it). Last, a confirmed
// group of that report and the January one: its node shows name and member count, and its
// restricted member says to ask from a report, case or value instead.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { runTest, logIn, check, rendered } from './harness.mjs';

const require = createRequire(import.meta.url);
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const PHONE = '090-4567-1238';
const SECRET = 'graph-e2e-secret';

async function apiLogin(base, user) {
  const res = await fetch(`${base}/api/v1/session`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login: user.login, password: user.password }),
  });
  check(res.ok, `API log-in of ${user.login}: ${res.status}`);
  const cookie = (res.headers.get('set-cookie') || '').split(';')[0];
  const { csrf } = await res.json();
  const post = async (path, body) => {
    const r = await fetch(`${base}/api/v1${path}`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', Cookie: cookie, 'X-CSRF-Token': csrf },
      body: JSON.stringify(body),
    });
    const j = await r.json();
    check(r.status === 201, `POST ${path}: ${r.status} ${JSON.stringify(j)}`);
    return j;
  };
  post.get = async (path) => {
    const r = await fetch(`${base}/api/v1${path}`, { headers: { Cookie: cookie } });
    const j = await r.json();
    check(r.status === 200, `GET ${path}: ${r.status} ${JSON.stringify(j)}`);
    return j;
  };
  return post;
}

function report(title, narrative, extra = {}) {
  return { intake_type: 'sodan', channel: 'denwa', category: 'phishing', title, narrative, ...extra };
}

// The node ids the chart shows, from its keyboard-usable node list.
async function shownIds(page) {
  return page.locator('#graph-node-select option').evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
}

async function waitShown(page, id, present) {
  await page.waitForFunction(([i, p]) => [...document.querySelectorAll('#graph-node-select option')]
    .some((o) => o.value === i) === p, [id, present]);
}

async function setRange(page, sel, value) {
  await page.locator(sel).evaluate((el, v) => {
    el.value = v === 'max' ? el.max : String(v);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, value);
}

runTest('graph', async (t) => {
  const analysts = t.users('analyst');
  const a1 = analysts[0];
  const a2 = analysts.find((a) => a.unit && a.unit !== a1.unit);
  check(a2, 'the demo data has two analysts in different units');
  const station = t.user('station');
  const post1 = await apiLogin(t.base, a1);
  const post2 = await apiLogin(t.base, a2);
  const postS = await apiLogin(t.base, station);
  const rOpen = await post2('/reports', report('関連図試験 一月の通報', `${PHONE} からSMSが届いた。`, { received_at: '2026-01-10T01:00:00Z' }));
  const rSt = await postS('/reports', report('関連図試験 九月の通報', `${PHONE} から電話があった。`, { received_at: '2026-09-10T01:00:00Z' }));
  const rSecret = await post1('/reports', report('関連図試験 捜査課限定', `${PHONE} の相手が hxxps://${SECRET}[.]example[.]com/x を案内。`, { scope: 'unit' }));
  const kase = await post2('/cases', { title: '関連図試験の事案', report_ids: [rOpen.id] });
  const caseNode = `case:${kase.id}`;
  const openNode = `report:${rOpen.id}`;
  const stNode = `report:${rSt.id}`;

  const page = await t.newPage();
  await logIn(page, t.base, a2);
  await page.goto(`${t.base}/#/cases/${kase.id}`);
  await rendered(page, '/cases/');
  await page.locator('#open-graph').click();
  await rendered(page, '/graph');
  await page.locator('h1', { hasText: '関連図 (リンク分析)' }).waitFor();
  await page.locator('#graph-canvas canvas').first().waitFor();

  // Depth 1: the case and its report; the phone is two hops away.
  await page.locator('select[id^="graph-depth"]').selectOption('1');
  await page.locator('#graph-reload').click();
  await page.waitForURL(/depth=1/);
  await rendered(page, '/graph');
  await waitShown(page, openNode, true);
  let ids = await shownIds(page);
  check(ids.includes(caseNode), `the case is on the chart: ${ids}`);
  check(!ids.some((i) => i.startsWith('account:')), `no phone at depth 1: ${ids}`);

  // Expand the report with the button: its phone (an account node) appears.
  await page.locator('#graph-node-select').selectOption(openNode);
  await page.locator('#graph-details', { hasText: '関連図試験 一月の通報' }).waitFor();
  await page.locator('#graph-expand').click();
  await page.waitForFunction(() => [...document.querySelectorAll('#graph-node-select option')].some((o) => o.value.startsWith('account:')));
  ids = await shownIds(page);
  const phoneNode = ids.find((i) => i.startsWith('account:'));
  // Expand the phone from the keyboard: select it, focus the chart, press Enter.
  await page.locator('#graph-node-select').selectOption(phoneNode);
  await page.locator('#graph-canvas').focus();
  await page.keyboard.press('Enter');
  await waitShown(page, stNode, true);
  // The unit-only report: restricted, held by サイバー捜査課, nothing else.
  const restricted = page.locator('#graph-node-select option', { hasText: `${a1.unit}が保有` });
  await restricted.first().waitFor({ state: 'attached' });
  const rid = await restricted.first().getAttribute('value');
  check(rid.startsWith('restricted:'), `a restricted node has an opaque id: ${rid}`);
  await page.locator('#graph-node-select').selectOption(rid);
  await page.locator('#graph-details .restricted', { hasText: a1.unit }).waitFor();
  check(await page.locator('#graph-expand').isDisabled(), 'a restricted node cannot be expanded');
  check(!(await page.content()).includes(SECRET), 'the unit-only report\'s URL never reaches the page');
  // Ask サイバー捜査課 for it: the context is the phone it hangs off.
  const askBtn = page.locator('#graph-request .access-request-btn');
  await askBtn.waitFor();
  const phoneText = await page.locator(`#graph-node-select option[value="${phoneNode}"]`).textContent();
  const via = await page.locator('#graph-details dd').allTextContents();
  check(via.some((v) => v && phoneText.endsWith(v)), `found through the phone: ${via} / ${phoneText}`);
  check(await askBtn.textContent() === '閲覧を依頼', 'the request button is offered');
  await askBtn.click();
  await page.locator('#access-reason').fill('同一電話番号の着信被害。相手方の案内先を確認したい。');
  await page.locator('#access-send').click();
  await page.locator('#graph-request .access-requested').waitFor();
  const mine = await post2.get('/access-requests?box=outgoing');
  const sent = mine.items.find((r) => r.status === 'pending' && r.context && r.context.kind === 'observable' && r.context.id === phoneNode.slice(phoneNode.indexOf(':') + 1));
  check(sent, `a pending request in the phone's context: ${JSON.stringify(mine.items)}`);
  check(sent.kind === 'report', `it asks for a report: ${sent.kind}`);
  const held = await post1.get(`/access-requests/${sent.id}`);
  check(JSON.stringify((held.objects || []).map((o) => o.id)) === JSON.stringify([rSecret.id]), `the holder sees it concerns the unit-only report: ${JSON.stringify(held.objects)}`);

  // Pin the phone.
  await page.locator('#graph-node-select').selectOption(phoneNode);
  await page.locator('#graph-pin').click();
  await page.locator('#graph-pin[aria-pressed="true"]').waitFor();

  // Hide the phone type, then show it again.
  await page.locator('#graph-type-phone').uncheck();
  await waitShown(page, phoneNode, false);
  await page.locator('#graph-type-phone').check();
  await waitShown(page, phoneNode, true);
  // Hide a kind: reports go, the case (the start) stays.
  await page.locator('#graph-kind-report').uncheck();
  await waitShown(page, stNode, false);
  await page.locator('#graph-kind-report').check();
  await waitShown(page, stNode, true);

  // The timeline: from the last day only, January's and September's reports are hidden.
  await setRange(page, '#graph-time-from', 'max');
  await waitShown(page, stNode, false);
  await waitShown(page, openNode, false);
  check((await shownIds(page)).includes(caseNode), 'the start stays on the chart');
  await setRange(page, '#graph-time-from', 0);
  await waitShown(page, stNode, true);

  // Layouts run without errors.
  for (const l of ['concentric', 'breadthfirst', 'grid', 'cose']) {
    await page.locator('#graph-layout').selectOption(l);
    await page.locator('#graph-relayout').click();
  }

  // Export the visible part as JSON: exactly the nodes the list shows.
  await page.locator('#graph-type-phone').uncheck();
  await waitShown(page, phoneNode, false);
  const shown = (await shownIds(page)).sort();
  const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('#graph-export-json').click()]);
  check(dl.suggestedFilename() === 'renkei-graph.json', dl.suggestedFilename());
  const doc = JSON.parse(fs.readFileSync(await dl.path(), 'utf8'));
  const got = doc.nodes.map((n) => n.id).sort();
  check(JSON.stringify(got) === JSON.stringify(shown), `JSON nodes ${got} = shown ${shown}`);
  check(got.includes(caseNode) && got.includes(stNode) && !got.includes(phoneNode), `JSON node ids: ${got}`);
  for (const e of doc.edges) check(got.includes(e.source) && got.includes(e.target), `edge within the visible part: ${e.id}`);
  check(!JSON.stringify(doc).includes(SECRET), 'no secret value in the export');
  // PNG.
  const [png] = await Promise.all([page.waitForEvent('download'), page.locator('#graph-export-png').click()]);
  check(png.suggestedFilename() === 'renkei-graph.png', png.suggestedFilename());
  const bytes = fs.readFileSync(await png.path());
  check(bytes.length > 2000 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), `a PNG file (${bytes.length} bytes)`);
  await t.shot(page, 'chart');

  // Accessibility, then English.
  await page.evaluate(AXE);
  const bad = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  check(bad.length === 0, `accessibility of the chart:\n${JSON.stringify(bad, null, 1)}`);
  await page.locator('#lang-switch').click();
  await page.locator('h1', { hasText: 'Link chart (link analysis)' }).waitFor();
  await page.locator('#graph-export-png', { hasText: 'Save as PNG' }).waitFor();

  // A confirmed group (サイバー捜査課's decision) of the unit-only report and January's.
  const grp = await post1('/groups/confirm', { name: '関連図試験グループ', aliases: ['試験団'], members: [{ kind: 'report', id: rSecret.id }, { kind: 'report', id: rOpen.id }] });
  await page.goto(`${t.base}/#/graph?node=${encodeURIComponent(`group:${grp.id}`)}&depth=1`);
  await rendered(page, '/graph');
  await page.locator('#graph-canvas canvas').first().waitFor();
  await waitShown(page, openNode, true);
  await page.locator('#graph-node-select').selectOption(`group:${grp.id}`);
  const gd = page.locator('#graph-details');
  await gd.locator('dd', { hasText: 'Confirmed group' }).waitFor();
  check((await gd.textContent()).includes('関連図試験グループ') && (await gd.textContent()).includes('試験団'), `the group's name and alias: ${await gd.textContent()}`);
  check(await page.locator('#graph-open-page').getAttribute('href') === `#/groups/${grp.id}`, 'the group links to its page');
  const member = (await shownIds(page)).find((i) => i.startsWith('restricted:'));
  check(member, 'the unit-only member is restricted');
  await page.locator('#graph-node-select').selectOption(member);
  await page.locator('#graph-request', { hasText: 'cannot be requested from here' }).waitFor();
  check(await page.locator('#graph-request .access-request-btn').count() === 0, 'no request with a group as context');
  check(!(await page.content()).includes(SECRET), 'nothing of the unit-only report through the group');
  t.checkNoPageErrors();
});
