// jpeg.js — JPEG entropy decoding to quantised DCT coefficients (Huffman:
// baseline, extended and progressive; restart markers; any sampling
// factors) and a baseline writer of coefficients (optimised Huffman tables,
// one scan per component). Written for restore in the page: the record
// holds coefficients of the covered blocks (docs/FORMAT.md). No DOM.
// Blocks are kept in zigzag order: the order of the entropy-coded data and
// of the record, so no reordering is needed anywhere.
import { concat } from './bytes.js';
import { fail } from './errors.js';

const MAX_SIDE = 32768;
const MAX_PIXELS = 64 * 1024 * 1024;
const MAX_SCANS = 1000;
const ARITHMETIC = new Set([0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);
const USE_CLI = 'use `shroud restore` for this file';

function refuse(detail) {
  fail('IMAGE_FORMAT', detail);
}

// ---- Huffman tables ----

// A decoding table from bits[16] and values (JPEG Annex C / F.2.2.3).
function buildDecoder(bits, values) {
  const maxcode = new Int32Array(18).fill(-1);
  const valptr = new Int32Array(17);
  const mincode = new Int32Array(17);
  let code = 0;
  let k = 0;
  for (let l = 1; l <= 16; l++) {
    valptr[l] = k;
    mincode[l] = code;
    code += bits[l - 1];
    k += bits[l - 1];
    maxcode[l] = bits[l - 1] ? code - 1 : -1;
    if (code > 1 << l) fail('IMAGE', 'bad Huffman table');
    code <<= 1;
  }
  maxcode[17] = 0x7fffffff;
  // 8-bit lookahead: code prefix -> (length << 8) | value, 0 when longer
  const fast = new Uint16Array(256);
  code = 0;
  k = 0;
  for (let l = 1; l <= 8; l++) {
    for (let i = 0; i < bits[l - 1]; i++, k++, code++) {
      const shift = 8 - l;
      for (let j = 0; j < 1 << shift; j++) fast[(code << shift) | j] = (l << 8) | values[k];
    }
    code <<= 1;
  }
  return { maxcode, valptr, mincode, values, fast };
}

class BitReader {
  constructor(data, pos) {
    this.data = data;
    this.pos = pos;
    this.acc = 0;
    this.n = 0;
    this.marker = false; // a marker was reached: zeros from now on
  }
  fill() {
    while (this.n <= 24) {
      let byte = 0;
      if (!this.marker && this.pos < this.data.length) {
        byte = this.data[this.pos];
        if (byte === 0xff) {
          const next = this.data[this.pos + 1];
          if (next === 0x00) this.pos += 2;
          else {
            this.marker = true;
            byte = 0;
          }
        } else this.pos++;
      } else if (!this.marker) {
        this.marker = true;
      }
      this.acc = ((this.acc << 8) | byte) >>> 0;
      this.n += 8;
    }
  }
  peek8() {
    if (this.n < 8) this.fill();
    return (this.acc >>> (this.n - 8)) & 0xff;
  }
  bit() {
    if (this.n < 1) this.fill();
    this.n--;
    return (this.acc >>> this.n) & 1;
  }
  bits(count) {
    if (count === 0) return 0;
    if (this.n < count) this.fill();
    this.n -= count;
    return (this.acc >>> this.n) & ((1 << count) - 1);
  }
  decode(t) {
    if (!t) fail('IMAGE', 'a scan uses a Huffman table that was not defined');
    const f = t.fast[this.peek8()];
    if (f) {
      this.n -= f >> 8;
      return f & 0xff;
    }
    let code = this.bits(8);
    let l = 8;
    while (l < 16 && code > t.maxcode[l]) {
      code = (code << 1) | this.bit();
      l++;
    }
    if (code > t.maxcode[l]) fail('IMAGE', 'bad Huffman code');
    return t.values[t.valptr[l] + code - t.mincode[l]];
  }
  receiveExtend(s) {
    if (s === 0) return 0;
    if (s > 16) fail('IMAGE', 'bad coefficient size');
    const v = s === 16 ? 32768 : this.bits(s);
    return v < 1 << (s - 1) ? v - (1 << s) + 1 : v;
  }
  // Drops the bits left and steps over the RSTn marker expected next.
  restart(expected) {
    this.acc = 0;
    this.n = 0;
    this.marker = false;
    let p = this.pos;
    while (p < this.data.length && this.data[p] === 0xff && this.data[p + 1] === 0xff) p++;
    if (this.data[p] !== 0xff || this.data[p + 1] !== 0xd0 + expected) fail('IMAGE', 'restart marker missing');
    this.pos = p + 2;
  }
}

// ---- markers ----

function u16(b, i) {
  return (b[i] << 8) | b[i + 1];
}

function parseDqt(d, tables) {
  let p = 0;
  while (p < d.length) {
    const pq = d[p] >> 4;
    const tq = d[p] & 15;
    if (pq > 1 || tq > 3) fail('IMAGE', 'bad DQT');
    p++;
    const size = pq ? 128 : 64;
    if (p + size > d.length) fail('IMAGE', 'bad DQT');
    const q = new Uint16Array(64);
    for (let k = 0; k < 64; k++) q[k] = pq ? u16(d, p + 2 * k) : d[p + k];
    tables[tq] = { precision: pq, values: q };
    p += size;
  }
}

function parseDht(d, dc, ac) {
  let p = 0;
  while (p < d.length) {
    if (p + 17 > d.length) fail('IMAGE', 'bad DHT');
    const tc = d[p] >> 4;
    const th = d[p] & 15;
    if (tc > 1 || th > 3) fail('IMAGE', 'bad DHT');
    const bits = Array.from(d.subarray(p + 1, p + 17));
    const n = bits.reduce((a, b) => a + b, 0);
    if (n > 256 || p + 17 + n > d.length) fail('IMAGE', 'bad DHT');
    const values = d.subarray(p + 17, p + 17 + n);
    (tc ? ac : dc)[th] = buildDecoder(bits, values);
    p += 17 + n;
  }
}

function parseSof(d, marker) {
  if (d.length < 6) fail('IMAGE', 'bad SOF');
  if (d[0] !== 8) refuse(`${d[0]}-bit samples: ${USE_CLI}`);
  const height = u16(d, 1);
  const width = u16(d, 3);
  const nf = d[5];
  if (height === 0) refuse(`no height in the frame header (DNL): ${USE_CLI}`);
  if (width === 0 || nf === 0 || nf > 4 || d.length < 6 + 3 * nf) fail('IMAGE', 'bad SOF');
  if (width > MAX_SIDE || height > MAX_SIDE || width * height > MAX_PIXELS) fail('IMAGE_LIMIT');
  const components = [];
  for (let i = 0; i < nf; i++) {
    const o = 6 + 3 * i;
    const h = d[o + 1] >> 4;
    const v = d[o + 1] & 15;
    if (h < 1 || h > 4 || v < 1 || v > 4 || d[o + 2] > 3) fail('IMAGE', 'bad SOF');
    if (components.some((c) => c.id === d[o])) fail('IMAGE', 'two components with one id');
    components.push({ id: d[o], h, v, tq: d[o + 2] });
  }
  const hmax = Math.max(...components.map((c) => c.h));
  const vmax = Math.max(...components.map((c) => c.v));
  const mcusX = Math.ceil(width / (8 * hmax));
  const mcusY = Math.ceil(height / (8 * vmax));
  for (const c of components) {
    c.bw = Math.ceil(Math.ceil((width * c.h) / hmax) / 8); // real blocks (libjpeg's width_in_blocks)
    c.bh = Math.ceil(Math.ceil((height * c.v) / vmax) / 8);
    c.stride = mcusX * c.h; // blocks per row as stored (padded to whole MCUs)
    c.rows = mcusY * c.v;
    c.coefs = new Int16Array(c.stride * c.rows * 64);
  }
  return { marker, progressive: marker === 0xc2, width, height, components, hmax, vmax, mcusX, mcusY };
}

// ---- scans ----

function decodeScan(data, pos, frame, scan, restartInterval, dcTables, acTables) {
  const { ss, se, ah, al } = scan;
  const comps = scan.components;
  const progressive = frame.progressive;
  if (!progressive && (ss !== 0 || se !== 63 || ah !== 0 || al !== 0)) fail('IMAGE', 'bad sequential scan');
  if (progressive) {
    if (ss > se || se > 63 || (ss === 0 && se !== 0) || (ss > 0 && comps.length !== 1) || al > 13)
      fail('IMAGE', 'bad progressive scan');
  }
  for (const c of comps) {
    c.dcT = dcTables[c.td];
    c.acT = acTables[c.ta];
    c.pred = 0;
  }
  const br = new BitReader(data, pos);
  let eobrun = 0;

  const decodeBlock = (c, at) => {
    const b = c.coefs;
    if (!progressive) {
      const t = br.decode(c.dcT);
      c.pred += br.receiveExtend(t);
      b[at] = c.pred;
      for (let k = 1; k < 64;) {
        const rs = br.decode(c.acT);
        const r = rs >> 4;
        const s = rs & 15;
        if (s === 0) {
          if (r !== 15) break;
          k += 16;
          continue;
        }
        k += r;
        if (k > 63) fail('IMAGE', 'coefficient index out of range');
        b[at + k] = br.receiveExtend(s);
        k++;
      }
      return;
    }
    if (ss === 0) {
      if (ah === 0) {
        const t = br.decode(c.dcT);
        c.pred += br.receiveExtend(t);
        b[at] = c.pred * (1 << al);
      } else if (br.bit()) {
        b[at] |= 1 << al;
      }
      return;
    }
    if (ah === 0) {
      if (eobrun > 0) {
        eobrun--;
        return;
      }
      for (let k = ss; k <= se;) {
        const rs = br.decode(c.acT);
        const r = rs >> 4;
        const s = rs & 15;
        if (s === 0) {
          if (r < 15) {
            eobrun = (1 << r) - 1;
            if (r) eobrun += br.bits(r);
            break;
          }
          k += 16;
          continue;
        }
        k += r;
        if (k > se) fail('IMAGE', 'coefficient index out of range');
        b[at + k] = br.receiveExtend(s) * (1 << al);
        k++;
      }
      return;
    }
    // refinement of AC coefficients (G.1.2.3), as libjpeg does it
    const p1 = 1 << al;
    const m1 = -1 << al;
    let k = ss;
    const refine = (i) => {
      if (br.bit() && (b[i] & p1) === 0) b[i] += b[i] >= 0 ? p1 : m1;
    };
    if (eobrun <= 0) {
      for (; k <= se; k++) {
        const rs = br.decode(c.acT);
        let r = rs >> 4;
        let s = rs & 15;
        if (s) {
          if (s !== 1) fail('IMAGE', 'bad refinement coefficient');
          s = br.bit() ? p1 : m1;
        } else if (r !== 15) {
          eobrun = 1 << r;
          if (r) eobrun += br.bits(r);
          break;
        }
        do {
          const i = at + k;
          if (b[i] !== 0) refine(i);
          else if (--r < 0) break;
          k++;
        } while (k <= se);
        if (s) {
          if (k > se) fail('IMAGE', 'coefficient index out of range');
          b[at + k] = s;
        }
      }
    }
    if (eobrun > 0) {
      for (; k <= se; k++) if (b[at + k] !== 0) refine(at + k);
      eobrun--;
    }
  };

  const single = comps.length === 1;
  const units = single ? comps[0].bw * comps[0].bh : frame.mcusX * frame.mcusY;
  let expectedRst = 0;
  for (let n = 0; n < units; n++) {
    if (restartInterval && n > 0 && n % restartInterval === 0) {
      br.restart(expectedRst);
      expectedRst = (expectedRst + 1) & 7;
      eobrun = 0;
      for (const c of comps) c.pred = 0;
    }
    if (single) {
      const c = comps[0];
      const row = Math.floor(n / c.bw);
      const col = n % c.bw;
      decodeBlock(c, (row * c.stride + col) * 64);
    } else {
      const my = Math.floor(n / frame.mcusX);
      const mx = n % frame.mcusX;
      for (const c of comps)
        for (let v = 0; v < c.v; v++)
          for (let h = 0; h < c.h; h++) decodeBlock(c, ((my * c.v + v) * c.stride + mx * c.h + h) * 64);
    }
  }
  // the end of the entropy-coded data: the next marker that is not RSTn
  let p = br.pos;
  while (p + 1 < data.length && !(data[p] === 0xff && data[p + 1] !== 0 && !(data[p + 1] >= 0xd0 && data[p + 1] <= 0xd7)))
    p++;
  return p;
}

// Decodes a JPEG file to coefficients: {width, height, components: [{id, h,
// v, tq, bw, bh, stride, coefs}], quant: [{precision, values}], keep:
// [segments to copy: APPn/COM other than shroud's], progressive}. Throws
// ShroudError: IMAGE_FORMAT for what the page does not decode (arithmetic
// coding, 12-bit, lossless, hierarchical), IMAGE for a corrupt file.
export function decodeJpeg(bytes) {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) fail('IMAGE', 'no SOI');
  const quant = [];
  const dcTables = [];
  const acTables = [];
  const keep = [];
  let frame = null;
  let restartInterval = 0;
  let scans = 0;
  let pos = 2;
  for (;;) {
    if (pos >= bytes.length || bytes[pos] !== 0xff) fail('IMAGE', 'garbage where a marker must start');
    while (bytes[pos + 1] === 0xff) pos++;
    const marker = bytes[pos + 1];
    if (marker === undefined) fail('IMAGE', 'truncated');
    if (marker === 0xd9) break;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8) || marker === 0x00) {
      if (marker >= 0xd0 && marker <= 0xd7) {
        pos += 2; // a stray RSTn between scans: skip
        continue;
      }
      fail('IMAGE', 'unexpected marker');
    }
    if (pos + 4 > bytes.length) fail('IMAGE', 'truncated');
    const len = u16(bytes, pos + 2);
    if (len < 2 || pos + 2 + len > bytes.length) fail('IMAGE', 'segment length out of range');
    const d = bytes.subarray(pos + 4, pos + 2 + len);
    const segment = bytes.subarray(pos, pos + 2 + len);
    pos += 2 + len;
    if (marker === 0xdb) parseDqt(d, quant);
    else if (marker === 0xc4) parseDht(d, dcTables, acTables);
    else if (marker === 0xdd) {
      if (d.length < 2) fail('IMAGE', 'bad DRI');
      restartInterval = u16(d, 0);
    } else if (marker === 0xc0 || marker === 0xc1 || marker === 0xc2) {
      if (frame) fail('IMAGE', 'two frame headers');
      frame = parseSof(d, marker);
    } else if (ARITHMETIC.has(marker)) {
      refuse(`arithmetic coding: ${USE_CLI}`);
    } else if (marker === 0xc3 || (marker >= 0xc5 && marker <= 0xc7) || marker === 0xde) {
      refuse(`lossless or hierarchical JPEG: ${USE_CLI}`);
    } else if (marker === 0xda) {
      if (!frame) fail('IMAGE', 'scan before the frame header');
      if (++scans > MAX_SCANS) fail('IMAGE_LIMIT');
      const ns = d[0];
      if (!ns || ns > 4 || d.length < 1 + 2 * ns + 3) fail('IMAGE', 'bad SOS');
      const comps = [];
      for (let i = 0; i < ns; i++) {
        const c = frame.components.find((x) => x.id === d[1 + 2 * i]);
        if (!c || comps.includes(c)) fail('IMAGE', 'bad SOS component');
        c.td = d[2 + 2 * i] >> 4;
        c.ta = d[2 + 2 * i] & 15;
        comps.push(c);
      }
      if (ns > 1 && comps.reduce((a, c) => a + c.h * c.v, 0) > 10) fail('IMAGE', 'too many blocks per MCU');
      const o = 1 + 2 * ns;
      const scan = { components: comps, ss: d[o], se: d[o + 1], ah: d[o + 2] >> 4, al: d[o + 2] & 15 };
      pos = decodeScan(bytes, pos, frame, scan, restartInterval, dcTables, acTables);
    } else if ((marker >= 0xe0 && marker <= 0xef) || marker === 0xfe) {
      if (!frame) keep.push({ marker, segment, data: d });
    }
    // other markers (DNL, DAC, ...) are ignored
  }
  if (!frame) fail('IMAGE', 'no frame header');
  if (!scans) fail('IMAGE', 'no scan');
  for (const c of frame.components) if (!quant[c.tq]) fail('IMAGE', 'a component uses an undefined quantisation table');
  return { ...frame, quant, keep };
}

