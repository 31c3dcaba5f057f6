// restore.js — restoring a redacted PNG or JPEG in the page: find the
// redaction block, open each group the given key opens, check its record
// in the documented order (docs/FORMAT.md, "Sealed record"), put the
// original content back and encode a new file. No DOM, no network.
import { equal, wipe } from './bytes.js';
import { fail, ShroudError } from './errors.js';
import { findEmbedded, withoutKinds, imageFormat } from './containers.js';
import { parseBlock, parseRecord } from './record.js';
import { openEnvelope, parseEnvelope, sealedTo } from './envelope.js';
import { inflate } from './deflate.js';
import { decodePng, encodePng, pngCaptureSize, pngPutBack, pngCoding } from './png.js';
import { decodeJpeg, encodeJpeg, jpegCaptureMax, jpegPutBack } from './jpeg.js';

const NOT_FOR_US = new Set(['NO_IDENTITY', 'PASSPHRASE', 'NEED_PASSPHRASE']);

// Why a group stayed closed, in the user's terms.
function missReason(code, keys) {
  if (code === 'NEED_PASSPHRASE') return 'it is sealed to a passphrase';
  if (code === 'PASSPHRASE') return 'wrong passphrase';
  return keys.identity ? 'it is not sealed to this key' : 'it is sealed to public keys: load an identity file';
}

export async function sha256(bytes) {
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes));
}

// What a redacted image carries, without any key: {format, width, height,
// groups: [{name, style, regions, sealedTo: 'passphrase'|'key'}],
// signed}. Throws ShroudError for a malformed file.
export function describeImage(bytes) {
  const format = imageFormat(bytes);
  const e = findEmbedded(bytes);
  if (!e.record) return { format, groups: [], signed: !!e.signature };
  const layout = parseBlock(e.record);
  return {
    format, width: layout.width, height: layout.height, signed: !!e.signature,
    groups: layout.groups.map((g) => ({ name: g.name, style: g.style, regions: g.regions,
      sealedTo: sealedTo(parseEnvelope(g.envelope)) })),
  };
}

// Restores what keys open. keys: {passphrase} or {identity} (keys.js).
// options.onProgress(fraction, groupName) follows scrypt. Returns {format,
// mime, bytes (the restored file), groups: [{name, restored, reason}],
// decoded (the PNG samples or JPEG coefficients, for tests)}. Throws
// ShroudError: nothing opened (the most telling reason), or a check failed.
export async function restoreImage(bytes, keys, options = {}) {
  const e = findEmbedded(bytes);
  if (!e.record) fail('NO_RECORD');
  const layout = parseBlock(e.record);
  if (layout.format !== e.format) fail('RECORD', 'the record says another image format');
  const layoutDigest = await sha256(layout.layoutBytes);
  const content = await sha256(withoutKinds(bytes, e.ranges));
  const image = e.format === 'png' ? await decodePng(bytes) : decodeJpeg(bytes);
  if (image.width !== layout.width || image.height !== layout.height) fail('RECORD_MISMATCH');

  const opened = [];
  const groups = [];
  let miss = 'NO_IDENTITY';
  for (let g = 0; g < layout.groups.length; g++) {
    const group = layout.groups[g];
    try {
      const plain = await openEnvelope(group.envelope, keys,
        options.onProgress ? (f) => options.onProgress(f, group.name) : undefined);
      opened.push({ g, plain });
      groups.push({ name: group.name, restored: true });
    } catch (err) {
      if (!(err instanceof ShroudError) || !NOT_FOR_US.has(err.code)) {
        opened.forEach((o) => wipe(o.plain));
        throw err;
      }
      groups.push({ name: group.name, restored: false, reason: missReason(err.code, keys) });
      if (err.code === 'PASSPHRASE' || (err.code === 'NEED_PASSPHRASE' && miss === 'NO_IDENTITY')) miss = err.code;
    }
  }
  if (!opened.length) fail(miss);
  try {
    for (const { g, plain } of opened) {
      const group = layout.groups[g];
      const rec = parseRecord(plain);
      if (rec.groupIndex !== g || !equal(rec.layoutDigest, layoutDigest)) fail('RECORD_EDITED');
      if (!equal(rec.contentDigest, content)) fail('RECORD_MISMATCH');
      if (e.format === 'png' && !equal(rec.coding, pngCoding(image))) fail('RECORD_MISMATCH');
      const [lo, hi] = e.format === 'png' ? [pngCaptureSize(image, group.regions), pngCaptureSize(image, group.regions)]
        : [0, jpegCaptureMax(image, group.regions)];
      if (rec.rawLen < lo || rec.rawLen > hi) fail('RECORD', 'the record does not fit the regions');
      const raw = await inflate(rec.data, 'deflate-raw', rec.rawLen, 'RECORD');
      if (raw.length !== rec.rawLen) fail('RECORD', 'the record inflates to fewer bytes than it says');
      if (e.format === 'png') pngPutBack(image, group.regions, raw);
      else jpegPutBack(image, group.regions, raw);
      wipe(raw);
    }
  } finally {
    opened.forEach((o) => wipe(o.plain));
  }
  const out = e.format === 'png' ? await encodePng(image) : encodeJpeg(image);
  return { format: e.format, mime: e.format === 'png' ? 'image/png' : 'image/jpeg', bytes: out, groups, decoded: image };
}
