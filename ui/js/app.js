// The application shell: session, language, navigation by role, and the hash router that hands
// each route to one page module (ui/js/pages/*.js).
import { Api } from './api.js';
import { I18n } from './i18n.js';
import { h, clear } from './dom.js';
import { matchRoute, href, parseHash } from './router.js';
import { loading, showError, errorBox } from './components.js';
import { refName } from './ref.js';

import * as loginPage from './pages/login.js';
import * as intakePage from './pages/intake.js';
import * as reportsPage from './pages/reports.js';
import * as reportPage from './pages/report.js';
import * as casesPage from './pages/cases.js';
import * as casePage from './pages/case.js';
import * as observablesPage from './pages/observables.js';
import * as observablePage from './pages/observable.js';
import * as approvalsPage from './pages/approvals.js';
import * as patrolPage from './pages/patrol.js';
import * as accessPage from './pages/access-request.js';
import * as usersPage from './pages/users.js';
import * as homePage from './pages/home.js';
import * as graphPage from './pages/graph.js';

// Which roles may open which page; the server decides what data each gets, this only keeps
// the menu and the pages to what the role can use.
// (docs/api.md and tests/integration/test_api_roles.py: an admin manages users and units and
// sees no case data; a partner sees no report, case or observable data at all.)
const ALL = ['station', 'analyst', 'supervisor', 'admin', 'partner'];
const CASEWORK = ['station', 'analyst', 'supervisor'];
const ROUTES = [
  { name: 'login', pattern: '/login', page: loginPage, roles: null },
  { name: 'home', pattern: '/', page: homePage, roles: ALL },
  { name: 'intake', pattern: '/intake', page: intakePage, roles: CASEWORK, nav: 'nav.intake' },
  { name: 'reports', pattern: '/reports', page: reportsPage, roles: CASEWORK, nav: 'nav.reports' },
  { name: 'report', pattern: '/reports/:id', page: reportPage, roles: CASEWORK },
  { name: 'cases', pattern: '/cases', page: casesPage, roles: CASEWORK, nav: 'nav.cases' },
  { name: 'case', pattern: '/cases/:id', page: casePage, roles: CASEWORK },
  { name: 'observables', pattern: '/observables', page: observablesPage, roles: CASEWORK, nav: 'nav.observables' },
  { name: 'observable', pattern: '/observables/:id', page: observablePage, roles: CASEWORK },
  { name: 'approvals', pattern: '/approvals', page: approvalsPage, roles: ['supervisor'], nav: 'nav.approvals' },
  { name: 'patrol', pattern: '/patrol', page: patrolPage, roles: ['analyst', 'supervisor'], nav: 'nav.patrol' },
  { name: 'graph', pattern: '/graph', page: graphPage, roles: CASEWORK },
  { name: 'access', pattern: '/access-requests', page: accessPage, roles: CASEWORK, nav: 'nav.access' },
  { name: 'users', pattern: '/admin/users', page: usersPage, roles: ['admin'], nav: 'nav.users' },
];

class App {
  constructor() {
    this.api = new Api();
    this.i18n = new I18n(window.localStorage);
    this.user = null;
    this.ref = null;
    this.main = document.getElementById('main');
    this.renderSeq = 0;
    this.api.onUnauthenticated = () => {
      // Several requests may fail at once; only the first sends the user to the log-in, so
      // that "next" stays the page they were on.
      this.user = null;
      if (parseHash(location.hash).path === '/login') return;
      this.go('/login', { next: location.hash });
    };
  }

  // Goes to a page; going to the page already shown draws it again (e.g. a repeated search).
  go(path, query) {
    const target = href(path, query);
    if (location.hash === target) this.route();
    else location.hash = target;
  }

  // A message that survives one navigation (e.g. "report filed" after the intake form).
  flash(text) {
    const el = document.getElementById('flash');
    el.textContent = text;
    el.hidden = false;
    this.flashPages = 0;
  }

  // Called on every navigation: the message stays for the page it was meant for, then goes.
  ageFlash() {
    this.flashPages = (this.flashPages || 0) + 1;
    if (this.flashPages > 1) document.getElementById('flash').hidden = true;
  }

  async start() {
    document.getElementById('skip-link').addEventListener('click', (e) => {
      e.preventDefault();
      this.main.focus();
    });
    await this.i18n.load(window.fetch.bind(window));
    try {
      const s = await this.api.session();
      if (s) await this.signedIn(s.user);
    } catch (e) {
      this.fatal(e);
      return;
    }
    window.addEventListener('hashchange', () => this.route());
    this.route();
  }

  async signedIn(user) {
    this.user = user;
    this.ref = await this.api.get('/ref');
  }

