// Hash routes: "#/reports/abc?q=詐欺" -> {name, params: {id: "abc"}, query: {q: "詐欺"}}.
// parseHash() and matchRoute() are pure, for tests/ui/router.test.mjs.

// Splits a location hash into the path and its query parameters.
export function parseHash(hash) {
  let s = (hash || '').replace(/^#/, '');
  if (!s.startsWith('/')) s = `/${s}`;
  const qi = s.indexOf('?');
  const path = qi >= 0 ? s.slice(0, qi) : s;
  const query = {};
  if (qi >= 0) {
    for (const [k, v] of new URLSearchParams(s.slice(qi + 1))) query[k] = v;
  }
  return { path: path.length > 1 ? path.replace(/\/+$/, '') : path, query };
}

// routes: [{name, pattern: "/reports/:id"}]; the first whose every segment matches wins.
export function matchRoute(routes, hash) {
  const { path, query } = parseHash(hash);
  const segs = path.split('/').filter(Boolean);
  for (const r of routes) {
    const ps = r.pattern.split('/').filter(Boolean);
    if (ps.length !== segs.length) continue;
    const params = {};
    let ok = true;
    for (let i = 0; i < ps.length; i++) {
      if (ps[i].startsWith(':')) {
        let v;
        try {
          v = decodeURIComponent(segs[i]);
        } catch {
          ok = false;
          break;
        }
        params[ps[i].slice(1)] = v;
      } else if (ps[i] !== segs[i]) {
        ok = false;
        break;
      }
    }
    if (ok) return { name: r.name, params, query };
  }
  return null;
}

// A hash for a path and query: href('/reports', {q: '詐欺'}) -> "#/reports?q=%E8%A9%90%E6%AC%BA".
export function href(path, query) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query || {})) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return `#${path}${s ? `?${s}` : ''}`;
}
