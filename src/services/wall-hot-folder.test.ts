import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { MemoryCache } from '../adapters/cache/memory.js';
import { DiskHotFolder } from '../adapters/hot-folder.js';
import { SharpWallImaging } from '../adapters/imaging/wall-imaging.js';
import { renderBoardSheets } from '../adapters/imaging/wall-prints.js';
import { DiskQueue } from '../adapters/queue/disk.js';
import { DiskStorage } from '../adapters/storage/disk.js';
import { tileFeatures } from '../core/features.js';
import { encodeFeatures } from './wall-board.js';
import { boardMap, sheetRange } from './wall-board-map.js';
import { printFileName, watchPrints, writePrints, type HotFolder } from './wall-hot-folder.js';
import { wallPlaceStage } from './wall-place-stage.js';
import { printQueue, wallPrintStage } from './wall-print-stage.js';
import { RequestStatuses } from './requests.js';
import { WallStore } from './wall-store.js';
import { createWall } from './walls.js';

const root = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-hot-folder-'));
after(() => rm(root, { recursive: true, force: true }));
const storage = new DiskStorage(path.join(root, 'storage'));
await storage.ensureBucket('in');
const queue = new DiskQueue(path.join(root, 'queue'));
const cache = new MemoryCache();
const store = new WallStore(storage, 'in');
const imaging = new SharpWallImaging();
const statuses = new RequestStatuses({ storage, cache }, 'in');
const target = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#3060a0' } })
  .png()
  .toBuffer();
const place = wallPlaceStage(
  { queue, cache, statuses, imaging, store },
  { engineQueue: 'e', printQueue: 'p', photoUrl: '/{wall}/{photo}' },
);
const print = wallPrintStage({ store, imaging });

const newWall = () =>
  createWall({ store, imaging }, { title: 'Hot folder', target, cols: 12, print: { tileInches: 1, dpi: 200 } });

/** A photo on the wall with its prints made, as the engine, placer and print stage would. */
async function put(wall: string, id: string, colour: string) {
  const crop = await sharp({ create: { width: 200, height: 200, channels: 3, background: colour } })
    .raw()
    .toBuffer();
  await store.put(
    wall,
    `photos/${id}.jpg`,
    await imaging.jpeg({ data: crop, width: 200, height: 200, channels: 3 }, 90),
  );
  await place({
    type: 'place',
    wall,
    id,
    key: `${id}.jpg`,
    username: id,
    features: encodeFeatures(tileFeatures(crop, 200)),
  });
  await print({ wall, photo: id });
}

const files = async (dir: string) => (await readdir(dir).catch(() => [])).sort();

test('printFileName: queue place, label and kind, sorting in queue order', () => {
  assert.equal(printFileName(1, 'C-14', 'sticker'), '0001-C-14-sticker.jpg');
  assert.equal(printFileName(12345, 'AB-3', 'takeaway'), '12345-AB-3-takeaway.jpg');
  assert.equal(printFileName(2, '../x y', 'sticker'), '0002-___x_y-sticker.jpg');
});

test('writes the unprinted jobs in queue order, atomically, ticks them, and writes nothing the second time', async () => {
  const wall = await newWall();
  await put(wall.id, 'ann', '#d04020');
  await put(wall.id, 'bob', '#20d040');
  const out = path.join(root, 'hot-1');
  const deps = { store, folder: new DiskHotFolder(out) };
  const jobs = await printQueue(store, wall.id);
  assert.deepEqual(
    jobs.map((j) => j.photo),
    ['ann', 'bob'],
  );

  const written = await writePrints(deps, wall.id);
  const expected = jobs.flatMap((j, i) => [
    printFileName(i + 1, j.label, 'sticker'),
    printFileName(i + 1, j.label, 'takeaway'),
  ]);
  assert.deepEqual(
    written.flatMap((w) => w.files),
    expected,
  );
  assert.deepEqual(await files(out), [...expected].sort(), 'only the prints: no temporary file left');
  assert.deepEqual([...expected].sort(), expected, 'names sort in queue order');
  assert.match(expected[0], /^0001-[A-Z]+-\d+-sticker\.jpg$/);
  // The files are the queue's images, byte for byte, with the sticker's and the take-away's size and dpi.
  assert.ok(
    Buffer.from(await readFile(path.join(out, expected[0]))).equals(
      Buffer.from((await store.bytes(wall.id, jobs[0].sticker))!),
    ),
  );
  const sticker = await sharp(path.join(out, expected[0])).metadata();
  assert.deepEqual([sticker.format, sticker.width, sticker.height, sticker.density], ['jpeg', 200, 200, 200]);
  const takeaway = await sharp(path.join(out, expected[1])).metadata();
  assert.deepEqual([takeaway.format, takeaway.width, takeaway.height, takeaway.density], ['jpeg', 1200, 1800, 300]);

  const ticked = await printQueue(store, wall.id);
  assert.ok(
    ticked.every((j) => j.printedAt && !Number.isNaN(Date.parse(j.printedAt))),
    'every job has printedAt',
  );
  await rm(out, { recursive: true });
  assert.deepEqual(await writePrints(deps, wall.id), [], 'the second run writes nothing');
  assert.deepEqual(await files(out), []);

  // --all prints again under the same names, and keeps the first printedAt.
  const again = await writePrints(deps, wall.id, { all: true });
  assert.deepEqual(
    again.flatMap((w) => w.files),
    expected,
  );
  assert.deepEqual(await files(out), [...expected].sort());
  assert.deepEqual(
    (await printQueue(store, wall.id)).map((j) => j.printedAt),
    ticked.map((j) => j.printedAt),
  );
});

