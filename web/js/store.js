// The chat model: conversations, messages, people, presence, typing and receipts, kept in step with the server.
// Gap-free by per-conversation seq: a message beyond lastSeq + 1 waits while a sync fills the gap; anything at or
// below lastSeq is a duplicate. No DOM here: views listen to the events this emits.

export const directId = (a, b) => (a < b ? `d:${a}:${b}` : `d:${b}:${a}`);

const TYPING_SHOWN_MS = 6000;
const TYPING_SEND_EVERY_MS = 3000;

export class ChatStore extends EventTarget {
  constructor(api, connection, profile) {
    super();
    this.api = api;
    this.connection = connection;
    this.me = profile;
    this.token = () => connection.getToken();
    this.convs = new Map();
    this.users = new Map();
    this.members = new Map(); // groupId -> member ids
    this.requests = [];
    this.openId = null;
    this.reading = false; // the open conversation is visible and scrolled to its end
    this.syncing = null;
    this.resyncWanted = false;
    this.rememberUser(profile);
    connection.addEventListener('open', () => this.onOpen());
    connection.addEventListener('frame', (e) => this.onFrame(e.detail));
    connection.addEventListener('state', () => this.emit('connection', this.connection.state));
  }

  emit(type, detail) { this.dispatchEvent(new CustomEvent(type, { detail })); }

  // ---- people -------------------------------------------------------------------------------------------------

  /** Merges what the server said about a user (summary, member or profile) into the cache. */
  rememberUser(u) {
    if (!u) return null;
    const id = u.id ?? u.userId;
    if (id == null) return null;
    const known = this.users.get(id) ?? { id, account: '', displayName: '', avatarUrl: null, online: false };
    if (u.account) known.account = u.account;
    if (u.displayName) known.displayName = u.displayName;
    if ('avatarUrl' in u) known.avatarUrl = u.avatarUrl;
    if (typeof u.online === 'boolean') known.online = u.online;
    this.users.set(id, known);
    return known;
  }

  user(id) { return this.users.get(id); }

  displayName(id, fallback) {
    const u = this.users.get(id);
    return u?.displayName || u?.account || fallback || `user ${id}`;
  }

  // ---- conversations ------------------------------------------------------------------------------------------

  conv(id) {
    let c = this.convs.get(id);
    if (c) return c;
    const group = id.startsWith('g:');
    const [, a, b] = id.split(':').map(Number);
    c = {
      id, type: group ? 'group' : 'direct',
      groupId: group ? Number(id.slice(2)) : null,
      peerId: group ? null : (a === this.me.id ? b : a),
      groupName: null,
      lastSeq: 0, readSeq: 0, ackedSeq: 0, unread: 0, lastMessage: null, sortTs: 0,
      fresh: true, // nothing known of its seqs yet: the first message seen sets the baseline
      msgs: new Map(), loaded: false, oldest: Infinity, hasMore: true, loadingOlder: null,
      early: new Map(), pending: new Map(),
      peerDelivered: 0, peerRead: 0, cursors: new Map(),
      typing: new Map(), lastTypingSent: 0, ackTimer: null, readDirty: false, draft: '',
    };
    this.convs.set(id, c);
    return c;
  }

  title(c) {
    if (c.type === 'group') return c.groupName || `Group ${c.groupId}`;
    return this.displayName(c.peerId);
  }

  /** Conversations for the list, newest first. */
  sorted() {
    return [...this.convs.values()]
      .filter((c) => c.lastMessage || c.pending.size || c.type === 'group' || c.id === this.openId)
      .sort((x, y) => (y.sortTs - x.sortTs) || (x.id < y.id ? -1 : 1));
  }

  totalUnread() {
    let n = 0;
    for (const c of this.convs.values()) n += c.unread;
    return n;
  }

  /** The conversation with a user, created locally if there is none yet. */
  directWith(user) {
    this.rememberUser(user);
    return this.conv(directId(this.me.id, user.id));
  }

