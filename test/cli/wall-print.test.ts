import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { MemoryCache } from '../../src/adapters/cache/memory.js';
import { SharpWallImaging } from '../../src/adapters/imaging/wall-imaging.js';
import { DiskQueue } from '../../src/adapters/queue/disk.js';
import { DiskStorage } from '../../src/adapters/storage/disk.js';
import { loadConfig } from '../../src/app/config.js';
import { tileFeatures } from '../../src/core/features.js';
import { RequestStatuses } from '../../src/services/requests.js';
import { encodeFeatures } from '../../src/services/wall-board.js';
import { wallPlaceStage } from '../../src/services/wall-place-stage.js';
import { printQueue, wallPrintStage } from '../../src/services/wall-print-stage.js';
import { WallStore } from '../../src/services/wall-store.js';
import { mosaicme, ROOT } from '../helpers/cli.js';

let root: string;
let data: string;
let wall: string;
let store: WallStore;
let put: (photo: string, colour: string) => Promise<void>;
/** Embedded defaults in a folder of their own: nothing from this machine's environment or .env. */
const cli = (args: string[]) => mosaicme(['wall', ...args], { DATA_DIR: data }, { cwd: root, clean: true });
const files = async (dir: string) => (await readdir(dir).catch(() => [])).sort();
const meta = async (file: string) => {
  const m = await sharp(file).metadata();
  return [m.format, m.width, m.height, m.density];
};

before(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-wall-print-'));
  data = path.join(root, 'data');
  const target = path.join(root, 'logo.png');
  await writeFile(
    target,
    await sharp({ create: { width: 300, height: 200, channels: 3, background: '#3060a0' } })
      .png()
      .toBuffer(),
  );
  const r = await cli(['create', '--title', 'Print test', '--target', target, '--cols', '12', '--tile-inches', '1']);
  assert.equal(r.code, 0, r.stderr);
  wall = /^wall (\S+):/.exec(r.stdout)![1];

  // Photos placed and printed in this process, on the same storage the command reads, as the
  // engine, placer and print stage of a running `mosaicme serve` would.
  const config = loadConfig({ DATA_DIR: data }, { cwd: root });
  assert.equal(config.storage.kind, 'disk');
  const storage = new DiskStorage(config.storage.kind === 'disk' ? config.storage.dir : '');
  store = new WallStore(storage, config.buckets.in);
  const imaging = new SharpWallImaging();
  const cache = new MemoryCache();
  const place = wallPlaceStage(
    {
      queue: new DiskQueue(path.join(root, 'test-queue')),
      cache,
      statuses: new RequestStatuses({ storage, cache }, config.buckets.in),
      imaging,
      store,
    },
    { engineQueue: 'e', printQueue: 'p', photoUrl: '/{wall}/{photo}' },
  );
  const print = wallPrintStage({ store, imaging });
  const size = 300; // 1 in at the default 300 dpi
  put = async (photo, colour) => {
    const crop = await sharp({ create: { width: size, height: size, channels: 3, background: colour } })
      .raw()
      .toBuffer();
    const jpeg = await imaging.jpeg({ data: crop, width: size, height: size, channels: 3 }, 90);
    await store.put(wall, `photos/${photo}.jpg`, jpeg);
    await place({
      type: 'place',
      wall,
      id: photo,
      key: `${photo}.jpg`,
      features: encodeFeatures(tileFeatures(crop, size)),
    });
    await print({ wall, photo });
  };
});
after(() => rm(root, { recursive: true, force: true }));

