// Friends, groups, group details, a contact, settings and the image viewer.

import { h, replace, icon, toast } from '../dom.js';
import { avatar, openDialog, confirmDialog, personRow, emptyState, busy } from './widgets.js';

const fail = (err) => toast(err.message, 'error');

function tabs(names, render) {
  const panel = h('div', { class: 'tab-panel', role: 'tabpanel', tabindex: '0' });
  const buttons = names.map(([key, label], i) => h('button', {
    type: 'button', role: 'tab', class: 'tab', id: 'tab-' + key, 'aria-selected': i === 0 ? 'true' : 'false', tabindex: i === 0 ? '0' : '-1',
    dataset: { key }, text: label,
    onclick: () => select(key),
  }));
  const bar = h('div', { class: 'tabs', role: 'tablist' }, buttons);
  bar.addEventListener('keydown', (e) => {
    const i = buttons.indexOf(document.activeElement);
    if (i < 0 || (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft')) return;
    const next = buttons[(i + (e.key === 'ArrowRight' ? 1 : buttons.length - 1)) % buttons.length];
    next.focus();
    select(next.dataset.key);
  });
  function select(key) {
    for (const b of buttons) {
      const on = b.dataset.key === key;
      b.setAttribute('aria-selected', on ? 'true' : 'false');
      b.tabIndex = on ? 0 : -1;
    }
    panel.setAttribute('aria-labelledby', 'tab-' + key);
    render(key, panel);
  }
  select(names[0][0]);
  return { el: h('div', { class: 'tabbed' }, bar, panel), select, buttons };
}

/** A search box that calls find(q) as the user types and renders the results. */
function searchBox(label, find, show) {
  const input = h('input', { type: 'search', class: 'search-input boxed', 'aria-label': label, placeholder: label, autocomplete: 'off' });
  const results = h('div', { class: 'search-results' });
  let seq = 0;
  let timer;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (!q) { replace(results); return; }
    const mine = ++seq;
    timer = setTimeout(async () => {
      try {
        const found = await find(q);
        if (mine === seq) show(found, results);
      } catch (err) { fail(err); }
    }, 200);
  });
  queueMicrotask(() => input.focus());
  return [input, results];
}

