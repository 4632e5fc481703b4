// The native protocol socket (/ws): connects, keeps alive, reconnects with back-off, and matches replies to
// requests by id. It knows nothing of chats; the store listens to its events.

const NO_RECONNECT = new Map([[4002, 'logged_out'], [4003, 'kicked'], [4004, 'account_disabled']]);

export class Connection extends EventTarget {
  constructor(getToken) {
    super();
    this.getToken = getToken;
    this.state = 'idle'; // idle | connecting | online | reconnecting | ended
    this.socket = null;
    this.pending = new Map(); // request id -> {resolve, reject, timer}
    this.nextId = 1;
    this.attempt = 0;
    this.retryTimer = null;
    this.pingTimer = null;
    this.lastFrameAt = 0;
    this.welcome = null;
    this.onOnline = () => { if (this.state === 'reconnecting') this.open(); };
    this.onOffline = () => { if (this.socket) this.socket.close(4999, 'offline'); };
    window.addEventListener('online', this.onOnline);
    window.addEventListener('offline', this.onOffline);
  }

  setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.dispatchEvent(new CustomEvent('state', { detail: state }));
  }

  open() {
    if (this.state === 'ended') return;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.socket) return;
    this.setState(this.attempt === 0 && this.state !== 'reconnecting' ? 'connecting' : 'reconnecting');
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?access_token=${encodeURIComponent(this.getToken())}`;
    let socket;
    try {
      socket = new WebSocket(url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onmessage = (e) => this.receive(socket, e.data);
    socket.onclose = (e) => this.closed(socket, e.code);
    socket.onerror = () => { /* onclose follows */ };
  }

  receive(socket, data) {
    if (socket !== this.socket) return;
    this.lastFrameAt = Date.now();
    let frame;
    try { frame = JSON.parse(data); } catch { return; }
    if (frame.type === 'welcome') {
      this.welcome = frame;
      this.attempt = 0;
      this.startHeartbeat(frame.heartbeatMs || 25000, frame.idleTimeoutMs || 60000);
      this.setState('online');
      this.dispatchEvent(new CustomEvent('open', { detail: frame }));
      return;
    }
    if (frame.id && this.pending.has(frame.id) && frame.type !== 'message') {
      const waiter = this.pending.get(frame.id);
      this.pending.delete(frame.id);
      clearTimeout(waiter.timer);
      if (frame.type === 'error') waiter.reject(Object.assign(new Error(frame.message || 'request failed'), { code: frame.code }));
      else waiter.resolve(frame);
      return;
    }
    this.dispatchEvent(new CustomEvent('frame', { detail: frame }));
  }

  closed(socket, code) {
    if (socket !== this.socket) return;
    this.socket = null;
    clearInterval(this.pingTimer);
    for (const waiter of this.pending.values()) {
      clearTimeout(waiter.timer);
      waiter.reject(Object.assign(new Error('connection lost'), { code: -1, connectionLost: true }));
    }
    this.pending.clear();
    if (this.state === 'ended') return;
    if (NO_RECONNECT.has(code)) {
      this.end(NO_RECONNECT.get(code));
      return;
    }
    if (code === 4001) {
      this.end('unauthorized');
      return;
    }
    this.scheduleReconnect();
  }

  scheduleReconnect() {
    this.setState('reconnecting');
    if (navigator.onLine === false) return; // the 'online' event reconnects
    const base = Math.min(15000, 500 * 2 ** Math.min(this.attempt, 5));
    this.attempt++;
    this.retryTimer = setTimeout(() => this.open(), base / 2 + Math.random() * base / 2);
  }

  /** A connection that says nothing is presumed dead: ping every heartbeat, close if silent for too long. */
  startHeartbeat(heartbeatMs, idleMs) {
    clearInterval(this.pingTimer);
    const every = Math.max(1000, Math.min(heartbeatMs, idleMs / 2) * 0.8);
    this.pingTimer = setInterval(() => {
      if (!this.socket) return;
      if (Date.now() - this.lastFrameAt > every * 2 + 5000) {
        this.socket.close(4998, 'no answer');
        return;
      }
      this.send({ type: 'ping' });
    }, every);
  }

  /** Sends a frame; false when not connected. */
  send(frame) {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN || this.state !== 'online') return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  /** Sends a frame with an id and resolves with the reply carrying it (rejects on error, loss or timeout). */
  request(frame, timeoutMs = 15000) {
    const id = 'r' + this.nextId++;
    return new Promise((resolve, reject) => {
      if (!this.send({ ...frame, id })) {
        reject(Object.assign(new Error('not connected'), { code: -1, connectionLost: true }));
        return;
      }
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(Object.assign(new Error('no answer from the server'), { code: -2, timeout: true }));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
    });
  }

  /** Stops for good (logout, revoked token). */
  end(reason) {
    this.setState('ended');
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('offline', this.onOffline);
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000, 'bye');
    this.dispatchEvent(new CustomEvent('ended', { detail: reason }));
  }
}
