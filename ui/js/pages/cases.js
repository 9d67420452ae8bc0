// The case list: search, status filter, paging.
import { h, field, select } from '../dom.js';
import { pageHead, pager, listCount, tlpBadge, statusBadge, empty, nameOf } from '../components.js';
import { refOptions, refName } from '../ref.js';
import { formatDate } from '../format.js';

const PAGE = 50;

export async function render(ctx, view, params, query) {
  const t = (k, p) => ctx.i18n.t(k, p);
  const lang = ctx.i18n.lang;
  const offset = Math.max(0, Number.parseInt(query.offset || '0', 10) || 0);
  const q = h('input', { type: 'search', value: query.q || '' });
  const status = select(refOptions(ctx.ref, 'case_states', ctx.i18n, t('common.all')), query.status || '');
  const form = h('form', { class: 'card filters', role: 'search', 'aria-label': t('reports.search') },
    h('div', { class: 'grid' },
      field(t('reports.q'), q, { name: 'q', wide: true }),
      field(t('field.status'), status, { name: 'status' })),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('reports.search'))));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    ctx.go('/cases', { q: q.value.trim(), status: status.value });
  });
  const res = await ctx.api.get('/cases', { q: query.q, status: query.status, limit: PAGE, offset });
  const items = res.items || [];
  const total = res.total ?? items.length;
  const rows = items.map((c) => h('tr', {},
    h('td', { class: 'nowrap' }, h('a', { href: `#/cases/${encodeURIComponent(c.id)}` }, c.ref || c.id)),
    h('td', { class: 'title-cell' }, h('a', { href: `#/cases/${encodeURIComponent(c.id)}` }, c.title || '')),
    h('td', {}, refName(ctx.ref, 'categories', c.category, ctx.i18n)),
    h('td', { class: 'nowrap' }, nameOf(c.lead_unit)),
    h('td', {}, statusBadge(ctx, 'case_states', c.status)),
    h('td', {}, tlpBadge(c.tlp)),
    h('td', { class: 'nowrap' }, formatDate(c.updated_at || c.created_at, lang))));
  view.append(pageHead(t('cases.title')), form,
    h('p', { class: 'count', role: 'status' }, listCount(ctx, res, items)),
    items.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'list', id: 'case-list' },
      h('thead', {}, h('tr', {}, ['case.ref', 'field.case_title', 'field.category', 'case.lead_unit', 'field.status', 'TLP', 'report.updated_at']
        .map((k) => h('th', { scope: 'col' }, k === 'TLP' ? k : t(k))))),
      h('tbody', {}, rows))) : empty(t('cases.none')),
    pager(ctx, total, res.limit || PAGE, offset, (o) => { ctx.go('/cases', { ...query, offset: o }); }, res.total_capped === true, items.length));
}
