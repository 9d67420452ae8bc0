// Unit tests of ui/js/ref.js: reading GET /api/v1/ref for forms and the workflow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { refList, refItem, refOptions, refName, nextStates, needsApproval } from '../../ui/js/ref.js';
import { I18n } from '../../ui/js/i18n.js';

// The shape lib/model/ref.c returns, cut down.
const REF = {
  categories: [
    { code: 'phishing', ja: 'フィッシング', en: 'Phishing', bucket: 'phishing' },
    { code: 'support_scam', ja: 'サポート詐欺', en: 'Tech-support scam', bucket: 'fraud' },
  ],
  report_states: [
    { code: 'received', ja: '受付', en: 'Received' },
    { code: 'in_progress', ja: '対応中', en: 'In progress' },
    { code: 'handed_over', ja: '引継ぎ', en: 'Handed over' },
    { code: 'closed', ja: '完結', en: 'Closed', final: true },
  ],
  report_transitions: [
    { from: 'received', to: 'in_progress', approval: false },
    { from: 'in_progress', to: 'handed_over', approval: true },
    { from: 'in_progress', to: 'closed', approval: false },
  ],
  case_transitions: [{ from: 'open', to: 'jikenka', approval: true }],
};

function i18n(lang) {
  const i = new I18n(null);
  i.setLang(lang);
  return i;
}

test('refList accepts arrays of objects, arrays of codes and objects keyed by code', () => {
  assert.deepEqual(refList(REF, 'categories').map((x) => x.code), ['phishing', 'support_scam']);
  assert.deepEqual(refList({ tlp: ['RED', 'AMBER'] }, 'tlp'), [{ code: 'RED' }, { code: 'AMBER' }]);
  assert.deepEqual(refList({ s: { a: { ja: 'あ' } } }, 's'), [{ code: 'a', ja: 'あ' }]);
  assert.deepEqual(refList(REF, 'missing'), []);
  assert.deepEqual(refList(null, 'categories'), []);
});

test('labels follow the language; unknown codes show as themselves', () => {
  assert.equal(refName(REF, 'categories', 'phishing', i18n('ja')), 'フィッシング');
  assert.equal(refName(REF, 'categories', 'phishing', i18n('en')), 'Phishing');
  assert.equal(refName(REF, 'categories', 'nope', i18n('ja')), 'nope');
  assert.equal(refName(REF, 'categories', '', i18n('ja')), '');
  assert.equal(refItem(REF, 'categories', 'support_scam').bucket, 'fraud');
  assert.deepEqual(refOptions(REF, 'categories', i18n('en'), 'All'), [
    { value: '', label: 'All' },
    { value: 'phishing', label: 'Phishing' },
    { value: 'support_scam', label: 'Tech-support scam' },
  ]);
});

test('nextStates follows the transition list of the right machine', () => {
  assert.deepEqual(nextStates(REF, 'report_states', 'received'), ['in_progress']);
  assert.deepEqual(nextStates(REF, 'report_states', 'in_progress'), ['handed_over', 'closed']);
  assert.deepEqual(nextStates(REF, 'report_states', 'closed'), []);
  assert.deepEqual(nextStates(REF, 'case_states', 'open'), ['jikenka']);
  assert.deepEqual(nextStates(REF, 'case_states', 'received'), []);
  // The object's own list wins when the server sends one.
  assert.deepEqual(nextStates(REF, 'report_states', 'received', { allowed_transitions: ['closed'] }), ['closed']);
  assert.deepEqual(nextStates({}, 'report_states', 'received'), []);
});

test('needsApproval marks the steps that need 決裁', () => {
  assert.equal(needsApproval(REF, 'report_states', 'in_progress', 'handed_over'), true);
  assert.equal(needsApproval(REF, 'report_states', 'in_progress', 'closed'), false);
  assert.equal(needsApproval(REF, 'report_states', 'received', 'handed_over'), false);
  assert.equal(needsApproval(REF, 'case_states', 'open', 'jikenka'), true);
});
