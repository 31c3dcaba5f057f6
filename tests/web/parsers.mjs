// parsers.mjs — the page's parsers and checks on bad input, in node (the
// modules under web/assets/js/core have no DOM): truncated files, flipped
// bytes in envelopes, edited layouts, records moved between groups or
// images, bad keys. Every failure must be a ShroudError with the expected
// code, never another exception.
//   node --import ./tests/web/register_hooks.mjs tests/web/parsers.mjs /path/to/shroud
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ShroudError } from '../../web/assets/js/core/errors.js';
import { concat, crc32, utf8 } from '../../web/assets/js/core/bytes.js';
import { findEmbedded, pngChunks } from '../../web/assets/js/core/containers.js';
import { parseBlock } from '../../web/assets/js/core/record.js';
import { openEnvelope, parseEnvelope } from '../../web/assets/js/core/envelope.js';
import { readIdentity, bech32mDecode } from '../../web/assets/js/core/keys.js';
import { restoreImage, describeImage } from '../../web/assets/js/core/restore.js';
import { decodePng } from '../../web/assets/js/core/png.js';
import { decodeJpeg } from '../../web/assets/js/core/jpeg.js';
import { check, finish } from './check.mjs';

const shroud = process.argv[2];
if (!shroud) {
  console.error('usage: node --import ./tests/web/register_hooks.mjs tests/web/parsers.mjs /path/to/shroud');
  process.exit(2);
}
const DATA = join(dirname(fileURLToPath(import.meta.url)), '..', 'data');
const work = mkdtempSync(join(tmpdir(), 'shroud-web-parsers-'));
const PASS = 'correct horse battery';

// Runs fn; the outcome: 'ok', or the ShroudError's code, or 'THROWN <name>'
// for any other exception (a bug).
async function outcome(fn) {
  try {
    await fn();
    return 'ok';
  } catch (e) {
    return e instanceof ShroudError ? e.code : `THROWN ${e && e.name}: ${e && e.message}`;
  }
}

async function expectCode(fn, codes, what) {
  const got = await outcome(fn);
  check([].concat(codes).includes(got), what, `got ${got}, expected ${[].concat(codes).join(' or ')}`);
}

function pngChunk(type, data) {
  const head = new Uint8Array(8);
  new DataView(head.buffer).setUint32(0, data.length);
  head.set(utf8(type), 4);
  const crc = new Uint8Array(4);
  new DataView(crc.buffer).setUint32(0, crc32(utf8(type), data));
  return concat(head, data, crc);
}

// The PNG with its shRD chunks replaced by one holding block.
function withBlock(png, block) {
  const parts = [png.subarray(0, 8)];
  let placed = false;
  for (const c of pngChunks(png)) {
    if (c.type === 'shRD') {
      if (!placed) parts.push(pngChunk('shRD', block));
      placed = true;
      continue;
    }
    parts.push(png.subarray(c.offset, c.offset + c.size));
  }
  return concat(...parts);
}

// The block with group g's envelope replaced.
function withEnvelope(layout, g, env) {
  const parts = [layout.layoutBytes];
  layout.groups.forEach((grp, i) => {
    const e = i === g ? env : grp.envelope;
    const len = new Uint8Array(4);
    new DataView(len.buffer).setUint32(0, e.length);
    parts.push(len, e);
  });
  return concat(...parts);
}

const run = (args) => execFileSync(shroud, args, { stdio: ['ignore', 'pipe', 'pipe'] });

