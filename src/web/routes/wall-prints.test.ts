import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { raw } from '../../../test/helpers/fixtures.js';
import { BUCKETS, webHarness, type Harness } from '../../../test/web/harness.js';
import { printKey, type PrintJob } from '../../services/wall-print-stage.js';
import { WallStore } from '../../services/wall-store.js';
import type { WallDef } from '../../shapes/wall.js';

let h: Harness;
let store: WallStore;
before(async () => {
  h = await webHarness();
  store = new WallStore(h.storage, BUCKETS.in);
});
after(() => h.close());

const sticker = await raw(90, 90, 2).jpeg().toBuffer();
const takeaway = await raw(120, 180, 3).jpeg().toBuffer();

/** A wall as the operator makes it, with its definition only: the print queue needs no more. */
async function newWall(): Promise<WallDef> {
  const f = new FormData();
  f.append('title', 'Print wall');
  f.append('cols', '10');
  f.append('target', new Blob([new Uint8Array(await raw(200, 200, 1).jpeg().toBuffer())]), 'target.jpg');
  const req = new Request('http://x/', { method: 'POST', body: f });
  const res = await h.app.inject({
    method: 'POST',
    url: '/api/walls',
    payload: Buffer.from(await req.arrayBuffer()),
    headers: { 'content-type': req.headers.get('content-type')!, ...h.auth },
  });
  assert.equal(res.statusCode, 201, res.body);
  return res.json<WallDef>();
}

/** What the placer logs and the print stage writes for a placed photo, `minutesAgo` old. */
async function printed(wall: string, seq: number, cell: number, label: string, photo: string, name?: string) {
  const at = new Date(Date.now() - (100 - seq) * 60_000).toISOString();
  await store.append(wall, {
    seq,
    type: 'placed',
    cell,
    label,
    photo,
    ...(name ? { name } : {}),
    cost: 1,
    at,
    features: 'AAAA',
  });
  const job: PrintJob = {
    photo,
    cell,
    label,
    ...(name ? { name } : {}),
    sticker: `prints/${photo}-sticker.jpg`,
    takeaway: `prints/${photo}-takeaway.jpg`,
    createdAt: at,
  };
  await store.put(wall, job.sticker, sticker);
  await store.put(wall, job.takeaway, takeaway);
  await store.putJson(wall, printKey(photo), job);
  return job;
}

type Queue = {
  jobs: (PrintJob & { removed?: boolean })[];
  counts: { total: number; printed: number; onBoard: number };
};
const list = async (wall: string, query = '') => {
  const res = await h.app.inject({ url: `/api/walls/${wall}/prints${query}`, headers: h.auth });
  assert.equal(res.statusCode, 200, res.body);
  return res.json<Queue>();
};
const mark = (wall: string, photo: string, payload: unknown, headers: Record<string, string> = h.auth) =>
  h.app.inject({ method: 'POST', url: `/api/walls/${wall}/prints/${photo}`, payload: payload as object, headers });

test('the print queue lists the jobs oldest first with their counts, and filters by state', async () => {
  const wall = await newWall();
  assert.deepEqual(await list(wall.id), { jobs: [], counts: { total: 0, printed: 0, onBoard: 0 } });
  // Written out of order: the queue sorts by when the jobs were made.
  await printed(wall.id, 2, 13, 'B-4', 'bob', 'Bob');
  await printed(wall.id, 1, 2, 'A-3', 'ann');
  await printed(wall.id, 3, 45, 'E-6', 'cy', 'cy');
  const all = await list(wall.id);
  assert.deepEqual(
    all.jobs.map((j) => [j.photo, j.label, j.cell, j.name]),
    [
      ['ann', 'A-3', 2, undefined],
      ['bob', 'B-4', 13, 'Bob'],
      ['cy', 'E-6', 45, 'cy'],
    ],
  );
  assert.equal(all.jobs[0].sticker, 'prints/ann-sticker.jpg');
  assert.equal(all.jobs[0].takeaway, 'prints/ann-takeaway.jpg');
  assert.ok(!('printedAt' in all.jobs[0]));
  assert.deepEqual(all.counts, { total: 3, printed: 0, onBoard: 0 });

  const bob = await mark(wall.id, 'bob', { printed: true });
  assert.equal(bob.statusCode, 200, bob.body);
  assert.match(bob.json().printedAt, /^\d{4}-\d\d-\d\dT/);
  assert.equal(bob.json().label, 'B-4');
  assert.deepEqual(
    (await list(wall.id, '?state=unprinted')).jobs.map((j) => j.photo),
    ['ann', 'cy'],
  );
  const onlyPrinted = await list(wall.id, '?state=printed');
  assert.deepEqual(
    onlyPrinted.jobs.map((j) => j.photo),
    ['bob'],
  );
  assert.deepEqual(onlyPrinted.counts, { total: 3, printed: 1, onBoard: 0 }, 'counts are of the whole queue');
  assert.equal((await list(wall.id, '?state=all')).jobs.length, 3);
  const bad = await h.app.inject({ url: `/api/walls/${wall.id}/prints?state=lost`, headers: h.auth });
  assert.equal(bad.statusCode, 400, bad.body);
});

