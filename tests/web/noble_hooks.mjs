// noble_hooks.mjs — module resolution hooks for running the page's modules
// in node: the page imports @noble/hashes from /assets/vendor/noble-hashes/
// (where the server serves it); in node that is the package's ES modules,
// web/node_modules/@noble/hashes/esm/. Like the embedded copy
// (cmake/embed_web.cmake), utils.js's import of '@noble/hashes/crypto' is
// the browser's crypto.js (globalThis.crypto), not the package's node build.
const VENDOR = '/vendor/noble-hashes/';
const NOBLE = new URL('../../web/node_modules/@noble/hashes/esm/', import.meta.url);

export async function resolve(specifier, context, next) {
  const parent = context.parentURL || '';
  if (specifier === '@noble/hashes/crypto' && parent.startsWith(NOBLE.href)) return next(new URL('crypto.js', NOBLE).href, context);
  const target = new URL(specifier, parent || import.meta.url).href;
  const at = target.indexOf(VENDOR);
  if (at >= 0 && !target.includes('/node_modules/')) return next(new URL(target.slice(at + VENDOR.length), NOBLE).href, context);
  return next(specifier, context);
}
