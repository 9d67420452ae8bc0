// The fetch wrapper for /api/v1: JSON in and out, the session cookie, the X-CSRF-Token header on
// every state-changing request, and errors {"error":{"code","message","field"}} as ApiError.

const BASE = '/api/v1';

export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code || 'error';
    this.field = field || '';
  }
}

// A query string from an object, leaving out empty values.
export function queryString(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

export class Api {
  constructor() {
    this.csrf = '';
    this.onUnauthenticated = null; // called on a 401 from anything but the log-in itself
    // Counts log-ins and log-outs. A request sent under an earlier session (say, before the
    // cookie expired and the user logged in again) may come back 401 after the new log-in has
    // succeeded; that answer says nothing about the new session and must not send the user
    // back to the log-in page.
    this.epoch = 0;
  }

  async request(method, path, body, query) {
    const headers = { Accept: 'application/json' };
    const init = { method, headers, credentials: 'same-origin' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    if (method !== 'GET' && method !== 'HEAD' && this.csrf) headers['X-CSRF-Token'] = this.csrf;
    const epoch = this.epoch;
    let res;
    try {
      res = await fetch(BASE + path + queryString(query), init);
    } catch (e) {
      throw new ApiError(0, 'network', e.message, '');
    }
    let data = null;
    const text = await res.text();
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = null;
      }
    }
    if (!res.ok) {
      const e = data && data.error ? data.error : {};
      const err = new ApiError(res.status, e.code, e.message, e.field);
      if (res.status === 401 && path !== '/session' && epoch === this.epoch &&
          this.onUnauthenticated) {
        this.onUnauthenticated(err);
      }
      throw err;
    }
    return data;
  }

  get(path, query) { return this.request('GET', path, undefined, query); }
  post(path, body) { return this.request('POST', path, body === undefined ? {} : body); }
  patch(path, body) { return this.request('PATCH', path, body); }
  del(path) { return this.request('DELETE', path); }

  // The current session, or null when not logged in.
  async session() {
    try {
      const s = await this.get('/session');
      this.csrf = (s && s.csrf) || '';
      return s;
    } catch (e) {
      if (e.status === 401) return null;
      throw e;
    }
  }

  async login(login, password) {
    const s = await this.post('/session', { login, password });
    this.csrf = (s && s.csrf) || '';
    this.epoch++;
    return s;
  }

  async logout() {
    try {
      await this.del('/session');
    } finally {
      this.csrf = '';
      this.epoch++;
    }
  }
}
