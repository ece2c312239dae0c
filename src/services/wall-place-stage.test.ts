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
import { seededRandom } from '../core/random.js';
import { encodeFeatures, WallBoard } from './wall-board.js';
import { wallPlaceStage } from './wall-place-stage.js';
import { RequestStatuses } from './requests.js';
import { WallStore } from './wall-store.js';
import { closeWall, createWall } from './walls.js';

const root = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-wall-'));
after(() => rm(root, { recursive: true, force: true }));
const storage = new DiskStorage(path.join(root, 'storage'));
await storage.ensureBucket('mosaic-in');
const queue = new DiskQueue(path.join(root, 'queue'));
const cache = new MemoryCache();
const store = new WallStore(storage, 'mosaic-in');
const imaging = new SharpWallImaging();
const statuses = new RequestStatuses({ storage, cache }, 'mosaic-in');
const deps = { queue, cache, statuses, imaging, store };
const cfg = { engineQueue: 'eng', printQueue: 'print', photoUrl: '/walls/{wall}/photos/{photo}' };

const gradient = await sharp({ create: { width: 200, height: 200, channels: 3, background: '#808080' } })
  .composite([
    {
      input: Buffer.from(
        '<svg width="200" height="200"><defs><linearGradient id="g"><stop offset="0" stop-color="#000"/><stop offset="1" stop-color="#fff"/></linearGradient></defs><rect width="200" height="200" fill="url(#g)"/></svg>',
      ),
    },
  ])
  .jpeg()
  .toBuffer();

const rnd = seededRandom(7);
const photoFeatures = () => {
  const f = new Float32Array(75);
  const l = rnd() * 100;
  for (let i = 0; i < 75; i += 3) f[i] = l;
  return encodeFeatures(f);
};
const place = (wall: string, id: string, features = photoFeatures()) => ({
  type: 'place',
  wall,
  id,
  key: `${id}.jpg`,
  username: `guest${id}`,
  features,
});

test('every photo takes exactly one cell, a full wall refuses the rest, the same photo twice is placed once', async () => {
  const wall = await createWall({ store, imaging }, { title: 'Small', target: gradient, cols: 10, rows: 10 });
  const handle = wallPlaceStage(deps, cfg);
  for (let i = 0; i < 105; i++) await handle(place(wall.id, `p${i}`));
  await handle(place(wall.id, 'p3'));
  await handle(place(wall.id, 'p104'));
  const board = await WallBoard.load(store, wall);
  assert.equal(board.placed, 100);
  const photos = board.placements().map((p) => p.photo);
  assert.equal(new Set(photos).size, 100);
  assert.equal(board.outcomes.size, 105);
  assert.equal([...board.outcomes.values()].filter((o) => 'refused' in o).length, 5);
  assert.equal((await store.require(wall.id)).state, 'full');
  // Refused photos are not lost: each became an ordinary mosaic job (p104 twice: its message came twice).
  assert.equal(await queue.depth('eng'), 6);
  const status = await statuses.get('p3');
  assert.equal(status?.state, 'done');
  assert.equal(status?.wall?.label, board.placements().find((p) => p.photo === 'p3')?.label);
  assert.equal((await statuses.get('p101'))?.wall?.refused, 'full');
});

test('freeing a cell (moderation) lets the next photo in, and the removed photo is not put back', async () => {
  const wall = await createWall({ store, imaging }, { title: 'Moderated', target: gradient, cols: 10, rows: 10 });
  const handle = wallPlaceStage(deps, cfg);
  for (let i = 0; i < 100; i++) await handle(place(wall.id, `m${i}`));
  let board = await WallBoard.load(store, wall);
  const victim = board.placements()[17];
  await handle({ type: 'free', wall: wall.id, cell: victim.cell, photo: victim.photo });
  assert.equal((await store.require(wall.id)).state, 'open');
  await handle(place(wall.id, victim.photo));
  await handle(place(wall.id, 'late'));
  board = await WallBoard.load(store, wall);
  assert.equal(board.cells[victim.cell]?.photo, 'late');
  assert.equal(board.placed, 100);
  assert.ok(!board.placements().some((p) => p.photo === victim.photo));
});

test('a fresh stage (another process after a failover) reads the log and never reuses a cell', async () => {
  const wall = await createWall({ store, imaging }, { title: 'Failover', target: gradient, cols: 10, rows: 10 });
  const first = wallPlaceStage(deps, cfg);
  for (let i = 0; i < 30; i++) await first(place(wall.id, `a${i}`));
  const second = wallPlaceStage(deps, cfg);
  for (let i = 0; i < 30; i++) await second(place(wall.id, `b${i}`));
  // The first wakes up again with its old view: it must catch up, not overwrite.
  for (let i = 0; i < 30; i++) await first(place(wall.id, `c${i}`));
  const board = await WallBoard.load(store, wall);
  assert.equal(board.placed, 90);
  assert.equal(new Set(board.placements().map((p) => p.cell)).size, 90);
});

test('a closed wall refuses photos, which become mosaics; an unknown wall or a bad message is an error', async () => {
  const wall = await createWall({ store, imaging }, { title: 'Closed', target: gradient, cols: 10, rows: 10 });
  await closeWall(store, wall.id);
  const handle = wallPlaceStage(deps, cfg);
  const before = await queue.depth('eng');
  await handle(place(wall.id, 'x1'));
  assert.equal(await queue.depth('eng'), before + 1);
  assert.equal((await statuses.get('x1'))?.wall?.refused, 'closed');
  await assert.rejects(handle(place('no-such-wall', 'x2')), { code: 'WALL_NOT_FOUND' });
  await assert.rejects(handle({ type: 'place', wall: wall.id, id: 'x3', key: 'x3.jpg', features: 'AAAA' }), {
    code: 'INVALID_MESSAGE',
  });
  await assert.rejects(handle({ type: 'nonsense', wall: wall.id }), { code: 'INVALID_MESSAGE' });
});

test('a photo from a social network placed on the wall is answered through the publish queue; an upload is not', async () => {
  const wall = await createWall({ store, imaging }, { title: 'Replies', target: gradient, cols: 10, rows: 10 });
  const handle = wallPlaceStage(deps, { ...cfg, replyQueue: 'finish-replies' });
  await handle(place(wall.id, 'up1'));
  assert.equal(await queue.depth('finish-replies'), 0, 'no reply to an upload');
  await handle({ ...place(wall.id, 'mastodon-1'), network: 'mastodon', post: { id: '77' } });
  const got: unknown[] = [];
  const c = await queue.consume('finish-replies', async (m) => void got.push(m));
  for (let i = 0; i < 50 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  await c.stop();
  const label = (await statuses.get('mastodon-1'))?.wall?.label;
  assert.deepEqual(got, [
    {
      id: 'mastodon-1',
      username: 'guestmastodon-1',
      network: 'mastodon',
      post: { id: '77' },
      key: store.key(wall.id, 'photos/mastodon-1.jpg'),
      wall: {
        id: wall.id,
        title: 'Replies',
        cell: (await statuses.get('mastodon-1'))?.wall?.cell,
        label,
        url: `/walls/${wall.id}/photos/mastodon-1`,
      },
    },
  ]);
});
