// フィッシング監視: lookalike review (GET/POST /lookalike/matches, POST
// /lookalike/matches/{id}/decision, GET/PATCH /lookalike/takedowns, GET /lookalike/stats).
// Matches ranked by score with the imitated brand and the engine's reasons in words; every
// domain and URL is shown defanged as text, never as a link. Confirm / dismiss / reopen; the
// takedown records of confirmed matches with their status; a box to check pasted candidates;
// the counts per brand and status.
import { h, field, select } from '../dom.js';
import { pageHead, section, empty, errorBox, showError, hideError, pager } from '../components.js';
import { formatDateTime } from '../format.js';

const STATUSES = ['new', 'confirmed', 'dismissed', 'all'];
const SECTORS = ['bank', 'credit', 'securities', 'payment', 'ec', 'delivery', 'transport',
  'airline', 'telecom', 'online', 'utility', 'government'];
const TD_STATUSES = ['not_requested', 'requested', 'removed', 'refused'];
const LIMIT = 50;

// "https://a.example/x" → "hxxps://a[.]example/x": readable, not clickable, not auto-linked by
// mail or chat programs it may be pasted into.
export function defang(s) {
  return String(s || '').replace(/^http/i, (m) => (m[0] === 'H' ? 'HXXP' : 'hxxp'))
    .replace(/\./g, '[.]');
}

// The ASCII (punycode) form of an IDN host, as a browser would resolve it, or '' when the host
// is plain ASCII already: a homograph such as rаkuten (Cyrillic а) reads as the brand otherwise.
function asciiHost(host) {
  try {
    const a = new URL(`http://${host}/`).hostname;
    return a !== host ? a : '';
  } catch (e) {
    return '';
  }
}

function brandName(ctx, b) {
  if (!b) return '';
  return (ctx.i18n.lang === 'en' ? b.name_en : b.name_ja) || b.id;
}

function reasonText(ctx, r) {
  const t = (k, p) => ctx.i18n.t(k, p);
  const key = `lookalike.reason.${r.kind}`;
  const label = t(key) === key ? r.kind : t(key);
  return h('li', { 'data-kind': r.kind }, label, ' ',
    h('span', { class: 'muted small' }, `(${r.score}) ${r.detail || ''}`));
}

function matchCard(ctx, m) {
  const t = (k, p) => ctx.i18n.t(k, p);
  const box = errorBox();
  const note = h('input', { type: 'text', maxlength: '500' });
  const target = h('input', { type: 'text', maxlength: '500' });
  const decide = async (decision) => {
    hideError(box);
    try {
      const body = { decision };
      if (note.value.trim()) body.note = note.value.trim();
      if (decision === 'confirm' && target.value.trim()) body.target_org = target.value.trim();
      await ctx.api.post(`/lookalike/matches/${encodeURIComponent(m.id)}/decision`, body);
      ctx.flash(t(`lookalike.done.${decision}`, { host: defang(m.host) }));
      await ctx.route();
    } catch (err) {
      showError(ctx, box, err);
    }
  };
  const btn = (d, primary) => h('button', {
    type: 'button', class: primary ? 'btn btn-primary' : 'btn', 'data-decision': d, onclick: () => decide(d),
  }, t(`lookalike.decision.${d}`));
  const obs = m.observables || {};
  return h('article', { class: 'card lookalike-match', 'data-id': m.id, 'data-host': m.host },
    h('div', {},
      h('span', { class: 'badge lookalike-score', title: t('lookalike.score') }, String(m.score)), ' ',
      h('strong', { class: 'lookalike-brand' }, brandName(ctx, m.brand)), ' ',
      h('span', { class: 'muted small' }, t(`lookalike.sector.${m.brand.sector}`)), ' ',
      h('span', { class: `badge lookalike-status status-${m.status}` }, t(`lookalike.status.${m.status}`))),
    h('p', { class: 'lookalike-host' }, h('code', {}, defang(m.host)),
      asciiHost(m.host) ? h('span', { class: 'muted small lookalike-ascii' }, ' ', t('lookalike.ascii'), ' ', h('code', {}, defang(asciiHost(m.host)))) : null),
    m.input !== m.host ? h('p', { class: 'muted small lookalike-input' }, t('lookalike.input'), ' ', h('code', {}, defang(m.input))) : null,
    h('ul', { class: 'lookalike-reasons' }, (m.reasons || []).map((r) => reasonText(ctx, r))),
    h('p', { class: 'muted small' },
      t('lookalike.seen', {
        first: formatDateTime(m.first_seen, ctx.i18n.lang),
        last: formatDateTime(m.last_seen, ctx.i18n.lang),
        n: m.times_seen,
      }), ` — ${t('lookalike.source')}: ${m.source}`,
      obs.domain ? h('span', {}, ' — ', h('a', { href: `#/observables/${encodeURIComponent(obs.domain)}`, class: 'lookalike-obs' }, t('lookalike.observable'))) : null,
      obs.reports || obs.cases ? h('strong', { class: 'lookalike-elsewhere' }, ' — ', t('lookalike.elsewhere', { reports: obs.reports || 0, cases: obs.cases || 0 })) : null),
    m.status !== 'new' && m.decided_by
      ? h('p', { class: 'lookalike-decided small' }, t('lookalike.decided_by', {
        who: m.decided_by.name || '', at: formatDateTime(m.decided_at, ctx.i18n.lang),
      }), m.note ? h('span', { class: 'muted' }, ` — ${m.note}`) : null)
      : null,
    m.takedown ? h('p', { class: 'small' }, t('lookalike.takedown_is', { status: t(`lookalike.td.${m.takedown.status}`) })) : null,
    h('div', { class: 'lookalike-decide' },
      box,
      m.status === 'new'
        ? h('div', { class: 'field-row' },
          field(t('lookalike.note'), note, { name: 'note' }),
          field(t('lookalike.target_org'), target, { name: 'target_org' }))
        : null,
      h('div', { class: 'form-actions' },
        m.status === 'new' ? [btn('confirm', true), btn('dismiss', false)] : btn('reopen', false))));
}

