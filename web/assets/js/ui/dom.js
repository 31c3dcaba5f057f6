// dom.js — building elements without innerHTML (text is always text).

// h('div.card#x', {attrs, on: {click}}, ...children): an element; class
// names after dots and an id after '#', in any order; children are nodes, strings or arrays.
export function h(spec, props = {}, ...children) {
  if (props instanceof Node || typeof props === 'string' || Array.isArray(props)) {
    children.unshift(props);
    props = {};
  }
  const tag = spec.match(/^[a-z0-9]*/i)[0] || 'div';
  const classes = [...spec.matchAll(/\.([\w-]+)/g)].map((m) => m[1]);
  const id = spec.match(/#([\w-]+)/);
  const el = document.createElement(tag);
  if (classes.length) el.className = classes.join(' ');
  if (id) el.id = id[1];
  for (const [k, v] of Object.entries(props)) {
    if (k === 'on') for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
    else if (v === true) el.setAttribute(k, '');
    else if (v !== false && v !== undefined && v !== null) el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

// Replaces el's children.
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

export function formatBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export function formatDate(unixSeconds) {
  return new Date(unixSeconds * 1000).toLocaleString();
}

// A message box: kind 'error' (role=alert), 'ok' or 'note'.
export function message(kind, text) {
  return h(`p.msg.${kind}`, kind === 'error' ? { role: 'alert' } : { role: 'status' }, text);
}

// Reads a File as text or bytes.
export const fileText = (file) => file.text();
export const fileBytes = async (file) => new Uint8Array(await file.arrayBuffer());
