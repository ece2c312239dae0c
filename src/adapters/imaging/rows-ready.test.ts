import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { rowsReady, waitForRows } from './rows-ready.js';
import { SharpImaging } from './sharp.js';
import { ThreadedImaging } from './threaded.js';

const later = (fn: () => void) => new Promise<void>((resolve) => setTimeout(() => (fn(), resolve()), 20));

test('waitForRows waits for enough rows, and gives up when the render failed', async () => {
  const rows = rowsReady();
  let done = false;
  const waiting = waitForRows(rows.counter, 64).then(() => (done = true));
  await later(() => rows.finished(32));
  assert.equal(done, false, 'resolved before its rows were painted');
  await later(() => rows.finished(64));
  await waiting;
  assert.equal(done, true);
  await waitForRows(undefined, 1e6);

  const failing = rowsReady();
  const gaveUp = assert.rejects(waitForRows(failing.counter, 10), /render failed/);
  failing.failed();
  await gaveUp;
});

// A canvas started blank and painted after the encode began: the JPEG must hold the paint, in
// every strip (4000×1024 is encoded in strips) and in the thumbnail, on this thread and on a worker.
for (const [name, make] of [
  ['in this thread', () => new SharpImaging()],
  ['on a worker thread', () => new ThreadedImaging()],
] as const) {
  test(`an encode started before the canvas is painted holds the painted pixels (${name})`, async () => {
    const imaging = make();
    try {
      const width = 4000;
      const height = 1024;
      const data = new Uint8Array(new SharedArrayBuffer(width * height * 3));
      const rows = rowsReady();
      const encoding = imaging.encode(
        { width, height, channels: 3, data },
        { format: 'jpeg', quality: 90, thumbnail: 100, full: true, rowsReady: rows.counter },
      );
      for (let y = 0; y < height; y += 128) {
        await later(() => {
          data.fill(200, y * width * 3, (y + 128) * width * 3);
          rows.finished(y + 128);
        });
      }
      const out = await encoding;
      for (const jpeg of [out.image!, out.thumbnail!]) {
        const { data: px } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
        const darkest = px.reduce((m, v) => Math.min(m, v), 255);
        assert.ok(darkest >= 195, `found a pixel of ${darkest}: encoded before it was painted`);
      }
    } finally {
      await imaging.close();
    }
  });
}

test('an encode waiting for a render that failed rejects instead of hanging', async () => {
  const imaging = new SharpImaging();
  const rows = rowsReady();
  const data = new Uint8Array(new SharedArrayBuffer(3000 * 2000 * 3));
  const encoding = imaging.encode(
    { width: 3000, height: 2000, channels: 3, data },
    { format: 'jpeg', quality: 80, thumbnail: 0, full: true, rowsReady: rows.counter },
  );
  rows.finished(100);
  rows.failed();
  await assert.rejects(encoding, /render failed/);
});
