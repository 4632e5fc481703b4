// The conversation list with search, and the buttons to friends, groups and settings.

import { h, replace, icon, iconButton } from '../dom.js';
import { avatar } from './widgets.js';
import { listStamp, preview } from '../format.js';
import { friendsDialog, groupsDialog, settingsDialog } from './dialogs.js';

const CONNECTION_TEXT = { connecting: 'Connecting…', reconnecting: 'Reconnecting…', online: 'Online', idle: 'Connecting…', ended: 'Offline' };

export class Sidebar {
  constructor(shell) {
    this.shell = shell;
    const store = shell.store;
    this.store = store;
    this.query = '';
    this.people = [];
    this.searchSeq = 0;

    this.meButton = h('button', { type: 'button', class: 'me-btn', 'aria-label': 'Profile and settings', title: 'Profile and settings',
      onclick: () => settingsDialog(shell) });
    this.status = h('span', { class: 'conn-status', role: 'status' });
    this.friendsBadge = h('span', { class: 'badge hidden', 'aria-hidden': 'true' });
    this.friendsButton = h('button', { type: 'button', class: 'icon-btn', 'aria-label': 'Friends', title: 'Friends', onclick: () => friendsDialog(shell) },
      icon('users'), this.friendsBadge);
    this.search = h('input', { type: 'search', class: 'search-input', placeholder: 'Search or start a chat', 'aria-label': 'Search conversations and people',
      autocomplete: 'off', spellcheck: 'false' });
    this.search.addEventListener('input', () => this.onSearch());
    this.search.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') { this.search.value = ''; this.onSearch(); }
      if (e.key === 'ArrowDown') { e.preventDefault(); this.list.querySelector('a,button')?.focus(); }
    });
    this.list = h('nav', { class: 'conv-nav', 'aria-label': 'Conversations' });
    this.list.addEventListener('keydown', (e) => this.onListKey(e));
    this.el = h('aside', { class: 'sidebar' },
      h('header', { class: 'side-head' },
        this.meButton,
        h('div', { class: 'side-title' }, h('h1', { text: 'Chats' }), this.status),
        this.friendsButton,
        iconButton('group', 'Groups', () => groupsDialog(shell))),
      h('div', { class: 'search-box' }, icon('search'), this.search),
      this.list);

    this.render = this.render.bind(this);
    for (const type of ['conversations', 'presence', 'typing', 'members']) store.addEventListener(type, this.render);
    store.addEventListener('requests', () => this.renderBadge());
    store.addEventListener('connection', () => this.renderStatus());
    this.renderMe();
    this.renderStatus();
    this.renderBadge();
  }

  renderMe() {
    const me = this.store.user(this.store.me.id);
    replace(this.meButton, avatar(this.store, { userId: me.id, name: me.displayName, url: me.avatarUrl, size: 'sm' }));
  }

  renderStatus() {
    const state = this.store.connection.state;
    this.status.textContent = CONNECTION_TEXT[state] ?? state;
    this.status.className = 'conn-status ' + state;
  }

  renderBadge() {
    const incoming = this.store.requests.filter((r) => r.direction === 'incoming').length;
    this.friendsBadge.textContent = incoming ? String(incoming) : '';
    this.friendsBadge.classList.toggle('hidden', !incoming);
    this.friendsButton.setAttribute('aria-label', incoming ? `Friends, ${incoming} new request${incoming > 1 ? 's' : ''}` : 'Friends');
  }

  onSearch() {
    this.query = this.search.value.trim();
    this.render();
    clearTimeout(this.searchTimer);
    if (!this.query) { this.people = []; return; }
    const seq = ++this.searchSeq;
    this.searchTimer = setTimeout(async () => {
      try {
        const found = await this.shell.api.searchUsers(this.query);
        if (seq !== this.searchSeq) return;
        this.people = found;
        this.render();
      } catch { /* keep the list */ }
    }, 200);
  }

  onListKey(e) {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const items = [...this.list.querySelectorAll('.conv-item')];
    const i = items.indexOf(document.activeElement);
    if (i < 0) return;
    e.preventDefault();
    items[Math.max(0, Math.min(items.length - 1, i + (e.key === 'ArrowDown' ? 1 : -1)))]?.focus();
  }

  render() {
    const store = this.store;
    const focusedId = document.activeElement?.closest?.('.conv-item')?.dataset.id;
    const q = this.query.toLowerCase();
    let convs = store.sorted();
    if (q) convs = convs.filter((c) => store.title(c).toLowerCase().includes(q) || (c.type === 'direct' && store.user(c.peerId)?.account.includes(q)));
    const openId = this.shell.chat?.conv.id;
    const items = convs.map((c) => this.item(c, c.id === openId));
    const parts = [];
    if (items.length) parts.push(h('ul', { class: 'conv-list', role: 'list' }, items));
    else if (!q) parts.push(h('div', { class: 'side-empty' },
      h('p', { text: 'No conversations yet.' }),
      h('p', { text: 'Search for people above, add friends, or join a group.' })));

    if (q) {
      const known = new Set(convs.filter((c) => c.type === 'direct').map((c) => c.peerId));
      const people = this.people.filter((u) => !known.has(u.id));
      parts.push(h('h2', { class: 'list-heading', text: 'People' }));
      parts.push(people.length
        ? h('ul', { class: 'conv-list', role: 'list' }, people.map((u) => h('li', null,
          h('button', { type: 'button', class: 'conv-item', dataset: { id: 'u' + u.id }, onclick: () => { this.search.value = ''; this.onSearch(); this.shell.chatWith(u); } },
            avatar(store, { userId: store.rememberUser(u).id, size: 'md' }),
            h('span', { class: 'conv-main' },
              h('span', { class: 'conv-top' }, h('span', { class: 'conv-name', text: u.displayName })),
              h('span', { class: 'conv-bottom' }, h('span', { class: 'conv-preview', text: '@' + u.account + ' · start a chat' })))))))
        : h('p', { class: 'empty small', text: 'No one else matches.' }));
    }
    replace(this.list, parts);
    if (focusedId) this.list.querySelector(`[data-id="${CSS.escape(focusedId)}"]`)?.focus();
  }

  item(c, current) {
    const store = this.store;
    const title = store.title(c);
    const typing = store.typingNames(c);
    const last = c.pending.size ? [...c.pending.values()].at(-1) : c.lastMessage;
    let text = '';
    if (typing.length) text = c.type === 'group' ? `${typing[0]} is typing…` : 'typing…';
    else if (last) {
      const who = last.from === store.me.id ? 'You: ' : c.type === 'group' ? store.displayName(last.from, last.fromName).split(' ')[0] + ': ' : '';
      text = who + preview(last);
    } else if (c.type === 'group') text = 'No messages yet';
    const peer = c.type === 'direct' ? store.user(c.peerId) : null;
    const label = [title, peer ? (peer.online ? 'online' : null) : 'group', c.unread ? `${c.unread} unread` : null].filter(Boolean).join(', ');
    const link = h('a', {
      class: 'conv-item' + (current ? ' current' : '') + (c.unread ? ' unread' : ''),
      href: '/c/' + encodeURIComponent(c.id), dataset: { id: c.id }, 'aria-current': current ? 'page' : null, 'aria-label': label,
      onclick: (e) => {
        if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        this.shell.navigate('/c/' + encodeURIComponent(c.id));
      },
    },
      c.type === 'group'
        ? avatar(store, { name: title, group: true, size: 'md' })
        : avatar(store, { userId: c.peerId, size: 'md', online: peer?.online ?? false }),
      h('span', { class: 'conv-main' },
        h('span', { class: 'conv-top' },
          h('span', { class: 'conv-name', text: title }),
          last ? h('time', { class: 'conv-time', datetime: new Date(last.ts).toISOString(), text: listStamp(last.ts) }) : null),
        h('span', { class: 'conv-bottom' },
          h('span', { class: 'conv-preview' + (typing.length ? ' typing' : ''), text }),
          c.unread ? h('span', { class: 'badge', text: c.unread > 99 ? '99+' : String(c.unread) }) : null)));
    return h('li', null, link);
  }
}

