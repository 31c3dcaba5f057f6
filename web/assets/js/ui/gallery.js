// gallery.js — the public gallery: the stored (redacted) images, by pages.
import { h, formatBytes, formatDate, message } from './dom.js';
import { api } from './api.js';

const PER_PAGE = 12;

// #/?page=N (and per_page=M, 1..100, for a different page size).
export async function galleryView(state, page, perPage = PER_PAGE) {
  const data = await api.images(page, perPage);
  const pages = Math.max(1, Math.ceil(data.total / perPage));
  const at = (p) => (p === 1 && perPage === PER_PAGE ? '#/' : `#/?page=${p}${perPage === PER_PAGE ? '' : `&per_page=${perPage}`}`);
  const cards = data.images.map((img) =>
    h('li.card', { 'data-id': img.id },
      h('a', { href: `#/image/${img.id}` },
        h('img', { src: `/images/${img.id}`, alt: `image ${img.id.slice(0, 12)} by ${img.owner}`, loading: 'lazy', width: img.width, height: img.height })),
      h('div.meta',
        h('span.owner', img.owner), ' · ', formatBytes(img.size), ' · ', img.format.toUpperCase(),
        h('br'), formatDate(img.created), ' · ',
        img.groups ? `${img.groups} redaction group${img.groups > 1 ? 's' : ''}` : 'not redacted')));
  return h('section',
    h('h1', 'Gallery'),
    h('p.lead', `${data.total} image${data.total === 1 ? '' : 's'}. Everyone sees the redacted versions; a key holder restores the original in this page.`),
    cards.length ? h('ul.grid#gallery', cards) : message('note', page > 1 ? 'No images on this page.' : 'No images yet.'),
    h('nav.pager',
      page > 1 ? h('a#prev-page', { href: at(page - 1) }, '← newer') : h('span'),
      h('span#page-of', `page ${page} of ${pages}`),
      page < pages ? h('a#next-page', { href: at(page + 1) }, 'older →') : h('span')));
}
