// Unit tests of ui/js/i18n.js lookups and of the two message catalogues.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lookup, pickLang, refLabel, I18n } from '../../ui/js/i18n.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const load = (l) => JSON.parse(fs.readFileSync(path.join(here, '../../ui/i18n', `${l}.json`), 'utf8'));

test('lookup fills placeholders and shows a missing key as itself', () => {
  const cat = { 'a.b': '{n} 件', 'x': '{a} と {b}', 'same': '{n}{n}' };
  assert.equal(lookup(cat, 'a.b', { n: 3 }), '3 件');
  assert.equal(lookup(cat, 'x', { a: 'A' }), 'A と {b}');
  assert.equal(lookup(cat, 'same', { n: 1 }), '11');
  assert.equal(lookup(cat, 'nope'), 'nope');
  assert.equal(lookup(undefined, 'nope'), 'nope');
  assert.equal(lookup(cat, 'toString'), 'toString');
});

test('pickLang defaults to Japanese', () => {
  assert.equal(pickLang(null), 'ja');
  assert.equal(pickLang('en'), 'en');
  assert.equal(pickLang('ja'), 'ja');
  assert.equal(pickLang('fr'), 'ja');
});

test('refLabel reads each label shape', () => {
  assert.equal(refLabel({ code: 'phishing', ja: 'フィッシング', en: 'Phishing' }, 'ja'), 'フィッシング');
  assert.equal(refLabel({ code: 'phishing', ja: 'フィッシング', en: 'Phishing' }, 'en'), 'Phishing');
  assert.equal(refLabel({ code: 'p', label: { ja: '詐欺', en: 'Fraud' } }, 'en'), 'Fraud');
  assert.equal(refLabel({ code: 'p', label_ja: '詐欺', label_en: 'Fraud' }, 'ja'), '詐欺');
  assert.equal(refLabel({ code: 'p', ja: '詐欺' }, 'en'), '詐欺');
  assert.equal(refLabel({ code: 'p' }, 'en'), 'p');
  assert.equal(refLabel(null, 'ja'), '');
});

test('the I18n object remembers the choice', () => {
  const store = new Map();
  const storage = { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => store.set(k, v) };
  const a = new I18n(storage);
  assert.equal(a.lang, 'ja');
  a.catalogues = { ja: { k: '日本語' }, en: { k: 'English' } };
  assert.equal(a.t('k'), '日本語');
  a.setLang('en');
  assert.equal(a.t('k'), 'English');
  const b = new I18n(storage);
  assert.equal(b.lang, 'en');
  const broken = { getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('denied'); } };
  const c = new I18n(broken);
  assert.equal(c.lang, 'ja');
  c.setLang('en');
  assert.equal(c.lang, 'en');
});

test('ja and en catalogues have the same keys, none empty, same placeholders', () => {
  const ja = load('ja');
  const en = load('en');
  assert.deepEqual(Object.keys(ja).sort(), Object.keys(en).sort());
  const ph = (s) => (s.match(/\{\w+\}/g) || []).sort().join(',');
  for (const k of Object.keys(ja)) {
    assert.ok(ja[k].trim() !== '', `ja ${k} empty`);
    assert.ok(en[k].trim() !== '', `en ${k} empty`);
    assert.equal(ph(ja[k]), ph(en[k]), `placeholders of ${k}`);
  }
});

test('every message key the UI code uses is in the catalogues', () => {
  const ja = load('ja');
  const root = path.join(here, '../../ui/js');
  const files = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else if (e.name.endsWith('.js')) files.push(path.join(d, e.name));
    }
  };
  walk(root);
  const missing = [];
  for (const f of files) {
    const src = fs.readFileSync(f, 'utf8');
    // t('key') calls and the route table's nav keys.
    for (const m of src.matchAll(/\bt\('([a-z_]+\.[a-z_0-9]+)'|nav: '([a-z_.]+)'/g)) {
      const k = m[1] || m[2];
      if (!(k in ja)) missing.push(`${path.relative(root, f)}: ${k}`);
    }
  }
  assert.deepEqual(missing, []);
});

test('message families the UI builds from codes are complete', () => {
  const ja = load('ja');
  const families = {
    // (role labels come from GET /api/v1/ref "roles", not from the catalogues)
    error: ['error', 'invalid', 'too_big', 'not_found', 'forbidden', 'unauthenticated', 'conflict', 'io_error', 'out_of_memory', 'network'],
    gender: ['male', 'female', 'other', 'unspecified'],
    account_type: ['futsu', 'toza', 'chochiku', 'other'],
    relation: ['related', 'joint', 'duplicate', 'parent'],
    // include/renkei/obs.h rk_obs_type_name()
    obs: ['ipv4', 'ipv6', 'cidr', 'domain', 'url', 'email', 'md5', 'sha1', 'sha256', 'phone', 'bank-account', 'crypto-wallet', 'filename'],
    approvals: ['kind_report', 'kind_case', 'approved', 'rejected'],
    restricted: ['case', 'report'],
  };
  const missing = [];
  for (const [fam, codes] of Object.entries(families)) {
    for (const c of codes) if (!(`${fam}.${c}` in ja)) missing.push(`${fam}.${c}`);
  }
  assert.deepEqual(missing, []);
});
