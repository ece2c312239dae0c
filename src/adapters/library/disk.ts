import { createHash } from 'node:crypto';
import { closeSync, constants, openSync, promises as fs, readSync } from 'node:fs';
import path from 'node:path';
import { MosaicError } from '../../core/errors.js';
import { DEFAULT_FEATURE_GRID } from '../../core/features.js';
import type { FeatureSet } from '../../core/types.js';
import {
  HEADER_FILE,
  LIBRARY_FORMAT,
  LIBRARY_VERSION,
  featureFile,
  pixelFile,
  type LibraryHeader,
  type TileEntry,
} from './format.js';

export type NewTile = {
  id: string;
  source: string;
  bytes: number;
  mtimeMs: number;
  pixels: Uint8Array;
  features: Float32Array;
};

const corrupt = (dir: string, why: string) =>
  new MosaicError('LIBRARY_CORRUPT', `${dir}: not a readable tile library (${why})`);

type Head = Omit<LibraryHeader, 'tiles'>;

/**
 * The header's fields before its entries. `tiles` is written last, and a mosaic needs the counts,
 * not one entry per tile (10,000 entries are 1.3 MB of JSON, 50–90 ms to decode and parse here);
 * the entries are parsed when something asks for them. Undefined when the file is laid out
 * otherwise, and then it is parsed whole.
 */
function headOf(bytes: Buffer): Head | undefined {
  // `"tiles":` cannot occur inside a JSON string, where its quotes would be escaped.
  const at = bytes.indexOf('"tiles":');
  if (at < 0) return undefined;
  try {
    const head = JSON.parse(`${bytes.subarray(0, at).toString('utf8').replace(/,\s*$/, '')}}`) as Head;
    return head.format === LIBRARY_FORMAT && Number.isInteger(head.count) && Number.isInteger(head.generation)
      ? head
      : undefined;
  } catch {
    return undefined;
  }
}

/** The whole header, entries included, checked as far as JSON goes. */
function parseWhole(dir: string, file: Buffer): LibraryHeader {
  let whole: LibraryHeader;
  try {
    whole = JSON.parse(file.toString('utf8')) as LibraryHeader;
  } catch {
    throw corrupt(dir, `${HEADER_FILE} is not valid JSON`);
  }
  if (typeof whole !== 'object' || whole === null || whole.format !== LIBRARY_FORMAT)
    throw corrupt(dir, `${HEADER_FILE} is not a MosaicMe library header`);
  if (!Array.isArray(whole.tiles) || whole.tiles.length !== whole.count)
    throw corrupt(dir, 'entry count does not match');
  return whole;
}

/**
 * Fills `into` from the start of `file` with as few reads as the OS allows (`readFile` reads in
 * 512 KiB steps, each a trip through libuv's pool); the bytes read, 0 for a missing file.
 */
