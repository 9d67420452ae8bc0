// Intake of a 通報・相談 (DOMAIN.md §7): intake type and channel separate from the category,
// the reporter, the incident with its narrative, and a live preview of the observables Renkei
// finds in the text while the officer types (POST /observables/preview, debounced).
import { h, field, select, debounce, append } from '../dom.js';
import { errorBox, showError, hideError, pageHead, tlpBadge, TLP_CODES } from '../components.js';
import { refList, refOptions } from '../ref.js';
import { formatYen, jstLocalToUtc, utcToJstLocal } from '../format.js';
import { ransomwareBlock, cryptoBlock, attachmentsBlock, RANSOMWARE_CATEGORY } from './intake-more.js';

const PREVIEW_DELAY_MS = 350;
const GENDERS = ['male', 'female', 'other', 'unspecified'];
const ACCOUNT_TYPES = ['futsu', 'toza', 'chochiku', 'other'];

function categoryOptions(ctx, first) {
  // Categories may come grouped ({"group": code}) under the NPA buckets: use <optgroup>.
  const cats = refList(ctx.ref, 'categories');
  const groups = refList(ctx.ref, 'buckets');
  const opts = [h('option', { value: '' }, first)];
  const byGroup = new Map();
  for (const c of cats) {
    const g = c.bucket || c.group || '';
    if (!byGroup.has(g)) byGroup.set(g, []);
    byGroup.get(g).push(c);
  }
  for (const [g, list] of byGroup) {
    const items = list.map((c) => h('option', { value: c.code }, ctx.i18n.label(c)));
    if (g) {
      const gi = groups.find((x) => x.code === g);
      opts.push(h('optgroup', { label: gi ? ctx.i18n.label(gi) : g }, items));
    } else {
      opts.push(...items);
    }
  }
  return opts;
}

function bankAccountRow(ctx, idx, onRemove) {
  const t = (k, p) => ctx.i18n.t(k, p);
  const p = `bank_accounts[${idx}]`;
  const inputs = {
    bank_name: h('input', { type: 'text' }),
    bank_code: h('input', { type: 'text', inputmode: 'numeric', maxlength: '4', placeholder: '0000' }),
    branch_name: h('input', { type: 'text' }),
    branch_code: h('input', { type: 'text', inputmode: 'numeric', maxlength: '3', placeholder: '000' }),
    account_type: select([{ value: '', label: '—' }, ...ACCOUNT_TYPES.map((c) => ({ value: c, label: t(`account_type.${c}`) }))], ''),
    number: h('input', { type: 'text', inputmode: 'numeric', maxlength: '8' }),
    holder_kana: h('input', { type: 'text' }),
  };
  const row = h('fieldset', { class: 'subgroup' },
    h('legend', {}, t('intake.bank_account_n', { n: idx + 1 })),
    h('div', { class: 'grid' },
      field(t('intake.bank'), inputs.bank_name, { name: `${p}.bank_name` }),
      field(t('intake.bank_code'), inputs.bank_code, { name: `${p}.bank_code` }),
      field(t('intake.branch'), inputs.branch_name, { name: `${p}.branch_name` }),
      field(t('intake.branch_code'), inputs.branch_code, { name: `${p}.branch_code` }),
      field(t('intake.account_type'), inputs.account_type, { name: `${p}.account_type` }),
      field(t('intake.account_number'), inputs.number, { name: `${p}.number` }),
      field(t('intake.holder_kana'), inputs.holder_kana, { name: `${p}.holder_kana`, wide: true })),
    h('button', { type: 'button', class: 'btn btn-small', onclick: () => onRemove(row) }, t('intake.remove_account')));
  row.readValue = () => {
    const o = {};
    for (const [k, el] of Object.entries(inputs)) if (el.value.trim()) o[k] = el.value.trim();
    return Object.keys(o).length ? o : null;
  };
  return row;
}

