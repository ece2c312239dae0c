#!/usr/bin/env node
// Web API throughput: req/s and latency of `/mosaic/` and `/api/mosaics?page=1` over a gallery of
// 1,000 cached mosaics, measured with autocannon against a real listening server.
//
//   node bench/web.mjs [--mosaics 1000] [--seconds 10] [--connections 50] [--no-write]
//
// The server runs in a child process (the embedded mode's adapters: memory cache, disk storage
// and queue in a temporary folder, the cache seeded directly), so the load generator does not
// share its event loop. The figures go to stdout and into the "Web" section of bench/RESULTS.md.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { helpOnRequest, machineInfo, option } from './lib.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
helpOnRequest('usage: node bench/web.mjs [--mosaics 1000] [--seconds 10] [--connections 50] [--no-write]');
const MOSAICS = Number(option('mosaics', 1000));
const SECONDS = Number(option('seconds', 10));
const CONNECTIONS = Number(option('connections', 50));
const TARGET = 5000;
// What a browser sends; the gallery list is sent brotli-compressed to such clients.
const BROWSER_ACCEPT = 'gzip, deflate, br, zstd';
const RUNS = [
  ['/mosaic/', 'br'],
  ['/mosaic/', 'identity'],
  ['/api/mosaics?page=1', 'identity'],
];

if (args[0] === '--serve') await serve(Number(args[1]));
else await measure();

