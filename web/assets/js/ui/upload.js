// upload.js — upload an image already redacted and signed with the key
// registered for the account (the server checks the signature).
import { h, mount, message, fileBytes } from './dom.js';
import { api } from './api.js';

function typeOf(file, bytes) {
  if (bytes[0] === 0x89 && bytes[1] === 0x50) return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'image/jpeg';
  return file.type || 'application/octet-stream';
}

export function uploadView(state) {
  if (!state.me) return h('section.narrow', h('h1', 'Upload'), message('note', 'Log in to upload.'), h('a', { href: '#/login' }, 'Log in'));
  const input = h('input#upload-file', { type: 'file', accept: 'image/png,image/jpeg', required: true, name: 'image' });
  const out = h('div#upload-status');
  const button = h('button', { type: 'submit' }, 'Upload');
  return h('section.narrow',
    h('h1', 'Upload'),
    h('p', 'Give a PNG or JPEG you redacted and signed with your registered key, for example:'),
    h('pre', 'shroud redact --region X,Y,W,H -R friend.pub \\\n      --sign my.key -o out.jpg photo.jpg'),
    h('form#upload-form', { on: { submit: async (ev) => {
      ev.preventDefault();
      const file = input.files[0];
      button.disabled = true;
      mount(out, message('note', 'Uploading…'));
      try {
        const bytes = await fileBytes(file);
        const img = await api.upload(bytes, typeOf(file, bytes));
        location.hash = `#/image/${img.id}`;
      } catch (e) {
        mount(out, message('error', e.message));
      } finally {
        button.disabled = false;
      }
    } } },
      h('p.field', h('label', { for: 'upload-file' }, 'Image file'), input), button),
    out);
}
