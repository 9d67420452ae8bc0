// "Open a case from these reports": a small form (title, category) that creates the case with
// the reports attached and goes to it. Used from the report list and the report page.
import { h, field, select } from '../dom.js';
import { errorBox, showError, hideError } from '../components.js';
import { refOptions } from '../ref.js';

// reports: [{id, ref, title, category}]. Returns the form element; onCancel removes it.
export function openCaseForm(ctx, reports, onCancel) {
  const t = (k, p) => ctx.i18n.t(k, p);
  const box = errorBox();
  const title = h('input', { type: 'text', value: reports.length === 1 ? (reports[0].title || '') : '', maxlength: '200' });
  const category = select(refOptions(ctx.ref, 'categories', ctx.i18n, t('common.choose')), reports[0] ? reports[0].category : '');
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'open-case-submit' }, t('opencase.submit'));
  const form = h('form', { class: 'card open-case', 'aria-labelledby': 'open-case-h', novalidate: true },
    h('h2', { id: 'open-case-h' }, t('opencase.title')),
    h('p', { class: 'muted' }, t('opencase.from', { refs: reports.map((r) => r.ref || r.id).join('、') })),
    box,
    field(t('field.case_title'), title, { name: 'title', required: true, wide: true }),
    field(t('field.category'), category, { name: 'category' }),
    h('div', { class: 'form-actions' }, submit,
      h('button', { type: 'button', class: 'btn', onclick: () => onCancel && onCancel(form) }, t('common.cancel'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    hideError(box);
    if (!title.value.trim()) {
      showError(ctx, box, { code: 'invalid', field: 'title', message: t('intake.required') }, form);
      return;
    }
    const body = { title: title.value.trim(), report_ids: reports.map((r) => r.id) };
    if (category.value) body.category = category.value;
    submit.disabled = true;
    try {
      const c = await ctx.api.post('/cases', body);
      ctx.flash(t('opencase.done', { ref: c.ref || c.id }));
      location.hash = `#/cases/${encodeURIComponent(c.id)}`;
    } catch (err) {
      showError(ctx, box, err, form);
    } finally {
      submit.disabled = false;
    }
  });
  setTimeout(() => title.focus(), 0);
  return form;
}
