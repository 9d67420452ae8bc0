// パトロール審査: the cyber-patrol review queue (GET/POST /patrol/findings, POST
// /patrol/findings/{id}/decision, GET /patrol/stats). Open findings ranked by score, each with
// the post's text and the engine's evidence highlighted, and the four decisions; a box to check
// a post; the counts per category and decision.
import { h, field } from '../dom.js';
import { pageHead, section, empty, errorBox, showError, hideError } from '../components.js';
import { formatDateTime } from '../format.js';

const DECISIONS = ['deletion_request', 'case_review', 'warning_post', 'not_applicable'];

// The spans are byte offsets into the UTF-8 text; JavaScript strings index UTF-16 code units.
// Returns, for each byte offset that starts a character (and the end), its string index.
function byteToIndex(text) {
  const map = new Map();
  let b = 0;
  let i = 0;
  for (const ch of text) {
    map.set(b, i);
    const cp = ch.codePointAt(0);
    b += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    i += ch.length;
  }
  map.set(b, i);
  return map;
}

// The text as nodes with every evidence span in a <mark>. Overlapping spans are merged; a span
// that does not fall on character boundaries (it cannot, from the engine) is left out.
export function highlighted(text, spans) {
  const map = byteToIndex(text);
  const ranges = (spans || [])
    .map((s) => [map.get(s.start), map.get(s.end)])
    .filter(([a, b]) => a !== undefined && b !== undefined && a < b)
    .sort((x, y) => x[0] - y[0]);
  const merged = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  const out = [];
  let at = 0;
  for (const [a, b] of merged) {
    if (a > at) out.push(text.slice(at, a));
    out.push(h('mark', { class: 'patrol-span' }, text.slice(a, b)));
    at = b;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}

function findingCard(ctx, f) {
  const t = (k, p) => ctx.i18n.t(k, p);
  const box = errorBox();
  const comment = h('input', { type: 'text', maxlength: '500' });
  const decide = async (decision) => {
    hideError(box);
    try {
      const body = { decision };
      if (comment.value.trim()) body.comment = comment.value.trim();
      await ctx.api.post(`/patrol/findings/${encodeURIComponent(f.id)}/decision`, body);
      ctx.flash(t('patrol.decided', { decision: t(`patrol.decision.${decision}`) }));
      await ctx.route();
    } catch (err) {
      showError(ctx, box, err);
    }
  };
  const decided = f.status === 'decided';
  return h('article', { class: 'card patrol-finding', 'data-id': f.id },
    h('div', {},
      h('span', { class: 'badge', title: f.category }, f.category_label || f.category), ' ',
      h('span', { class: 'patrol-score muted small' }, t('patrol.score', { score: Number(f.score).toFixed(2) })),
      f.url ? h('span', { class: 'muted small' }, ' — ', f.url) : null,
      h('span', { class: 'muted small' }, ` — ${formatDateTime(f.created_at, ctx.i18n.lang)}`)),
    h('p', { class: 'patrol-text quote' }, highlighted(f.text, f.spans)),
    decided
      ? h('p', { class: 'patrol-decision' }, t('patrol.decided_as', { decision: t(`patrol.decision.${f.decision}`) }),
        f.comment ? h('span', { class: 'muted' }, ` — ${f.comment}`) : null)
      : h('div', { class: 'patrol-decide' },
        box,
        field(t('patrol.comment'), comment, { name: 'comment' }),
        h('div', { class: 'form-actions' }, DECISIONS.map((d) => h('button', {
          type: 'button',
          class: d === 'not_applicable' ? 'btn' : 'btn btn-primary',
          'data-decision': d,
          onclick: () => decide(d),
        }, t(`patrol.decision.${d}`))))));
}

function statsTable(ctx, stats) {
  const t = (k, p) => ctx.i18n.t(k, p);
  const cols = ['open', ...DECISIONS, 'total'];
  const items = stats.items || [];
  if (!items.length) return empty(t('patrol.stats_none'));
  return h('table', { class: 'table patrol-stats', id: 'patrol-stats' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('patrol.category')),
      cols.map((c) => h('th', { scope: 'col' }, c === 'open' || c === 'total' ? t(`patrol.${c}`) : t(`patrol.decision.${c}`))))),
    h('tbody', {}, items.map((r) => h('tr', { 'data-category': r.category },
      h('th', { scope: 'row' }, r.category_label || r.category),
      cols.map((c) => h('td', { class: 'num' }, String(r[c] || 0)))))));
}

function submitForm(ctx) {
  const t = (k, p) => ctx.i18n.t(k, p);
  const box = errorBox();
  const text = h('textarea', { rows: '4', maxlength: '65536', id: 'patrol-post' });
  const url = h('input', { type: 'url', maxlength: '2048', id: 'patrol-url' });
  const result = h('p', { class: 'muted', role: 'status', id: 'patrol-result' });
  const check = async (ev) => {
    ev.preventDefault();
    hideError(box);
    try {
      const body = { text: text.value };
      if (url.value.trim()) body.url = url.value.trim();
      const res = await ctx.api.post('/patrol/findings', body);
      const n = (res.findings || []).length;
      if (n === 0) {
        result.textContent = t('patrol.clean');
        return;
      }
      ctx.flash(t('patrol.found', { n }));
      await ctx.route();
    } catch (err) {
      showError(ctx, box, err);
    }
  };
  return h('form', { class: 'patrol-submit', onsubmit: check },
    box,
    field(t('patrol.post'), text, { name: 'text' }),
    field(t('patrol.url'), url, { name: 'url' }),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('patrol.check'))),
    result);
}

export async function render(ctx, view, params, query) {
  const t = (k, p) => ctx.i18n.t(k, p);
  const status = query && query.status === 'decided' ? 'decided' : 'open';
  const [res, stats] = await Promise.all([
    ctx.api.get('/patrol/findings', { status, limit: 100 }),
    ctx.api.get('/patrol/stats'),
  ]);
  const items = res.items || [];
  const other = status === 'open' ? 'decided' : 'open';
  view.append(pageHead(t('patrol.title')), h('p', { class: 'lead' }, t('patrol.lead')),
    section(t('patrol.submit_title'), submitForm(ctx)),
    h('p', {}, h('a', { href: `#/patrol?status=${other}`, id: 'patrol-toggle' }, t(`patrol.show_${other}`))),
    h('p', { class: 'count', role: 'status' }, t(`patrol.count_${status}`, { n: res.total || 0 })),
    items.length ? h('div', { class: 'stack patrol-findings', id: 'patrol-findings' }, items.map((f) => findingCard(ctx, f)))
      : section(t('patrol.title'), empty(t(`patrol.none_${status}`))),
    section(t('patrol.stats_title'), statsTable(ctx, stats)),
    h('p', { class: 'muted small' }, t('patrol.deletion_note')));
}
