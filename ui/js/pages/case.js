// One case (事案・事件): status and workflow, TLP and scope, lead department and assignees,
// tasks, notes, observables with their role, the reports it was built from, linked cases and
// the timeline. Every change is one API call, after which the page is drawn again.
import { h, field, select } from '../dom.js';
import { pageHead, tlpBadge, statusBadge, section, errorBox, showError, hideError, empty, nameOf, TLP_CODES } from '../components.js';
import { refList, refOptions, refName } from '../ref.js';
import { workflowBox } from './report.js';
import { formatDate, formatDateTime, jstDayToUtc, tidyDetail } from '../format.js';
import { obsLink, restricted, details } from './common.js';
import { relatedPanel } from './related.js';
import { graphButton } from './graph.js';

const RELATIONS = ['related', 'joint', 'duplicate', 'parent'];

function relationName(ctx, code) {
  const n = refName(ctx.ref, 'case_relations', code, ctx.i18n);
  return n && n !== code ? n : ctx.i18n.t(`relation.${code}`);
}

// A form that runs `action` on submit and shows its error in its own box; the page is redrawn
// after success.
function actionForm(ctx, attrs, children, action) {
  const box = errorBox();
  const form = h('form', { ...attrs, novalidate: true }, box, children);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    hideError(box);
    const btn = form.querySelector('button[type=submit]');
    if (btn) btn.disabled = true;
    try {
      const msg = await action();
      if (msg) ctx.flash(msg);
      await ctx.route();
    } catch (err) {
      showError(ctx, box, err, form);
    } finally {
      if (btn) btn.disabled = false;
    }
  });
  return form;
}

function tlpPicker(ctx, current) {
  const t = (k, p) => ctx.i18n.t(k, p);
  const codes = refList(ctx.ref, 'tlp').map((x) => x.code);
  const list = codes.length ? codes : TLP_CODES;
  const name = 'case-tlp';
  return h('fieldset', { class: 'tlp-picker', 'data-field': 'tlp' },
    h('legend', {}, t('field.tlp')),
    list.map((code) => {
      const id = `tlp-${code.toLowerCase().replace('+', '-')}`;
      return h('label', { class: 'tlp-option', for: id },
        h('input', { type: 'radio', name, id, value: code, checked: code === current }),
        tlpBadge(code));
    }));
}

async function optional(promise) {
  try {
    return await promise;
  } catch {
    return null; // a list this role may not read: that control is left out
  }
}

