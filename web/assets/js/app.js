// app.js — the single-page app: the header, hash routing (#/, #/image/ID,
// #/login, #/register, #/upload, #/hide, #/reveal) and who is logged in
// (GET /api/me; the session itself is an HttpOnly cookie).
import { h, mount, message } from './ui/dom.js';
import { api } from './ui/api.js';
import { galleryView } from './ui/gallery.js';
import { imageView } from './ui/image.js';
import { loginView, registerView } from './ui/account.js';
import { uploadView } from './ui/upload.js';
import { hideView, revealView } from './ui/stego.js';

const state = { me: null };

function nav() {
  const link = (href, text, id) => h('a', { href, id }, text);
  const items = [link('#/', 'Gallery', 'nav-gallery'), link('#/hide', 'Hide', 'nav-hide'), link('#/reveal', 'Reveal', 'nav-reveal')];
  if (state.me) {
    items.push(link('#/upload', 'Upload', 'nav-upload'));
    items.push(h('span.who#nav-user', state.me.username));
    items.push(h('button.link#nav-logout', { type: 'button', on: { click: logout } }, 'Log out'));
  } else {
    items.push(link('#/login', 'Log in', 'nav-login'), link('#/register', 'Register', 'nav-register'));
  }
  return h('header', h('a.brand', { href: '#/' }, 'shroud'), h('nav', items));
}

async function logout() {
  try {
    await api.logout();
  } catch {
    /* already logged out */
  }
  state.me = null;
  location.hash = '#/login';
  render();
}

// Re-reads /api/me (after log in or out).
export async function refreshMe() {
  state.me = await api.me().catch(() => null);
}

const routes = [
  [/^#?\/?$/, () => galleryView(state, 1)],
  [/^#\/\?([a-z_=&0-9]*)$/, (m) => {
    const q = new URLSearchParams(m[1]);
    return galleryView(state, Number(q.get('page') || 1), Number(q.get('per_page') || 0) || undefined);
  }],
  [/^#\/image\/([0-9a-f]{64})$/, (m) => imageView(state, m[1])],
  [/^#\/login$/, () => loginView(state, { refreshMe, render })],
  [/^#\/register$/, () => registerView(state)],
  [/^#\/upload$/, () => uploadView(state)],
  [/^#\/hide$/, () => hideView(state)],
  [/^#\/reveal$/, () => revealView(state)],
];

let current = 0;
async function render() {
  const turn = ++current;
  const main = h('main#view');
  mount(document.body, nav(), main);
  const hash = location.hash || '#/';
  const route = routes.find(([re]) => re.test(hash));
  try {
    const view = route ? await route[1](hash.match(route[0])) : h('section', h('h1', 'Not found'), message('error', 'No such page.'));
    if (turn === current) mount(main, view);
  } catch (e) {
    if (turn === current) mount(main, message('error', e.message));
  }
}

window.addEventListener('hashchange', render);
refreshMe().then(render);
