// REST client: JSON in and out, problem details turned into ApiError, uploads through XHR for progress.

export class ApiError extends Error {
  constructor(status, problem) {
    const detail = problem?.detail || problem?.title || (status === 0 ? 'The server cannot be reached.' : `Request failed (${status}).`);
    super(detail);
    this.status = status;
    this.title = problem?.title;
    this.detail = problem?.detail;
    this.errors = problem?.errors;
  }
}

const enc = encodeURIComponent;

/** Appends the access token to a same-origin media URL so <img>, <audio> and <video> can load it. */
export function authorizedUrl(url, token) {
  if (!url || !token || !url.startsWith('/')) return url;
  return url + (url.includes('?') ? '&' : '?') + 'access_token=' + enc(token);
}

export function createApi({ getToken, onUnauthorized }) {
  async function request(method, path, body, { auth = true } = {}) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const token = getToken();
    if (auth && token) headers.Authorization = 'Bearer ' + token;
    let response;
    try {
      response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
      throw new ApiError(0);
    }
    if (response.status === 401 && auth) onUnauthorized?.();
    if (!response.ok) {
      let problem = null;
      try { problem = await response.json(); } catch { /* not JSON */ }
      throw new ApiError(response.status, problem);
    }
    if (response.status === 204) return null;
    const type = response.headers.get('content-type') || '';
    return type.includes('json') ? response.json() : null;
  }

  /**
   * Uploads with progress. Returns {promise, abort}; the promise resolves with the parsed JSON body.
   * fields: FormData parts besides the file (none today).
   */
  function upload(method, path, file, onProgress) {
    const xhr = new XMLHttpRequest();
    const promise = new Promise((resolve, reject) => {
      xhr.open(method, path);
      xhr.setRequestHeader('Authorization', 'Bearer ' + getToken());
      xhr.setRequestHeader('Accept', 'application/json');
      xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress?.(e.loaded / e.total); };
      xhr.onload = () => {
        let body = null;
        try { body = JSON.parse(xhr.responseText); } catch { /* empty or not JSON */ }
        if (xhr.status >= 200 && xhr.status < 300) resolve(body);
        else {
          if (xhr.status === 401) onUnauthorized?.();
          reject(new ApiError(xhr.status, body ?? (xhr.status === 413 ? { title: 'File too large' } : null)));
        }
      };
      xhr.onerror = () => reject(new ApiError(0));
      xhr.onabort = () => reject(Object.assign(new ApiError(-1, { title: 'Upload cancelled' }), { cancelled: true }));
      const form = new FormData();
      form.append('file', file, file.name);
      xhr.send(form);
    });
    return { promise, abort: () => xhr.abort() };
  }

  return {
    register: (account, password, displayName) => request('POST', '/api/auth/register', { account, password, displayName }, { auth: false }),
    login: (account, password) => request('POST', '/api/auth/login', { account, password }, { auth: false }),
    logout: (everywhere = false) => request('POST', `/api/auth/logout?everywhere=${everywhere}`),
    me: () => request('GET', '/api/me'),
    updateMe: (changes) => request('PATCH', '/api/me', changes),
    user: (ref) => request('GET', `/api/users/${enc(ref)}`),
    searchUsers: (q) => request('GET', `/api/users?q=${enc(q)}&limit=20`),
    onlineUsers: () => request('GET', '/api/users/online'),

    conversations: () => request('GET', '/api/conversations?limit=200'),
    history: (conversation, before, limit = 50) =>
      request('GET', `/api/conversations/${enc(conversation)}/messages?limit=${limit}${before ? `&before=${before}` : ''}`),
    markRead: (conversation, seq) => request('POST', `/api/conversations/${enc(conversation)}/read`, { seq }),

    friends: () => request('GET', '/api/friends'),
    friendRequests: () => request('GET', '/api/friends/requests'),
    requestFriend: (user, message) => request('POST', '/api/friends/requests', { user: String(user), message }),
    acceptRequest: (id) => request('POST', `/api/friends/requests/${id}/accept`),
    declineRequest: (id) => request('POST', `/api/friends/requests/${id}/decline`),
    cancelRequest: (id) => request('DELETE', `/api/friends/requests/${id}`),
    removeFriend: (user) => request('DELETE', `/api/friends/${enc(user)}`),
    blocks: () => request('GET', '/api/blocks'),
    block: (user) => request('PUT', `/api/blocks/${enc(user)}`),
    unblock: (user) => request('DELETE', `/api/blocks/${enc(user)}`),

    groups: () => request('GET', '/api/groups'),
    group: (id) => request('GET', `/api/groups/${id}`),
    searchGroups: (q) => request('GET', `/api/groups/search?q=${enc(q)}&limit=20`),
    createGroup: (name, inviteOnly) => request('POST', '/api/groups', { name, inviteOnly }),
    joinGroup: (id) => request('POST', `/api/groups/${id}/join`),
    leaveGroup: (id) => request('POST', `/api/groups/${id}/leave`),
    inviteToGroup: (id, user) => request('POST', `/api/groups/${id}/invites`, { user: String(user) }),
    members: (id) => request('GET', `/api/groups/${id}/members`),

    uploadFile: (kind, file, onProgress) => upload('POST', `/api/files?kind=${enc(kind)}`, file, onProgress),
    uploadAvatar: (file, onProgress) => upload('PUT', '/api/me/avatar', file, onProgress),
  };
}
