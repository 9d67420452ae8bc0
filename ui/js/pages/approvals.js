// 決裁: the approvals waiting for this supervisor, each approved or sent back with a comment.
import { h, field } from '../dom.js';
import { pageHead, section, empty, errorBox, showError, hideError, nameOf } from '../components.js';
import { formatDateTime } from '../format.js';
import { refName } from '../ref.js';

// The report or case an approval is about: {object_type, object_id, object: {ref, title}}.
function subjectLink(ctx, a) {
  const o = a.object || {};
  const kind = a.object_type;
  const id = a.object_id || o.id;
  const text = `${o.ref || ''} ${o.title || ''}`.trim() || id || '';
  if (!id || o.restricted) return text;
  return h('a', { href: `#/${kind === 'report' ? 'reports' : 'cases'}/${encodeURIComponent(id)}` }, text);
}

export async function render(ctx, view) {
  const t = (k, p) => ctx.i18n.t(k, p);
  const lang = ctx.i18n.lang;
  const res = await ctx.api.get('/approvals');
  const items = res.items || res || [];
  const cards = items.map((a) => {
    const box = errorBox();
    const comment = h('input', { type: 'text', maxlength: '500' });
    const decide = async (decision) => {
      hideError(box);
      try {
        const body = { decision };
        if (comment.value.trim()) body.comment = comment.value.trim();
        await ctx.api.post(`/approvals/${encodeURIComponent(a.id)}`, body);
        ctx.flash(t(decision === 'approve' ? 'approvals.approved' : 'approvals.rejected'));
        await ctx.route();
      } catch (err) {
        showError(ctx, box, err);
      }
    };
    const listName = a.object_type === 'report' ? 'report_states' : 'case_states';
    return h('article', { class: 'card approval' },
      h('div', { class: 'approval-what' },
        h('h2', {}, subjectLink(ctx, a)),
        h('p', {}, h('span', { class: 'badge' }, t(`approvals.kind_${a.object_type === 'report' ? 'report' : 'case'}`)), ' ',
          t('approvals.request', {
            who: nameOf(a.requested_by),
            from: refName(ctx.ref, listName, a.from, ctx.i18n),
            to: refName(ctx.ref, listName, a.to, ctx.i18n),
            at: formatDateTime(a.requested_at, lang),
          })),
        a.comment ? h('p', { class: 'quote' }, a.comment) : null),
      h('div', { class: 'approval-decide' },
        box,
        field(t('approvals.comment'), comment, { name: 'comment' }),
        h('div', { class: 'form-actions' },
          h('button', { type: 'button', class: 'btn btn-primary', onclick: () => decide('approve') }, t('approvals.approve')),
          h('button', { type: 'button', class: 'btn btn-danger', onclick: () => decide('reject') }, t('approvals.reject')))));
  });
  view.append(pageHead(t('approvals.title')), h('p', { class: 'lead' }, t('approvals.lead')),
    h('p', { class: 'count', role: 'status' }, t('approvals.count', { n: items.length })),
    cards.length ? h('div', { class: 'stack approvals' }, cards) : section(t('approvals.title'), empty(t('approvals.none'))));
}