async function readInto(file: string, into: Float32Array): Promise<number> {
  const bytes = new Uint8Array(into.buffer, into.byteOffset, into.byteLength);
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  try {
    let at = 0;
    while (at < bytes.length) {
      const { bytesRead } = await fh.read(bytes, at, bytes.length - at, at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    return at;
  } finally {
    await fh.close();
  }
}

async function writeAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  const fh = await fs.open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fs.rename(tmp, file);
}

/**
 * A tile library in a folder. Open it with {@link TileLibrary.open} (or `create`); read features
 * and tile pixels; add or remove tiles while holding the folder's lock.
 */
export class TileLibrary {
  private constructor(
    readonly dir: string,
    private header: Head,
    private features: Float32Array,
    /** The entries, or the header file to parse them from on first use. */
    private tiles: TileEntry[] | { file: Buffer },
  ) {}

  private list(): TileEntry[] {
    if (Array.isArray(this.tiles)) return this.tiles;
    return (this.tiles = parseWhole(this.dir, this.tiles.file).tiles);
  }

  get tileSize(): number {
    return this.header.tileSize;
  }
  get count(): number {
    return this.header.count;
  }
  get grid(): number {
    return this.header.featureGrid;
  }
  get dims(): number {
    return this.header.featureGrid ** 2 * 3;
  }
  get info(): Omit<LibraryHeader, 'tiles'> {
    return { ...this.header };
  }
  entries(): readonly TileEntry[] {
    return this.list();
  }

  static async exists(dir: string): Promise<boolean> {
    return fs.access(path.join(dir, HEADER_FILE)).then(
      () => true,
      () => false,
    );
  }

  /** Opens an existing library; loads the header and the features (not the pixels). */
  static async open(dir: string): Promise<TileLibrary> {
    let file: Buffer;
    try {
      file = await fs.readFile(path.join(dir, HEADER_FILE));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new MosaicError(
          'EMPTY_LIBRARY',
          `${dir}: no tile library here (create one with: mosaicme tiles add ${dir} <photos>)`,
        );
      }
      throw err;
    }
    const head = headOf(file);
    const { tiles, ...header }: Head & { tiles: TileEntry[] | { file: Buffer } } = head
      ? { ...head, tiles: { file } }
      : parseWhole(dir, file);
    if (header.format !== LIBRARY_FORMAT) throw corrupt(dir, `${HEADER_FILE} is not a MosaicMe library header`);
    if (header.version !== LIBRARY_VERSION) {
      throw corrupt(dir, `format version ${header.version}; this MosaicMe reads version ${LIBRARY_VERSION}`);
    }
    const dims = header.featureGrid ** 2 * 3;
    const want = header.count * dims * 4;
    const aligned = new Float32Array(header.count * dims);
    const got = want === 0 ? 0 : await readInto(path.join(dir, featureFile(header.generation)), aligned);
    if (got < want) throw corrupt(dir, 'feature file is shorter than its header says');
    return new TileLibrary(dir, header, aligned, tiles);
  }

  /** Creates an empty library (or opens the one already there, which must have the same tile size). */
  static async create(dir: string, tileSize: number, grid = DEFAULT_FEATURE_GRID): Promise<TileLibrary> {
    if (await TileLibrary.exists(dir)) {
      const lib = await TileLibrary.open(dir);
      if (tileSize !== lib.tileSize) {
        throw new MosaicError(
          'LIBRARY_MISMATCH',
          `${dir} stores ${lib.tileSize} px tiles; its tile size is chosen when it is created (asked for ${tileSize})`,
        );
      }
      return lib;
    }
    await fs.mkdir(dir, { recursive: true });
    const now = new Date().toISOString();
    const header: Head = {
      format: LIBRARY_FORMAT,
      version: LIBRARY_VERSION,
      tileSize,
      featureGrid: grid,
      featureSpace: 'cielab-d65',
      generation: 1,
      count: 0,
      createdAt: now,
      updatedAt: now,
    };
    await writeAtomic(path.join(dir, HEADER_FILE), JSON.stringify({ ...header, tiles: [] }));
    return new TileLibrary(dir, header, new Float32Array(0), []);
  }

  /** The features of every tile, tile i at `data[i*dims]`. */
  featureSet(): FeatureSet {
    return { count: this.count, grid: this.grid, dims: this.dims, data: this.features };
  }

  /** Reads the pixels of the given tiles (size×size×3 each) without loading the rest. */
  async readPixels(tiles: Iterable<number>): Promise<Map<number, Uint8Array>> {
    const bytes = this.tileSize ** 2 * 3;
    const out = new Map<number, Uint8Array>();
    const wanted = [...new Set(tiles)].sort((a, b) => a - b);
    if (wanted.length === 0) return out;
    // Synchronous reads: the file is usually in the page cache, and thousands of small async
    // reads cost more in thread hand-offs than the copying itself.
    const fd = openSync(path.join(this.dir, pixelFile(this.header.generation)), 'r');
    try {
      const all = new Uint8Array(wanted.length * bytes);
      let i = 0;
      while (i < wanted.length) {
        let j = i + 1;
        while (j < wanted.length && wanted[j] === wanted[j - 1] + 1 && j - i < 256) j++;
        const len = (j - i) * bytes;
        const got = readSync(fd, all, i * bytes, len, wanted[i] * bytes);
        if (got !== len) throw corrupt(this.dir, 'pixel file is shorter than its header says');
        for (let k = i; k < j; k++) out.set(wanted[k], all.subarray(k * bytes, (k + 1) * bytes));
        i = j;
      }
    } finally {
      closeSync(fd);
    }
    return out;
  }

  /** Takes the folder's lock for a change; throws LIBRARY_LOCKED while another live process holds it. */
  lock(): Promise<() => Promise<void>> {
    return lockFolder(this.dir);
  }

  /**
   * Appends tiles and then commits the header. Call with the lock held. A crash before the commit
   * leaves the library as it was (the next append overwrites the partial bytes).
   */
  async append(tiles: readonly NewTile[]): Promise<void> {
    if (tiles.length === 0) return;
    const old = this.list();
    const size = this.tileSize;
    const bytes = size * size * 3;
    const dims = this.dims;
    const pix = Buffer.allocUnsafe(tiles.length * bytes);
    const feat = new Float32Array(tiles.length * dims);
    tiles.forEach((t, i) => {
      if (t.pixels.length !== bytes) throw new Error(`tile ${t.id} has ${t.pixels.length} bytes, expected ${bytes}`);
      pix.set(t.pixels, i * bytes);
      feat.set(t.features, i * dims);
    });
    const gen = this.header.generation;
    const n = this.count;
    await appendAt(path.join(this.dir, pixelFile(gen)), n * bytes, pix);
    await appendAt(path.join(this.dir, featureFile(gen)), n * dims * 4, new Uint8Array(feat.buffer));
    const now = Date.now();
    const entries: TileEntry[] = tiles.map((t) => [t.id, t.source, t.bytes, t.mtimeMs, pixelHash(t.pixels), now]);
    const header: Head = { ...this.header, count: n + tiles.length, updatedAt: new Date(now).toISOString() };
    const list = [...old, ...entries];
    await writeAtomic(path.join(this.dir, HEADER_FILE), JSON.stringify({ ...header, tiles: list }));
    const merged = new Float32Array(header.count * dims);
    merged.set(this.features);
    merged.set(feat, n * dims);
    this.header = header;
    this.tiles = list;
    this.features = merged;
  }

  /** Removes tiles by position, writing a new generation of the data files. Call with the lock held. */
  async remove(positions: ReadonlySet<number>): Promise<void> {
    if (positions.size === 0) return;
    const old = this.list();
    const keep = [...Array(this.count).keys()].filter((i) => !positions.has(i));
    const bytes = this.tileSize ** 2 * 3;
    const dims = this.dims;
    const oldGen = this.header.generation;
    const gen = oldGen + 1;
    const pixels = await this.readPixels(keep);
    const pix = Buffer.allocUnsafe(keep.length * bytes);
    const feat = new Float32Array(keep.length * dims);
    keep.forEach((i, k) => {
      pix.set(pixels.get(i)!, k * bytes);
      feat.set(this.features.subarray(i * dims, (i + 1) * dims), k * dims);
    });
    await writeAtomic(path.join(this.dir, pixelFile(gen)), pix);
    await writeAtomic(path.join(this.dir, featureFile(gen)), new Uint8Array(feat.buffer));
    const header: Head = { ...this.header, generation: gen, count: keep.length, updatedAt: new Date().toISOString() };
    const list = keep.map((i) => old[i]);
    await writeAtomic(path.join(this.dir, HEADER_FILE), JSON.stringify({ ...header, tiles: list }));
    this.header = header;
    this.tiles = list;
    this.features = feat;
    await fs.rm(path.join(this.dir, pixelFile(oldGen)), { force: true });
    await fs.rm(path.join(this.dir, featureFile(oldGen)), { force: true });
  }
}

