import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import type { RawImage } from '../../core/types.js';
import { encodePrint, escapeXml, fitText, renderBoardSheets, renderSticker, renderTakeaway } from './wall-prints.js';

const solid = (width: number, height: number, rgb: [number, number, number]): RawImage => {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i += 3) data.set(rgb, i);
  return { data, width, height, channels: 3 };
};

/** A horizontal red ramp and a vertical green ramp, so any misplaced window shows. */
const ramp = (width: number, height: number): RawImage => {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++)
      data.set([Math.round((255 * x) / (width - 1)), Math.round((255 * y) / (height - 1)), 128], (y * width + x) * 3);
  }
  return { data, width, height, channels: 3 };
};

const decode = async (buf: Uint8Array) => {
  const { data, info } = await sharp(buf).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
};

type Decoded = Awaited<ReturnType<typeof decode>>;
const luma = (img: Decoded, x: number, y: number) => {
  const i = (y * img.width + x) * 3;
  return 0.299 * img.data[i] + 0.587 * img.data[i + 1] + 0.114 * img.data[i + 2];
};

/** Luminance statistics of a rectangle. */
const region = (img: Decoded, x0: number, y0: number, x1: number, y1: number) => {
  let sum = 0;
  let min = 255;
  let max = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const l = luma(img, x, y);
      sum += l;
      min = Math.min(min, l);
      max = Math.max(max, l);
    }
  }
  return { mean: sum / ((x1 - x0) * (y1 - y0)), min, max };
};

const expectPrint = async (buf: Uint8Array, format: string, width: number, height: number, dpi: number) => {
  const m = await sharp(buf).metadata();
  assert.equal(m.format, format);
  assert.equal(m.width, width);
  assert.equal(m.height, height);
  assert.equal(m.density, dpi);
};

test('escapeXml neutralises markup, quotes and characters XML forbids', () => {
  assert.equal(escapeXml(`<script>alert(1)</script>&"'`), '&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&apos;');
  assert.equal(escapeXml('a\u0000b\u0007c\nd'), 'abc d');
});

test('fitText shrinks to fit, then shortens with an ellipsis', () => {
  assert.deepEqual(fitText('A-1', 1000, 40, 8), { text: 'A-1', size: 40 });
  const shrunk = fitText('A long event title', 200, 40, 8);
  assert.ok(shrunk.size < 40 && shrunk.size >= 8);
  const cut = fitText('x'.repeat(500), 100, 40, 10);
  assert.equal(cut.size, 10);
  assert.ok(cut.text.endsWith('…') && cut.text.length < 500);
});

test('sticker: exact size and dpi, dark label band with white text under a white photo', async () => {
  const buf = await renderSticker({ photo: solid(200, 200, [255, 255, 255]), label: 'C-14', sizePx: 300, dpi: 300 });
  await expectPrint(buf, 'jpeg', 300, 300, 300);
  const img = await decode(buf);
  const band = region(img, 0, 266, 300, 300);
  const above = region(img, 0, 120, 300, 250);
  assert.ok(above.mean > 245, `photo stays white (${above.mean})`);
  assert.ok(band.mean < above.mean - 80, `band ${band.mean} darker than photo ${above.mean}`);
  assert.ok(band.min < 100, 'band is dark');
  assert.ok(band.max > 220, 'label text is white in the band');
  // Text sits in the middle of the band, not in its corners.
  const centre = region(img, 100, 270, 200, 296);
  assert.ok(centre.max > 220);
});

test('sticker: the upright mark changes the top-left corner only', async () => {
  const grey = solid(300, 300, [128, 128, 128]);
  const img = await decode(await renderSticker({ photo: grey, label: 'A-1', sizePx: 300, dpi: 300 }));
  const corner = region(img, 0, 0, 40, 40);
  assert.ok(corner.max > 230, 'white fill');
  assert.ok(corner.min < 40, 'dark outline');
  const otherCorner = region(img, 260, 0, 300, 40);
  assert.ok(otherCorner.min > 115 && otherCorner.max < 141, 'top-right corner untouched');
});

