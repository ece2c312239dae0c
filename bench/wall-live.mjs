#!/usr/bin/env node
// Live walls, running: from upload to the tile on the screen, and a big wall's poster (issue #12).
//
//  1. `mosaicme serve` on embedded defaults (a temp DATA_DIR, nothing configured but the admin
//     token). A 60×40 wall of the first corpus target is made through the API; the bench listens
//     to its live stream as the screen does, and uploads photos one after another as a guest's
//     phone would (the corpus targets at 4,000 px, about 12 MP, each a little different). Per photo:
//     the time from the start of the upload to the screen's event for its cell plus the fetch of
//     the redrawn Deep Zoom tile (what the screen then shows), and the Deep Zoom tiles rewritten
//     (files and bytes, counted in the storage folder).
//  2. A 200×150 = 30,000-cell wall filled (placement from `bench/wall.mjs --keep DIR`, else in
//     corpus order) and exported with `mosaicme wall export --poster --dpi 300`, under
//     /usr/bin/time -v for its peak memory.
//
//   node bench/wall-live.mjs [--photos 20] [--placement DIR/big-placement.json] [--width-in 36] [--no-poster]
//
// Needs `npm run build` and the corpus. About 3 min, most of it writing the big wall's 30,000 photos.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import {
  CLI,
  CORPUS,
  NODE,
  ROOT,
  checkCli,
  die,
  ensureCorpus,
  fmt,
  headerLines,
  helpOnRequest,
  log,
  machineInfo,
  mdTable,
  median,
  option,
  timed,
} from './lib.mjs';

helpOnRequest(
  'node bench/wall-live.mjs [--photos 20] [--placement DIR/big-placement.json] [--width-in 36] [--no-poster]',
);
checkCli();
ensureCorpus();
const argv = process.argv.slice(2);
const nPhotos = Number(option('photos', '20'));
const widthIn = Number(option('width-in', '36'));
const TOKEN = 'bench-admin-token-0123456789';
const targets = fs
  .readdirSync(path.join(CORPUS, 'targets'))
  .filter((f) => f.endsWith('.jpg'))
  .sort();
const targetFile = path.join(CORPUS, 'targets', targets[0]);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-wall-live-'));
const lines = [...headerLines(machineInfo()), ''];

const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

/** The wall's live stream, as the screen reads it: resolves `waitFor(photo)` when its placement arrives. */
function listen(base, wall) {
  const waiting = new Map();
  const seen = new Map();
  const controller = new AbortController();
  (async () => {
    const res = await fetch(`${base}/api/walls/${wall}/events`, { signal: controller.signal });
    const decoder = new TextDecoder();
    let buf = '';
    for await (const chunk of res.body) {
      buf += decoder.decode(chunk, { stream: true });
      let end;
      while ((end = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        const data = block.split('\n').find((l) => l.startsWith('data: '));
        if (!data) continue;
        const e = JSON.parse(data.slice(6));
        if (e.type !== 'placed' && e.type !== 'refused') continue;
        const at = performance.now();
        seen.set(e.photo, { e, at });
        waiting.get(e.photo)?.({ e, at });
      }
    }
  })().catch((err) => {
    if (err.name !== 'AbortError') log(`stream: ${err.message}`);
  });
  return {
    waitFor: (photo) =>
      seen.get(photo) ??
      new Promise((resolve, reject) => {
        waiting.set(photo, resolve);
        setTimeout(() => reject(new Error(`no event for photo ${photo} within 60 s`)), 60_000);
      }),
    close: () => controller.abort(),
  };
}

/** Deep Zoom tile files under the wall's screen folder changed since `since` (ms epoch): count and bytes. */
function rewritten(screenDir, since) {
  let files = 0;
  let bytes = 0;
  const walk = (d) => {
    for (const e of fs.existsSync(d) ? fs.readdirSync(d, { withFileTypes: true }) : []) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const st = fs.statSync(p);
        if (st.mtimeMs >= since) {
          files++;
          bytes += st.size;
        }
      }
    }
  };
  walk(screenDir);
  return { files, bytes };
}