export async function render(ctx, view) {
  const t = (k, p) => ctx.i18n.t(k, p);
  const { ref } = ctx;
  const box = errorBox();

  const c = {
    intake_type: select(refOptions(ref, 'intake_types', ctx.i18n, t('common.choose')), ''),
    channel: select(refOptions(ref, 'channels', ctx.i18n, t('common.choose')), ''),
    category: h('select', {}, categoryOptions(ctx, t('common.choose'))),
    received_at: h('input', { type: 'datetime-local', value: utcToJstLocal(Date.now()) }),
    occurred_at: h('input', { type: 'datetime-local' }),
    recognised_at: h('input', { type: 'datetime-local' }),
    urgent: h('input', { type: 'checkbox' }),
    npa_reported: h('input', { type: 'checkbox', 'aria-describedby': 'npa-reported-hint' }),
    tlp: select(refList(ref, 'tlp').length ? refOptions(ref, 'tlp', ctx.i18n) : TLP_CODES.map((x) => ({ value: x, label: `TLP:${x}` })), 'AMBER'),
    scope: select(refOptions(ref, 'scopes', ctx.i18n), 'prefecture'),
    title: h('input', { type: 'text', maxlength: '200' }),
    narrative: h('textarea', { rows: '10' }),
    damage_amount: h('input', { type: 'number', min: '0', step: '1', inputmode: 'numeric' }),
    sms_text: h('textarea', { rows: '3' }),
    urls: h('textarea', { rows: '2', spellcheck: 'false' }),
    sender: h('input', { type: 'text', spellcheck: 'false' }),
    r_type: select(refOptions(ref, 'reporter_types', ctx.i18n, t('common.choose')), ''),
    r_name: h('input', { type: 'text', autocomplete: 'off' }),
    r_kana: h('input', { type: 'text', autocomplete: 'off' }),
    r_age: h('input', { type: 'number', min: '0', max: '130', inputmode: 'numeric' }),
    r_gender: select([{ value: '', label: '—' }, ...GENDERS.map((g) => ({ value: g, label: t(`gender.${g}`) }))], ''),
    r_postal: h('input', { type: 'text', inputmode: 'numeric', placeholder: '123-4567', maxlength: '8' }),
    r_pref: h('input', { type: 'text' }),
    r_city: h('input', { type: 'text' }),
    r_address: h('input', { type: 'text' }),
    r_phone: h('input', { type: 'tel' }),
    r_email: h('input', { type: 'email' }),
    r_reply: h('input', { type: 'checkbox' }),
  };
  c.urgent.dataset.field = 'urgent';
  c.npa_reported.dataset.field = 'npa_reported';
  c.r_reply.dataset.field = 'reporter.wants_reply';
  const scopeBox = h('div', { class: 'tlp-preview' }, tlpBadge('AMBER'));
  c.tlp.addEventListener('change', () => scopeBox.replaceChildren(tlpBadge(c.tlp.value)));

  const yenOut = h('output', { class: 'yen-out', for: 'damage-amount' });
  c.damage_amount.id = 'damage-amount';
  c.damage_amount.dataset.field = 'damage_amount';
  c.damage_amount.addEventListener('input', () => {
    const v = c.damage_amount.value.trim();
    yenOut.textContent = /^\d+$/.test(v) ? formatYen(Number(v), ctx.i18n.lang) : '';
  });

  // Bank accounts: none until asked for.
  const accounts = h('div', { class: 'accounts' });
  const rows = [];
  const removeRow = (row) => {
    rows.splice(rows.indexOf(row), 1);
    row.remove();
  };
  const addAccount = h('button', { type: 'button', class: 'btn btn-small', onclick: () => {
    const row = bankAccountRow(ctx, rows.length, removeRow);
    rows.push(row);
    accounts.append(row);
  } }, t('intake.add_account'));

  // The ransomware block (DOMAIN.md §3) only for the ransomware category; crypto transfers and
  // attachments for any.
  const rw = ransomwareBlock(ctx);
  const showRansomware = () => { rw.el.hidden = c.category.value !== RANSOMWARE_CATEGORY; };
  c.category.addEventListener('change', showRansomware);

  // The live preview of observables found in the narrative and the SMS text.
  const previewList = h('ul', { class: 'obs-preview', id: 'obs-preview', 'aria-live': 'polite' });
  const previewState = h('p', { class: 'muted', id: 'obs-preview-state' }, t('intake.preview_empty'));
  let previewSeq = 0;
  const runPreview = async () => {
    const text = [c.narrative.value, c.sms_text.value, c.urls.value, c.sender.value,
      rw.el.hidden ? '' : rw.text(), cryptoRows.text()].filter(Boolean).join('\n');
    const seq = ++previewSeq;
    if (!text.trim()) {
      previewList.replaceChildren();
      previewState.textContent = t('intake.preview_empty');
      return;
    }
    try {
      const res = await ctx.api.post('/observables/preview', { text });
      if (seq !== previewSeq) return; // an older answer arriving late
      const items = (res && res.observables) || [];
      previewList.replaceChildren(...items.map((o) => h('li', { class: 'obs-item', 'data-type': o.type },
        h('span', { class: `obs-type obs-${o.type}` }, t(`obs.${o.type}`) === `obs.${o.type}` ? o.type : t(`obs.${o.type}`)),
        h('span', { class: 'obs-canonical' }, o.canonical),
        // The Unicode form of an IDN host, else the text as typed when it differs.
        (o.display && o.display !== o.canonical) ? h('span', { class: 'obs-raw' }, o.display)
          : (o.value && o.value !== o.canonical) ? h('span', { class: 'obs-raw' }, o.value) : null)));
      previewState.textContent = items.length ? t('intake.preview_count', { n: items.length }) : t('intake.preview_none');
    } catch (e) {
      if (seq !== previewSeq) return;
      previewState.textContent = t('intake.preview_failed', { message: e.message });
    }
  };
  const schedulePreview = debounce(runPreview, PREVIEW_DELAY_MS);
  const cryptoRows = cryptoBlock(ctx, schedulePreview);
  const attachments = attachmentsBlock(ctx);
  rw.controls.ransom_note.addEventListener('input', schedulePreview);
  c.category.addEventListener('change', schedulePreview);
  c.narrative.addEventListener('input', schedulePreview);
  c.sms_text.addEventListener('input', schedulePreview);
  c.urls.addEventListener('input', schedulePreview);
  c.sender.addEventListener('input', schedulePreview);

  const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'intake-submit' }, t('intake.submit'));
  const form = h('form', { class: 'intake-form', novalidate: true },
    box,
    h('fieldset', { class: 'card' }, h('legend', {}, t('intake.sec_intake')),
      h('div', { class: 'grid' },
        field(t('field.intake_type'), c.intake_type, { name: 'intake_type', required: true }),
        field(t('field.channel'), c.channel, { name: 'channel', required: true }),
        field(t('field.category'), c.category, { name: 'category', required: true, hint: t('intake.category_hint') }),
        field(t('field.received_at'), c.received_at, { name: 'received_at', required: true, hint: t('common.jst') }),
        field(t('field.occurred_at'), c.occurred_at, { name: 'occurred_at', hint: t('common.jst') }),
        field(t('field.recognised_at'), c.recognised_at, { name: 'recognised_at', hint: t('common.jst') }),
        h('div', { class: 'field check' }, h('label', {}, c.urgent, ' ', t('field.urgent'))),
        h('div', { class: 'field check' }, h('label', {}, c.npa_reported, ' ', t('field.npa_reported')),
          h('div', { class: 'hint', id: 'npa-reported-hint' }, t('intake.npa_reported_hint'))),
        append(field(t('field.tlp'), c.tlp, { name: 'tlp' }), [scopeBox]),
        field(t('field.scope'), c.scope, { name: 'scope' }))),
    h('fieldset', { class: 'card' }, h('legend', {}, t('intake.sec_incident')),
      h('div', { class: 'intake-body' },
        h('div', { class: 'intake-title' }, field(t('field.title'), c.title, { name: 'title', required: true, wide: true })),
        h('div', { class: 'intake-narrative' }, field(t('field.narrative'), c.narrative, { name: 'narrative', required: true, wide: true, hint: t('intake.narrative_hint') })),
        h('div', { class: 'intake-text' },
          field(t('field.urls'), c.urls, { name: 'urls', wide: true, hint: t('intake.urls_hint') }),
          field(t('field.sender'), c.sender, { name: 'sender', wide: true, hint: t('intake.sender_hint') }),
          field(t('field.sms_text'), c.sms_text, { name: 'sms_text', wide: true }),
          h('div', { class: 'field' },
            h('label', { for: 'damage-amount' }, t('field.damage_amount')),
            h('div', { class: 'yen-row' }, c.damage_amount, h('span', { 'aria-hidden': 'true' }, t('common.yen_unit')), yenOut))),
        h('aside', { class: 'preview', 'aria-labelledby': 'preview-h' },
          h('h3', { id: 'preview-h' }, t('intake.preview_title')),
          previewState, previewList))),
    rw.el,
    h('fieldset', { class: 'card' }, h('legend', {}, t('intake.sec_reporter')),
      h('div', { class: 'grid' },
        field(t('field.reporter_type'), c.r_type, { name: 'reporter.type', required: true }),
        field(t('field.reporter_name'), c.r_name, { name: 'reporter.name' }),
        field(t('field.reporter_kana'), c.r_kana, { name: 'reporter.kana' }),
        field(t('field.reporter_age'), c.r_age, { name: 'reporter.age' }),
        field(t('field.reporter_gender'), c.r_gender, { name: 'reporter.gender' }),
        field(t('field.reporter_postal'), c.r_postal, { name: 'reporter.postal_code' }),
        field(t('field.reporter_prefecture'), c.r_pref, { name: 'reporter.prefecture' }),
        field(t('field.reporter_city'), c.r_city, { name: 'reporter.city' }),
        field(t('field.reporter_address'), c.r_address, { name: 'reporter.address' }),
        field(t('field.reporter_phone'), c.r_phone, { name: 'reporter.phone', hint: t('intake.daytime') }),
        field(t('field.reporter_email'), c.r_email, { name: 'reporter.email' }),
        h('div', { class: 'field check' }, h('label', {}, c.r_reply, ' ', t('field.wants_reply'))))),
    h('fieldset', { class: 'card' }, h('legend', {}, t('intake.sec_accounts')), accounts, addAccount),
    cryptoRows.el,
    attachments.el,
    h('div', { class: 'form-actions sticky-actions' }, submit));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    hideError(box);
    const body = {
      intake_type: c.intake_type.value,
      channel: c.channel.value,
      category: c.category.value,
      title: c.title.value.trim(),
      narrative: c.narrative.value,
      received_at: jstLocalToUtc(c.received_at.value),
      urgent: c.urgent.checked,
      npa_reported: c.npa_reported.checked,
      tlp: c.tlp.value,
      scope: c.scope.value,
    };
    // Checked here only so the officer gets the message at once; the server checks again.
    for (const k of ['intake_type', 'channel', 'category', 'received_at', 'title', 'narrative']) {
      if (!String(body[k]).trim()) {
        showError(ctx, box, { code: 'invalid', field: k, message: t('intake.required') }, form);
        return;
      }
    }
    if (c.occurred_at.value) body.occurred_at = jstLocalToUtc(c.occurred_at.value);
    if (c.recognised_at.value) body.recognised_at = jstLocalToUtc(c.recognised_at.value);
    if (c.damage_amount.value.trim()) body.damage_amount = Number(c.damage_amount.value);
    if (c.sms_text.value.trim()) body.sms_text = c.sms_text.value;
    const urls = c.urls.value.split('\n').map((x) => x.trim()).filter(Boolean);
    if (urls.length) body.urls = urls;
    if (c.sender.value.trim()) body.sender = c.sender.value.trim();
    const rep = { type: c.r_type.value };
    const put = (k, el) => { if (el.value.trim()) rep[k] = el.value.trim(); };
    put('name', c.r_name); put('kana', c.r_kana); put('gender', c.r_gender); put('postal_code', c.r_postal);
    put('prefecture', c.r_pref); put('city', c.r_city); put('address', c.r_address); put('phone', c.r_phone); put('email', c.r_email);
    if (c.r_age.value.trim()) rep.age = Number(c.r_age.value);
    rep.wants_reply = c.r_reply.checked;
    if (!rep.type) {
      showError(ctx, box, { code: 'invalid', field: 'reporter.type', message: t('intake.required') }, form);
      return;
    }
    body.reporter = rep;
    const accts = rows.map((r) => r.readValue()).filter(Boolean);
    if (accts.length) body.bank_accounts = accts;
    const ransomware = body.category === RANSOMWARE_CATEGORY ? rw.read() : null;
    if (ransomware) body.ransomware = ransomware;
    const transfers = cryptoRows.read();
    if (transfers.length) body.crypto = transfers;
    const files = attachments.read();
    if (files.length) body.attachments = files;
    submit.disabled = true;
    try {
      const created = await ctx.api.post('/reports', body);
      ctx.flash(t('intake.filed', { ref: created.ref || created.id }));
      location.hash = `#/reports/${encodeURIComponent(created.id)}`;
    } catch (err) {
      showError(ctx, box, err, form);
    } finally {
      submit.disabled = false;
    }
  });

  view.append(pageHead(t('intake.title')), h('p', { class: 'lead' }, t('intake.lead')), form);
}