async function main() {
  writeFileSync(join(work, 'pass.txt'), PASS + '\n');
  const pub = run(['keygen', '-o', join(work, 'id.key')]);
  writeFileSync(join(work, 'id.pub'), pub);
  const keyText = readFileSync(join(work, 'id.key'), 'utf8');
  const identity = await readIdentity(keyText);
  const common = ['--passphrase-file', join(work, 'pass.txt'), '--scrypt-log-n', '10'];
  // two passphrase groups (a record can be moved between them) and a key group
  const redact = (src, out) => run(['redact', '--group', 'a', '--region', '8,8,40,30', ...common,
    '--group', 'b', '--region', '100,60,30,20', ...common,
    '--group', 'c', '--region', '60,100,20,20', '-R', join(work, 'id.pub'), '-o', join(work, out), src]);
  redact(join(DATA, 'chelsea.png'), 'red.png');
  redact(join(DATA, 'rocket.jpg'), 'red.jpg');
  const png = new Uint8Array(readFileSync(join(work, 'red.png')));
  const jpg = new Uint8Array(readFileSync(join(work, 'red.jpg')));

  // the good files first, so that the refusals below mean something
  await expectCode(() => restoreImage(png, { passphrase: PASS }), 'ok', 'PNG: restores with the passphrase');
  await expectCode(() => restoreImage(jpg, { identity }), 'ok', 'JPEG: restores with the identity');
  check(describeImage(png).groups.map((g) => g.sealedTo).join() === 'passphrase,passphrase,key',
    'describeImage tells what each group is sealed to');

  // truncated files: every length in the first 2 KiB, then coarser
  for (const [name, file] of [['PNG', png], ['JPEG', jpg]]) {
    const bad = [];
    for (let n = 0; n < file.length; n += n < 2048 ? 1 : 997) {
      const got = await outcome(async () => {
        const cut = file.subarray(0, n);
        describeImage(cut);
        if (name === 'PNG') await decodePng(cut);
        else decodeJpeg(cut);
      });
      if (got.startsWith('THROWN') || got === 'ok') bad.push(`${n}: ${got}`);
    }
    check(bad.length === 0, `${name}: every truncation is a ShroudError`, bad.slice(0, 3).join('; '));
  }

  // one flipped bit at every byte of an envelope: an error of the envelope's
  // own kinds, never a restore
  const layout = parseBlock(findEmbedded(png).record);
  const env = layout.groups[0].envelope;
  // (a stanza type flipped to an unknown one is skipped: then nothing opens)
  const allowed = new Set(['NOT_SHROUD', 'VERSION', 'HEADER', 'WORK_FACTOR', 'PASSPHRASE', 'NO_IDENTITY', 'HEADER_MAC',
    'COMMITMENT', 'PAYLOAD', 'TRUNCATED']);
  const bad = [];
  const seen = new Set();
  const step = Math.max(1, Math.floor(env.length / 400));
  for (let i = 0; i < env.length; i += i < 150 ? 1 : step) {
    const flipped = env.slice();
    flipped[i] ^= 0x04;
    const got = await outcome(() => openEnvelope(flipped, { passphrase: PASS }));
    seen.add(got);
    if (!allowed.has(got)) bad.push(`byte ${i}: ${got}`);
  }
  check(bad.length === 0, 'envelope: every flipped byte is refused with an envelope error', bad.slice(0, 3).join('; '));
  for (const code of ['NOT_SHROUD', 'VERSION', 'PASSPHRASE', 'HEADER_MAC', 'PAYLOAD'])
    check(seen.has(code), `envelope: some flipped byte gives ${code}`, [...seen].join(' '));
  for (const n of [0, 5, 8, 9, 50, env.length - 17, env.length - 1])
    await expectCode(() => openEnvelope(env.subarray(0, n), { passphrase: PASS }),
      ['NOT_SHROUD', 'HEADER', 'TRUNCATED', 'PAYLOAD'], `envelope cut to ${n} bytes is refused`);
  await expectCode(() => openEnvelope(concat(env, new Uint8Array([0])), { passphrase: PASS }),
    ['PAYLOAD', 'TRUNCATED'], 'envelope with a byte appended is refused');
  // a flipped byte inside the image file's envelope: the whole restore
  {
    const flipped = withBlock(png, withEnvelope(layout, 0, (() => { const e = env.slice(); e[e.length - 5] ^= 1; return e; })()));
    await expectCode(() => restoreImage(flipped, { passphrase: PASS }), 'PAYLOAD', 'restore: a flipped payload byte stops the restore');
  }

  // the record checks, in the documented order
  {
    const swapped = withBlock(png, withEnvelope(layout, 0, layout.groups[1].envelope));
    await expectCode(() => restoreImage(swapped, { passphrase: PASS }), 'RECORD_EDITED', 'restore: a record moved to another group is refused');
    const edited = layout.layoutBytes.slice();
    edited[edited.length - 1] ^= 1; // the last region's height
    const block = concat(edited, findEmbedded(png).record.subarray(layout.layoutBytes.length));
    await expectCode(() => restoreImage(withBlock(png, block), { passphrase: PASS }), 'RECORD_EDITED', 'restore: an edited region list is refused');
    const withText = (() => {
      const chunks = pngChunks(png);
      const at = chunks[1].offset;
      return concat(png.subarray(0, at), pngChunk('tEXt', utf8('Comment\0added after redaction')), png.subarray(at));
    })();
    await expectCode(() => restoreImage(withText, { passphrase: PASS }), 'RECORD_MISMATCH', 'restore: a chunk added after redaction is refused');
    // a record from another image with the same layout: the same photo
    // redacted again (other noise, so other content)
    redact(join(DATA, 'chelsea.png'), 'red2.png');
    const other = parseBlock(findEmbedded(new Uint8Array(readFileSync(join(work, 'red2.png')))).record).groups[0].envelope;
    await expectCode(() => restoreImage(withBlock(png, withEnvelope(layout, 0, other)), { passphrase: PASS }),
      'RECORD_MISMATCH', "restore: another image's record is refused");
  }

  // keys: which key opens what
  await expectCode(() => restoreImage(png, { passphrase: 'wrong horse' }), 'PASSPHRASE', 'restore: a wrong passphrase');
  const only = join(work, 'only-pass.png');
  run(['redact', '--region', '8,8,40,30', ...common, '-o', only, join(DATA, 'chelsea.png')]);
  await expectCode(() => restoreImage(new Uint8Array(readFileSync(only)), { identity }), 'NEED_PASSPHRASE',
    'restore: an identity for a passphrase-only image');
  const other = join(work, 'other.key');
  const otherPub = run(['keygen', '-o', other]);
  writeFileSync(join(work, 'other.pub'), otherPub);
  const keyOnly = join(work, 'key-only.jpg');
  run(['redact', '--region', '8,8,40,30', '-R', join(work, 'other.pub'), '-o', keyOnly, join(DATA, 'rocket.jpg')]);
  await expectCode(() => restoreImage(new Uint8Array(readFileSync(keyOnly)), { identity }), 'NO_IDENTITY',
    'restore: an identity the image is not sealed to');
  const signedOnly = join(work, 'signed.png');
  run(['sign', '-i', join(work, 'id.key'), '-o', signedOnly, join(DATA, 'chelsea.png')]);
  await expectCode(() => restoreImage(new Uint8Array(readFileSync(signedOnly)), { passphrase: PASS }), 'NO_RECORD',
    'restore: a signed image without a redaction record');
  await expectCode(() => restoreImage(utf8('GIF89a not an image at all'), { passphrase: PASS }), 'IMAGE_FORMAT',
    'restore: not a PNG or JPEG');

  // envelopes made by `shroud encrypt`: every stanza kind the page opens, and
  // payload sizes around the 16 KiB chunk boundary (an empty message is one
  // empty chunk; 16384 bytes are a full chunk and an empty one)
  {
    const sizes = [0, 1, 16383, 16384, 16385, 40000];
    const kinds = [
      ['scrypt', ['--passphrase-file', join(work, 'pass.txt'), '--scrypt-log-n', '10'], { passphrase: PASS }],
      ['PBKDF2', ['--passphrase-file', join(work, 'pass.txt'), '--kdf', 'pbkdf2'], { passphrase: PASS }],
      ['X25519', ['-R', join(work, 'id.pub')], { identity }],
    ];
    for (const [kind, args, keys] of kinds)
      for (const n of kind === 'PBKDF2' ? [100] : sizes) {
        const plain = new Uint8Array(n).map((_, i) => (i * 7 + n) & 0xff);
        writeFileSync(join(work, 'plain.bin'), plain);
        run(['encrypt', ...args, '-o', join(work, 'msg.shroud'), '-f', join(work, 'plain.bin')]);
        let got = null;
        const res = await outcome(async () => {
          got = await openEnvelope(new Uint8Array(readFileSync(join(work, 'msg.shroud'))), keys);
        });
        check(res === 'ok' && got.length === n && got.every((v, i) => v === plain[i]),
          `envelope (${kind}, ${n} bytes) from shroud encrypt opens to the plaintext`, res);
      }
    // a chunk cut off at the end, a chunk boundary moved: truncation
    const multi = new Uint8Array(readFileSync(join(work, 'msg.shroud'))); // X25519, 40000 bytes
    await expectCode(() => openEnvelope(multi.subarray(0, multi.length - 100), { identity }), ['PAYLOAD', 'TRUNCATED'],
      'envelope: the last chunk cut short is refused');
    const env2 = parseEnvelope(multi);
    const fullChunks = multi.subarray(0, multi.length - (env2.payload.length - 56) % 16400);
    await expectCode(() => openEnvelope(fullChunks, { identity }), 'TRUNCATED', 'envelope: whole chunks without the final one are truncation');
  }

  // identity files
  const line = keyText.split('\n').find((l) => l.startsWith('SHROUD-SECRET-KEY-1'));
  const typo = line.slice(0, 30) + (line[30] === 'Q' ? 'P' : 'Q') + line.slice(31);
  await expectCode(() => readIdentity(typo), 'KEY_CHECKSUM', 'identity: a mistyped key line');
  await expectCode(() => readIdentity(line.slice(0, 40)), ['KEY', 'KEY_CHECKSUM'], 'identity: a cut key line');
  await expectCode(() => readIdentity(line.slice(0, 25) + line.slice(25).toLowerCase()), 'KEY', 'identity: mixed case');
  await expectCode(() => readIdentity(`${line}\n${line}\n`), 'KEY', 'identity: two key lines');
  await expectCode(() => readIdentity(''), 'KEY', 'identity: an empty file');
  await expectCode(() => readIdentity(pub.toString()), 'KEY', 'identity: a public key given as identity');
  await expectCode(() => readIdentity('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'), 'KEY', 'identity: a broken PEM');
  await expectCode(async () => bech32mDecode(line), 'ok', 'identity: the key line decodes');
  await expectCode(() => readIdentity(`# comment\n\n  ${line}  \r\n`), 'ok', 'identity: comments, blank lines and spaces are fine');
  // RSA identities (openssl genpkey): PKCS#8 and PKCS#1
  try {
    execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', join(work, 'rsa.pem')], { stdio: 'ignore' });
    execFileSync('openssl', ['pkey', '-in', join(work, 'rsa.pem'), '-pubout', '-out', join(work, 'rsa.pub')], { stdio: 'ignore' });
    execFileSync('openssl', ['rsa', '-in', join(work, 'rsa.pem'), '-traditional', '-out', join(work, 'rsa1.pem')], { stdio: 'ignore' });
    const rsaRed = join(work, 'rsa-red.png');
    run(['redact', '--region', '8,8,40,30', '-R', join(work, 'rsa.pub'), '-o', rsaRed, join(DATA, 'chelsea.png')]);
    const rsaBytes = new Uint8Array(readFileSync(rsaRed));
    for (const f of ['rsa.pem', 'rsa1.pem']) {
      const id = await readIdentity(readFileSync(join(work, f), 'utf8'));
      await expectCode(() => restoreImage(rsaBytes, { identity: id }), 'ok', `restore with an RSA key (${f})`);
    }
    await expectCode(() => restoreImage(rsaBytes, { identity }), 'NO_IDENTITY', 'restore: an X25519 identity for an RSA group');
  } catch (e) {
    check(false, 'RSA identities', e.message);
  }
}

try {
  await main();
} catch (e) {
  check(false, 'the test ran to the end', e.stack || String(e));
} finally {
  rmSync(work, { recursive: true, force: true });
}
finish();
