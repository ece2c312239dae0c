#!/usr/bin/env node
// Home page speed: how long Debian's chromium takes, on localhost with an empty browser cache,
// from navigation to the 12 thumbnails of the first page all shown, over a gallery of 1,000
// mosaics (target: under 1 s). Prints the figures.
//
//   node bench/pages.mjs [--mosaics 1000] [--runs 10]
//
// A real `mosaicme serve` on embedded defaults in a temporary folder; the finished mosaics are
// written straight into its storage and picked up by the cache rebuild.
/* global document -- the functions given to page.waitForFunction run in the browser */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import sharp from 'sharp';
import { CLI, helpOnRequest, machineInfo, median, option } from './lib.mjs';

helpOnRequest('usage: node bench/pages.mjs [--mosaics 1000] [--runs 10]');

const opt = (name, fallback) => Number(option(name, fallback));
const MOSAICS = opt('mosaics', 1000);
const RUNS = opt('runs', 10);
const CHROMIUM = '/usr/bin/chromium';

const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mosaicme-bench-pages-'));
let server;
let browser;
try {
  const library = path.join(dir, 'library');
  const made = spawnSync(process.execPath, [CLI, 'tiles', 'demo', library, '--count', '100', '--size', '32'], {
    encoding: 'utf8',
  });
  if (made.status !== 0) throw new Error(made.stderr);

  const thumb = await sharp({ create: { width: 120, height: 90, channels: 3, background: '#c84' } })
    .jpeg()
    .toBuffer();
  const now = Date.now();
  for (const bucket of ['mosaic-outlarge', 'mosaic-outsmall']) {
    fs.mkdirSync(path.join(dir, 'storage', bucket, '.meta'), { recursive: true });
    for (let i = 0; i < MOSAICS; i++) {
      const id = `bench${String(i).padStart(5, '0')}`;
      const meta = { contentType: 'image/jpeg', metadata: { username: `user${i}`, width: '120', height: '90' } };
      fs.writeFileSync(path.join(dir, 'storage', bucket, '.meta', `${id}.jpg.json`), JSON.stringify(meta));
      const file = path.join(dir, 'storage', bucket, `${id}.jpg`);
      fs.writeFileSync(file, thumb);
      const t = new Date(now - i * 60_000);
      fs.utimesSync(file, t, t);
    }
  }

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  server = spawn(process.execPath, [CLI, 'serve'], {
    env: {
      PATH: process.env.PATH,
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: dir,
      LIBRARY_DIR: library,
      WAIT_TIME: '2',
    },
    stdio: 'ignore',
  });
  const end = Date.now() + 60_000;
  for (;;) {
    const total = await fetch(`${base}/api/mosaics?per_page=1`)
      .then((r) => r.json())
      .then((b) => b.total)
      .catch(() => 0);
    if (total === MOSAICS) break;
    if (Date.now() > end) throw new Error(`the gallery did not list ${MOSAICS} mosaics in time`);
    await new Promise((r) => setTimeout(r, 250));
  }

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  const shown = [];
  const firstCard = [];
  for (let run = 0; run < RUNS; run++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${base}/`, { waitUntil: 'commit' });
    await page.waitForFunction(() => {
      const imgs = [...document.querySelectorAll('#grid img')];
      return imgs.length === 12 && imgs.every((i) => i.complete && i.naturalWidth > 0);
    });
    shown.push(await page.evaluate(() => performance.now()));
    firstCard.push(
      await page.evaluate(
        () => performance.getEntriesByType('paint').find((e) => e.name === 'first-contentful-paint')?.startTime ?? NaN,
      ),
    );
    await context.close();
  }
  const info = machineInfo();
  console.log(
    `Home page over ${MOSAICS} mosaics, ${RUNS} loads with an empty cache (${info.nproc} × ${info.cpu}, load ${info.loadavg.map((l) => l.toFixed(1)).join(' ')}, commit ${info.commit})`,
  );
  console.log(`first contentful paint: median ${median(firstCard).toFixed(0)} ms`);
  console.log(
    `12 thumbnails shown:    median ${median(shown).toFixed(0)} ms, max ${Math.max(...shown).toFixed(0)} ms (target < 1000 ms)`,
  );
} finally {
  await browser?.close();
  server?.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
}
