// Reference data from GET /api/v1/ref (categories, intake types, channels, states, TLP, scopes,
// observable roles) with ja/en labels, and the helpers the forms use to show it.

// The list `name` of the reference data as [{code, ...}] whatever the server's exact shape:
// an array of objects, an array of codes, or an object keyed by code.
export function refList(ref, name) {
  const v = ref ? ref[name] : null;
  if (Array.isArray(v)) {
    return v.map((it) => (typeof it === 'string' ? { code: it } : { ...it, code: it.code ?? it.id ?? it.value }));
  }
  if (v && typeof v === 'object') {
    return Object.entries(v).map(([code, it]) => (typeof it === 'object' ? { code, ...it } : { code, label: it }));
  }
  return [];
}

export function refItem(ref, name, code) {
  return refList(ref, name).find((it) => it.code === code) || null;
}

// Options for a <select>: [{value, label}], with a leading "all"/"choose" option when given.
export function refOptions(ref, name, i18n, first) {
  const opts = refList(ref, name).map((it) => ({ value: it.code, label: i18n.label(it) }));
  return first ? [{ value: '', label: first }, ...opts] : opts;
}

// The label of `code` in list `name`, or the code itself when the list does not know it.
export function refName(ref, name, code, i18n) {
  if (code === null || code === undefined || code === '') return '';
  const it = refItem(ref, name, code);
  return it ? i18n.label(it) : String(code);
}

// The workflow's transitions ({from, to, approval}) for the machine of `listName`
// ("report_states" -> ref.report_transitions).
function transitionList(ref, listName) {
  const list = ref ? ref[listName.replace(/_states$/, '_transitions')] : null;
  return Array.isArray(list) ? list.filter((x) => x && typeof x === 'object') : [];
}

// The states a workflow allows next from `current`: from the object itself when the server
// says ("allowed_transitions"), else from the reference data's transition list.
export function nextStates(ref, listName, current, obj) {
  const fromObj = obj && obj.allowed_transitions;
  if (Array.isArray(fromObj)) return fromObj.map((x) => (typeof x === 'string' ? x : x.to || x.code));
  return transitionList(ref, listName).filter((x) => x.from === current).map((x) => x.to);
}

// Does the step from `from` to `to` need a superior's approval (起案/決裁)?
export function needsApproval(ref, listName, from, to) {
  return transitionList(ref, listName).some((x) => x.from === from && x.to === to && x.approval === true);
}
