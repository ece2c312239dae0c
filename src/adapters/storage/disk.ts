import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ObjectInfo, PutOptions, Storage } from '../../ports.js';

/** Metadata of `a/b.jpg` is kept in `.meta/a/b.jpg.json` of the same bucket folder. */
const META = '.meta';

/**
 * Storage in a local folder: one sub-folder per bucket, one file per object. Each write goes to a
 * temporary file first and is renamed into place, so a crash never leaves half an object.
 */
export class DiskStorage implements Storage {
  constructor(private readonly root: string) {}

  private file(bucket: string, key: string): string {
    const base = path.resolve(this.root, bucket);
    const p = path.resolve(base, key);
    // Keys come from users in the end: none may climb out of its bucket.
    if (
      !p.startsWith(base + path.sep) ||
      key.split('/').some((s) => s === '' || s === '.' || s === '..' || s === META)
    ) {
      throw new Error(`Invalid object key ${JSON.stringify(key)}`);
    }
    return p;
  }

  private metaFile(bucket: string, key: string): string {
    return path.join(this.root, bucket, META, `${key}.json`);
  }

  async ensureBucket(bucket: string): Promise<void> {
    await fs.mkdir(path.join(this.root, bucket), { recursive: true });
  }

  async put(bucket: string, key: string, body: Uint8Array, opts: PutOptions = {}): Promise<void> {
    const file = this.file(bucket, key);
    await this.writeAtomic(this.metaFile(bucket, key), JSON.stringify(normalise(opts)));
    await this.writeAtomic(file, body);
  }

  async putFile(bucket: string, key: string, source: string, opts: PutOptions = {}): Promise<void> {
    const file = this.file(bucket, key);
    await this.writeAtomic(this.metaFile(bucket, key), JSON.stringify(normalise(opts)));
    const tmp = `${file}.${randomUUID()}.tmp`;
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.copyFile(source, tmp);
    await fs.rename(tmp, file);
  }

  private async writeAtomic(file: string, data: string | Uint8Array): Promise<void> {
    await fs.mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${randomUUID()}.tmp`;
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, file);
  }

  async get(bucket: string, key: string): Promise<Uint8Array | undefined> {
    return fs.readFile(this.file(bucket, key)).catch(missing);
  }

  async head(bucket: string, key: string): Promise<ObjectInfo | undefined> {
    const st = await fs.stat(this.file(bucket, key)).catch(missing);
    if (!st?.isFile()) return undefined;
    const meta = await this.readMeta(bucket, key);
    return { key, size: st.size, lastModified: st.mtime, contentType: meta.contentType, metadata: meta.metadata ?? {} };
  }

  private async readMeta(bucket: string, key: string): Promise<PutOptions> {
    const text = await fs.readFile(this.metaFile(bucket, key), 'utf8').catch(missing);
    return text ? (JSON.parse(text) as PutOptions) : {};
  }

  async *list(bucket: string, prefix = ''): AsyncIterable<ObjectInfo> {
    const base = path.join(this.root, bucket);
    const keys: string[] = [];
    const walk = async (dir: string, rel: string): Promise<void> => {
      const entries = await fs.readdir(dir, { withFileTypes: true }).catch(missing);
      for (const e of entries ?? []) {
        if (e.name === META && rel === '') continue;
        if (e.name.endsWith('.tmp')) continue;
        const key = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) await walk(path.join(dir, e.name), key);
        else if (e.isFile() && key.startsWith(prefix)) keys.push(key);
      }
    };
    await walk(base, '');
    keys.sort();
    for (const key of keys) {
      const st = await fs.stat(path.join(base, key)).catch(missing);
      if (st) yield { key, size: st.size, lastModified: st.mtime, metadata: {} };
    }
  }

  async delete(bucket: string, key: string): Promise<void> {
    await fs.rm(this.file(bucket, key), { force: true });
    await fs.rm(this.metaFile(bucket, key), { force: true });
  }

  async url(): Promise<string | undefined> {
    return undefined;
  }

  async close(): Promise<void> {}
}

function normalise(opts: PutOptions): PutOptions {
  const metadata = Object.fromEntries(Object.entries(opts.metadata ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  return { contentType: opts.contentType, metadata };
}

function missing(err: NodeJS.ErrnoException): undefined {
  if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return undefined;
  throw err;
}