test('sticker: hostile label and title render without throwing', async () => {
  const hostile = `<script>alert(1)</script>&"'`;
  const photo = solid(64, 64, [40, 90, 160]);
  const buf = await renderSticker({ photo, label: hostile, sizePx: 240, dpi: 150, title: `${hostile}\u0000]]>` });
  await expectPrint(buf, 'jpeg', 240, 240, 150);
  const plain = await renderSticker({ photo, label: 'B-2', sizePx: 240, dpi: 150, title: 'Anna & Ben' });
  await expectPrint(plain, 'jpeg', 240, 240, 150);
});

test('takeaway: exact size and dpi; the highlight frames the cell on the wall', async () => {
  const base = {
    photo: solid(400, 400, [200, 60, 60]),
    wall: ramp(400, 300),
    title: `Anna & Ben's <wedding>`,
    label: 'C-14',
    widthPx: 1200,
    heightPx: 1800,
    dpi: 300,
  };
  const plainBuf = await renderTakeaway(base);
  const litBuf = await renderTakeaway({ ...base, highlight: { x: 130, y: 20, w: 10, h: 10 } });
  await expectPrint(plainBuf, 'jpeg', 1200, 1800, 300);
  await expectPrint(litBuf, 'jpeg', 1200, 1800, 300);
  const plain = await decode(plainBuf);
  const lit = await decode(litBuf);
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < 1800; y++) {
    for (let x = 0; x < 1200; x++) {
      if (Math.abs(luma(plain, x, y) - luma(lit, x, y)) > 40) {
        [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
      }
    }
  }
  assert.ok(x1 >= 0, 'the highlight changes pixels');
  // The wall sits below the photo: the frame is there, small, left of centre (cell x 130 of 400).
  assert.ok(y0 > 900 && y1 < 1700, `frame rows ${y0}..${y1}`);
  assert.ok(x1 - x0 < 150 && y1 - y0 < 150, `frame is around one cell (${x1 - x0}×${y1 - y0})`);
  assert.ok(x1 < 600, `frame on the left half (${x0}..${x1})`);
  // The title and caption are drawn: dark pixels on the white top and bottom strips.
  assert.ok(region(plain, 60, 60, 1140, 200).min < 80, 'title text');
  assert.ok(region(plain, 60, 1640, 1140, 1740).min < 80, 'caption text');
});

test('board sheets: 10×7 at 100 px on 450×350 sheets covers every cell once', async () => {
  const sheets = await renderBoardSheets({
    target: ramp(50, 35),
    cols: 10,
    rows: 7,
    cellPx: 100,
    dpi: 300,
    sheetPx: { width: 450, height: 350 },
  });
  assert.equal(sheets.length, 9); // 4 cols × 3 rows of cells per sheet: 3 × 3 sheets
  assert.deepEqual(
    sheets.map((s) => [s.name, s.row0, s.col0, s.rows, s.cols]),
    [
      ['sheet-r1-c1.png', 0, 0, 3, 4],
      ['sheet-r1-c2.png', 0, 4, 3, 4],
      ['sheet-r1-c3.png', 0, 8, 3, 2],
      ['sheet-r2-c1.png', 3, 0, 3, 4],
      ['sheet-r2-c2.png', 3, 4, 3, 4],
      ['sheet-r2-c3.png', 3, 8, 3, 2],
      ['sheet-r3-c1.png', 6, 0, 1, 4],
      ['sheet-r3-c2.png', 6, 4, 1, 4],
      ['sheet-r3-c3.png', 6, 8, 1, 2],
    ],
  );
  const seen = new Array<number>(70).fill(0);
  for (const s of sheets) {
    for (let r = s.row0; r < s.row0 + s.rows; r++) for (let c = s.col0; c < s.col0 + s.cols; c++) seen[r * 10 + c]++;
  }
  assert.deepEqual(seen, new Array<number>(70).fill(1));
  for (const s of sheets) await expectPrint(s.image, 'png', 450, 350, 300);
});