  applyConversation(dto) {
    const c = this.conv(dto.conversation);
    if (dto.peer) this.rememberUser(dto.peer);
    if (dto.group) c.groupName = dto.group.name;
    if (c.fresh) {
      c.fresh = false;
      c.lastSeq = dto.lastSeq;
      c.ackedSeq = dto.deliveredSeq;
      c.readSeq = dto.readSeq;
      c.unread = dto.unread;
      c.lastMessage = dto.lastMessage;
    } else if (dto.lastSeq > c.lastSeq) {
      this.requestResync();
    }
    c.peerDelivered = Math.max(c.peerDelivered, dto.peerDeliveredSeq ?? 0);
    c.peerRead = Math.max(c.peerRead, dto.peerReadSeq ?? 0);
    c.sortTs = Math.max(c.sortTs, dto.lastMessage?.ts ?? 0);
    return c;
  }

  applyGroup(g) {
    const c = this.conv(`g:${g.id}`);
    c.groupName = g.name;
    c.group = g;
    if (!c.sortTs) c.sortTs = Date.parse(g.createdAt) || 0;
    return c;
  }

  async loadLists() {
    const [conversations, groups, friends] = await Promise.all([this.api.conversations(), this.api.groups(), this.api.friends()]);
    for (const f of friends) this.rememberUser(f);
    for (const dto of conversations) this.applyConversation(dto);
    for (const g of groups) this.applyGroup(g);
    this.emit('conversations');
    this.refreshRequests();
  }

  async refreshConversations() {
    try {
      const [conversations, groups] = await Promise.all([this.api.conversations(), this.api.groups()]);
      for (const dto of conversations) this.applyConversation(dto);
      const mine = new Set(groups.map((g) => g.id));
      for (const g of groups) this.applyGroup(g);
      // groups left or dissolved elsewhere leave the list
      for (const c of [...this.convs.values()]) {
        if (c.type === 'group' && !mine.has(c.groupId) && c.id !== this.openId) this.convs.delete(c.id);
      }
      this.emit('conversations');
    } catch { /* next refresh */ }
  }

  async refreshRequests() {
    try {
      this.requests = await this.api.friendRequests();
      for (const r of this.requests) { this.rememberUser(r.from); this.rememberUser(r.to); }
      this.emit('requests');
    } catch { /* shown stale */ }
  }

  async refreshPresence() {
    try {
      const online = new Set((await this.api.onlineUsers()).map((u) => { this.rememberUser(u); return u.id; }));
      for (const u of this.users.values()) if (u.id !== this.me.id) u.online = online.has(u.id);
      this.emit('presence', {});
    } catch { /* next time */ }
  }

  async loadMembers(groupId) {
    const list = await this.api.members(groupId);
    for (const m of list) this.rememberUser(m);
    this.members.set(groupId, list);
    this.emit('members', groupId);
    return list;
  }

  // ---- the socket ---------------------------------------------------------------------------------------------

  async onOpen() {
    this.me.online = true;
    await this.sync();
    for (const c of this.convs.values()) {
      for (const local of c.pending.values()) if (local.status === 'sending') this.transmit(c, local);
      if (c.readDirty) this.sendRead(c);
    }
    this.refreshPresence();
    this.refreshRequests();
    this.refreshConversations();
  }

  requestResync() {
    if (this.syncing) { this.resyncWanted = true; return; }
    this.sync();
  }

  /** Asks for everything after what we hold, until the server says there is no more. */
  async sync() {
    if (this.syncing) { this.resyncWanted = true; return this.syncing; }
    this.syncing = (async () => {
      try {
        do {
          this.resyncWanted = false;
          let cursors = {};
          for (const c of this.convs.values()) if (!c.fresh && c.lastSeq > 0) cursors[c.id] = c.lastSeq;
          for (;;) {
            const done = await this.connection.request({ type: 'sync', cursors, limit: 500 }, 30000);
            if (!done.more) break;
            cursors = done.cursors;
          }
        } while (this.resyncWanted);
        this.emit('synced');
      } catch { /* the connection dropped: the next open syncs again */ } finally {
        this.syncing = null;
      }
    })();
    return this.syncing;
  }

