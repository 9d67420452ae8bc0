// One report: its fields, narrative, observables found in it, the cases it belongs to, the
// workflow transitions allowed from its state, and "open a case from this report" for HQ.
import { h, field, select } from '../dom.js';
import { pageHead, tlpBadge, statusBadge, urgentBadge, section, errorBox, showError, hideError, empty, nameOf } from '../components.js';
import { refName, nextStates, needsApproval } from '../ref.js';
import { formatDate, formatDateTime, formatYen } from '../format.js';
import { details, obsLink, restricted } from './common.js';
import { openCaseForm } from './opencase.js';
import { reportSections } from './intake-more.js';
import { relatedPanel } from './related.js';
import { graphButton } from './graph.js';

// Who may open a case (POST /cases).
const HQ = ['analyst', 'supervisor'];

// The workflow: a pending 起案 if there is one, else a button for every allowed next state
// (marked when it needs a superior's 決裁).
export function workflowBox(ctx, obj, listName, path) {
  const t = (k, p) => ctx.i18n.t(k, p);
  const pending = obj.pending_approval;
  if (pending) {
    return h('p', { class: 'pending', id: 'pending-approval' }, t('report.pending', {
      state: refName(ctx.ref, listName, pending.to, ctx.i18n),
      who: nameOf(pending.requested_by),
      date: formatDateTime(pending.requested_at, ctx.i18n.lang),
    }));
  }
  const next = nextStates(ctx.ref, listName, obj.status, obj);
  if (!next.length) return null;
  const box = errorBox();
  const comment = h('input', { type: 'text', maxlength: '500' });
  const form = h('div', { class: 'transitions' },
    box,
    field(t('report.comment'), comment, { name: 'comment', wide: true }),
    h('div', { class: 'form-actions' }, next.map((to) => {
      const approval = needsApproval(ctx.ref, listName, obj.status, to);
      const state = refName(ctx.ref, listName, to, ctx.i18n);
      return h('button', {
        type: 'button', class: 'btn', 'data-to': to,
        onclick: async (e) => {
          hideError(box);
          e.currentTarget.disabled = true;
          try {
            const body = { to };
            if (comment.value.trim()) body.comment = comment.value.trim();
            const res = await ctx.api.post(`${path}/transition`, body);
            ctx.flash(res && res.pending_approval ? t('report.sent_for_approval') : t('report.moved', { state }));
            await ctx.route();
          } catch (err) {
            showError(ctx, box, err, form);
          }
        },
      }, approval ? t('report.draft_to', { state }) : t('report.move_to', { state }));
    })));
  return form;
}

// "Add this report to a case that exists": the cases the analyst can read, newest first.
async function addToCaseForm(ctx, r) {
  const t = (k, p) => ctx.i18n.t(k, p);
  let cases = [];
  try {
    cases = (await ctx.api.get('/cases', { limit: 200 })).items || [];
  } catch {
    return null; // no list, no form
  }
  const already = new Set((r.cases || []).map((c) => c.id));
  cases = cases.filter((c) => !already.has(c.id));
  if (!cases.length) return null;
  const box = errorBox();
  const pick = select([{ value: '', label: t('common.choose') }, ...cases.map((c) => ({ value: c.id, label: `${c.ref || ''} ${c.title || ''}` }))], '');
  const form = h('form', { class: 'add-to-case', id: 'add-to-case', novalidate: true },
    box,
    field(t('report.add_to_case'), pick, { name: 'case_id', wide: true }),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn' }, t('report.add'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    hideError(box);
    if (!pick.value) {
      showError(ctx, box, { code: 'invalid', field: 'case_id', message: t('intake.required') }, form);
      return;
    }
    try {
      await ctx.api.post(`/cases/${encodeURIComponent(pick.value)}/reports`, { report_ids: [r.id] });
      const c = cases.find((x) => x.id === pick.value);
      ctx.flash(t('report.added_to_case', { ref: c ? c.ref : '' }));
      location.hash = `#/cases/${encodeURIComponent(pick.value)}`;
    } catch (err) {
      showError(ctx, box, err, form);
    }
  });
  return form;
}