test('ticking printed and on board, and unticking: each change keeps the other and its first time', async () => {
  const wall = await newWall();
  await printed(wall.id, 1, 0, 'A-1', 'p1', 'Pat');
  const first = (await mark(wall.id, 'p1', { printed: true })).json<PrintJob>();
  assert.ok(first.printedAt);
  const again = (await mark(wall.id, 'p1', { printed: true, onBoard: true })).json<PrintJob>();
  assert.equal(again.printedAt, first.printedAt, 'ticking again keeps when it was printed');
  assert.ok(again.onBoardAt);
  assert.deepEqual((await list(wall.id)).counts, { total: 1, printed: 1, onBoard: 1 });
  const unprinted = await mark(wall.id, 'p1', { printed: false });
  assert.equal(unprinted.statusCode, 200, unprinted.body);
  assert.ok(!('printedAt' in unprinted.json()));
  assert.equal(unprinted.json().onBoardAt, again.onBoardAt);
  const off = (await mark(wall.id, 'p1', { onBoard: false })).json<PrintJob>();
  assert.ok(!off.onBoardAt && !off.printedAt);
  assert.deepEqual((await list(wall.id)).counts, { total: 1, printed: 0, onBoard: 0 });
  // Stored, not only answered.
  const stored = await store.getJson<PrintJob>(wall.id, printKey('p1'));
  assert.ok(stored && !stored.printedAt && !stored.onBoardAt);

  for (const body of [{}, { printed: 'maybe' }, { printed: [] }]) {
    const res = await mark(wall.id, 'p1', body);
    assert.equal(res.statusCode, 400, `${JSON.stringify(body)}: ${res.body}`);
  }
});

test('only the operator: 401 without the token on every print route', async () => {
  const wall = await newWall();
  await printed(wall.id, 1, 0, 'A-1', 'p1');
  for (const url of [
    `/api/walls/${wall.id}/prints`,
    `/api/walls/${wall.id}/prints/p1/sticker.jpg`,
    `/api/walls/${wall.id}/prints/p1/takeaway.jpg`,
  ]) {
    const res = await h.app.inject({ url });
    assert.equal(res.statusCode, 401, url);
    assert.equal(res.json().error, 'UNAUTHORIZED');
    assert.equal((await h.app.inject({ url, headers: { authorization: 'Bearer wrong' } })).statusCode, 401);
  }
  const res = await mark(wall.id, 'p1', { printed: true }, {});
  assert.equal(res.statusCode, 401);
  assert.ok(!(await store.getJson<PrintJob>(wall.id, printKey('p1')))?.printedAt, 'nothing changed');
});

test('an unknown wall or photo is 404 WALL_NOT_FOUND; a photo id that is not one is refused', async () => {
  const wall = await newWall();
  await printed(wall.id, 1, 0, 'A-1', 'p1');
  const cases = [
    await h.app.inject({ url: '/api/walls/no-such-wall/prints', headers: h.auth }),
    await mark('no-such-wall', 'p1', { printed: true }),
    await mark(wall.id, 'nobody', { printed: true }),
    await h.app.inject({ url: `/api/walls/no-such-wall/prints/p1/sticker.jpg`, headers: h.auth }),
    await h.app.inject({ url: `/api/walls/${wall.id}/prints/nobody/sticker.jpg`, headers: h.auth }),
    await h.app.inject({ url: `/api/walls/${wall.id}/prints/nobody/takeaway.jpg`, headers: h.auth }),
  ];
  for (const res of cases) {
    assert.equal(res.statusCode, 404, res.body);
    assert.equal(res.json().error, 'WALL_NOT_FOUND');
  }
  assert.match(cases[2].json().message, /"nobody" has no prints/);
  for (const photo of ['..%2Fwall', 'a.b', 'x'.repeat(129)]) {
    const res = await h.app.inject({ url: `/api/walls/${wall.id}/prints/${photo}/sticker.jpg`, headers: h.auth });
    assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${photo}: ${res.statusCode}`);
    assert.notEqual(res.headers['content-type'], 'image/jpeg');
  }
  assert.equal((await mark(wall.id, 'a.b', { printed: true })).statusCode, 400);
});

test('the sticker and the take-home print are served as JPEG bytes, privately', async () => {
  const wall = await newWall();
  await printed(wall.id, 1, 0, 'A-1', 'p1');
  for (const [kind, bytes, size] of [
    ['sticker', sticker, [90, 90]],
    ['takeaway', takeaway, [120, 180]],
  ] as const) {
    const res = await h.app.inject({ url: `/api/walls/${wall.id}/prints/p1/${kind}.jpg`, headers: h.auth });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['content-type'], 'image/jpeg');
    assert.equal(res.headers['cache-control'], 'private, no-cache');
    assert.ok(res.rawPayload.equals(bytes));
    const meta = await sharp(res.rawPayload).metadata();
    assert.deepEqual([meta.width, meta.height], size);
  }
});

test('a photo moderation took off the wall stays in the queue, marked removed', async () => {
  const wall = await newWall();
  await printed(wall.id, 1, 0, 'A-1', 'gone');
  await printed(wall.id, 2, 1, 'A-2', 'kept');
  await store.append(wall.id, {
    seq: 3,
    type: 'freed',
    cell: 0,
    label: 'A-1',
    photo: 'gone',
    at: new Date().toISOString(),
  });
  const { jobs } = await list(wall.id);
  assert.deepEqual(
    jobs.map((j) => [j.photo, j.removed]),
    [
      ['gone', true],
      ['kept', undefined],
    ],
  );
});
