// The server's error messages are English (docs/api.md Errors: {code, message, field}). A
// Japanese user gets the message in Japanese: each rule below recognises one of the messages
// lib/ and server/ write and names the catalogue key ("errmsg.*") that says the same thing;
// numbers in the message (a length limit, a count) are carried over. A message no rule knows
// is shown as the server wrote it. Pure, for tests/ui/errors.test.mjs.

const LISTS = /^(CLEAR, GREEN|unit, prefecture|male, female|futsu, toza|related, joint|must be hq_division)/;

export const RULES = [
  [/^required$/, 'errmsg.required'],
  [/^must not be empty$/, 'errmsg.required'],
  [/^no value given$/, 'errmsg.required'],
  [/^unknown field$/, 'errmsg.unknown_field'],
  [/^unknown (category|channel|intake type|reporter type|observable type|observable role|role|report state|case state|code)\b/, 'errmsg.unknown_code'],
  [LISTS, 'errmsg.unknown_code'],
  [/^(expected an RFC 3339 time|expected YYYY-MM-DD)/, 'errmsg.time'],
  [/^expected an integer$/, 'errmsg.integer'],
  [/^out of range$/, 'errmsg.range'],
  [/^expected true or false$/, 'errmsg.type'],
  [/^expected (a string|an array|an array of strings|an object|an id|an array of ids)$/, 'errmsg.type'],
  [/^too long \(at most (?<max>\d+) bytes\)$/, 'errmsg.too_long'],
  [/^too long \(\d+ bytes, at most (?<max>\d+)\)$/, 'errmsg.too_long'],
  [/^too long or contains NUL$/, 'errmsg.too_long_plain'],
  [/^too short \(at least (?<min>\d+) characters\)$/, 'errmsg.too_short'],
  [/^at most (?<max>\d+) entries$/, 'errmsg.too_many'],
  [/^too many ids$/, 'errmsg.too_many_plain'],
  [/^expected 64 hexadecimal digits$/, 'errmsg.sha256'],
  [/^expected 123-4567$/, 'errmsg.postal'],
  [/^not a valid observable/, 'errmsg.observable'],
  [/^use a-z, 0-9, '\.', '_' and '-' only$/, 'errmsg.login_chars'],
  [/^no such (active police user|police unit|unit)$/, 'errmsg.no_such'],
  [/^search text too long$/, 'errmsg.search_long'],
  // Access requests (lib/model/access-request.c).
  [/^give the reason the holding unit will read$/, 'access.err.reason'],
  [/^this unit holds no (case|report) related to this \w+ that you may not read$/, 'access.err.nothing'],
  [/^you already have a pending request to this unit/, 'access.err.pending'],
  [/^say why the request is refused$/, 'access.err.refuse_note'],
  [/^(expires_at must be in the future|a grant may last at most one year)$/, 'access.err.expiry'],
  [/^you may read none of the objects this request concerns$/, 'access.err.none_readable'],
];

// {key, params} for the server message `message`, or null when no rule knows it.
export function matchMessage(message) {
  if (typeof message !== 'string') return null;
  const m = message.trim();
  for (const [re, key] of RULES) {
    const hit = re.exec(m);
    if (hit) return { key, params: { ...(hit.groups || {}) } };
  }
  return null;
}

// The message to show in `lang`: English keeps the server's own (more specific) wording; other
// languages get the catalogue's sentence when a rule knows the message.
export function localMessage(message, lang, t) {
  if (lang === 'en') return message || '';
  const hit = matchMessage(message);
  return hit ? t(hit.key, hit.params) : (message || '');
}
