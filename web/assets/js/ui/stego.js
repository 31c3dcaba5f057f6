// stego.js — the hide and reveal forms. Unlike restore, these two send the
// image, the message and the passphrase or key to the server
// (/api/stego/hide, /api/stego/reveal), which works on them and keeps nothing.
import { h, mount, message, fileText } from './dom.js';
import { api } from './api.js';

const SERVER_NOTE = 'Unlike restore, this form sends the image, the message and the passphrase or key to the server, which does the work and keeps nothing. For secrets you do not want to leave your machine, use the command (shroud hide, shroud reveal).';

function field(label, input, extra) {
  return h('p.field', h('label', { for: input.id }, label), input, extra || null);
}

function radio(name, value, text, checked) {
  const id = `${name}-${value}`;
  return h('label.choice', { for: id }, h('input', { type: 'radio', id, name, value, checked }), ` ${text}`);
}

let lastUrl = null;

export function hideView() {
  const image = h('input#hide-image', { type: 'file', accept: 'image/png,image/bmp', required: true });
  const text = h('textarea#hide-message', { rows: 4, placeholder: 'the message' });
  const file = h('input#hide-file', { type: 'file' });
  const pass = h('input#hide-passphrase', { type: 'password', autocomplete: 'off' });
  const recipients = h('textarea#hide-recipients', { rows: 3, placeholder: 'shroudpk1… (one per line) or an RSA public key PEM' });
  const out = h('div#hide-status');
  const button = h('button', { type: 'submit' }, 'Hide');
  const form = h('form#hide-form', { on: { submit: async (ev) => {
    ev.preventDefault();
    const fd = new FormData();
    if (!image.files[0]) return mount(out, message('error', 'Choose a cover image (PNG or BMP).'));
    fd.append('image', image.files[0]);
    if (file.files[0]) fd.append('file', file.files[0]);
    else if (text.value) fd.append('message', text.value);
    else return mount(out, message('error', 'Type a message or choose a file to hide.'));
    if (form.elements.mode.value === 'passphrase') {
      if (!pass.value) return mount(out, message('error', 'Type a passphrase.'));
      fd.append('passphrase', pass.value);
    } else {
      const keys = recipients.value.includes('-----BEGIN')
        ? [recipients.value.trim()]
        : recipients.value.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
      if (!keys.length) return mount(out, message('error', 'Give at least one recipient public key.'));
      keys.forEach((k) => fd.append('recipient', k));
    }
    button.disabled = true;
    mount(out, message('note', 'Hiding… (the server derives a key with scrypt: a second or two)'));
    try {
      const blob = await api.hide(fd);
      if (lastUrl) URL.revokeObjectURL(lastUrl);
      lastUrl = URL.createObjectURL(blob);
      mount(out, message('ok', 'Done: download the image and share it; never publish the cover beside it.'),
        h('img#hide-result', { src: lastUrl, alt: 'the image with the hidden message' }),
        h('p', h('a.button#hide-download', { href: lastUrl, download: 'hidden.png' }, 'Download hidden.png')));
    } catch (e) {
      const capacity = e.body && e.body.capacity !== undefined ? ` (room for ${e.body.capacity} bytes)` : '';
      mount(out, message('error', e.message + capacity));
    } finally {
      button.disabled = false;
    }
  } } },
    field('Cover image (PNG or BMP; the result is a PNG)', image),
    field('Message', text),
    field('…or a file to hide instead', file),
    h('fieldset', h('legend', 'Who can read it'),
      radio('mode', 'passphrase', 'a passphrase', true), radio('mode', 'recipients', 'public keys', false),
      field('Passphrase', pass), field('Recipients', recipients)),
    button);
  return h('section.narrow', h('h1', 'Hide a message in an image'), message('note', SERVER_NOTE), form, out);
}

export function revealView() {
  const image = h('input#reveal-image', { type: 'file', accept: 'image/png', required: true });
  const pass = h('input#reveal-passphrase', { type: 'password', autocomplete: 'off' });
  const identity = h('input#reveal-identity', { type: 'file' });
  const out = h('div#reveal-status');
  const button = h('button', { type: 'submit' }, 'Reveal');
  const form = h('form#reveal-form', { on: { submit: async (ev) => {
    ev.preventDefault();
    if (!image.files[0]) return mount(out, message('error', 'Choose the image.'));
    const fd = new FormData();
    fd.append('image', image.files[0]);
    if (identity.files[0]) fd.append('identity', await fileText(identity.files[0]));
    else if (pass.value) fd.append('passphrase', pass.value);
    else return mount(out, message('error', 'Type the passphrase or choose an identity file.'));
    button.disabled = true;
    mount(out, message('note', 'Revealing…'));
    try {
      const r = await api.reveal(fd);
      const bytes = Uint8Array.from(atob(r.base64), (c) => c.charCodeAt(0));
      if (lastUrl) URL.revokeObjectURL(lastUrl);
      lastUrl = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
      mount(out, message('ok', `Found a message of ${r.bytes} bytes.`),
        r.text !== undefined ? h('pre#reveal-text', r.text) : h('p', 'It is not text: download it.'),
        h('p', h('a.button#reveal-download', { href: lastUrl, download: 'message.bin' }, 'Download the message')));
    } catch (e) {
      mount(out, message('error', e.message));
    } finally {
      button.disabled = false;
    }
  } } },
    field('Image', image),
    field('Passphrase', pass),
    field('…or identity file (shroud keygen, or an RSA private key PEM)', identity),
    button);
  return h('section.narrow', h('h1', 'Reveal a hidden message'), message('note', SERVER_NOTE), form, out);
}
