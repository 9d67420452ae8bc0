// Observable search: by value (prefix or substring of the canonical form) and type.
import { h, field, select } from '../dom.js';
import { pageHead, pager, listCount, empty } from '../components.js';
import { formatDate } from '../format.js';
import { obsLink } from './common.js';

const PAGE = 50;
const TYPES = ['ipv4', 'ipv6', 'cidr', 'domain', 'url', 'email', 'md5', 'sha1', 'sha256', 'phone', 'bank-account', 'crypto-wallet', 'filename'];

export async function render(ctx, view, params, query) {
  const t = (k, p) => ctx.i18n.t(k, p);
  const lang = ctx.i18n.lang;
  const offset = Math.max(0, Number.parseInt(query.offset || '0', 10) || 0);
  const q = h('input', { type: 'search', value: query.q || '', spellcheck: 'false' });
  const typeNames = (ctx.ref && Array.isArray(ctx.ref.observable_types)) ? ctx.ref.observable_types.map((x) => x.code || x) : TYPES;
  const type = select([{ value: '', label: t('common.all') }, ...typeNames.map((x) => ({ value: x, label: t(`obs.${x}`) === `obs.${x}` ? x : t(`obs.${x}`) }))], query.type || '');
  const form = h('form', { class: 'card filters', role: 'search', 'aria-label': t('reports.search') },
    h('div', { class: 'grid' },
      field(t('observables.q'), q, { name: 'q', wide: true }),
      field(t('observables.type'), type, { name: 'type' })),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('reports.search'))));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    ctx.go('/observables', { q: q.value.trim(), type: type.value });
  });
  const res = await ctx.api.get('/observables', { q: query.q, type: query.type, limit: PAGE, offset });
  const items = res.items || [];
  const total = res.total ?? items.length;
  view.append(pageHead(t('observables.title')), form,
    h('p', { class: 'count', role: 'status' }, listCount(ctx, res, items)),
    items.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'list', id: 'obs-list' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('observables.value')), h('th', { scope: 'col' }, t('observable.first_seen')), h('th', { scope: 'col' }, t('observable.last_seen')))),
      h('tbody', {}, items.map((o) => h('tr', {}, h('td', {}, obsLink(ctx, o)),
        h('td', { class: 'nowrap' }, formatDate(o.first_seen, lang)), h('td', { class: 'nowrap' }, formatDate(o.last_seen, lang))))))) : empty(t('observables.none')),
    pager(ctx, total, res.limit || PAGE, offset, (o) => { ctx.go('/observables', { ...query, offset: o }); }, res.total_capped === true, items.length));
}
