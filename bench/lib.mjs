// Shared helpers for the benchmark scripts: timed commands (/usr/bin/time -v), medians, Markdown.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const TIME = '/usr/bin/time';
export const CONVERT = '/usr/bin/convert'; // Debian's ImageMagick; a `convert` earlier in PATH may be a stand-in
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SHARED = path.resolve(ROOT, '../shared/bench');
// override: to bench another build. Timed makes run it as a person does, through its #! line (which
// sets the allocator's huge-pages tunable), not as `node bin/mosaicme.js`.
export const CLI = path.resolve(ROOT, process.env.MOSAICME_CLI || 'bin/mosaicme.js');
export const CORPUS = path.join(ROOT, 'bench/.cache/corpus');
export const BASELINE_FINGERPRINT = 'e6c411d760fc89a52bdfd9292ba4c5faa4f23ac38cbec0ffab988a89f66b5164';
export const NODE = process.execPath;

/** With --help or -h among the command's arguments: prints `usage` and exits. */
export function helpOnRequest(usage, argv = process.argv.slice(2)) {
  if (!argv.includes('--help') && !argv.includes('-h')) return;
  console.log(usage);
  process.exit(0);
}

/** The value after `--name` among the command's arguments, or `fallback`. */
export function option(name, fallback, argv = process.argv.slice(2)) {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
}

/** Path relative to the project root (every command runs there), for shorter command lines. */
export const rel = (p) => path.relative(ROOT, p) || '.';

export const log = (msg) => process.stderr.write(msg + '\n');
export function die(msg) {
  log(`bench/${path.basename(process.argv[1] ?? '')}: ${msg}`);
  process.exit(1);
}

/** Parse the report of GNU `time -v`. */
export function parseTimeV(text) {
  const num = (re) => {
    const m = text.match(re);
    return m ? Number(m[1]) : null;
  };
  const w = text.match(/Elapsed \(wall clock\) time \([^)]*\):\s*([\d:.]+)/);
  return {
    wall: w ? w[1].split(':').reduce((s, p) => s * 60 + Number(p), 0) : null,
    user: num(/User time \(seconds\):\s*([\d.]+)/),
    sys: num(/System time \(seconds\):\s*([\d.]+)/),
    rssKb: num(/Maximum resident set size \(kbytes\):\s*(\d+)/),
    exit: num(/Exit status:\s*(\d+)/),
    signal: num(/Command terminated by signal (\d+)/),
  };
}

export function shellQuote(s) {
  s = String(s);
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
export const shellJoin = (argv) => argv.map(shellQuote).join(' ');

/** Split a string into arguments, honouring single and double quotes (for --extra). */
export function splitArgs(str) {
  const out = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  let m;
  while ((m = re.exec(str ?? ''))) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? m[3]));
  return out;
}

let seq = 0;
const shownCmd = (cmd) => (cmd === NODE ? 'node' : cmd === CLI ? rel(CLI) : cmd);

/**
 * Run CMD ARGS alone under `/usr/bin/time -v`, from the project root.
 * Returns { ok, rc, wall, user, sys, rssKb, stdout, stderr, cmdline }. Never throws.
 * With `logBase`, stdout/stderr/time report are kept as logBase.{out,err,time}.
 */
export function timed(cmd, args, { env, logBase } = {}) {
  const tf = path.join(os.tmpdir(), `mosaicme-bench-${process.pid}-${seq++}.time`);
  const cmdline = shellJoin([shownCmd(cmd), ...args]);
  const r = spawnSync(TIME, ['-v', '-o', tf, cmd, ...args], {
    cwd: ROOT,
    env: env ?? process.env,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const report = fs.existsSync(tf) ? fs.readFileSync(tf, 'utf8') : '';
  fs.rmSync(tf, { force: true });
  const t = parseTimeV(report);
  const stdout = r.stdout ?? '',
    stderr = (r.stderr ?? '') + (r.error ? `\n${r.error.message}` : '');
  if (logBase) {
    fs.mkdirSync(path.dirname(logBase), { recursive: true });
    fs.writeFileSync(`${logBase}.out`, stdout);
    fs.writeFileSync(`${logBase}.err`, stderr);
    fs.writeFileSync(`${logBase}.time`, `${cmdline}\n${report}`);
  }
  const rc = r.error ? -1 : t.signal ? 128 + t.signal : (r.status ?? -1);
  return { ok: rc === 0, rc, ...t, stdout, stderr, cmdline };
}

/** Run a command untimed (quality metrics etc.). */
export function run(cmd, args, { env } = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, env: env ?? process.env, encoding: 'utf8', maxBuffer: 1 << 28 });
  return {
    ok: r.status === 0,
    rc: r.status ?? -1,
    stdout: r.stdout ?? '',
    stderr: (r.stderr ?? '') + (r.error ? r.error.message : ''),
    cmdline: shellJoin([shownCmd(cmd), ...args]),
  };
}

export const tail = (text, n = 12) =>
  text
    .trimEnd()
    .split('\n')
    .slice(-n)
    .map((l) => `    ${l}`)
    .join('\n');

