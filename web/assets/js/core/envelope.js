// envelope.js — opening a shroud envelope (docs/FORMAT.md sections 1 and 2)
// with WebCrypto: the header and its stanzas (scrypt, PBKDF2, X25519,
// RSA-OAEP), the header MAC, and the C2SP chunked payload (AES-256-GCM,
// HKDF-Expand-SHA-512). scrypt comes from @noble/hashes. No DOM.
import { scryptAsync } from '../../vendor/noble-hashes/scrypt.js';
import { Reader, concat, equal, utf8, wipe } from './bytes.js';
import { fail, ShroudError } from './errors.js';

const subtle = globalThis.crypto.subtle;
const MAGIC = [0x53, 0x48, 0x52, 0x4f, 0x55, 0x44, 0x00]; // "SHROUD" NUL, then version 1
export const STANZA = { X25519: 1, RSA_OAEP: 2, SCRYPT: 3, PBKDF2: 4 };
const STANZA_BYTES = { 1: 80, 3: 65, 4: 68 };
const UNKNOWN_STANZA_MAX = 4096;
const CHUNK = 16384;
const SEALED_CHUNK = CHUNK + 16;
const ZERO_NONCE = new Uint8Array(12);
const RSA_LABEL = utf8('shroud/v1 RSA-OAEP');
const PAYLOAD_INFO = utf8('c2sp.org/chunked-encryption@v1+AEAD_AES_256_GCM\0');

// Splits a binary envelope: {stanzas: [{type, body}], headerBytes (magic ..
// last stanza: what the MAC covers), mac, payload}.
export function parseEnvelope(bytes) {
  const r = new Reader(bytes, 'HEADER');
  if (bytes.length < 8 || !MAGIC.every((v, i) => bytes[i] === v)) fail('NOT_SHROUD');
  if (bytes[7] !== 1) fail('VERSION');
  r.bytes(8);
  const count = r.u8();
  if (count === 0 || count > 64) fail('HEADER', 'stanza count');
  const stanzas = [];
  for (let i = 0; i < count; i++) {
    const type = r.u8();
    const length = r.u16();
    const body = r.bytes(length);
    if (STANZA_BYTES[type] !== undefined && length !== STANZA_BYTES[type]) fail('HEADER', 'stanza length');
    if (type === STANZA.RSA_OAEP && (length < 256 || length > 512)) fail('HEADER', 'stanza length');
    if (STANZA_BYTES[type] === undefined && type !== STANZA.RSA_OAEP && length > UNKNOWN_STANZA_MAX)
      fail('HEADER', 'stanza length');
    stanzas.push({ type, body });
  }
  const isPass = (s) => s.type === STANZA.SCRYPT || s.type === STANZA.PBKDF2;
  if (stanzas.some(isPass) && count !== 1) fail('HEADER', 'a passphrase stanza must stand alone');
  const headerBytes = bytes.subarray(0, r.p);
  const mac = r.bytes(32);
  return { stanzas, headerBytes, mac, payload: bytes.subarray(r.p) };
}

// What an envelope is sealed to: 'passphrase' or 'key'.
export function sealedTo(env) {
  const t = env.stanzas[0].type;
  return t === STANZA.SCRYPT || t === STANZA.PBKDF2 ? 'passphrase' : 'key';
}

async function hkdfSha256(ikm, salt, info, bits = 256) {
  const key = await subtle.importKey('raw', ikm, 'HKDF', false, ['deriveBits']);
  return new Uint8Array(await subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt, info: utf8(info) }, key, bits));
}

async function hmac(hash, key, data) {
  const k = await subtle.importKey('raw', key, { name: 'HMAC', hash }, false, ['sign']);
  return new Uint8Array(await subtle.sign('HMAC', k, data));
}

// AES-256-GCM decryption; null when the tag does not verify.
async function gcmOpen(keyBytes, nonce, sealed) {
  const key = await subtle.importKey('raw', keyBytes, 'AES-GCM', false, ['decrypt']);
  try {
    return new Uint8Array(await subtle.decrypt({ name: 'AES-GCM', iv: nonce }, key, sealed));
  } catch {
    return null;
  }
}

async function unwrapWith(wrapKey, wrapped) {
  try {
    return await gcmOpen(wrapKey, ZERO_NONCE, wrapped);
  } finally {
    wipe(wrapKey);
  }
}

async function openScrypt(body, passphrase, onProgress) {
  const salt = body.subarray(0, 16);
  const logN = body[16];
  if (logN < 10 || logN > 20) fail('WORK_FACTOR');
  const pass = utf8(passphrase);
  try {
    const key = await scryptAsync(pass, concat(utf8('shroud/v1 scrypt'), salt), {
      N: 2 ** logN, r: 8, p: 1, dkLen: 32, maxmem: 2 ** 31, onProgress,
    });
    return await unwrapWith(key, body.subarray(17));
  } finally {
    wipe(pass);
  }
}

async function openPbkdf2(body, passphrase, onProgress) {
  const salt = body.subarray(0, 16);
  const iterations = ((body[16] << 24) | (body[17] << 16) | (body[18] << 8) | body[19]) >>> 0;
  if (iterations < 600000 || iterations > 100000000) fail('WORK_FACTOR');
  const pass = utf8(passphrase);
  try {
    const base = await subtle.importKey('raw', pass, 'PBKDF2', false, ['deriveBits']);
    if (onProgress) onProgress(0);
    const bits = await subtle.deriveBits(
      { name: 'PBKDF2', hash: 'SHA-256', salt: concat(utf8('shroud/v1 PBKDF2'), salt), iterations }, base, 256);
    if (onProgress) onProgress(1);
    return await unwrapWith(new Uint8Array(bits), body.subarray(20));
  } finally {
    wipe(pass);
  }
}