function takedownTable(ctx, res) {
  const t = (k, p) => ctx.i18n.t(k, p);
  const items = res.items || [];
  if (!items.length) return empty(t('lookalike.td_none'));
  const box = errorBox();
  const change = async (td, status) => {
    hideError(box);
    try {
      await ctx.api.patch(`/lookalike/takedowns/${encodeURIComponent(td.id)}`, { status });
      ctx.flash(t('lookalike.td_changed', { domain: defang(td.domain), status: t(`lookalike.td.${status}`) }));
      await ctx.route();
    } catch (err) {
      showError(ctx, box, err);
    }
  };
  return h('div', {}, box,
    h('div', { class: 'table-wrap' }, h('table', { class: 'list lookalike-takedowns', id: 'lookalike-takedowns' },
      h('thead', {}, h('tr', {},
        ['td_domain', 'brand', 'td_status', 'target_org', 'td_created'].map((c) => h('th', { scope: 'col' }, t(`lookalike.${c}`))))),
      h('tbody', {}, items.map((td) => h('tr', { 'data-id': td.id, 'data-domain': td.domain },
        h('td', {}, h('code', {}, defang(td.domain))),
        h('td', {}, brandName(ctx, td.brand)),
        h('td', {}, select(TD_STATUSES.map((s) => ({ value: s, label: t(`lookalike.td.${s}`) })), td.status, {
          'aria-label': t('lookalike.td_status'),
          class: 'lookalike-td-status',
          onchange: (ev) => change(td, ev.target.value),
        })),
        h('td', {}, td.target_org || ''),
        h('td', {}, formatDateTime(td.created_at, ctx.i18n.lang))))))));
}

function statsTable(ctx, stats) {
  const t = (k, p) => ctx.i18n.t(k, p);
  const items = stats.items || [];
  if (!items.length) return empty(t('lookalike.stats_none'));
  const cols = ['new', 'confirmed', 'dismissed'];
  return h('div', { class: 'table-wrap' }, h('table', { class: 'list lookalike-stats', id: 'lookalike-stats' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('lookalike.brand')),
      cols.map((c) => h('th', { scope: 'col' }, t(`lookalike.status.${c}`))),
      h('th', { scope: 'col' }, t('lookalike.total')))),
    h('tbody', {}, items.map((r) => h('tr', { 'data-brand': r.brand.id },
      h('th', { scope: 'row' }, brandName(ctx, r.brand)),
      [...cols, 'total'].map((c) => h('td', { class: 'num' }, String(r[c] || 0))))))));
}