// ---- the record's blocks ----

function coverOf(j, r) {
  const single = j.components.length === 1;
  const mw = 8 * (single ? 1 : j.hmax);
  const mh = 8 * (single ? 1 : j.vmax);
  const x0 = Math.floor(r.x / mw) * mw;
  const y0 = Math.floor(r.y / mh) * mh;
  const x1 = Math.min(Math.ceil((r.x + r.w) / mw) * mw, j.width);
  const y1 = Math.min(Math.ceil((r.y + r.h) / mh) * mh, j.height);
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0, mw, mh };
}

// Blocks of component c under region r: {bx0, bx1, by0, by1} (end
// exclusive), as src/redact/redact_jpeg.c computes them.
function blocksOf(j, c, r) {
  const cov = coverOf(j, r);
  const single = j.components.length === 1;
  const hs = single ? 1 : c.h;
  const vs = single ? 1 : c.v;
  const b = {
    bx0: Math.floor(cov.x / cov.mw) * hs,
    by0: Math.floor(cov.y / cov.mh) * vs,
    bx1: Math.min(Math.ceil((cov.x + cov.w) / cov.mw) * hs, c.bw),
    by1: Math.min(Math.ceil((cov.y + cov.h) / cov.mh) * vs, c.bh),
  };
  b.bx0 = Math.min(b.bx0, b.bx1);
  b.by0 = Math.min(b.by0, b.by1);
  return b;
}

