// run.mjs — the web UI in a real browser: Debian's chromium (headless,
// --no-sandbox) driven by playwright-core against `shroud serve` over TLS.
// Registers, logs in, uploads redacted and signed PNG, 16-bit PNG and JPEG
// files (made here with the command), sees them in the gallery, restores
// each in the page with a passphrase and with an identity file and compares
// the pixels with the original's and the command's restore, checks that no
// request carries the passphrase or the key, shows the errors of a wrong
// passphrase and of an unsigned upload, runs hide then reveal through the
// forms, deletes an image, logs out, and looks at the pages at 390 px wide.
// Screenshots go to $SHROUD_ARTIFACTS, else to the directory given second.
//   node tests/web/run.mjs /path/to/shroud [ARTIFACTS_DIR]
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { check, counts, finish } from './check.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const DATA = join(ROOT, 'tests/data');
const CHROMIUM = process.env.SHROUD_CHROMIUM || '/usr/bin/chromium';
const shroud = process.argv[2] && resolve(process.argv[2]);
const artifacts = resolve(process.env.SHROUD_ARTIFACTS || process.argv[3] || 'artifacts/web');
const PASS = 'violet staple 42 orbit';
const ACCOUNT = { user: 'alice', password: 'quiet meadow 7 lantern' };
const MESSAGE = 'meet at noon by the old mill';

function fatal(text) {
  console.error(`web_ui: ${text}`);
  console.log(`${counts.passed} passed, ${counts.failed + 1} failed`);
  process.exit(1);
}

if (Number(process.versions.node.split('.')[0]) < 18) fatal(`node 18 or later is needed (playwright-core 1.61); this is ${process.version}`);
if (!shroud || !existsSync(shroud)) fatal('usage: node tests/web/run.mjs /path/to/shroud [ARTIFACTS_DIR]');
if (!existsSync(CHROMIUM))
  fatal(`${CHROMIUM} is missing: install Debian's chromium (scripts/install-deps does), or set SHROUD_CHROMIUM`);
const PLAYWRIGHT = join(ROOT, 'web/node_modules/playwright-core/index.mjs');
if (!existsSync(PLAYWRIGHT)) fatal('web/node_modules/playwright-core is missing: run `make` (it runs `npm ci` in web/) or `npm ci --prefix web`');
const { chromium, request } = await import(pathToFileURL(PLAYWRIGHT).href);

const work = mkdtempSync(join(tmpdir(), 'shroud-web-ui-'));
mkdirSync(artifacts, { recursive: true });
const run = (args) => execFileSync(shroud, args, { stdio: ['ignore', 'pipe', 'pipe'] });
const file = (name) => join(work, name);
let server = null;
let serverErr = '';
let browser = null;
let shot = 0;

async function screenshot(page, name) {
  shot++;
  await page.screenshot({ path: join(artifacts, `${String(shot).padStart(2, '0')}-${name}.png`), fullPage: true });
}

// ---- fixtures: keys and images made with the command -------------------------------------

function makeFixtures() {
  writeFileSync(file('pass.txt'), `${PASS}\n`);
  writeFileSync(file('alice.pub'), run(['keygen', '-o', file('alice.key')]));
  execFileSync('/usr/bin/python3', [join(ROOT, 'tests/cli/redact_tool.py'), 'gen-png', join(DATA, 'chelsea.png'), work, '253', '190'], { stdio: 'ignore' });
  // faces: a passphrase (log2 N = 14 keeps the test quick; the JPEG's uses
  // the default, 18: 256 MiB in the page, with the progress bar);
  // plates: alice's X25519 key. The groups are far apart, so the pixels
  // inside a restored group do not depend on the other, still obscured, one.
  const images = [
    { name: 'photo.png', src: join(DATA, 'chelsea.png'), faces: '40,30,60,50', plates: '300,200,80,40', type: 'png' },
    { name: 'deep.png', src: file('rgb16.png'), faces: '20,20,50,40', plates: '180,130,60,50', type: 'png16' },
    { name: 'photo.jpg', src: join(DATA, 'rocket.jpg'), faces: '48,32,64,48', plates: '240,160,64,48', type: 'jpeg' },
  ];
  for (const im of images) {
    im.red = file(`red-${im.name}`);
    const cost = im.type === 'jpeg' ? [] : ['--scrypt-log-n', '14'];
    run(['redact', '--group', 'faces', '--region', im.faces, '--passphrase-file', file('pass.txt'), ...cost,
      '--group', 'plates', '--region', im.plates, '-R', file('alice.pub'), '--sign', file('alice.key'), '-o', im.red, im.src]);
    im.cliPass = file(`cli-pass-${im.name}`);
    im.cliKey = file(`cli-key-${im.name}`);
    run(['restore', '--passphrase-file', file('pass.txt'), '-o', im.cliPass, im.red]);
    run(['restore', '-i', file('alice.key'), '-o', im.cliKey, im.red]);
  }
  writeFileSync(file('unsigned.png'), readFileSync(join(DATA, 'chelsea.png')));
  return images;
}

