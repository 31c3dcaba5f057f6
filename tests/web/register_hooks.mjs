// register_hooks.mjs — `node --import ./tests/web/register_hooks.mjs ...`:
// installs noble_hooks.mjs, and on node 18 (Debian 12's) what the page's
// modules expect of a browser and node 18 lacks, test-only and only when
// missing: globalThis.crypto (WebCrypto; X25519 is there on 18.20), and
// 'deflate-raw' in (De)CompressionStream, built on node:zlib exactly as
// node 20 builds its own. Nothing here reaches the page served to a browser.
import * as nodeModule from 'node:module';
import { webcrypto } from 'node:crypto';
import { Duplex } from 'node:stream';
import zlib from 'node:zlib';

if (typeof nodeModule.register !== 'function') {
  console.error(`tests/web: node 18.19 or later (20.6 or later on node 20) is needed for module.register (the module hooks); this is ${process.version}`);
  process.exit(1);
}
nodeModule.register('./noble_hooks.mjs', import.meta.url);

if (!globalThis.crypto) globalThis.crypto = webcrypto;

function supports(Stream, format) {
  try {
    new Stream(format);
    return true;
  } catch {
    return false;
  }
}

// The native class for every format but 'deflate-raw', which is a zlib
// stream seen as a web stream pair (node 20's lib/internal/webstreams/compression.js).
function withDeflateRaw(Native, makeZlib) {
  return class {
    constructor(format) {
      if (format !== 'deflate-raw') return new Native(format);
      const { readable, writable } = Duplex.toWeb(makeZlib());
      this.readable = readable;
      this.writable = writable;
    }
  };
}
if (!supports(globalThis.DecompressionStream, 'deflate-raw')) globalThis.DecompressionStream = withDeflateRaw(globalThis.DecompressionStream, zlib.createInflateRaw);
if (!supports(globalThis.CompressionStream, 'deflate-raw')) globalThis.CompressionStream = withDeflateRaw(globalThis.CompressionStream, zlib.createDeflateRaw);