test('board sheets: faint target, labels, grid lines, and seams that line up', async () => {
  const target = ramp(100, 70);
  const sheets = await renderBoardSheets({
    target,
    cols: 10,
    rows: 7,
    cellPx: 100,
    dpi: 300,
    sheetPx: { width: 450, height: 350 },
  });
  const first = await decode(sheets[0].image);
  const second = await decode(sheets[1].image);
  const ox = 25; // (450 - 4 × 100) / 2, the same on every sheet
  const oy = 25;
  const px = (img: Decoded, x: number, y: number) => [
    ...img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3),
  ];
  // Inside a cell, away from its label and lines: the target blended with white at 0.25.
  const [r, g] = px(first, ox + 60, oy + 70);
  assert.ok(Math.abs(r - (0.25 * 255 * (60 / 1000) + 0.75 * 255)) < 8, `ghost red ${r}`);
  assert.ok(Math.abs(g - (0.25 * 255 * (70 / 700) + 0.75 * 255)) < 8, `ghost green ${g}`);
  assert.ok(region(first, ox + 40, oy + 40, ox + 95, oy + 95).min > 180, 'the ghost is faint');
  // Label "A-1" top left of the first cell; a grid line between the first two cells.
  assert.ok(region(first, ox + 4, oy + 4, ox + 50, oy + 25).min < 120, 'cell label');
  // The line is crisp, on whole pixels either side of the boundary: full #555 (luma 85), not
  // two half-grey pixels, and the pixels beside it are the ghost again.
  assert.ok(region(first, ox + 99, oy + 40, ox + 101, oy + 60).max < 100, 'grid line');
  assert.ok(region(first, ox + 98, oy + 40, ox + 99, oy + 60).min > 180, 'left of the grid line');
  assert.ok(region(first, ox + 101, oy + 40, ox + 102, oy + 60).min > 180, 'right of the grid line');
  // The outer lines are as wide, centred on the cells' edge: half in the margin.
  assert.ok(region(first, ox - 1, oy + 40, ox + 1, oy + 60).max < 100, 'outer grid line');
  assert.ok(region(first, ox - 2, oy + 40, ox - 1, oy + 60).min > 250, 'margin left of the outer line');
  // The last column of sheet 1 and the first of sheet 2 are neighbours on the board.
  const left = px(first, ox + 399 - 2, oy + 50)[0];
  const right = px(second, ox + 2, oy + 50)[0];
  assert.ok(Math.abs(left - right) < 4, `seam ${left} vs ${right}`);
  // The white margin outside the cells.
  assert.ok(region(first, 0, 0, 450, 20).min > 250);
});

test('board sheets: a cell bigger than the sheet still gets a sheet of its own', async () => {
  const sheets = await renderBoardSheets({
    target: solid(20, 10, [0, 0, 255]),
    cols: 2,
    rows: 1,
    cellPx: 300,
    dpi: 150,
    sheetPx: { width: 200, height: 200 },
    ghost: 0.5,
  });
  assert.deepEqual(
    sheets.map((s) => [s.name, s.row0, s.col0, s.rows, s.cols]),
    [
      ['sheet-r1-c1.png', 0, 0, 1, 1],
      ['sheet-r1-c2.png', 0, 1, 1, 1],
    ],
  );
  for (const s of sheets) await expectPrint(s.image, 'png', 300, 300, 150);
});

test('encodePrint: jpeg and png keep size and dpi, also for a 10800×8100 poster', async () => {
  const small = ramp(64, 48);
  await expectPrint(await encodePrint(small, { dpi: 300, format: 'png' }), 'png', 64, 48, 300);
  await expectPrint(await encodePrint(small, { dpi: 72, format: 'jpeg', quality: 80 }), 'jpeg', 64, 48, 72);
  const poster: RawImage = {
    data: new Uint8Array(10800 * 8100 * 3).fill(200),
    width: 10800,
    height: 8100,
    channels: 3,
  };
  await expectPrint(await encodePrint(poster, { dpi: 300, format: 'jpeg' }), 'jpeg', 10800, 8100, 300);
});
