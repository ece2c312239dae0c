import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { PermanentError } from '../core/errors.js';
import { TileLibrary } from '../adapters/library/disk.js';
import { publishLibrary } from '../adapters/library/remote.js';
import type { Storage } from '../ports.js';
import { addTiles } from './tiles.js';

export type LibraryStageConfig = {
  /** Where tile photos arrive (the original's mosaic-raw). */
  bucketRaw: string;
  /** The shared library this stage alone writes. */
  libraryDir: string;
  /** This machine's copy of the raw bucket (`photos/`) and of what could not be used (`skipped/`). */
  rawDir: string;
  /** When set, the library is published there after each change, for engines on other machines. */
  publishBucket?: string;
};

export type LibraryStage = {
  /** Queue handler for `{ key }`: one photo just put in the raw bucket. */
  handler: (message: unknown) => Promise<void>;
  /** Brings the library up to the whole raw bucket (photos put there without a message, or missed). */
  sync: () => Promise<void>;
};

const SAFE_KEY = /^(?!\/)(?!.*(^|\/)\.\.?(\/|$))[\w.\-/@+=]{1,512}$/;

/**
 * The library stage: keeps one tile library in step with the raw bucket, as the original's "sync
 * raw" kept the engine's tile folder, but incrementally: a new photo is prepared once, when it
 * arrives, never again per job. Work is serialised in this process; the library's folder lock
 * keeps other processes out. A photo that cannot be used is skipped once, with its reason.
 */
export function libraryStage(
  deps: { storage: Storage; log: (line: string) => void },
  cfg: LibraryStageConfig,
): LibraryStage {
  const photos = path.join(cfg.rawDir, 'photos');
  const skipped = path.join(cfg.rawDir, 'skipped');
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(fn);
    chain = run.catch(() => {});
    return run;
  };

  /** Downloads the keys not yet here. */
  const fetchKeys = async (keys: readonly string[]): Promise<void> => {
    for (const key of keys) {
      const file = path.join(photos, key);
      if (existsSync(file) || existsSync(path.join(skipped, key))) continue;
      const body = await deps.storage.get(cfg.bucketRaw, key);
      if (!body) continue;
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(`${file}.part`, body);
      await fs.rename(`${file}.part`, file);
    }
  };

  let published = false;
  /** Adds the given photos (files or folders of this machine's copy) to the library. */
  const index = async (inputs: readonly string[]): Promise<void> => {
    const bad: [file: string, reason: string][] = [];
    const summary = await addTiles(await TileLibrary.open(cfg.libraryDir), inputs, {
      onSkip: (file, reason) => bad.push([file, reason]),
    });
    for (const [file, reason] of bad) {
      const key = path.relative(photos, file);
      deps.log(`library: skipped ${cfg.bucketRaw}/${key}: ${reason}`);
      const marker = path.join(skipped, key);
      await fs.mkdir(path.dirname(marker), { recursive: true });
      await fs.writeFile(marker, `${reason}\n`);
      await fs.rm(file, { force: true });
    }
    if (summary.added > 0) deps.log(`library: ${summary.added} tiles added, ${summary.count} in all`);
    if (cfg.publishBucket && (summary.added > 0 || !published)) {
      const m = await publishLibrary(cfg.libraryDir, deps.storage, cfg.publishBucket);
      deps.log(`library: ${m.count} tiles published to ${cfg.publishBucket}`);
      published = true;
    }
  };

  return {
    handler: async (message) => {
      const key = (message as { key?: unknown } | null)?.key;
      if (typeof key !== 'string' || !SAFE_KEY.test(key))
        throw new PermanentError(
          'INVALID_MESSAGE',
          'malformed tiles job: needs { "key": "<object key in the raw bucket>" }',
        );
      await serial(async () => {
        await fs.mkdir(photos, { recursive: true });
        await fetchKeys([key]);
        // Only this photo: the periodic sync walks the whole copy (and so catches up after a crash).
        const file = path.join(photos, key);
        if (existsSync(file)) await index([file]);
      });
    },
    sync: () =>
      serial(async () => {
        await fs.mkdir(photos, { recursive: true });
        const keys: string[] = [];
        for await (const o of deps.storage.list(cfg.bucketRaw)) if (SAFE_KEY.test(o.key)) keys.push(o.key);
        await fetchKeys(keys);
        await index([photos]);
      }),
  };
}