// The largest raw_len a group's record may have (restore.c's bound).
export function jpegCaptureMax(j, regions) {
  let blocks = 0;
  for (const r of regions) {
    const cov = coverOf(j, r);
    for (const c of j.components) {
      const bw = Math.floor((cov.w * c.h) / (8 * j.hmax)) + 2;
      const bh = Math.floor((cov.h * c.v) / (8 * j.vmax)) + 2;
      blocks += bw * bh;
    }
  }
  return blocks * (1 + 3 * 64);
}

// Writes the record's blocks back (per region, per component, block rows,
// blocks left to right; each n:u8 then n zigzag varints).
export function jpegPutBack(j, regions, raw) {
  let p = 0;
  const take = () => {
    if (p >= raw.length) fail('RECORD', 'the record ends early');
    return raw[p++];
  };
  const varint = () => {
    let u = 0;
    for (let shift = 0; shift <= 14; shift += 7) {
      const b = take();
      u |= (b & 0x7f) << shift;
      if (!(b & 0x80)) {
        if ((shift && b === 0) || u > 0xffff) fail('RECORD', 'bad coefficient');
        return u & 1 ? -((u + 1) >> 1) : u >> 1;
      }
    }
    fail('RECORD', 'bad coefficient');
  };
  for (const r of regions)
    for (const c of j.components) {
      const b = blocksOf(j, c, r);
      for (let by = b.by0; by < b.by1; by++)
        for (let bx = b.bx0; bx < b.bx1; bx++) {
          const n = take();
          if (n > 64) fail('RECORD', 'bad block');
          const at = (by * c.stride + bx) * 64;
          const blk = new Int16Array(64);
          for (let k = 0; k < n; k++) blk[k] = varint();
          if (n && blk[n - 1] === 0) fail('RECORD', 'bad block');
          c.coefs.set(blk, at);
        }
    }
  if (p !== raw.length) fail('RECORD', 'data after the last block');
}