  onFrame(f) {
    switch (f.type) {
      case 'message': this.ingest(f.message); break;
      case 'receipt': this.onReceipt(f); break;
      case 'typing': this.onTyping(f); break;
      case 'removed': this.onRemoved(f); break;
      case 'notice': this.onNotice(f); break;
      case 'presence': {
        const u = this.rememberUser({ id: f.user, account: f.userName, online: f.online });
        this.emit('presence', { user: u });
        break;
      }
      default: break;
    }
  }

  /** Someone else changed our friends or groups: refresh what it touched (notices are live only; onOpen catches up). */
  onNotice(f) {
    this.rememberUser({ id: f.user, account: f.userName });
    if (f.kind.startsWith('friend')) {
      this.refreshRequests();
      this.emit('friends');
    } else if (f.kind === 'memberJoined' || f.kind === 'memberLeft' || f.kind === 'groupOwnerChanged') {
      if (this.members.has(f.group)) this.loadMembers(f.group).catch(() => {});
      // the group's owner is what lets a member remove others' messages
      if (f.kind === 'groupOwnerChanged') this.refreshConversations();
    } else if (f.kind === 'groupRemoved' || f.kind === 'groupDissolved') {
      this.refreshConversations();
    }
  }

  ingest(m) {
    const c = this.conv(m.conversation);
    if (c.fresh) {
      // first sight of this conversation: its history is paged on demand, so start right before this message
      c.fresh = false;
      c.lastSeq = m.seq - 1;
      c.ackedSeq = c.readSeq = c.lastSeq;
      if (c.type === 'group' && !c.groupName) this.refreshConversations();
      if (c.type === 'direct' && !this.users.has(c.peerId)) {
        this.rememberUser({ id: c.peerId, account: m.from === c.peerId ? m.fromName : undefined });
        this.api.user(c.peerId).then((u) => { this.rememberUser(u); this.emit('conversations'); }).catch(() => {});
      }
    }
    if (m.seq <= c.lastSeq) {
      if (c.loaded && m.seq >= c.oldest && !c.msgs.has(m.seq)) {
        c.msgs.set(m.seq, m);
        this.emit('messages', { conv: c });
      }
      return;
    }
    if (m.seq > c.lastSeq + 1) {
      c.early.set(m.seq, m);
      this.requestResync();
      return;
    }
    this.accept(c, m);
    while (c.early.has(c.lastSeq + 1)) {
      const next = c.early.get(c.lastSeq + 1);
      c.early.delete(next.seq);
      this.accept(c, next);
    }
    for (const seq of c.early.keys()) if (seq <= c.lastSeq) c.early.delete(seq);
    this.scheduleAck(c);
    this.emit('messages', { conv: c, latest: m });
    this.emit('conversations');
  }

  accept(c, m) {
    c.lastSeq = m.seq;
    c.lastMessage = m;
    c.sortTs = Math.max(c.sortTs, m.ts);
    if (c.loaded) {
      c.msgs.set(m.seq, m);
      if (m.seq < c.oldest) c.oldest = m.seq;
    }
    if (m.from === this.me.id) {
      if (m.clientMsgId) c.pending.delete(m.clientMsgId);
      c.readSeq = Math.max(c.readSeq, m.seq);
    } else {
      if (c.typing.delete(m.from)) this.emit('typing', { conv: c });
      if (m.seq > c.readSeq) {
        if (this.openId === c.id && this.reading && document.visibilityState === 'visible') this.markRead(c);
        else c.unread++;
      }
    }
  }

  scheduleAck(c) {
    if (c.ackTimer) return;
    c.ackTimer = setTimeout(() => {
      c.ackTimer = null;
      if (c.lastSeq > c.ackedSeq && this.connection.send({ type: 'ack', conversation: c.id, seq: c.lastSeq })) c.ackedSeq = c.lastSeq;
    }, 250);
  }