/** The child: the app over embedded adapters, its cache holding MOSAICS mosaics. */
async function serve(count) {
  const dist = (p) => import(path.join(ROOT, 'dist', p));
  const [{ buildApp, urlFor }, { MemoryCache }, { DiskStorage }, { DiskQueue }, { RequestStatuses }, gallery] =
    await Promise.all([
      dist('web/app.js'),
      dist('adapters/cache/memory.js'),
      dist('adapters/storage/disk.js'),
      dist('adapters/queue/disk.js'),
      dist('services/requests.js'),
      dist('services/gallery-cache.js'),
    ]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mosaicme-bench-web-'));
  process.on('SIGTERM', () => {
    fs.rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
  const storage = new DiskStorage(path.join(dir, 'storage'));
  const queue = new DiskQueue(path.join(dir, 'queue'));
  const cache = new MemoryCache();
  const networks = ['x', 'mastodon', 'bluesky', undefined];
  const t0 = Date.now();
  const mosaics = Array.from({ length: count }, (_, i) => {
    const id = `bench${String(count - i).padStart(6, '0')}`;
    const network = networks[i % networks.length];
    return {
      id,
      url_small: `/files/mosaic-outsmall/${id}.jpg`,
      url_large: `/files/mosaic-outlarge/${id}.jpg`,
      username: `person${i}`,
      date: new Date(t0 - i * 60_000).toISOString(),
      ...(network ? { network, display_name: `Person ${i}`, profile_url: `https://example.org/@person${i}` } : {}),
      width: 8000,
      height: 6000,
    };
  });
  for (const m of mosaics) await cache.set(gallery.entryKey(m.id), JSON.stringify(m));
  await cache.set(gallery.ALL_KEY, JSON.stringify({ mosaics, size: mosaics.length }));
  const app = buildApp(
    { storage, queue, cache, statuses: new RequestStatuses({ storage, cache }, 'mosaic-in'), imaging: {} },
    {
      gallery: {
        buckets: { outLarge: 'mosaic-outlarge', outSmall: 'mosaic-outsmall' },
        cacheLife: 600,
        defaultUsername: 'mosaicme',
        urlFor: urlFor(storage),
        moderationBucket: 'mosaic-in',
      },
      bucketIn: 'mosaic-in',
      requestQueue: 'mosaic-in',
      queues: ['mosaic-in'],
      maxUploadBytes: 25 * 2 ** 20,
      maxUploadPixels: 50e6,
      uploadRateLimit: 10,
      imageOrigins: [],
      trustProxy: false,
      pages: { hashtag: 'mosaicme', siteUrl: 'http://127.0.0.1' },
    },
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  // The parent asks for the CPU time used, to tell the server's cost apart from the load generator's.
  process.on('message', () => process.send({ cpu: process.cpuUsage() }));
  process.send({ port: app.server.address().port });
}

async function measure() {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', String(MOSAICS)], { stdio: 'inherit' });
  const reply = () => new Promise((resolve) => child.once('message', resolve));
  const port = await Promise.race([
    reply().then((m) => m.port),
    new Promise((_, reject) => child.once('exit', (code) => reject(new Error(`the server exited (${code})`)))),
  ]);
  const cpu = async () => {
    child.send('cpu');
    const { user, system } = (await reply()).cpu;
    return user + system;
  };
  const rows = [];
  try {
    for (const [route, encoding] of RUNS) {
      const url = `http://127.0.0.1:${port}${route}`;
      const headers = encoding === 'br' ? { 'accept-encoding': BROWSER_ACCEPT } : {};
      const check = await fetch(url, { headers: { 'accept-encoding': encoding } });
      // fetch decodes compressed answers itself; content-length is what went over the wire.
      const bytes = Number(check.headers.get('content-length'));
      const body = await check.json();
      const count = (body.mosaics ?? []).length;
      process.stderr.write(`web: ${route} (${encoding}, ${count} mosaics in the answer) for ${SECONDS} s ...\n`);
      await autocannon({ url, headers, connections: 10, duration: 2 }); // warm-up
      const before = await cpu();
      const r = await autocannon({ url, headers, connections: CONNECTIONS, duration: SECONDS });
      const serverCpu = (await cpu()) - before;
      rows.push({
        route,
        encoding,
        count,
        bytes,
        rps: r.requests.average,
        p50: r.latency.p50,
        p99: r.latency.p99,
        errors: r.errors + r.non2xx + r.timeouts,
        cpuPerRequest: serverCpu / r.requests.total,
      });
    }
  } finally {
    child.kill('SIGTERM');
  }
  const info = machineInfo();
  const table = [
    '| route | encoding | mosaics in answer | bytes sent | req/s | p50 latency (ms) | p99 latency (ms) | errors | server CPU per request (µs) | req/s one server core could answer |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| \`${r.route}\` | ${r.encoding} | ${r.count} | ${(r.bytes / 1024).toFixed(0)} KiB | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} | ${r.errors} | ${Math.round(r.cpuPerRequest)} | ${Math.round(1e6 / r.cpuPerRequest)} |`,
    ),
  ];
  const mosaic = rows.find((r) => r.route === '/mosaic/' && r.encoding === 'br');
  const verdict =
    `Target ≥ ${TARGET} req/s for \`/mosaic/\` (as browsers ask for it, compressed): ${Math.round(mosaic.rps)} req/s, ` +
    `**${mosaic.rps >= TARGET ? 'PASS' : 'FAIL'}**. Load average at the end: ${os.loadavg()[0].toFixed(1)}.`;
  console.log([...table, '', verdict].join('\n'));
  if (args.includes('--no-write')) return;
  const section = [
    '## Web (`npm run bench:web`)',
    '',
    `\`node bench/web.mjs --mosaics ${MOSAICS} --seconds ${SECONDS} --connections ${CONNECTIONS}\` (run of ${info.date.slice(0, 10)}, commit ${info.commit}, ${info.nproc} cores, Node ${info.node}):`,
    `the server in its own process on the embedded adapters with ${MOSAICS} mosaics in the memory cache,`,
    `autocannon in this process with ${CONNECTIONS} connections for ${SECONDS} s per route after a 2 s warm-up.`,
    'Both cores are shared by the server, the load generator and whatever else runs on the machine; the',
    "last two columns are the server process's own CPU time per answer, which the rest of the machine moves less than req/s (it still varies between runs).",
    '',
    ...table,
    '',
    verdict,
    '',
  ].join('\n');
  const file = path.join(ROOT, 'bench', 'RESULTS.md');
  const text = fs.readFileSync(file, 'utf8');
  const start = text.indexOf('## Web (');
  const next = start < 0 ? -1 : text.indexOf('\n## ', start + 1);
  const updated =
    start < 0
      ? `${text.trimEnd()}\n\n${section}`
      : `${text.slice(0, start)}${section}${next < 0 ? '' : text.slice(next + 1)}`;
  // Formatted as the repository's check expects (prettier is a dev dependency).
  const prettier = await import('prettier');
  fs.writeFileSync(file, await prettier.format(updated, { ...(await prettier.resolveConfig(file)), filepath: file }));
  process.stderr.write('web: figures written to bench/RESULTS.md (section "Web")\n');
}