test('stickers only, take-aways only; a later job goes on from the queue place', async () => {
  const wall = await newWall();
  await put(wall.id, 'cat', '#a0a020');
  const stickers = path.join(root, 'hot-stickers');
  const first = await writePrints({ store, folder: new DiskHotFolder(stickers) }, wall.id, { kinds: 'stickers' });
  assert.deepEqual(
    first.map((w) => w.files),
    [[printFileName(1, first[0].job.label, 'sticker')]],
  );
  await put(wall.id, 'dan', '#2020a0');
  const takeaways = path.join(root, 'hot-takeaways');
  const second = await writePrints({ store, folder: new DiskHotFolder(takeaways) }, wall.id, { kinds: 'takeaways' });
  assert.deepEqual(
    second.map((w) => [w.job.photo, w.files]),
    [['dan', [printFileName(2, second[0].job.label, 'takeaway')]]],
  );
  assert.deepEqual(await files(takeaways), [printFileName(2, second[0].job.label, 'takeaway')]);
});

test('a failed write leaves no temporary file and the job unticked', async () => {
  const wall = await newWall();
  await put(wall.id, 'eve', '#208080');
  const out = path.join(root, 'hot-failing');
  const disk = new DiskHotFolder(out);
  let calls = 0;
  const failing: HotFolder = {
    write: async (name, bytes) => {
      if (++calls === 2) throw new Error('disk full');
      await disk.write(name, bytes);
    },
  };
  await assert.rejects(writePrints({ store, folder: failing }, wall.id), /disk full/);
  assert.equal((await printQueue(store, wall.id))[0].printedAt, undefined);
  const retried = await writePrints({ store, folder: disk }, wall.id);
  assert.equal(retried.length, 1);
  assert.deepEqual(await files(out), retried[0].files.sort());
  await assert.rejects(disk.write('../escape.jpg', new Uint8Array(1)), /Invalid print file name/);
});

test('watch mode writes a job made later and stops when aborted', async () => {
  const wall = await newWall();
  await put(wall.id, 'fay', '#802080');
  const out = path.join(root, 'hot-watch');
  const stop = new AbortController();
  const seen: string[] = [];
  const errors: unknown[] = [];
  const watching = watchPrints({ store, folder: new DiskHotFolder(out) }, wall.id, {
    signal: stop.signal,
    intervalMs: 50,
    kinds: 'stickers',
    onPrint: (w) => seen.push(w.job.photo),
    onError: (err) => errors.push(err),
  });
  const until = async (ok: () => boolean) => {
    for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 25));
    assert.ok(ok(), `waited for ${ok.toString()}; seen ${seen.join(', ')}`);
  };
  await until(() => seen.length === 1);
  await put(wall.id, 'gus', '#808020');
  await until(() => seen.length === 2);
  stop.abort();
  const started = Date.now();
  assert.equal(await watching, 2);
  assert.ok(Date.now() - started < 1000, 'stops at once, not after a full interval');
  assert.deepEqual(seen, ['fay', 'gus']);
  assert.deepEqual(errors, []);
  const names = await files(out);
  assert.equal(names.length, 2);
  assert.ok(names[0].startsWith('0001-') && names[1].startsWith('0002-'), names.join(', '));
  assert.ok((await printQueue(store, wall.id)).every((j) => j.printedAt));
});

test('board map: sheets of the printable page at the sticker size, with the ranges the adapter cut', async () => {
  const wall = await newWall();
  assert.deepEqual([wall.cols, wall.rows], [12, 10]); // cells of 1 in
  const map = await boardMap({ store, imaging }, wall, { paper: 'letter', dpi: 100 });
  assert.equal(map.cellPx, 100);
  assert.deepEqual(map.sheetPx, { width: 800, height: 1050 }); // 8.5×11 in less 0.25 in each side
  // 8 × 10 cells per sheet: 2 sheets across, 1 down.
  assert.deepEqual(
    map.sheets.map((s) => [s.name, s.first, s.last, s.row0, s.col0, s.rows, s.cols]),
    [
      ['sheet-r1-c1.png', 'A-1', 'J-8', 0, 0, 10, 8],
      ['sheet-r1-c2.png', 'A-9', 'J-12', 0, 8, 10, 4],
    ],
  );
  for (const s of map.sheets) {
    const m = await sharp(s.image).metadata();
    assert.deepEqual([m.format, m.width, m.height, m.density], ['png', 800, 1050, 100]);
  }
  await assert.rejects(boardMap({ store, imaging }, wall, { paper: 'a5' }), /sheet must be one of letter, a4, a3/);
  await assert.rejects(boardMap({ store, imaging }, wall, { dpi: 50 }), /dpi must be a whole number from 72 to 600/);
});

test('sheetRange agrees with the cut the adapter makes', async () => {
  const target = { data: new Uint8Array(30 * 20 * 3).fill(128), width: 30, height: 20, channels: 3 as const };
  for (const [cols, rows, cellPx, sheetPx] of [
    [10, 7, 100, { width: 450, height: 350 }],
    [2, 1, 300, { width: 200, height: 200 }],
    [13, 9, 40, { width: 170, height: 90 }],
  ] as const) {
    const sheets = await renderBoardSheets({ target, cols, rows, cellPx, dpi: 72, sheetPx });
    for (const s of sheets) {
      const r = sheetRange(s.name, { cols, rows }, cellPx, sheetPx);
      assert.deepEqual([r.row0, r.col0, r.rows, r.cols], [s.row0, s.col0, s.rows, s.cols], s.name);
    }
  }
});
