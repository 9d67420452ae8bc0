// Pure formatting functions: dates in JST with 和暦 and 西暦 together, yen with 万/億/兆.
// No DOM and no global state, so tests/ui/format.test.mjs runs them under node.

const JST_OFFSET_MS = 9 * 60 * 60 * 1000; // Japan has no daylight saving time

// Eras from the first day of each (Gregorian dates as used by the government).
// Newest first so the first match wins.
const ERAS = [
  { ja: '令和', en: 'Reiwa', start: [2019, 5, 1] },
  { ja: '平成', en: 'Heisei', start: [1989, 1, 8] },
  { ja: '昭和', en: 'Showa', start: [1926, 12, 25] },
  { ja: '大正', en: 'Taisho', start: [1912, 7, 30] },
  // Meiji began in 1868 but Japan used the Gregorian calendar only from Meiji 6 (1873).
  { ja: '明治', en: 'Meiji', start: [1873, 1, 1], firstYear: 1868 },
];

function cmpYmd(a, b) {
  for (let i = 0; i < 3; i++) {
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

// The era of a calendar date: {ja, en, year} where year 1 is 元年; null before Meiji 6.
export function eraOf(y, m, d) {
  for (const e of ERAS) {
    if (cmpYmd([y, m, d], e.start) >= 0) {
      return { ja: e.ja, en: e.en, year: y - (e.firstYear || e.start[0]) + 1 };
    }
  }
  return null;
}

// "令和7年", "令和元年"; "" when the date is before the eras we know.
export function warekiYear(y, m, d) {
  const e = eraOf(y, m, d);
  if (!e) return '';
  return `${e.ja}${e.year === 1 ? '元' : e.year}年`;
}

// Calendar parts of an instant in JST. Accepts an RFC 3339 string, a Date or milliseconds.
// Returns null for anything that is not a valid time.
export function jstParts(t) {
  if (t === null || t === undefined || t === '') return null;
  const ms = t instanceof Date ? t.getTime() : typeof t === 'number' ? t : Date.parse(t);
  if (!Number.isFinite(ms)) return null;
  const j = new Date(ms + JST_OFFSET_MS);
  return {
    y: j.getUTCFullYear(),
    m: j.getUTCMonth() + 1,
    d: j.getUTCDate(),
    hh: j.getUTCHours(),
    mm: j.getUTCMinutes(),
  };
}

const pad2 = (n) => String(n).padStart(2, '0');
const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// A date with both calendars: ja "2025年(令和7年)11月21日", en "21 Nov 2025 (Reiwa 7)".
export function formatDate(t, lang = 'ja') {
  const p = jstParts(t);
  if (!p) return '';
  const e = eraOf(p.y, p.m, p.d);
  if (lang === 'en') {
    const era = e ? ` (${e.en} ${e.year})` : '';
    return `${p.d} ${MONTHS_EN[p.m - 1]} ${p.y}${era}`;
  }
  const w = warekiYear(p.y, p.m, p.d);
  return `${p.y}年${w ? `(${w})` : ''}${p.m}月${p.d}日`;
}

// Date and time in JST: "2025年(令和7年)11月21日 14:05", en "21 Nov 2025 (Reiwa 7) 14:05 JST".
export function formatDateTime(t, lang = 'ja') {
  const p = jstParts(t);
  if (!p) return '';
  const time = `${pad2(p.hh)}:${pad2(p.mm)}`;
  return lang === 'en' ? `${formatDate(t, lang)} ${time} JST` : `${formatDate(t, lang)} ${time}`;
}

// Japanese fiscal year (年度, April to March) of an instant: {start: 2025, label: "令和7年度"}.
export function fiscalYear(t, lang = 'ja') {
  const p = jstParts(t);
  if (!p) return null;
  const start = p.m >= 4 ? p.y : p.y - 1;
  // Named in the era in force when the year ends (FY2019 is 令和元年度, not 平成31年度), unless
  // that era began inside the year's last months (FY1988 stays 昭和63年度).
  let e = eraOf(start + 1, 3, 31);
  let n = e ? e.year - 1 : 0;
  if (e && n < 1) {
    e = eraOf(start, 4, 1);
    n = e ? e.year : 0;
  }
  let label;
  if (lang === 'en') label = `FY${start}`;
  else if (e) label = `${e.ja}${n === 1 ? '元' : n}年度`;
  else label = `${start}年度`;
  return { start, label };
}

// Groups of three digits with commas: 8731300 -> "8,731,300".
export function groupDigits(n) {
  const s = String(Math.trunc(Math.abs(n)));
  return s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

// The size of a list: grouped digits, or "10,000+" when the API stopped counting
// ("total_capped": true, docs/api.md Lists) — the total is then a floor, not the count.
export function formatCount(total, capped = false) {
  if (typeof total !== 'number' || !Number.isFinite(total)) return '';
  return capped ? `${groupDigits(total)}+` : groupDigits(total);
}

const UNITS_JA = [
  { v: 10n ** 12n, s: '兆' },
  { v: 10n ** 8n, s: '億' },
  { v: 10n ** 4n, s: '万' },
];

// Yen in Japanese units: 8731300000 -> "87億3,130万円", 12345 -> "1万2,345円", 0 -> "0円".
// en: "¥8,731,300,000". Non-integers and non-numbers give "".
export function formatYen(n, lang = 'ja') {
  if (typeof n === 'string' && /^-?\d+$/.test(n.trim())) n = Number(n.trim());
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) return '';
  const neg = n < 0;
  if (lang === 'en') return `${neg ? '-' : ''}¥${groupDigits(n)}`;
  let rest = BigInt(Math.abs(n));
  let out = '';
  for (const u of UNITS_JA) {
    const q = rest / u.v;
    if (q > 0n) {
      out += groupDigits(Number(q)) + u.s;
      rest %= u.v;
    }
  }
  if (rest > 0n || out === '') out += groupDigits(Number(rest));
  return `${neg ? '-' : ''}${out}円`;
}

// The value of an <input type="date"> (YYYY-MM-DD, a JST calendar day) as the RFC 3339 UTC
// instant of that day's JST midnight; plusDays shifts it (for an exclusive upper bound).
// Returns "" for an empty or malformed value.
export function jstDayToUtc(ymd, plusDays = 0) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd || '');
  if (!m) return '';
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3] + plusDays) - JST_OFFSET_MS;
  if (!Number.isFinite(ms)) return '';
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// The value of an <input type="datetime-local"> read as JST, as RFC 3339 UTC; "" if malformed.
export function jstLocalToUtc(local) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local || '');
  if (!m) return '';
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]) - JST_OFFSET_MS;
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// The inverse: an instant as "YYYY-MM-DDTHH:MM" in JST for a datetime-local input.
export function utcToJstLocal(t) {
  const p = jstParts(t);
  if (!p) return '';
  return `${p.y}-${pad2(p.m)}-${pad2(p.d)}T${pad2(p.hh)}:${pad2(p.mm)}`;
}

// A case timeline's detail ("task=<uuid> done", "observable=<uuid> role=contact") without the
// internal ids, which mean nothing to a reader: "done", "role=contact".
export function tidyDetail(detail) {
  if (typeof detail !== 'string') return '';
  return detail.replace(/\b[a-z_]+=[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '')
    .replace(/\s+/g, ' ').trim();
}
