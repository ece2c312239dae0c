import { closeSync, openSync, promises as fs, readSync } from 'node:fs';
import path from 'node:path';
import { MosaicError } from '../../core/errors.js';
import type { Storage } from '../../ports.js';
import { getJson } from '../storage/json.js';
import { appendAt, lockFolder } from './disk.js';
import { HEADER_FILE, featureFile, pixelFile, type LibraryHeader } from './format.js';

/**
 * A tile library shared through object storage, so engines on many machines use the one library
 * the library stage grows. The library's data files only grow, so it travels as segments: each
 * publish uploads the tiles added since the last one, then a new manifest. An engine's mirror
 * downloads only the segments it lacks. Removing tiles starts a new generation, published whole.
 *
 *   manifest.json                      the manifest below (written last: readers see whole segments)
 *   g<gen>/<from>-<to>.rgb|.f32        tile pixels and features of tiles [from, to)
 *   g<gen>/header-<count>.json         library.json as of `count` tiles
 */
export type LibraryManifest = {
  format: 'mosaicme-library-manifest';
  version: 1;
  /** The library's createdAt: a mirror made from another library is replaced, not extended. */
  createdAt: string;
  generation: number;
  tileSize: number;
  featureGrid: number;
  count: number;
  updatedAt: string;
  header: string;
  segments: { from: number; to: number; pixels: string; features: string }[];
};

export const MANIFEST_KEY = 'manifest.json';
const MAX_SEGMENTS = 50;

/** The published manifest (a half-written one is read again: see `getJson`). */
export async function readManifest(
  storage: Storage,
  bucket: string,
  retryDelaysMs?: readonly number[],
): Promise<LibraryManifest | undefined> {
  const m = await getJson<LibraryManifest>(storage, bucket, MANIFEST_KEY, {
    retryDelaysMs,
    damaged: (message) => new MosaicError('LIBRARY_CORRUPT', message),
  });
  if (m && (m.format !== 'mosaicme-library-manifest' || m.version !== 1))
    throw new MosaicError(
      'LIBRARY_CORRUPT',
      `${bucket}/${MANIFEST_KEY} is not a MosaicMe library manifest this version reads`,
    );
  return m;
}

function readRange(file: string, offset: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  const fd = openSync(file, 'r');
  try {
    if (readSync(fd, out, 0, length, offset) !== length) throw new Error(`${file} is shorter than its header says`);
  } finally {
    closeSync(fd);
  }
  return out;
}

/**
 * Publishes what the local library holds beyond the published manifest. Returns the new manifest
 * (or the old one when nothing changed). Call with the library's lock held or from its only writer.
 */
export async function publishLibrary(dir: string, storage: Storage, bucket: string): Promise<LibraryManifest> {
  const header = JSON.parse(await fs.readFile(path.join(dir, HEADER_FILE), 'utf8')) as LibraryHeader;
  const old = await readManifest(storage, bucket);
  const sameGen =
    old?.createdAt === header.createdAt && old.generation === header.generation && old.count <= header.count;
  if (sameGen && old.count === header.count) return old;
  // Many small segments make a fresh mirror slow: now and then they are merged into one.
  const extend = sameGen && old.segments.length < MAX_SEGMENTS;
  const from = extend ? old.count : 0;
  const to = header.count;
  const gen = header.generation;
  const tileBytes = header.tileSize ** 2 * 3;
  const featBytes = header.featureGrid ** 2 * 3 * 4;
  const seg = { from, to, pixels: `g${gen}/${from}-${to}.rgb`, features: `g${gen}/${from}-${to}.f32` };
  const put = (key: string, body: Uint8Array, contentType = 'application/octet-stream') =>
    storage.put(bucket, key, body, { contentType });
  if (to > from) {
    await put(seg.pixels, readRange(path.join(dir, pixelFile(gen)), from * tileBytes, (to - from) * tileBytes));
    await put(seg.features, readRange(path.join(dir, featureFile(gen)), from * featBytes, (to - from) * featBytes));
  }
  const headerKey = `g${gen}/header-${to}.json`;
  await put(headerKey, Buffer.from(JSON.stringify(header)), 'application/json');
  const manifest: LibraryManifest = {
    format: 'mosaicme-library-manifest',
    version: 1,
    createdAt: header.createdAt,
    generation: gen,
    tileSize: header.tileSize,
    featureGrid: header.featureGrid,
    count: to,
    updatedAt: header.updatedAt,
    header: headerKey,
    segments: [...(extend ? old.segments : []), ...(to > from ? [seg] : [])],
  };
  await put(MANIFEST_KEY, Buffer.from(JSON.stringify(manifest)), 'application/json');
  // Superseded objects go once the manifest no longer points at them.
  if (old && old.header !== headerKey) await storage.delete(bucket, old.header);
  const kept = new Set(manifest.segments.flatMap((x) => [x.pixels, x.features]));
  for (const x of old?.segments ?? [])
    for (const key of [x.pixels, x.features]) if (!kept.has(key)) await storage.delete(bucket, key);
  return manifest;
}

