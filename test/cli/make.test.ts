import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { mosaicme } from '../helpers/cli.js';
import { hugePngHeader, raw } from '../helpers/fixtures.js';

let root: string;
let lib: string;
let photo: string;

before(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-make-'));
  lib = path.join(root, 'demo');
  const r = await mosaicme(['tiles', 'demo', lib, '--count', '400', '--size', '32']);
  assert.equal(r.code, 0, r.stderr);
  photo = path.join(root, 'photo.jpg');
  await raw(120, 90, 3).jpeg().toFile(photo);
});
after(() => rm(root, { recursive: true, force: true }));

const out = (name: string) => path.join(root, 'out', name);

test('make writes the mosaic, its thumbnail and a JSON summary', async () => {
  const r = await mosaicme([
    'make',
    photo,
    '--library',
    lib,
    '-o',
    out('m.jpg'),
    '--scale',
    '4',
    '--cell',
    '16',
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.deepEqual(s.grid, { cols: 30, rows: 23, cell: 16 });
  assert.deepEqual([s.output.width, s.output.height], [480, 368]);
  assert.ok(s.distinctTiles > 100 && s.maxUses >= 1 && s.distance === 5);
  for (const phase of ['decode', 'features', 'search', 'plan', 'render', 'encode', 'total'])
    assert.ok(phase in s.timings, phase);
  const meta = await sharp(out('m.jpg')).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 480, 368]);
  const thumb = await sharp(out('m.thumb.jpg')).metadata();
  assert.equal(thumb.width, 120);
  assert.equal(s.output.bytes, (await readFile(out('m.jpg'))).length);
});

test('a CMYK photo and an EXIF-rotated photo work as targets, upright', async () => {
  const cmyk = path.join(root, 'cmyk.jpg');
  await raw(90, 60, 6).toColourspace('cmyk').jpeg().toFile(cmyk);
  const a = await mosaicme([
    'make',
    cmyk,
    '--library',
    lib,
    '-o',
    out('cmyk.jpg'),
    '--cols',
    '9',
    '--cell',
    '8',
    '--json',
  ]);
  assert.equal(a.code, 0, a.stderr);
  assert.deepEqual(JSON.parse(a.stdout).grid, { cols: 9, rows: 6, cell: 8 });
  const turned = path.join(root, 'turned.jpg');
  await raw(90, 60, 7).jpeg().withMetadata({ orientation: 6 }).toFile(turned);
  const b = await mosaicme([
    'make',
    turned,
    '--library',
    lib,
    '-o',
    out('turned.jpg'),
    '--cols',
    '6',
    '--cell',
    '8',
    '--json',
  ]);
  assert.equal(b.code, 0, b.stderr);
  assert.deepEqual(JSON.parse(b.stdout).grid, { cols: 6, rows: 9, cell: 8 });
});

