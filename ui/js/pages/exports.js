// エクスポート (センサー向け): the store's indicators as a file for a network sensor
// (GET /api/v1/exports/{format}). The analyst chooses the format, the type, the audience and the
// highest TLP; the page asks the server for the file, shows how many indicators it holds and
// its first lines, and offers it for download. Each file made is an export the server audits.
import { h, field, select } from '../dom.js';
import { pageHead, section, errorBox, showError, hideError } from '../components.js';
import { ApiError, queryString } from '../api.js';
import { groupDigits } from '../format.js';

// The types each format carries (docs/sweep.md "Exports for sensors"); `perType`: one file per
// type, so a type must be chosen.
const FORMATS = {
  'zeek-intel': { types: ['ipv4', 'ipv6', 'cidr', 'domain', 'url', 'email', 'md5', 'sha1', 'sha256'], perType: false },
  rpz: { types: ['ipv4', 'ipv6', 'cidr', 'domain'], perType: false },
  'suricata-rules': { types: ['ipv4', 'ipv6', 'cidr', 'domain', 'md5', 'sha1', 'sha256'], perType: false },
  'suricata-datasets': { types: ['ipv4', 'ipv6', 'domain', 'md5', 'sha1', 'sha256'], perType: true },
  blocklist: { types: ['ipv4', 'ipv6', 'cidr', 'domain', 'url', 'email', 'md5', 'sha1', 'sha256'], perType: true },
};
const AUDIENCES = ['partners', 'police', 'public'];
const TLPS = ['CLEAR', 'GREEN', 'AMBER'];
const PREVIEW_LINES = 20;

// GET of a file (not JSON): the body as text, the indicator count and the file name. Errors
// are the API's JSON errors, as ApiError.
async function fetchFile(ctx, path, query) {
  let res;
  try {
    res = await fetch(`/api/v1${path}${queryString(query)}`, { credentials: 'same-origin' });
  } catch (e) {
    throw new ApiError(0, 'network', e.message, '');
  }
  const text = await res.text();
  if (!res.ok) {
    let e = {};
    try {
      e = JSON.parse(text).error || {};
    } catch {
      e = {};
    }
    const err = new ApiError(res.status, e.code, e.message, e.field);
    if (res.status === 401 && ctx.api.onUnauthenticated) ctx.api.onUnauthenticated(err);
    throw err;
  }
  const disp = res.headers.get('Content-Disposition') || '';
  const m = /filename="([^"]+)"/.exec(disp);
  return {
    text,
    count: Number(res.headers.get('X-Renkei-Count') || 0),
    name: m ? m[1] : 'renkei-export.txt',
    type: (res.headers.get('Content-Type') || 'text/plain').split(';')[0],
  };
}

export async function render(ctx, view) {
  const t = (k, p) => ctx.i18n.t(k, p);
  const box = errorBox();
  const fmt = select(Object.keys(FORMATS).map((f) => ({ value: f, label: t(`export.format.${f}`) })), 'zeek-intel', { id: 'export-format' });
  const type = h('select', { id: 'export-type' });
  const audience = select(AUDIENCES.map((a) => ({ value: a, label: t(`export.audience.${a}`) })), 'partners', { id: 'export-audience' });
  const tlp = select([{ value: '', label: t('export.tlp_any') }, ...TLPS.map((x) => ({ value: x, label: `TLP:${x}` }))], '', { id: 'export-tlp' });
  const hint = h('p', { class: 'muted small', id: 'export-rule' });
  const result = h('div', { id: 'export-result', role: 'status' });
  let blobUrl = null;

  // The type list of the chosen format; "all types" only where the format makes one file.
  const fillTypes = () => {
    const f = FORMATS[fmt.value];
    const keep = type.value;
    type.replaceChildren(...[
      ...(f.perType ? [] : [{ value: '', label: t('export.type_all') }]),
      ...f.types.map((x) => ({ value: x, label: t(`export.type.${x}`) })),
    ].map((o) => h('option', { value: o.value, selected: o.value === keep }, o.label)));
  };
  const fillRule = () => { hint.textContent = t(`export.rule.${audience.value}`); };
  fmt.addEventListener('change', fillTypes);
  audience.addEventListener('change', fillRule);
  fillTypes();
  fillRule();

  const form = h('form', { class: 'export-form', id: 'export-form' });
  const make = async (ev) => {
    ev.preventDefault();
    hideError(box);
    result.replaceChildren(h('p', { class: 'muted' }, t('common.loading')));
    try {
      const file = await fetchFile(ctx, `/exports/${encodeURIComponent(fmt.value)}`, {
        audience: audience.value, type: type.value, tlp_max: tlp.value,
      });
      if (blobUrl) URL.revokeObjectURL(blobUrl);
      blobUrl = URL.createObjectURL(new Blob([file.text], { type: file.type }));
      const lines = file.text.split('\n');
      const shown = lines.slice(0, PREVIEW_LINES).join('\n');
      result.replaceChildren(
        h('p', { class: 'count', id: 'export-count' }, t('export.count', { n: groupDigits(file.count), audience: t(`export.audience.${audience.value}`) })),
        h('p', {}, h('a', { href: blobUrl, download: file.name, class: 'btn btn-primary', id: 'export-download' }, t('export.download', { name: file.name }))),
        h('h3', {}, t('export.preview')),
        h('pre', { class: 'export-preview', id: 'export-preview' }, shown + (lines.length > PREVIEW_LINES ? '\n…' : '')));
    } catch (err) {
      result.replaceChildren();
      showError(ctx, box, err, form);
    }
  };
  form.addEventListener('submit', make);
  form.append(box,
    field(t('export.format_label'), fmt, { name: 'format' }),
    field(t('export.type_label'), type, { name: 'type' }),
    field(t('export.audience_label'), audience, { name: 'audience' }),
    hint,
    field(t('export.tlp_label'), tlp, { name: 'tlp_max' }),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary', id: 'export-make' }, t('export.make'))));

  view.append(pageHead(t('export.title')), h('p', { class: 'lead' }, t('export.lead')),
    section(t('export.form_title'), form, result),
    h('p', { class: 'muted small' }, t('export.audit_note')));
}
