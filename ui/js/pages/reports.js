// The report list: Japanese substring search, filters (category, status, station, date range in
// JST, this 年度 in one click), paging, and "open a case from the selected reports" for HQ.
import { h, field, select } from '../dom.js';
import { pageHead, pager, listCount, tlpBadge, statusBadge, urgentBadge, empty, nameOf } from '../components.js';
import { refOptions, refName } from '../ref.js';
import { formatDate, formatYen, jstDayToUtc, fiscalYear } from '../format.js';
import { openCaseForm } from './opencase.js';

const PAGE = 50;
// Who may open a case (POST /cases).
const HQ = ['analyst', 'supervisor'];

export async function render(ctx, view, params, query) {
  const t = (k, p) => ctx.i18n.t(k, p);
  const lang = ctx.i18n.lang;
  const offset = Math.max(0, Number.parseInt(query.offset || '0', 10) || 0);
  const isHQ = HQ.includes(ctx.user.role);
  // A station officer sees only its own station's reports: the column would say the same.
  const showStation = ctx.user.role !== 'station';

  let units = [];
  if (isHQ) {
    try {
      const u = await ctx.api.get('/units');
      units = (u.items || u || []).filter((x) => x.kind === 'station');
    } catch {
      units = []; // the station filter is left out when units cannot be listed
    }
  }

  const f = {
    q: h('input', { type: 'search', name: 'q', value: query.q || '', placeholder: t('reports.q_placeholder') }),
    category: select(refOptions(ctx.ref, 'categories', ctx.i18n, t('common.all')), query.category || ''),
    status: select(refOptions(ctx.ref, 'report_states', ctx.i18n, t('common.all')), query.status || ''),
    unit_id: select([{ value: '', label: t('common.all') }, ...units.map((u) => ({ value: u.id, label: lang === 'en' && u.name_en ? u.name_en : u.name }))], query.unit_id || ''),
    from: h('input', { type: 'date', value: query.from || '' }),
    to: h('input', { type: 'date', value: query.to || '' }),
  };
  const apply = (extra) => {
    const q = { q: f.q.value.trim(), category: f.category.value, status: f.status.value, unit_id: f.unit_id.value, from: f.from.value, to: f.to.value, ...extra };
    ctx.go('/reports', q);
  };
  const fy = fiscalYear(Date.now(), lang);
  const form = h('form', { class: 'card filters', role: 'search', 'aria-label': t('reports.search') },
    h('div', { class: 'grid' },
      field(t('reports.q'), f.q, { name: 'q', wide: true, hint: t('reports.q_hint') }),
      field(t('field.category'), f.category, { name: 'category' }),
      field(t('field.status'), f.status, { name: 'status' }),
      units.length ? field(t('field.station'), f.unit_id, { name: 'unit_id' }) : null,
      field(t('reports.from'), f.from, { name: 'from', hint: t('common.jst') }),
      field(t('reports.to'), f.to, { name: 'to' })),
    h('div', { class: 'form-actions' },
      h('button', { type: 'submit', class: 'btn btn-primary', id: 'search-submit' }, t('reports.search')),
      h('button', { type: 'button', class: 'btn', onclick: () => {
        f.from.value = `${fy.start}-04-01`;
        f.to.value = `${fy.start + 1}-03-31`;
        apply({});
      } }, t('reports.this_fy', { fy: fy.label })),
      h('button', { type: 'button', class: 'btn btn-ghost', onclick: () => { location.hash = '#/reports'; } }, t('reports.clear'))));
  form.addEventListener('submit', (e) => { e.preventDefault(); apply({}); });

  const apiQuery = {
    q: query.q, category: query.category, status: query.status, unit_id: query.unit_id,
    from: query.from ? jstDayToUtc(query.from) : '',
    to: query.to ? jstDayToUtc(query.to, 1) : '', // the whole of the last day
    limit: PAGE, offset,
  };
  const res = await ctx.api.get('/reports', apiQuery);
  const items = res.items || [];
  const total = res.total ?? items.length;

  const selected = new Set();
  const openBtn = h('button', { type: 'button', class: 'btn btn-primary', id: 'open-case', disabled: true }, t('reports.open_case'));
  const formSlot = h('div');
  openBtn.addEventListener('click', () => {
    const chosen = items.filter((r) => selected.has(r.id));
    formSlot.replaceChildren(openCaseForm(ctx, chosen, () => formSlot.replaceChildren()));
  });
  const toggle = (id, on) => {
    if (on) selected.add(id); else selected.delete(id);
    openBtn.disabled = selected.size === 0;
    openBtn.textContent = selected.size ? t('reports.open_case_n', { n: selected.size }) : t('reports.open_case');
  };

  const head = h('tr', {},
    isHQ ? h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, t('reports.select'))) : null,
    ...['field.ref', 'field.received_at', 'field.title', 'field.category', showStation ? 'field.station' : null, 'field.status', 'TLP', 'field.damage_amount']
      .filter(Boolean).map((k) => h('th', { scope: 'col' }, k === 'TLP' ? 'TLP' : t(k))));
  const rows = items.map((r) => h('tr', {},
    isHQ ? h('td', {}, h('input', { type: 'checkbox', class: 'pick', 'aria-label': t('reports.select_one', { ref: r.ref || r.id }), onchange: (e) => toggle(r.id, e.target.checked) })) : null,
    h('td', { class: 'nowrap' }, h('a', { href: `#/reports/${encodeURIComponent(r.id)}` }, r.ref || r.id)),
    h('td', { class: 'nowrap' }, formatDate(r.received_at, lang)),
    h('td', { class: 'title-cell' }, r.urgent ? [urgentBadge(ctx), ' '] : null, h('a', { href: `#/reports/${encodeURIComponent(r.id)}` }, r.title || t('report.untitled'))),
    h('td', {}, refName(ctx.ref, 'categories', r.category, ctx.i18n)),
    showStation ? h('td', { class: 'nowrap' }, nameOf(r.unit)) : null,
    h('td', { class: 'nowrap' }, statusBadge(ctx, 'report_states', r.status)),
    h('td', {}, tlpBadge(r.tlp)),
    h('td', { class: 'num' }, r.damage_amount ? formatYen(r.damage_amount, lang) : '')));

  const go = (o) => { ctx.go('/reports', { ...query, offset: o }); };
  view.append(
    pageHead(t('reports.title'), h('a', { href: '#/intake', class: 'btn' }, t('nav.intake'))),
    form,
    h('div', { class: 'list-bar' },
      h('p', { class: 'count', role: 'status' }, listCount(ctx, res, items)),
      isHQ ? openBtn : null),
    formSlot,
    items.length
      ? h('div', { class: 'table-wrap' }, h('table', { class: 'list', id: 'report-list' }, h('thead', {}, head), h('tbody', {}, rows)))
      : empty(t('reports.none')),
    pager(ctx, total, res.limit || PAGE, offset, go, res.total_capped === true, items.length));
}
