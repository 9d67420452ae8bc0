// 関連図 (リンク分析): the link chart of one report, case, value or group (confirmed or candidate)
// (GET /graph/neighbourhood), drawn with Cytoscape.js (ui/vendor, MIT). The analyst expands a
// node (double-click, Enter, or the button), hides kinds and value types, pins nodes so that a
// new layout leaves them where they are, narrows the dates with the timeline sliders, and
// exports the chart as PNG or the visible part as JSON. A report or case the user may not read
// is drawn greyed and dashed with only its holding unit ("〇〇署が保有"): the server sends
// nothing more and never walks through it. Its side panel offers "閲覧を依頼" (access-request.js)
// with the readable neighbour it was found through as the request's context: a restricted node
// hangs off exactly one node (its id is per neighbour), and the request API accepts a report,
// case or value context for the reports and cases that context links to.
import { h, uid } from '../dom.js';
import { pageHead, section, errorBox, showError, hideError, empty } from '../components.js';
import { formatDate } from '../format.js';
import { obsTypeLabel } from './common.js';
import { requestAccessButton } from './access-request.js';

const KINDS = ['case', 'report', 'account', 'observable', 'group'];
const LAYOUTS = ['cose', 'concentric', 'breadthfirst', 'grid'];
const DAY = 86400000;

// Colours and shapes per kind; accounts and values also per type (the legend shows the same
// classes, defined in app.css as .graph-sw-<name>).
const KIND_STYLE = {
  case: { color: '#b03a2e', shape: 'round-rectangle' },
  report: { color: '#1f618d', shape: 'ellipse' },
  account: { color: '#b9770e', shape: 'triangle' },
  observable: { color: '#5d6d7e', shape: 'diamond' },
  group: { color: '#117a65', shape: 'octagon' },
};
const TYPE_STYLE = {
  'bank-account': { color: '#1e8449', shape: 'hexagon' },
  'crypto-wallet': { color: '#6c3483', shape: 'star' },
  phone: { color: '#b9770e', shape: 'triangle' },
  url: { color: '#5d6d7e', shape: 'diamond' },
  domain: { color: '#566573', shape: 'diamond' },
  email: { color: '#2e86c1', shape: 'rhomboid' },
  ipv4: { color: '#7b7d7d', shape: 'vee' },
  ipv6: { color: '#7b7d7d', shape: 'vee' },
};

function short(s, n = 28) {
  return s && s.length > n ? `${s.slice(0, n - 1)}…` : (s || '');
}

// The label drawn on the chart, in the page's language.
function nodeLabel(ctx, n) {
  const t = (k, p) => ctx.i18n.t(k, p);
  if (n.restricted) return t('graph.held_by', { unit: n.unit ? n.unit.name : '' });
  if (n.kind === 'group' && n.confirmed) return short(n.label);
  if (n.kind === 'group') return t('graph.group_label', { n: n.members || 0 });
  return short(n.label);
}