// ---- the server ------------------------------------------------------------------------------

function startServer() {
  return new Promise((ok, ko) => {
    server = spawn(shroud, ['serve', '--listen', '127.0.0.1:0', '--data', file('data')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    server.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (https?:\/\/127\.0\.0\.1:\d+)\//);
      if (m) ok(m[1]);
    });
    server.stderr.on('data', (d) => (serverErr += d));
    server.on('exit', (code) => ko(new Error(`shroud serve exited (${code}): ${serverErr.trim()}`)));
    setTimeout(() => ko(new Error(`shroud serve did not start in 10 s: ${serverErr.trim()}`)), 10000);
  });
}

// ---- pixels, decoded in the page -------------------------------------------------------------

// In the page: RGBA pixels of images given as base64 bytes or as an <img>
// selector, all decoded the same way (<img> from a blob: URL, drawn to a canvas).
async function comparePixels(page, { restoredSelector, original, cli, redacted, region }) {
  return page.evaluate(async ({ restoredSelector, original, cli, redacted, region }) => {
    const fromB64 = (b64) => URL.createObjectURL(new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))]));
    const pixels = async (src) => {
      const img = new Image();
      img.src = src;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.naturalWidth;
      c.height = img.naturalHeight;
      const ctx = c.getContext('2d', { willReadFrequently: true });
      ctx.drawImage(img, 0, 0);
      return { w: c.width, h: c.height, d: ctx.getImageData(0, 0, c.width, c.height).data };
    };
    const mine = await pixels(document.querySelector(restoredSelector).src);
    const orig = await pixels(fromB64(original));
    const theirs = await pixels(fromB64(cli));
    const red = await pixels(fromB64(redacted));
    const diff = (a, b, r) => {
      if (a.w !== b.w || a.h !== b.h) return -1;
      let n = 0;
      const [x0, y0, x1, y1] = r ? [r.x, r.y, r.x + r.w, r.y + r.h] : [0, 0, a.w, a.h];
      for (let y = y0; y < y1; y++)
        for (let x = x0; x < x1; x++) {
          const i = (y * a.w + x) * 4;
          if (a.d[i] !== b.d[i] || a.d[i + 1] !== b.d[i + 1] || a.d[i + 2] !== b.d[i + 2] || a.d[i + 3] !== b.d[i + 3]) n++;
        }
      return n;
    };
    return {
      size: [mine.w, mine.h],
      vsCli: diff(mine, theirs),
      vsOriginalInRegion: diff(mine, orig, region),
      vsRedactedInRegion: diff(mine, red, region),
    };
  }, { restoredSelector, original, cli, redacted, region });
}

const b64 = (path) => readFileSync(path).toString('base64');
const rect = (s) => {
  const [x, y, w, h] = s.split(',').map(Number);
  return { x, y, w, h };
};

// ---- the steps ---------------------------------------------------------------------------------

