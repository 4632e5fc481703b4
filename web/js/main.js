// Boot and routing. Page routes: /login, /register, / (conversation list), /c/{conversation}.

import { createApi } from './api.js';
import { Connection } from './connection.js';
import { ChatStore } from './store.js';
import { h, replace, toast } from './dom.js';
import { renderAuth } from './views/auth.js';
import { Shell } from './views/shell.js';

const SESSION_KEY = 'parley.session';
const root = document.getElementById('app');

function loadSession() {
  try {
    const s = JSON.parse(localStorage.getItem(SESSION_KEY));
    if (s?.token && (!s.expiresAt || Date.parse(s.expiresAt) > Date.now())) return s;
  } catch { /* corrupt: sign in again */ }
  localStorage.removeItem(SESSION_KEY);
  return null;
}

let session = loadSession();
let shell = null;

const api = createApi({
  getToken: () => session?.token,
  onUnauthorized: () => { if (session) signOut('Your session has ended. Please sign in again.'); },
});

function navigate(path, { replace: replaceState = false } = {}) {
  if (location.pathname !== path) history[replaceState ? 'replaceState' : 'pushState'](null, '', path);
  route();
}

function signIn(login) {
  session = { token: login.token, expiresAt: login.expiresAt, user: login.user };
  localStorage.setItem(SESSION_KEY, JSON.stringify(session));
  navigate('/', { replace: true });
}

async function signOut(message, { everywhere = false, remote = false } = {}) {
  if (remote && session) { try { await api.logout(everywhere); } catch { /* the token goes anyway */ } }
  session = null;
  localStorage.removeItem(SESSION_KEY);
  shell?.destroy();
  shell = null;
  navigate('/login', { replace: true });
  if (message) toast(message, 'info');
}

// Another tab signed in or out: follow it.
window.addEventListener('storage', (e) => {
  if (e.key !== SESSION_KEY) return;
  const next = loadSession();
  if (!next && session) signOut();
  else if (next && !session) { session = next; route(); }
});

async function startShell() {
  replace(root, h('div', { class: 'boot', role: 'status' }, h('div', { class: 'spinner', 'aria-hidden': 'true' }), 'Loading your chats…'));
  let profile;
  try {
    profile = await api.me();
  } catch (err) {
    if (err.status === 401 || err.status === 404) return; // onUnauthorized signed out
    replace(root, h('div', { class: 'boot', role: 'alert' }, h('p', { text: 'Parley cannot be reached right now.' }),
      h('button', { type: 'button', class: 'btn primary', onclick: () => startShell() }, 'Try again')));
    return;
  }
  const connection = new Connection(() => session?.token);
  const store = new ChatStore(api, connection, profile);
  connection.addEventListener('ended', (e) => {
    if (!session) return;
    const why = { logged_out: 'You were signed out.', kicked: 'An administrator disconnected you.',
      account_disabled: 'This account is disabled.', unauthorized: 'Your session has ended. Please sign in again.' }[e.detail];
    signOut(why || 'Signed out.');
  });
  shell = new Shell({ root, api, store, navigate, signOut: (opts) => signOut(null, { ...opts, remote: true }) });
  try {
    await store.loadLists();
  } catch (err) {
    if (err.status === 401) return;
    toast('Could not load your conversations: ' + err.message, 'error');
  }
  connection.open();
  shell.route(location.pathname);
}

function route() {
  const path = location.pathname;
  if (!session) {
    shell?.destroy();
    shell = null;
    const mode = path === '/register' ? 'register' : 'login';
    if (path !== '/' + mode) history.replaceState(null, '', '/' + mode);
    renderAuth(root, { api, mode, onSignedIn: signIn, navigate });
    return;
  }
  if (path === '/login' || path === '/register') { navigate('/', { replace: true }); return; }
  if (!shell) { startShell(); return; }
  shell.route(path);
}

window.addEventListener('popstate', route);
route();
