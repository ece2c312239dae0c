#!/usr/bin/env node
// Pipeline throughput: mosaics per minute with 1 and 2 engine workers, and the time from submit to
// done, over the machine's RabbitMQ and Redis with storage shared on disk.
//
//   node bench/pipeline.mjs [--requests 16] [--engines 1,2] [--library DIR]
//
// Each run starts `mosaicme worker web intake publish cache` and N `mosaicme worker engine`
// processes on fresh queues, submits the corpus targets round-robin (8000 px mosaics at the
// default settings), and waits until every request is done.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CORPUS, ROOT, checkCli, ensureCorpus, helpOnRequest, machineInfo, median } from './lib.mjs';

helpOnRequest('usage: node bench/pipeline.mjs [--requests 16] [--engines 1,2] [--library DIR]');

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const REQUESTS = Number(args.requests ?? 16);
const ENGINES = String(args.engines ?? '1,2')
  .split(',')
  .map(Number);
const AMQP = process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const REDIS = `${process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'}/8`;

checkCli();
ensureCorpus();
const library =
  args.library ??
  (fs.existsSync(path.join(ROOT, 'bench/.cache/out/lib-ours-large/library.json'))
    ? path.join(ROOT, 'bench/.cache/out/lib-ours-large')
    : null);
const targets = fs.readdirSync(path.join(CORPUS, 'targets')).map((f) => path.join(CORPUS, 'targets', f));

const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

function start(roles, env) {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/mosaicme.js'), 'worker', ...roles], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr.on('data', (d) => (log += d));
  return {
    child,
    log: () => log,
    ready: async () => {
      while (!log.includes('running:')) {
        if (child.exitCode !== null) throw new Error(`worker ${roles} exited:\n${log}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}

async function runWith(engines) {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'mosaicme-pipe-'));
  const port = await freePort();
  const id = randomUUID().slice(0, 8);
  const env = {
    PATH: process.env.PATH,
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: data,
    LIBRARY_DIR: library ?? path.join(data, 'library'),
    RABBITMQ_URL: AMQP,
    UPLOAD_RATE_LIMIT: '10000',
    REDIS_URL: REDIS,
    QUEUE_IN: `bench-${id}-in`,
    QUEUE_ENGINE: `bench-${id}-eng`,
    QUEUE_FINISH: `bench-${id}-finish`,
    QUEUE_DONE: `bench-${id}-done`,
    QUEUE_TILES: `bench-${id}-tiles`,
  };
  const procs = [start(['web', 'intake', 'publish', 'cache'], env)];
  await procs[0].ready();
  for (let i = 0; i < engines; i++) procs.push(start(['engine'], env));
  await Promise.all(procs.map((p) => p.ready()));
  const submitted = new Map();
  const t0 = Date.now();
  for (let i = 0; i < REQUESTS; i++) {
    const form = new FormData();
    form.append('photo', new Blob([fs.readFileSync(targets[i % targets.length])]), 'p.jpg');
    const res = await fetch(`http://127.0.0.1:${port}/api/requests`, { method: 'POST', body: form });
    const { id: rid } = await res.json();
    submitted.set(rid, Date.now());
  }
  const done = new Map();
  while (done.size < submitted.size) {
    for (const rid of submitted.keys()) {
      if (done.has(rid)) continue;
      const s = await (await fetch(`http://127.0.0.1:${port}/api/requests/${rid}`)).json();
      if (s.state === 'done' || s.state === 'failed') done.set(rid, { at: Date.now(), state: s.state });
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const wall = (Date.now() - t0) / 1000;
  // Each engine logs one line per job with where its time went (services/engine-stage.ts).
  const jobs = procs
    .slice(1)
    .map((p) =>
      [...p.log().matchAll(/job (\d+) ms \(engine (\d+), deep zoom (\d+), copies and store (\d+)\)/g)].map((m) =>
        m.slice(1).map(Number),
      ),
    );
  const warm = jobs.flatMap((j) => j.slice(1));
  const phase = (list, k) => (list.length ? median(list.map((j) => j[k])) : NaN);
  for (const p of procs) p.child.kill('SIGTERM');
  await Promise.all(procs.map((p) => new Promise((r) => (p.child.exitCode === null ? p.child.once('exit', r) : r()))));
  fs.rmSync(data, { recursive: true, force: true });
  const latencies = [...submitted].map(([rid, t]) => (done.get(rid).at - t) / 1000);
  const failed = [...done.values()].filter((d) => d.state === 'failed').length;
  return {
    engines,
    wall,
    perMinute: (REQUESTS / wall) * 60,
    latency: median(latencies),
    worst: Math.max(...latencies),
    failed,
    firstJob: median(jobs.filter((j) => j.length).map((j) => j[0][0])),
    perJob: [0, 1, 2, 3].map((k) => phase(warm, k)),
  };
}

const rows = [];
for (const n of ENGINES) {
  process.stderr.write(`pipeline: ${REQUESTS} requests, ${n} engine(s) ...\n`);
  rows.push(await runWith(n));
}
const lines = [
  '# MosaicMe pipeline throughput',
  '',
  '```',
  `$ node bench/pipeline.mjs --requests ${REQUESTS} --engines ${ENGINES.join(',')}`,
  ...Object.entries(machineInfo()).map(
    ([k, v]) => `${k}: ${Array.isArray(v) ? v.map((x) => x.toFixed(2)).join(' ') : v}`,
  ),
  `library: ${library ?? 'demo (made on first start)'}; RabbitMQ, Redis, storage on disk; 8000 px mosaics (corpus targets, default settings)`,
  '```',
  '',
  '| engines | requests | wall (s) | mosaics / minute | submit → done, median (s) | worst (s) | failed |',
  '|---:|---:|---:|---:|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| ${r.engines} | ${REQUESTS} | ${r.wall.toFixed(1)} | ${r.perMinute.toFixed(1)} | ${r.latency.toFixed(1)} | ${r.worst.toFixed(1)} | ${r.failed} |`,
  ),
  '',
  "Per job in the engine stage, from each engine's log (its first job, then the median of the warm ones, in ms):",
  '',
  '| engines | first job | warm job | of which: photo fetched, mosaic made | deep zoom made and stored | screen copies and images stored |',
  '|---:|---:|---:|---:|---:|---:|',
  ...rows.map(
    (r) => `| ${r.engines} | ${Math.round(r.firstJob)} | ${r.perJob.map((v) => Math.round(v)).join(' | ')} |`,
  ),
];
console.log(lines.join('\n'));
