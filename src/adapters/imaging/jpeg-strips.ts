import type { RawImage } from '../../core/types.js';

/**
 * One JPEG from horizontal strips encoded side by side. libjpeg encodes on one core; a baseline
 * JPEG whose strips are restart intervals can be written by several encoders at once, because at
 * each restart marker the decoder resets the DC predictors just as a fresh encoder starts with
 * them at zero. Each strip is a whole JPEG with the same tables (same quality, standard Huffman
 * tables, 4:2:0); the splice keeps the first one's headers, sets the full height, declares the
 * restart interval and joins the entropy-coded data with RST markers. The pixels decoded are
 * exactly those of one encode of the whole canvas.
 */

/** A restart interval is counted in MCUs in a 16-bit field. */
const MAX_INTERVAL = 0xffff;
/** 4:2:0 MCUs are 16×16 px: strips start on MCU rows. */
const MCU = 16;

/** Rows per strip for `strips` strips (fewer if the restart interval would overflow), on MCU rows. */
export function stripRows(width: number, height: number, strips: number): number {
  const perRow = Math.ceil(width / MCU);
  const maxMcuRows = Math.max(1, Math.floor(MAX_INTERVAL / perRow));
  const mcuRows = Math.ceil(Math.ceil(height / MCU) / Math.max(1, strips));
  return Math.min(mcuRows, maxMcuRows) * MCU;
}

type Parsed = { sof: number; sos: number; scan: number; end: number };

function parse(jpeg: Uint8Array): Parsed {
  const bad = (why: string) => new Error(`cannot splice JPEG strips: ${why}`);
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw bad('not a JPEG');
  let i = 2;
  let sof = -1;
  while (i + 4 <= jpeg.length) {
    if (jpeg[i] !== 0xff) throw bad('broken marker');
    const marker = jpeg[i + 1];
    const len = (jpeg[i + 2] << 8) | jpeg[i + 3];
    if (marker === 0xc0) sof = i;
    else if (marker === 0xdd) throw bad('already has restart markers');
    else if (marker >= 0xc1 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      throw bad('not baseline');
    }
    if (marker === 0xda) {
      if (sof < 0) throw bad('no SOF0');
      const end = jpeg.length - 2;
      if (jpeg[end] !== 0xff || jpeg[end + 1] !== 0xd9) throw bad('no EOI after the scan');
      return { sof, sos: i, scan: i + 2 + len, end };
    }
    i += 2 + len;
  }
  throw bad('no scan');
}

/** The headers with the height field zeroed, to check that every strip was coded alike. */
function tables(jpeg: Uint8Array, p: Parsed): Buffer {
  const head = Buffer.from(jpeg.subarray(0, p.scan));
  head.writeUInt16BE(0, p.sof + 5);
  return head;
}

/**
 * Joins strips (each `rows` tall but the last, all `width` wide, encoded with the same settings)
 * into one JPEG `height` tall. Throws if they were not coded alike.
 */
export function spliceJpegStrips(strips: Uint8Array[], width: number, height: number, rows: number): Buffer {
  const parsed = strips.map(parse);
  const first = strips[0];
  const p0 = parsed[0];
  const sampling = first[p0.sof + 11];
  if (first[p0.sof + 9] !== 3 || sampling !== 0x22) throw new Error('cannot splice JPEG strips: not 4:2:0 colour');
  if ((first[p0.sof + 7] << 8) + first[p0.sof + 8] !== width || rows % MCU !== 0) {
    throw new Error('cannot splice JPEG strips: strips do not fit the image');
  }
  const interval = Math.ceil(width / MCU) * (rows / MCU);
  if (interval > MAX_INTERVAL) throw new Error('cannot splice JPEG strips: strips too tall for a restart interval');
  const expected = tables(first, p0);
  strips.forEach((s, k) => {
    if (!tables(s, parsed[k]).equals(expected)) throw new Error('cannot splice JPEG strips: strips coded differently');
  });
  const head = Buffer.from(first.subarray(0, p0.sos));
  head.writeUInt16BE(height, p0.sof + 5);
  const parts: Uint8Array[] = [head, Buffer.from([0xff, 0xdd, 0, 4, interval >> 8, interval & 0xff])];
  parts.push(first.subarray(p0.sos, p0.scan));
  strips.forEach((s, k) => {
    if (k > 0) parts.push(Buffer.from([0xff, 0xd0 + ((k - 1) % 8)]));
    parts.push(s.subarray(parsed[k].scan, parsed[k].end));
  });
  parts.push(Buffer.from([0xff, 0xd9]));
  return Buffer.concat(parts);
}

/**
 * Encodes `image` in `strips` strips, at most `parallel` at a time, with `encode` (which must code
 * every strip alike), and splices them into one JPEG. Rows are views of the canvas, not copies.
 * `ready(end)` resolves once rows up to `end` are painted, so strips start while the rest is drawn.
 */
export async function encodeInStrips(
  image: RawImage,
  encode: (strip: RawImage) => Promise<Uint8Array>,
  strips: number,
  parallel: number,
  ready?: (end: number) => Promise<void>,
): Promise<Buffer> {
  const rows = stripRows(image.width, image.height, strips);
  const line = image.width * image.channels;
  const starts: number[] = [];
  for (let y = 0; y < image.height; y += rows) starts.push(y);
  const out: Uint8Array[] = new Array(starts.length);
  let next = 0;
  const run = async () => {
    while (next < starts.length) {
      const k = next++;
      const y = starts[k];
      const h = Math.min(rows, image.height - y);
      await ready?.(y + h);
      const data = image.data.subarray(y * line, (y + h) * line);
      out[k] = await encode({ width: image.width, height: h, channels: image.channels, data });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, parallel) }, run));
  return spliceJpegStrips(out, image.width, image.height, rows);
}