test('wall print writes the queue into the hot folder once, in order, and ticks it', async () => {
  const hot = path.join(root, 'hot');
  const empty = await cli(['print', wall, '--out', hot]);
  assert.deepEqual([empty.code, empty.stdout], [0, `0 print jobs written to ${hot}\n`], empty.stderr);

  await put('ann', '#d04020');
  await put('bob', '#20d040');
  const jobs = await printQueue(store, wall);
  const names = jobs.flatMap((j, i) => {
    const n = String(i + 1).padStart(4, '0');
    return [`${n}-${j.label}-sticker.jpg`, `${n}-${j.label}-takeaway.jpg`];
  });
  const r = await cli(['print', wall, '--out', hot]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stdout,
    `${jobs.map((j, i) => `${j.label}: ${names[2 * i]}, ${names[2 * i + 1]}\n`).join('')}2 print jobs written to ${hot}\n`,
  );
  assert.deepEqual(await files(hot), names, 'the prints, in queue order, and no temporary file');
  assert.deepEqual(await meta(path.join(hot, names[0])), ['jpeg', 300, 300, 300]);
  assert.deepEqual(await meta(path.join(hot, names[1])), ['jpeg', 1200, 1800, 300]);
  assert.ok((await printQueue(store, wall)).every((j) => j.printedAt));

  const again = await cli(['print', wall, '--out', hot]);
  assert.deepEqual([again.code, again.stdout], [0, `0 print jobs written to ${hot}\n`], again.stderr);

  const stickers = path.join(root, 'hot-stickers');
  const all = await cli(['print', wall, '--out', stickers, '--all', '--stickers-only', '--json']);
  assert.equal(all.code, 0, all.stderr);
  assert.deepEqual(
    all.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { files: string[] }).files),
    [[names[0]], [names[2]]],
  );
  assert.deepEqual(await files(stickers), [names[0], names[2]]);

  const both = await cli(['print', wall, '--out', hot, '--takeaway', '--stickers-only']);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /--takeaway and --stickers-only exclude each other/);
  const unknown = await cli(['print', 'no-such-wall', '--out', hot]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /there is no wall "no-such-wall"/);
});

test('wall print --watch writes new prints as they come and exits 0 on SIGTERM', async () => {
  const hot = path.join(root, 'hot-watch');
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'bin', 'mosaicme.js'), 'wall', 'print', wall, '--out', hot, '--watch', '--takeaway'],
    { cwd: root, env: { PATH: process.env.PATH ?? '', DATA_DIR: data }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const until = async (ok: () => boolean | Promise<boolean>, what: string) => {
    for (let i = 0; i < 300; i++) {
      if (await ok()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.fail(`waited for ${what}; stdout ${stdout}; stderr ${stderr}`);
  };
  try {
    await until(() => stderr.includes('watching wall'), 'the watcher to start');
    await put('cat', '#a0a020');
    const [job] = (await printQueue(store, wall)).filter((j) => j.photo === 'cat');
    const name = `0003-${job.label}-takeaway.jpg`;
    await until(async () => (await files(hot)).includes(name), name);
    assert.deepEqual(await files(hot), [name]);
    assert.deepEqual(await meta(path.join(hot, name)), ['jpeg', 1200, 1800, 300]);
    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
    assert.equal(stdout, `${job.label}: ${name}\n`);
    assert.match(stderr, /stopped: 1 print job written/);
  } finally {
    child.kill('SIGKILL');
  }
});

test('wall board writes the board map as sheets at the dpi, with their ranges', async () => {
  const out = path.join(root, 'board');
  const r = await cli(['board', wall, '--out', out, '--sheet', 'a4', '--dpi', '150']);
  assert.equal(r.code, 0, r.stderr);
  // A4 less 0.25 in each side at 150 dpi; cells of 1 in = 150 px: 7 × 11 per sheet; the wall is 12 × 10.
  const width = Math.floor((210 / 25.4 - 0.5) * 150);
  const height = Math.floor((297 / 25.4 - 0.5) * 150);
  assert.equal(
    r.stdout,
    `2 sheets of a4 at 150 dpi in ${out} (12x10 cells, 150 px each; print at 100 %, no scaling)\n` +
      '  sheet-r1-c1.png: A-1 to J-7 (rows 1-10, cols 1-7)\n' +
      '  sheet-r1-c2.png: A-8 to J-12 (rows 1-10, cols 8-12)\n',
  );
  assert.deepEqual(await files(out), ['sheet-r1-c1.png', 'sheet-r1-c2.png']);
  for (const f of await files(out)) assert.deepEqual(await meta(path.join(out, f)), ['png', width, height, 150]);

  const bad = await cli(['board', wall, '--out', out, '--sheet', 'a5']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--sheet must be one of letter, a4, a3/);
});

test('wall export: a poster with its dpi; one too large for a JPEG is refused and points to the Deep Zoom image', async () => {
  const out = path.join(root, 'poster.jpg');
  const ok = await cli(['export', wall, '--poster', '--width-in', '12', '--dpi', '100', '-o', out]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(await meta(out), ['jpeg', 1200, 1000, 100]);
  const big = await cli([
    'export',
    wall,
    '--poster',
    '--width-in',
    '700',
    '--dpi',
    '300',
    '-o',
    path.join(root, 'x.jpg'),
  ]);
  assert.equal(big.code, 2, big.stderr);
  assert.match(big.stderr, /over JPEG's 65535 px a side.*screen\.dzi/);
  assert.deepEqual(await files(root).then((f) => f.includes('x.jpg')), false);
});
