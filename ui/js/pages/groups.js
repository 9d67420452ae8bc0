// グループ (攻撃グループ / 犯行グループ): the confirmed groups with their names, aliases, actor and
// open flags, the new reports and cases touching them (新たに関連する事案), and the candidate
// groups the correlation index proposes, each with the values that tie it and a 確定 button
// (GET /groups, /groups/flags, POST /groups/confirm). A group's own page (GET /groups/{id})
// shows members, ties, linked objects and flags, and lets an analyst rename it, set aliases,
// link an actor, merge another group into it, split chosen members off, add or remove members
// and dissolve it. Members the user may not read appear only as "restricted, held by X": the
// server sends nothing more.
import { h, field, select } from '../dom.js';
import { pageHead, section, empty, errorBox, showError, hideError, tlpBadge } from '../components.js';
import { formatDateTime } from '../format.js';
import { obsTypeLabel, restricted, details } from './common.js';

const MAX_SHOWN = 20; // members listed on a candidate card; the rest are counted

function tt(ctx) {
  return (k, p) => ctx.i18n.t(k, p);
}

function objectHref(o) {
  return o.kind === 'case' ? `#/cases/${encodeURIComponent(o.id)}` : `#/reports/${encodeURIComponent(o.id)}`;
}

// A member or flagged object: a link with its reference and title, or the restricted line.
function objectLine(ctx, o) {
  const t = tt(ctx);
  if (o.restricted) return restricted(ctx, o.kind === 'case' ? 'case' : 'report', o);
  const unit = o.unit || o.lead_unit;
  return h('span', { class: 'group-object' },
    h('span', { class: 'badge' }, t(`groups.kind.${o.kind}`)), ' ',
    h('a', { href: objectHref(o) }, `${o.ref || ''} ${o.title || ''}`.trim() || o.id),
    unit && unit.name ? h('span', { class: 'muted' }, ` — ${unit.name}`) : null);
}

function tieList(ctx, ties) {
  const t = tt(ctx);
  if (!ties || !ties.length) return empty(t('groups.no_ties'));
  return h('ul', { class: 'plain group-ties' }, ties.map((x) => h('li', {},
    h('span', { class: `obs-type obs-${x.type}` }, obsTypeLabel(ctx, x.type)), ' ',
    h('code', { class: 'obs-canonical' }, x.value), ' ',
    h('span', { class: 'muted small' }, t('groups.tie_members', { n: x.members })))));
}

function aliasText(ctx, aliases) {
  return (aliases || []).join(ctx.i18n.lang === 'en' ? ', ' : '、');
}

// "甲, 乙、丙" -> ["甲", "乙", "丙"]: commas, Japanese commas and line breaks separate.
export function parseAliases(text) {
  return text.split(/[,、，\n]/).map((s) => s.trim()).filter((s) => s.length > 0);
}

function actorName(ctx, a) {
  if (!a) return '';
  if (ctx.i18n.lang === 'en' && a.name_en) return a.name_en;
  return a.name_en ? `${a.name_ja} (${a.name_en})` : a.name_ja;
}

// ===== The list page =====

function flagItem(ctx, f, withGroup) {
  const t = tt(ctx);
  return h('li', { class: 'group-flag', 'data-id': f.id },
    withGroup ? h('a', { href: `#/groups/${encodeURIComponent(f.group.id)}`, class: 'group-flag-group' }, f.group.name) : null,
    withGroup ? ' ← ' : null,
    objectLine(ctx, f.object),
    f.shared ? h('span', { class: 'muted small' }, ' ', t('groups.flag_via', {
      type: obsTypeLabel(ctx, f.shared.type), value: f.shared.value,
    })) : null,
    h('span', { class: 'muted small' }, ` ${formatDateTime(f.flagged_at, ctx.i18n.lang)}`));
}