async function register(page, base) {
  await page.goto(`${base}/#/register`);
  await page.fill('#register-username', ACCOUNT.user);
  await page.fill('#register-password', ACCOUNT.password);
  await page.setInputFiles('#register-key-file', file('alice.pub'));
  await page.waitForFunction(() => document.querySelector('#register-key').value.startsWith('shroudpk1'));
  check(true, 'register: the public key is loaded from the .pub file');
  await page.fill('#register-password2', `${ACCOUNT.password}x`);
  await page.click('#register-form button[type=submit]');
  await page.waitForSelector('#register-status .msg.error');
  check(/differ/.test(await page.textContent('#register-status')), 'register: two different passwords are refused in the page');
  await page.fill('#register-password2', ACCOUNT.password);
  await screenshot(page, 'register');
  await page.click('#register-form button[type=submit]');
  await page.waitForURL(/#\/login$/);
  check(/created/.test(await page.textContent('#login-status')), 'register: the account is created, the page asks to log in');
}

async function login(page) {
  await page.fill('#login-password', 'not the password');
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#login-status .msg.error');
  check(/wrong username or password/.test(await page.textContent('#login-status')), 'log in: a wrong password shows the server\'s error');
  await page.fill('#login-username', ACCOUNT.user);
  await page.fill('#login-password', ACCOUNT.password);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#nav-user');
  check((await page.textContent('#nav-user')) === ACCOUNT.user, 'log in: the header shows who is logged in');
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === 'shroud_session');
  check(session && session.httpOnly && session.secure, 'log in: the session cookie is HttpOnly and Secure');
  check(!(await page.evaluate(() => document.cookie)).includes('shroud_session'), 'log in: the page cannot read the session cookie');
}

