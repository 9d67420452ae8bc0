// One observable and everywhere it was seen: the reports and cases it appears in. A report or
// case the caller may not read shows only that it exists and which unit holds it.
import { h } from '../dom.js';
import { pageHead, section, empty, tlpBadge, statusBadge, nameOf } from '../components.js';
import { formatDate, formatDateTime } from '../format.js';
import { refName } from '../ref.js';
import { details, obsTypeLabel, restricted } from './common.js';
import { graphButton } from './graph.js';

export async function render(ctx, view, params) {
  const t = (k, p) => ctx.i18n.t(k, p);
  const lang = ctx.i18n.lang;
  const o = await ctx.api.get(`/observables/${encodeURIComponent(params.id)}`);
  const seen = o.seen_in || {};
  const reports = seen.reports || [];
  const cases = seen.cases || [];
  const reportRows = reports.map((r) => h('li', {}, r.restricted ? restricted(ctx, 'report', r, { kind: 'observable', id: o.id }) : [
    h('a', { href: `#/reports/${encodeURIComponent(r.id)}` }, `${r.ref || ''} ${r.title || ''}`), ' ',
    r.received_at ? h('span', { class: 'muted' }, formatDate(r.received_at, lang)) : null, ' ',
    r.unit ? h('span', { class: 'muted' }, nameOf(r.unit)) : null, ' ',
    r.status ? statusBadge(ctx, 'report_states', r.status) : null]));
  const caseRows = cases.map((c) => h('li', {}, c.restricted ? restricted(ctx, 'case', c, { kind: 'observable', id: o.id }) : [
    h('a', { href: `#/cases/${encodeURIComponent(c.id)}` }, `${c.ref || ''} ${c.title || ''}`), ' ',
    c.role ? h('span', { class: 'badge' }, refName(ctx.ref, 'observable_roles', c.role, ctx.i18n)) : null, ' ',
    c.tlp ? tlpBadge(c.tlp) : null,
    c.lead_unit ? h('span', { class: 'muted' }, ` ${nameOf(c.lead_unit)}`) : null]));
  view.append(
    pageHead(h('span', { class: 'obs-title' }, h('span', { class: `obs-type obs-${o.type}` }, obsTypeLabel(ctx, o.type)), ' ', o.display || o.canonical), graphButton(ctx, 'observable', o.id)),
    h('div', { class: 'cols' },
      h('div', { class: 'col-main' },
        h('section', { class: 'card', id: 'seen-in', 'aria-labelledby': 'seen-in-h' },
          h('h2', { id: 'seen-in-h' }, t('observable.seen_in')),
          h('h3', {}, t('observable.in_reports', { n: reports.length })),
          reports.length ? h('ul', { class: 'plain seen-reports' }, reportRows) : empty(t('observable.no_reports')),
          h('h3', {}, t('observable.in_cases', { n: cases.length })),
          cases.length ? h('ul', { class: 'plain seen-cases' }, caseRows) : empty(t('observable.no_cases')))),
      h('div', { class: 'col-side' },
        section(t('report.summary'), details([
          [t('observables.type'), obsTypeLabel(ctx, o.type)],
          [t('observable.canonical'), h('code', {}, o.canonical)],
          [t('observable.display'), o.display && o.display !== o.canonical ? o.display : ''],
          [t('observable.first_seen'), formatDateTime(o.first_seen, lang)],
          [t('observable.last_seen'), formatDateTime(o.last_seen, lang)],
        ])))));
}
