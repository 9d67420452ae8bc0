// The rest of the DOMAIN.md §7 intake, as blocks the intake form adds and the report page
// shows: the ransomware block (§3, shown only for the ransomware category; coded answers from
// GET /api/v1/ref), crypto transfers (exchange, wallet, transaction) and attachments recorded by
// name, size and SHA-256 — the hash is computed here and the file itself is never sent.
import { h, field, select } from '../dom.js';
import { refOptions, refName } from '../ref.js';
import { formatYen, groupDigits } from '../format.js';
import { fileSha256 } from '../sha256.js';
import { details } from './common.js';

export const RANSOMWARE_CATEGORY = 'ransomware';
const MAX_CRYPTO = 10; // lib/model/report.c accepts at most 10 crypto and 20 attachment entries
const MAX_ATTACHMENTS = 20;

// Coded members and the reference list their codes come from.
const CODED = [['size', 'ransomware_sizes'], ['intrusion_route', 'intrusion_routes'],
  ['restored', 'restore_results'], ['recovery_time', 'recovery_times'], ['cost_band', 'cost_bands']];
const FLAGS = ['data_stolen', 'no_encryption', 'patched', 'backup', 'ppc_notified', 'ministry_notified'];
const TEXTS = ['industry', 'extension', 'device', 'device_version', 'av_edr'];

// A yes / no / not known choice: an unanswered question is left out rather than sent as "no".
function triState(ctx) {
  const t = (k) => ctx.i18n.t(k);
  return select([{ value: '', label: t('common.unknown') }, { value: 'yes', label: t('common.yes') }, { value: 'no', label: t('common.no') }], '');
}

export function ransomwareBlock(ctx) {
  const t = (k, p) => ctx.i18n.t(k, p);
  const c = {};
  for (const [k, list] of CODED) c[k] = select(refOptions(ctx.ref, list, ctx.i18n, '—'), '');
  for (const k of FLAGS) c[k] = triState(ctx);
  for (const k of TEXTS) c[k] = h('input', { type: 'text', maxlength: '200' });
  c.ransom_note = h('textarea', { rows: '4', spellcheck: 'false' });
  c.demand_amount = h('input', { type: 'number', min: '0', step: '1', inputmode: 'numeric' });
  c.demand_currency = h('input', { type: 'text', maxlength: '16', placeholder: 'BTC / USD / JPY', spellcheck: 'false' });
  const f = (k, opts = {}) => field(t(`rw.${k}`), c[k], { name: `ransomware.${k}`, ...opts });
  const el = h('fieldset', { class: 'card', id: 'ransomware-block', hidden: true },
    h('legend', {}, t('rw.title')),
    h('p', { class: 'muted small' }, t('rw.lead')),
    h('div', { class: 'grid' },
      f('size'), f('industry'),
      f('ransom_note', { wide: true, hint: t('rw.ransom_note_hint') }), f('extension', { hint: t('rw.extension_hint') }),
      f('data_stolen'), f('no_encryption'),
      f('demand_amount'), f('demand_currency'),
      f('intrusion_route'), f('device', { hint: t('rw.device_hint') }), f('device_version'), f('patched'),
      f('av_edr'), f('backup'), f('restored'), f('recovery_time'), f('cost_band'),
      f('ppc_notified'), f('ministry_notified')));
  return {
    el,
    controls: c,
    // The block as the API takes it, or null when nothing was answered.
    read() {
      const o = {};
      for (const [k] of CODED) if (c[k].value) o[k] = c[k].value;
      for (const k of FLAGS) if (c[k].value) o[k] = c[k].value === 'yes';
      for (const k of TEXTS) if (c[k].value.trim()) o[k] = c[k].value.trim();
      if (c.ransom_note.value.trim()) o.ransom_note = c.ransom_note.value;
      if (c.demand_amount.value.trim()) o.demand_amount = Number(c.demand_amount.value);
      if (c.demand_currency.value.trim()) o.demand_currency = c.demand_currency.value.trim();
      return Object.keys(o).length ? o : null;
    },
    // Text the live preview should also look at.
    text() {
      return c.ransom_note.value;
    },
  };
}