export function friendsDialog(shell) {
  const { store, api } = shell;
  // someone else changed our friends (a notice): show it in the open list
  let onFriends = null;
  openDialog('Friends', ({ close }) => {
    const open = (user) => { close(); shell.chatWith(user); };
    const t = tabs([['friends', 'Friends'], ['requests', 'Requests'], ['add', 'Add'], ['blocked', 'Blocked']], async (key, panel) => {
      replace(panel, h('div', { class: 'spinner small', role: 'status', 'aria-label': 'Loading' }));
      try {
        if (key === 'friends') {
          const friends = await api.friends();
          replace(panel, friends.length ? h('ul', { class: 'people' }, friends.map((f) => personRow(store, f, {
            subtitle: (f.online ? 'online · ' : '') + '@' + f.account,
            online: f.online,
            actions: [
              h('button', { type: 'button', class: 'btn small primary', text: 'Message', onclick: () => open(f) }),
              h('button', { type: 'button', class: 'btn small', text: 'Remove', 'aria-label': `Remove ${f.displayName} from friends`,
                onclick: async (e) => {
                  if (!(await confirmDialog(`Remove ${f.displayName} from your friends?`, 'Remove'))) return;
                  await busy(e.target, () => api.removeFriend(f.id), fail);
                  t.select('friends');
                } }),
            ],
          }))) : emptyState('No friends yet. Find people in the Add tab.'));
        } else if (key === 'requests') {
          await store.refreshRequests();
          const incoming = store.requests.filter((r) => r.direction === 'incoming');
          const outgoing = store.requests.filter((r) => r.direction === 'outgoing');
          const act = (fn) => async (e) => { await busy(e.target, fn, fail); await store.refreshRequests(); t.select('requests'); };
          replace(panel,
            h('h3', { class: 'list-heading', text: 'Received' }),
            incoming.length ? h('ul', { class: 'people' }, incoming.map((r) => personRow(store, r.from, {
              subtitle: r.message || '@' + r.from.account,
              actions: [
                h('button', { type: 'button', class: 'btn small primary', text: 'Accept', 'aria-label': `Accept ${r.from.displayName}`, onclick: act(() => api.acceptRequest(r.id)) }),
                h('button', { type: 'button', class: 'btn small', text: 'Decline', 'aria-label': `Decline ${r.from.displayName}`, onclick: act(() => api.declineRequest(r.id)) }),
              ],
            }))) : emptyState('No requests waiting for you.'),
            h('h3', { class: 'list-heading', text: 'Sent' }),
            outgoing.length ? h('ul', { class: 'people' }, outgoing.map((r) => personRow(store, r.to, {
              subtitle: 'waiting for an answer',
              actions: [h('button', { type: 'button', class: 'btn small', text: 'Cancel', 'aria-label': `Cancel request to ${r.to.displayName}`, onclick: act(() => api.cancelRequest(r.id)) })],
            }))) : emptyState('No requests sent.'));
        } else if (key === 'add') {
          const [friends, requests] = await Promise.all([api.friends(), api.friendRequests()]);
          const friendIds = new Set(friends.map((f) => f.id));
          const asked = new Set(requests.filter((r) => r.direction === 'outgoing').map((r) => r.to.id));
          replace(panel, searchBox('Search by name or account', (q) => api.searchUsers(q), (users, results) => {
            replace(results, users.length ? h('ul', { class: 'people' }, users.map((u) => personRow(store, u, {
              actions: [
                friendIds.has(u.id) ? h('span', { class: 'tag', text: 'Friend' })
                  : h('button', { type: 'button', class: 'btn small primary', text: asked.has(u.id) ? 'Requested' : 'Add friend', disabled: asked.has(u.id),
                    'aria-label': `Add ${u.displayName} as a friend`,
                    onclick: async (e) => {
                      const r = await busy(e.target, () => api.requestFriend(u.id), fail);
                      if (!r) return;
                      asked.add(u.id);
                      e.target.textContent = r.status === 'accepted' ? 'Friends now' : 'Requested';
                      e.target.disabled = true;
                      toast(r.status === 'accepted' ? `You and ${u.displayName} are now friends.` : `Friend request sent to ${u.displayName}.`);
                      store.refreshRequests();
                    } }),
                h('button', { type: 'button', class: 'btn small', text: 'Message', 'aria-label': `Message ${u.displayName}`, onclick: () => open(u) }),
              ],
            }))) : emptyState('No one matches.'));
          }));
        } else {
          const blocked = await api.blocks();
          replace(panel, blocked.length ? h('ul', { class: 'people' }, blocked.map((u) => personRow(store, u, {
            actions: [h('button', { type: 'button', class: 'btn small', text: 'Unblock', 'aria-label': `Unblock ${u.displayName}`,
              onclick: async (e) => { await busy(e.target, () => api.unblock(u.id), fail); t.select('blocked'); } })],
          }))) : emptyState('You have not blocked anyone.'));
        }
      } catch (err) {
        replace(panel, emptyState('Could not load: ' + err.message));
      }
    });
    onFriends = () => {
      const key = t.buttons.find((b) => b.getAttribute('aria-selected') === 'true')?.dataset.key;
      if (key === 'friends' || key === 'requests') t.select(key);
    };
    store.addEventListener('friends', onFriends);
    // open on the requests when someone is waiting for an answer (unless the user already moved on)
    const chosen = () => t.buttons.findIndex((b) => b.getAttribute('aria-selected') === 'true') !== 0;
    store.refreshRequests().then(() => {
      if (!chosen() && store.requests.some((r) => r.direction === 'incoming')) t.select('requests');
    });
    return t.el;
  }, { className: 'dialog-panel', onClose: () => store.removeEventListener('friends', onFriends) });
}

