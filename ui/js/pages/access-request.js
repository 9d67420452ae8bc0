// 閲覧依頼 (access requests). Two parts:
//  - requestAccessButton(ctx, context, entry): the "閲覧を依頼" button for a restricted entry
//    ({"restricted":true,"unit":{...},"kind"?}) shown in the context of a report, case or
//    observable the user may read ({kind, id}); it opens a dialog that asks for the reason and
//    sends POST /access-requests. The request names the context and the holding unit, never the
//    hidden object (the server never sent its id). Other pages (the link chart) may reuse it.
//  - render(): the 閲覧依頼 page — requests to the user's unit, with the objects they concern
//    and grant / refuse, and the user's own requests with their status.
import { h, field } from '../dom.js';
import { pageHead, section, empty, errorBox, showError, hideError } from '../components.js';
import { formatDateTime } from '../format.js';

// `context`: {kind: 'report'|'case'|'observable', id}; `entry`: the restricted entry; `kind`
// ('report' or 'case') when the entry does not say (a case's "reports" list, for example).
export function requestAccessButton(ctx, context, entry, kind) {
  const t = (k, p) => ctx.i18n.t(k, p);
  const target = entry.kind === 'case' || entry.kind === 'report' ? entry.kind : kind;
  const unit = entry.unit || {};
  if (!unit.id || !target || !context || !context.id) return null;
  const btn = h('button', {
    type: 'button', class: 'btn btn-small access-request-btn', 'data-unit': unit.id, 'data-kind': target,
  }, t('access.request'));
  btn.addEventListener('click', () => openDialog(ctx, context, unit, target, btn));
  return btn;
}

function openDialog(ctx, context, unit, target, btn) {
  const t = (k, p) => ctx.i18n.t(k, p);
  const box = errorBox();
  const reason = h('textarea', { rows: '4', maxlength: '2000', id: 'access-reason' });
  const dlg = h('dialog', { class: 'access-dialog', 'aria-labelledby': 'access-dialog-title' });
  const close = () => {
    dlg.close();
    dlg.remove();
    btn.focus();
  };
  const send = async (ev) => {
    ev.preventDefault();
    hideError(box);
    try {
      await ctx.api.post('/access-requests', {
        context_kind: context.kind, context_id: context.id, unit_id: unit.id, kind: target, reason: reason.value,
      });
      close();
      btn.replaceWith(h('span', { class: 'muted small access-requested', role: 'status' }, t('access.requested')));
    } catch (err) {
      showError(ctx, box, err, form);
    }
  };
  const form = h('form', { onsubmit: send },
    h('h2', { id: 'access-dialog-title' }, t('access.dialog_title')),
    h('p', {}, t(`access.dialog_lead.${target}`, { unit: unit.name || unit.id, context: t(`access.context.${context.kind}`) })),
    box,
    field(t('access.reason'), reason, { name: 'reason', required: true, hint: t('access.reason_hint') }),
    h('div', { class: 'form-actions' },
      h('button', { type: 'submit', class: 'btn btn-primary', id: 'access-send' }, t('access.send')),
      h('button', { type: 'button', class: 'btn', onclick: close }, t('common.cancel'))));
  dlg.append(form);
  dlg.addEventListener('cancel', (e) => {
    e.preventDefault();
    close();
  });
  document.body.append(dlg);
  dlg.showModal();
  reason.focus();
}

// ===== The 閲覧依頼 page =====

function contextLine(ctx, c) {
  const t = (k, p) => ctx.i18n.t(k, p);
  const kind = t(`access.context.${c.kind}`);
  if (c.restricted) return h('span', { class: 'muted' }, t('access.context_hidden', { kind }));
  if (c.kind === 'observable') {
    return h('a', { href: `#/observables/${encodeURIComponent(c.id)}` }, `${kind}: ${c.canonical || ''}`);
  }
  const path = c.kind === 'case' ? 'cases' : 'reports';
  return h('a', { href: `#/${path}/${encodeURIComponent(c.id)}` }, `${kind}: ${c.ref || ''} ${c.title || ''}`);
}

