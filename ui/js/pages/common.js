// Pieces the detail pages share: a definition list, an observable link, a restricted entry.
import { h } from '../dom.js';
import { requestAccessButton } from './access-request.js';

// rows: [[label, value-node-or-text]]; rows with an empty value are left out.
export function details(rows) {
  const dl = h('dl', { class: 'details' });
  for (const [k, v] of rows) {
    if (v === null || v === undefined || v === '' || (Array.isArray(v) && !v.length)) continue;
    dl.append(h('dt', {}, k), h('dd', {}, v));
  }
  return dl;
}

export function obsTypeLabel(ctx, type) {
  const k = `obs.${type}`;
  const s = ctx.i18n.t(k);
  return s === k ? type : s;
}

export function obsLink(ctx, o) {
  return h('span', { class: 'obs-ref' },
    h('span', { class: `obs-type obs-${o.type}` }, obsTypeLabel(ctx, o.type)), ' ',
    o.id ? h('a', { href: `#/observables/${encodeURIComponent(o.id)}`, class: 'obs-canonical' }, o.display || o.canonical)
      : h('span', { class: 'obs-canonical' }, o.display || o.canonical));
}

// A report or case the caller may not read: only that it exists and which unit holds it, and,
// given the `context` it was seen in ({kind, id} of the page's report, case or observable), a
// button to ask that unit for access.
export function restricted(ctx, kind, item, context) {
  const unit = item.unit ? item.unit.name || item.unit.id : '';
  const line = h('span', { class: 'restricted' }, ctx.i18n.t(`restricted.${kind}`, { unit }));
  const btn = context ? requestAccessButton(ctx, context, item, kind) : null;
  return btn ? h('span', { class: 'restricted-entry' }, line, ' ', btn) : line;
}
