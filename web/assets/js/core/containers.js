// containers.js — where shroud's payloads sit in a PNG or JPEG file
// (docs/FORMAT.md section 5, "Containers"): the PNG chunk walk (shRD, shSG)
// and the JPEG segment walk (APP11 "shroud\0"). No DOM.
import { Reader, be32, concat, crc32, ascii } from './bytes.js';
import { fail } from './errors.js';

export const KIND_RECORD = 1;
export const KIND_SIGNATURE = 2;
export const MAX_FILE = 512 * 1024 * 1024;
const MAX_PAYLOAD = 256 * 1024 * 1024;
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_IDENT = [0x73, 0x68, 0x72, 0x6f, 0x75, 0x64, 0x00]; // "shroud" NUL
const JPEG_HEADER = 12; // ident, kind, seq, count

export function imageFormat(bytes) {
  if (bytes.length >= 8 && PNG_SIGNATURE.every((v, i) => bytes[i] === v)) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  fail('IMAGE_FORMAT');
}

// Every chunk of a PNG file: {type, offset, size (with length, type and
// CRC), data}. Checks CRCs, IHDR first, IEND last with nothing after it.
export function pngChunks(bytes) {
  if (bytes.length > MAX_FILE) fail('IMAGE_LIMIT');
  const r = new Reader(bytes, 'IMAGE');
  r.bytes(8);
  const chunks = [];
  for (;;) {
    const offset = r.p;
    const length = r.u32();
    if (length > 0x7fffffff) fail('IMAGE', 'chunk length out of range');
    const typeBytes = r.bytes(4);
    const type = ascii(typeBytes);
    if (!/^[A-Za-z]{4}$/.test(type)) fail('IMAGE', 'bad chunk type');
    const data = r.bytes(length);
    if (r.u32() !== crc32(typeBytes, data)) fail('IMAGE', `CRC mismatch in chunk ${type}`);
    if (chunks.length === 0 && type !== 'IHDR') fail('IMAGE', 'IHDR is not the first chunk');
    chunks.push({ type, offset, size: 12 + length, data });
    if (type === 'IEND') break;
  }
  if (r.left) fail('IMAGE', 'data after IEND');
  return chunks;
}

function pngEmbedded(bytes) {
  const chunks = pngChunks(bytes);
  const ranges = [];
  const parts = { 1: [], 2: [] };
  const done = { 1: false, 2: false };
  let previous = 0;
  for (const c of chunks) {
    const kind = c.type === 'shRD' ? KIND_RECORD : c.type === 'shSG' ? KIND_SIGNATURE : 0;
    if (previous && kind !== previous) done[previous] = true;
    previous = kind;
    if (!kind) continue;
    if (done[kind]) fail('IMAGE', `a second run of ${c.type} chunks`);
    parts[kind].push(c.data);
    ranges.push({ offset: c.offset, size: c.size, kind });
  }
  return { format: 'png', chunks, ranges, parts };
}

// The segments from SOI up to and including the first SOS: {marker, offset
// (of its 0xFF), size, data}.
export function jpegSegments(bytes) {
  if (bytes.length > MAX_FILE) fail('IMAGE_LIMIT');
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) fail('IMAGE', 'no SOI');
  const segments = [];
  let pos = 2;
  for (;;) {
    if (pos >= bytes.length || bytes[pos] !== 0xff) fail('IMAGE', 'garbage where a marker must start');
    while (pos + 1 < bytes.length && bytes[pos + 1] === 0xff) pos++;
    if (pos + 1 >= bytes.length) fail('IMAGE', 'truncated');
    const marker = bytes[pos + 1];
    if (marker === 0x00) fail('IMAGE', 'stuffed byte where a marker must be');
    if (marker === 0x01) {
      segments.push({ marker, offset: pos, size: 2, data: bytes.subarray(pos + 2, pos + 2) });
      pos += 2;
      continue;
    }
    if ((marker >= 0xd0 && marker <= 0xd9)) fail('IMAGE', 'EOI, SOI or RSTn before SOS');
    if (bytes.length - pos < 4) fail('IMAGE', 'truncated');
    const field = (bytes[pos + 2] << 8) | bytes[pos + 3];
    if (field < 2 || field > bytes.length - pos - 2) fail('IMAGE', 'segment length out of range');
    segments.push({ marker, offset: pos, size: 2 + field, data: bytes.subarray(pos + 4, pos + 2 + field) });
    pos += 2 + field;
    if (marker === 0xda) return { segments, scanStart: pos };
  }
}

function isShroudSegment(s) {
  return s.marker === 0xeb && s.data.length >= 7 && JPEG_IDENT.every((v, i) => s.data[i] === v);
}

function jpegEmbedded(bytes) {
  const { segments } = jpegSegments(bytes);
  const ranges = [];
  const parts = { 1: [], 2: [] };
  const state = { 1: {}, 2: {} };
  for (const s of segments) {
    if (!isShroudSegment(s)) continue;
    if (s.data.length < JPEG_HEADER) fail('IMAGE', 'shroud APP11 segment too short');
    const kind = s.data[7];
    const seq = (s.data[8] << 8) | s.data[9];
    const count = (s.data[10] << 8) | s.data[11];
    if (kind !== KIND_RECORD && kind !== KIND_SIGNATURE) fail('IMAGE', 'unknown shroud APP11 kind');
    const k = state[kind];
    if (k.complete) fail('IMAGE', 'a second sequence of shroud APP11 segments');
    if (!k.started) {
      if (seq !== 0 || count === 0) fail('IMAGE', 'shroud APP11 segments out of order');
      k.started = true;
      k.count = count;
    } else if (seq !== k.next || count !== k.count) {
      fail('IMAGE', 'shroud APP11 segments missing, repeated or out of order');
    }
    k.next = seq + 1;
    k.complete = k.next === k.count;
    parts[kind].push(s.data.subarray(JPEG_HEADER));
    ranges.push({ offset: s.offset, size: s.size, kind });
  }
  for (const kind of [1, 2])
    if (state[kind].started && !state[kind].complete) fail('IMAGE', 'the last shroud APP11 segments are missing');
  return { format: 'jpeg', segments, ranges, parts };
}

// The shroud payloads of an image file: {format, ranges: [{offset, size,
// kind}], record: Uint8Array|null, signature: Uint8Array|null, chunks or
// segments}. Throws ShroudError on a malformed container.
export function findEmbedded(bytes) {
  const e = imageFormat(bytes) === 'png' ? pngEmbedded(bytes) : jpegEmbedded(bytes);
  const join = (kind) => {
    if (!e.parts[kind].length) return null;
    const n = e.parts[kind].reduce((a, p) => a + p.length, 0);
    if (n > MAX_PAYLOAD) fail('IMAGE_LIMIT');
    return concat(...e.parts[kind]);
  };
  e.record = join(KIND_RECORD);
  e.signature = join(KIND_SIGNATURE);
  delete e.parts;
  return e;
}

// The file with the chunks/segments of the given kinds left out (what
// digest(kinds) hashes).
export function withoutKinds(bytes, ranges, kinds = [KIND_RECORD, KIND_SIGNATURE]) {
  const out = [];
  let at = 0;
  for (const r of [...ranges].sort((a, b) => a.offset - b.offset)) {
    if (!kinds.includes(r.kind)) continue;
    out.push(bytes.subarray(at, r.offset));
    at = r.offset + r.size;
  }
  out.push(bytes.subarray(at));
  return concat(...out);
}

export { be32 };