// Rows added on request: crypto transfers.
export function cryptoBlock(ctx, onInput) {
  const t = (k, p) => ctx.i18n.t(k, p);
  const rows = [];
  const list = h('div', { class: 'crypto-rows' });
  const add = h('button', { type: 'button', class: 'btn btn-small', id: 'add-crypto' }, t('crypto.add'));
  const renumber = () => {
    rows.forEach((r, i) => r.setIndex(i));
    add.disabled = rows.length >= MAX_CRYPTO;
  };
  add.addEventListener('click', () => {
    const inputs = {
      exchange: h('input', { type: 'text', maxlength: '200' }),
      wallet: h('input', { type: 'text', maxlength: '200', spellcheck: 'false' }),
      tx_hash: h('input', { type: 'text', maxlength: '200', spellcheck: 'false' }),
    };
    for (const el of Object.values(inputs)) el.addEventListener('input', onInput);
    const legend = h('legend', {});
    const fields = Object.keys(inputs).map((k) => field(t(`crypto.${k}`), inputs[k], { wide: k !== 'exchange' }));
    const row = h('fieldset', { class: 'subgroup crypto-row' }, legend, h('div', { class: 'grid' }, fields),
      h('button', { type: 'button', class: 'btn btn-small', onclick: () => {
        rows.splice(rows.indexOf(row), 1);
        row.remove();
        renumber();
        onInput();
      } }, t('crypto.remove')));
    row.setIndex = (i) => {
      legend.textContent = t('crypto.n', { n: i + 1 });
      for (const [k, el] of Object.entries(inputs)) el.dataset.field = `crypto[${i}].${k}`;
    };
    row.readValue = () => {
      const o = {};
      for (const [k, el] of Object.entries(inputs)) if (el.value.trim()) o[k] = el.value.trim();
      return Object.keys(o).length ? o : null;
    };
    rows.push(row);
    list.append(row);
    renumber();
  });
  const el = h('fieldset', { class: 'card', id: 'crypto-block' }, h('legend', {}, t('crypto.title')),
    h('p', { class: 'muted small' }, t('crypto.lead')), list, add);
  return {
    el,
    read: () => rows.map((r) => r.readValue()).filter(Boolean),
    text: () => rows.map((r) => Object.values(r.readValue() || {}).join('\n')).join('\n'),
  };
}

// Attachments: the officer picks files; each gets its SHA-256 here and only {name, size,
// sha256} is kept.
export function attachmentsBlock(ctx) {
  const t = (k, p) => ctx.i18n.t(k, p);
  const items = [];
  const picker = h('input', { type: 'file', multiple: true, id: 'attachment-files' });
  const state = h('p', { class: 'muted small', role: 'status', id: 'attachment-state' });
  const list = h('ul', { class: 'attachments', id: 'attachment-list' });
  const draw = () => {
    list.replaceChildren(...items.map((a, i) => h('li', { 'data-sha256': a.sha256 },
      h('span', { class: 'att-name' }, a.name), ' ',
      h('span', { class: 'muted' }, t('att.bytes', { n: groupDigits(a.size) })), ' ',
      h('code', { class: 'att-sha' }, a.sha256), ' ',
      h('button', { type: 'button', class: 'btn btn-small', onclick: () => { items.splice(i, 1); draw(); } }, t('att.remove')))));
    picker.disabled = items.length >= MAX_ATTACHMENTS;
  };
  picker.addEventListener('change', async () => {
    const files = [...picker.files].slice(0, MAX_ATTACHMENTS - items.length);
    picker.disabled = true;
    state.textContent = t('att.hashing', { n: files.length });
    try {
      for (const file of files) {
        const sha256 = await fileSha256(file);
        if (!items.some((a) => a.sha256 === sha256 && a.name === file.name)) items.push({ name: file.name, size: file.size, sha256 });
      }
      state.textContent = t('att.done', { n: items.length });
    } catch (e) {
      state.textContent = t('att.failed', { message: e && e.message ? e.message : String(e) });
    } finally {
      picker.value = '';
      draw();
    }
  });
  const el = h('fieldset', { class: 'card', id: 'attachments-block' }, h('legend', {}, t('att.title')),
    field(t('att.choose'), picker, { name: 'attachments', wide: true, hint: t('att.hint') }), state, list);
  return { el, read: () => items.map((a) => ({ ...a })) };
}