export function groupsDialog(shell) {
  const { store, api } = shell;
  openDialog('Groups', ({ close }) => {
    const openGroup = (g) => { store.applyGroup(g); store.emit('conversations'); close(); shell.navigate('/c/' + encodeURIComponent('g:' + g.id)); };
    const t = tabs([['create', 'New group'], ['find', 'Find a group']], (key, panel) => {
      if (key === 'create') {
        const name = h('input', { id: 'group-name', required: true, maxlength: 64, autocomplete: 'off' });
        const inviteOnly = h('input', { id: 'group-invite-only', type: 'checkbox' });
        const submit = h('button', { type: 'submit', class: 'btn primary', text: 'Create group' });
        const form = h('form', { class: 'stack' },
          h('div', { class: 'field' }, h('label', { for: 'group-name', text: 'Group name' }), name),
          h('label', { class: 'check' }, inviteOnly, h('span', { text: 'Invite only (people join when invited)' })),
          h('div', { class: 'dialog-actions' }, submit));
        form.addEventListener('submit', async (e) => {
          e.preventDefault();
          const g = await busy(submit, () => api.createGroup(name.value.trim(), inviteOnly.checked), fail);
          if (g) { toast(`Group “${g.name}” created.`); openGroup(g); }
        });
        replace(panel, form);
        queueMicrotask(() => name.focus());
      } else {
        replace(panel, searchBox('Search open groups', (q) => api.searchGroups(q), (groups, results) => {
          replace(results, groups.length ? h('ul', { class: 'people' }, groups.map((g) => {
            const member = store.convs.has('g:' + g.id) && store.convs.get('g:' + g.id).group;
            return h('li', { class: 'person-row' }, avatar(store, { name: g.name, group: true }),
              h('div', { class: 'person-text' }, h('span', { class: 'person-name', text: g.name }),
                h('span', { class: 'person-sub', text: `${g.memberCount} member${g.memberCount === 1 ? '' : 's'}` })),
              h('div', { class: 'row-actions' }, member
                ? h('button', { type: 'button', class: 'btn small', text: 'Open', onclick: () => openGroup(g) })
                : h('button', { type: 'button', class: 'btn small primary', text: 'Join', 'aria-label': `Join ${g.name}`, onclick: async (e) => {
                  const joined = await busy(e.target, () => api.joinGroup(g.id), fail);
                  if (joined) { toast(`You joined “${joined.name}”.`); openGroup(joined); }
                } })));
          })) : emptyState('No open group matches.'));
        }));
      }
    });
    return t.el;
  }, { className: 'dialog-panel' });
}

