// One open conversation: header, messages, typing notice, composer with attachments and emoji.

import { h, replace, icon, iconButton, toast, announce } from '../dom.js';
import { avatar, confirmDialog } from './widgets.js';
import { MessageList } from './messages.js';
import { kindOf, measure } from './media.js';
import { emojiPicker } from './emoji.js';
import { groupInfoDialog, userDialog, imageViewer } from './dialogs.js';
import { size as formatSize } from '../format.js';

const BANNER = { reconnecting: 'Connection lost. Reconnecting…', connecting: 'Connecting…', ended: 'Disconnected.' };

export class ChatView {
  constructor(shell, conv) {
    this.shell = shell;
    this.store = shell.store;
    this.conv = conv;
    this.disposers = [];
    const store = this.store;

    this.list = new MessageList(store, conv, {
      openImage: (url, name) => imageViewer(url, name),
      onRetry: (local) => store.retry(conv, local),
      onDiscard: (local) => store.discard(conv, local),
      onRemove: async (m) => {
        if (!(await confirmDialog('Remove this message for everyone?', 'Remove'))) return;
        try { await store.remove(conv, m); } catch (err) { toast('Could not remove the message: ' + err.message, 'error'); }
      },
    });
    this.list.el.addEventListener('scroll', () => this.onScroll(), { passive: true });

    this.headInfo = h('div', { class: 'chat-head-info' });
    this.banner = h('div', { class: 'banner hidden', role: 'status' });
    this.typingEl = h('div', { class: 'typing-line', 'aria-live': 'polite' });
    this.jump = h('button', { type: 'button', class: 'jump hidden', 'aria-label': 'Jump to latest messages', onclick: () => { this.list.scrollToBottom(); this.onScroll(); } },
      icon('down'), h('span', { class: 'jump-count' }));
    this.uploads = h('ul', { class: 'uploads', 'aria-label': 'Uploads' });

    this.fileInput = h('input', { type: 'file', class: 'sr-only', multiple: true, tabindex: '-1', 'aria-hidden': 'true' });
    this.fileInput.addEventListener('change', () => { this.attach([...this.fileInput.files]); this.fileInput.value = ''; });
    this.input = h('textarea', { class: 'composer-input', rows: 1, placeholder: 'Write a message…', 'aria-label': 'Message', maxlength: 16384, enterkeyhint: 'send' });
    this.input.value = conv.draft;
    this.input.addEventListener('input', () => this.onInput());
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); this.submit(); }
    });
    this.input.addEventListener('paste', (e) => {
      const files = [...(e.clipboardData?.files ?? [])];
      if (files.length) { e.preventDefault(); this.attach(files); }
    });
    this.sendButton = h('button', { type: 'submit', class: 'send-btn', 'aria-label': 'Send', title: 'Send (Enter)' }, icon('send'));
    this.emojiButton = iconButton('smile', 'Insert emoji', () => emojiPicker(this.emojiButton, (e) => this.insert(e)), { 'aria-haspopup': 'dialog' });
    const form = h('form', { class: 'composer', onsubmit: (e) => { e.preventDefault(); this.submit(); } },
      iconButton('attach', 'Attach files', () => this.fileInput.click()), this.fileInput,
      h('div', { class: 'composer-box' }, this.input, this.emojiButton),
      this.sendButton);

    this.el = h('section', { class: 'chat', 'aria-label': 'Conversation' },
      h('header', { class: 'chat-head' },
        iconButton('back', 'Back to conversations', () => shell.navigate('/'), { class: 'icon-btn back-btn' }),
        this.headInfo,
        iconButton('info', conv.type === 'group' ? 'Group details' : 'Contact details', () => this.details())),
      this.banner,
      h('div', { class: 'messages-wrap' }, this.list.el, this.jump),
      this.typingEl, this.uploads, form);

    // drag and drop of files onto the conversation
    this.el.addEventListener('dragover', (e) => { if (e.dataTransfer?.types.includes('Files')) { e.preventDefault(); this.el.classList.add('dropping'); } });
    this.el.addEventListener('dragleave', (e) => { if (e.target === this.el) this.el.classList.remove('dropping'); });
    this.el.addEventListener('drop', (e) => {
      this.el.classList.remove('dropping');
      if (!e.dataTransfer?.files.length) return;
      e.preventDefault();
      this.attach([...e.dataTransfer.files]);
    });

    this.listen('messages', (e) => { if (e.detail.conv === conv) this.onMessages(e.detail.latest); });
    this.listen('history', (e) => { if (e.detail.conv === conv) this.list.render({ keepAnchor: true }); });
    this.listen('receipts', (e) => { if (e.detail.conv === conv) this.list.render(); });
    this.listen('typing', (e) => { if (e.detail.conv === conv) this.renderTyping(); });
    this.listen('presence', () => this.renderHead());
    this.listen('members', () => { this.renderHead(); this.list.render(); });
    this.listen('conversations', () => this.renderHead());
    this.listen('connection', () => this.renderBanner());
    this.listen('synced', () => this.list.render());
  }

  listen(type, fn) {
    this.store.addEventListener(type, fn);
    this.disposers.push(() => this.store.removeEventListener(type, fn));
  }

  async start() {
    const { store, conv } = this;
    this.renderHead();
    this.renderBanner();
    this.renderTyping();
    this.list.render({ forceBottom: true });
    if (matchMedia('(min-width: 761px)').matches) this.input.focus();
    try {
      await store.open(conv);
    } catch (err) {
      toast('Could not load messages: ' + err.message, 'error');
    }
    this.list.render({ forceBottom: true });
    await this.fill();
    this.onScroll();
    if (conv.type === 'group') store.loadMembers(conv.groupId).catch(() => {});
  }

  /** Loads history until the list can scroll (a short first page would leave nothing to scroll up for). */
  async fill() {
    for (let i = 0; i < 5 && this.conv.hasMore && this.list.el.scrollHeight <= this.list.el.clientHeight + 40; i++) {
      await this.list.loadOlder();
    }
  }

  onMessages(latest) {
    const members = this.conv.type === 'group' ? this.store.members.get(this.conv.groupId) : null;
    if (latest && members && !members.some((m) => m.userId === latest.from)) this.store.loadMembers(this.conv.groupId).catch(() => {});
    const wasBottom = this.list.atBottom();
    const mine = latest && latest.from === this.store.me.id;
    this.list.render({ forceBottom: mine });
    if (latest && !mine && !wasBottom) {
      this.unseen = (this.unseen ?? 0) + 1;
      this.jump.querySelector('.jump-count').textContent = String(this.unseen);
      this.jump.classList.remove('hidden');
    }
    if (latest && !mine) announce(`${this.store.displayName(latest.from, latest.fromName)}: ${latest.text ?? latest.kind}`);
    this.checkReading();
  }

  onScroll() {
    if (this.list.el.scrollTop < 400 && this.conv.hasMore && !this.conv.loadingOlder) this.list.loadOlder();
    if (this.list.atBottom()) { this.unseen = 0; this.jump.classList.add('hidden'); }
    this.checkReading();
  }

  /** The conversation counts as read while it is on screen with its end visible. */
  checkReading() {
    const reading = document.visibilityState === 'visible' && this.list.atBottom() && this.shell.chat === this;
    this.store.reading = reading;
    if (reading) this.store.markRead(this.conv);
  }

  renderHead() {
    const { store, conv } = this;
    const title = store.title(conv);
    let sub;
    if (conv.type === 'group') {
      const members = store.members.get(conv.groupId);
      if (members) {
        const online = members.filter((m) => m.userId === store.me.id || store.user(m.userId)?.online).length;
        sub = `${members.length} member${members.length === 1 ? '' : 's'}, ${online} online`;
      } else sub = conv.group ? `${conv.group.memberCount} members` : 'Group';
    } else {
      const peer = store.user(conv.peerId);
      sub = peer ? (peer.online ? 'online' : 'offline') + (peer.account ? ` · @${peer.account}` : '') : '';
    }
    replace(this.headInfo,
      conv.type === 'group' ? avatar(store, { name: title, group: true }) : avatar(store, { userId: conv.peerId, online: store.user(conv.peerId)?.online ?? false }),
      h('div', { class: 'chat-title' }, h('h2', { text: title }), h('span', { class: 'chat-sub', text: sub })));
    document.title = (store.totalUnread() ? `(${store.totalUnread()}) ` : '') + title + ' · Parley';
  }

  renderBanner() {
    const state = this.store.connection.state;
    const text = BANNER[state];
    this.banner.textContent = text ?? '';
    this.banner.classList.toggle('hidden', !text || state === 'connecting');
    this.el.classList.toggle('offline', state !== 'online');
  }

  renderTyping() {
    const names = this.store.typingNames(this.conv);
    this.typingEl.textContent = !names.length ? ''
      : this.conv.type === 'direct' ? `${names[0]} is typing…`
        : names.length === 1 ? `${names[0]} is typing…` : `${names.slice(0, -1).join(', ')} and ${names.at(-1)} are typing…`;
    this.typingEl.classList.toggle('active', names.length > 0);
  }

  onInput() {
    this.conv.draft = this.input.value;
    this.autosize();
    if (this.input.value.trim()) this.store.typing(this.conv);
  }

  autosize() {
    this.input.style.height = 'auto';
    this.input.style.height = Math.min(this.input.scrollHeight, 160) + 'px';
  }

  insert(text) {
    const { selectionStart: s, selectionEnd: e, value } = this.input;
    this.input.value = value.slice(0, s) + text + value.slice(e);
    this.input.selectionStart = this.input.selectionEnd = s + text.length;
    this.input.focus();
    this.onInput();
  }

  submit() {
    const text = this.input.value.replace(/\s+$/, '');
    if (!text.trim()) return;
    this.store.send(this.conv, { kind: 'text', text });
    this.input.value = '';
    this.conv.draft = '';
    this.autosize();
    this.input.focus();
  }

  /** Uploads each file with a progress bar, then sends it as a media message. */
  async attach(files) {
    for (const file of files) this.upload(file);
  }

  async upload(file) {
    const kind = kindOf(file);
    const progress = h('progress', { max: 100, value: 0, 'aria-label': `Uploading ${file.name}` });
    let cancelled = false;
    const cancel = iconButton('close', `Cancel upload of ${file.name}`, () => { cancelled = true; task?.abort(); item.remove(); });
    const item = h('li', { class: 'upload' }, icon(kind === 'file' ? 'file' : 'attach'),
      h('span', { class: 'upload-name', text: file.name }), h('span', { class: 'upload-size', text: formatSize(file.size) }), progress, cancel);
    this.uploads.append(item);
    let task = null;
    try {
      const info = await measure(file, kind);
      if (cancelled) return;
      task = this.store.api.uploadFile(kind, file, (f) => { progress.value = Math.round(f * 100); });
      const stored = await task.promise;
      progress.value = 100;
      const payload = { fileId: stored.id, name: stored.name ?? file.name, size: stored.size ?? file.size, contentType: stored.contentType ?? file.type, ...info };
      this.store.send(this.conv, { kind: stored.kind ?? kind, payload });
      item.remove();
    } catch (err) {
      item.remove();
      if (err.cancelled || cancelled) return;
      const why = err.status === 413 ? `“${file.name}” is too large to send.`
        : err.status === 415 ? `“${file.name}” is a type of file that cannot be sent.`
          : `“${file.name}” could not be uploaded.`;
      toast(`${why} ${err.detail && err.status !== 0 ? err.detail : err.status === 0 ? 'The server cannot be reached.' : ''}`.trim(), 'error');
    }
  }

  details() {
    if (this.conv.type === 'group') groupInfoDialog(this.shell, this.conv);
    else userDialog(this.shell, this.conv.peerId);
  }

  destroy() {
    for (const d of this.disposers) d();
    this.disposers = [];
  }
}
