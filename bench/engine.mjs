#!/usr/bin/env node
// MosaicMe vs metapixel 1.0.2, side by side in the same run, on the shared bench corpus.
//
//   node bench/engine.mjs [--targets 01-*,04-*] [--configs 64,32] [--reps N] [--extra "<args>"]
//                         [--out DIR] [--no-metapixel | --no-ours]
//
// 1. builds the corpus into bench/.cache/corpus unless bench/.cache/corpus/SHA256SUMS exists;
// 2. builds both tile libraries from tiles-large into fresh folders (timed);
// 3. makes every target x config mosaic with both engines, each command alone under /usr/bin/time -v
//    (metapixel's time includes the original pipeline's `convert -thumbnail 120`, as ours makes its own);
// 4. scores every mosaic with ../shared/bench/mosaic-quality.mjs (after all timings);
// 5. prints Markdown tables and pass/fail against the targets; also writes OUT/engine-results.{md,json}.
// See ../shared/bench/BASELINE.md for how the metapixel baseline was measured.
import fs from 'node:fs';
import path from 'node:path';
import {
  BASELINE_FINGERPRINT,
  CLI,
  CONVERT,
  CORPUS,
  NODE,
  ROOT,
  SHARED,
  TIME,
  checkCli,
  die,
  ensureCorpus,
  fileSize,
  fmt,
  globFilter,
  headerLines,
  log,
  machineInfo,
  max,
  mb,
  mdTable,
  median,
  parseJsonOut,
  rel,
  reportFailure,
  run,
  shellJoin,
  splitArgs,
  thisCommand,
  timed,
  which,
} from './lib.mjs';

const CONFIGS = {
  64: {
    key: '64',
    cell: 64,
    mp: [],
    speedTarget: 3,
    label: '64 px cells (metapixel: original command, default 64×64)',
  },
  32: {
    key: '32',
    cell: 32,
    mp: ['--width=32', '--height=32'],
    speedTarget: 5,
    label: '32 px cells (metapixel: --width=32 --height=32)',
  },
};
const LIB_TARGET = 5; // library build speed-up
const DE_REDUCTION = 0.2; // ΔE2000 must be at least 20 % lower on every target
const COARSE = 128;
const USAGE = `usage: node bench/engine.mjs [options]
  --targets GLOBS   comma-separated target names or globs, e.g. 01-*,04-* (default: all 8)
  --configs LIST    cell sizes to run: 64,32 (default)
  --reps N          runs per timed mosaic command; the median wall time is kept (default 1)
  --extra "ARGS"    extra arguments appended to our make command, e.g. "--blend 0.3"
  --out DIR         output folder (default bench/.cache/out)
  --no-metapixel    run MosaicMe alone
  --no-ours         run metapixel alone (e.g. before the CLI is built)
  --reuse-libs      reuse the tile libraries of an earlier run in the same --out (not timed; for quick experiments)
environment: MOSAICME_CLI=path/to/mosaicme.js benchmarks another build of the CLI (default bin/mosaicme.js)`;

function parseCli(argv) {
  const o = {
    targets: null,
    configs: '64,32',
    reps: 1,
    extra: [],
    out: null,
    metapixel: true,
    ours: true,
    reuseLibs: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] =
      argv[i].startsWith('--') && argv[i].includes('=') ? argv[i].split(/=(.*)/s) : [argv[i], undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) die(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    if (flag === '--targets') o.targets = value();
    else if (flag === '--configs') o.configs = value();
    else if (flag === '--reps') o.reps = Number(value());
    else if (flag === '--extra') o.extra.push(...splitArgs(value()));
    else if (flag === '--out') o.out = value();
    else if (flag === '--no-metapixel') o.metapixel = false;
    else if (flag === '--no-ours') o.ours = false;
    else if (flag === '--reuse-libs') o.reuseLibs = true;
    else if (flag === '-h' || flag === '--help') {
      console.log(USAGE);
      process.exit(0);
    } else die(`unknown argument ${argv[i]}\n${USAGE}`);
  }
  if (!Number.isInteger(o.reps) || o.reps < 1) die('--reps must be a positive integer');
  o.configs = o.configs
    .split(',')
    .filter(Boolean)
    .map((c) => CONFIGS[c.trim()] ?? die(`unknown config ${c} (use 64 and/or 32)`));
  if (!o.metapixel && !o.ours) die('--no-metapixel and --no-ours together leave nothing to run');
  return o;
}