  async signOut() {
    try {
      await this.api.logout();
    } catch {
      // an expired session is logged out already; the log-in page follows either way
    } finally {
      this.user = null;
      this.ref = null;
      this.go('/login');
    }
  }

  // Switching language draws the page again; what was typed into its forms is carried over
  // (by each control's API field name), so an officer can switch in the middle of an intake.
  setLang(lang) {
    const typed = [];
    for (const el of this.main.querySelectorAll('[data-field]')) {
      if (!('value' in el) || el.type === 'password') continue;
      typed.push({ field: el.dataset.field, value: el.type === 'checkbox' ? el.checked : el.value });
    }
    this.i18n.setLang(lang);
    this.pendingRestore = { hash: location.hash, typed };
    this.route();
  }

  restoreTyped(view) {
    const pending = this.pendingRestore;
    this.pendingRestore = null;
    if (!pending || pending.hash !== location.hash) return;
    const { typed } = pending;
    for (const { field, value } of typed) {
      const el = [...view.querySelectorAll('[data-field]')].find((x) => x.dataset.field === field);
      if (!el) continue;
      if (el.type === 'checkbox') el.checked = value;
      else el.value = value;
      el.dispatchEvent(new Event(el.tagName === 'SELECT' ? 'change' : 'input', { bubbles: true }));
    }
  }

  renderChrome(current) {
    const t = (k, p) => this.i18n.t(k, p);
    document.documentElement.lang = this.i18n.lang;
    document.getElementById('skip-link').textContent = t('nav.skip');
    const nav = clear(document.getElementById('mainnav'));
    nav.setAttribute('aria-label', t('nav.label'));
    if (this.user) {
      for (const r of ROUTES) {
        if (!r.nav || !r.roles.includes(this.user.role)) continue;
        const active = current && (current.name === r.name || current.name === r.name.replace(/s$/, ''));
        nav.append(h('a', { href: `#${r.pattern}`, class: active ? 'active' : null, 'aria-current': active ? 'page' : null }, t(r.nav)));
      }
    }
    const box = clear(document.getElementById('session-box'));
    const other = this.i18n.lang === 'ja' ? 'en' : 'ja';
    box.append(h('button', {
      type: 'button', class: 'btn btn-ghost lang-switch', lang: other, id: 'lang-switch',
      onclick: () => this.setLang(other),
    }, other === 'en' ? 'English' : '日本語'));
    if (this.user) {
      const role = refName(this.ref, 'roles', this.user.role, this.i18n); // labels: GET /api/v1/ref
      box.append(
        h('span', { class: 'who' }, h('span', { class: 'who-name' }, this.user.name || this.user.login),
          h('span', { class: 'who-unit' }, `${this.user.unit ? this.user.unit.name : ''} · ${role}`)),
        h('button', { type: 'button', class: 'btn btn-ghost', id: 'logout', onclick: () => this.signOut() }, t('nav.logout')));
    }
  }

  async route() {
    const seq = ++this.renderSeq;
    this.ageFlash();
    let m = matchRoute(ROUTES, location.hash || '#/');
    if (!m) m = { name: 'home', params: {}, query: {} };
    const r = ROUTES.find((x) => x.name === m.name);
    if (!this.user && r.name !== 'login') {
      this.go('/login', location.hash && location.hash !== '#/' ? { next: location.hash } : {});
      return;
    }
    if (this.user && r.name === 'login') {
      this.go('/');
      return;
    }
    this.renderChrome(m);
    const main = clear(this.main);
    if (r.roles && !r.roles.includes(this.user.role)) {
      main.append(h('h1', {}, this.i18n.t('error.forbidden')), h('p', {}, this.i18n.t('page.not_for_role')));
      return;
    }
    main.append(loading(this));
    main.setAttribute('aria-busy', 'true');
    delete document.body.dataset.rendered;
    const view = h('div', { class: 'view' });
    try {
      await r.page.render(this, view, m.params, m.query);
    } catch (e) {
      if (seq !== this.renderSeq) return;
      if (e && e.status === 401) return; // onUnauthenticated has moved to the log-in
      const box = errorBox();
      clear(view).append(box);
      showError(this, box, e);
    }
    if (seq !== this.renderSeq) return; // a newer navigation won
    clear(main).append(view);
    this.restoreTyped(view);
    main.removeAttribute('aria-busy');
    // Which address the page on screen was drawn for (the browser tests wait on it).
    document.body.dataset.rendered = location.hash;
    const title = view.querySelector('h1');
    document.title = `${title ? `${title.textContent} — ` : ''}連携 Renkei`;
    if (title) {
      title.setAttribute('tabindex', '-1');
      title.focus({ preventScroll: true });
    }
  }

  fatal(e) {
    clear(this.main).append(h('div', { class: 'error-box', role: 'alert' }, String(e && e.message ? e.message : e)));
  }
}

const app = new App();
app.start();
