import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { mosaicme, ROOT } from './cli.js';
import { raw } from './fixtures.js';
import { freePort } from './net.js';
import { apiClient, startMosaicme, type Running } from './pipeline.js';

/** Debian's chromium; tests never download a browser. */
export const CHROMIUM = '/usr/bin/chromium';
const SHOTS = path.join(ROOT, 'test-output', 'screenshots');

/** A headless chromium with a fresh profile. A missing chromium fails the test: it is not a reason to skip. */
export async function launchBrowser(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)`);
  const profile = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
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
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Makes `page` a phone's (or any screen's): CSS size, pixel density and touch, through the
 * DevTools protocol, since the persistent context of {@link launchBrowser} has one viewport.
 * `shot` saves what the screen shows ({@link screenshot} would undo the emulation).
 */
export async function emulateScreen(
  page: Page,
  s: { width: number; height: number; scale: number; mobile: boolean },
): Promise<{ shot: (name: string) => Promise<void> }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setDeviceMetricsOverride', {
    width: s.width,
    height: s.height,
    deviceScaleFactor: s.scale,
    mobile: s.mobile,
  });
  await cdp.send('Emulation.setTouchEmulationEnabled', { enabled: s.mobile, maxTouchPoints: s.mobile ? 5 : 0 });
  return {
    shot: async (name) => {
      await mkdir(SHOTS, { recursive: true });
      const { data } = await cdp.send('Page.captureScreenshot', { format: 'png' });
      await writeFile(path.join(SHOTS, `${name}.png`), Buffer.from(data, 'base64'));
    },
  };
}

/** Saves a full-page screenshot as test-output/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/** What went wrong in a page: script errors, console errors (CSP refusals among them) and dialogs. */
export function watch(page: Page): { errors: string[]; dialogs: string[] } {
  const seen = { errors: [] as string[], dialogs: [] as string[] };
  page.on('pageerror', (e) => seen.errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') seen.errors.push(`console: ${m.text()}`);
  });
  page.on('dialog', (d) => {
    seen.dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  return seen;
}

export type Gallery = {
  data: string;
  base: string;
  client: ReturnType<typeof apiClient>;
  server: Running;
  stop: () => Promise<void>;
};

/**
 * A real `mosaicme serve` on embedded defaults in a temporary folder, with a small demo library
 * (quick mosaics) and a cache rebuilt from storage every second.
 */
export async function startGallery(env: Record<string, string> = {}, port?: number): Promise<Gallery> {
  const data = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-browser-'));
  const library = path.join(data, 'library');
  const r = await mosaicme(['tiles', 'demo', library, '--count', '400', '--size', '32']);
  assert.equal(r.code, 0, r.stderr);
  port ??= await freePort();
  const server = await startMosaicme(['serve'], {
    PORT: String(port),
    DATA_DIR: data,
    LIBRARY_DIR: library,
    WAIT_TIME: '1',
    ...env,
  });
  return {
    data,
    base: `http://127.0.0.1:${port}`,
    client: apiClient(port),
    server,
    stop: async () => {
      server.child.kill('SIGKILL');
      await rm(data, { recursive: true, force: true });
    },
  };
}

/**
 * Finished mosaics written straight into the embedded store's output folders, as an engine would
 * leave them (both images, the requester in the metadata, made at `date`); the cache rebuild
 * picks them up. Quicker than making them, for tests about listing.
 */
export async function seedMosaics(
  data: string,
  mosaics: {
    id: string;
    username: string;
    date: Date;
    metadata?: Record<string, string>;
    /** Width and height of both images; 160×120 unless given. */
    size?: [number, number];
  }[],
): Promise<void> {
  const root = path.join(data, 'storage');
  for (const [i, m] of mosaics.entries()) {
    const [w, h] = m.size ?? [160, 120];
    const jpeg = await raw(w, h, i).jpeg().toBuffer();
    const meta = JSON.stringify({
      contentType: 'image/jpeg',
      metadata: { username: m.username, width: String(w), height: String(h), ...m.metadata },
    });
    for (const bucket of ['mosaic-outlarge', 'mosaic-outsmall']) {
      await mkdir(path.join(root, bucket, '.meta'), { recursive: true });
      await writeFile(path.join(root, bucket, '.meta', `${m.id}.jpg.json`), meta);
      const file = path.join(root, bucket, `${m.id}.jpg`);
      await writeFile(file, jpeg);
      await utimes(file, m.date, m.date);
    }
  }
}

/** Polls `check` until it is true or `ms` pass; fails with `what`. */
export async function eventually(what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