function objectLink(o) {
  const path = o.kind === 'case' ? 'cases' : 'reports';
  return h('a', { href: `#/${path}/${encodeURIComponent(o.id)}` }, `${o.ref || ''} ${o.title || ''}`);
}

function statusBadge(ctx, status) {
  return h('span', { class: `badge access-status access-st-${status}` }, ctx.i18n.t(`access.status.${status}`));
}

function header(ctx, r, incoming) {
  const t = (k, p) => ctx.i18n.t(k, p);
  const who = incoming
    ? t('access.from', { name: (r.requester && r.requester.name) || '', unit: (r.requester_unit && r.requester_unit.name) || '' })
    : t('access.to', { unit: (r.unit && r.unit.name) || '' });
  return [
    h('div', {}, statusBadge(ctx, r.status), ' ', h('strong', {}, who), ' ',
      h('span', { class: 'muted small' }, `${t(`access.kind.${r.kind}`)} — ${formatDateTime(r.created_at, ctx.i18n.lang)}`)),
    h('dl', { class: 'details' },
      h('dt', {}, t('access.context_label')), h('dd', {}, contextLine(ctx, r.context)),
      h('dt', {}, t('access.reason')), h('dd', { class: 'access-reason' }, r.reason),
      r.decision_note ? [h('dt', {}, t('access.note')), h('dd', { class: 'access-note' }, r.decision_note)] : null,
      r.decided_by ? [h('dt', {}, t('access.decided_by')), h('dd', {}, `${r.decided_by.name || ''} — ${formatDateTime(r.decided_at, ctx.i18n.lang)}`)] : null),
  ];
}

// A grant's state in words: open-ended, until a time, or ended (expired or revoked).
function grantState(ctx, o) {
  const t = (k, p) => ctx.i18n.t(k, p);
  if (!o.expires_at) return t('access.granted_open');
  const at = formatDateTime(o.expires_at, ctx.i18n.lang);
  return Date.parse(o.expires_at) > Date.now() ? t('access.granted_until', { at }) : t('access.granted_ended', { at });
}

// A request to the user's unit: the objects it concerns (those the user may read can be
// ticked), an expiry, a note, and grant / refuse while pending; revoke while a grant holds.
function incomingCard(ctx, r) {
  const t = (k, p) => ctx.i18n.t(k, p);
  const box = errorBox();
  const objects = r.objects || [];
  const ticks = [];
  const rows = objects.map((o) => {
    if (!o.readable) return h('li', {}, h('span', { class: 'restricted' }, t('access.object_unreadable')));
    const cb = h('input', { type: 'checkbox', checked: r.status === 'pending', value: o.id, disabled: r.status !== 'pending' });
    ticks.push(cb);
    return h('li', { class: 'access-object', 'data-id': o.id },
      h('label', {}, cb, ' ', objectLink(o)),
      o.granted ? h('span', { class: 'muted small access-grant-state' }, ` ${grantState(ctx, o)}`) : null);
  });
  const parts = [...header(ctx, r, true),
    h('h3', {}, t('access.objects')),
    h('ul', { class: 'plain access-objects' }, rows)];
  if (r.status === 'pending') {
    const expires = h('input', { type: 'date', class: 'access-expires' });
    const note = h('input', { type: 'text', maxlength: '2000', class: 'access-note-input' });
    const decide = async (decision) => {
      hideError(box);
      const body = { decision };
      if (note.value.trim()) body.note = note.value.trim();
      if (decision === 'grant') {
        body.object_ids = ticks.filter((x) => x.checked).map((x) => x.value);
        if (expires.value) body.expires_at = expires.value;
      }
      try {
        await ctx.api.post(`/access-requests/${encodeURIComponent(r.id)}/decision`, body);
        ctx.flash(t(`access.decided.${decision}`));
        await ctx.route();
      } catch (err) {
        showError(ctx, box, err, form);
      }
    };
    const form = h('form', { class: 'access-decide', onsubmit: (e) => e.preventDefault() },
      box,
      field(t('access.expires'), expires, { name: 'expires_at', hint: t('access.expires_hint') }),
      field(t('access.note'), note, { name: 'note', hint: t('access.note_hint') }),
      h('div', { class: 'form-actions' },
        h('button', { type: 'button', class: 'btn btn-primary', 'data-decision': 'grant', onclick: () => decide('grant') }, t('access.grant')),
        h('button', { type: 'button', class: 'btn', 'data-decision': 'refuse', onclick: () => decide('refuse') }, t('access.refuse'))));
    parts.push(form);
  }
  const holding = objects.some((o) => o.granted && (!o.expires_at || Date.parse(o.expires_at) > Date.now()));
  if (r.status !== 'pending' && holding) {
    const revoke = async () => {
      hideError(box);
      try {
        await ctx.api.post(`/access-requests/${encodeURIComponent(r.id)}/revoke`);
        ctx.flash(t('access.revoked'));
        await ctx.route();
      } catch (err) {
        showError(ctx, box, err);
      }
    };
    parts.push(box, h('div', { class: 'form-actions' },
      h('button', { type: 'button', class: 'btn', 'data-action': 'revoke', onclick: revoke }, t('access.revoke'))));
  }
  return h('article', { class: 'card access-request', 'data-id': r.id }, parts);
}