export async function render(ctx, view, params) {
  const t = (k, p) => ctx.i18n.t(k, p);
  const lang = ctx.i18n.lang;
  const id = encodeURIComponent(params.id);
  const c = await ctx.api.get(`/cases/${id}`);
  const [unitsRes, usersRes, casesRes] = await Promise.all([
    optional(ctx.api.get('/units')),
    optional(ctx.api.get('/users')),
    optional(ctx.api.get('/cases', { limit: 200 })),
  ]);
  const units = unitsRes ? unitsRes.items || unitsRes : [];
  const users = (usersRes ? usersRes.items || usersRes : []).filter((u) => !u.disabled && ['analyst', 'supervisor', 'station'].includes(u.role));
  const otherCases = (casesRes ? casesRes.items || [] : []).filter((x) => x.id !== c.id);
  const unitName = (u) => (lang === 'en' && u.name_en ? u.name_en : u.name);
  // A station officer may read the cases of its reports; only HQ changes them.
  const canEdit = ['analyst', 'supervisor'].includes(ctx.user.role);

  // Workflow.
  const workflow = canEdit ? workflowBox(ctx, c, 'case_states', `/cases/${id}`) : null;

  // Classification: TLP and scope.
  const picker = tlpPicker(ctx, c.tlp);
  const scope = select(refOptions(ctx.ref, 'scopes', ctx.i18n), c.scope);
  const classForm = actionForm(ctx, { class: 'classify', id: 'classify-form' }, [
    picker,
    field(t('field.scope'), scope, { name: 'scope', hint: t('case.scope_hint') }),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('common.save'))),
  ], async () => {
    const sel = picker.querySelector('input[type=radio]:checked');
    await ctx.api.patch(`/cases/${id}`, { tlp: sel ? sel.value : c.tlp, scope: scope.value });
    return t('common.saved');
  });

  // Lead department and assignees.
  const assigned = new Set((c.assignees || []).map((a) => a.id));
  const lead = select([{ value: '', label: t('common.choose') }, ...units.filter((u) => u.kind !== 'partner').map((u) => ({ value: u.id, label: unitName(u) }))], c.lead_unit ? c.lead_unit.id : '');
  const people = h('fieldset', { class: 'people', 'data-field': 'assignee_ids' }, h('legend', {}, t('case.assignees')),
    users.length ? users.map((u) => h('label', { class: 'check' },
      h('input', { type: 'checkbox', value: u.id, checked: assigned.has(u.id) }), ' ', `${u.name} (${u.unit ? u.unit.name : ''})`))
      : h('p', { class: 'muted' }, (c.assignees || []).map(nameOf).join('、') || t('case.no_assignees')));
  const assignForm = actionForm(ctx, { class: 'assign', id: 'assign-form' }, [
    units.length ? field(t('case.lead_unit'), lead, { name: 'lead_unit_id' }) : details([[t('case.lead_unit'), nameOf(c.lead_unit)]]),
    people,
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('common.save'))),
  ], async () => {
    const body = {};
    if (units.length && lead.value) body.lead_unit_id = lead.value;
    if (users.length) body.assignee_ids = [...people.querySelectorAll('input:checked')].map((x) => x.value);
    await ctx.api.patch(`/cases/${id}`, body);
    return t('common.saved');
  });

  // Tasks.
  const taskTitle = h('input', { type: 'text', maxlength: '200' });
  const taskWho = select([{ value: '', label: t('case.unassigned') }, ...users.map((u) => ({ value: u.id, label: u.name }))], '');
  const taskDue = h('input', { type: 'date' });
  const tasks = h('ul', { class: 'tasks', id: 'task-list' }, (c.tasks || []).map((tk) => {
    const cb = h('input', { type: 'checkbox', checked: tk.done, id: `task-${tk.id}`, disabled: !canEdit });
    cb.addEventListener('change', async () => {
      try {
        await ctx.api.patch(`/cases/${id}/tasks/${encodeURIComponent(tk.id)}`, { done: cb.checked });
        await ctx.route();
      } catch (err) {
        cb.checked = !cb.checked;
        ctx.flash(err.message);
      }
    });
    return h('li', { class: tk.done ? 'done' : null }, cb, ' ',
      h('label', { for: `task-${tk.id}` }, tk.title),
      tk.assignee ? h('span', { class: 'muted' }, ` — ${nameOf(tk.assignee)}`) : null,
      tk.due ? h('span', { class: 'muted' }, ` · ${t('case.due', { date: formatDate(tk.due, lang) })}`) : null);
  }));
  const taskForm = actionForm(ctx, { class: 'inline-form', id: 'task-form' }, [
    field(t('case.task_title'), taskTitle, { name: 'title', required: true }),
    users.length ? field(t('case.task_assignee'), taskWho, { name: 'assignee_id' }) : null,
    field(t('case.task_due'), taskDue, { name: 'due' }),
    h('button', { type: 'submit', class: 'btn' }, t('case.add_task')),
  ], async () => {
    if (!taskTitle.value.trim()) throw Object.assign(new Error(t('intake.required')), { code: 'invalid', field: 'title' });
    const body = { title: taskTitle.value.trim() };
    if (taskWho.value) body.assignee_id = taskWho.value;
    if (taskDue.value) body.due = jstDayToUtc(taskDue.value);
    await ctx.api.post(`/cases/${id}/tasks`, body);
    return null;
  });

  // Notes.
  const noteText = h('textarea', { rows: '3' });
  const notes = h('ol', { class: 'notes', id: 'note-list' }, (c.notes || []).map((n) => h('li', {},
    h('div', { class: 'note-meta' }, nameOf(n.author), ' · ', formatDateTime(n.created_at, lang)),
    h('div', { class: 'note-text' }, n.text))));
  const noteForm = actionForm(ctx, { class: 'note-form', id: 'note-form' }, [
    field(t('case.note'), noteText, { name: 'text', required: true, wide: true }),
    h('button', { type: 'submit', class: 'btn' }, t('case.add_note')),
  ], async () => {
    if (!noteText.value.trim()) throw Object.assign(new Error(t('intake.required')), { code: 'invalid', field: 'text' });
    await ctx.api.post(`/cases/${id}/notes`, { text: noteText.value });
    return null;
  });

  // Observables with their role.
  const obsValue = h('input', { type: 'text', spellcheck: 'false' });
  const obsRole = select(refOptions(ctx.ref, 'observable_roles', ctx.i18n), 'other');
  const obsRows = (c.observables || []).map((o) => h('tr', {},
    h('td', {}, obsLink(ctx, o)),
    h('td', {}, refName(ctx.ref, 'observable_roles', o.role, ctx.i18n)),
    h('td', {}, canEdit && h('button', { type: 'button', class: 'btn btn-small', 'aria-label': t('case.unlink_obs', { value: o.display || o.canonical }), onclick: async () => {
      try {
        await ctx.api.del(`/cases/${id}/observables/${encodeURIComponent(o.id)}`);
        await ctx.route();
      } catch (err) {
        ctx.flash(err.message);
      }
    } }, t('case.unlink')))));
  const obsForm = actionForm(ctx, { class: 'inline-form', id: 'obs-form' }, [
    field(t('case.obs_value'), obsValue, { name: 'value', required: true, hint: t('case.obs_hint') }),
    field(t('case.obs_role'), obsRole, { name: 'role' }),
    h('button', { type: 'submit', class: 'btn' }, t('case.link_obs')),
  ], async () => {
    await ctx.api.post(`/cases/${id}/observables`, { value: obsValue.value.trim(), role: obsRole.value });
    return null;
  });

  // Linked cases.
  const linkCase = select([{ value: '', label: t('common.choose') }, ...otherCases.map((x) => ({ value: x.id, label: `${x.ref || ''} ${x.title || ''}` }))], '');
  const relCodes = refList(ctx.ref, 'case_relations').map((x) => x.code);
  const linkRel = select((relCodes.length ? relCodes : RELATIONS).map((r) => ({ value: r, label: relationName(ctx, r) })), 'related');
  const linkForm = otherCases.length ? actionForm(ctx, { class: 'inline-form', id: 'link-form' }, [
    field(t('case.link_to'), linkCase, { name: 'case_id', required: true }),
    field(t('case.relation'), linkRel, { name: 'relation' }),
    h('button', { type: 'submit', class: 'btn' }, t('case.link_case')),
  ], async () => {
    await ctx.api.post(`/cases/${id}/links`, { case_id: linkCase.value, relation: linkRel.value });
    return null;
  }) : null;
  const linked = (c.linked_cases || []).map((x) => h('li', {},
    h('span', { class: 'badge' }, relationName(ctx, x.relation)), ' ',
    x.restricted ? restricted(ctx, 'case', x, { kind: 'case', id: c.id }) : h('a', { href: `#/cases/${encodeURIComponent(x.id)}` }, `${x.ref || ''} ${x.title || ''}`)));

  const reports = (c.reports || []).map((r) => h('li', {},
    r.restricted ? restricted(ctx, 'report', r, { kind: 'case', id: c.id }) : [
      h('a', { href: `#/reports/${encodeURIComponent(r.id)}` }, `${r.ref || ''} ${r.title || ''}`),
      r.received_at ? h('span', { class: 'muted' }, ` · ${formatDate(r.received_at, lang)}`) : null]));

  const timeline = h('ol', { class: 'timeline', id: 'timeline' }, (c.timeline || []).map((ev) => h('li', {},
    h('time', { datetime: ev.at }, formatDateTime(ev.at, lang)), ' ',
    h('span', { class: 'actor' }, nameOf(ev.actor)), ' ',
    h('span', { class: 'action' }, t(`action.${ev.action}`) === `action.${ev.action}` ? ev.action : t(`action.${ev.action}`)),
    tidyDetail(ev.detail) ? h('span', { class: 'detail' }, ` — ${tidyDetail(ev.detail)}`) : null)));

  view.append(
    pageHead(h('span', {}, h('span', { class: 'ref' }, c.ref || ''), ' ', c.title || ''), graphButton(ctx, 'case', c.id)),
    h('div', { class: 'badges' }, statusBadge(ctx, 'case_states', c.status), tlpBadge(c.tlp),
      h('span', { class: 'badge' }, refName(ctx.ref, 'scopes', c.scope, ctx.i18n)),
      c.category ? h('span', { class: 'badge' }, refName(ctx.ref, 'categories', c.category, ctx.i18n)) : null),
    h('div', { class: 'cols' },
      h('div', { class: 'col-main' },
        c.summary ? section(t('case.summary'), h('div', { class: 'narrative' }, c.summary)) : null,
        section(t('case.observables'), obsRows.length
          ? h('div', { class: 'table-wrap' }, h('table', { class: 'list', id: 'case-observables' },
            h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('case.obs_value')), h('th', { scope: 'col' }, t('case.obs_role')), h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, t('case.unlink'))))),
            h('tbody', {}, obsRows)))
          : empty(t('case.no_observables')), canEdit && obsForm),
        relatedPanel(ctx, 'case', c.id),
        section(t('case.tasks'), (c.tasks || []).length ? tasks : empty(t('case.no_tasks')), canEdit && taskForm),
        section(t('case.notes'), (c.notes || []).length ? notes : empty(t('case.no_notes')), canEdit && noteForm),
        section(t('case.timeline'), (c.timeline || []).length ? timeline : empty(t('case.no_timeline')))),
      h('div', { class: 'col-side' },
        workflow ? section(t('report.workflow'), workflow) : null,
        canEdit ? section(t('case.classification'), classForm) : null,
        canEdit ? section(t('case.assignment'), assignForm) : section(t('case.assignment'), details([
          [t('case.lead_unit'), nameOf(c.lead_unit)],
          [t('case.assignees'), (c.assignees || []).map(nameOf).join('、')],
        ])),
        section(t('case.reports'), reports.length ? h('ul', { class: 'plain', id: 'case-reports' }, reports) : empty(t('case.no_reports'))),
        section(t('case.linked'), linked.length ? h('ul', { class: 'plain' }, linked) : empty(t('case.no_linked')), canEdit && linkForm),
        h('p', { class: 'muted small' }, t('case.created', { date: formatDateTime(c.created_at, lang) })))));
}
