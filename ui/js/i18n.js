// Message catalogues (ui/i18n/ja.json, ui/i18n/en.json). Japanese by default; the choice is
// remembered in localStorage. lookup() and pickLang() are pure, for tests/ui/i18n.test.mjs.

export const LANGS = ['ja', 'en'];
export const DEFAULT_LANG = 'ja';
const STORAGE_KEY = 'renkei.lang';

// The message for `key` with {name} placeholders filled from `params`; the key itself when the
// catalogue lacks it (visible, so a missing message is noticed rather than shown blank).
export function lookup(catalogue, key, params) {
  const raw = catalogue && Object.prototype.hasOwnProperty.call(catalogue, key) ? catalogue[key] : key;
  if (!params) return raw;
  return raw.replace(/\{(\w+)\}/g, (m, name) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : m);
}

// The language to use: a remembered valid choice, else the default.
export function pickLang(stored) {
  return LANGS.includes(stored) ? stored : DEFAULT_LANG;
}

// A label from reference data (GET /api/v1/ref) in `lang`. Accepts the shapes
// {"ja","en"}, {"label":{"ja","en"}}, {"label_ja","label_en"}, falling back to the code.
export function refLabel(item, lang) {
  if (!item) return '';
  if (typeof item === 'string') return item;
  const other = lang === 'ja' ? 'en' : 'ja';
  const cands = [
    item.label && typeof item.label === 'object' ? item.label[lang] : undefined,
    item[`label_${lang}`],
    item[lang],
    item.label && typeof item.label === 'string' && lang === 'ja' ? item.label : undefined,
    item.label && typeof item.label === 'object' ? item.label[other] : undefined,
    item[`label_${other}`],
    item[other],
    item.name,
    item.code,
  ];
  for (const c of cands) {
    if (typeof c === 'string' && c !== '') return c;
  }
  return '';
}

// The browser side: holds the loaded catalogues and the current language.
export class I18n {
  constructor(storage) {
    this.storage = storage;
    this.catalogues = {};
    let stored = null;
    try {
      stored = storage ? storage.getItem(STORAGE_KEY) : null;
    } catch {
      stored = null; // storage disabled: fall back to the default each time
    }
    this.lang = pickLang(stored);
  }

  async load(fetchFn) {
    for (const l of LANGS) {
      const url = new URL(`../i18n/${l}.json`, import.meta.url);
      const res = await fetchFn(url, { credentials: 'same-origin' });
      if (!res.ok) throw new Error(`message catalogue ${l}: HTTP ${res.status}`);
      this.catalogues[l] = await res.json();
    }
  }

  setLang(lang) {
    this.lang = pickLang(lang);
    try {
      if (this.storage) this.storage.setItem(STORAGE_KEY, this.lang);
    } catch {
      // not remembered; the switch still applies to this page
    }
  }

  t(key, params) {
    return lookup(this.catalogues[this.lang], key, params);
  }

  label(item) {
    return refLabel(item, this.lang);
  }
}
