// Log-in: login ID and password; on success back to the page asked for, or the home page.
import { h, field } from '../dom.js';
import { errorBox, showError, hideError } from '../components.js';
import { parseHash } from '../router.js';

export async function render(ctx, view, params, query) {
  const t = (k, p) => ctx.i18n.t(k, p);
  const login = h('input', { type: 'text', name: 'login', autocomplete: 'username', autocapitalize: 'off', spellcheck: 'false' });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password' });
  const box = errorBox();
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, t('login.submit'));
  const form = h('form', { class: 'login-form', novalidate: true },
    box,
    field(t('login.login'), login, { name: 'login', required: true }),
    field(t('login.password'), password, { name: 'password', required: true }),
    h('div', { class: 'form-actions' }, submit));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    hideError(box);
    if (!login.value.trim() || !password.value) {
      showError(ctx, box, { code: 'invalid', field: login.value.trim() ? 'password' : 'login', message: t('login.fill_both') }, form);
      return;
    }
    submit.disabled = true;
    try {
      const s = await ctx.api.login(login.value.trim(), password.value);
      await ctx.signedIn(s.user);
      const next = query.next && parseHash(query.next).path !== '/login' ? query.next : '#/';
      password.value = '';
      location.hash = next;
    } catch (err) {
      if (err.status === 401) err.message = t('login.failed');
      showError(ctx, box, err, form);
      password.value = '';
    } finally {
      submit.disabled = false;
    }
  });
  view.append(h('div', { class: 'login-wrap' },
    h('div', { class: 'card login-card' },
      h('h1', {}, t('login.title')),
      h('p', { class: 'muted' }, t('login.lead')),
      form)));
  setTimeout(() => login.focus(), 0);
}
