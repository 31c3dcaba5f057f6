// account.js — register and log in (the server sets the session cookie).
import { h, mount, message, fileText } from './dom.js';
import { api } from './api.js';

function field(label, input) {
  return h('p.field', h('label', { for: input.id }, label), input);
}

export function loginView(state, { refreshMe, render }) {
  const user = h('input#login-username', { name: 'username', autocomplete: 'username', required: true });
  const pass = h('input#login-password', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const out = h('div#login-status');
  const just = sessionStorage.getItem('registered');
  if (just) {
    sessionStorage.removeItem('registered');
    user.value = just;
    mount(out, message('ok', `Account ${just} created: log in.`));
  }
  return h('section.narrow',
    h('h1', 'Log in'),
    state.me ? message('note', `You are logged in as ${state.me.username}.`) : null,
    h('form#login-form', { on: { submit: async (ev) => {
      ev.preventDefault();
      try {
        await api.login(user.value, pass.value);
        pass.value = '';
        await refreshMe();
        location.hash = '#/';
        render();
      } catch (e) {
        mount(out, message('error', e.message));
      }
    } } },
      field('Username', user), field('Password', pass), h('button', { type: 'submit' }, 'Log in')),
    out,
    h('p.small', 'No account? ', h('a', { href: '#/register' }, 'Register')));
}

export function registerView() {
  const user = h('input#register-username', { name: 'username', autocomplete: 'username', required: true, pattern: '[a-z0-9_.\\-]{3,32}' });
  const pass = h('input#register-password', { name: 'password', type: 'password', autocomplete: 'new-password', required: true, minlength: 8 });
  const pass2 = h('input#register-password2', { name: 'password2', type: 'password', autocomplete: 'new-password', required: true });
  const key = h('textarea#register-key', { name: 'public_key', rows: 3, required: true, placeholder: 'shroudpk1… or -----BEGIN PUBLIC KEY-----' });
  const keyFile = h('input#register-key-file', { type: 'file', accept: '.pub,.pem,text/plain', on: { change: async () => {
    if (keyFile.files[0]) key.value = (await fileText(keyFile.files[0])).trim();
  } } });
  const out = h('div#register-status');
  return h('section.narrow',
    h('h1', 'Register'),
    h('form#register-form', { on: { submit: async (ev) => {
      ev.preventDefault();
      if (pass.value !== pass2.value) {
        mount(out, message('error', 'The two passwords differ: type the same password twice.'));
        return;
      }
      try {
        await api.register(user.value, pass.value, key.value);
        sessionStorage.setItem('registered', user.value);
        location.hash = '#/login';
      } catch (e) {
        mount(out, message('error', e.message));
      }
    } } },
      field('Username (3 to 32 of a-z, 0-9, _ . -)', user),
      field('Password (at least 8 characters)', pass),
      field('Password again', pass2),
      field('Public key: the line shroud keygen prints, or an RSA public key PEM', key),
      field('…or load it from a .pub file', keyFile),
      h('p.small', 'Uploads must be signed with the matching secret key: ', h('code', 'shroud redact … --sign KEY'), ' or ', h('code', 'shroud sign -i KEY')),
      h('button', { type: 'submit' }, 'Register')),
    out);
}
