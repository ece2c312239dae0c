import assert from 'node:assert/strict';
import { test } from 'node:test';
import { areaAverage, resizeTile } from './resample.js';

test('area averaging keeps the mean at fractional ratios', () => {
  const width = 7;
  const height = 5;
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37) % 256;
  const out = areaAverage({ data, width, height, channels: 3 }, 3, 2);
  for (let c = 0; c < 3; c++) {
    let a = 0;
    for (let i = c; i < data.length; i += 3) a += data[i];
    let b = 0;
    for (let i = c; i < out.length; i += 3) b += out[i];
    assert.ok(Math.abs(a / (width * height) - b / 6) < 1e-3, `channel ${c}`);
  }
});

test('area averaging gives every output pixel the exact mean of the area it covers', () => {
  // Against a direct double sum per output pixel: the shared row passes must not leak between rows.
  let seed = 11;
  const noise = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) >> 16) & 255;
  const cover = (i: number, a: number, b: number) => Math.max(0, Math.min(b, i + 1) - Math.max(a, i));
  for (const [w, h, ow, oh] of [
    [41, 37, 16, 13],
    [40, 30, 31, 23],
    [9, 7, 20, 15],
    [50, 50, 3, 49],
  ]) {
    const data = Uint8Array.from({ length: w * h * 3 }, noise);
    const out = areaAverage({ data, width: w, height: h, channels: 3 }, ow, oh);
    const rx = w / ow;
    const ry = h / oh;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        for (let c = 0; c < 3; c++) {
          let s = 0;
          for (let y = Math.floor(oy * ry); y < Math.min(h, Math.ceil((oy + 1) * ry)); y++) {
            for (let x = Math.floor(ox * rx); x < Math.min(w, Math.ceil((ox + 1) * rx)); x++) {
              s += data[(y * w + x) * 3 + c] * cover(x, ox * rx, (ox + 1) * rx) * cover(y, oy * ry, (oy + 1) * ry);
            }
          }
          const want = s / (rx * ry);
          const got = out[(oy * ow + ox) * 3 + c];
          assert.ok(Math.abs(got - want) < 1e-2, `${w}x${h} -> ${ow}x${oh} at ${ox},${oy}/${c}: ${got} vs ${want}`);
        }
      }
    }
  }
});

test('area averaging splits an image exactly along a boundary', () => {
  // Left half black, right half white, 4 px wide -> 2 px: exactly 0 and 255.
  const data = new Uint8Array([0, 0, 0, 0, 0, 0, 255, 255, 255, 255, 255, 255]);
  const out = areaAverage({ data, width: 4, height: 1, channels: 3 }, 2, 1);
  assert.deepEqual([...out].map(Math.round), [0, 0, 0, 255, 255, 255]);
});

test('area averaging skips an alpha channel', () => {
  const data = new Uint8Array([10, 20, 30, 0, 10, 20, 30, 255]);
  const out = areaAverage({ data, width: 2, height: 1, channels: 4 }, 1, 1);
  assert.deepEqual([...out].map(Math.round), [10, 20, 30]);
});

test('tiles shrink by area and grow smoothly', () => {
  const src = new Uint8Array(4 * 4 * 3).fill(100);
  assert.deepEqual([...resizeTile(src, 4, 2)], new Array(2 * 2 * 3).fill(100));
  assert.deepEqual([...resizeTile(src, 4, 8)], new Array(8 * 8 * 3).fill(100));
  assert.equal(resizeTile(src, 4, 4), src);
});

test('a tile shrunk by a power of two has exactly the bytes of area averaging', () => {
  let seed = 7;
  const noise = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) >> 16) & 255;
  for (const [from, to] of [
    [64, 32],
    [64, 16],
    [128, 16],
    [48, 24],
  ]) {
    const src = Uint8Array.from({ length: from * from * 3 }, noise);
    const byArea = Uint8Array.from(
      areaAverage({ data: src, width: from, height: from, channels: 3 }, to, to),
      Math.round,
    );
    assert.deepEqual(resizeTile(src, from, to), byArea, `${from} -> ${to}`);
  }
});
