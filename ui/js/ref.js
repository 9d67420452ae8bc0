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

// The states a workflow allows next from `current`: from the object itself when the server
// says ("transitions"/"allowed_transitions"), else from the state's entry in the reference data.
export function nextStates(ref, listName, current, obj) {
  const fromObj = obj && (obj.allowed_transitions || obj.transitions || obj.next_states);
  if (Array.isArray(fromObj)) return fromObj.map((x) => (typeof x === 'string' ? x : x.to || x.code));
  const st = refItem(ref, listName, current);
  const n = st && (st.next || st.transitions || st.to);
  if (Array.isArray(n)) return n.map((x) => (typeof x === 'string' ? x : x.to || x.code));
  const map = ref && (ref[`${listName.replace(/_states$/, '')}_transitions`] || ref.transitions);
  if (map && Array.isArray(map[current])) return map[current];
  return [];
}

// Does moving to `to` need a superior's approval (起案/決裁)? Taken from the state entry.
export function needsApproval(ref, listName, to) {
  const st = refItem(ref, listName, to);
  return Boolean(st && (st.needs_approval || st.approval));
}
