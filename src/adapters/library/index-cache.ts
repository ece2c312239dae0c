import { closeSync, fstatSync, openSync, readdirSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { indexFile } from './format.js';

/**
 * A saved index's file, whole, on shared memory (so the index it holds can go to worker threads
 * as it is); undefined if it is missing or larger than any index of the library could be.
 */
export function readIndexFile(dir: string, gen: number, variants: string, maxBytes: number): Uint8Array | undefined {
  const file = path.join(dir, indexFile(gen, variants));
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const size = fstatSync(fd).size;
    if (size > maxBytes) return undefined;
    const bytes = new Uint8Array(new SharedArrayBuffer(size));
    let at = 0;
    while (at < size) {
      const got = readSync(fd, bytes, at, size - at, at);
      if (got === 0) return undefined;
      at += got;
    }
    return bytes;
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes a saved index whole under a temporary name and renames it, so a reader never sees half
 * of one, and removes those of earlier generations. Best effort: a folder we may not write to (a
 * read-only library) only means the index is built each time.
 */
export function writeIndexFile(dir: string, gen: number, variants: string, chunks: Uint8Array[]): void {
  const file = path.join(dir, indexFile(gen, variants));
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, Buffer.concat(chunks));
    renameSync(tmp, file);
    // Indexes of earlier generations describe files that are gone.
    for (const name of readdirSync(dir)) {
      if (/^index-\d+-.*\.bin$/.test(name) && name.split('-')[1] !== String(gen)) {
        rmSync(path.join(dir, name), { force: true });
      }
    }
  } catch {
    rmSync(tmp, { force: true });
  }
}
