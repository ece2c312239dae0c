import { fractalNoise } from './noise.js';
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

const SCENES = ['landscape', 'bokeh', 'subject', 'foliage', 'water', 'clouds'] as const;

/**
 * One procedurally drawn demo tile that reads as a small photo rather than a test pattern: a
 * landscape, out-of-focus lights, a lit subject on a background, foliage, water or clouds, in two
 * related colours, with soft fractal texture, vignetting and fine grain. Tiles spread over hue,
 * lightness and saturation so any photo finds matches. Deterministic for `n`.
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
  const scene = SCENES[Math.floor(rnd() * SCENES.length)];
  const texture = fractalNoise(size, 4, n * 31 + 7, 2 + Math.floor(rnd() * 3));
  const place = scenePlacer(scene, rnd);
  const vignette = 0.15 + rnd() * 0.25;
  const out = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = y * size + x;
      const u = (x + 0.5) / size;
      const v = (y + 0.5) / size;
      const [t, shade] = place(u, v, texture[i]);
      const lit = shade * (1 - vignette * ((u - 0.5) ** 2 + (v - 0.5) ** 2) * 2);
      const grain = (rnd() - 0.5) * 8;
      for (let c = 0; c < 3; c++)
        out[i * 3 + c] = Math.max(0, Math.min(255, Math.round((c1[c] * (1 - t) + c2[c] * t) * lit + grain)));
    }
  }
  return out;
}

/** For each scene, where a pixel (u, v) falls between the two colours, and how lit it is. */
function scenePlacer(
  scene: (typeof SCENES)[number],
  rnd: () => number,
): (u: number, v: number, noise: number) => [t: number, shade: number] {
  const clamp = (x: number) => Math.max(0, Math.min(1, x));
  const soft = (d: number, edge: number) => clamp(0.5 - d / edge);
  switch (scene) {
    case 'landscape': {
      const horizon = 0.35 + rnd() * 0.35;
      const ridge = 0.08 + rnd() * 0.15;
      return (u, v, noise) => {
        const line = horizon - ridge * noise * 2 + 0.04 * Math.sin(u * 9);
        if (v < line) return [0.15 + 0.6 * (v / line), 1.05 + 0.1 * (1 - v)];
        return [0.85 - 0.5 * noise, 0.75 + 0.35 * noise - 0.2 * (v - line)];
      };
    }
    case 'bokeh': {
      const discs = Array.from({ length: 4 + Math.floor(rnd() * 7) }, () => ({
        x: rnd(),
        y: rnd(),
        r: 0.06 + rnd() * 0.16,
        a: 0.4 + rnd() * 0.6,
      }));
      return (u, v, noise) => {
        let t = 0.1 * noise;
        for (const d of discs) t += d.a * soft(Math.hypot(u - d.x, v - d.y) - d.r, 0.05);
        return [clamp(t), 0.7 + 0.5 * clamp(t)];
      };
    }
    case 'subject': {
      const cx = 0.35 + rnd() * 0.3;
      const cy = 0.35 + rnd() * 0.3;
      const rx = 0.18 + rnd() * 0.15;
      const ry = rx * (0.8 + rnd() * 0.6);
      return (u, v, noise) => {
        const d = Math.hypot((u - cx) / rx, (v - cy) / ry);
        const inside = soft(d - 1, 0.25);
        // Lit from the top left, as most photos are.
        const light = 1.1 - 0.35 * clamp((u - cx + v - cy) / (rx + ry) + 0.5);
        return [inside * (0.75 + 0.25 * noise), 0.75 + inside * (light - 0.75) + 0.1 * (noise - 0.5)];
      };
    }
    case 'foliage':
      return (_u, v, noise) => {
        const t = clamp((noise - 0.5) * 2.2 + 0.5);
        return [t, 0.65 + 0.55 * t - 0.1 * v];
      };
    case 'water': {
      const freq = 18 + rnd() * 30;
      return (u, v, noise) => {
        const ripple = 0.5 + 0.5 * Math.sin(v * freq * (0.6 + v) + noise * 5 + u * 2);
        return [clamp(0.25 + 0.5 * ripple * (0.5 + noise)), 0.85 + 0.25 * (1 - v) + 0.1 * ripple];
      };
    }
    case 'clouds':
      return (_u, v, noise) => {
        const cloud = clamp((noise - 0.45) * 3);
        return [clamp(v * 0.6 + cloud * 0.7), 0.9 + 0.3 * cloud];
      };
  }
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
