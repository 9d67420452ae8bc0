// "ログ照合 (スイープ)" on a case's page: upload a victim's log files with an indicator file as
// a sweep job (POST /cases/{id}/sweep-jobs, PUT /sweep-jobs/{id}/files, POST .../start), a
// progress bar while the server sweeps them (polling GET /sweep-jobs/{id}), and the case's
// sightings (GET /cases/{id}/sightings) in three views: by indicator, by host and by time.
// The files go to the server as they are (.gz etc. included); the browser streams each file
// from disk, never reading it whole.
import { h, field } from '../dom.js';
import { section, empty, errorBox, showError, hideError, pager } from '../components.js';
import { formatDateTime, groupDigits } from '../format.js';
import { obsTypeLabel } from './common.js';
import { ApiError } from '../api.js';

const VIEWS = ['indicator', 'host', 'time'];
const PAGE = 50;
const FINISHED = ['done', 'failed', 'cancelled'];

// PUT one file as the request body (streamed by the browser), with the session's CSRF token.
async function putFile(ctx, jobId, kind, file) {
  const q = new URLSearchParams({ kind, name: file.name });
  const res = await fetch(`/api/v1/sweep-jobs/${encodeURIComponent(jobId)}/files?${q}`, {
    method: 'PUT',
    credentials: 'same-origin',
    headers: { Accept: 'application/json', 'Content-Type': 'application/octet-stream', 'X-CSRF-Token': ctx.api.csrf },
    body: file,
  });
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!res.ok) {
    const e = data && data.error ? data.error : {};
    throw new ApiError(res.status, e.code, e.message, e.field);
  }
  return data;
}

// Bytes for people: "512 B", "48.2 KB", "238.1 MB", "1.25 GB".
function size(n) {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} KB`;
  return `${n} B`;
}

function statusText(ctx, st) {
  const k = `sweep.status.${st}`;
  const s = ctx.i18n.t(k);
  return s === k ? st : s;
}

// The progress line of a job: bar, bytes, MB/s, hits, and what was skipped.
function jobView(ctx, job) {
  const t = (k, p) => ctx.i18n.t(k, p);
  const total = job.bytes_total || 0;
  const done = Math.min(job.bytes_done || 0, total);
  const running = !FINISHED.includes(job.status);
  return h('div', { class: 'sweep-job', 'data-status': job.status, id: 'sweep-job' },
    h('p', {}, h('span', { class: 'badge' }, statusText(ctx, job.status)), ' ',
      h('span', { class: 'sweep-figures' }, t('sweep.figures', {
        done: size(done), total: size(total), rate: (job.mb_per_s || 0).toFixed(1),
        hits: groupDigits(job.hits || 0), lines: groupDigits(job.lines || 0),
      }))),
    running ? h('progress', { max: total || 1, value: done, 'aria-label': t('sweep.progress') }) : null,
    job.error ? h('p', { class: 'error-text' }, t('sweep.error', { error: job.error })) : null,
    (job.skipped || []).length ? h('ul', { class: 'plain small' }, job.skipped.map((s) =>
      h('li', {}, t('sweep.skipped', { file: s.file, reason: s.reason })))) : null);
}

function obsCell(ctx, o) {
  return [h('span', { class: `obs-type obs-${o.type}` }, obsTypeLabel(ctx, o.type)), ' ',
    h('a', { href: `#/observables/${encodeURIComponent(o.id)}` }, h('code', {}, o.value))];
}

function when(ctx, v) {
  return v ? formatDateTime(v, ctx.i18n.lang) : ctx.i18n.t('sweep.no_time');
}