export function groupInfoDialog(shell, conv) {
  const { store, api } = shell;
  openDialog(store.title(conv), ({ close }) => {
    const body = h('div', { class: 'stack' }, h('div', { class: 'spinner small', role: 'status', 'aria-label': 'Loading' }));
    (async () => {
      try {
        const [group, members] = await Promise.all([api.group(conv.groupId), store.loadMembers(conv.groupId)]);
        const owner = group.ownerId === store.me.id;
        const sorted = [...members].sort((a, b) => (Number(store.user(b.userId)?.online ?? b.online) - Number(store.user(a.userId)?.online ?? a.online))
          || a.displayName.localeCompare(b.displayName));
        const online = sorted.filter((m) => m.userId === store.me.id || store.user(m.userId)?.online).length;
        const parts = [
          h('p', { class: 'muted', text: `${group.inviteOnly ? 'Invite-only' : 'Open'} group · ${members.length} members · ${online} online` }),
          h('h3', { class: 'list-heading', text: 'Members' }),
          h('ul', { class: 'people', 'aria-label': 'Members' }, sorted.map((m) => {
            const isOnline = m.userId === store.me.id || !!store.user(m.userId)?.online;
            return personRow(store, { id: m.userId, account: m.account, displayName: m.displayName }, {
              subtitle: [m.role === 'owner' ? 'owner' : null, isOnline ? 'online' : 'offline', '@' + m.account].filter(Boolean).join(' · '),
              online: isOnline,
              actions: m.userId === store.me.id ? [h('span', { class: 'tag', text: 'You' })]
                : [h('button', { type: 'button', class: 'btn small', text: 'Message', 'aria-label': `Message ${m.displayName}`,
                  onclick: () => { close(); shell.chatWith({ id: m.userId, account: m.account, displayName: m.displayName }); } })],
            });
          })),
        ];
        if (owner) {
          const who = h('input', { id: 'invite-user', placeholder: 'account name', autocomplete: 'off', required: true });
          const submit = h('button', { type: 'submit', class: 'btn', text: 'Invite' });
          const form = h('form', { class: 'inline-form' }, h('label', { for: 'invite-user', class: 'sr-only', text: 'Invite by account name' }), who, submit);
          form.addEventListener('submit', async (e) => {
            e.preventDefault();
            const ok = await busy(submit, () => api.inviteToGroup(conv.groupId, who.value.trim()).then(() => true), fail);
            if (ok) { toast(`Invited ${who.value.trim()}.`); who.value = ''; }
          });
          parts.push(h('h3', { class: 'list-heading', text: 'Invite someone' }), form);
        }
        parts.push(h('div', { class: 'dialog-actions' }, h('button', { type: 'button', class: 'btn danger', text: 'Leave group', onclick: async (e) => {
          if (!(await confirmDialog(`Leave “${group.name}”? You will stop receiving its messages.`, 'Leave'))) return;
          const left = await busy(e.target, () => api.leaveGroup(conv.groupId).then(() => true), fail);
          if (!left) return;
          close();
          store.convs.delete(conv.id);
          store.emit('conversations');
          shell.navigate('/');
          toast(`You left “${group.name}”.`);
        } })));
        replace(body, parts);
      } catch (err) {
        replace(body, emptyState('Could not load the group: ' + err.message));
      }
    })();
    return body;
  }, { className: 'dialog-panel' });
}

export function userDialog(shell, userId) {
  const { store, api } = shell;
  const known = store.user(userId);
  openDialog(known?.displayName || 'Contact', ({ close }) => {
    const body = h('div', { class: 'stack center' }, h('div', { class: 'spinner small', role: 'status', 'aria-label': 'Loading' }));
    (async () => {
      try {
        const [user, friends, blocks, requests] = await Promise.all([api.user(userId), api.friends(), api.blocks(), api.friendRequests()]);
        store.rememberUser(user);
        const friend = friends.some((f) => f.id === userId);
        const blocked = blocks.some((b) => b.id === userId);
        const asked = requests.some((r) => r.direction === 'outgoing' && r.to.id === userId);
        const rerender = () => { close(); userDialog(shell, userId); };
        const actions = [];
        if (friend) actions.push(h('button', { type: 'button', class: 'btn', text: 'Remove friend', onclick: async (e) => {
          if (await confirmDialog(`Remove ${user.displayName} from your friends?`, 'Remove')) { await busy(e.target, () => api.removeFriend(userId), fail); rerender(); }
        } }));
        else if (!blocked) actions.push(h('button', { type: 'button', class: 'btn primary', text: asked ? 'Friend request sent' : 'Add friend', disabled: asked,
          onclick: async (e) => { if (await busy(e.target, () => api.requestFriend(userId), fail)) { store.refreshRequests(); rerender(); } } }));
        actions.push(blocked
          ? h('button', { type: 'button', class: 'btn', text: 'Unblock', onclick: async (e) => { await busy(e.target, () => api.unblock(userId), fail); rerender(); } })
          : h('button', { type: 'button', class: 'btn danger', text: 'Block', onclick: async (e) => {
            if (await confirmDialog(`Block ${user.displayName}? Neither of you will be able to message the other.`, 'Block')) {
              await busy(e.target, () => api.block(userId), fail);
              rerender();
            }
          } }));
        replace(body,
          avatar(store, { userId, size: 'xl', online: user.online }),
          h('p', { class: 'profile-name', text: user.displayName }),
          h('p', { class: 'muted', text: `@${user.account} · ${user.online ? 'online' : 'offline'}${blocked ? ' · blocked' : friend ? ' · friend' : ''}` }),
          h('div', { class: 'dialog-actions center' }, actions));
      } catch (err) {
        replace(body, emptyState('Could not load: ' + err.message));
      }
    })();
    return body;
  }, { className: 'dialog-small' });
}

