// Sign in and registration.

import { h, replace } from '../dom.js';
import { ApiError } from '../api.js';

const ACCOUNT_PATTERN = '[A-Za-z][A-Za-z0-9_.\\-]{2,31}';

function field(label, input, hint) {
  const id = 'f-' + input.name;
  input.id = id;
  const hintEl = hint ? h('small', { class: 'hint', id: id + '-hint', text: hint }) : null;
  if (hintEl) input.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: id, text: label }), input, hintEl);
}

export function renderAuth(root, { api, mode, onSignedIn, navigate }) {
  const register = mode === 'register';
  document.title = register ? 'Create account · Parley' : 'Sign in · Parley';
  const error = h('p', { class: 'form-error', role: 'alert', 'aria-live': 'assertive' });
  const account = h('input', { name: 'account', required: true, autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false',
    pattern: register ? ACCOUNT_PATTERN : null, maxlength: 32 });
  const displayName = register ? h('input', { name: 'displayName', required: true, autocomplete: 'nickname', maxlength: 64 }) : null;
  const password = h('input', { name: 'password', type: 'password', required: true, minlength: register ? 8 : null, maxlength: 128,
    autocomplete: register ? 'new-password' : 'current-password' });
  const submit = h('button', { type: 'submit', class: 'btn primary wide', text: register ? 'Create account' : 'Sign in' });

  const form = h('form', { class: 'auth-form', novalidate: false, 'aria-labelledby': 'auth-title' },
    field(register ? 'Account name' : 'Account', account, register ? '3–32 letters, digits, _ . -; starts with a letter' : null),
    displayName && field('Display name', displayName, 'How others see you'),
    field('Password', password, register ? 'At least 8 characters' : null),
    error, submit);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    submit.disabled = true;
    submit.textContent = register ? 'Creating…' : 'Signing in…';
    try {
      if (register) await api.register(account.value.trim(), password.value, displayName.value.trim());
      onSignedIn(await api.login(account.value.trim(), password.value));
    } catch (err) {
      const detail = err instanceof ApiError && err.errors ? Object.values(err.errors).flat().join(' ') : null;
      error.textContent = err.status === 401 ? 'Wrong account name or password.' : (detail || err.message);
      submit.disabled = false;
      submit.textContent = register ? 'Create account' : 'Sign in';
      (err.status === 409 ? account : password).focus();
    }
  });

  const switchLink = h('a', { href: register ? '/login' : '/register', onclick: (e) => { e.preventDefault(); navigate(register ? '/login' : '/register'); } },
    register ? 'Sign in' : 'Create one');

  replace(root, h('main', { class: 'auth' },
    h('div', { class: 'auth-card' },
      h('div', { class: 'brand' }, h('img', { src: '/icon.svg', alt: '', width: 40, height: 40 }), h('span', { text: 'Parley' })),
      h('h1', { id: 'auth-title', text: register ? 'Create your account' : 'Sign in' }),
      form,
      h('p', { class: 'auth-switch' }, register ? 'Already have an account? ' : 'New here? ', switchLink))));
  account.focus();
}