export async function render(ctx, view, params) {
  const t = (k, p) => ctx.i18n.t(k, p);
  const lang = ctx.i18n.lang;
  const r = await ctx.api.get(`/reports/${encodeURIComponent(params.id)}`);
  const rep = r.reporter || {};
  const slot = h('div');
  const isHQ = HQ.includes(ctx.user.role);
  const addForm = isHQ ? await addToCaseForm(ctx, r) : null;
  const openBtn = isHQ ? h('button', { type: 'button', class: 'btn btn-primary', id: 'open-case', onclick: () => {
    slot.replaceChildren(openCaseForm(ctx, [r], () => slot.replaceChildren()));
  } }, t('report.open_case')) : null;

  const accounts = (r.bank_accounts || []).map((a) => h('li', {},
    [a.bank_name, a.bank_code ? `(${a.bank_code})` : '', a.branch_name, a.branch_code ? `(${a.branch_code})` : '',
      a.account_type ? t(`account_type.${a.account_type}`) : '', a.number, a.holder_kana].filter(Boolean).join(' ')));

  view.append(
    pageHead(h('span', {}, h('span', { class: 'ref' }, r.ref || ''), ' ', r.title || t('report.untitled')), graphButton(ctx, 'report', r.id), openBtn),
    h('div', { class: 'badges' }, statusBadge(ctx, 'report_states', r.status), tlpBadge(r.tlp),
      h('span', { class: 'badge' }, refName(ctx.ref, 'scopes', r.scope, ctx.i18n)),
      r.urgent ? urgentBadge(ctx) : null),
    slot,
    h('div', { class: 'cols' },
      h('div', { class: 'col-main' },
        section(t('report.narrative'), h('div', { class: 'narrative', id: 'narrative' }, r.narrative || '')),
        r.sms_text ? section(t('field.sms_text'), h('div', { class: 'narrative' }, r.sms_text)) : null,
        (r.urls && r.urls.length) || r.sender ? section(t('report.contact_points'), details([
          [t('field.urls'), (r.urls || []).length ? h('ul', { class: 'plain' }, r.urls.map((u) => h('li', {}, h('code', {}, u)))) : ''],
          [t('field.sender'), r.sender ? h('code', {}, r.sender) : ''],
        ])) : null,
        section(t('report.observables'), (r.observables || []).length
          ? h('ul', { class: 'obs-list', id: 'report-observables' }, r.observables.map((o) => h('li', {}, obsLink(ctx, o))))
          : empty(t('report.no_observables'))),
        relatedPanel(ctx, 'report', r.id),
        accounts.length ? section(t('intake.sec_accounts'), h('ul', {}, accounts)) : null,
        reportSections(ctx, r, section),
        (() => {
          const wf = workflowBox(ctx, r, 'report_states', `/reports/${encodeURIComponent(r.id)}`);
          return wf ? section(t('report.workflow'), wf) : null;
        })()),
      h('div', { class: 'col-side' },
        section(t('report.summary'), details([
          [t('field.intake_type'), refName(ctx.ref, 'intake_types', r.intake_type, ctx.i18n)],
          [t('field.channel'), refName(ctx.ref, 'channels', r.channel, ctx.i18n)],
          [t('field.category'), refName(ctx.ref, 'categories', r.category, ctx.i18n)],
          [t('field.received_at'), formatDateTime(r.received_at, lang)],
          [t('field.occurred_at'), formatDateTime(r.occurred_at, lang)],
          [t('field.recognised_at'), formatDateTime(r.recognised_at, lang)],
          [t('field.npa_reported'), r.npa_reported ? t('common.yes') : ''],
          [t('field.damage_amount'), r.damage_amount ? formatYen(r.damage_amount, lang) : ''],
          [t('field.station'), nameOf(r.unit)],
          [t('report.created_by'), nameOf(r.created_by)],
          [t('report.updated_at'), formatDateTime(r.updated_at, lang)],
        ])),
        section(t('intake.sec_reporter'), details([
          [t('field.reporter_type'), refName(ctx.ref, 'reporter_types', rep.type, ctx.i18n)],
          [t('field.reporter_name'), rep.name],
          [t('field.reporter_kana'), rep.kana],
          [t('field.reporter_age'), rep.age ?? ''],
          [t('field.reporter_gender'), rep.gender ? t(`gender.${rep.gender}`) : ''],
          [t('field.reporter_postal'), rep.postal_code],
          [t('field.reporter_location'), [rep.prefecture, rep.city, rep.address].filter(Boolean).join(' ')],
          [t('field.reporter_phone'), rep.phone],
          [t('field.reporter_email'), rep.email],
          [t('field.wants_reply'), rep.wants_reply === undefined ? '' : (rep.wants_reply ? t('common.yes') : t('common.no'))],
        ])),
        section(t('report.cases'), (r.cases || []).length
          ? h('ul', { class: 'plain' }, r.cases.map((c) => h('li', {}, c.restricted ? restricted(ctx, 'case', c, { kind: 'report', id: r.id })
            : h('a', { href: `#/cases/${encodeURIComponent(c.id)}` }, `${c.ref || ''} ${c.title || ''}`))))
          : empty(t('report.no_cases')), addForm),
        h('p', { class: 'muted small' }, t('report.received_on', { date: formatDate(r.received_at, lang) })))));
}
