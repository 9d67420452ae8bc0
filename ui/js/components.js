// Small pieces shared by the pages: badges, the error box, paging, empty and loading states.
import { h, clear } from './dom.js';
import { refName } from './ref.js';
import { groupDigits, formatCount } from './format.js';
import { localMessage } from './errors.js';

export const TLP_CODES = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'];

// A TLP 2.0 label: coloured text on black, as the standard asks.
export function tlpBadge(tlp) {
  if (!tlp) return null;
  const cls = `tlp tlp-${String(tlp).toLowerCase().replace('+', '-')}`;
  return h('span', { class: cls }, `TLP:${tlp}`);
}

export function statusBadge(ctx, listName, code) {
  return h('span', { class: `status status-${code}` }, refName(ctx.ref, listName, code, ctx.i18n));
}

export function urgentBadge(ctx) {
  return h('span', { class: 'badge badge-urgent' }, ctx.i18n.t('report.urgent'));
}

// Shows an API error in `box` (role=alert): a message for its code, the server's message and
// the field it names, by that field's label when the form has one; marks the control.
export function showError(ctx, box, err, form) {
  const { i18n } = ctx;
  clear(box);
  box.hidden = false;
  if (form) {
    for (const el of form.querySelectorAll('[aria-invalid="true"]')) el.removeAttribute('aria-invalid');
  }
  const code = err && err.code ? err.code : 'error';
  let head = i18n.t(`error.${code}`);
  if (head === `error.${code}`) head = i18n.t('error.error');
  const parts = [h('strong', {}, head)];
  // In Japanese, a server message we know is said in Japanese; the original stays as a tooltip.
  if (err && err.message) {
    const msg = localMessage(err.message, i18n.lang, (k, p) => i18n.t(k, p));
    parts.push(' ', h('span', { class: 'err-msg', title: msg === err.message ? null : err.message }, msg));
  }
  if (err && err.field) {
    let label = err.field;
    let ctl = null;
    if (form) {
      ctl = controlFor(form, err.field);
      const lab = ctl && ((ctl.id && form.querySelector(`label[for="${CSS.escape(ctl.id)}"]`)) || ctl.closest('label'));
      if (lab) label = `${lab.textContent.replace(/\s*\*$/, '').trim()} (${err.field})`;
    }
    parts.push(' ', h('span', { class: 'err-field' }, i18n.t('error.field', { field: label })));
    if (ctl) {
      ctl.setAttribute('aria-invalid', 'true');
      ctl.focus();
    }
  }
  box.append(...parts);
}

// The control of API field `name` ("attachments[1].sha256"), else of the nearest enclosing
// field that has one ("attachments[1]", then "attachments").
function controlFor(form, name) {
  const all = [...form.querySelectorAll('[data-field]')];
  for (let n = name; n; n = n.replace(/(\[\d+\]|\.[^.[\]]+)$/, '') || '') {
    const el = all.find((x) => x.dataset.field === n);
    if (el) return el;
    if (!/(\[\d+\]|\.[^.[\]]+)$/.test(n)) break;
  }
  return null;
}

export function errorBox() {
  return h('div', { class: 'error-box', role: 'alert', hidden: true });
}

export function hideError(box) {
  clear(box);
  box.hidden = true;
}

export function loading(ctx) {
  return h('p', { class: 'muted', role: 'status' }, ctx.i18n.t('common.loading'));
}

export function empty(text) {
  return h('p', { class: 'empty' }, text);
}

// "1–50 / 312" with previous/next links; go(offset) changes the page. `capped`: the API
// stopped counting at `total` ("total_capped"), so it reads "10,000+" and the next page is
// offered while the pages are full.
export function pager(ctx, total, limit, offset, go, capped = false, pageLen = limit) {
  const t = (k, p) => ctx.i18n.t(k, p);
  const from = total === 0 && !capped ? 0 : offset + 1;
  const to = capped ? offset + pageLen : Math.min(offset + limit, total);
  const last = capped ? pageLen < limit : to >= total;
  return h('nav', { class: 'pager', 'aria-label': t('pager.label') },
    h('button', { type: 'button', class: 'btn', disabled: offset <= 0, onclick: () => go(Math.max(0, offset - limit)) }, t('pager.prev')),
    h('span', { class: 'pager-info' }, t('pager.info', { from: groupDigits(from), to: groupDigits(to), total: formatCount(total, capped) })),
    h('button', { type: 'button', class: 'btn', disabled: last, onclick: () => go(offset + limit) }, t('pager.next')));
}

// "312 件" / "10,000+ 件" above a list, from the API's list answer.
export function listCount(ctx, res, items) {
  const total = res.total ?? items.length;
  return ctx.i18n.t('reports.count', { n: formatCount(total, res.total_capped === true) });
}

// A link to a person or unit object {id, name}; plain text when there is no name.
export function nameOf(o) {
  if (!o) return '';
  return o.name || o.login || o.id || '';
}

// A heading row: the title on the left, actions on the right.
export function pageHead(title, ...actions) {
  return h('div', { class: 'page-head' }, h('h1', { tabindex: '-1', id: 'page-title' }, title),
    h('div', { class: 'actions' }, actions));
}

export function section(title, ...children) {
  return h('section', { class: 'card' }, h('h2', {}, title), children);
}