// ---- writing a baseline file ----

function category(v) {
  let a = v < 0 ? -v : v;
  let n = 0;
  while (a) {
    n++;
    a >>= 1;
  }
  return n;
}

// Optimal code lengths for symbol frequencies, limited to 16 bits (JPEG
// Annex K.2): {bits[16], values}.
function optimalTable(freqIn) {
  const freq = Array.from(freqIn);
  freq[256] = 1; // reserved: no code of all ones
  const codesize = new Array(257).fill(0);
  const others = new Array(257).fill(-1);
  for (;;) {
    let c1 = -1;
    let c2 = -1;
    let v = Infinity;
    for (let i = 0; i <= 256; i++) if (freq[i] && freq[i] <= v) { v = freq[i]; c1 = i; }
    v = Infinity;
    for (let i = 0; i <= 256; i++) if (freq[i] && freq[i] <= v && i !== c1) { v = freq[i]; c2 = i; }
    if (c2 < 0) break;
    freq[c1] += freq[c2];
    freq[c2] = 0;
    codesize[c1]++;
    while (others[c1] >= 0) { c1 = others[c1]; codesize[c1]++; }
    others[c1] = c2;
    codesize[c2]++;
    while (others[c2] >= 0) { c2 = others[c2]; codesize[c2]++; }
  }
  const bits = new Array(33).fill(0);
  for (let i = 0; i <= 256; i++) if (codesize[i]) bits[codesize[i]]++;
  for (let i = 32; i > 16; i--) {
    while (bits[i] > 0) {
      let j = i - 2;
      while (bits[j] === 0) j--;
      bits[i] -= 2;
      bits[i - 1]++;
      bits[j + 1] += 2;
      bits[j]--;
    }
  }
  let i = 16;
  while (bits[i] === 0) i--;
  bits[i]--; // drop the reserved code
  const values = [];
  for (let l = 1; l <= 32; l++) for (let s = 0; s < 256; s++) if (codesize[s] === l) values.push(s);
  return { bits: bits.slice(1, 17), values };
}