export function settingsDialog(shell) {
  const { store, api } = shell;
  openDialog('Profile and settings', () => {
    const me = store.user(store.me.id);
    const preview = h('div', { class: 'avatar-edit' });
    const showAvatar = () => replace(preview, avatar(store, { userId: me.id, name: me.displayName, url: me.avatarUrl, size: 'xl' }));
    showAvatar();
    const progress = h('progress', { class: 'hidden', max: 100, value: 0, 'aria-label': 'Uploading photo' });
    const file = h('input', { type: 'file', accept: 'image/*', id: 'avatar-file', class: 'sr-only' });
    file.addEventListener('change', async () => {
      const chosen = file.files[0];
      file.value = '';
      if (!chosen) return;
      progress.classList.remove('hidden');
      try {
        const profile = await api.uploadAvatar(chosen, (f) => { progress.value = Math.round(f * 100); }).promise;
        store.rememberUser(profile);
        Object.assign(store.me, profile);
        showAvatar();
        shell.sidebar.renderMe();
        toast('Profile photo updated.');
      } catch (err) {
        toast(err.status === 413 ? 'That picture is too large.' : err.status === 415 ? 'That file is not a picture that can be used.' : 'Could not change the photo: ' + err.message, 'error');
      } finally {
        progress.classList.add('hidden');
      }
    });
    const name = h('input', { id: 'display-name', value: me.displayName, maxlength: 64, required: true, autocomplete: 'nickname' });
    const save = h('button', { type: 'submit', class: 'btn primary', text: 'Save' });
    const form = h('form', { class: 'inline-form' }, name, save);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const profile = await busy(save, () => api.updateMe({ displayName: name.value.trim() }), fail);
      if (profile) { store.rememberUser(profile); Object.assign(store.me, profile); shell.sidebar.renderMe(); toast('Name saved.'); }
    });
    return h('div', { class: 'stack' },
      h('div', { class: 'profile-head' }, preview,
        h('div', null,
          h('p', { class: 'profile-name', text: me.displayName }),
          h('p', { class: 'muted', text: '@' + me.account }),
          h('label', { class: 'btn small', for: 'avatar-file', tabindex: '0', role: 'button',
            onkeydown: (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); file.click(); } } }, 'Change photo'),
          file, progress)),
      h('div', { class: 'field' }, h('label', { for: 'display-name', text: 'Display name' }), form),
      h('div', { class: 'dialog-actions' },
        h('button', { type: 'button', class: 'btn', text: 'Sign out everywhere', onclick: () => shell.signOut({ everywhere: true }) }),
        h('button', { type: 'button', class: 'btn danger', text: 'Sign out', onclick: () => shell.signOut({ everywhere: false }) })));
  }, { className: 'dialog-small' });
}

export function imageViewer(url, name) {
  openDialog(name, () => h('figure', { class: 'viewer' },
    h('img', { src: url, alt: name }),
    h('figcaption', null, h('a', { class: 'btn small', href: url, download: name }, icon('download'), ' Download'))), { className: 'dialog-viewer' });
}