async function latency() {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(NODE, [CLI, 'serve'], {
    // One guest's address sends every photo here: the per-address upload limit would throttle the bench.
    env: {
      PATH: process.env.PATH,
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: dir,
      ADMIN_TOKEN: TOKEN,
      UPLOAD_RATE_LIMIT: '1000',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  server.stderr.on('data', (d) => (stderr += d));
  try {
    for (const end = Date.now() + 60_000; ;) {
      if (
        await fetch(`${base}/api/walls`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      if (Date.now() > end) die(`serve did not start:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const form = new FormData();
    form.set('title', 'Bench wall');
    form.set('cols', '60');
    form.set('rows', '40');
    form.set('target', new Blob([fs.readFileSync(targetFile)]), 'target.jpg');
    const made = await fetch(`${base}/api/walls`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
      body: form,
    });
    if (made.status !== 201) die(`creating the wall failed: ${made.status} ${await made.text()}`);
    const wall = await made.json();
    const { tilesOfCell, screenPyramid } = await import(path.join(ROOT, 'dist/core/wall/index.js'));
    const pyramid = screenPyramid(wall.cols, wall.rows, wall.screenCellPx);
    const stream = listen(base, wall.id);
    const screenDir = path.join(dir, 'storage', 'mosaic-in', 'walls', wall.id, 'screen');
    const photos = [];
    for (let i = 0; i < nPhotos; i++)
      photos.push(
        await sharp(path.join(CORPUS, 'targets', targets[i % targets.length]))
          .resize(4000, 3000, { fit: 'cover' })
          .modulate({ brightness: 0.9 + (i % 10) * 0.02, hue: i * 7 })
          .jpeg({ quality: 88 })
          .toBuffer(),
      );
    const rows = [];
    for (const [i, bytes] of photos.entries()) {
      const since = Date.now();
      const t0 = performance.now();
      const body = new FormData();
      body.set('photo', new Blob([bytes]), `guest-${i}.jpg`);
      body.set('name', `guest ${i}`);
      const res = await fetch(`${base}/api/walls/${wall.id}/photos`, { method: 'POST', body });
      if (res.status !== 202) die(`upload ${i} failed: ${res.status} ${await res.text()}`);
      const { id } = await res.json();
      const { e, at } = await stream.waitFor(id);
      if (e.type !== 'placed') die(`photo ${i} was refused: ${e.reason}`);
      const deepest = tilesOfCell(pyramid, e.cell)[0];
      const tile = await fetch(
        `${base}/walls/${wall.id}/screen_files/${deepest.level}/${deepest.x}_${deepest.y}.jpg?v=${e.seq}`,
      );
      await tile.arrayBuffer();
      if (!tile.ok) die(`the redrawn tile of photo ${i} is missing: ${tile.status}`);
      const visible = performance.now() - t0;
      // The tiles are written before the event goes out: what changed is on disk now.
      rows.push({ ms: visible, event: at - t0, ...rewritten(screenDir, since - 1) });
    }
    stream.close();
    return { rows, wall, bytes: photos.map((b) => b.length) };
  } finally {
    server.kill('SIGTERM');
  }
}

const live = await latency();
const warm = live.rows.slice(1);
const p = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
lines.push(
  `Upload to tile visible, embedded defaults (\`mosaicme serve\`, nothing configured), a ${live.wall.cols}×${live.wall.rows} wall, ` +
    `${live.rows.length} photos of ~12 MP (${fmt(median(live.bytes) / 1e6, 1)} MB JPEG) one after another:`,
  '',
  mdTable(
    ['', 'median', 'p95', 'max'],
    [
      ['first photo (cold) ms', fmt(live.rows[0].ms, 0), '', ''],
      [
        'upload → screen event ms',
        fmt(median(warm.map((r) => r.event)), 0),
        fmt(
          p(
            warm.map((r) => r.event),
            0.95,
          ),
          0,
        ),
        fmt(Math.max(...warm.map((r) => r.event)), 0),
      ],
      [
        'upload → redrawn tile fetched ms',
        fmt(median(warm.map((r) => r.ms)), 0),
        fmt(
          p(
            warm.map((r) => r.ms),
            0.95,
          ),
          0,
        ),
        fmt(Math.max(...warm.map((r) => r.ms)), 0),
      ],
      [
        'Deep Zoom tiles rewritten per photo',
        fmt(median(live.rows.map((r) => r.files)), 0),
        '',
        fmt(Math.max(...live.rows.map((r) => r.files)), 0),
      ],
      [
        'Deep Zoom bytes rewritten per photo (KB)',
        fmt(median(live.rows.map((r) => r.bytes)) / 1024, 1),
        '',
        fmt(Math.max(...live.rows.map((r) => r.bytes)) / 1024, 1),
      ],
    ],
  ),
);

if (!argv.includes('--no-poster')) lines.push('', ...(await poster()));
console.log(lines.join('\n'));

/** A 200×150 wall written straight into storage (as its placer would leave it), then exported as a poster. */
async function poster() {
  const data = path.join(dir, 'poster');
  const env = { PATH: process.env.PATH, DATA_DIR: data };
  const made = timed(
    NODE,
    [
      CLI,
      'wall',
      'create',
      '--title',
      'Bench poster',
      '--target',
      targetFile,
      '--cols',
      '200',
      '--rows',
      '150',
      '--tile-inches',
      '0.5',
      '--json',
    ],
    { env },
  );
  if (made.rc !== 0) die(`wall create failed: ${made.stderr}`);
  const wall = JSON.parse(made.stdout.trim().split('\n').pop());
  const cells = wall.cols * wall.rows;
  const given = option('placement', null);
  const cellOf = given ? JSON.parse(fs.readFileSync(given, 'utf8')).cellOf : Array.from({ length: cells }, (_, i) => i);
  const library = fs
    .readdirSync(path.join(CORPUS, 'tiles-large'))
    .filter((f) => f.endsWith('.jpg'))
    .sort();
  const base = path.join(data, 'storage', 'mosaic-in', 'walls', wall.id);
  fs.mkdirSync(path.join(base, 'photos'), { recursive: true });
  log(`writing ${cells} photos of the big wall ...`);
  const placed = [];
  const size = Math.round(wall.print.tileInches * wall.print.dpi);
  const features = Buffer.from(new Float32Array(75).buffer).toString('base64');
  const { cellLabel } = await import(path.join(ROOT, 'dist/core/wall/index.js'));
  for (let p = 0; p < cells; p++) {
    const img = sharp(path.join(CORPUS, 'tiles-large', library[p % library.length]));
    const turned = p < library.length ? img : p < 2 * library.length ? img.flop() : img.flip();
    const photo = `p${String(p).padStart(5, '0')}`;
    fs.writeFileSync(
      path.join(base, 'photos', `${photo}.jpg`),
      await turned.resize(size, size).jpeg({ quality: 85 }).toBuffer(),
    );
    const cell = cellOf[p];
    placed.push({ cell, label: cellLabel(cell, wall.cols), photo, cost: 0, at: new Date().toISOString(), features });
  }
  fs.writeFileSync(path.join(base, 'snapshot.json'), JSON.stringify({ seq: cells, state: 'full', placed, others: [] }));
  const out = path.join(dir, 'poster.jpg');
  const t = timed(
    NODE,
    [CLI, 'wall', 'export', wall.id, '--poster', '--width-in', String(widthIn), '--dpi', '300', '-o', out],
    { env },
  );
  if (t.rc !== 0) die(`wall export failed: ${t.stderr}`);
  const meta = await sharp(out).metadata();
  return [
    `Poster of a ${wall.cols}×${wall.rows} = ${cells}-cell wall, \`mosaicme wall export <id> --poster --width-in ${widthIn} --dpi 300\`:`,
    '',
    mdTable(
      ['pixels', 'dpi in file', 'file MB', 'wall s', 'peak RSS MB'],
      [
        [
          `${meta.width}×${meta.height}`,
          String(meta.density),
          fmt(fs.statSync(out).size / 1e6, 1),
          fmt(t.wall, 1),
          fmt(t.rssKb / 1024, 0),
        ],
      ],
    ),
  ];
}
