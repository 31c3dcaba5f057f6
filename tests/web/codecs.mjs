// codecs.mjs — the page's restore (web/assets/js/core) against the command's,
// in node, on every PNG colour type and bit depth (interlaced too) and many
// JPEG codings: each file is redacted by `shroud redact` into a passphrase
// group and an X25519 group, restored by the page's code with each key and
// by `shroud restore`, and the results compared: PNG samples exactly, JPEG
// quantised coefficients of every real block exactly and the pixels djpeg
// decodes from both files exactly.
//   node --import ./tests/web/register_hooks.mjs tests/web/codecs.mjs /path/to/shroud
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { restoreImage } from '../../web/assets/js/core/restore.js';
import { readIdentity } from '../../web/assets/js/core/keys.js';
import { decodePng } from '../../web/assets/js/core/png.js';
import { decodeJpeg } from '../../web/assets/js/core/jpeg.js';
import { ShroudError } from '../../web/assets/js/core/errors.js';
import { check, finish } from './check.mjs';

const shroud = process.argv[2];
if (!shroud) {
  console.error('usage: node --import ./tests/web/register_hooks.mjs tests/web/codecs.mjs /path/to/shroud');
  process.exit(2);
}
const TESTS = join(dirname(fileURLToPath(import.meta.url)), '..');
const DATA = join(TESTS, 'data');
const work = mkdtempSync(join(tmpdir(), 'shroud-web-codecs-'));
const PASS = 'correct horse battery';

const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
const sameArray = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);

function realBlocksEqual(a, b) {
  if (a.components.length !== b.components.length) return false;
  return a.components.every((ca, i) => {
    const cb = b.components[i];
    if (ca.bw !== cb.bw || ca.bh !== cb.bh) return false;
    for (let y = 0; y < ca.bh; y++) {
      const ra = ca.coefs.subarray(y * ca.stride * 64, (y * ca.stride + ca.bw) * 64);
      const rb = cb.coefs.subarray(y * cb.stride * 64, (y * cb.stride + cb.bw) * 64);
      if (!sameArray(ra, rb)) return false;
    }
    return true;
  });
}

async function main() {
  writeFileSync(join(work, 'pass.txt'), PASS + '\n');
  const pub = run(shroud, ['keygen', '-o', join(work, 'id.key')]);
  writeFileSync(join(work, 'id.pub'), pub);
  const identity = await readIdentity(readFileSync(join(work, 'id.key'), 'utf8'));

  const pngs = run('/usr/bin/python3', [join(TESTS, 'cli/redact_tool.py'), 'gen-png', join(DATA, 'chelsea.png'), work, '253', '190'])
    .toString().trim().split(/\s+/).map((n) => `${n}.png`);
  run('sh', ['-c', `djpeg -ppm "${join(DATA, 'rocket.jpg')}" > "${join(work, 'src.ppm')}"`]);
  const jpegs = {
    'j420.jpg': ['-sample', '2x2'], 'j422.jpg': ['-sample', '2x1'], 'j440.jpg': ['-sample', '1x2'],
    'j444.jpg': ['-sample', '1x1'], 'jgray.jpg': ['-grayscale'], 'jprog.jpg': ['-progressive'],
    'jrestart.jpg': ['-restart', '3'], 'jprog-restart.jpg': ['-progressive', '-restart', '1'],
    'jopt.jpg': ['-optimize'], 'jq100.jpg': ['-quality', '100', '-sample', '1x1'], 'jrgb.jpg': ['-rgb'],
    'jprog-gray.jpg': ['-progressive', '-grayscale'], 'jarith.jpg': ['-arithmetic'],
  };
  for (const [name, opts] of Object.entries(jpegs))
    run('sh', ['-c', `cjpeg -quality 85 ${opts.join(' ')} "${join(work, 'src.ppm')}" > "${join(work, name)}"`]);
  // CMYK (Adobe APP14, four components) from ImageMagick
  run('/usr/bin/convert-im6.q16', [join(work, 'src.ppm'), '-colorspace', 'CMYK', '-quality', '85', join(work, 'jcmyk.jpg')]);
  const files = [...pngs, ...Object.keys(jpegs), 'jcmyk.jpg', 'photo-rocket.jpg', 'photo-hubble.jpg'];
  writeFileSync(join(work, 'photo-rocket.jpg'), readFileSync(join(DATA, 'rocket.jpg')));
  writeFileSync(join(work, 'photo-hubble.jpg'), readFileSync(join(DATA, 'hubble_deep_field.jpg')));

  for (const name of files) {
    const src = join(work, name);
    const red = join(work, `red-${name}`);
    // odd offsets, a region at the right/bottom edges, a single pixel
    run(shroud, ['redact', '--group', 'faces', '--region', '13,7,50,41', '--region', '120,90,1,1',
      '--passphrase-file', join(work, 'pass.txt'), '--scrypt-log-n', '10',
      '--group', 'plates', '--region', '200,150,53,40', '-R', join(work, 'id.pub'), '-o', red, src]);
    const bytes = new Uint8Array(readFileSync(red));
    for (const [label, keys, cliArgs] of [
      ['passphrase', { passphrase: PASS }, ['--passphrase-file', join(work, 'pass.txt')]],
      ['identity', { identity }, ['-i', join(work, 'id.key')]],
    ]) {
      const what = `${name} restored with the ${label}`;
      let mine;
      try {
        mine = await restoreImage(bytes, keys);
      } catch (e) {
        if (name === 'jarith.jpg') {
          check(e instanceof ShroudError && e.code === 'IMAGE_FORMAT' && /shroud restore/.test(e.message),
            `${what}: arithmetic coding refused, pointing to shroud restore`, e.message);
          continue;
        }
        check(false, what, e.stack);
        continue;
      }
      const opened = mine.groups.filter((g) => g.restored).map((g) => g.name).join(',');
      check(opened === (label === 'passphrase' ? 'faces' : 'plates'), `${what}: opens its group`, opened);
      const cliOut = join(work, `cli-${label}-${name}`);
      run(shroud, ['restore', ...cliArgs, '-o', cliOut, red]);
      const theirs = new Uint8Array(readFileSync(cliOut));
      if (name.endsWith('.png')) {
        const a = await decodePng(mine.bytes);
        const b = await decodePng(theirs);
        check(sameArray(a.samples, b.samples) && a.depth === b.depth && a.colorType === b.colorType,
          `${what}: same samples as shroud restore`);
      } else {
        check(realBlocksEqual(decodeJpeg(mine.bytes), decodeJpeg(theirs)), `${what}: same coefficients as shroud restore`);
        const mineFile = join(work, `js-${label}-${name}`);
        writeFileSync(mineFile, mine.bytes);
        const px = (f) => run('djpeg', ['-pnm', f], { maxBuffer: 1 << 28 });
        check(Buffer.compare(px(mineFile), px(cliOut)) === 0, `${what}: djpeg decodes the same pixels`);
      }
    }
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
