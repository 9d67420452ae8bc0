// Unit tests of ui/js/errors.js: the server's English messages (as lib/ writes them) become the
// catalogue's Japanese sentences, with their numbers; unknown messages pass through; every key a
// rule names exists in both catalogues.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { matchMessage, localMessage, RULES } from '../../ui/js/errors.js';
import { lookup } from '../../ui/js/i18n.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const load = (l) => JSON.parse(fs.readFileSync(path.join(here, '../../ui/i18n', `${l}.json`), 'utf8'));
const ja = load('ja');
const en = load('en');
const tja = (k, p) => lookup(ja, k, p);

test('server messages map to Japanese sentences', () => {
  const cases = [
    ['required', '入力してください。'],
    ['must not be empty', '入力してください。'],
    ['unknown field', 'この項目は受け付けられません。'],
    ['unknown category', '選択肢にない値です。一覧から選んでください。'],
    ['unknown code (see cost_bands in GET /api/v1/ref)', '選択肢にない値です。一覧から選んでください。'],
    ['CLEAR, GREEN, AMBER, AMBER+STRICT or RED', '選択肢にない値です。一覧から選んでください。'],
    ['futsu, toza, chochiku or other', '選択肢にない値です。一覧から選んでください。'],
    ['out of range', '値が範囲外です（負の数や大きすぎる数は入力できません）。'],
    ['expected an RFC 3339 time or YYYY-MM-DD', '日時の形式が正しくありません。'],
    ['too long (at most 200 bytes)', '長すぎます（200 バイトまで。全角文字は1文字3バイト）。'],
    ['too long (70000 bytes, at most 65536)', '長すぎます（65536 バイトまで。全角文字は1文字3バイト）。'],
    ['too short (at least 12 characters)', '12 文字以上で入力してください。'],
    ['at most 20 entries', '20 件までです。'],
    ['expected 64 hexadecimal digits', 'SHA-256 は16進数64桁で入力してください。'],
    ['expected 123-4567', '郵便番号は 123-4567 の形式で入力してください。'],
    ['expected true or false', '値の形式が正しくありません。'],
    ['expected an array', '値の形式が正しくありません。'],
  ];
  for (const [msg, want] of cases) assert.equal(localMessage(msg, 'ja', tja), want, msg);
});

test('English keeps the server wording; unknown messages pass through', () => {
  assert.equal(localMessage('too long (at most 200 bytes)', 'en', tja), 'too long (at most 200 bytes)');
  assert.equal(localMessage('the approval vanished', 'ja', tja), 'the approval vanished');
  assert.equal(localMessage(undefined, 'ja', tja), '');
  assert.equal(matchMessage('required field'), null, 'whole messages only');
  assert.equal(matchMessage(42), null);
});

test('every rule names a key of both catalogues with the same placeholders as its groups', () => {
  for (const [re, key] of RULES) {
    assert.ok(key in ja, `ja lacks ${key}`);
    assert.ok(key in en, `en lacks ${key}`);
    const groups = [...re.source.matchAll(/\(\?<(\w+)>/g)].map((m) => `{${m[1]}}`).sort().join(',');
    const ph = (ja[key].match(/\{\w+\}/g) || []).sort().join(',');
    assert.equal(ph, groups, `placeholders of ${key}`);
  }
});