// Canonical codes of a table: code[symbol], size[symbol].
function encoderOf(t) {
  const code = new Int32Array(256);
  const size = new Int32Array(256);
  let c = 0;
  let k = 0;
  for (let l = 1; l <= 16; l++) {
    for (let i = 0; i < t.bits[l - 1]; i++, k++, c++) {
      code[t.values[k]] = c;
      size[t.values[k]] = l;
    }
    c <<= 1;
  }
  return { code, size };
}

class BitWriter {
  constructor() {
    this.out = [];
    this.acc = 0;
    this.n = 0;
  }
  put(value, count) {
    for (let i = count - 1; i >= 0; i--) {
      this.acc = (this.acc << 1) | ((value >> i) & 1);
      if (++this.n === 8) {
        this.out.push(this.acc);
        if (this.acc === 0xff) this.out.push(0);
        this.acc = 0;
        this.n = 0;
      }
    }
  }
  finish() {
    if (this.n) this.put(0x7f, 8 - this.n); // pad with ones
    return new Uint8Array(this.out);
  }
}

// The symbols of one component's sequential scan: [symbol, extra, extraBits]
// triples, DC (class 0) and AC (class 1), with their frequencies.
function scanSymbols(c) {
  const syms = [];
  const dcFreq = new Array(257).fill(0);
  const acFreq = new Array(257).fill(0);
  let pred = 0;
  for (let by = 0; by < c.bh; by++)
    for (let bx = 0; bx < c.bw; bx++) {
      const at = (by * c.stride + bx) * 64;
      const b = c.coefs;
      const diff = b[at] - pred;
      pred = b[at];
      const s = category(diff);
      if (s > 15) fail('IMAGE', 'DC difference too large for a JPEG');
      syms.push(0, s, diff < 0 ? diff + (1 << s) - 1 : diff, s);
      dcFreq[s]++;
      let run = 0;
      for (let k = 1; k < 64; k++) {
        const v = b[at + k];
        if (v === 0) {
          run++;
          continue;
        }
        while (run > 15) {
          syms.push(1, 0xf0, 0, 0);
          acFreq[0xf0]++;
          run -= 16;
        }
        const size = category(v);
        if (size > 15) fail('IMAGE', 'coefficient too large for a JPEG');
        const sym = (run << 4) | size;
        syms.push(1, sym, v < 0 ? v + (1 << size) - 1 : v, size);
        acFreq[sym]++;
        run = 0;
      }
      if (run) {
        syms.push(1, 0x00, 0, 0);
        acFreq[0]++;
      }
    }
  return { syms, dcFreq, acFreq };
}

