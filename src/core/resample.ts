import type { RawImage } from './types.js';

/**
 * Box weights for shrinking `inSize` samples to `outSize` bins with exact area coverage:
 * for output bin o, `first[o]` is the first input index and `w[o*span+j]` the share of input
 * `first[o]+j` (shares of one bin sum to 1). Works for enlarging too (each bin takes a fraction).
 */
function boxWeights(inSize: number, outSize: number): { first: Int32Array; span: number; w: Float32Array } {
  const ratio = inSize / outSize;
  const span = Math.ceil(ratio) + 1;
  const first = new Int32Array(outSize);
  const w = new Float32Array(outSize * span);
  for (let o = 0; o < outSize; o++) {
    const a = o * ratio;
    const b = a + ratio;
    const i0 = Math.floor(a);
    first[o] = i0;
    for (let j = 0; j < span; j++) {
      const i = i0 + j;
      if (i >= inSize) break;
      const cover = Math.min(b, i + 1) - Math.max(a, i);
      if (cover > 0) w[o * span + j] = cover / ratio;
    }
  }
  return { first, span, w };
}

/** One input row (from `rowBase`) summed into `outWidth` RGB bins by the weights `wx`. */
function horizontalPass(
  data: Uint8Array,
  rowBase: number,
  channels: number,
  wx: { first: Int32Array; span: number; w: Float32Array },
  outWidth: number,
  row: Float32Array,
): void {
  for (let ox = 0; ox < outWidth; ox++) {
    let r = 0;
    let g = 0;
    let b = 0;
    for (let i = 0; i < wx.span; i++) {
      const fx = wx.w[ox * wx.span + i];
      if (fx === 0) continue;
      const p = rowBase + (wx.first[ox] + i) * channels;
      r += data[p] * fx;
      g += data[p + 1] * fx;
      b += data[p + 2] * fx;
    }
    row[ox * 3] = r;
    row[ox * 3 + 1] = g;
    row[ox * 3 + 2] = b;
  }
}

/**
 * Averages an image down to `outWidth`×`outHeight` over exact pixel areas (a box filter that
 * handles fractional ratios), returning RGB floats 0–255. Alpha, if any, is ignored.
 * @example areaAverage({ data, width: 640, height: 480, channels: 3 }, 10, 5) // Float32Array(10*5*3)
 */
export function areaAverage(img: RawImage, outWidth: number, outHeight: number): Float32Array {
  const { data, width, height, channels } = img;
  const wx = boxWeights(width, outWidth);
  const wy = boxWeights(height, outHeight);
  // Each input row's horizontal pass is kept while the output rows that cover it are summed: a
  // ring of `span` rows, since the first input row of an output row never goes back.
  const out = new Float32Array(outWidth * outHeight * 3);
  const ring = Array.from({ length: wy.span }, () => new Float32Array(outWidth * 3));
  const held = new Int32Array(wy.span).fill(-1);
  for (let oy = 0; oy < outHeight; oy++) {
    const oBase = oy * outWidth * 3;
    for (let j = 0; j < wy.span; j++) {
      const y = wy.first[oy] + j;
      const fy = wy.w[oy * wy.span + j];
      if (fy === 0 || y >= height) continue;
      const slot = y % wy.span;
      const row = ring[slot];
      if (held[slot] !== y) {
        horizontalPass(data, y * width * channels, channels, wx, outWidth, row);
        held[slot] = y;
      }
      for (let k = 0; k < outWidth * 3; k++) out[oBase + k] += row[k] * fy;
    }
  }
  return out;
}

/**
 * Resizes a square RGB tile from `from` to `to` px: area averaging when shrinking, bilinear
 * when enlarging (a library built at a larger size avoids enlarging).
 * @example resizeTile(pixels64, 64, 32) // Uint8Array(32*32*3)
 */
export function resizeTile(src: Uint8Array, from: number, to: number): Uint8Array {
  if (from === to) return src;
  const out = new Uint8Array(to * to * 3);
  if (to < from && from % to === 0 && isPowerOfTwo(from / to)) return shrinkBy(src, from, from / to);
  if (to < from) {
    const avg = areaAverage({ data: src, width: from, height: from, channels: 3 }, to, to);
    for (let i = 0; i < avg.length; i++) out[i] = Math.round(avg[i]);
    return out;
  }
  const s = from / to;
  for (let y = 0; y < to; y++) {
    const sy = Math.min(Math.max((y + 0.5) * s - 0.5, 0), from - 1);
    const y0 = Math.floor(sy);
    const y1 = Math.min(y0 + 1, from - 1);
    const fy = sy - y0;
    for (let x = 0; x < to; x++) {
      const sx = Math.min(Math.max((x + 0.5) * s - 0.5, 0), from - 1);
      const x0 = Math.floor(sx);
      const x1 = Math.min(x0 + 1, from - 1);
      const fx = sx - x0;
      for (let c = 0; c < 3; c++) {
        const a = src[(y0 * from + x0) * 3 + c] * (1 - fx) + src[(y0 * from + x1) * 3 + c] * fx;
        const b = src[(y1 * from + x0) * 3 + c] * (1 - fx) + src[(y1 * from + x1) * 3 + c] * fx;
        out[(y * to + x) * 3 + c] = Math.round(a * (1 - fy) + b * fy);
      }
    }
  }
  return out;
}

const isPowerOfTwo = (n: number): boolean => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;

/**
 * Shrinks a square RGB tile by a power-of-two factor: each output pixel is its f×f block's mean,
 * rounded half up. The same bytes as `areaAverage` (whose weights are then exact binary
 * fractions) in a fraction of the time: a 32 px mosaic from a 64 px library resizes thousands of tiles.
 */
function shrinkBy(src: Uint8Array, from: number, f: number): Uint8Array {
  const to = from / f;
  const out = new Uint8Array(to * to * 3);
  const line = from * 3;
  const half = (f * f) >> 1;
  const shift = Math.log2(f * f);
  let o = 0;
  if (f === 2) {
    for (let oy = 0; oy < to; oy++) {
      let p = oy * 2 * line;
      for (let ox = 0; ox < to; ox++, p += 6) {
        const q = p + line;
        out[o++] = (src[p] + src[p + 3] + src[q] + src[q + 3] + 2) >> 2;
        out[o++] = (src[p + 1] + src[p + 4] + src[q + 1] + src[q + 4] + 2) >> 2;
        out[o++] = (src[p + 2] + src[p + 5] + src[q + 2] + src[q + 5] + 2) >> 2;
      }
    }
    return out;
  }
  for (let oy = 0; oy < to; oy++) {
    for (let ox = 0; ox < to; ox++) {
      const at = oy * f * line + ox * f * 3;
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let y = 0; y < f; y++) {
          const row = at + y * line + c;
          for (let x = 0; x < f; x++) sum += src[row + x * 3];
        }
        out[o++] = (sum + half) >> shift;
      }
    }
  }
  return out;
}
