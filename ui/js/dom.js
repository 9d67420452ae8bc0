// Building DOM nodes without innerHTML, so text from the server is never parsed as markup.

// h('a', {href: '#/x', class: 'btn', onclick: fn}, 'text', child, [more]) -> element.
// Attribute values of false/null/undefined are left out; true gives an empty attribute.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') {
      el.addEventListener(k.slice(2), v);
    } else if (k === 'value' && ('value' in el)) {
      el.value = v;
    } else if (k === 'checked' || k === 'selected' || k === 'disabled') {
      el[k] = Boolean(v);
      if (v) el.setAttribute(k, '');
    } else {
      el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

let seq = 0;
// A unique element id with a readable prefix.
export function uid(prefix) {
  seq += 1;
  return `${prefix}-${seq}`;
}

// A labelled form control: <div class="field"><label for=id>text</label>control hint</div>.
// `control` gets the id; `name` (the API field, e.g. "reporter.name") goes in data-field so
// an API error naming that field can find and mark it.
export function field(labelText, control, opts = {}) {
  const id = control.id || uid('f');
  control.id = id;
  if (opts.name) control.dataset.field = opts.name;
  const hintId = opts.hint ? `${id}-hint` : null;
  if (hintId) control.setAttribute('aria-describedby', hintId);
  if (opts.required) control.required = true;
  return h('div', { class: `field${opts.wide ? ' wide' : ''}` },
    h('label', { for: id }, labelText, opts.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null),
    control,
    hintId ? h('div', { class: 'hint', id: hintId }, opts.hint) : null);
}

// <select> with options [{value, label}], the current value selected.
export function select(options, value, attrs = {}) {
  return h('select', attrs, options.map((o) =>
    h('option', { value: o.value, selected: String(o.value) === String(value ?? '') }, o.label)));
}

// Calls fn at most once per `ms` of quiet (the live preview's debounce).
export function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      fn(...args);
    }, ms);
  };
}
