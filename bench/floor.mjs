// Where the fixed time of one `mosaicme make` goes, next to the encode floor and metapixel, with a
// 1,000-tile and a 10,000-tile library, at the original settings (scale 10, 64 px cells, distance
// 5, no thumbnail on either side). All three are timed in the same run, target by target.
//
//   node bench/floor.mjs [--targets GLOBS] [--reps N] [--cell PX] [--no-metapixel]
//
// The floor is bench/encode-floor.mjs: Node, sharp and one JPEG encode of our own finished canvas.
// metapixel's libraries are prepared once into bench/.cache/floor (not timed here; see engine.mjs).
import fs from 'node:fs';
import path from 'node:path';
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
  globFilter,
  headerLines,
  helpOnRequest,
  log,
  machineInfo,
  mb,
  mdTable,
  median,
  option,
  parseJsonOut,
  rel,
  reportFailure,
  thisCommand,
  timed,
  which,
} from './lib.mjs';

const USAGE = `usage: node bench/floor.mjs [--targets GLOBS] [--reps N] [--cell PX] [--no-metapixel]
  --targets GLOBS   comma-separated target names or globs (default: all 8)
  --reps N          runs of each command; medians are kept (default 3)
  --cell PX         cell size, 64 (the original's) or 32 (default 64)
  --no-metapixel    ours and the floor only`;
helpOnRequest(USAGE);
const reps = Number(option('reps', '3'));
const cell = Number(option('cell', '64'));
const withMp = !process.argv.includes('--no-metapixel');
if (!Number.isInteger(reps) || reps < 1) die('--reps must be a positive integer');
if (withMp && !which('metapixel')) die('metapixel is not installed: apt-get install -y metapixel (or --no-metapixel)');
checkCli();
ensureCorpus();

const HERE = path.join(ROOT, 'bench/.cache/floor');
const RUNS = path.join(HERE, 'runs');
const MP_HOME = path.join(HERE, 'home'); // empty: no ~/.metapixelrc
fs.mkdirSync(MP_HOME, { recursive: true });
fs.rmSync(RUNS, { recursive: true, force: true });
fs.mkdirSync(RUNS, { recursive: true });
const mpEnv = { ...process.env, HOME: MP_HOME };
const LIBS = [
  { key: 'small', tiles: path.join(CORPUS, 'tiles-small') },
  { key: 'large', tiles: path.join(CORPUS, 'tiles-large') },
].map((l) => ({ ...l, ours: path.join(HERE, `lib-ours-${l.key}`), mp: path.join(HERE, `lib-mp-${l.key}`) }));
const targets = fs
  .readdirSync(path.join(CORPUS, 'targets'))
  .filter((f) => /\.(jpe?g|png)$/i.test(f))
  .sort()
  .filter(globFilter(option('targets', null)))
  .map((f) => ({ name: f.replace(/\.[^.]+$/, ''), file: path.join(CORPUS, 'targets', f) }));
if (!targets.length) die('no targets match');

for (const l of LIBS) {
  if (!fs.existsSync(path.join(l.ours, 'library.json'))) {
    log(`library (ours, ${l.key}) ...`);
    const r = timed(NODE, [rel(CLI), 'tiles', 'add', rel(l.ours), rel(l.tiles), '--json']);
    if (!r.ok) reportFailure(r, 'tiles add');
  }
  if (withMp && !fs.existsSync(path.join(l.mp, 'tables.mxt'))) {
    log(`library (metapixel, ${l.key}) ... (about 17 s per 1,000 tiles)`);
    fs.rmSync(l.mp, { recursive: true, force: true });
    fs.mkdirSync(l.mp, { recursive: true });
    const r = timed('metapixel-prepare', ['--width=32', '--height=32', rel(l.tiles), rel(l.mp)], { env: mpEnv });
    if (!r.ok) reportFailure(r, 'metapixel-prepare');
  }
}

function repeat(fn) {
  const runs = [];
  for (let i = 0; i < reps; i++) {
    const r = fn(i);
    if (!r.ok) return { ok: false, rc: r.rc };
    runs.push(r);
  }
  return { ok: true, wall: median(runs.map((r) => r.wall)), rssKb: Math.max(...runs.map((r) => r.rssKb)), runs };
}