async function upload(page, base, images) {
  await page.goto(`${base}/#/upload`);
  await page.setInputFiles('#upload-file', file('unsigned.png'));
  await page.click('#upload-form button[type=submit]');
  await page.waitForSelector('#upload-status .msg.error');
  check(/not signed|signature/.test(await page.textContent('#upload-status')), 'upload: an unsigned image shows the server\'s error',
    await page.textContent('#upload-status'));
  await screenshot(page, 'upload-error');
  for (const im of images) {
    await page.goto(`${base}/#/upload`);
    await page.setInputFiles('#upload-file', im.red);
    await page.click('#upload-form button[type=submit]');
    await page.waitForURL(/#\/image\/[0-9a-f]{64}$/);
    im.id = page.url().split('/').pop();
    await page.waitForSelector('#restore');
    check(true, `upload: ${im.name} is stored and its page opens`);
  }
}

async function gallery(page, base, images) {
  await page.goto(`${base}/#/`);
  await page.waitForSelector('#gallery');
  const ids = await page.$$eval('#gallery li.card', (cards) => cards.map((c) => c.dataset.id));
  check(images.every((im) => ids.includes(im.id)) && ids.length === images.length, 'gallery: every uploaded image is there', ids.join(' '));
  await page.waitForFunction(() => [...document.querySelectorAll('#gallery img')].every((i) => i.complete && i.naturalWidth > 0));
  check(true, 'gallery: every thumbnail loads');
  const text = await page.textContent('#gallery');
  check(text.includes(ACCOUNT.user) && /2 redaction groups/.test(text), 'gallery: cards show the owner and the groups');
  await screenshot(page, 'gallery');
  await page.goto(`${base}/#/?per_page=2`);
  await page.waitForSelector('#gallery');
  const first = await page.$$eval('#gallery li.card', (cards) => cards.map((c) => c.dataset.id));
  check((await page.textContent('#page-of')) === 'page 1 of 2' && first.length === 2, 'gallery: two images a page make two pages');
  await page.click('#next-page');
  await page.waitForFunction(() => document.querySelector('#page-of') && document.querySelector('#page-of').textContent === 'page 2 of 2');
  const second = await page.$$eval('#gallery li.card', (cards) => cards.map((c) => c.dataset.id));
  check(second.length === 1 && [...first, ...second].sort().join() === [...ids].sort().join(), 'gallery: the next page shows the rest');
}

// Restores im on its page with a passphrase or the identity; returns the
// text of the status.
async function restore(page, base, im, how, value) {
  await page.goto(`${base}/#/image/${im.id}`);
  await page.waitForSelector('#restore-pass-form');
  // the progress bar's values while scrypt runs
  await page.evaluate(() => {
    window.progressSeen = [];
    const bar = document.querySelector('#restore-progress');
    new MutationObserver(() => !bar.hidden && window.progressSeen.push(Number(bar.value)))
      .observe(bar, { attributes: true });
  });
  if (how === 'passphrase') {
    await page.fill('#restore-passphrase', value);
    await page.click('#restore-pass-form button[type=submit]');
  } else {
    await page.setInputFiles('#restore-identity', value);
    await page.click('#restore-id-form button[type=submit]');
  }
  await page.waitForSelector('#restore-status .msg.ok, #restore-status .msg.error', { timeout: 120000 });
  return page.textContent('#restore-status');
}

async function restoreAll(page, base, images, requests) {
  const secret = readFileSync(file('alice.key'), 'utf8').split('\n').find((l) => l.startsWith('SHROUD-SECRET-KEY-1'));
  const from = requests.length;
  for (const im of images) {
    for (const [how, value, cli, group] of [
      ['passphrase', PASS, im.cliPass, 'faces'],
      ['identity', file('alice.key'), im.cliKey, 'plates'],
    ]) {
      const what = `restore ${im.name} with the ${how}`;
      const started = Date.now();
      const status = await restore(page, base, im, how, value);
      if (im.type === 'jpeg' && how === 'passphrase') console.log(`# ${what} (scrypt log2 N = 18): ${Date.now() - started} ms`);
      if (!check(status.includes(`Restored: ${group}.`), `${what}: the page says group ${group} is restored`, status)) continue;
      check(status.includes(how === 'passphrase' ? 'plates (it is sealed to public keys' : 'faces (it is sealed to a passphrase)'),
        `${what}: the page says which group stays obscured, and why`, status);
      if (how === 'passphrase') {
        const seen = await page.evaluate(() => window.progressSeen);
        check(seen.length > 1 && seen.some((v) => v > 0 && v < 1), `${what}: a progress bar follows scrypt`, JSON.stringify(seen.slice(0, 5)));
      }
      const region = rect(group === 'faces' ? im.faces : im.plates);
      if (im.type === 'png16') {
        const [download] = await Promise.all([page.waitForEvent('download'), page.click('#restored-download')]);
        const got = readFileSync(await download.path());
        const { decodePng } = await import(pathToFileURL(join(ROOT, 'web/assets/js/core/png.js')).href);
        const a = await decodePng(new Uint8Array(got));
        const b = await decodePng(new Uint8Array(readFileSync(cli)));
        const o = await decodePng(new Uint8Array(readFileSync(im.src)));
        const same = a.depth === 16 && a.samples.length === b.samples.length && a.samples.every((v, i) => v === b.samples[i]);
        check(same, `${what}: the downloaded 16-bit PNG has the samples of shroud restore`);
        let inRegion = 0;
        for (let y = region.y; y < region.y + region.h; y++)
          for (let x = region.x * a.channels; x < (region.x + region.w) * a.channels; x++)
            if (a.samples[y * a.width * a.channels + x] !== o.samples[y * o.width * o.channels + x]) inRegion++;
        check(inRegion === 0, `${what}: the group's region has the original 16-bit samples`, `${inRegion} differ`);
      } else {
        const r = await comparePixels(page, { restoredSelector: '#restored', original: b64(im.src), cli: b64(cli), redacted: b64(im.red), region });
        check(r.vsCli === 0, `${what}: the pixels equal those of shroud restore`, JSON.stringify(r));
        check(r.vsOriginalInRegion === 0, `${what}: the group's region has the original's pixels`, JSON.stringify(r));
        check(r.vsRedactedInRegion > 0, `${what}: the region differs from the redacted image`, JSON.stringify(r));
        const href = await page.getAttribute('#restored-download', 'href');
        check(href && href.startsWith('blob:'), `${what}: a download link for the restored file`);
      }
      await screenshot(page, `restored-${how}-${im.name.replace('.', '-')}`);
    }
  }
  const status = await restore(page, base, images[0], 'passphrase', 'not the passphrase');
  check(/wrong passphrase/.test(status), 'restore with a wrong passphrase: the error is shown', status);
  await screenshot(page, 'restore-wrong-passphrase');
  const leaked = requests.slice(from).filter((r) => [r.url, r.body, r.headers].some((t) => t && (t.includes(PASS) || t.includes(secret) || t.includes(secret.slice(20, 60)))));
  const sent = requests.slice(from).filter((r) => r.method !== 'GET');
  check(leaked.length === 0, 'restore: no request carries the passphrase or the secret key', leaked.map((r) => r.url).join(' '));
  check(sent.length === 0, 'restore: the page sends nothing but GET requests while restoring', sent.map((r) => `${r.method} ${r.url}`).join(' '));
}

async function hideReveal(page, base) {
  await page.goto(`${base}/#/hide`);
  check(/sends the image, the message and the passphrase/.test(await page.textContent('main')), 'hide: the page says that it sends the passphrase to the server');
  await page.setInputFiles('#hide-image', join(DATA, 'chelsea.png'));
  await page.fill('#hide-message', MESSAGE);
  await page.fill('#hide-passphrase', PASS);
  await page.click('#hide-form button[type=submit]');
  await page.waitForSelector('#hide-status .msg.ok, #hide-status .msg.error', { timeout: 120000 });
  const hideStatus = await page.textContent('#hide-status');
  if (!check(/Done/.test(hideStatus), 'hide: the server returns the image with the message', hideStatus)) return;
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#hide-download')]);
  const stego = file('hidden.png');
  await download.saveAs(stego);
  check(download.suggestedFilename() === 'hidden.png', 'hide: the download is hidden.png');
  await screenshot(page, 'hide');
  await page.goto(`${base}/#/reveal`);
  await page.setInputFiles('#reveal-image', stego);
  await page.fill('#reveal-passphrase', 'not the passphrase');
  await page.click('#reveal-form button[type=submit]');
  await page.waitForSelector('#reveal-status .msg.ok, #reveal-status .msg.error', { timeout: 120000 });
  check(/no message for this key/.test(await page.textContent('#reveal-status')), 'reveal with a wrong passphrase: the error is shown');
  await page.fill('#reveal-passphrase', PASS);
  await page.click('#reveal-form button[type=submit]');
  await page.waitForSelector('#reveal-text', { timeout: 120000 }).catch(() => {});
  const text = (await page.$('#reveal-text')) ? await page.textContent('#reveal-text') : await page.textContent('#reveal-status');
  check(text === MESSAGE, 'reveal: the message comes back', text);
  await screenshot(page, 'reveal');

  // to a public key, read back with the identity file
  await page.goto(`${base}/#/hide`);
  await page.setInputFiles('#hide-image', join(DATA, 'chelsea.png'));
  await page.fill('#hide-message', `${MESSAGE} (key)`);
  await page.check('#mode-recipients');
  await page.fill('#hide-recipients', readFileSync(file('alice.pub'), 'utf8'));
  await page.click('#hide-form button[type=submit]');
  await page.waitForSelector('#hide-download, #hide-status .msg.error', { timeout: 120000 });
  if (!check(!!(await page.$('#hide-download')), 'hide to a public key', await page.textContent('#hide-status'))) return;
  const [keyed] = await Promise.all([page.waitForEvent('download'), page.click('#hide-download')]);
  await keyed.saveAs(file('hidden-key.png'));
  await page.goto(`${base}/#/reveal`);
  await page.setInputFiles('#reveal-image', file('hidden-key.png'));
  await page.setInputFiles('#reveal-identity', file('alice.key'));
  await page.click('#reveal-form button[type=submit]');
  await page.waitForSelector('#reveal-text, #reveal-status .msg.error', { timeout: 120000 });
  const keyText = (await page.$('#reveal-text')) ? await page.textContent('#reveal-text') : await page.textContent('#reveal-status');
  check(keyText === `${MESSAGE} (key)`, 'reveal with the identity file: the message comes back', keyText);
}

async function deleteAndLogout(page, base, images) {
  const im = images[images.length - 1];
  await page.goto(`${base}/#/image/${im.id}`);
  await page.click('#delete');
  await page.click('#delete-confirm');
  await page.waitForSelector('#gallery');
  const ids = await page.$$eval('#gallery li.card', (cards) => cards.map((c) => c.dataset.id));
  check(!ids.includes(im.id) && ids.length === images.length - 1, 'delete: the owner deletes an image, the gallery no longer shows it');
  await page.click('#nav-logout');
  await page.waitForSelector('#nav-login');
  check(true, 'log out: the header offers to log in again');
  await page.goto(`${base}/#/image/${images[0].id}`);
  await page.waitForSelector('#restore');
  check(!(await page.$('#delete')), 'logged out: no delete button');
}

async function phone(base, images) {
  const ctx = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const page = await ctx.newPage();
  for (const [name, hash, ready] of [
    ['gallery', '#/', '#gallery'], ['image', `#/image/${images[0].id}`, '#restore'], ['register', '#/register', '#register-form'],
    ['login', '#/login', '#login-form'], ['hide', '#/hide', '#hide-form'], ['reveal', '#/reveal', '#reveal-form'],
  ]) {
    await page.goto(`${base}/${hash}`);
    await page.waitForSelector(ready);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    check(width <= 390, `phone: ${name} has no horizontal scroll at 390 px`, `scroll width ${width}`);
    await screenshot(page, `phone-${name}`);
  }
  await page.goto(`${base}/#/image/${images[0].id}`);
  await page.waitForSelector('#restore-pass-form');
  await page.fill('#restore-passphrase', PASS);
  await page.click('#restore-pass-form button[type=submit]');
  await page.waitForSelector('#restored', { timeout: 120000 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 390, 'phone: a restored image fits the screen', `scroll width ${width}`);
  await screenshot(page, 'phone-restored');
  await ctx.close();
}

async function headers(base) {
  const page = await browser.newPage({ ignoreHTTPSErrors: true });
  const r = await page.goto(`${base}/`);
  const h = r.headers();
  check(/default-src 'self'/.test(h['content-security-policy'] || '') && !/unsafe-inline/.test(h['content-security-policy']),
    'index: a strict Content-Security-Policy', h['content-security-policy']);
  check(h['x-frame-options'] === 'DENY' && h['referrer-policy'] === 'no-referrer', 'index: no framing, no referrer');
  check(/^"[0-9a-f]{32}"$/.test(h.etag || ''), 'index: an ETag', h.etag);
  await page.close();
  const api = await request.newContext({ ignoreHTTPSErrors: true, baseURL: base });
  const again = await api.get('/', { headers: { 'If-None-Match': h.etag } });
  check(again.status() === 304 && (await again.body()).length === 0, 'index: 304 for the ETag the browser has');
  const head = await api.head('/assets/js/app.js');
  check(head.status() === 200 && /^text\/javascript/.test(head.headers()['content-type']) && head.headers()['cache-control'] === 'no-cache',
    'assets: HEAD gives a script\'s headers', JSON.stringify(head.headers()));
  const noble = await api.get('/assets/vendor/noble-hashes/scrypt.js');
  check(noble.status() === 200 && /scryptAsync/.test(await noble.text()), 'assets: @noble/hashes is served from the binary');
  const css = await api.get('/assets/style.css');
  check(/^text\/css/.test(css.headers()['content-type']), 'assets: CSS as text/css');
  for (const path of ['/assets/nothing.js', '/assets/', '/index.html', '/assets/js/../app.js.bak'])
    check((await api.get(path)).status() === 404, `assets: ${path} is 404`);
  check((await api.post('/assets/style.css')).status() === 405, 'assets: POST is 405');
  await api.dispose();
}

async function main() {
  const images = makeFixtures();
  const base = await startServer();
  console.log(`# server ${base}, artifacts in ${artifacts}`);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  await headers(base);
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && !/Failed to load resource/.test(m.text()) && problems.push(`console: ${m.text()}`));
  const requests = [];
  page.on('request', (r) => requests.push({ url: r.url(), method: r.method(), body: r.postData() || '', headers: JSON.stringify(r.headers()) }));

  await register(page, base);
  await login(page);
  await upload(page, base, images);
  await gallery(page, base, images);
  await restoreAll(page, base, images, requests);
  await hideReveal(page, base);
  await phone(base, images);
  await deleteAndLogout(page, base, images);
  check(problems.length === 0, 'no script errors or CSP violations in the page', problems.join(' | '));
}

try {
  await main();
} catch (e) {
  check(false, 'the test ran to the end', e.stack || String(e));
} finally {
  if (browser) await browser.close().catch(() => {});
  if (server && server.exitCode === null) {
    const exited = new Promise((ok) => server.once('exit', (code, signal) => ok({ code, signal })));
    server.kill('SIGTERM');
    const how = await Promise.race([exited, new Promise((ok) => setTimeout(() => ok(null), 20000))]);
    if (!how) server.kill('SIGKILL');
    check(how && how.code === 0, 'shroud serve stops cleanly on SIGTERM (exit status 0, nothing from the sanitizers)',
      `${JSON.stringify(how)} ${serverErr.slice(-2000)}`);
  }
  rmSync(work, { recursive: true, force: true });
}
finish(` (screenshots: ${artifacts})`);