function confirmedCard(ctx, g) {
  const t = tt(ctx);
  return h('article', { class: 'card group-card group-confirmed', 'data-id': g.id },
    h('h3', {}, h('a', { href: `#/groups/${encodeURIComponent(g.id)}` }, g.name), ' ',
      g.flags_open > 0 ? h('span', { class: 'badge badge-urgent group-flag-count' }, t('groups.flags_open', { n: g.flags_open })) : null),
    details([
      [t('groups.aliases'), aliasText(ctx, g.aliases)],
      [t('groups.actor'), actorName(ctx, g.actor)],
      [t('groups.members'), t('groups.member_count', { n: g.member_count })],
    ]));
}

function candidateCard(ctx, g) {
  const t = tt(ctx);
  const box = errorBox();
  const readable = (g.members || []).filter((m) => !m.restricted);
  const hidden = (g.members || []).length - readable.length;
  const name = h('input', { type: 'text', maxlength: '200', class: 'group-name' });
  const doConfirm = async (ev) => {
    ev.preventDefault();
    hideError(box);
    try {
      const res = await ctx.api.post('/groups/confirm', {
        name: name.value.trim(),
        members: readable.map((m) => ({ kind: m.kind, id: m.id })),
      });
      ctx.flash(t('groups.confirmed_flash', { name: res.name }));
      ctx.go(`/groups/${res.id}`);
    } catch (err) {
      showError(ctx, box, err, form);
    }
  };
  const form = h('form', { class: 'group-confirm', onsubmit: doConfirm },
    box,
    field(t('groups.name'), name, { name: 'name', required: true }),
    hidden > 0 ? h('p', { class: 'muted small' }, t('groups.confirm_hidden', { n: hidden })) : null,
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('groups.confirm'))));
  const shown = (g.members || []).slice(0, MAX_SHOWN);
  return h('article', { class: 'card group-card group-candidate', 'data-id': g.id },
    h('h3', {}, t('groups.candidate_title', { n: g.member_count })),
    (g.overlaps || []).length ? h('p', { class: 'group-overlap' }, t('groups.overlap'), ' ',
      g.overlaps.map((o, i) => [i ? '、' : '', h('a', { href: `#/groups/${encodeURIComponent(o.group_id)}` }, o.name),
        t('groups.overlap_n', { n: o.members })])) : null,
    h('h4', {}, t('groups.ties')), tieList(ctx, g.ties),
    h('h4', {}, t('groups.members')),
    h('ul', { class: 'plain group-members' }, shown.map((m) => h('li', {}, objectLine(ctx, m)))),
    g.members.length > shown.length ? h('p', { class: 'muted small' }, t('groups.more', { n: g.members.length - shown.length })) : null,
    readable.length ? form : null);
}

async function renderList(ctx, view) {
  const t = tt(ctx);
  const [res, flags] = await Promise.all([ctx.api.get('/groups'), ctx.api.get('/groups/flags')]);
  const items = res.items || [];
  const confirmed = items.filter((g) => g.confirmed);
  const candidates = items.filter((g) => !g.confirmed);
  const fl = flags.items || [];
  view.append(pageHead(t('groups.title')), h('p', { class: 'lead' }, t('groups.lead')),
    section(t('groups.flags_title'),
      h('p', { class: 'count', role: 'status', id: 'groups-flag-count' }, t('groups.flags_count', { n: flags.open || 0 })),
      fl.length ? h('ul', { class: 'plain group-flags', id: 'groups-flags' }, fl.map((f) => flagItem(ctx, f, true))) : null),
    section(t('groups.confirmed_title'),
      confirmed.length ? h('div', { class: 'stack', id: 'groups-confirmed' }, confirmed.map((g) => confirmedCard(ctx, g)))
        : empty(t('groups.none_confirmed'))),
    section(t('groups.candidates_title'),
      h('p', { class: 'muted small' }, t('groups.candidates_note')),
      candidates.length ? h('div', { class: 'stack', id: 'groups-candidates' }, candidates.map((g) => candidateCard(ctx, g)))
        : empty(t('groups.none_candidates'))));
}

// ===== One group =====

