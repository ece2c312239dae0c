import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { MemoryCache } from '../adapters/cache/memory.js';
import { SharpWallImaging } from '../adapters/imaging/wall-imaging.js';
import { DiskQueue } from '../adapters/queue/disk.js';
import { DiskStorage } from '../adapters/storage/disk.js';
import { tileFeatures } from '../core/features.js';
import { encodeFeatures, WallBoard } from './wall-board.js';
import { posterCellPx, renderWall } from './wall-export.js';
import { loadTarget, wallPlaceStage } from './wall-place-stage.js';
import { markPrint, printQueue, wallPrintStage, type PrintJob } from './wall-print-stage.js';
import { RequestStatuses } from './requests.js';
import { WallStore } from './wall-store.js';
import { createWall } from './walls.js';

const root = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-prints-'));
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
const wall = await createWall(
  { store, imaging },
  { title: 'Prints <b>&</b>', target, cols: 12, print: { tileInches: 1, dpi: 200 } },
);
const place = wallPlaceStage(
  { queue, cache, statuses, imaging, store },
  { engineQueue: 'e', printQueue: 'p', photoUrl: '/{wall}/{photo}' },
);
const print = wallPrintStage({ store, imaging });

/** Puts a photo on the wall as the engine and placer would: its crop kept, its features placed. */
async function put(id: string, colour: string) {
  const crop = await sharp({ create: { width: 200, height: 200, channels: 3, background: colour } })
    .raw()
    .toBuffer();
  await store.put(
    wall.id,
    `photos/${id}.jpg`,
    await imaging.jpeg({ data: crop, width: 200, height: 200, channels: 3 }, 90),
  );
  await place({
    type: 'place',
    wall: wall.id,
    id,
    key: `${id}.jpg`,
    username: id,
    features: encodeFeatures(tileFeatures(crop, 200)),
  });
}

const meta = async (bytes: Uint8Array) => sharp(bytes).metadata();

test('a sticker is the wall’s tile size at its dpi with the label of its placement; the take-away is 4×6 in at 300 dpi', async () => {
  await put('ann', '#d04020');
  await put('bob', '#20d040');
  await print({ wall: wall.id, photo: 'ann' });
  const board = await WallBoard.load(store, wall);
  const placed = board.placements().find((p) => p.photo === 'ann')!;
  const [job] = await printQueue(store, wall.id);
  assert.equal(job.label, placed.label);
  const sticker = (await store.bytes(wall.id, job.sticker))!;
  const m = await meta(sticker);
  assert.deepEqual([m.width, m.height, m.density], [200, 200, 200]);
  const t = await meta((await store.bytes(wall.id, job.takeaway))!);
  assert.deepEqual([t.width, t.height, t.density], [1200, 1800, 300]);
  // The label printed is the placement's: drawing the same photo with it gives the same band, another label does not.
  const band = async (b: Uint8Array) =>
    sharp(b).extract({ left: 0, top: 170, width: 200, height: 30 }).raw().toBuffer();
  const photo = await sharp(sticker).extract({ left: 100, top: 60, width: 1, height: 1 }).raw().toBuffer();
  const again = async (label: string) => {
    const px = Buffer.alloc(200 * 200 * 3);
    for (let i = 0; i < px.length; i += 3) px.set(photo, i);
    return imaging.sticker({
      photo: { data: px, width: 200, height: 200, channels: 3 },
      label,
      sizePx: 200,
      dpi: 200,
      title: wall.title,
    });
  };
  const diff = (a: Buffer, b: Buffer) => a.reduce((s, v, i) => s + Math.abs(v - b[i]), 0) / a.length;
  const own = diff(await band(sticker), await band(await again(placed.label)));
  const other = diff(await band(sticker), await band(await again(placed.label === 'A-1' ? 'B-2' : 'A-1')));
  assert.ok(own < other / 2, `own label ${own.toFixed(2)} vs another ${other.toFixed(2)}`);
});

test('the print queue keeps what was ticked when prints are made again; a removed photo gets no prints', async () => {
  await print({ wall: wall.id, photo: 'bob' });
  await markPrint(store, wall.id, 'bob', { printed: true });
  await print({ wall: wall.id, photo: 'bob' });
  const bob = (await printQueue(store, wall.id)).find((j: PrintJob) => j.photo === 'bob')!;
  assert.ok(bob.printedAt);
  const cell = (await WallBoard.load(store, wall)).placements().find((p) => p.photo === 'bob')!.cell;
  await place({ type: 'free', wall: wall.id, cell, photo: 'bob' });
  await print({ wall: wall.id, photo: 'gone' });
  await assert.rejects(print({ wall: wall.id }), { code: 'INVALID_MESSAGE' });
  await assert.rejects(markPrint(store, wall.id, 'nobody', { printed: true }), { code: 'WALL_NOT_FOUND' });
});

test('a poster has the pixel size asked for and its dpi', async () => {
  const board = await WallBoard.load(store, wall);
  const { target: t, cells } = await loadTarget({ store, imaging }, wall);
  const cellPx = posterCellPx(wall, 6, 150);
  const image = await renderWall({ store, imaging }, wall, board.cells, t, cells.means, cellPx);
  const m = await meta(await imaging.jpeg(image, 90, 150));
  assert.deepEqual([m.width, m.height, m.density], [12 * cellPx, wall.rows * cellPx, 150]);
  assert.equal(cellPx, 75);
});