test('a large photo without --scale is kept under 150 megapixels, with a note', async () => {
  const big = path.join(root, 'big.jpg');
  await raw(4000, 3000, 8).jpeg().toFile(big);
  const r = await mosaicme([
    'make',
    big,
    '--library',
    lib,
    '-o',
    out('big.jpg'),
    '--cell',
    '64',
    '--thumbnail',
    '0',
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.ok(s.output.width * s.output.height <= 150e6 * 1.01, `${s.output.width}x${s.output.height}`);
  assert.ok(s.output.width >= 14000, `${s.output.width}`);
  assert.match(r.stderr, /note: The photo is large: made the mosaic \d+x\d+ \(scale 3\.54\) instead of 10x/);
});

test('the mosaic looks like the photo', async () => {
  // Compare 8x6 versions of photo and mosaic: a mosaic of the photo is much closer to it than to its mirror image.
  const small = async (file: string, flop = false) => {
    const img = sharp(file).resize(8, 6, { fit: 'fill' });
    return (flop ? img.flop() : img).raw().toBuffer();
  };
  const [p, m, mirror] = await Promise.all([small(photo), small(out('m.jpg')), small(photo, true)]);
  const diff = (a: Buffer, b: Buffer) => a.reduce((s, v, i) => s + Math.abs(v - b[i]), 0) / a.length;
  assert.ok(diff(p, m) < 30, `mean difference ${diff(p, m)}`);
  assert.ok(diff(p, m) < diff(mirror, m) / 1.5);
});

test('the same inputs and seed give the same mosaic', async () => {
  const args = ['make', photo, '--library', lib, '--cols', '20', '--cell', '8', '--thumbnail', '0'];
  await mosaicme([...args, '-o', out('s1.png'), '--seed', '5']);
  await mosaicme([...args, '-o', out('s2.png'), '--seed', '5']);
  await mosaicme([...args, '-o', out('s3.png'), '--seed', '6']);
  const [a, b, c] = await Promise.all(['s1.png', 's2.png', 's3.png'].map((f) => readFile(out(f))));
  assert.ok(a.equals(b));
  assert.ok(!a.equals(c));
  assert.equal(existsSync(out('s1.thumb.png')), false);
});

test('formats follow the output name or --format', async () => {
  for (const [name, format] of [
    ['f.webp', 'webp'],
    ['f.png', 'png'],
  ]) {
    const r = await mosaicme(['make', photo, '--library', lib, '-o', out(name), '--cols', '10', '--cell', '8']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await sharp(out(name)).metadata()).format, format);
  }
  const r = await mosaicme([
    'make',
    photo,
    '--library',
    lib,
    '-o',
    out('forced.img'),
    '--cols',
    '10',
    '--cell',
    '8',
    '--format',
    'webp',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await sharp(out('forced.img')).metadata()).format, 'webp');
});

test('--dzi writes a Deep Zoom pyramid for the viewer, without libvips metadata', async () => {
  const r = await mosaicme([
    'make',
    photo,
    '--library',
    lib,
    '-o',
    out('z.jpg'),
    '--scale',
    '8',
    '--cell',
    '32',
    '--dzi',
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const dzi = await readFile(out('z.dzi'), 'utf8');
  assert.match(dzi, /TileSize="254"/);
  assert.match(dzi, /Overlap="1"/);
  assert.match(dzi, /Width="960"/);
  const levels = await readdir(out('z_files'));
  assert.ok(levels.includes('0') && levels.includes('10'), levels.join(','));
  assert.ok((await readdir(out('z_files/10'))).includes('0_0.jpeg'));
  assert.equal(existsSync(out('z_files/vips-properties.xml')), false);
});

test('beyond the JPEG size limit only Deep Zoom is written, and it says so', async () => {
  const wide = path.join(root, 'wide.png');
  await raw(1100, 10, 4).png().toFile(wide);
  const r = await mosaicme([
    'make',
    wide,
    '--library',
    lib,
    '-o',
    out('wide.jpg'),
    '--cols',
    '1100',
    '--cell',
    '64',
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /70400x640 is beyond JPEG's limit of 65500 px a side: wrote Deep Zoom only/);
  assert.equal(existsSync(out('wide.jpg')), false);
  assert.ok(existsSync(out('wide.dzi')));
  assert.equal((await sharp(out('wide.thumb.jpg')).metadata()).width, 120);
});

test('a library too small for the distance rule relaxes it and says so', async () => {
  const tiny = path.join(root, 'tiny');
  await mosaicme(['tiles', 'demo', tiny, '--count', '30', '--size', '16']);
  const r = await mosaicme([
    'make',
    photo,
    '--library',
    tiny,
    '-o',
    out('tiny.jpg'),
    '--cols',
    '12',
    '--cell',
    '16',
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stderr,
    /note: The library has 30 tiles, too few to keep every tile more than 5 cells from itself \(that needs 36\); kept it more than 4 cells away instead/,
  );
  assert.equal(JSON.parse(r.stdout).distance, 4);
  assert.doesNotMatch(r.stderr, /could not keep/);
});

test('--tiles builds a cached library from a folder, and reuses it', async () => {
  const folder = path.join(root, 'my-pictures');
  await mkdir(folder);
  for (let i = 0; i < 40; i++)
    await raw(48, 48, 300 + i)
      .jpeg()
      .toFile(path.join(folder, `p${i}.jpg`));
  const env = { XDG_CACHE_HOME: path.join(root, 'cache') };
  const first = await mosaicme(
    ['make', photo, '--tiles', folder, '-o', out('t1.jpg'), '--cols', '10', '--cell', '32'],
    env,
  );
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, /prepared 40 new tiles from/);
  const second = await mosaicme(
    ['make', photo, '--tiles', folder, '-o', out('t2.jpg'), '--cols', '10', '--cell', '32'],
    env,
  );
  assert.equal(second.code, 0, second.stderr);
  assert.doesNotMatch(second.stderr, /prepared/);
  assert.ok(existsSync(out('t2.jpg')));
});

// The exit code is 1 for bad input and 2 for every usage error, as commander's own.
const bad: [string, () => Promise<string[]>, RegExp, number?][] = [
  [
    'a text file named .jpg',
    async () => [await fixture('text.jpg', Buffer.from('hello')), '--library', lib],
    /text\.jpg: not an image/,
  ],
  [
    'a zero-byte photo',
    async () => [await fixture('zero.jpg', Buffer.alloc(0)), '--library', lib],
    /zero\.jpg: empty file/,
  ],
  [
    'a truncated photo',
    async () => {
      const jpeg = await raw(200, 150, 9).jpeg().toBuffer();
      return [await fixture('cut.jpg', jpeg.subarray(0, jpeg.length >> 1)), '--library', lib];
    },
    /cut\.jpg: truncated or corrupt/,
  ],
  [
    'an over-limit photo',
    async () => [await fixture('huge.png', hugePngHeader(30000, 30000)), '--library', lib],
    /huge\.png: image too large/,
  ],
  ['a missing photo', async () => [path.join(root, 'nowhere.jpg'), '--library', lib], /nowhere\.jpg: file not found/],
  ['a folder that is no library', async () => [photo, '--library', root], /no tile library here/],
  [
    'an impossible cell size',
    async () => [photo, '--library', lib, '--cell', '3'],
    /^mosaicme: --cell must be a whole number from 4 to 1024 \(got 3\)$/m,
    2,
  ],
  [
    'a negative cell size',
    async () => [photo, '--library', lib, '--cell', '-3'],
    /^mosaicme: --cell must be a whole number from 4 to 1024 \(got -3\)$/m,
    2,
  ],
  [
    'a cell size that is no number',
    async () => [photo, '--library', lib, '--cell', 'abc'],
    /^mosaicme: --cell must be a number \(got "abc"\)$/m,
    2,
  ],
  [
    'a camel-cased option out of range',
    async () => [photo, '--library', lib, '--max-uses', '-1'],
    /^mosaicme: --max-uses must be a whole number from 0 to 1000000000 \(got -1\)$/m,
    2,
  ],
  [
    'a blend out of range',
    async () => [photo, '--library', lib, '--blend', '2'],
    /^mosaicme: --blend must be a number from 0 to 1 \(got 2\)$/m,
    2,
  ],
  [
    'both --scale and --cols',
    async () => [photo, '--library', lib, '--scale', '2', '--cols', '9'],
    /--cols cannot be given with scale/,
    2,
  ],
  ['no library at all', async () => [photo], /give one of --library <dir> or --tiles <folder>/, 2],
  [
    'an output too large',
    async () => [photo, '--library', lib, '--scale', '400'],
    /\(1730 megapixels\); the limit is 1000 megapixels/,
  ],
];

async function fixture(name: string, data: Buffer): Promise<string> {
  const file = path.join(root, 'bad', name);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, data);
  return file;
}

for (const [what, args, message, code = 1] of bad) {
  test(`make refuses ${what} with one clear line and exit code ${code}`, async () => {
    const r = await mosaicme(['make', ...(await args()), '-o', out('bad.jpg')]);
    assert.equal(r.code, code, r.stdout);
    assert.match(r.stderr, message);
    // Commander's own errors add its usual hint.
    const lines = r.stderr
      .trim()
      .split('\n')
      .filter((l) => l !== '(add --help for usage)');
    assert.equal(lines.length, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
}

test('--verbose adds the stack trace', async () => {
  const r = await mosaicme([
    'make',
    path.join(root, 'nowhere.jpg'),
    '--library',
    lib,
    '-o',
    out('bad.jpg'),
    '--verbose',
  ]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /\n\s+at /);
});

test('an unknown option is a usage error', async () => {
  const r = await mosaicme(['make', photo, '--library', lib, '-o', out('x.jpg'), '--sparkles']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown option '--sparkles'/);
});