/** Print a failed command with the tail of its stderr. */
export function reportFailure(r, what = '') {
  log(`  FAILED${what ? ` (${what})` : ''}: exit ${r.rc}: ${r.cmdline}`);
  const t = tail(r.stderr || r.stdout);
  if (t.trim()) log(t);
}

/** The JSON object printed on stdout (tolerates log lines before it). */
export function parseJsonOut(stdout) {
  const s = stdout.trim();
  try {
    return JSON.parse(s);
  } catch {
    /* fall through */
  }
  const lines = s.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    if (!lines[i].startsWith('{')) continue;
    try {
      return JSON.parse(lines.slice(i).join('\n'));
    } catch {
      /* keep looking */
    }
  }
  return null;
}

export const which = (cmd) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', cmd], { encoding: 'utf8' }).status === 0;

export function median(xs) {
  const a = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((p, q) => p - q);
  if (!a.length) return null;
  return a.length % 2 ? a[(a.length - 1) / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
}
export const max = (xs) => {
  const a = xs.filter((x) => typeof x === 'number' && Number.isFinite(x));
  return a.length ? Math.max(...a) : null;
};

export const fmt = (v, d = 2) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(d));
export const mb = (kb) => (kb === null || kb === undefined ? null : kb / 1024);

/** Markdown table; the first column is left-aligned, the others right-aligned. */
export function mdTable(headers, rows) {
  return [
    `| ${headers.join(' | ')} |`,
    `|${headers.map((_, i) => (i ? '---:' : '---')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

/** Filter for names like "01-*,04-*" (matched against the file name with or without extension). */
export function globFilter(list) {
  if (!list) return () => true;
  const res = list
    .split(',')
    .filter(Boolean)
    .map(
      (g) =>
        new RegExp(
          `^${g
            .trim()
            .replace(/[.+^${}()|[\]\\]/g, '\\$&')
            .replace(/\*/g, '.*')
            .replace(/\?/g, '.')}$`,
        ),
    );
  return (file) => res.some((re) => re.test(file) || re.test(file.replace(/\.[^.]+$/, '')));
}

export function machineInfo() {
  const cpu = (() => {
    try {
      return fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] ?? os.cpus()[0]?.model;
    } catch {
      return os.cpus()[0]?.model;
    }
  })();
  const osName = (() => {
    try {
      return fs.readFileSync('/etc/os-release', 'utf8').match(/PRETTY_NAME="?([^"\n]*)/)?.[1];
    } catch {
      return os.type();
    }
  })();
  const git = run('git', ['rev-parse', '--short', 'HEAD']);
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    cpu,
    mem: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: `${osName}, kernel ${os.release()}`,
    node: process.version,
    commit: git.ok ? git.stdout.trim() : '?',
    loadavg: os.loadavg(),
  };
}

export function fileSize(f) {
  try {
    return fs.statSync(f).size;
  } catch {
    return null;
  }
}

/** The exact command line of this script, for the report header. */
export const thisCommand = () => shellJoin(['node', rel(process.argv[1]), ...process.argv.slice(2)]);

/** Exit with a clear message unless our CLI is built and starts. */
export function checkCli() {
  if (!fs.existsSync(TIME)) die(`${TIME} not found: apt-get install -y time`);
  if (!fs.existsSync(CLI)) die(`${rel(CLI)} not found: run \`npm run build\` first`);
  const r = run(NODE, [CLI, '--help']);
  if (!r.ok)
    die(
      `\`node ${rel(CLI)} --help\` failed (exit ${r.rc}); run \`npm run build\` first?\n${tail(r.stderr || r.stdout)}`,
    );
}

/** Build the corpus unless CORPUS/SHA256SUMS exists; returns its fingerprint (sha256 of SHA256SUMS). */
export function ensureCorpus() {
  const sums = path.join(CORPUS, 'SHA256SUMS');
  if (!fs.existsSync(sums)) {
    log(`building the corpus into ${rel(CORPUS)} (cached for later runs) ...`);
    const r = spawnSync('bash', [path.join(SHARED, 'make-corpus.sh'), CORPUS], { cwd: ROOT, stdio: ['ignore', 2, 2] });
    if (r.status !== 0) die('building the corpus failed (see above)');
  }
  return crypto.createHash('sha256').update(fs.readFileSync(sums)).digest('hex');
}

/** Header lines: exact command, machine, load. Warns on stderr when the machine is busy. */
export function headerLines(info) {
  const busy = info.loadavg[0] > 0.5;
  if (busy)
    log(`WARNING: load average ${info.loadavg[0].toFixed(2)} before the run: other processes may distort the timings`);
  return [
    `$ ${thisCommand()}`,
    `date: ${info.date}`,
    `nproc: ${info.nproc}`,
    `cpu: ${info.cpu}`,
    `mem: ${info.mem}`,
    `os: ${info.os}`,
    `node: ${info.node}`,
    `mosaicme commit: ${info.commit}`,
    `load average at start: ${info.loadavg.map((x) => x.toFixed(2)).join(' ')}${busy ? '  (busy: timings may be distorted)' : ''}`,
  ];
}