// ------------------------------------------------------------------------------------------------
const opts = parseCli(process.argv.slice(2));
const OUT = path.resolve(opts.out ?? path.join(ROOT, 'bench/.cache/out'));
const LOGS = path.join(OUT, 'logs');
const RUNS = path.join(OUT, 'runs');
const LIB = { ours: path.join(OUT, 'lib-ours-large'), metapixel: path.join(OUT, 'lib-metapixel-large') };
const MP_HOME = path.join(OUT, '.home'); // empty: no ~/.metapixelrc can change metapixel's defaults
const mpEnv = { ...process.env, HOME: MP_HOME };
const ENGINES = [opts.ours && 'ours', opts.metapixel && 'metapixel'].filter(Boolean);
const both = ENGINES.length === 2;

if (!fs.existsSync(TIME)) die('/usr/bin/time not found: apt-get install -y time');
if (opts.metapixel) {
  if (!which('metapixel') || !which('metapixel-prepare')) {
    die(
      'metapixel is not installed: run `apt-get install -y metapixel` (or pass --no-metapixel to benchmark MosaicMe alone)',
    );
  }
  if (!fs.existsSync(CONVERT)) die(`${CONVERT} not found: apt-get install -y imagemagick`);
}
if (opts.ours) checkCli();

const fingerprint = ensureCorpus();
const info = machineInfo();
const header = headerLines(info);
const targets = fs
  .readdirSync(path.join(CORPUS, 'targets'))
  .filter((f) => /\.(jpe?g|png)$/i.test(f))
  .sort()
  .filter(globFilter(opts.targets))
  .map((f) => ({ name: f.replace(/\.[^.]+$/, ''), file: path.join(CORPUS, 'targets', f) }));
if (!targets.length) die(`no targets match ${opts.targets}`);
const tilesDir = path.join(CORPUS, 'tiles-large');
const nTiles = fs.readdirSync(tilesDir).length;

fs.mkdirSync(OUT, { recursive: true });
fs.rmSync(LOGS, { recursive: true, force: true });
fs.rmSync(RUNS, { recursive: true, force: true });
fs.rmSync(MP_HOME, { recursive: true, force: true });
fs.mkdirSync(MP_HOME, { recursive: true });