async function openX25519(body, identity) {
  const share = body.subarray(0, 32);
  let shared;
  try {
    const pub = await subtle.importKey('raw', share, { name: 'X25519' }, false, []);
    shared = new Uint8Array(await subtle.deriveBits({ name: 'X25519', public: pub }, identity.privateKey, 256));
  } catch {
    fail('HEADER', 'bad X25519 share'); // WebCrypto refuses a low-order point (all-zero secret)
  }
  if (shared.every((b) => b === 0)) fail('HEADER', 'bad X25519 share');
  const wrapKey = await hkdfSha256(shared, concat(share, identity.publicKey), 'shroud/v1 X25519');
  wipe(shared);
  return unwrapWith(wrapKey, body.subarray(32));
}

async function openRsa(body, identity) {
  if (body.length !== identity.modulusBytes) return null;
  try {
    const key = new Uint8Array(await subtle.decrypt({ name: 'RSA-OAEP', label: RSA_LABEL }, identity.privateKey, body));
    return key.length === 32 ? key : null;
  } catch {
    return null;
  }
}

// The file key from the first stanza the given key opens. keys: {passphrase}
// or {identity} (keys.js). Throws NEED_PASSPHRASE / PASSPHRASE / NO_IDENTITY.
async function fileKey(env, keys, onProgress) {
  const pass = sealedTo(env) === 'passphrase';
  if (pass && keys.passphrase === undefined) fail('NEED_PASSPHRASE');
  if (pass) {
    const passBytes = utf8(keys.passphrase).length;
    if (passBytes < 1 || passBytes > 1024) fail('PASSPHRASE');
    const s = env.stanzas[0];
    const key = s.type === STANZA.SCRYPT ? await openScrypt(s.body, keys.passphrase, onProgress)
      : await openPbkdf2(s.body, keys.passphrase, onProgress);
    if (!key) fail('PASSPHRASE');
    return key;
  }
  const id = keys.identity;
  for (const s of env.stanzas) {
    if (!id) break;
    let key = null;
    if (s.type === STANZA.X25519 && id.kind === 'x25519') key = await openX25519(s.body, id);
    if (s.type === STANZA.RSA_OAEP && id.kind === 'rsa') key = await openRsa(s.body, id);
    if (key && key.length === 32) return key;
  }
  fail('NO_IDENTITY');
}

// HKDF-Expand with HMAC-SHA-512 (WebCrypto's HKDF always extracts first).
async function hkdfExpandSha512(prk, info, length) {
  const out = new Uint8Array(length);
  let t = new Uint8Array(0);
  for (let i = 1, o = 0; o < length; i++) {
    t = await hmac('SHA-512', prk, concat(t, info, new Uint8Array([i])));
    out.set(t.subarray(0, Math.min(t.length, length - o)), o);
    o += t.length;
  }
  return out;
}

function chunkNonce(base, i) {
  const n = base.slice();
  for (let b = 11; i > 0 && b >= 0; b--, i = Math.floor(i / 256)) n[b] ^= i % 256;
  return n;
}

// The c2sp.org/chunked-encryption payload under payloadKey with context mac.
async function openPayload(payload, payloadKey, mac) {
  if (payload.length < 56) fail('TRUNCATED');
  const salt = payload.subarray(0, 24);
  const okm = await hkdfExpandSha512(payloadKey, concat(PAYLOAD_INFO, salt, mac), 76);
  const key = okm.slice(0, 32);
  const baseNonce = okm.slice(32, 44);
  const commitment = okm.subarray(44, 76);
  try {
    if (!equal(commitment, payload.subarray(24, 56))) fail('COMMITMENT');
    const body = payload.subarray(56);
    const last = body.length % SEALED_CHUNK;
    if (body.length === 0 || last < 16) fail('TRUNCATED');
    const chunks = Math.floor(body.length / SEALED_CHUNK) + 1;
    const out = new Uint8Array(body.length - 16 * chunks);
    for (let i = 0; i < chunks; i++) {
      const sealed = body.subarray(i * SEALED_CHUNK, Math.min(body.length, (i + 1) * SEALED_CHUNK));
      const plain = await gcmOpen(key, chunkNonce(baseNonce, i), sealed);
      if (!plain) {
        wipe(out);
        fail('PAYLOAD');
      }
      out.set(plain, i * CHUNK);
      wipe(plain);
    }
    return out;
  } finally {
    wipe(okm);
    wipe(key);
  }
}

// Opens a binary envelope with keys ({passphrase} or {identity}); returns
// the plaintext. onProgress(fraction) follows scrypt. Throws ShroudError:
// NOT_SHROUD, VERSION, HEADER, WORK_FACTOR, NEED_PASSPHRASE, PASSPHRASE,
// NO_IDENTITY, HEADER_MAC, COMMITMENT, TRUNCATED, PAYLOAD.
export async function openEnvelope(bytes, keys, onProgress) {
  const env = parseEnvelope(bytes);
  const key = await fileKey(env, keys, onProgress);
  try {
    const macKey = await hkdfSha256(key, new Uint8Array(0), 'shroud/v1 header');
    const mac = await hmac('SHA-256', macKey, env.headerBytes);
    wipe(macKey);
    if (!equal(mac, env.mac)) fail('HEADER_MAC');
    const payloadKey = await hkdfSha256(key, new Uint8Array(0), 'shroud/v1 payload');
    try {
      return await openPayload(env.payload, payloadKey, env.mac);
    } finally {
      wipe(payloadKey);
    }
  } finally {
    wipe(key);
  }
}

export { ShroudError };
