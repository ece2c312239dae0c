import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DiskStorage } from '../../src/adapters/storage/disk.js';
import { mosaicme } from './cli.js';
import { freePort } from './net.js';
import { apiClient, startMosaicme, type Running } from './pipeline.js';

export type SocialServe = Awaited<ReturnType<typeof serveWithNetwork>>;

/**
 * `mosaicme serve` on embedded defaults (a small demo library first, as the embedded test does)
 * with a social network configured by `env`, plus what the end-to-end tests look at: the API,
 * the storage and queue folders, and a poll-until helper that shows the server's log on timeout.
 */
export async function serveWithNetwork(env: Record<string, string>) {
  const data = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-social-e2e-'));
  const port = await freePort();
  const r = await mosaicme(['tiles', 'demo', path.join(data, 'library'), '--count', '400', '--size', '32']);
  assert.equal(r.code, 0, r.stderr);
  const server: Running = await startMosaicme(['serve'], {
    PORT: String(port),
    DATA_DIR: data,
    GALLERY_URL: 'https://gallery.example',
    TILE_HASHTAGS: 'sunset',
    ...env,
  });
  const until = async (what: string, ok: () => boolean | Promise<boolean>, ms = 30_000) => {
    const end = Date.now() + ms;
    while (!(await ok())) {
      if (Date.now() > end) assert.fail(`timed out waiting for ${what}\n${server.log()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const client = apiClient(port);
  return {
    data,
    server,
    client,
    until,
    storage: new DiskStorage(path.join(data, 'storage')),
    /** Tiles in the running server's library (its library stage grows it from the raw bucket). */
    libraryTiles: async () =>
      (JSON.parse(await readFile(path.join(data, 'library', 'library.json'), 'utf8')) as { count: number }).count,
    /** Waits until request `id` exists and is done (or failed); returns its state. */
    finished: async (id: string) => {
      await until(`request ${id}`, async () => (await client.api(`/api/requests/${id}`)).status === 200);
      return client.waitFor(id, ['done', 'failed'], 90_000);
    },
    /** The gallery's entry of mosaic `id` and its thumbnail's bytes. */
    inGallery: async (id: string) => {
      const list = (await (await client.api('/mosaic/')).json()) as {
        mosaics: { id: string; username: string; url_small: string }[];
      };
      const entry = list.mosaics.find((m) => m.id === id);
      const thumbnail = entry && Buffer.from(await (await client.api(new URL(entry.url_small).pathname)).arrayBuffer());
      return { entry, thumbnail };
    },
    stop: async () => {
      server.child.kill('SIGKILL');
      await rm(data, { recursive: true, force: true });
    },
  };
}
