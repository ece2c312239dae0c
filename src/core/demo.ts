import { seededRandom } from './random.js';
import type { RawImage } from './types.js';

type Rgb = [number, number, number];

function hsl(h: number, s: number, l: number): Rgb {
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => {
    const k = (n + h * 12) % 12;
    return 255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1)));
  };
  return [f(0), f(8), f(4)];
}

const PATTERNS = ['gradient', 'stripes', 'checker', 'bokeh', 'rings', 'split', 'noise', 'sun'] as const;

/**
 * One procedurally drawn demo tile: a pattern (gradient, stripes, checks, bokeh, rings, a split,
 * grain or a sun) in two related colours, with grain so it reads as a photo-like texture.
 * Tiles spread over hue, lightness and saturation so any photo finds matches.
 * @example demoTile(7, 64) // Uint8Array(64*64*3)
 */
export function demoTile(n: number, size: number): Uint8Array {
  const rnd = seededRandom(0x5eed + n * 7919);
  const hue = rnd();
  const light = 0.08 + 0.84 * ((n * 0.618034) % 1);
  const sat = rnd() < 0.15 ? rnd() * 0.15 : 0.25 + rnd() * 0.7;
  const c1 = hsl(hue, sat, light);
  const c2 = hsl(
    (hue + (rnd() - 0.5) * 0.25 + 1) % 1,
    Math.min(1, sat * (0.6 + rnd() * 0.6)),
    Math.min(0.95, Math.max(0.05, light + (rnd() - 0.5) * 0.35)),
  );
  const pattern = PATTERNS[Math.floor(rnd() * PATTERNS.length)];
  const angle = rnd() * Math.PI;
  const freq = 2 + Math.floor(rnd() * 6);
  const cx = rnd();
  const cy = rnd();
  const dots = Array.from({ length: 6 }, () => [rnd(), rnd(), 0.05 + rnd() * 0.15]);
  const out = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const u = x / size;
      const v = y / size;
      const along = u * Math.cos(angle) + v * Math.sin(angle);
      let t: number;
      switch (pattern) {
        case 'gradient':
          t = along;
          break;
        case 'stripes':
          t = 0.5 + 0.5 * Math.sin(along * freq * Math.PI * 2);
          break;
        case 'checker':
          t = (Math.floor(u * freq) + Math.floor(v * freq)) % 2 ? 0.85 : 0.15;
          break;
        case 'bokeh':
          t = dots.some(([a, b, r]) => (u - a) ** 2 + (v - b) ** 2 < r * r) ? 0.9 : 0.2 * along;
          break;
        case 'rings':
          t = 0.5 + 0.5 * Math.cos(Math.hypot(u - cx, v - cy) * freq * 8);
          break;
        case 'split':
          t = along > 0.5 + (cx - 0.5) * 0.4 ? 1 : 0;
          break;
        case 'noise':
          t = rnd();
          break;
        case 'sun':
          t = Math.max(0, 1 - Math.hypot(u - cx, v - cy) * 2.5);
          break;
      }
      const grain = (rnd() - 0.5) * 18;
      const p = (y * size + x) * 3;
      for (let c = 0; c < 3; c++)
        out[p + c] = Math.max(0, Math.min(255, Math.round(c1[c] * (1 - t) + c2[c] * t + grain)));
    }
  }
  return out;
}

/**
 * A demo photo to try: a sunset over hills and a lake, with a sun, 960×640.
 * @example demoPhoto() // { width: 960, height: 640, channels: 3, data }
 */
export function demoPhoto(width = 960, height = 640): RawImage {
  const data = new Uint8Array(width * height * 3);
  const rnd = seededRandom(2015);
  const horizon = height * 0.62;
  const hill = (x: number) => horizon - 60 - 50 * Math.sin(x / 130) - 30 * Math.sin(x / 47 + 1);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let rgb: Rgb;
      const sunD = Math.hypot(x - width * 0.68, y - horizon * 0.72);
      if (y < hill(x)) {
        const t = y / horizon;
        rgb = [40 + 215 * t, 40 + 120 * t * t, 110 - 40 * t];
        const glow = Math.max(0, 1 - sunD / 260);
        rgb = [rgb[0] + 60 * glow, rgb[1] + 70 * glow, rgb[2] + 20 * glow];
        if (sunD < 55) rgb = [255, 236, 170];
      } else if (y < horizon) {
        const t = (y - hill(x)) / 120;
        rgb = [60 - 30 * t, 50 - 20 * t, 70 - 20 * t];
      } else {
        const my = 2 * horizon - y;
        const t = my / horizon;
        const ripple = Math.sin(y * 0.9 + Math.sin(x * 0.05) * 3) * 12;
        const sunR = Math.abs(x - width * 0.68) < 60 - (y - horizon) * 0.1 ? 80 : 0;
        rgb = [
          (40 + 200 * t) * 0.7 + ripple + sunR,
          (40 + 110 * t * t) * 0.7 + ripple + sunR * 0.8,
          120 - 20 * t + ripple,
        ];
      }
      const p = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) data[p + c] = Math.max(0, Math.min(255, Math.round(rgb[c] + (rnd() - 0.5) * 6)));
    }
  }
  return { data, width, height, channels: 3 };
}