function settingsForm(ctx, g, actors) {
  const t = tt(ctx);
  const box = errorBox();
  const name = h('input', { type: 'text', maxlength: '200', value: g.name, id: 'group-name' });
  const aliases = h('input', { type: 'text', value: aliasText(ctx, g.aliases), id: 'group-aliases' });
  const actor = select([{ value: '', label: t('groups.no_actor') },
    ...actors.map((a) => ({ value: a.id, label: actorName(ctx, a) }))], g.actor ? g.actor.id : '', { id: 'group-actor' });
  const save = async (ev) => {
    ev.preventDefault();
    hideError(box);
    try {
      await ctx.api.patch(`/groups/${encodeURIComponent(g.id)}`, {
        name: name.value.trim(), aliases: parseAliases(aliases.value), actor_id: actor.value || null,
      });
      ctx.flash(t('common.saved'));
      await ctx.route();
    } catch (err) {
      showError(ctx, box, err, form);
    }
  };
  const form = h('form', { class: 'group-settings', onsubmit: save }, box,
    h('div', { class: 'grid' },
      field(t('groups.name'), name, { name: 'name', required: true }),
      field(t('groups.aliases'), aliases, { name: 'aliases', hint: t('groups.aliases_hint') }),
      field(t('groups.actor'), actor, { name: 'actor_id' })),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary', id: 'group-save' }, t('common.save'))));
  return form;
}

function actorForm(ctx, g) {
  const t = tt(ctx);
  const box = errorBox();
  const ja = h('input', { type: 'text', maxlength: '200', id: 'actor-name-ja' });
  const en = h('input', { type: 'text', maxlength: '200', id: 'actor-name-en' });
  const create = async (ev) => {
    ev.preventDefault();
    hideError(box);
    try {
      const a = await ctx.api.post('/actors', { name_ja: ja.value.trim(), name_en: en.value.trim() });
      await ctx.api.patch(`/groups/${encodeURIComponent(g.id)}`, { actor_id: a.id });
      ctx.flash(t('groups.actor_linked', { name: a.name_ja }));
      await ctx.route();
    } catch (err) {
      showError(ctx, box, err, form);
    }
  };
  const form = h('form', { class: 'group-actor-new', onsubmit: create }, box,
    h('div', { class: 'grid' },
      field(t('groups.actor_name_ja'), ja, { name: 'name_ja', required: true }),
      field(t('groups.actor_name_en'), en, { name: 'name_en' })),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn' }, t('groups.actor_create'))));
  return form;
}

// What the analyst typed: a reference number ("R2026-000123" is a report, "C2026-000045" a
// case, whatever the kind chosen) or an id of the chosen kind.
export function memberRef(kind, text) {
  const v = text.trim();
  const m = /^([RC])\d{4}-\d+$/i.exec(v);
  if (m) return { kind: m[1].toUpperCase() === 'C' ? 'case' : 'report', ref: v.toUpperCase() };
  return { kind, id: v };
}

function membersSection(ctx, g) {
  const t = tt(ctx);
  const box = errorBox();
  const boxes = [];
  const rows = (g.members || []).map((m) => {
    let cb = null;
    if (!m.restricted) {
      cb = h('input', { type: 'checkbox', class: 'member-pick', 'data-kind': m.kind, 'data-id': m.id,
        'aria-label': t('groups.pick', { ref: m.ref || m.id }) });
      boxes.push(cb);
    }
    return h('li', { class: 'group-member', 'data-id': m.id || '' }, cb, ' ', objectLine(ctx, m),
      m.added_how ? h('span', { class: 'muted small' }, ` ${t(`groups.how.${m.added_how}`)}`) : null);
  });
  const picked = () => boxes.filter((b) => b.checked).map((b) => ({ kind: b.dataset.kind, id: b.dataset.id }));
  const newName = h('input', { type: 'text', maxlength: '200', id: 'split-name' });
  const split = async () => {
    hideError(box);
    try {
      const res = await ctx.api.post(`/groups/${encodeURIComponent(g.id)}/split`, { name: newName.value.trim(), members: picked() });
      ctx.flash(t('groups.split_flash', { name: res.to.name }));
      ctx.go(`/groups/${res.to.id}`);
    } catch (err) {
      showError(ctx, box, err);
    }
  };
  const remove = async () => {
    hideError(box);
    try {
      await ctx.api.post(`/groups/${encodeURIComponent(g.id)}/members`, { remove: picked() });
      ctx.flash(t('groups.removed_flash'));
      await ctx.route();
    } catch (err) {
      showError(ctx, box, err);
    }
  };
  const addKind = select([{ value: 'report', label: t('groups.kind.report') }, { value: 'case', label: t('groups.kind.case') }], 'report', { id: 'add-kind' });
  const addId = h('input', { type: 'text', maxlength: '36', id: 'add-id', placeholder: 'R2026-000123' });
  const add = async (ev) => {
    ev.preventDefault();
    hideError(box);
    try {
      await ctx.api.post(`/groups/${encodeURIComponent(g.id)}/members`, { add: [memberRef(addKind.value, addId.value)] });
      ctx.flash(t('groups.added_flash'));
      await ctx.route();
    } catch (err) {
      showError(ctx, box, err);
    }
  };
  const live = g.status === 'confirmed';
  return section(t('groups.members_title', { n: g.member_count }),
    box,
    h('ul', { class: 'plain group-members', id: 'group-members' }, rows),
    live ? h('div', { class: 'group-member-actions' },
      h('div', { class: 'grid' }, field(t('groups.split_name'), newName, { name: 'name' })),
      h('div', { class: 'form-actions' },
        h('button', { type: 'button', class: 'btn btn-primary', id: 'group-split', onclick: split }, t('groups.split')),
        h('button', { type: 'button', class: 'btn', id: 'group-remove', onclick: remove }, t('groups.remove'))),
      h('form', { class: 'group-add', onsubmit: add },
        h('div', { class: 'grid' }, field(t('groups.add_kind'), addKind, {}), field(t('groups.add_id'), addId, { name: 'add[0].ref', hint: t('groups.add_hint') })),
        h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn' }, t('groups.add'))))) : null);
}

function flagsSection(ctx, g, flags) {
  const t = tt(ctx);
  const box = errorBox();
  const act = (f, action) => async () => {
    hideError(box);
    try {
      await ctx.api.post(`/groups/${encodeURIComponent(g.id)}/flags/${encodeURIComponent(f.id)}`, { action });
      ctx.flash(t(`groups.flag_${action}_flash`));
      await ctx.route();
    } catch (err) {
      showError(ctx, box, err);
    }
  };
  const items = flags.items || [];
  return section(t('groups.flags_title'), box,
    h('p', { class: 'count', role: 'status', id: 'group-flag-count' }, t('groups.flags_count', { n: flags.open || 0 })),
    items.length ? h('ul', { class: 'plain group-flags', id: 'group-flags' }, items.map((f) => {
      const li = flagItem(ctx, f, false);
      if (g.status === 'confirmed') {
        li.append(' ', h('button', { type: 'button', class: 'btn btn-small flag-ack', onclick: act(f, 'acknowledge') }, t('groups.flag_ack')));
        if (!f.object.restricted) li.append(' ', h('button', { type: 'button', class: 'btn btn-small btn-primary flag-add', onclick: act(f, 'add') }, t('groups.flag_add')));
      }
      return li;
    })) : empty(t('groups.no_flags')));
}

function mergeSection(ctx, g, others) {
  const t = tt(ctx);
  const box = errorBox();
  if (!others.length) return null;
  const pick = select([{ value: '', label: t('common.choose') }, ...others.map((o) => ({ value: o.id, label: o.name }))], '', { id: 'merge-pick' });
  const merge = async (ev) => {
    ev.preventDefault();
    hideError(box);
    try {
      await ctx.api.post(`/groups/${encodeURIComponent(g.id)}/merge`, { group_id: pick.value });
      ctx.flash(t('groups.merged_flash'));
      await ctx.route();
    } catch (err) {
      showError(ctx, box, err, form);
    }
  };
  const form = h('form', { class: 'group-merge', onsubmit: merge }, box,
    h('p', { class: 'muted small' }, t('groups.merge_note')),
    field(t('groups.merge_with'), pick, { name: 'group_id' }),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn', id: 'group-merge' }, t('groups.merge'))));
  return section(t('groups.merge_title'), form);
}

function dissolveSection(ctx, g) {
  const t = tt(ctx);
  const box = errorBox();
  const sure = h('input', { type: 'checkbox', id: 'dissolve-sure' });
  const dissolve = async () => {
    hideError(box);
    if (!sure.checked) {
      showError(ctx, box, { code: 'invalid', message: t('groups.dissolve_check') });
      return;
    }
    try {
      await ctx.api.patch(`/groups/${encodeURIComponent(g.id)}`, { status: 'dissolved' });
      ctx.flash(t('groups.dissolved_flash'));
      ctx.go('/groups');
    } catch (err) {
      showError(ctx, box, err);
    }
  };
  return section(t('groups.dissolve_title'), box,
    h('label', {}, sure, ' ', t('groups.dissolve_check')),
    h('div', { class: 'form-actions' }, h('button', { type: 'button', class: 'btn', id: 'group-dissolve', onclick: dissolve }, t('groups.dissolve'))));
}

// Objects outside the group that hold a value of a member: folded, since a group tied by a
// common value can have many (the server sends at most 200).
function linkedSection(ctx, g) {
  const t = tt(ctx);
  const linked = g.linked || [];
  if (!linked.length) return section(t('groups.linked_title'), empty(t('groups.no_linked')));
  return section(t('groups.linked_title'), h('p', { class: 'muted small' }, t('groups.linked_note')),
    h('details', { id: 'group-linked' }, h('summary', {}, t('groups.linked_count', { n: linked.length })),
      h('ul', { class: 'plain group-linked' }, linked.map((m) => h('li', {}, objectLine(ctx, m),
        m.reason ? h('span', { class: 'muted small' }, ` — ${m.reason}`) : null)))));
}

async function renderOne(ctx, view, id) {
  const t = tt(ctx);
  const enc = encodeURIComponent(id);
  const [g, flags, actors, list] = await Promise.all([
    ctx.api.get(`/groups/${enc}`), ctx.api.get(`/groups/${enc}/flags`, { status: 'all' }),
    ctx.api.get('/actors'), ctx.api.get('/groups'),
  ]);
  const live = g.status === 'confirmed';
  const others = (list.items || []).filter((x) => x.confirmed && x.id !== g.id);
  view.append(
    pageHead(g.name, h('a', { href: '#/groups', class: 'btn btn-ghost' }, t('groups.back'))),
    h('p', {}, h('span', { class: 'badge', id: 'group-status' }, t(`groups.status.${g.status}`)), ' ', tlpBadge(g.tlp)),
    details([
      [t('groups.aliases'), aliasText(ctx, g.aliases)],
      [t('groups.actor'), actorName(ctx, g.actor)],
      [t('groups.confirmed_by'), `${g.confirmed_by ? g.confirmed_by.name : ''} ${formatDateTime(g.confirmed_at, ctx.i18n.lang)}`],
      [t('groups.merged_into'), g.merged_into ? h('a', { href: `#/groups/${encodeURIComponent(g.merged_into)}` }, t('groups.merged_link')) : ''],
    ]),
    live ? section(t('groups.settings_title'), settingsForm(ctx, g, actors.items || []),
      h('h3', {}, t('groups.actor_new_title')), actorForm(ctx, g)) : null,
    section(t('groups.ties_title'), h('p', { class: 'muted small' }, t('groups.ties_note')), tieList(ctx, g.ties)),
    flagsSection(ctx, g, flags),
    membersSection(ctx, g),
    linkedSection(ctx, g),
    live ? mergeSection(ctx, g, others) : null,
    live ? dissolveSection(ctx, g) : null);
}

export async function render(ctx, view, params) {
  if (params && params.id) return renderOne(ctx, view, params.id);
  return renderList(ctx, view);
}
