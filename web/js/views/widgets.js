// Small shared pieces: avatars, presence dots, badges, dialogs, confirmation.

import { h, append, iconButton } from '../dom.js';
import { authorizedUrl } from '../api.js';
import { initials, colorSlot } from '../format.js';

/** A round avatar: the user's picture, or initials on a colour derived from the id. */
export function avatar(store, { userId = null, name = '', url = null, size = 'md', online = null, group = false } = {}) {
  const user = userId != null ? store.user(userId) : null;
  const label = name || user?.displayName || user?.account || '';
  const src = url ?? user?.avatarUrl;
  const el = h('span', { class: `avatar avatar-${size} c${colorSlot(userId ?? label)}${group ? ' avatar-group' : ''}`, 'aria-hidden': 'true' });
  if (src) {
    const img = h('img', { src: authorizedUrl(src, store.token()), alt: '', loading: 'lazy', decoding: 'async' });
    img.addEventListener('error', () => { img.remove(); el.append(h('span', { class: 'initials', text: initials(label) })); }, { once: true });
    el.append(img);
  } else {
    el.append(h('span', { class: 'initials', text: initials(label) }));
  }
  if (online !== null) el.append(presenceDot(online));
  return el;
}

export function presenceDot(online) {
  return h('span', { class: 'presence ' + (online ? 'on' : 'off') });
}

/** A modal dialog (focus trapped, Escape closes); removed from the page when closed. */
export function openDialog(title, build, { className = '', onClose } = {}) {
  const heading = h('h2', { id: 'dlg-' + Math.random().toString(36).slice(2), text: title });
  const body = h('div', { class: 'dialog-body' });
  const dialog = h('dialog', { class: 'dialog ' + className, 'aria-labelledby': heading.id },
    h('header', { class: 'dialog-head' }, heading, iconButton('close', 'Close', () => dialog.close())), body);
  const close = () => dialog.close();
  dialog.addEventListener('close', () => { dialog.remove(); onClose?.(); });
  dialog.addEventListener('click', (e) => { if (e.target === dialog) dialog.close(); }); // backdrop
  document.body.append(dialog);
  append(body, [build({ close, dialog, body })]);
  dialog.showModal();
  return { dialog, close, body };
}

/** Resolves true when the user confirms. */
export function confirmDialog(question, action, { danger = true } = {}) {
  return new Promise((resolve) => {
    let answer = false;
    openDialog('Please confirm', ({ close }) => {
      const ok = h('button', { type: 'button', class: 'btn ' + (danger ? 'danger' : 'primary'), text: action, onclick: () => { answer = true; close(); } });
      queueMicrotask(() => ok.focus());
      return [h('p', { text: question }),
        h('div', { class: 'dialog-actions' }, h('button', { type: 'button', class: 'btn', text: 'Cancel', onclick: close }), ok)];
    }, { className: 'dialog-small', onClose: () => resolve(answer) });
  });
}

/** A list row with an avatar, two lines of text and trailing actions. */
export function personRow(store, user, { subtitle, actions = [], online } = {}) {
  store.rememberUser(user);
  const id = user.id ?? user.userId;
  return h('li', { class: 'person-row' },
    avatar(store, { userId: id, online: online ?? store.user(id)?.online ?? null }),
    h('div', { class: 'person-text' },
      h('span', { class: 'person-name', text: user.displayName || user.account }),
      h('span', { class: 'person-sub', text: subtitle ?? '@' + user.account })),
    h('div', { class: 'row-actions' }, actions));
}

export function emptyState(text) {
  return h('p', { class: 'empty', text });
}

/** Runs an action from a button: disables it meanwhile and reports a failure. */
export async function busy(button, action, onError) {
  button.disabled = true;
  try {
    return await action();
  } catch (err) {
    onError?.(err);
    return undefined;
  } finally {
    button.disabled = false;
  }
}