// ---- 1. libraries ---------------------------------------------------------------------------------
const lib = {};
const reusable = {
  ours: () => fs.existsSync(LIB.ours) && fs.readdirSync(LIB.ours).length > 0,
  metapixel: () => fs.existsSync(path.join(LIB.metapixel, 'tables.mxt')),
};
for (const e of ENGINES) {
  if (opts.reuseLibs && reusable[e]()) {
    lib[e] = { ok: true, reused: true, cmdline: `(library ${rel(LIB[e])} reused)` };
    log(`library (${e}): reusing ${rel(LIB[e])}`);
  }
}
if (opts.ours && !lib.ours) {
  fs.rmSync(LIB.ours, { recursive: true, force: true });
  log(`library (ours): ${nTiles} tiles ...`);
  const r = timed(NODE, [rel(CLI), 'tiles', 'add', rel(LIB.ours), rel(tilesDir), '--json'], {
    logBase: path.join(LOGS, 'lib-ours'),
  });
  if (!r.ok) reportFailure(r, 'library, ours');
  lib.ours = { ...r, json: parseJsonOut(r.stdout) };
  log(`  ${fmt(r.wall)} s, ${fmt(mb(r.rssKb), 1)} MB`);
}
if (opts.metapixel && !lib.metapixel) {
  fs.rmSync(LIB.metapixel, { recursive: true, force: true }); // metapixel-prepare appends to tables.mxt
  fs.mkdirSync(LIB.metapixel, { recursive: true });
  log(`library (metapixel-prepare): ${nTiles} tiles ...`);
  const r = timed('metapixel-prepare', ['--width=32', '--height=32', rel(tilesDir), rel(LIB.metapixel)], {
    env: mpEnv,
    logBase: path.join(LOGS, 'lib-metapixel'),
  });
  if (!r.ok) reportFailure(r, 'library, metapixel');
  const tables = path.join(LIB.metapixel, 'tables.mxt');
  const prepared = fs.existsSync(tables) ? (fs.readFileSync(tables, 'utf8').match(/^\(small-image/gm) ?? []).length : 0;
  lib.metapixel = { ...r, prepared };
  log(`  ${fmt(r.wall)} s, ${fmt(mb(r.rssKb), 1)} MB, ${prepared} prepared`);
}

// ---- 2. mosaics (timed, one command at a time) ----------------------------------------------------
function makeOurs(cfg, t) {
  const id = `${cfg.key}__${t.name}__ours`,
    dir = path.join(RUNS, id),
    file = path.join(dir, 'mosaic.jpg');
  const reps = [];
  let r;
  for (let i = 1; i <= opts.reps; i++) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    r = timed(
      CLI,
      [
        'make',
        rel(t.file),
        '--library',
        rel(LIB.ours),
        '-o',
        rel(file),
        '--scale',
        '10',
        '--cell',
        String(cfg.cell),
        '--distance',
        '5',
        '--blend',
        '0',
        '--json',
        ...opts.extra,
      ],
      { logBase: path.join(LOGS, `${id}.r${i}`) },
    );
    if (!r.ok) {
      reportFailure(r, id);
      break;
    }
    reps.push(r);
  }
  const ok = reps.length === opts.reps;
  return {
    id,
    file,
    ok,
    rc: r.rc,
    cmdline: r.cmdline,
    wall: ok ? median(reps.map((x) => x.wall)) : null,
    walls: reps.map((x) => x.wall),
    rssKb: ok ? max(reps.map((x) => x.rssKb)) : null,
    json: ok ? parseJsonOut(r.stdout) : null,
  };
}

function makeMetapixel(cfg, t) {
  const id = `${cfg.key}__${t.name}__metapixel`,
    dir = path.join(RUNS, id);
  const file = path.join(dir, 'mosaic.jpg'),
    thumb = path.join(dir, 'thumb.jpg');
  const reps = [];
  let r, th, cmdline;
  for (let i = 1; i <= opts.reps; i++) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    r = timed(
      'metapixel',
      ['--metapixel', rel(t.file), rel(file), '--library', rel(LIB.metapixel), ...cfg.mp, '--scale=10', '--distance=5'],
      { env: mpEnv, logBase: path.join(LOGS, `${id}.r${i}`) },
    );
    cmdline = r.cmdline;
    if (!r.ok) {
      reportFailure(r, id);
      break;
    }
    th = timed(CONVERT, ['-thumbnail', '120', rel(file), rel(thumb)], {
      env: mpEnv,
      logBase: path.join(LOGS, `${id}.thumb.r${i}`),
    });
    cmdline = `${r.cmdline} && ${th.cmdline}`;
    if (!th.ok) {
      reportFailure(th, `${id} thumbnail`);
      r = th;
      break;
    }
    reps.push({ wall: r.wall + th.wall, mpWall: r.wall, thumbWall: th.wall, rssKb: r.rssKb, thumbRssKb: th.rssKb });
  }
  const ok = reps.length === opts.reps,
    m = (k) => (ok ? median(reps.map((x) => x[k])) : null);
  return {
    id,
    file,
    ok,
    rc: r.rc,
    cmdline,
    wall: m('wall'),
    walls: reps.map((x) => x.wall),
    mpWall: m('mpWall'),
    thumbWall: m('thumbWall'),
    rssKb: ok ? max(reps.map((x) => x.rssKb)) : null,
    thumbRssKb: ok ? max(reps.map((x) => x.thumbRssKb)) : null,
  };
}

