// "Related reports and cases" on a report's or a case's page (GET /reports/{id}/related,
// /cases/{id}/related): each related item with why it is linked (the values both hold and
// how), then the values of this object that link nothing and why. An item the user may not
// read shows only that it exists and which unit holds it — the server sends nothing more.
import { h, clear, append } from '../dom.js';
import { section, empty } from '../components.js';
import { obsTypeLabel, restricted } from './common.js';

function relName(ctx, rel) {
  const k = `related.rel.${rel}`;
  const s = ctx.i18n.t(k);
  return s === k ? rel : s;
}

// One shared value: "電話番号 +819011112222（同一）" or, for a derived link, both relations.
function sharedLine(ctx, s) {
  const rel = s.relation === s.other_relation ? relName(ctx, s.relation)
    : `${relName(ctx, s.relation)} / ${relName(ctx, s.other_relation)}`;
  return h('li', { class: 'related-shared' },
    h('span', { class: `obs-type obs-${s.type}` }, obsTypeLabel(ctx, s.type)), ' ',
    h('code', { class: 'obs-canonical' }, s.value), ' ',
    h('span', { class: 'muted' }, ctx.i18n.t('related.via', { rel })));
}

function hitItem(ctx, it, context) {
  const t = (k, p) => ctx.i18n.t(k, p);
  if (it.restricted) {
    const line = restricted(ctx, it.kind === 'case' ? 'case' : 'report', it, context);
    return h('li', { class: 'related-item related-restricted' }, line,
      it.count > 1 ? h('span', { class: 'muted' }, ` ${t('related.count', { n: it.count })}`) : null);
  }
  const href = it.kind === 'case' ? `#/cases/${encodeURIComponent(it.id)}` : `#/reports/${encodeURIComponent(it.id)}`;
  const unit = it.unit || it.lead_unit;
  const sim = it.text_similarity > 0 ? h('p', { class: 'muted small' },
    t('related.similar', { pct: Math.round(it.text_similarity * 100) })) : null;
  return h('li', { class: 'related-item', 'data-id': it.id },
    h('div', {},
      h('span', { class: 'badge' }, t(`related.kind.${it.kind}`)), ' ',
      h('a', { href }, `${it.ref || ''} ${it.title || ''}`),
      unit ? h('span', { class: 'muted' }, ` — ${unit.name || ''}`) : null,
      h('span', { class: 'related-score muted small' }, ` ${t('related.score', { score: it.score.toFixed(1) })}`)),
    h('p', { class: 'related-why small' }, t('related.why')),
    h('ul', { class: 'plain' }, (it.shared || []).map((s) => sharedLine(ctx, s))),
    sim);
}

// The reason a value links nothing, in the page's language; the server's English reason is
// kept as the tooltip.
function suppressedReason(ctx, s) {
  if (s.noise === 'warninglist') {
    const m = /'([^']+)'/.exec(s.reason || '');
    return ctx.i18n.t('related.reason_warninglist', { list: m ? m[1] : s.reason });
  }
  return ctx.i18n.t('related.reason_too_common', { detail: s.reason || '' });
}

function render(ctx, body, res, context) {
  const t = (k, p) => ctx.i18n.t(k, p);
  const items = res.items || [];
  const sup = res.suppressed || [];
  // replaceChildren() would write a null child as the text "null": leave it out.
  clear(body);
  append(body, [
    items.length ? h('ul', { class: 'plain related-list', id: 'related-items' }, items.map((it) => hitItem(ctx, it, context)))
      : empty(t('related.none')),
    sup.length ? h('div', { class: 'related-suppressed', id: 'related-suppressed' },
      h('h3', {}, t('related.suppressed')),
      h('ul', { class: 'plain' }, sup.map((s) => h('li', { title: s.reason || '' },
        h('span', { class: `obs-type obs-${s.type}` }, obsTypeLabel(ctx, s.type)), ' ',
        h('code', {}, s.value), ' — ',
        h('span', { class: 'related-reason' }, suppressedReason(ctx, s)))))) : null]);
}

// The panel for `kind` ('report' or 'case') `id`. It is drawn at once and filled when the
// answer arrives, so the rest of the page never waits for correlation.
export function relatedPanel(ctx, kind, id) {
  const t = (k, p) => ctx.i18n.t(k, p);
  const body = h('div', { id: 'related', 'aria-live': 'polite' }, h('p', { class: 'muted' }, t('common.loading')));
  const path = `/${kind === 'case' ? 'cases' : 'reports'}/${encodeURIComponent(id)}/related`;
  ctx.api.get(path).then((res) => render(ctx, body, res, { kind, id }), (err) => {
    body.replaceChildren(h('p', { class: 'muted' }, t('related.unavailable', { code: (err && err.code) || '' })));
  });
  return section(t('related.title'), body);
}