// The user's own request: its status, what it opened, withdraw while pending.
function outgoingCard(ctx, r) {
  const t = (k, p) => ctx.i18n.t(k, p);
  const box = errorBox();
  const parts = header(ctx, r, false);
  const granted = r.granted || [];
  if (granted.length) {
    parts.push(h('h3', {}, t('access.now_readable')),
      h('ul', { class: 'plain access-granted' }, granted.map((o) => h('li', {}, objectLink(o),
        o.expires_at ? h('span', { class: 'muted small' }, ` ${t('access.granted_until', { at: formatDateTime(o.expires_at, ctx.i18n.lang) })}`) : null))));
  } else if (r.status === 'granted' || r.status === 'partly_granted') {
    parts.push(h('p', { class: 'muted' }, t('access.expired')));
  }
  if (r.status === 'pending') {
    const withdraw = async () => {
      hideError(box);
      try {
        await ctx.api.post(`/access-requests/${encodeURIComponent(r.id)}/withdraw`);
        ctx.flash(t('access.withdrawn'));
        await ctx.route();
      } catch (err) {
        showError(ctx, box, err);
      }
    };
    parts.push(box, h('div', { class: 'form-actions' },
      h('button', { type: 'button', class: 'btn', 'data-action': 'withdraw', onclick: withdraw }, t('access.withdraw'))));
  }
  return h('article', { class: 'card access-request', 'data-id': r.id }, parts);
}

export async function render(ctx, view) {
  const t = (k, p) => ctx.i18n.t(k, p);
  const [inc, out] = await Promise.all([
    ctx.api.get('/access-requests', { box: 'incoming', limit: 50 }),
    ctx.api.get('/access-requests', { box: 'outgoing', limit: 50 }),
  ]);
  // The lists carry no objects; each request's own page does (for the holding unit, the
  // objects it concerns; for the requester, what it opened).
  const detail = (items) => Promise.all((items || []).map((r) => ctx.api.get(`/access-requests/${encodeURIComponent(r.id)}`)));
  const [incoming, outgoing] = await Promise.all([detail(inc.items), detail(out.items)]);
  view.append(pageHead(t('access.title')), h('p', { class: 'lead' }, t('access.lead')),
    section(t('access.incoming', { n: inc.total || 0 }),
      incoming.length ? h('div', { class: 'stack', id: 'access-incoming' }, incoming.map((r) => incomingCard(ctx, r)))
        : empty(t('access.none_incoming'))),
    section(t('access.outgoing', { n: out.total || 0 }),
      outgoing.length ? h('div', { class: 'stack', id: 'access-outgoing' }, outgoing.map((r) => outgoingCard(ctx, r)))
        : empty(t('access.none_outgoing'))));
}