const results = {}; // config key -> target name -> { ours, metapixel }
for (const cfg of opts.configs) {
  results[cfg.key] = {};
  for (const t of targets) {
    const row = (results[cfg.key][t.name] = {});
    for (const engine of ENGINES) {
      const e = (row[engine] = engine === 'ours' ? makeOurs(cfg, t) : makeMetapixel(cfg, t));
      log(
        `${cfg.key} ${t.name} ${engine}: ${e.ok ? `${fmt(e.wall)} s, ${fmt(mb(e.rssKb), 1)} MB` : `FAILED (exit ${e.rc})`}`,
      );
    }
  }
}

// ---- 3. quality (not timed) -----------------------------------------------------------------------
fs.mkdirSync(path.join(OUT, 'quality'), { recursive: true });
for (const cfg of opts.configs) {
  for (const t of targets) {
    for (const engine of ENGINES) {
      const e = results[cfg.key][t.name][engine];
      if (!fs.existsSync(e.file)) continue;
      const q = run(NODE, [
        rel(path.join(SHARED, 'mosaic-quality.mjs')),
        rel(t.file),
        rel(e.file),
        '--cell',
        String(cfg.cell),
        '--coarse',
        String(COARSE),
      ]);
      if (!q.ok) {
        reportFailure(q, `quality ${e.id}`);
        continue;
      }
      e.q = parseJsonOut(q.stdout);
      fs.writeFileSync(path.join(OUT, 'quality', `${e.id}.json`), q.stdout);
      log(`quality ${e.id}: ΔE00 ${fmt(e.q?.full?.deltaE2000_mean)}, SSIM ${fmt(e.q?.full?.ssim_luma, 3)}`);
    }
  }
}

// ---- 4. report ------------------------------------------------------------------------------------
const METRICS = [
  // label, getter, decimals, lower is better
  ['wall s', (e) => (e?.ok ? e.wall : null), 2],
  ['RSS MB', (e) => (e?.ok ? mb(e.rssKb) : null), 1],
  ['ΔE00', (e) => e?.q?.full?.deltaE2000_mean ?? null, 2],
  ['SSIM', (e) => e?.q?.full?.ssim_luma ?? null, 3],
  ['coarse ΔE00', (e) => e?.q?.coarse?.deltaE2000_mean ?? null, 2],
  ['coarse SSIM', (e) => e?.q?.coarse?.ssim_luma ?? null, 3],
  ['distinct', (e) => e?.q?.tiles?.distinct ?? null, 0],
  ['max uses', (e) => e?.q?.tiles?.max_repeat ?? null, 0],
];
const SHORT = { ours: 'ours', metapixel: 'mp' };
const get = (label) => METRICS.find((m) => m[0] === label)[1];
const med = (cfg, engine, label) => median(targets.map((t) => get(label)(results[cfg.key][t.name][engine])));
const ratio = (a, b) => (a !== null && b !== null && b !== 0 ? a / b : null);
const pct = (r) => (r === null ? '–' : `${r <= 1 ? '−' : '+'}${fmt(Math.abs(1 - r) * 100, 1)} %`);
const dpkgVersion = (p) => run('dpkg-query', ['-W', '-f', '${Version}', p]).stdout.trim() || '?';

const md = [];
md.push(
  '# MosaicMe engine vs metapixel',
  '',
  '```',
  ...header,
  ...(opts.extra.length ? [`extra make args: ${shellJoin(opts.extra)}`] : []),
  ...(opts.metapixel ? [`metapixel: ${dpkgVersion('metapixel')}   imagemagick: ${dpkgVersion('imagemagick')}`] : []),
  `corpus fingerprint: ${fingerprint}${fingerprint === BASELINE_FINGERPRINT ? ' (matches BASELINE.md)' : ' (DIFFERS from BASELINE.md)'}`,
  `targets: ${targets.map((t) => t.name).join(' ')}   reps: ${opts.reps}`,
  '```',
  '',
);