/** The header of the published library (its tiles' sources and times), or undefined before the first publish. */
export async function readPublishedHeader(storage: Storage, bucket: string): Promise<LibraryHeader | undefined> {
  const m = await readManifest(storage, bucket);
  return m && getJson<LibraryHeader>(storage, bucket, m.header);
}

async function localHeader(dir: string): Promise<LibraryHeader | undefined> {
  const text = await fs.readFile(path.join(dir, HEADER_FILE), 'utf8').catch(() => undefined);
  return text ? (JSON.parse(text) as LibraryHeader) : undefined;
}

async function writeAtomic(file: string, data: Uint8Array): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, data);
  await fs.rename(tmp, file);
}

export type MirrorResult = 'absent' | 'current' | 'updated';

/**
 * Brings a local folder up to the published library: downloads the segments it lacks, appends
 * them, then commits the header, following the library format's rules, so a reader of the folder
 * always sees a whole library. 'absent': nothing is published yet.
 */
export async function mirrorLibrary(storage: Storage, bucket: string, dir: string): Promise<MirrorResult> {
  const m = await readManifest(storage, bucket);
  if (!m) return 'absent';
  const before = await localHeader(dir);
  const same = (h?: LibraryHeader): h is LibraryHeader => h?.createdAt === m.createdAt && h.generation === m.generation;
  if (same(before) && before.count === m.count) return 'current';
  await fs.mkdir(dir, { recursive: true });
  const release = await lockWaiting(dir);
  try {
    // Read again under the lock: another process on this machine may have mirrored it meanwhile.
    const local = await localHeader(dir);
    if (same(local) && local.count === m.count) return 'current';
    const have = same(local) && local.count < m.count ? local.count : 0;
    const tileBytes = m.tileSize ** 2 * 3;
    const featBytes = m.featureGrid ** 2 * 3 * 4;
    for (const s of m.segments) {
      if (s.to <= have) continue;
      const [pix, feat] = await Promise.all([storage.get(bucket, s.pixels), storage.get(bucket, s.features)]);
      if (!pix || !feat) throw new MosaicError('LIBRARY_CORRUPT', `${bucket}: segment ${s.from}-${s.to} is missing`);
      const skip = Math.max(0, have - s.from);
      await appendAt(
        path.join(dir, pixelFile(m.generation)),
        (s.from + skip) * tileBytes,
        pix.subarray(skip * tileBytes),
      );
      await appendAt(
        path.join(dir, featureFile(m.generation)),
        (s.from + skip) * featBytes,
        feat.subarray(skip * featBytes),
      );
    }
    const header = await storage.get(bucket, m.header);
    if (!header) throw new MosaicError('LIBRARY_CORRUPT', `${bucket}: ${m.header} is missing`);
    await writeAtomic(path.join(dir, HEADER_FILE), header);
    if (local && local.generation !== m.generation) {
      await fs.rm(path.join(dir, pixelFile(local.generation)), { force: true });
      await fs.rm(path.join(dir, featureFile(local.generation)), { force: true });
    }
  } finally {
    await release();
  }
  return 'updated';
}

async function lockWaiting(dir: string, ms = 120_000): Promise<() => Promise<void>> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await lockFolder(dir);
    } catch (err) {
      if (!(err instanceof MosaicError && err.code === 'LIBRARY_LOCKED') || Date.now() > end) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
