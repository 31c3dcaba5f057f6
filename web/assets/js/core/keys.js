// keys.js — reading the keys restore needs (docs/FORMAT.md section 3): a
// native identity file (Bech32m SHROUD-SECRET-KEY-1...) or an RSA private
// key in PEM. Everything stays in the page. No DOM.
import { concat, wipe } from './bytes.js';
import { fail, ShroudError } from './errors.js';

const subtle = globalThis.crypto.subtle;
const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const BECH32M = 0x2bc830a3;
const SECRET_HRP = 'shroud-secret-key-';
// PKCS#8 wrapping of a raw X25519 private key (RFC 8410): the fixed prefix.
const X25519_PKCS8_PREFIX = new Uint8Array([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20,
]);

function polymod(values) {
  const gen = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= gen[i];
  }
  return chk >>> 0;
}

// Decodes a Bech32m string (one case only): {hrp, data: Uint8Array}.
export function bech32mDecode(text) {
  if (text !== text.toLowerCase() && text !== text.toUpperCase()) fail('KEY', 'mixed case');
  const s = text.toLowerCase();
  const sep = s.lastIndexOf('1');
  if (sep < 1 || s.length - sep - 1 < 6) fail('KEY');
  const hrp = s.slice(0, sep);
  const values = [];
  for (const ch of s.slice(sep + 1)) {
    const v = CHARSET.indexOf(ch);
    if (v < 0) fail('KEY', `'${ch}' is not a Bech32 character`);
    values.push(v);
  }
  const expanded = [...hrp].map((c) => c.charCodeAt(0) >> 5);
  expanded.push(0, ...[...hrp].map((c) => c.charCodeAt(0) & 31));
  if (polymod([...expanded, ...values]) !== BECH32M) fail('KEY_CHECKSUM');
  const words = values.slice(0, -6);
  const out = [];
  let acc = 0;
  let bits = 0;
  for (const w of words) {
    acc = (acc << 5) | w;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >>> bits) & 0xff);
    }
  }
  if (bits >= 5 || (acc & ((1 << bits) - 1))) fail('KEY', 'bad padding');
  return { hrp, data: new Uint8Array(out) };
}

function b64urlDecode(s) {
  const t = s.replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(t + '='.repeat((4 - (t.length % 4)) % 4)), (c) => c.charCodeAt(0));
}

function pemBody(text, label) {
  const m = text.match(new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`));
  if (!m) return null;
  try {
    return Uint8Array.from(atob(m[1].replace(/\s+/g, '')), (c) => c.charCodeAt(0));
  } catch {
    fail('KEY', 'bad base64 in the PEM');
  }
}

// DER length bytes for n.
function derLength(n) {
  if (n < 0x80) return new Uint8Array([n]);
  const bytes = [];
  for (let v = n; v > 0; v >>>= 8) bytes.unshift(v & 0xff);
  return new Uint8Array([0x80 | bytes.length, ...bytes]);
}

// PKCS#8 PrivateKeyInfo around a PKCS#1 RSAPrivateKey.
function pkcs1ToPkcs8(pkcs1) {
  const algorithm = new Uint8Array([
    0x02, 0x01, 0x00, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01,
    0x05, 0x00,
  ]);
  const octet = concat(new Uint8Array([0x04]), derLength(pkcs1.length), pkcs1);
  const inner = concat(algorithm, octet);
  return concat(new Uint8Array([0x30]), derLength(inner.length), inner);
}

async function importX25519(secret) {
  const pkcs8 = concat(X25519_PKCS8_PREFIX, secret);
  try {
    const key = await subtle.importKey('pkcs8', pkcs8, { name: 'X25519' }, true, ['deriveBits']);
    const jwk = await subtle.exportKey('jwk', key);
    const pub = b64urlDecode(jwk.x);
    return { kind: 'x25519', privateKey: key, publicKey: pub };
  } finally {
    wipe(pkcs8);
  }
}

async function importRsa(der) {
  let key;
  try {
    key = await subtle.importKey('pkcs8', der, { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['decrypt']);
  } catch {
    fail('KEY', 'the PEM does not hold an RSA private key this page can read');
  }
  const bits = key.algorithm.modulusLength;
  if (bits < 2048 || bits > 4096) fail('KEY_SIZE');
  return { kind: 'rsa', privateKey: key, modulusBytes: bits / 8 };
}

// Reads the text of a secret key file: a native identity (comment lines,
// blank lines and one SHROUD-SECRET-KEY-1 line) or an RSA private key PEM.
// Returns {kind: 'x25519', privateKey, publicKey} or {kind: 'rsa',
// privateKey, modulusBytes}. Throws ShroudError('KEY'...) with the reason.
export async function readIdentity(text) {
  if (/-----BEGIN SHROUD MESSAGE-----/.test(text))
    fail('KEY', 'this identity is protected by a passphrase, which the page does not read: ' +
      'restore with the command (shroud restore -i IDENTITY)');
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(text))
    fail('KEY', 'the RSA key is encrypted; decrypt it first (openssl pkey -in KEY -out PLAIN) ' +
      'or restore with the command');
  const pkcs8 = pemBody(text, 'PRIVATE KEY');
  if (pkcs8) return importRsa(pkcs8);
  const pkcs1 = pemBody(text, 'RSA PRIVATE KEY');
  if (pkcs1) return importRsa(pkcs1ToPkcs8(pkcs1));
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  if (lines.length !== 1) fail('KEY', 'expected one SHROUD-SECRET-KEY-1... line');
  if (!/^SHROUD-SECRET-KEY-1/.test(lines[0])) fail('KEY', 'expected one SHROUD-SECRET-KEY-1... line');
  const { hrp, data } = bech32mDecode(lines[0]);
  if (hrp !== SECRET_HRP || data.length !== 64) fail('KEY');
  try {
    return await importX25519(data.subarray(0, 32));
  } catch (e) {
    if (e instanceof ShroudError) throw e;
    fail('KEY', 'this browser cannot use X25519 keys');
  } finally {
    wipe(data);
  }
}
