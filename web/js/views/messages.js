// The message list of one conversation: keyed nodes reused across renders (so 1,000 messages stay cheap), day
// separators, runs of one sender, receipts, and scroll handling (history on scroll up, stick to the bottom).

import { h, icon, iconButton, replace } from '../dom.js';
import { time, fullTime, dayKey, dayLabel } from '../format.js';
import { avatar } from './widgets.js';
import { mediaContent } from './media.js';

const RUN_GAP_MS = 5 * 60 * 1000;
const URL_RE = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/g;
const MEDIA_KINDS = new Set(['image', 'audio', 'video', 'file']);

function keyOf(m) {
  return m.clientMsgId ? `c:${m.from}:${m.clientMsgId}` : `s:${m.seq}`;
}

/** Text with links made clickable; everything else stays text. */
function richText(text) {
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(URL_RE)) {
    if (match.index > last) parts.push(text.slice(last, match.index));
    parts.push(h('a', { href: match[0], target: '_blank', rel: 'noopener noreferrer', text: match[0] }));
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

const onlyEmoji = (text) => text.length <= 12 && /^(\p{Extended_Pictographic}|\p{Emoji_Component}|\u200d|\ufe0f|\s)+$/u.test(text) && /\p{Extended_Pictographic}/u.test(text);

export class MessageList {
  constructor(store, conv, { openImage, onRetry, onDiscard, onRemove }) {
    this.onRemove = onRemove;
    this.store = store;
    this.conv = conv;
    this.openImage = openImage;
    this.onRetry = onRetry;
    this.onDiscard = onDiscard;
    this.nodes = new Map(); // key -> {el, sig}
    this.top = h('div', { class: 'history-top' });
    this.ol = h('ol', { class: 'msg-list' });
    this.el = h('div', { class: 'messages', role: 'log', 'aria-label': 'Messages', 'aria-live': 'polite', 'aria-relevant': 'additions', tabindex: '0' },
      this.top, this.ol);
  }

  atBottom() {
    const el = this.el;
    return el.scrollHeight - el.scrollTop - el.clientHeight < 48;
  }

  scrollToBottom() {
    this.el.scrollTop = this.el.scrollHeight;
  }

  renderTop() {
    const c = this.conv;
    if (c.loadingOlder) replace(this.top, h('div', { class: 'spinner small', role: 'status', 'aria-label': 'Loading earlier messages' }));
    else if (!c.hasMore) replace(this.top, h('p', { class: 'history-start', text: c.msgs.size ? 'This is the beginning of the conversation.' : '' }));
    else replace(this.top, h('button', { type: 'button', class: 'btn small', text: 'Load earlier messages', onclick: () => this.loadOlder() }));
  }

  /** Loads older history keeping what is on screen where it is. */
  async loadOlder() {
    const c = this.conv;
    if (!c.hasMore || c.loadingOlder) return;
    const p = this.store.loadOlder(c);
    this.renderTop();
    try { await p; } catch { /* the button stays */ }
    this.render({ keepAnchor: true });
  }

  render({ keepAnchor = false, forceBottom = false } = {}) {
    const stick = forceBottom || this.atBottom();
    const beforeHeight = this.el.scrollHeight;
    const beforeTop = this.el.scrollTop;
    this.renderTop();
    const desired = this.build();
    const children = this.ol.children;
    for (let i = 0; i < desired.length; i++) {
      if (children[i] !== desired[i]) this.ol.insertBefore(desired[i], children[i] ?? null);
    }
    while (children.length > desired.length) children[children.length - 1].remove();
    if (keepAnchor) this.el.scrollTop = beforeTop + (this.el.scrollHeight - beforeHeight);
    else if (stick) this.scrollToBottom();
  }

  build() {
    const store = this.store;
    const c = this.conv;
    const group = c.type === 'group';
    const items = store.timeline(c);
    const out = [];
    const live = new Set();
    let prev = null;
    for (let i = 0; i < items.length; i++) {
      const m = items[i];
      const next = items[i + 1];
      const day = dayKey(m.ts);
      if (!prev || dayKey(prev.ts) !== day) {
        const key = 'day:' + day;
        live.add(key);
        out.push(this.node(key, dayLabel(m.ts), () => h('li', { class: 'day-sep', role: 'separator' }, h('span', { text: dayLabel(m.ts) }))));
      }
      const first = !prev || prev.from !== m.from || dayKey(prev.ts) !== day || m.ts - prev.ts > RUN_GAP_MS || prev.kind === 'system';
      const last = !next || next.from !== m.from || dayKey(next.ts) !== day || next.ts - m.ts > RUN_GAP_MS || next.kind === 'system';
      const own = m.from === store.me.id;
      const state = m.local ? m.status : own ? store.receiptState(c, m.seq) : '';
      const sig = [state, first, last, m.kind === 'removed' ? 'x' : '', store.canRemove(c, m) ? 'r' : '', m.local ? m.error ?? '' : '', group ? store.displayName(m.from, m.fromName) : ''].join('|');
      const key = keyOf(m);
      live.add(key);
      out.push(this.node(key, sig, () => this.message(m, { own, first, last, group, state })));
      prev = m;
    }
    for (const key of this.nodes.keys()) if (!live.has(key)) this.nodes.delete(key);
    return out;
  }

  node(key, sig, create) {
    const known = this.nodes.get(key);
    if (known && known.sig === sig) return known.el;
    const el = create();
    if (known) known.el.replaceWith(el); // keeps its place; the reconcile loop sees the new node there
    this.nodes.set(key, { el, sig });
    return el;
  }

  message(m, { own, first, last, group, state }) {
    const store = this.store;
    const name = store.displayName(m.from, m.fromName);
    const classes = ['msg', own ? 'own' : 'other', first ? 'first' : 'cont', last ? 'last' : ''];
    const removed = m.removed || m.kind === 'removed';
    let content;
    if (removed) content = [h('p', { class: 'msg-text removed', text: 'Message removed' })];
    else if (MEDIA_KINDS.has(m.kind)) {
      classes.push('media', 'kind-' + m.kind);
      content = [mediaContent(store, m, { openImage: this.openImage }), m.text ? h('p', { class: 'msg-text caption' }, richText(m.text)) : null];
    } else if (m.kind === 'system') {
      return h('li', { class: 'msg-system', text: m.text || '' });
    } else {
      const text = m.text ?? '';
      if (onlyEmoji(text.trim())) classes.push('jumbo');
      content = [h('p', { class: 'msg-text' }, richText(text))];
    }
    const meta = h('span', { class: 'msg-meta' },
      h('time', { datetime: new Date(m.ts).toISOString(), title: fullTime(m.ts), text: time(m.ts) }),
      own ? this.status(state) : null);
    const bubble = h('div', { class: 'bubble' },
      group && !own && first ? h('span', { class: 'msg-name', text: name }) : null,
      content, meta);
    const li = h('li', { class: classes.filter(Boolean).join(' '), dataset: { seq: m.seq ?? '', from: m.from } },
      group && !own ? (last ? avatar(store, { userId: m.from, name, size: 'sm' }) : h('span', { class: 'avatar-space' })) : null,
      bubble,
      store.canRemove(this.conv, m) ? iconButton('trash', 'Remove message', () => this.onRemove(m), { class: 'icon-btn msg-action' }) : null);
    if (m.local && m.status === 'failed') {
      li.append(h('div', { class: 'msg-failed', role: 'alert' },
        h('span', { text: 'Not sent' + (m.error ? ': ' + m.error : '') }),
        h('button', { type: 'button', class: 'link-btn', text: 'Retry', onclick: () => this.onRetry(m) }),
        h('button', { type: 'button', class: 'link-btn', text: 'Delete', onclick: () => this.onDiscard(m) })));
    }
    return li;
  }

  status(state) {
    const map = {
      sending: ['clock', 'Sending'], failed: ['alert', 'Not sent'], sent: ['check', 'Sent'],
      delivered: ['checks', 'Delivered'], read: ['checks', 'Read'],
    };
    const [name, label] = map[state] ?? map.sent;
    return h('span', { class: 'receipt ' + state, title: label, 'aria-label': label, role: 'img', dataset: { state } }, icon(name));
  }
}
