// image.js — one image: its metadata, download, the restore panel (the key
// or passphrase stays in this page: restore runs on the bytes of the image
// with WebCrypto, and nothing is sent anywhere), and delete for the owner.
import { h, mount, message, formatBytes, formatDate, fileText } from './dom.js';
import { api } from './api.js';
import { describeImage, restoreImage } from '../core/restore.js';
import { readIdentity } from '../core/keys.js';

let lastUrl = null;

function groupList(described) {
  if (!described.groups.length) return message('note', 'This image carries no redaction record: there is nothing to restore.');
  return h('ul.groups#groups', described.groups.map((g) =>
    h('li', { 'data-group': g.name },
      h('strong', g.name), ` — ${g.regions.length} region${g.regions.length > 1 ? 's' : ''}, ${g.style}, sealed to `,
      g.sealedTo === 'passphrase' ? 'a passphrase' : 'public keys')));
}

function restorePanel(id, meta, bytes, described) {
  const progress = h('progress#restore-progress', { max: 1, value: 0, hidden: true });
  const status = h('div#restore-status', { 'aria-live': 'polite' });
  const result = h('div#restore-result');
  const passInput = h('input#restore-passphrase', { type: 'password', autocomplete: 'off', required: true, name: 'passphrase' });
  const idInput = h('input#restore-identity', { type: 'file', required: true, name: 'identity' });
  const buttons = [];

  async function run(getKeys) {
    buttons.forEach((b) => (b.disabled = true));
    mount(status, message('note', 'Restoring…'));
    mount(result);
    progress.value = 0;
    try {
      const keys = await getKeys();
      const out = await restoreImage(bytes, keys, {
        onProgress: (f) => {
          progress.hidden = false;
          progress.value = f;
        },
      });
      if (lastUrl) URL.revokeObjectURL(lastUrl);
      lastUrl = URL.createObjectURL(new Blob([out.bytes], { type: out.mime }));
      const ext = out.format === 'png' ? 'png' : 'jpg';
      const opened = out.groups.filter((g) => g.restored).map((g) => g.name);
      const closed = out.groups.filter((g) => !g.restored);
      mount(status, message('ok', `Restored: ${opened.join(', ')}.`),
        closed.length ? message('note', `Still obscured: ${closed.map((g) => `${g.name} (${g.reason})`).join('; ')}.`) : null);
      mount(result,
        h('img#restored', { src: lastUrl, alt: 'the restored image', width: meta.width, height: meta.height }),
        h('p', h('a#restored-download.button', { href: lastUrl, download: `restored-${id.slice(0, 12)}.${ext}` },
          `Download restored ${ext.toUpperCase()}`)),
        out.format === 'jpeg'
          ? h('p.small', 'This JPEG is re-encoded by the page and shows exactly the original pixels; ', h('code', 'shroud restore'), ' gives back the original file byte for byte.')
          : null);
    } catch (e) {
      mount(status, message('error', e.message));
    } finally {
      progress.hidden = true;
      buttons.forEach((b) => (b.disabled = false));
    }
  }

  const passButton = h('button', { type: 'submit' }, 'Restore with passphrase');
  const idButton = h('button', { type: 'submit' }, 'Restore with identity file');
  buttons.push(passButton, idButton);
  const wants = new Set(described.groups.map((g) => g.sealedTo));
  return h('section.panel#restore',
    h('h2', 'Restore'),
    h('p.small', 'Your passphrase or identity file stays in this page: the image is decrypted here, with WebCrypto, and nothing about the key is sent to the server.'),
    groupList(described),
    described.groups.length ? [
      h('form#restore-pass-form', { on: { submit: (ev) => {
        ev.preventDefault();
        const passphrase = passInput.value;
        passInput.value = '';
        run(async () => ({ passphrase }));
      } } },
        h('label', { for: 'restore-passphrase' }, 'Passphrase'), passInput, passButton,
        wants.has('passphrase') ? null : h('p.small', 'No group of this image is sealed to a passphrase.')),
      h('form#restore-id-form', { on: { submit: (ev) => {
        ev.preventDefault();
        const file = idInput.files[0];
        run(async () => ({ identity: await readIdentity(await fileText(file)) }));
      } } },
        h('label', { for: 'restore-identity' }, 'Identity file (shroud keygen, or an RSA private key PEM)'), idInput, idButton),
      progress, status, result,
    ] : null);
}

function deleteButton(id) {
  const area = h('div#delete-area');
  const ask = h('button.danger#delete', { type: 'button', on: { click: () => mount(area,
    h('span', 'Delete this image for good? '),
    h('button.danger#delete-confirm', { type: 'button', on: { click: async () => {
      try {
        await api.remove(id);
        location.hash = '#/';
      } catch (e) {
        mount(area, message('error', e.message));
      }
    } } }, 'Delete'),
    h('button#delete-cancel', { type: 'button', on: { click: () => mount(area, ask) } }, 'Cancel')) } }, 'Delete…');
  mount(area, ask);
  return area;
}

export async function imageView(state, id) {
  const meta = await api.image(id);
  const bytes = await api.imageBytes(id);
  let described;
  let problem = null;
  try {
    described = describeImage(bytes);
  } catch (e) {
    described = { groups: [] };
    problem = e.message;
  }
  return h('section#image-page', { 'data-id': id },
    h('h1', `Image by ${meta.owner}`),
    h('figure', h('img#original', { src: `/images/${id}`, alt: `redacted image by ${meta.owner}`, width: meta.width, height: meta.height })),
    h('dl.meta#image-meta',
      h('dt', 'Owner'), h('dd', meta.owner),
      h('dt', 'Format'), h('dd', `${meta.format.toUpperCase()}, ${meta.width} × ${meta.height}`),
      h('dt', 'Size'), h('dd', formatBytes(meta.size)),
      h('dt', 'Uploaded'), h('dd', formatDate(meta.created)),
      h('dt', 'Groups'), h('dd', String(meta.groups)),
      h('dt', 'Id'), h('dd.id', id)),
    h('p', h('a.button#download', { href: `/images/${id}`, download: `${id.slice(0, 12)}.${meta.format === 'png' ? 'png' : 'jpg'}` }, 'Download (redacted, signed)')),
    problem ? message('error', problem) : restorePanel(id, meta, bytes, described),
    state.me && state.me.username === meta.owner ? deleteButton(id) : null);
}