function cyStyle() {
  const style = [
    { selector: 'node', style: { label: 'data(display)', 'font-size': 10, 'text-valign': 'bottom', 'text-margin-y': 3, 'text-wrap': 'ellipsis', 'text-max-width': 140, width: 26, height: 26, 'border-width': 1, 'border-color': '#ffffff', color: '#222' } },
    { selector: 'edge', style: { width: 1.5, 'line-color': '#a6acaf', 'curve-style': 'bezier', 'target-arrow-shape': 'triangle', 'target-arrow-color': '#a6acaf', 'arrow-scale': 0.7, label: 'data(display)', 'font-size': 8, color: '#566573', 'text-rotation': 'autorotate' } },
  ];
  for (const [k, s] of Object.entries(KIND_STYLE)) {
    style.push({ selector: `node[kind = "${k}"]`, style: { 'background-color': s.color, shape: s.shape } });
  }
  for (const [k, s] of Object.entries(TYPE_STYLE)) {
    style.push({ selector: `node[type = "${k}"][kind != "case"][kind != "report"]`, style: { 'background-color': s.color, shape: s.shape } });
  }
  style.push(
    { selector: 'node[?restricted]', style: { 'background-color': '#d5d8dc', 'border-style': 'dashed', 'border-width': 2, 'border-color': '#7f8c8d', color: '#5d6d7e' } },
    { selector: 'node[?suppressed]', style: { 'background-opacity': 0.35, 'border-style': 'dotted', 'border-width': 2, 'border-color': '#7f8c8d' } },
    { selector: 'node.start', style: { width: 38, height: 38, 'font-weight': 'bold' } },
    { selector: 'node.pinned', style: { 'border-width': 4, 'border-color': '#17202a' } },
    { selector: 'node:selected', style: { 'overlay-color': '#f1c40f', 'overlay-opacity': 0.35, 'overlay-padding': 6 } },
    { selector: '.hidden', style: { display: 'none' } },
  );
  return style;
}

function download(name, blob) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name, class: 'sr-only' }, name);
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// "case:<uuid>" -> the page of that object, or null (groups and restricted nodes have none).
function pageOf(n) {
  if (n.restricted) return null;
  const [kind, id] = [n.kind, n.id.slice(n.id.indexOf(':') + 1)];
  if (kind === 'case') return `#/cases/${encodeURIComponent(id)}`;
  if (kind === 'report') return `#/reports/${encodeURIComponent(id)}`;
  if (kind === 'observable' || kind === 'account') return `#/observables/${encodeURIComponent(id)}`;
  if (kind === 'group' && n.confirmed) return `#/groups/${encodeURIComponent(id)}`;
  return null;
}

// The context of an access request for restricted node `n`: the readable report, case or value
// it hangs off ({kind, id}), or null when it hangs off a group (the request API takes no group
// context: a group's members are asked for from a report, case or value that links to them).
function requestContext(n) {
  const CONTEXT = { report: 'report', case: 'case', observable: 'observable', account: 'observable' };
  const via = n.neighborhood('node').filter((m) => !m.data('restricted') && CONTEXT[m.data('kind')]).first();
  if (via.empty()) return null;
  return { kind: CONTEXT[via.data('kind')], id: via.id().slice(via.id().indexOf(':') + 1), node: via };
}

// The time span of a node for the timeline, [from, to] in ms, or null when it has no date
// (restricted nodes and groups are never hidden by the timeline).
function spanOf(d) {
  if (!d.time) return null;
  const a = Date.parse(d.time);
  const b = d.last_seen ? Date.parse(d.last_seen) : a;
  return Number.isNaN(a) ? null : [a, Number.isNaN(b) ? a : b];
}

// The "関連図で開く" button of the case, report and value pages.
export function graphButton(ctx, kind, id) {
  return h('a', { class: 'btn', id: 'open-graph', href: `#/graph?node=${encodeURIComponent(`${kind}:${id}`)}` }, ctx.i18n.t('graph.open'));
}

