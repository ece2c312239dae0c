import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DiskStorage } from '../../src/adapters/storage/disk.js';
import { storedCursor } from '../../src/app/compose.js';
import type { SocialPost, Source, SourceCursor } from '../../src/ports.js';

/** Polls `cond` until it holds; fails naming `what` after `ms`. */
export async function until(what: string, cond: () => boolean, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** A started source (made with a log that is kept) and what it emitted and logged. */
export async function listenTo(
  make: (log: (line: string) => void) => Source,
  onPost?: (p: SocialPost) => Promise<void>,
) {
  const posts: SocialPost[] = [];
  const lines: string[] = [];
  const source = make((l) => lines.push(l));
  await source.start(async (p) => {
    await onPost?.(p);
    posts.push(p);
  });
  const ids = () => posts.map((p) => p.post.id);
  return { source, posts, lines, ids };
}

/** A source position kept as the collector keeps it (`storedCursor`), in a temporary disk storage. */
export async function tempCursor(name: string): Promise<{ cursor: SourceCursor; dispose: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `mosaicme-cursor-${name}-`));
  const storage = new DiskStorage(dir);
  await storage.ensureBucket('in');
  return { cursor: storedCursor(storage, 'in', name), dispose: () => rm(dir, { recursive: true, force: true }) };
}
