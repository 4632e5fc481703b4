// Tiny DOM helpers. Text always goes in as text nodes (never innerHTML), so user content cannot inject markup.

const SVG = 'http://www.w3.org/2000/svg';

/**
 * h('button', {class: 'x', onclick: fn, 'aria-label': 'Send'}, 'text', childNode)
 * Props: class, text, dataset (object), on<event> (function), boolean attributes (true/false), other attributes.
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props) setProps(el, props);
  append(el, children);
  return el;
}

export function setProps(el, props) {
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'value') el.value = value;
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

/** Replaces the children of el. */
export function replace(el, ...children) {
  clear(el);
  return append(el, children);
}

// Icons as path data (24x24, stroked), built with createElementNS: no inline markup, CSP-friendly.
const ICONS = {
  send: 'M4 12l16-8-6 16-2.5-6.5L4 12z',
  attach: 'M16.5 7.5l-7.8 7.8a2.1 2.1 0 003 3l8.1-8.1a4.2 4.2 0 00-6-6L5.6 12.4a6.3 6.3 0 009 9l6.9-6.9',
  smile: 'M12 21a9 9 0 100-18 9 9 0 000 18zM8.5 14.5s1.3 2 3.5 2 3.5-2 3.5-2M9 9.5h.01M15 9.5h.01',
  back: 'M15 5l-7 7 7 7',
  users: 'M16 20v-1.5a3.5 3.5 0 00-3.5-3.5h-5A3.5 3.5 0 004 18.5V20M10 11a3.5 3.5 0 100-7 3.5 3.5 0 000 7zM20 20v-1.5a3.5 3.5 0 00-2.6-3.4M15.5 4.1a3.5 3.5 0 010 6.8',
  userPlus: 'M15 20v-1.5a3.5 3.5 0 00-3.5-3.5h-5A3.5 3.5 0 003 18.5V20M9 11a3.5 3.5 0 100-7 3.5 3.5 0 000 7zM19 8v6M22 11h-6',
  group: 'M3 7a4 4 0 014-4h10a4 4 0 014 4v6a4 4 0 01-4 4H9l-5 4v-4.5A4 4 0 013 13V7z',
  plus: 'M12 5v14M5 12h14',
  close: 'M6 6l12 12M18 6L6 18',
  search: 'M11 18a7 7 0 100-14 7 7 0 000 14zM20 20l-4-4',
  info: 'M12 21a9 9 0 100-18 9 9 0 000 18zM12 11v5M12 8h.01',
  file: 'M14 3H7a2 2 0 00-2 2v14a2 2 0 002 2h10a2 2 0 002-2V8l-5-5zM14 3v5h5',
  download: 'M12 4v11M7 10l5 5 5-5M5 20h14',
  check: 'M5 12.5l4.5 4.5L19 7.5',
  checks: 'M2 12.5l4.5 4.5L16 7.5M12 16l1 1 9.5-9.5',
  clock: 'M12 21a9 9 0 100-18 9 9 0 000 18zM12 7v5l3 2',
  alert: 'M12 21a9 9 0 100-18 9 9 0 000 18zM12 8v5M12 16h.01',
  settings: 'M12 15a3 3 0 100-6 3 3 0 000 6zM19.4 13.5l1.6 1.2-2 3.5-1.9-.8a7 7 0 01-2.1 1.2L14.8 21h-4l-.3-2.4a7 7 0 01-2.1-1.2l-1.9.8-2-3.5 1.6-1.2a7 7 0 010-3l-1.6-1.2 2-3.5 1.9.8a7 7 0 012.1-1.2L10.8 3h4l.3 2.4a7 7 0 012.1 1.2l1.9-.8 2 3.5-1.6 1.2a7 7 0 010 3z',
  logout: 'M15 4h3a2 2 0 012 2v12a2 2 0 01-2 2h-3M10 17l5-5-5-5M15 12H4',
  down: 'M6 9l6 6 6-6',
  trash: 'M4 7h16M10 11v6M14 11v6M6 7l1 12a2 2 0 002 2h6a2 2 0 002-2l1-12M9 7V4h6v3',
};

export function icon(name, label) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', 'icon icon-' + name);
  if (label) { svg.setAttribute('role', 'img'); svg.setAttribute('aria-label', label); }
  else svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', ICONS[name] ?? ICONS.info);
  svg.append(path);
  return svg;
}

/** An icon-only button with an accessible name (also its tooltip). */
export function iconButton(name, label, onclick, extra = {}) {
  return h('button', { type: 'button', class: 'icon-btn', 'aria-label': label, title: label, onclick, ...extra }, icon(name));
}

/** Announces text to screen readers through the page's polite live region. */
export function announce(text) {
  const region = document.getElementById('announcer');
  if (!region) return;
  region.textContent = '';
  setTimeout(() => { region.textContent = text; }, 30);
}

let toastTimer;
/** A short status message at the bottom of the screen (errors stay until dismissed or replaced). */
export function toast(text, kind = 'info') {
  let el = document.getElementById('toast');
  if (!el) {
    el = h('div', { id: 'toast', role: kind === 'error' ? 'alert' : 'status' });
    document.body.append(el);
  }
  el.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  el.className = 'toast toast-' + kind;
  replace(el, h('span', { text }), iconButton('close', 'Dismiss', () => el.classList.add('hidden')));
  el.classList.remove('hidden');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => el.classList.add('hidden'), kind === 'error' ? 8000 : 3500);
}