export async function render(ctx, view, params, query) {
  const t = (k, p) => ctx.i18n.t(k, p);
  const lang = ctx.i18n.lang;
  const start = query.node || '';
  if (!start) {
    view.append(pageHead(t('graph.title')), empty(t('graph.no_node')));
    return;
  }
  const state = { depth: Math.min(3, Math.max(1, Number(query.depth) || 2)), suppressed: query.suppressed === '1', groups: query.groups === '1' };
  // What the server is asked for; the kind and type checkboxes below only hide what came.
  const ask = (node, depth) => ({
    node, depth, limit: 300, suppressed: state.suppressed ? 1 : undefined,
    kinds: state.groups ? KINDS.join(',') : undefined,
  });
  // Loaded only when the chart is opened: the library is the largest file of the UI.
  const { default: cytoscape } = await import('../../vendor/cytoscape.esm.min.js');
  const first = await ctx.api.get('/graph/neighbourhood', ask(start, state.depth));

  const box = errorBox();
  const status = h('p', { id: 'graph-status', class: 'muted', role: 'status', 'aria-live': 'polite' });
  const canvas = h('div', { id: 'graph-canvas', class: 'graph-canvas', tabindex: '0', role: 'application', 'aria-label': t('graph.canvas_label'), 'aria-describedby': 'graph-keys' });
  const keys = h('p', { id: 'graph-keys', class: 'muted small' }, t('graph.keys'));

  // Cytoscape adds a <style> element of its own unless one with this id exists; the page's
  // Content-Security-Policy forbids inline styles, so the rule it would add (position:
  // relative on the container) is in app.css and a placeholder stands in for the element.
  if (!document.getElementById('__________cytoscape_stylesheet')) {
    document.head.append(h('meta', { id: '__________cytoscape_stylesheet', name: 'cytoscape-style', content: 'app.css' }));
  }
  // Headless until the page is in the document (the renderer measures its container); the
  // elements are added now and the chart is mounted below.
  const cy = cytoscape({ style: cyStyle(), minZoom: 0.1, maxZoom: 4 });

  const toData = (n) => ({ ...n, display: nodeLabel(ctx, n) });
  const edgeLabel = (e) => (e.role ? e.role : t(`graph.edge.${e.kind}`));
  // Adds what is new in an answer; returns the number of nodes added.
  const merge = (res) => {
    let added = 0;
    cy.batch(() => {
      for (const n of res.nodes) {
        if (cy.getElementById(n.id).nonempty()) continue;
        cy.add({ group: 'nodes', data: toData(n) });
        added += 1;
      }
      for (const e of res.edges) {
        if (cy.getElementById(e.id).nonempty()) continue;
        if (cy.getElementById(e.source).empty() || cy.getElementById(e.target).empty()) continue;
        cy.add({ group: 'edges', data: { ...e, display: edgeLabel(e) } });
      }
    });
    return added;
  };

  // ----- Controls -----
  const depthSel = h('select', { id: 'graph-depth' }, [1, 2, 3].map((d) => h('option', { value: String(d), selected: d === state.depth }, String(d))));
  const suppBox = h('input', { type: 'checkbox', id: 'graph-suppressed', checked: state.suppressed });
  const groupBox = h('input', { type: 'checkbox', id: 'graph-groups', checked: state.groups });
  const reload = h('button', { type: 'button', class: 'btn', id: 'graph-reload' }, t('graph.reload'));
  const layoutSel = h('select', { id: 'graph-layout' }, LAYOUTS.map((l) => h('option', { value: l }, t(`graph.layout.${l}`))));
  const layoutBtn = h('button', { type: 'button', class: 'btn', id: 'graph-relayout' }, t('graph.relayout'));
  const pngBtn = h('button', { type: 'button', class: 'btn', id: 'graph-export-png' }, t('graph.export_png'));
  const jsonBtn = h('button', { type: 'button', class: 'btn', id: 'graph-export-json' }, t('graph.export_json'));

  const kindBoxes = {};
  const kindSet = h('fieldset', { class: 'graph-filter', id: 'graph-kinds' }, h('legend', {}, t('graph.show_kinds')),
    KINDS.map((k) => {
      const id = `graph-kind-${k}`;
      kindBoxes[k] = h('input', { type: 'checkbox', id, checked: true, 'data-kind': k, onchange: () => applyVisibility() });
      return h('label', { for: id, class: 'graph-check' }, kindBoxes[k], ' ', h('span', { class: `graph-sw graph-sw-${k}`, 'aria-hidden': 'true' }), ' ', t(`graph.kind.${k}`));
    }));
  const typeBoxes = {};
  const typeSet = h('fieldset', { class: 'graph-filter', id: 'graph-types' }, h('legend', {}, t('graph.show_types')));
  const syncTypes = () => {
    const types = new Set(cy.nodes().filter((n) => ['observable', 'account'].includes(n.data('kind'))).map((n) => n.data('type')));
    for (const ty of [...types].sort()) {
      if (typeBoxes[ty]) continue;
      const id = `graph-type-${ty}`;
      typeBoxes[ty] = h('input', { type: 'checkbox', id, checked: true, 'data-type': ty, onchange: () => applyVisibility() });
      typeSet.append(h('label', { for: id, class: 'graph-check' }, typeBoxes[ty], ' ', obsTypeLabel(ctx, ty)));
    }
  };

  // Timeline: two sliders over the days the chart's dated nodes span.
  const fromRange = h('input', { type: 'range', id: 'graph-time-from', min: '0', max: '0', value: '0', step: '1' });
  const toRange = h('input', { type: 'range', id: 'graph-time-to', min: '0', max: '0', value: '0', step: '1' });
  const fromOut = h('output', { for: 'graph-time-from', id: 'graph-time-from-out' });
  const toOut = h('output', { for: 'graph-time-to', id: 'graph-time-to-out' });
  const timeline = { min: 0, max: 0 };
  const syncTimeline = () => {
    const spans = cy.nodes().map((n) => spanOf(n.data())).filter(Boolean);
    if (!spans.length) return;
    const lo = Math.floor(Math.min(...spans.map((s) => s[0])) / DAY) * DAY;
    const hi = Math.floor(Math.max(...spans.map((s) => s[1])) / DAY) * DAY;
    const atMin = Number(fromRange.value) === 0;
    const atMax = Number(toRange.value) === Number(toRange.max);
    const keepFrom = timeline.min + Number(fromRange.value) * DAY;
    const keepTo = timeline.min + Number(toRange.value) * DAY;
    timeline.min = lo;
    timeline.max = hi;
    const days = Math.round((hi - lo) / DAY);
    for (const r of [fromRange, toRange]) r.max = String(days);
    fromRange.value = String(atMin ? 0 : Math.max(0, Math.round((keepFrom - lo) / DAY)));
    toRange.value = String(atMax ? days : Math.min(days, Math.round((keepTo - lo) / DAY)));
  };
  const dayText = (ms) => formatDate(new Date(ms).toISOString(), lang);
  const onRange = (which) => {
    if (Number(fromRange.value) > Number(toRange.value)) {
      if (which === 'from') toRange.value = fromRange.value;
      else fromRange.value = toRange.value;
    }
    applyVisibility();
  };
  fromRange.addEventListener('input', () => onRange('from'));
  toRange.addEventListener('input', () => onRange('to'));
  const timeSet = h('fieldset', { class: 'graph-filter graph-timeline', id: 'graph-timeline' }, h('legend', {}, t('graph.timeline')),
    h('label', { for: 'graph-time-from' }, t('graph.time_from')), fromRange, fromOut,
    h('label', { for: 'graph-time-to' }, t('graph.time_to')), toRange, toOut);

  // ----- Visibility -----
  const applyVisibility = () => {
    const from = timeline.min + Number(fromRange.value) * DAY;
    const to = timeline.min + (Number(toRange.value) + 1) * DAY; // the whole last day
    fromOut.textContent = dayText(from);
    toOut.textContent = dayText(to - DAY);
    cy.batch(() => {
      cy.nodes().forEach((n) => {
        const d = n.data();
        let hide = !kindBoxes[d.kind].checked;
        if (!hide && (d.kind === 'observable' || d.kind === 'account') && typeBoxes[d.type]) hide = !typeBoxes[d.type].checked;
        const s = spanOf(d);
        if (!hide && s && !n.hasClass('start')) hide = s[1] < from || s[0] >= to;
        n.toggleClass('hidden', hide);
      });
    });
    refreshStatus();
    fillNodeList();
  };

  // ----- Side panel: legend, node list, details -----
  const nodeSel = h('select', { id: 'graph-node-select' });
  const details = h('div', { id: 'graph-details', 'aria-live': 'polite' }, h('p', { class: 'muted' }, t('graph.select_hint')));
  const expandBtn = h('button', { type: 'button', class: 'btn', id: 'graph-expand', disabled: true }, t('graph.expand'));
  const pinBtn = h('button', { type: 'button', class: 'btn', id: 'graph-pin', disabled: true }, t('graph.pin'));
  const visibleNodes = () => cy.nodes().filter((n) => !n.hasClass('hidden'));
  const fillNodeList = () => {
    const sel = cy.nodes(':selected').first();
    const opts = [h('option', { value: '' }, t('graph.choose_node'))];
    visibleNodes().sort((a, b) => a.data('display').localeCompare(b.data('display'))).forEach((n) => {
      opts.push(h('option', { value: n.id(), selected: sel.nonempty() && sel.id() === n.id() }, `${t(`graph.kind.${n.data('kind')}`)}: ${n.data('display')}`));
    });
    nodeSel.replaceChildren(...opts);
  };
  const showDetails = (n) => {
    if (!n || n.empty()) {
      details.replaceChildren(h('p', { class: 'muted' }, t('graph.select_hint')));
      expandBtn.disabled = true;
      pinBtn.disabled = true;
      return;
    }
    const d = n.data();
    const rows = [[t('graph.f.kind'), t(`graph.kind.${d.kind}`)]];
    let request = null;
    if (d.restricted) {
      rows.push([t('graph.f.access'), h('span', { class: 'restricted' }, t('graph.held_by', { unit: d.unit ? d.unit.name : '' }))]);
      const via = requestContext(n);
      if (via) {
        rows.push([t('graph.f.found_via'), via.node.data('display')]);
        request = h('p', { id: 'graph-request' }, requestAccessButton(ctx, { kind: via.kind, id: via.id }, d, d.kind));
      } else {
        request = h('p', { id: 'graph-request', class: 'muted small' }, t('graph.request_elsewhere'));
      }
    } else {
      rows.push([t('graph.f.label'), d.label]);
      if (d.title) rows.push([t('graph.f.title'), d.title]);
      if (d.kind === 'observable' || d.kind === 'account') rows.push([t('graph.f.type'), obsTypeLabel(ctx, d.type)]);
      if (d.kind === 'group') {
        rows.push([t('graph.f.group_status'), t(d.confirmed ? 'graph.group_confirmed' : 'graph.group_candidate')]);
        if (d.aliases && d.aliases.length) rows.push([t('graph.f.aliases'), d.aliases.join('、')]);
        if (d.actor) rows.push([t('graph.f.actor'), (lang === 'en' && d.actor.name_en) || d.actor.name_ja || d.actor.name_en]);
        rows.push([t('graph.f.members'), String(d.members || 0)]);
        if (d.confirmed_at) rows.push([t('graph.f.confirmed_at'), formatDate(d.confirmed_at, lang)]);
      }
      if (d.time) rows.push([d.last_seen ? t('graph.f.first_seen') : t('graph.f.time'), formatDate(d.time, lang)]);
      if (d.last_seen) rows.push([t('graph.f.last_seen'), formatDate(d.last_seen, lang)]);
      if (d.unit) rows.push([t('graph.f.unit'), d.unit.name]);
      if (d.suppressed) rows.push([t('graph.f.suppressed'), d.suppressed_reason || '']);
    }
    const link = pageOf(d);
    details.replaceChildren(h('dl', { class: 'details' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
      link ? h('p', {}, h('a', { href: link, id: 'graph-open-page' }, t('graph.open_page'))) : null, request);
    expandBtn.disabled = Boolean(d.restricted || d.suppressed || n.data('expanded'));
    pinBtn.disabled = false;
    pinBtn.textContent = n.locked() ? t('graph.unpin') : t('graph.pin');
    pinBtn.setAttribute('aria-pressed', n.locked() ? 'true' : 'false');
  };
  const selectNode = (n) => {
    cy.nodes(':selected').unselect();
    if (n && n.nonempty()) {
      n.select();
      cy.animate({ center: { eles: n } }, { duration: 150 });
    }
    showDetails(n);
    fillNodeList();
  };
  nodeSel.addEventListener('change', () => selectNode(nodeSel.value ? cy.getElementById(nodeSel.value) : null));

  const runLayout = (fit = true) => {
    const name = layoutSel.value;
    const roots = cy.nodes('.start');
    const opts = { name, animate: false, fit, padding: 30 };
    if (name === 'breadthfirst' && roots.nonempty()) opts.roots = roots;
    if (name === 'concentric') opts.concentric = (n) => (n.hasClass('start') ? 1000 : n.degree());
    if (name === 'cose') opts.randomize = false;
    cy.elements(':visible').layout(opts).run();
    // A small chart fitted to the box would be drawn huge; keep labels at reading size.
    if (fit && cy.zoom() > 1.6) {
      cy.zoom(1.6);
      cy.center();
    }
  };

  const refreshStatus = (extra) => {
    const total = cy.nodes().length;
    const shown = visibleNodes().length;
    const parts = [t('graph.count', { shown, total, edges: cy.edges(':visible').length })];
    if (state.truncated) parts.push(t('graph.truncated', { limit: state.limit }));
    if (extra) parts.push(extra);
    status.textContent = parts.join(' ');
  };

  const expand = async (n) => {
    if (!n || n.empty() || n.data('restricted') || n.data('suppressed')) return;
    hideError(box);
    try {
      const res = await ctx.api.get('/graph/neighbourhood', ask(n.id(), 1));
      const added = merge(res);
      n.data('expanded', true);
      if (res.truncated) state.truncated = true;
      syncTypes();
      syncTimeline();
      applyVisibility();
      runLayout(false);
      refreshStatus(t('graph.expanded', { n: added }));
      showDetails(n);
    } catch (e) {
      showError(ctx, box, e);
    }
  };
  const togglePin = (n) => {
    if (!n || n.empty()) return;
    if (n.locked()) n.unlock(); else n.lock();
    n.toggleClass('pinned', n.locked());
    showDetails(n);
  };

  expandBtn.addEventListener('click', () => expand(cy.nodes(':selected').first()));
  pinBtn.addEventListener('click', () => togglePin(cy.nodes(':selected').first()));
  layoutBtn.addEventListener('click', () => runLayout(true));
  reload.addEventListener('click', () => ctx.go('/graph', {
    node: start, depth: depthSel.value, suppressed: suppBox.checked ? '1' : undefined, groups: groupBox.checked ? '1' : undefined,
  }));
  cy.on('tap', 'node', (e) => selectNode(e.target));
  cy.on('dbltap', 'node', (e) => expand(e.target));
  canvas.addEventListener('keydown', (e) => {
    const sel = cy.nodes(':selected').first();
    if (e.key === 'Enter' && sel.nonempty()) {
      e.preventDefault();
      expand(sel);
    } else if ((e.key === 'p' || e.key === 'P') && sel.nonempty()) {
      togglePin(sel);
    } else if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      // Steps through the visible nodes in the order of the list.
      const list = visibleNodes().sort((a, b) => a.data('display').localeCompare(b.data('display')));
      if (!list.length) return;
      e.preventDefault();
      let i = sel.nonempty() ? list.toArray().findIndex((x) => x.id() === sel.id()) : -1;
      i = e.key === 'ArrowRight' ? (i + 1) % list.length : (i <= 0 ? list.length - 1 : i - 1);
      selectNode(list[i]);
    }
  });

  pngBtn.addEventListener('click', async () => {
    const blob = await cy.png({ output: 'blob-promise', bg: '#ffffff', full: true, scale: 2 });
    download('renkei-graph.png', blob);
  });
  jsonBtn.addEventListener('click', () => {
    const nodes = visibleNodes();
    const edges = cy.edges().filter((e) => !e.source().hasClass('hidden') && !e.target().hasClass('hidden'));
    const strip = (d) => {
      const { display, expanded, ...rest } = d;
      return rest;
    };
    const doc = {
      start: state.start, exported_at: new Date().toISOString(),
      nodes: nodes.map((n) => strip(n.data())), edges: edges.map((e) => strip(e.data())),
    };
    download('renkei-graph.json', new Blob([JSON.stringify(doc, null, 2)], { type: 'application/json' }));
  });

  // ----- First draw -----
  state.start = first.start;
  state.truncated = first.truncated;
  state.limit = first.limit;
  merge(first);
  cy.getElementById(first.start).addClass('start').data('expanded', true);
  syncTypes();
  syncTimeline();

  const legend = h('ul', { class: 'plain graph-legend', id: 'graph-legend' },
    KINDS.map((k) => h('li', {}, h('span', { class: `graph-sw graph-sw-${k}`, 'aria-hidden': 'true' }), ' ', t(`graph.kind.${k}`))),
    Object.keys(TYPE_STYLE).filter((ty) => ty !== 'phone').map((ty) => h('li', {}, h('span', { class: `graph-sw graph-sw-${ty}`, 'aria-hidden': 'true' }), ' ', obsTypeLabel(ctx, ty))),
    h('li', {}, h('span', { class: 'graph-sw graph-sw-restricted', 'aria-hidden': 'true' }), ' ', t('graph.legend_restricted')),
    h('li', {}, h('span', { class: 'graph-sw graph-sw-suppressed', 'aria-hidden': 'true' }), ' ', t('graph.legend_suppressed')),
    h('li', {}, h('span', { class: 'graph-sw graph-sw-pinned', 'aria-hidden': 'true' }), ' ', t('graph.legend_pinned')));

  const startNode = first.nodes[0];
  const startLink = startNode ? pageOf(startNode) : null;
  const depthId = uid('graph-depth');
  depthSel.id = depthId;
  view.append(
    pageHead(t('graph.title'), startLink ? h('a', { class: 'btn', href: startLink }, t('graph.back')) : null),
    h('p', { class: 'muted' }, t('graph.intro', { start: startNode ? nodeLabel(ctx, startNode) : start })),
    box,
    h('div', { class: 'graph-controls', role: 'group', 'aria-label': t('graph.controls') },
      h('div', { class: 'graph-row' },
        h('label', { for: depthId }, t('graph.depth')), depthSel,
        h('label', { for: 'graph-suppressed', class: 'graph-check' }, suppBox, ' ', t('graph.show_suppressed')),
        h('label', { for: 'graph-groups', class: 'graph-check' }, groupBox, ' ', t('graph.show_groups')),
        reload,
        h('label', { for: 'graph-layout' }, t('graph.layout_label')), layoutSel, layoutBtn,
        pngBtn, jsonBtn),
      h('div', { class: 'graph-row' }, kindSet, typeSet, timeSet)),
    status,
    h('div', { class: 'graph-wrap' },
      h('div', { class: 'graph-main' }, canvas, keys),
      h('aside', { class: 'graph-side', 'aria-label': t('graph.panel') },
        section(t('graph.selected'),
          h('label', { for: 'graph-node-select' }, t('graph.node_list')), nodeSel,
          h('div', { class: 'graph-actions' }, expandBtn, pinBtn), details),
        section(t('graph.legend'), legend))));

  // Cytoscape measures its container: lay out once the page is in the document.
  requestAnimationFrame(() => {
    cy.mount(canvas);
    cy.resize();
    applyVisibility();
    runLayout(true);
  });
}
