// record.js — the redaction block's layout and the sealed record
// (docs/FORMAT.md section 5, "Redaction block", "Sealed record"). No DOM.
import { Reader, ascii } from './bytes.js';
import { fail } from './errors.js';

const LAYOUT_MAGIC = [0x53, 0x48, 0x52, 0x44, 0x52, 0x45, 0x44]; // "SHRDRED"
const RECORD_MAGIC = [0x53, 0x48, 0x52, 0x44, 0x52, 0x45, 0x43, 0x01]; // "SHRDREC" 1
export const STYLES = ['noise', 'fill', 'pixelate', 'blur'];
const MAX_DIMENSION = 32768;
const MAX_GROUPS = 16;
const MAX_REGIONS = 256;
const CODING_MAX = 4096;

function parseGroup(r, width, height) {
  const nameLen = r.u8();
  if (nameLen === 0 || nameLen > 64) fail('RECORD', 'group name length');
  const name = ascii(r.bytes(nameLen));
  if (!/^[A-Za-z0-9._-]+$/.test(name)) fail('RECORD', 'group name');
  const style = r.u8();
  if (style >= STYLES.length) fail('RECORD', 'unknown style');
  const count = r.u16();
  if (count === 0 || count > MAX_REGIONS || r.left / 16 < count) fail('RECORD', 'region count');
  const regions = [];
  for (let i = 0; i < count; i++) {
    const [x, y, w, h] = [r.u32(), r.u32(), r.u32(), r.u32()];
    if (w === 0 || h === 0 || x >= width || y >= height || w > width - x || h > height - y)
      fail('RECORD', 'a region is empty or outside the image');
    regions.push({ x, y, w, h });
  }
  return { name, style: STYLES[style], regions };
}

// Parses a redaction block: {format ('png'|'jpeg'), width, height, flags,
// groups: [{name, style, regions, envelope}], layoutBytes (what
// layout_digest hashes)}. Throws ShroudError('RECORD' or 'VERSION').
export function parseBlock(block) {
  const r = new Reader(block, 'RECORD');
  const magic = r.bytes(8);
  if (!LAYOUT_MAGIC.every((v, i) => magic[i] === v)) fail('RECORD', 'no layout magic');
  if (magic[7] !== 1) fail('VERSION');
  const format = r.u8();
  const width = r.u32();
  const height = r.u32();
  const flags = r.u8();
  const count = r.u8();
  if ((format !== 1 && format !== 2) || width === 0 || height === 0 || width > MAX_DIMENSION ||
      height > MAX_DIMENSION || (flags & ~1) || count === 0 || count > MAX_GROUPS)
    fail('RECORD', 'layout header');
  const groups = [];
  for (let g = 0; g < count; g++) {
    const group = parseGroup(r, width, height);
    if (groups.some((o) => o.name === group.name)) fail('RECORD', 'two groups with one name');
    groups.push(group);
  }
  const layoutBytes = block.subarray(0, r.p);
  for (const group of groups) {
    const n = r.u32();
    if (n === 0) fail('RECORD', 'empty envelope');
    group.envelope = r.bytes(n);
  }
  if (r.left) fail('RECORD', 'data after the last envelope');
  return { format: format === 1 ? 'png' : 'jpeg', width, height, flags, groups, layoutBytes };
}

// Parses an opened record: {groupIndex, contentDigest, layoutDigest, coding,
// rawLen, data (raw DEFLATE)}.
export function parseRecord(plain) {
  const r = new Reader(plain, 'RECORD');
  const magic = r.bytes(8);
  if (!RECORD_MAGIC.every((v, i) => magic[i] === v)) fail('RECORD', 'no record magic');
  const groupIndex = r.u8();
  const contentDigest = r.bytes(32);
  const layoutDigest = r.bytes(32);
  const codingLen = r.u16();
  if (codingLen > CODING_MAX) fail('RECORD', 'coding too long');
  const coding = r.bytes(codingLen);
  const rawLen = r.u32();
  return { groupIndex, contentDigest, layoutDigest, coding, rawLen, data: plain.subarray(r.p) };
}

// JPEG coding (how the original was entropy-coded): {progressive,
// arithmetic, restart, huffman}. Only informative in the page, which
// always writes a baseline file.
export function parseJpegCoding(coding) {
  const r = new Reader(coding, 'RECORD');
  return { progressive: r.u8(), arithmetic: r.u8(), restart: r.u32(), huffman: r.u8() };
}