  /** Marks everything in the conversation read (the view calls this when the end of it is on screen). */
  markRead(c) {
    if (c.unread === 0 && c.readSeq >= c.lastSeq) return;
    c.unread = 0;
    if (c.lastSeq > c.readSeq) {
      c.readSeq = c.lastSeq;
      this.sendRead(c);
    }
    this.emit('conversations');
  }

  sendRead(c) {
    c.readDirty = !this.connection.send({ type: 'read', conversation: c.id, seq: c.readSeq });
  }

  onReceipt(f) {
    const c = this.convs.get(f.conversation);
    if (!c) return;
    if (f.user === this.me.id) {
      // another of my devices moved my cursor
      if (f.status === 'read' && f.seq > c.readSeq) {
        c.readSeq = f.seq;
        if (c.readSeq >= c.lastSeq) c.unread = 0;
        this.emit('conversations');
      }
      return;
    }
    if (c.type === 'direct') {
      c.peerDelivered = Math.max(c.peerDelivered, f.seq);
      if (f.status === 'read') c.peerRead = Math.max(c.peerRead, f.seq);
    } else {
      const cur = c.cursors.get(f.user) ?? { delivered: 0, read: 0 };
      cur.delivered = Math.max(cur.delivered, f.seq);
      if (f.status === 'read') cur.read = Math.max(cur.read, f.seq);
      c.cursors.set(f.user, cur);
    }
    this.emit('receipts', { conv: c });
  }

  /** 'read' | 'delivered' | 'sent' for one of my stored messages (groups: read/delivered by anyone else). */
  receiptState(c, seq) {
    if (c.type === 'direct') return seq <= c.peerRead ? 'read' : seq <= c.peerDelivered ? 'delivered' : 'sent';
    let delivered = false;
    let readers = 0;
    for (const cur of c.cursors.values()) {
      if (cur.read >= seq) readers++;
      if (cur.delivered >= seq || cur.read >= seq) delivered = true;
    }
    return readers > 0 ? 'read' : delivered ? 'delivered' : 'sent';
  }

  /** A message became a tombstone (removed by its sender or a group owner). */
  onRemoved(f) {
    const c = this.convs.get(f.conversation);
    if (!c) return;
    const tomb = (m) => ({ ...m, kind: 'removed', text: null, payload: null, removed: true });
    const m = c.msgs.get(f.seq);
    if (m) c.msgs.set(f.seq, tomb(m));
    if (c.lastMessage?.seq === f.seq) c.lastMessage = tomb(c.lastMessage);
    this.emit('messages', { conv: c });
    this.emit('conversations');
  }

  /** Own messages, and any message in a group one owns, may be removed. */
  canRemove(c, m) {
    if (m.local || m.kind === 'removed') return false;
    return m.from === this.me.id || (c.type === 'group' && c.group?.ownerId === this.me.id);
  }

  async remove(c, m) {
    await this.connection.request({ type: 'remove', conversation: c.id, seq: m.seq });
    this.onRemoved({ conversation: c.id, seq: m.seq });
  }

  onTyping(f) {
    if (f.user === this.me.id) return;
    const c = this.convs.get(f.conversation);
    if (!c) return;
    this.rememberUser({ id: f.user, account: f.userName });
    c.typing.set(f.user, Date.now() + TYPING_SHOWN_MS);
    this.emit('typing', { conv: c });
    setTimeout(() => {
      if ((c.typing.get(f.user) ?? 0) <= Date.now()) {
        c.typing.delete(f.user);
        this.emit('typing', { conv: c });
      }
    }, TYPING_SHOWN_MS + 50);
  }

  typingNames(c) {
    const now = Date.now();
    return [...c.typing.entries()].filter(([, until]) => until > now).map(([id]) => this.displayName(id));
  }

  /** Tells the others that I am typing, at most every few seconds. */
  typing(c) {
    const now = Date.now();
    if (now - c.lastTypingSent < TYPING_SEND_EVERY_MS) return;
    c.lastTypingSent = now;
    this.connection.send({ type: 'typing', ...this.target(c) });
  }

  // ---- sending ------------------------------------------------------------------------------------------------

  target(c) { return c.type === 'group' ? { group: c.groupId } : { to: c.peerId }; }