function submitForm(ctx) {
  const t = (k, p) => ctx.i18n.t(k, p);
  const box = errorBox();
  const text = h('textarea', { rows: '4', id: 'lookalike-text', spellcheck: 'false' });
  const result = h('p', { class: 'muted', role: 'status', id: 'lookalike-result' });
  let form = null;
  const check = async (ev) => {
    ev.preventDefault();
    hideError(box);
    result.textContent = '';
    try {
      const res = await ctx.api.post('/lookalike/matches', { text: text.value });
      const ms = res.matches || [];
      const fresh = ms.filter((m) => m.new).length;
      const summary = t('lookalike.checked', { checked: res.checked, matches: ms.length, fresh, skipped: res.skipped });
      if (fresh === 0) {
        result.textContent = summary;
        return;
      }
      ctx.flash(summary);
      await ctx.route();
    } catch (err) {
      showError(ctx, box, err, form);
    }
  };
  form = h('form', { class: 'lookalike-submit', onsubmit: check },
    box,
    field(t('lookalike.paste'), text, { name: 'text', hint: t('lookalike.paste_hint') }),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('lookalike.check'))),
    result);
  return form;
}

function filterForm(ctx, q, brands) {
  const t = (k, p) => ctx.i18n.t(k, p);
  const status = select(STATUSES.map((s) => ({ value: s, label: t(`lookalike.status.${s}`) })), q.status, { id: 'lookalike-f-status' });
  const brand = select([{ value: '', label: t('lookalike.any') },
    ...brands.map((b) => ({ value: b.id, label: brandName(ctx, b) }))], q.brand || '', { id: 'lookalike-f-brand' });
  const sector = select([{ value: '', label: t('lookalike.any') },
    ...SECTORS.map((s) => ({ value: s, label: t(`lookalike.sector.${s}`) }))], q.sector || '', { id: 'lookalike-f-sector' });
  const min = h('input', { type: 'number', min: '0', max: '100', value: q.min_score || '', id: 'lookalike-f-min' });
  const apply = (ev) => {
    ev.preventDefault();
    const nq = { status: status.value };
    if (brand.value) nq.brand = brand.value;
    if (sector.value) nq.sector = sector.value;
    if (min.value) nq.min_score = min.value;
    ctx.go('/lookalike', nq);
  };
  return h('form', { class: 'filters lookalike-filters', onsubmit: apply },
    field(t('lookalike.f_status'), status, { name: 'status' }),
    field(t('lookalike.brand'), brand, { name: 'brand' }),
    field(t('lookalike.f_sector'), sector, { name: 'sector' }),
    field(t('lookalike.f_min'), min, { name: 'min_score' }),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn' }, t('lookalike.apply'))));
}

export async function render(ctx, view, params, query) {
  const t = (k, p) => ctx.i18n.t(k, p);
  const q = query || {};
  const status = STATUSES.includes(q.status) ? q.status : 'new';
  const offset = Math.max(0, Number(q.offset) || 0);
  const listQuery = { status, limit: LIMIT, offset };
  if (q.brand) listQuery.brand = q.brand;
  if (q.sector) listQuery.sector = q.sector;
  if (q.min_score) listQuery.min_score = q.min_score;
  const [res, stats, tds] = await Promise.all([
    ctx.api.get('/lookalike/matches', listQuery),
    ctx.api.get('/lookalike/stats'),
    ctx.api.get('/lookalike/takedowns', { limit: 100 }),
  ]);
  const items = res.items || [];
  const brands = (stats.items || []).map((r) => r.brand);
  const go = (off) => ctx.go('/lookalike', { ...q, status, offset: String(off) });
  view.append(pageHead(t('lookalike.title')), h('p', { class: 'lead' }, t('lookalike.lead')),
    section(t('lookalike.submit_title'), submitForm(ctx)),
    section(t('lookalike.list_title'),
      filterForm(ctx, { ...q, status }, brands),
      h('p', { class: 'count', role: 'status', id: 'lookalike-count' }, t('lookalike.count', { n: res.total || 0 })),
      items.length
        ? h('div', { class: 'stack lookalike-matches', id: 'lookalike-matches' }, items.map((m) => matchCard(ctx, m)))
        : empty(t('lookalike.none')),
      res.total > LIMIT ? pager(ctx, res.total, LIMIT, offset, go) : null),
    section(t('lookalike.td_title'), takedownTable(ctx, tds),
      h('p', { class: 'muted small' }, t('lookalike.td_note'))),
    section(t('lookalike.stats_title'), statsTable(ctx, stats)));
}
