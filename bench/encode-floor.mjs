// The encode floor: a process that does nothing but what no mosaic engine can skip. It starts
// Node, loads sharp, takes a finished canvas (raw RGB, read from a file) and writes it as the JPEG
// `mosaicme make` writes (same quality, no Huffman optimisation, same libjpeg settings).
//
//   node bench/encode-floor.mjs <canvas.rgb> <width> <height> <out.jpg> [quality]
//
// Prints {"load","read","encode","write"} in ms; bench/floor.mjs times the whole process.
import { readFileSync, writeFileSync } from 'node:fs';

const [file, w, h, out, q = '82'] = process.argv.slice(2);
const ms = (t) => Math.round(performance.now() - t);
let t = performance.now();
const sharp = (await import('sharp')).default;
sharp.concurrency(1);
sharp.cache(false);
const load = ms(t);
t = performance.now();
const canvas = readFileSync(file);
const read = ms(t);
t = performance.now();
const jpeg = await sharp(canvas, { raw: { width: Number(w), height: Number(h), channels: 3 }, limitInputPixels: false })
  .jpeg({ quality: Number(q), optimiseCoding: false, mozjpeg: false })
  .toBuffer();
const encode = ms(t);
t = performance.now();
writeFileSync(out, jpeg);
console.log(JSON.stringify({ load, read, encode, write: ms(t), bytes: jpeg.length }));