// libraries
const criteria = []; // { name, pass, detail }
md.push(`## Tile library (${nTiles} tiles from tiles-large)`, '');
const libRows = [];
const reusedRow = (e) => [`${e}: ${rel(LIB[e])}`, 'reused from an earlier run (not timed)', '–', '–', '–'];
if (lib.ours?.reused) libRows.push(reusedRow('ours'));
else if (lib.ours) {
  const j = lib.ours.json ?? {};
  libRows.push([
    'ours: `tiles add --json`',
    lib.ours.ok
      ? `${j.added ?? '?'} added, ${j.duplicate ?? '?'} duplicate, ${j.skipped ?? '?'} skipped`
      : `FAIL (exit ${lib.ours.rc})`,
    fmt(lib.ours.wall),
    fmt(lib.ours.user + lib.ours.sys),
    fmt(mb(lib.ours.rssKb), 1),
  ]);
}
if (lib.metapixel?.reused) libRows.push(reusedRow('metapixel'));
else if (lib.metapixel) {
  libRows.push([
    'metapixel-prepare --width=32 --height=32',
    lib.metapixel.ok ? `${lib.metapixel.prepared} prepared` : `FAIL (exit ${lib.metapixel.rc})`,
    fmt(lib.metapixel.wall),
    fmt(lib.metapixel.user + lib.metapixel.sys),
    fmt(mb(lib.metapixel.rssKb), 1),
  ]);
}
md.push(mdTable(['engine', 'result', 'wall (s)', 'user+sys (s)', 'max RSS (MB)'], libRows), '');
if (both && !lib.ours.reused && !lib.metapixel.reused) {
  const r = lib.ours.ok && lib.metapixel.ok ? ratio(lib.metapixel.wall, lib.ours.wall) : null;
  md.push(
    `Library build speed-up (metapixel / ours): **${fmt(r)}×**${lib.ours.json?.seconds !== undefined ? ` (ours reports ${fmt(lib.ours.json.seconds)} s itself)` : ''}`,
    '',
  );
  criteria.push({
    name: `library build ≥${LIB_TARGET}× faster`,
    pass: r !== null && r >= LIB_TARGET,
    detail: `${fmt(r)}×`,
  });
}

