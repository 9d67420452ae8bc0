// The start page: where each role usually begins its work.
import { h } from '../dom.js';

const START = {
  station: '/reports',
  analyst: '/reports',
  supervisor: '/approvals',
  admin: '/admin/users',
};

export async function render(ctx, view) {
  const t = (k, p) => ctx.i18n.t(k, p);
  const start = START[ctx.user.role];
  if (start) {
    location.replace(`#${start}`);
    view.append(h('h1', {}, t('app.name')));
    return;
  }
  // A partner account sees no report, case or observable data in this version.
  view.append(h('h1', {}, t('home.partner_title')),
    h('div', { class: 'card' }, h('p', {}, t('home.partner_text'))));
}
