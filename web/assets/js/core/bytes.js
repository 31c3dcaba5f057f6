// bytes.js — reading big-endian fields with bounds checks, and small byte
// helpers. No DOM.
import { fail } from './errors.js';

// A cursor over a Uint8Array; every read past the end throws
// ShroudError(code) (the caller says which error a short input means).
export class Reader {
  constructor(bytes, code = 'IMAGE') {
    this.b = bytes;
    this.p = 0;
    this.code = code;
  }
  get left() {
    return this.b.length - this.p;
  }
  need(n) {
    if (n > this.left) fail(this.code, 'truncated');
  }
  u8() {
    this.need(1);
    return this.b[this.p++];
  }
  u16() {
    this.need(2);
    const v = (this.b[this.p] << 8) | this.b[this.p + 1];
    this.p += 2;
    return v;
  }
  u32() {
    this.need(4);
    const v = be32(this.b, this.p);
    this.p += 4;
    return v;
  }
  bytes(n) {
    this.need(n);
    const v = this.b.subarray(this.p, this.p + n);
    this.p += n;
    return v;
  }
}

export function be32(b, i) {
  return ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
}

export function concat(...parts) {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

// Equality without an early exit (for MACs and digests).
export function equal(a, b) {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

export const utf8 = (s) => new TextEncoder().encode(s);
export const ascii = (b) => String.fromCharCode(...b);
export const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

// Overwrites a secret's bytes once it is no longer needed.
export function wipe(b) {
  if (b) b.fill(0);
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

// CRC-32 (ISO 3309, as PNG uses it) of the given byte arrays in sequence.
export function crc32(...parts) {
  let c = 0xffffffff;
  for (const p of parts) for (let i = 0; i < p.length; i++) c = CRC_TABLE[(c ^ p[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
