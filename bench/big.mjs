#!/usr/bin/env node
// Memory / huge-output benchmark for our CLI: a 2000x1500 photo at --scale 10 --cell 64 --dzi
// (about 20000x15000 px, 300 MP), next to one ordinary 8000 px mosaic for comparison.
// metapixel needs 26 s for this input and ImageMagick's thumbnail step fails on it (BASELINE.md, caveat 3).
//
//   node bench/big.mjs [--target 04-*] [--library DIR] [--out DIR] [--extra "ARGS"]
//
// The library defaults to OUT/lib-ours-large from `node bench/engine.mjs` (same --out); it is built if missing.
// Prints Markdown; also writes OUT/big-results.md.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import {
  CLI,
  CORPUS,
  NODE,
  ROOT,
  checkCli,
  die,
  ensureCorpus,
  fileSize,
  fmt,
  globFilter,
  headerLines,
  log,
  machineInfo,
  mb,
  mdTable,
  parseJsonOut,
  rel,
  reportFailure,
  splitArgs,
  timed,
} from './lib.mjs';

const USAGE = `usage: node bench/big.mjs [options]
  --target GLOB    corpus target to enlarge to 2000x1500 (default 04-*, which is 4:3)
  --library DIR    our tile library (default OUT/lib-ours-large; built from tiles-large if missing)
  --out DIR        output folder (default bench/.cache/out)
  --extra "ARGS"   extra arguments appended to both make commands`;
const opts = { target: '04-*', library: null, out: null, extra: [] };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const [flag, inline] =
    argv[i].startsWith('--') && argv[i].includes('=') ? argv[i].split(/=(.*)/s) : [argv[i], undefined];
  const value = () => inline ?? argv[++i] ?? die(`${flag} needs a value\n${USAGE}`);
  if (flag === '--target') opts.target = value();
  else if (flag === '--library') opts.library = value();
  else if (flag === '--out') opts.out = value();
  else if (flag === '--extra') opts.extra.push(...splitArgs(value()));
  else if (flag === '-h' || flag === '--help') {
    console.log(USAGE);
    process.exit(0);
  } else die(`unknown argument ${argv[i]}\n${USAGE}`);
}

checkCli();
ensureCorpus();
const info = machineInfo();
const header = headerLines(info);
const OUT = path.resolve(opts.out ?? path.join(ROOT, 'bench/.cache/out'));
const DIR = path.join(OUT, 'big');
const LOGS = path.join(DIR, 'logs');
const LIB = path.resolve(opts.library ?? path.join(OUT, 'lib-ours-large'));
const sharp = createRequire(path.join(ROOT, 'package.json'))('sharp');

const targetFile = fs.readdirSync(path.join(CORPUS, 'targets')).sort().find(globFilter(opts.target));
if (!targetFile) die(`no corpus target matches ${opts.target}`);
const target = path.join(CORPUS, 'targets', targetFile);
fs.rmSync(DIR, { recursive: true, force: true });
fs.mkdirSync(DIR, { recursive: true });

let libNote = `reused ${rel(LIB)}`;
if (!fs.existsSync(LIB) || !fs.readdirSync(LIB).length) {
  log(`library: building ${rel(LIB)} from tiles-large ...`);
  const r = timed(NODE, [rel(CLI), 'tiles', 'add', rel(LIB), rel(path.join(CORPUS, 'tiles-large')), '--json'], {
    logBase: path.join(LOGS, 'library'),
  });
  if (!r.ok) {
    reportFailure(r, 'library');
    die('cannot build the tile library');
  }
  libNote = `built ${rel(LIB)} in ${fmt(r.wall)} s, peak RSS ${fmt(mb(r.rssKb), 1)} MB`;
}

const photo = path.join(DIR, 'photo.jpg');
await sharp(target).resize(2000, 1500, { fit: 'fill', kernel: 'lanczos3' }).jpeg({ quality: 92 }).toFile(photo);

/** Paths the CLI reports in its JSON whose key matches `re` (e.g. output.thumbnail, output.dzi). */
function reported(json, re, acc = []) {
  for (const [k, v] of Object.entries(json ?? {})) {
    if (typeof v === 'string' && re.test(k)) acc.push(v);
    else if (v && typeof v === 'object') reported(v, re, acc);
  }
  return acc;
}
const abs = (p) => path.resolve(ROOT, p);
const walk = (d) =>
  fs
    .readdirSync(d, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));