const PHASES = ['load', 'decode', 'features', 'search', 'plan', 'read', 'render', 'encode', 'write'];
const rows = [];
for (const l of LIBS) {
  for (const t of targets) {
    const dir = path.join(RUNS, `${l.key}__${t.name}`);
    fs.mkdirSync(dir, { recursive: true });
    const out = path.join(dir, 'ours.jpg');
    const ours = repeat(() =>
      timed(CLI, [
        'make',
        rel(t.file),
        '--library',
        rel(l.ours),
        '-o',
        rel(out),
        '--scale',
        '10',
        '--cell',
        String(cell),
        '--distance',
        '5',
        '--blend',
        '0',
        '--thumbnail',
        '0',
        '--json',
      ]),
    );
    if (!ours.ok) die(`${l.key} ${t.name}: mosaicme make failed (exit ${ours.rc})`);
    const phases = Object.fromEntries(
      PHASES.map((p) => [p, median(ours.runs.map((r) => parseJsonOut(r.stdout)?.timings?.[p] ?? NaN))]),
    );
    // The floor encodes our own canvas, so the JPEG has the same content to compress.
    const { data, info } = await sharp(out).raw().toBuffer({ resolveWithObject: true });
    const raw = path.join(dir, 'canvas.rgb');
    fs.writeFileSync(raw, data);
    // Under the same allocator setting as our launcher, so the floor touches its canvas as we do.
    const floor = repeat(() =>
      timed(
        NODE,
        [
          rel(path.join(ROOT, 'bench/encode-floor.mjs')),
          rel(raw),
          String(info.width),
          String(info.height),
          rel(path.join(dir, 'floor.jpg')),
        ],
        { env: { ...process.env, GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' } },
      ),
    );
    if (!floor.ok) die(`${l.key} ${t.name}: encode floor failed (exit ${floor.rc})`);
    const floorEncode = median(floor.runs.map((r) => parseJsonOut(r.stdout)?.encode ?? NaN));
    fs.rmSync(raw);
    const mp = withMp
      ? repeat(() =>
          timed(
            'metapixel',
            [
              '--metapixel',
              rel(t.file),
              rel(path.join(dir, 'mp.jpg')),
              '--library',
              rel(l.mp),
              ...(cell === 64 ? [] : [`--width=${cell}`, `--height=${cell}`]),
              '--scale=10',
              '--distance=5',
            ],
            { env: mpEnv },
          ),
        )
      : undefined;
    if (mp && !mp.ok) die(`${l.key} ${t.name}: metapixel failed (exit ${mp.rc})`);
    const row = {
      lib: l.key,
      target: t.name,
      size: `${info.width}x${info.height}`,
      ours,
      phases,
      floor,
      floorEncode,
      mp,
    };
    rows.push(row);
    log(
      `${l.key} ${t.name}: ours ${fmt(ours.wall)} s, floor ${fmt(floor.wall)} s (encode ${floorEncode} ms)` +
        (mp ? `, metapixel ${fmt(mp.wall)} s: ${fmt(mp.wall / ours.wall)}×` : ''),
    );
  }
}

const md = ['# Fixed time per phase, against the encode floor and metapixel', '', '```'];
md.push(...headerLines(machineInfo()), `command: ${thisCommand()}`, `cell ${cell} px, reps ${reps}`, '```', '');
md.push(
  mdTable(
    [
      'library',
      'target',
      'output',
      'ours wall s',
      'ours RSS MB',
      ...PHASES.map((p) => `${p} ms`),
      'floor wall s',
      'floor encode ms',
      'ours / floor',
      ...(withMp ? ['metapixel s', 'speed-up'] : []),
    ],
    rows.map((r) => [
      r.lib,
      r.target,
      r.size,
      fmt(r.ours.wall),
      fmt(mb(r.ours.rssKb), 0),
      ...PHASES.map((p) => fmt(r.phases[p], 0)),
      fmt(r.floor.wall),
      fmt(r.floorEncode, 0),
      fmt(r.ours.wall / r.floor.wall),
      ...(withMp ? [fmt(r.mp.wall), fmt(r.mp.wall / r.ours.wall)] : []),
    ]),
  ),
  '',
);
for (const l of LIBS) {
  const mine = rows.filter((r) => r.lib === l.key);
  const toFloor = mine.map((r) => r.ours.wall / r.floor.wall);
  let line = `**${l.key} library:** ours median ${fmt(median(mine.map((r) => r.ours.wall)))} s, floor median ${fmt(median(mine.map((r) => r.floor.wall)))} s; ours / floor median ${fmt(median(toFloor))} (worst ${fmt(Math.max(...toFloor))})`;
  if (withMp) {
    const up = mine.map((r) => r.mp.wall / r.ours.wall);
    line += `; speed-up over metapixel median ${fmt(median(up))}× (worst ${fmt(Math.min(...up))}×)`;
  }
  md.push(line, '');
}
const report = md.join('\n');
fs.writeFileSync(path.join(HERE, 'floor-results.md'), report);
console.log(report);