  send(c, { kind = 'text', text = null, payload = null }) {
    const clientMsgId = crypto.randomUUID();
    const local = {
      local: true, clientMsgId, conversation: c.id, from: this.me.id, fromName: this.me.account,
      kind, text, payload, ts: Date.now(), status: 'sending', error: null,
    };
    c.pending.set(clientMsgId, local);
    c.sortTs = Math.max(c.sortTs, local.ts);
    this.emit('messages', { conv: c, latest: local });
    this.emit('conversations');
    this.transmit(c, local);
    return local;
  }

  /** Sends (or resends, same clientMsgId: the server never stores it twice) until acked or refused. */
  transmit(c, local) {
    if (local.inFlight) return;
    local.inFlight = true;
    const frame = { type: 'send', ...this.target(c), clientMsgId: local.clientMsgId, kind: local.kind };
    if (local.text) frame.text = local.text;
    if (local.payload) frame.payload = local.payload;
    this.connection.request(frame).then((ack) => {
      local.inFlight = false;
      this.acked(c, local, ack);
    }, (err) => {
      local.inFlight = false;
      if (err.connectionLost) return; // resent after the next sync
      if (err.timeout) { setTimeout(() => this.transmit(c, local), 1000); return; }
      local.status = 'failed';
      local.error = err.message;
      this.emit('messages', { conv: c });
      this.emit('sendfailed', { conv: c, local, error: err });
    });
  }

  acked(c, local, ack) {
    c.pending.delete(local.clientMsgId);
    const m = {
      id: ack.messageId, conversation: ack.conversation, seq: ack.seq, from: this.me.id, fromName: this.me.account,
      to: c.type === 'direct' ? c.peerId : null, group: c.groupId, kind: local.kind, text: local.text,
      payload: local.payload, clientMsgId: local.clientMsgId, ts: ack.ts,
    };
    if (ack.conversation !== c.id) {
      // cannot happen with a well-formed server; keep the message where the server put it
      this.ingest(m);
      return;
    }
    this.ingest(m);
    if (m.seq <= c.lastSeq) this.emit('messages', { conv: c });
  }

  retry(c, local) {
    local.status = 'sending';
    local.error = null;
    this.emit('messages', { conv: c });
    this.transmit(c, local);
  }

  discard(c, local) {
    c.pending.delete(local.clientMsgId);
    this.emit('messages', { conv: c });
    this.emit('conversations');
  }

  // ---- history ------------------------------------------------------------------------------------------------

  async open(c) {
    this.openId = c.id;
    if (!c.loaded) {
      c.loaded = true;
      c.oldest = c.lastSeq + 1;
      c.hasMore = c.lastSeq > 0;
      await this.loadOlder(c);
    }
  }

  close() {
    this.openId = null;
    this.reading = false;
  }

  /** Loads the page of history before the oldest message held. */
  loadOlder(c) {
    if (!c.hasMore) return Promise.resolve(0);
    if (c.loadingOlder) return c.loadingOlder;
    c.loadingOlder = (async () => {
      try {
        const page = await this.api.history(c.id, c.oldest, 50);
        let added = 0;
        for (const m of page.messages) {
          if (m.seq > c.lastSeq) { this.ingest(m); continue; }
          if (!c.msgs.has(m.seq)) { c.msgs.set(m.seq, m); added++; }
          if (m.seq < c.oldest) c.oldest = m.seq;
        }
        c.hasMore = page.hasMore && page.messages.length > 0;
        this.emit('history', { conv: c, added });
        return added;
      } catch (err) {
        if (err.status === 404) { c.hasMore = false; this.emit('history', { conv: c, added: 0 }); return 0; }
        throw err;
      } finally {
        c.loadingOlder = null;
      }
    })();
    return c.loadingOlder;
  }

  /** Stored and pending messages in display order. */
  timeline(c) {
    const stored = [...c.msgs.values()].sort((a, b) => a.seq - b.seq);
    const pending = [...c.pending.values()].sort((a, b) => a.ts - b.ts);
    return stored.concat(pending);
  }
}