function segment(marker, body) {
  const head = new Uint8Array([0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff]);
  return concat(head, body);
}

function dhtBody(tc, t) {
  return new Uint8Array([tc << 4, ...t.bits, ...t.values]);
}

// Writes j (decodeJpeg's result) as a sequential Huffman JPEG: the kept
// APPn/COM segments, the same quantisation tables and sampling, one
// non-interleaved scan per component with optimised tables. SOF0 when every
// table is 8-bit and every category fits baseline, else SOF1.
export function encodeJpeg(j) {
  const parts = [new Uint8Array([0xff, 0xd8])];
  for (const k of j.keep) parts.push(k.segment);
  let extended = false;
  j.quant.forEach((q, tq) => {
    if (!q) return;
    if (q.precision) extended = true;
    const body = new Uint8Array(1 + (q.precision ? 128 : 64));
    body[0] = (q.precision << 4) | tq;
    for (let k = 0; k < 64; k++) {
      if (q.precision) {
        body[1 + 2 * k] = q.values[k] >> 8;
        body[2 + 2 * k] = q.values[k] & 0xff;
      } else body[1 + k] = q.values[k];
    }
    parts.push(segment(0xdb, body));
  });
  const scans = [];
  for (const c of j.components) {
    const { syms, dcFreq, acFreq } = scanSymbols(c);
    if (dcFreq.slice(12).some((f) => f) || acFreq.some((f, s) => f && (s & 15) > 10)) extended = true;
    const dcT = optimalTable(dcFreq);
    const acT = optimalTable(acFreq);
    const dcE = encoderOf(dcT);
    const acE = encoderOf(acT);
    const w = new BitWriter();
    for (let i = 0; i < syms.length; i += 4) {
      const e = syms[i] ? acE : dcE;
      const s = syms[i + 1];
      w.put(e.code[s], e.size[s]);
      if (syms[i + 3]) w.put(syms[i + 2], syms[i + 3]);
    }
    scans.push(segment(0xc4, concat(dhtBody(0, dcT), dhtBody(1, acT))),
      segment(0xda, new Uint8Array([1, c.id, 0x00, 0, 63, 0])), w.finish());
  }
  const sof = [8, j.height >> 8, j.height & 0xff, j.width >> 8, j.width & 0xff, j.components.length];
  for (const c of j.components) sof.push(c.id, (c.h << 4) | c.v, c.tq);
  parts.push(segment(extended ? 0xc1 : 0xc0, new Uint8Array(sof)), ...scans, new Uint8Array([0xff, 0xd9]));
  return concat(...parts);
}
