// Administration of users: the list, adding a user, disabling and enabling.
import { h, field, select } from '../dom.js';
import { pageHead, section, errorBox, showError, hideError, empty } from '../components.js';
import { formatDate } from '../format.js';
import { refName } from '../ref.js';

const ROLES = ['station', 'analyst', 'supervisor', 'admin', 'partner'];

export async function render(ctx, view) {
  const t = (k, p) => ctx.i18n.t(k, p);
  const lang = ctx.i18n.lang;
  const [usersRes, unitsRes] = await Promise.all([ctx.api.get('/users'), ctx.api.get('/units')]);
  const users = usersRes.items || usersRes || [];
  const units = unitsRes.items || unitsRes || [];
  const unitName = (u) => (lang === 'en' && u.name_en ? u.name_en : u.name);

  const rows = users.map((u) => {
    const tbox = h('td', {});
    const btn = h('button', { type: 'button', class: 'btn btn-small', onclick: async () => {
      try {
        await ctx.api.patch(`/users/${encodeURIComponent(u.id)}`, { disabled: !u.disabled });
        await ctx.route();
      } catch (err) {
        ctx.flash(err.message);
      }
    } }, u.disabled ? t('users.enable') : t('users.disable'));
    if (u.id !== ctx.user.id) tbox.append(btn); // never lock oneself out from here
    return h('tr', { class: u.disabled ? 'disabled' : null, 'data-login': u.login },
      h('td', {}, h('code', {}, u.login)), h('td', {}, u.name), h('td', {}, refName(ctx.ref, 'roles', u.role, ctx.i18n)),
      h('td', {}, u.unit ? u.unit.name : ''), h('td', {}, u.disabled ? t('users.disabled') : t('users.active')),
      h('td', { class: 'nowrap' }, formatDate(u.created_at, lang)), tbox);
  });

  const box = errorBox();
  const f = {
    login: h('input', { type: 'text', autocomplete: 'off', autocapitalize: 'off' }),
    name: h('input', { type: 'text' }),
    role: select(ROLES.map((r) => ({ value: r, label: refName(ctx.ref, 'roles', r, ctx.i18n) })), 'station'),
    unit_id: select([{ value: '', label: t('common.choose') }, ...units.map((u) => ({ value: u.id, label: unitName(u) }))], ''),
    password: h('input', { type: 'password', autocomplete: 'new-password' }),
  };
  const form = h('form', { class: 'user-form', novalidate: true }, box,
    h('div', { class: 'grid' },
      field(t('login.login'), f.login, { name: 'login', required: true }),
      field(t('users.name'), f.name, { name: 'name', required: true }),
      field(t('users.role'), f.role, { name: 'role', required: true }),
      field(t('users.unit'), f.unit_id, { name: 'unit_id', required: true }),
      field(t('login.password'), f.password, { name: 'password', required: true })),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('users.add'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    hideError(box);
    try {
      await ctx.api.post('/users', {
        login: f.login.value.trim(), name: f.name.value.trim(), role: f.role.value,
        unit_id: f.unit_id.value, password: f.password.value,
      });
      f.password.value = '';
      ctx.flash(t('users.added'));
      await ctx.route();
    } catch (err) {
      f.password.value = '';
      showError(ctx, box, err, form);
    }
  });

  view.append(pageHead(t('users.title')),
    section(t('users.list'), users.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'list', id: 'user-list' },
      h('thead', {}, h('tr', {}, ['login.login', 'users.name', 'users.role', 'users.unit', 'users.state', 'users.created', 'users.actions']
        .map((k) => h('th', { scope: 'col' }, t(k))))),
      h('tbody', {}, rows))) : empty(t('users.none'))),
    section(t('users.add'), form));
}
