// png.js — PNG decoding to samples and encoding back (all colour types and
// bit depths, palette, Adam7 interlace on input), for restore in the page.
// No DOM.
import { Reader, be32, concat, crc32, utf8 } from './bytes.js';
import { fail } from './errors.js';
import { pngChunks } from './containers.js';
import { inflate, deflate } from './deflate.js';

const CHANNELS = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const DEPTHS = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
const MAX_SIDE = 32768;
const MAX_PIXELS = 64 * 1024 * 1024;
const ADAM7 = [
  [0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2],
];

function paeth(a, b, c) {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

// Reverses the filters of h rows of rowBytes bytes starting at data[at];
// returns the raw rows and the offset after them.
function unfilter(data, at, h, rowBytes, bpp) {
  const out = new Uint8Array(h * rowBytes);
  for (let y = 0; y < h; y++) {
    if (at + 1 + rowBytes > data.length) fail('IMAGE', 'image data too short');
    const filter = data[at++];
    const row = y * rowBytes;
    const prev = row - rowBytes;
    for (let i = 0; i < rowBytes; i++) {
      const x = data[at + i];
      const a = i >= bpp ? out[row + i - bpp] : 0;
      const b = y > 0 ? out[prev + i] : 0;
      const c = y > 0 && i >= bpp ? out[prev + i - bpp] : 0;
      let v;
      switch (filter) {
        case 0: v = x; break;
        case 1: v = x + a; break;
        case 2: v = x + b; break;
        case 3: v = x + ((a + b) >> 1); break;
        case 4: v = x + paeth(a, b, c); break;
        default: fail('IMAGE', `unknown filter type ${filter}`);
      }
      out[row + i] = v & 0xff;
    }
    at += rowBytes;
  }
  return { rows: out, at };
}

// Unpacks w samples-per-row values of a raw row into samples at index dst.
function unpackRow(rows, rowStart, n, depth, samples, dst, step) {
  for (let i = 0; i < n; i++) {
    let v;
    if (depth === 16) v = (rows[rowStart + 2 * i] << 8) | rows[rowStart + 2 * i + 1];
    else if (depth === 8) v = rows[rowStart + i];
    else {
      const bit = i * depth;
      v = (rows[rowStart + (bit >> 3)] >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
    }
    samples[dst + i * step] = v;
  }
}

// Decodes a PNG: {width, height, depth, colorType, channels, interlace,
// samples (one per channel per pixel, row-major, unscaled: Uint16Array at
// depth 16, else Uint8Array), chunks (pngChunks)}.
export async function decodePng(bytes) {
  const chunks = pngChunks(bytes);
  const r = new Reader(chunks[0].data, 'IMAGE');
  if (chunks[0].data.length !== 13) fail('IMAGE', 'IHDR length');
  const width = r.u32();
  const height = r.u32();
  const depth = r.u8();
  const colorType = r.u8();
  const [compression, filterMethod, interlace] = [r.u8(), r.u8(), r.u8()];
  if (!DEPTHS[colorType] || !DEPTHS[colorType].includes(depth) || compression || filterMethod || interlace > 1)
    fail('IMAGE', 'bad IHDR');
  if (width === 0 || height === 0) fail('IMAGE', 'empty image');
  if (width > MAX_SIDE || height > MAX_SIDE || width * height > MAX_PIXELS) fail('IMAGE_LIMIT');
  const channels = CHANNELS[colorType];
  const idat = chunks.filter((c) => c.type === 'IDAT').map((c) => c.data);
  if (!idat.length) fail('IMAGE', 'no IDAT');
  const bitsPerPixel = channels * depth;
  const bpp = Math.max(1, bitsPerPixel >> 3);
  const rowBytesOf = (w) => Math.ceil((w * bitsPerPixel) / 8);
  let expected = 0;
  const passes = interlace ? ADAM7 : [[0, 0, 1, 1]];
  for (const [xs, ys, dx, dy] of passes) {
    const pw = Math.ceil((width - xs) / dx);
    const ph = Math.ceil((height - ys) / dy);
    if (pw > 0 && ph > 0) expected += ph * (1 + rowBytesOf(pw));
  }
  const data = await inflate(concat(...idat), 'deflate', expected, 'IMAGE');
  if (data.length !== expected) fail('IMAGE', 'image data too short');
  const samples = depth === 16 ? new Uint16Array(width * height * channels) : new Uint8Array(width * height * channels);
  let at = 0;
  for (const [xs, ys, dx, dy] of passes) {
    const pw = Math.ceil((width - xs) / dx);
    const ph = Math.ceil((height - ys) / dy);
    if (pw <= 0 || ph <= 0) continue;
    const rowBytes = rowBytesOf(pw);
    const u = unfilter(data, at, ph, rowBytes, bpp);
    at = u.at;
    for (let y = 0; y < ph; y++) {
      const py = ys + y * dy;
      if (dx === 1) {
        unpackRow(u.rows, y * rowBytes, pw * channels, depth, samples, py * width * channels, 1);
      } else {
        for (let c = 0; c < channels; c++) {
          const tmp = new Array(pw);
          unpackRow(u.rows, y * rowBytes, pw * channels, depth, tmp, 0, 1);
          for (let x = 0; x < pw; x++) samples[(py * width + xs + x * dx) * channels + c] = tmp[x * channels + c];
        }
      }
    }
  }
  return { width, height, depth, colorType, channels, interlace, samples, chunks };
}

function chunk(type, data) {
  const head = new Uint8Array(8);
  new DataView(head.buffer).setUint32(0, data.length);
  head.set(utf8(type), 4);
  const tail = new Uint8Array(4);
  new DataView(tail.buffer).setUint32(0, crc32(utf8(type), data));
  return concat(head, data, tail);
}

// Encodes img (as decodePng returns it) as a non-interlaced PNG of the same
// colour type and depth, filter 0. Keeps every chunk of img.chunks but
// IHDR, IDAT, IEND and shroud's shRD/shSG, in their places around IDAT.
export async function encodePng(img) {
  const { width, height, depth, channels } = img;
  const rowBytes = Math.ceil((width * channels * depth) / 8);
  const raw = new Uint8Array(height * (rowBytes + 1));
  const n = width * channels;
  for (let y = 0; y < height; y++) {
    const o = y * (rowBytes + 1) + 1;
    const s = y * n;
    if (depth === 16) {
      for (let i = 0; i < n; i++) {
        raw[o + 2 * i] = img.samples[s + i] >> 8;
        raw[o + 2 * i + 1] = img.samples[s + i] & 0xff;
      }
    } else if (depth === 8) {
      raw.set(img.samples.subarray(s, s + n), o);
    } else {
      for (let i = 0; i < n; i++) {
        const bit = i * depth;
        raw[o + (bit >> 3)] |= img.samples[s + i] << (8 - depth - (bit & 7));
      }
    }
  }
  const ihdr = concat(img.chunks[0].data.subarray(0, 12), new Uint8Array([0]));
  const before = [];
  const after = [];
  let seenIdat = false;
  for (const c of img.chunks) {
    if (c.type === 'IDAT') seenIdat = true;
    if (['IHDR', 'IDAT', 'IEND', 'shRD', 'shSG'].includes(c.type)) continue;
    (seenIdat ? after : before).push(chunk(c.type, c.data));
  }
  const idat = await deflate(raw, 'deflate');
  return concat(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    ...before, chunk('IDAT', idat), ...after, chunk('IEND', new Uint8Array(0)));
}

// Bytes of the record's content for these regions (what a PNG group's
// raw_len must be).
export function pngCaptureSize(img, regions) {
  const bytesPerSample = img.depth === 16 ? 2 : 1;
  return regions.reduce((n, r) => n + r.w * r.h * img.channels * bytesPerSample, 0);
}

// Writes the record's content back into img.samples (docs/FORMAT.md: per
// region, rows top to bottom, samples in the image's format).
export function pngPutBack(img, regions, raw) {
  const { width, channels, depth } = img;
  let at = 0;
  for (const r of regions) {
    for (let y = r.y; y < r.y + r.h; y++) {
      const dst = (y * width + r.x) * channels;
      const n = r.w * channels;
      if (depth === 16) {
        for (let i = 0; i < n; i++, at += 2) img.samples[dst + i] = (raw[at] << 8) | raw[at + 1];
      } else {
        img.samples.set(raw.subarray(at, at + n), dst);
        at += n;
      }
    }
  }
  if (depth < 8) {
    const max = (1 << depth) - 1;
    for (const r of regions)
      for (let y = r.y; y < r.y + r.h; y++)
        for (let i = 0; i < r.w * channels; i++)
          if (img.samples[(y * width + r.x) * channels + i] > max) fail('RECORD', 'sample out of range');
  }
}

// The coding bytes a PNG record must carry: bit depth, colour type.
export const pngCoding = (img) => new Uint8Array([img.depth, img.colorType]);
export { be32 };