// mosaics
for (const cfg of opts.configs) {
  const rows = results[cfg.key];
  md.push(`## ${cfg.label}`, '');
  const headers = ['target'];
  for (const [label] of METRICS) for (const e of ENGINES) headers.push(`${SHORT[e]} ${label}`);
  const body = targets.map((t) => {
    const cells = [t.name];
    for (const [label, g, d] of METRICS) {
      for (const engine of ENGINES) {
        const e = rows[t.name][engine];
        cells.push(label === 'wall s' && !e.ok ? `**FAIL** (exit ${e.rc})` : fmt(g(e), d));
      }
    }
    return cells;
  });
  const medRow = ['**median**'];
  for (const [label, , d] of METRICS) for (const engine of ENGINES) medRow.push(fmt(med(cfg, engine, label), d));
  md.push(mdTable(headers, [...body, medRow]), '');
  if (opts.metapixel) {
    md.push(
      `mp wall = \`metapixel\` + \`convert -thumbnail 120\` (median convert ${fmt(median(targets.map((t) => rows[t.name].metapixel.thumbWall)))} s, ` +
        `peak RSS ${fmt(mb(median(targets.map((t) => rows[t.name].metapixel.thumbRssKb))), 1)} MB); mp RSS = metapixel alone. ` +
        'distinct / max uses: hashed mosaic cells (mosaic-quality.mjs), the same method for both engines' +
        `${opts.extra.length ? ' (if the extra args alter tile pixels, e.g. --blend > 0, the hash over-counts ours: see the engine counts under Details)' : ''}.`,
      '',
    );
  }

  if (both) {
    const rt = ratio(med(cfg, 'ours', 'wall s'), med(cfg, 'metapixel', 'wall s'));
    const rr = ratio(med(cfg, 'ours', 'RSS MB'), med(cfg, 'metapixel', 'RSS MB'));
    const rthumb = ratio(med(cfg, 'ours', 'RSS MB'), mb(median(targets.map((t) => rows[t.name].metapixel.thumbRssKb))));
    const rde = ratio(med(cfg, 'ours', 'ΔE00'), med(cfg, 'metapixel', 'ΔE00'));
    const rcde = ratio(med(cfg, 'ours', 'coarse ΔE00'), med(cfg, 'metapixel', 'coarse ΔE00'));
    md.push(
      `**ours / metapixel (medians):** time ×${fmt(rt, 3)} (speed-up ${fmt(rt && 1 / rt)}×), peak RSS ×${fmt(rr)} ` +
        `(×${fmt(rthumb)} vs its convert step), ΔE00 ×${fmt(rde, 3)} (${pct(rde)}), coarse ΔE00 ×${fmt(rcde, 3)} (${pct(rcde)})`,
      '',
    );

    // pass / fail
    const failed = targets.filter((t) => !rows[t.name].ours.ok || !rows[t.name].metapixel.ok).length;
    const perTarget = targets
      .map((t) => ratio(rows[t.name].metapixel.wall, rows[t.name].ours.wall))
      .filter((x) => x !== null);
    const speed = rt ? 1 / rt : null;
    criteria.push({
      name: `${cfg.cell} px: ≥${cfg.speedTarget}× faster (median wall, metapixel+thumbnail / ours)`,
      pass: !failed && speed !== null && speed >= cfg.speedTarget,
      detail: `${fmt(speed)}×, worst target ${fmt(perTarget.length ? Math.min(...perTarget) : null)}×${failed ? `, ${failed} failed run(s)` : ''}`,
    });
    // margin(a, b) > threshold passes; the detail names the worst target
    const everyTarget = (name, label, margin, threshold, show) => {
      const diffs = targets.map((t) => {
        const a = get(label)(rows[t.name].ours),
          b = get(label)(rows[t.name].metapixel);
        return { t: t.name, a, b, m: a === null || b === null ? null : margin(a, b) };
      });
      const nOk = diffs.filter((x) => x.m !== null && x.m >= threshold).length;
      const missing = diffs.filter((x) => x.m === null).map((x) => x.t);
      const worst = diffs.reduce((w, x) => (x.m === null ? w : !w || x.m < w.m ? x : w), null);
      criteria.push({
        name: `${cfg.cell} px: ${name}`,
        pass: nOk === targets.length,
        detail:
          `${nOk}/${targets.length} targets${worst ? `; worst ${worst.t}: ${show(worst.m)} (ours ${fmt(worst.a, 3)} vs ${fmt(worst.b, 3)})` : ''}` +
          `${missing.length ? `; no result for ${missing.join(', ')}` : ''}`,
      });
    };
    const deMargin = (a, b) => 1 - a / b,
      deShow = (m) => `${m >= 0 ? '−' : '+'}${fmt(Math.abs(m) * 100, 1)} %`;
    everyTarget('ΔE00 ≥20 % lower on every target (full)', 'ΔE00', deMargin, DE_REDUCTION, deShow);
    everyTarget('ΔE00 ≥20 % lower on every target (coarse)', 'coarse ΔE00', deMargin, DE_REDUCTION, deShow);
    const ssimMargin = (a, b) => a - b,
      ssimShow = (m) => `${m >= 0 ? '+' : '−'}${fmt(Math.abs(m), 3)}`;
    everyTarget('SSIM higher on every target (full)', 'SSIM', ssimMargin, Number.MIN_VALUE, ssimShow);
    everyTarget('SSIM higher on every target (coarse)', 'coarse SSIM', ssimMargin, Number.MIN_VALUE, ssimShow);
    const [dO, dM] = [med(cfg, 'ours', 'distinct'), med(cfg, 'metapixel', 'distinct')];
    criteria.push({
      name: `${cfg.cell} px: more distinct tiles (median)`,
      pass: dO !== null && dM !== null && dO > dM,
      detail: `${fmt(dO, 0)} vs ${fmt(dM, 0)}`,
    });
    const [uO, uM] = [med(cfg, 'ours', 'max uses'), med(cfg, 'metapixel', 'max uses')];
    criteria.push({
      name: `${cfg.cell} px: lower max uses (median)`,
      pass: uO !== null && uM !== null && uO < uM,
      detail: `${fmt(uO, 0)} vs ${fmt(uM, 0)}`,
    });
  }

  // details
  const dHead = ['target'];
  if (opts.ours)
    dHead.push('ours output', 'ours MB', 'ours grid', 'ours distinct / max uses (engine)', 'ours timings (engine)');
  if (opts.metapixel) dHead.push('mp output', 'mp MB', 'metapixel s', 'convert s', 'convert RSS MB');
  const dRows = targets.map((t) => {
    const cells = [t.name];
    if (opts.ours) {
      const e = rows[t.name].ours,
        j = e.json ?? {};
      const timings = j.timings
        ? Object.entries(j.timings)
            .map(([k, v]) => `${k} ${typeof v === 'number' ? +v.toFixed(3) : JSON.stringify(v)}`)
            .join(', ')
        : '–';
      cells.push(
        j.output ? `${j.output.width}x${j.output.height}` : '–',
        fmt(mb(mb(j.output?.bytes ?? fileSize(e.file))), 1),
        j.grid ? `${j.grid.cols}x${j.grid.rows}` : '–',
        `${j.distinctTiles ?? '–'} / ${j.maxUses ?? '–'}`,
        timings,
      );
    }
    if (opts.metapixel) {
      const e = rows[t.name].metapixel;
      cells.push(
        e.q ? e.q.mosaic_size.join('x') : '–',
        fmt(mb(mb(fileSize(e.file))), 1),
        fmt(e.mpWall),
        fmt(e.thumbWall),
        fmt(mb(e.thumbRssKb), 1),
      );
    }
    return cells;
  });
  md.push(`Details (${cfg.key} px):`, '', mdTable(dHead, dRows), '');
  if (opts.reps > 1) {
    md.push(
      `Wall times of each rep (s): ${targets.map((t) => `${t.name} ${ENGINES.map((e) => `${SHORT[e]} [${rows[t.name][e].walls.map((w) => fmt(w)).join(', ')}]`).join(' ')}`).join('; ')}`,
      '',
    );
  }
}

