// The signed-in page: the conversation list beside the open conversation (one at a time on a phone).

import { h, replace } from '../dom.js';
import { Sidebar } from './sidebar.js';
import { ChatView } from './chat.js';

export class Shell {
  constructor({ root, api, store, navigate, signOut }) {
    this.api = api;
    this.store = store;
    this.navigate = navigate;
    this.signOut = signOut;
    this.chat = null;
    this.sidebar = new Sidebar(this);
    this.pane = h('main', { class: 'pane', id: 'chat-pane' });
    this.el = h('div', { class: 'shell' }, this.sidebar.el, this.pane);
    replace(root, this.el, h('div', { id: 'announcer', class: 'sr-only', 'aria-live': 'polite' }));
    this.onUnread = () => {
      const n = store.totalUnread();
      document.title = n ? `(${n}) Parley` : 'Parley';
    };
    store.addEventListener('conversations', this.onUnread);
    this.onVisible = () => this.chat?.checkReading();
    document.addEventListener('visibilitychange', this.onVisible);
    window.addEventListener('focus', this.onVisible);
  }

  route(path) {
    const match = /^\/c\/(.+)$/.exec(path);
    const id = match ? decodeURIComponent(match[1]) : null;
    if (id && this.isMine(id)) this.openConversation(id);
    else {
      if (path !== '/') history.replaceState(null, '', '/');
      this.closeConversation();
    }
    this.onUnread();
  }

  /** A well-formed conversation id this user can be in (a direct one must name them). */
  isMine(id) {
    if (/^g:\d+$/.test(id)) return true;
    const m = /^d:(\d+):(\d+)$/.exec(id);
    return !!m && m[1] !== m[2] && (Number(m[1]) === this.store.me.id || Number(m[2]) === this.store.me.id);
  }

  /** Opens (from a link or the router) a conversation by id. */
  openConversation(id) {
    if (this.chat?.conv.id === id) return;
    this.chat?.destroy();
    const conv = this.store.conv(id);
    if (conv.type === 'direct' && !this.store.user(conv.peerId)?.account) {
      // opened from an address: learn who it is with
      this.api.user(conv.peerId).then((u) => { this.store.rememberUser(u); this.store.emit('conversations'); }, () => {});
    }
    this.chat = new ChatView(this, conv);
    replace(this.pane, this.chat.el);
    this.el.classList.add('has-chat');
    this.sidebar.render();
    this.chat.start();
  }

  closeConversation() {
    this.chat?.destroy();
    this.chat = null;
    this.store.close();
    replace(this.pane, h('div', { class: 'pane-empty' },
      h('img', { src: '/icon.svg', alt: '', width: 72, height: 72 }),
      h('h2', { text: 'Your conversations' }),
      h('p', { text: 'Pick a chat on the left, or find someone to talk to.' })));
    this.el.classList.remove('has-chat');
    this.sidebar.render();
  }

  /** Opens the chat with a user (from search, friends, members). */
  chatWith(user) {
    const conv = this.store.directWith(user);
    this.navigate('/c/' + encodeURIComponent(conv.id));
  }

  destroy() {
    this.chat?.destroy();
    this.store.connection.end('signed_out');
    document.removeEventListener('visibilitychange', this.onVisible);
    window.removeEventListener('focus', this.onVisible);
    document.querySelectorAll('dialog').forEach((d) => d.remove());
    document.title = 'Parley';
  }
}