/** Takes a library folder's lock; throws LIBRARY_LOCKED while another live process holds it. */
export async function lockFolder(dir: string): Promise<() => Promise<void>> {
  const file = path.join(dir, 'library.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await fs.open(file, 'wx');
      await fh.writeFile(String(process.pid));
      await fh.close();
      return () => fs.rm(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(await fs.readFile(file, 'utf8').catch(() => ''));
      const alive = pid > 0 && isAlive(pid);
      if (alive && pid !== process.pid) {
        throw new MosaicError('LIBRARY_LOCKED', `${dir} is being changed by process ${pid}; try again when it ends`);
      }
      await fs.rm(file, { force: true });
    }
  }
  throw new MosaicError('LIBRARY_LOCKED', `${dir}: could not take the lock`);
}

/** Writes `data` at `offset`, cutting off whatever a crashed run left beyond it. */
export async function appendAt(file: string, offset: number, data: Uint8Array): Promise<void> {
  const fh = await fs.open(file, constants.O_RDWR | constants.O_CREAT);
  try {
    await fh.truncate(offset);
    await fh.write(data, 0, data.length, offset);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** A short content hash of tile pixels, to spot the same picture arriving as different files. */
export function pixelHash(pixels: Uint8Array): string {
  return createHash('sha256').update(pixels).digest('hex').slice(0, 16);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