if (both) {
  md.push('## Targets', '');
  for (const c of criteria) md.push(`- ${c.pass ? '**PASS**' : '**FAIL**'} ${c.name}: ${c.detail}`);
  md.push('', `${criteria.filter((c) => c.pass).length}/${criteria.length} criteria met.`, '');
}
md.push('Commands (one at a time, each under `/usr/bin/time -v`, from the project root):', '');
if (opts.ours)
  md.push(
    `- ours: \`${lib.ours.cmdline}\`, then per target \`${results[opts.configs[0].key][targets[0].name].ours.cmdline}\``,
  );
if (opts.metapixel)
  md.push(
    `- metapixel (HOME=${rel(MP_HOME)}): \`${lib.metapixel.cmdline}\`, then per target \`${results[opts.configs[0].key][targets[0].name].metapixel.cmdline}\``,
  );
md.push(
  `- quality: \`node ${rel(path.join(SHARED, 'mosaic-quality.mjs'))} TARGET MOSAIC --cell 64|32 --coarse ${COARSE}\` (after all timings)`,
  '',
);

const text = md.join('\n');
fs.writeFileSync(path.join(OUT, 'engine-results.md'), text);
fs.writeFileSync(
  path.join(OUT, 'engine-results.json'),
  JSON.stringify(
    { command: thisCommand(), machine: info, fingerprint, options: opts, libraries: lib, results, criteria },
    (k, v) => (k === 'stdout' || k === 'stderr' ? undefined : v),
    2,
  ),
);
process.stdout.write(text + '\n');
log(`bench/engine: results in ${rel(path.join(OUT, 'engine-results.md'))}`);