async function make(name, input, extra) {
  const out = path.join(DIR, name, `${name}.jpg`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  log(`${name}: making ...`);
  const r = timed(
    CLI,
    [
      'make',
      rel(input),
      '--library',
      rel(LIB),
      '--scale',
      '10',
      '--cell',
      '64',
      ...extra,
      '--json',
      '-o',
      rel(out),
      ...opts.extra,
    ],
    { logBase: path.join(LOGS, name) },
  );
  if (!r.ok) reportFailure(r, name);
  const json = r.ok ? parseJsonOut(r.stdout) : null;
  const res = { name, r, json, out, size: null, thumb: null, dzi: null };
  if (fs.existsSync(out)) {
    const m = await sharp(out, { limitInputPixels: false }).metadata();
    res.size = [m.width, m.height];
  }
  // the thumbnail and the DZI: where the JSON says, else look beside the output
  const files = fs.readdirSync(path.dirname(out)).map((f) => path.join(path.dirname(out), f));
  const thumb = [...reported(json, /thumb/i).map(abs), ...files.filter((f) => /thumb/i.test(path.basename(f)))].find(
    (f) => fs.existsSync(f) && fs.statSync(f).isFile(),
  );
  if (thumb) {
    const m = await sharp(thumb).metadata();
    res.thumb = { file: thumb, size: [m.width, m.height], bytes: fileSize(thumb) };
  }
  const dzi = [...reported(json, /dzi/i).map(abs), ...files.filter((f) => f.endsWith('.dzi'))].find(
    (f) => fs.existsSync(f) && f.endsWith('.dzi'),
  );
  if (dzi) {
    const tilesDir = dzi.replace(/\.dzi$/, '_files');
    const tiles = fs.existsSync(tilesDir) ? walk(tilesDir) : [];
    res.dzi = {
      file: dzi,
      levels: fs.existsSync(tilesDir) ? fs.readdirSync(tilesDir).length : 0,
      tiles: tiles.length,
      bytes: tiles.reduce((s, f) => s + fileSize(f), 0),
    };
  }
  log(`  ${r.ok ? `${fmt(r.wall)} s, ${fmt(mb(r.rssKb), 1)} MB` : `FAILED (exit ${r.rc})`}`);
  return res;
}

const big = await make('big', photo, ['--dzi']);
const normal = await make('normal', target, []);

const yes = (x) => (x ? 'yes' : '**no**');
const row = (x, input) => [
  `${x.name}${x.r.ok ? '' : ` **FAIL** (exit ${x.r.rc})`}`,
  input,
  x.size ? `${x.size[0]}x${x.size[1]}` : '–',
  x.size ? fmt((x.size[0] * x.size[1]) / 1e6, 0) : '–',
  fmt(x.r.wall),
  fmt(mb(x.r.rssKb), 1),
  fmt(mb(mb(fileSize(x.out))), 1),
  x.thumb ? `${path.basename(x.thumb.file)} ${x.thumb.size.join('x')}` : yes(false),
  x.dzi
    ? `${path.basename(x.dzi.file)}: ${x.dzi.levels} levels, ${x.dzi.tiles} tiles, ${fmt(mb(mb(x.dzi.bytes)), 1)} MB`
    : '–',
];
const md = [
  '# MosaicMe huge output and memory',
  '',
  '```',
  ...header,
  `library: ${libNote}`,
  '```',
  '',
  mdTable(
    ['run', 'input', 'output', 'MP', 'wall (s)', 'peak RSS (MB)', 'JPEG (MB)', 'thumbnail', 'DZI'],
    [row(big, `${targetFile} → 2000x1500`), row(normal, `${targetFile} (800 px)`)],
  ),
  '',
];
const checks = [
  ['big mosaic made', big.r.ok && !!big.size],
  ['big output ≈20000x15000', !!big.size && big.size[0] >= 19000 && big.size[1] >= 14000],
  ['big thumbnail exists', !!big.thumb],
  ['big .dzi exists, with tiles', !!big.dzi && big.dzi.tiles > 0],
];
for (const [name, ok] of checks) md.push(`- ${ok ? '**PASS**' : '**FAIL**'} ${name}`);
const rssRatio = big.r.rssKb && normal.r.rssKb ? big.r.rssKb / normal.r.rssKb : null;
const pxRatio = big.size && normal.size ? (big.size[0] * big.size[1]) / (normal.size[0] * normal.size[1]) : null;
md.push(
  '',
  `Peak RSS, 300 MP vs 8000 px output: ×${fmt(rssRatio)} for ×${fmt(pxRatio, 1)} the pixels ` +
    `(${fmt(big.r.rssKb && big.size ? mb(big.r.rssKb) / ((big.size[0] * big.size[1]) / 1e6) : null, 2)} MB per output MP; a full RGB buffer would need 3 MB per MP).`,
  '',
  'For reference (BASELINE.md, caveat 3): metapixel makes a 20032x15040 mosaic from a 2000x1500 target in 26 s at 17 MB, ' +
    'but `convert -thumbnail 120` then fails ("width or height exceeds limit").',
  '',
  'Commands (each under `/usr/bin/time -v`):',
  '',
  `- \`${big.r.cmdline}\``,
  `- \`${normal.r.cmdline}\``,
  '',
);

const text = md.join('\n');
fs.writeFileSync(path.join(OUT, 'big-results.md'), text);
process.stdout.write(text + '\n');
log(`bench/big: results in ${rel(path.join(OUT, 'big-results.md'))}`);