function table(heads, rows, id) {
  return h('div', { class: 'table-wrap' }, h('table', { class: 'list', id },
    h('thead', {}, h('tr', {}, heads.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, rows)));
}

function viewTable(ctx, group, items) {
  const t = (k, p) => ctx.i18n.t(k, p);
  if (group === 'indicator') {
    return table([t('sweep.col.indicator'), t('sweep.col.count'), t('sweep.col.hosts'), t('sweep.col.first'), t('sweep.col.last')],
      items.map((it) => h('tr', {}, h('td', {}, obsCell(ctx, it.observable)), h('td', { class: 'num' }, groupDigits(it.count)),
        h('td', { class: 'num' }, groupDigits(it.hosts)), h('td', {}, when(ctx, it.first_time)), h('td', {}, when(ctx, it.last_time)))),
      'sightings-indicator');
  }
  if (group === 'host') {
    return table([t('sweep.col.host'), t('sweep.col.count'), t('sweep.col.indicators'), t('sweep.col.first'), t('sweep.col.last')],
      items.map((it) => h('tr', {}, h('td', {}, it.host ? h('code', {}, it.host) : t('sweep.no_host')),
        h('td', { class: 'num' }, groupDigits(it.count)), h('td', { class: 'num' }, groupDigits(it.indicators)),
        h('td', {}, when(ctx, it.first_time)), h('td', {}, when(ctx, it.last_time)))),
      'sightings-host');
  }
  return table([t('sweep.col.time'), t('sweep.col.host'), t('sweep.col.indicator'), t('sweep.col.where'), t('sweep.col.token')],
    items.map((it) => h('tr', {}, h('td', {}, when(ctx, it.event_time)),
      h('td', {}, it.host ? h('code', {}, it.host) : t('sweep.no_host')), h('td', {}, obsCell(ctx, it.observable)),
      h('td', {}, h('code', {}, `${it.file}:${it.line}`)), h('td', {}, h('code', {}, it.token)))),
    'sightings-time');
}

// The panel for case `caseId`; `canEdit`: the user may start sweeps on it.
export function sightingsPanel(ctx, caseId, canEdit) {
  const t = (k, p) => ctx.i18n.t(k, p);
  const base = `/cases/${encodeURIComponent(caseId)}`;
  let group = 'indicator';
  let offset = 0;
  let timer = null;

  const results = h('div', { id: 'sightings', 'aria-live': 'polite' }, h('p', { class: 'muted' }, t('common.loading')));
  const tabs = h('div', { class: 'tabs', role: 'group', 'aria-label': t('sweep.views') }, VIEWS.map((v) =>
    h('button', { type: 'button', class: 'btn', 'data-view': v, 'aria-pressed': v === group ? 'true' : 'false',
      onclick: () => { group = v; offset = 0; loadSightings(); } }, t(`sweep.view.${v}`))));

  async function loadSightings() {
    for (const b of tabs.querySelectorAll('button')) b.setAttribute('aria-pressed', b.dataset.view === group ? 'true' : 'false');
    try {
      const res = await ctx.api.get(`${base}/sightings`, { group, limit: PAGE, offset });
      const items = res.items || [];
      const parts = [
        h('p', { class: 'muted small', id: 'sightings-total' }, t('sweep.total', { n: groupDigits(res.total || 0) })),
        items.length ? viewTable(ctx, group, items) : empty(t('sweep.none'))];
      if (res.total > PAGE) parts.push(pager(ctx, res.total, PAGE, offset, (o) => { offset = o; loadSightings(); }));
      results.replaceChildren(...parts);
    } catch (err) {
      results.replaceChildren(h('p', { class: 'muted' }, t('sweep.unavailable', { code: (err && err.code) || '' })));
    }
  }

  const status = h('div', { id: 'sweep-status', 'aria-live': 'polite' });
  const box = errorBox();
  let cancelBtn = null;

  function stopPolling() {
    if (timer) clearTimeout(timer);
    timer = null;
  }

  async function poll(jobId) {
    if (!status.isConnected && timer !== null) return; // the page was left
    let job;
    try {
      job = await ctx.api.get(`/sweep-jobs/${encodeURIComponent(jobId)}`);
    } catch (err) {
      showError(ctx, box, err);
      return;
    }
    status.replaceChildren(jobView(ctx, job));
    if (FINISHED.includes(job.status)) {
      stopPolling();
      if (cancelBtn) cancelBtn.style.display = 'none';
      loadSightings();
      return;
    }
    if (cancelBtn) {
      cancelBtn.style.display = '';
      cancelBtn.onclick = async () => {
        try { await ctx.api.post(`/sweep-jobs/${encodeURIComponent(jobId)}/cancel`); } catch (err) { showError(ctx, box, err); }
      };
    }
    timer = setTimeout(() => poll(jobId), 500);
  }

  let form = null;
  if (canEdit) {
    const logs = h('input', { type: 'file', multiple: true, name: 'logs' });
    const iocs = h('input', { type: 'file', name: 'indicators' });
    logs.dataset.field = 'files';
    iocs.dataset.field = 'indicators';
    const go = h('button', { type: 'submit', class: 'btn btn-primary' }, t('sweep.start'));
    // Shown only while a job runs: through the CSSOM (the CSP refuses style attributes), not the
    // hidden attribute, which .btn's display rule beats.
    cancelBtn = h('button', { type: 'button', class: 'btn', id: 'sweep-cancel' }, t('sweep.cancel'));
    cancelBtn.style.display = 'none';
    form = h('form', { class: 'sweep-form', novalidate: true },
      field(t('sweep.logs'), logs, { hint: t('sweep.logs_hint') }),
      field(t('sweep.indicators'), iocs, { hint: t('sweep.indicators_hint') }),
      box, h('div', { class: 'actions' }, go, cancelBtn));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      hideError(box);
      for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
      if (!logs.files.length) {
        showError(ctx, box, new ApiError(422, 'invalid', t('sweep.need_logs'), 'files'), form);
        return;
      }
      go.disabled = true;
      stopPolling();
      try {
        const job = await ctx.api.post(`${base}/sweep-jobs`, {});
        const files = [...(iocs.files.length ? [['indicators', iocs.files[0]]] : []), ...[...logs.files].map((f) => ['log', f])];
        for (let i = 0; i < files.length; i++) {
          status.replaceChildren(h('p', {}, t('sweep.uploading', { name: files[i][1].name, i: i + 1, n: files.length })));
          await putFile(ctx, job.id, files[i][0], files[i][1]);
        }
        await ctx.api.post(`/sweep-jobs/${encodeURIComponent(job.id)}/start`);
        form.reset();
        poll(job.id);
      } catch (err) {
        status.replaceChildren();
        showError(ctx, box, err, form);
      } finally {
        go.disabled = false;
      }
    });
  }

  // The newest job of the case, if one is still running when the page opens.
  ctx.api.get(`${base}/sweep-jobs`).then((res) => {
    const last = (res.items || [])[0];
    if (last) {
      status.replaceChildren(jobView(ctx, last));
      if (!FINISHED.includes(last.status)) poll(last.id);
    }
  }, () => {});
  loadSightings();

  return h('div', { id: 'sweep-panel' }, section(t('sweep.title'), form, status, h('h3', {}, t('sweep.sightings')), tabs, results));
}