function yesNo(ctx, v) {
  if (v === undefined || v === null) return '';
  return v ? ctx.i18n.t('common.yes') : ctx.i18n.t('common.no');
}

function demand(rw, lang) {
  if (rw.demand_amount === undefined || rw.demand_amount === null) return rw.demand_currency || '';
  const cur = (rw.demand_currency || '').trim();
  if (!cur || /^(JPY|円|yen)$/i.test(cur)) return formatYen(rw.demand_amount, lang);
  return `${groupDigits(rw.demand_amount)} ${cur}`;
}

// The report page's sections for these fields (null when the report has none of them).
export function reportSections(ctx, r, section) {
  const t = (k, p) => ctx.i18n.t(k, p);
  const out = [];
  const rw = r.ransomware;
  if (rw && typeof rw === 'object') {
    const coded = (k, list) => refName(ctx.ref, list, rw[k], ctx.i18n);
    out.push(section(t('rw.title'), h('div', { id: 'report-ransomware' }, details([
      [t('rw.size'), coded('size', 'ransomware_sizes')],
      [t('rw.industry'), rw.industry],
      [t('rw.extension'), rw.extension ? h('code', {}, rw.extension) : ''],
      [t('rw.data_stolen'), yesNo(ctx, rw.data_stolen)],
      [t('rw.no_encryption'), yesNo(ctx, rw.no_encryption)],
      [t('rw.demand_amount'), demand(rw, ctx.i18n.lang)],
      [t('rw.intrusion_route'), coded('intrusion_route', 'intrusion_routes')],
      [t('rw.device'), [rw.device, rw.device_version].filter(Boolean).join(' ')],
      [t('rw.patched'), yesNo(ctx, rw.patched)],
      [t('rw.av_edr'), rw.av_edr],
      [t('rw.backup'), yesNo(ctx, rw.backup)],
      [t('rw.restored'), coded('restored', 'restore_results')],
      [t('rw.recovery_time'), coded('recovery_time', 'recovery_times')],
      [t('rw.cost_band'), coded('cost_band', 'cost_bands')],
      [t('rw.ppc_notified'), yesNo(ctx, rw.ppc_notified)],
      [t('rw.ministry_notified'), yesNo(ctx, rw.ministry_notified)],
      [t('rw.ransom_note'), rw.ransom_note ? h('div', { class: 'narrative' }, rw.ransom_note) : ''],
    ]))));
  }
  if (Array.isArray(r.crypto) && r.crypto.length) {
    out.push(section(t('crypto.title'), h('ul', { class: 'plain', id: 'report-crypto' }, r.crypto.map((x) => h('li', {}, details([
      [t('crypto.exchange'), x.exchange],
      [t('crypto.wallet'), x.wallet ? h('code', {}, x.wallet) : ''],
      [t('crypto.tx_hash'), x.tx_hash ? h('code', {}, x.tx_hash) : ''],
    ]))))));
  }
  if (Array.isArray(r.attachments) && r.attachments.length) {
    out.push(section(t('att.title'), h('ul', { class: 'plain attachments', id: 'report-attachments' }, r.attachments.map((a) => h('li', {},
      h('span', { class: 'att-name' }, a.name || ''), ' ',
      a.size !== undefined && a.size !== null ? h('span', { class: 'muted' }, t('att.bytes', { n: groupDigits(a.size) })) : null, ' ',
      h('code', { class: 'att-sha' }, a.sha256))))));
  }
  return out;
}
