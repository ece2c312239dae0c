import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * A printer's hot folder on this machine (or a share mounted on it), as services/wall-hot-folder.ts
 * writes to it. Each file is written under a hidden temporary name that no printer takes for an
 * image (`.<name>.<random>.tmp`), flushed to disk and renamed into place in the same folder, which
 * is atomic: the printer sees the whole JPEG or nothing. The folder is created when missing.
 */
export class DiskHotFolder {
  constructor(readonly dir: string) {}

  async write(name: string, bytes: Uint8Array): Promise<void> {
    if (name !== path.basename(name) || name.startsWith('.'))
      throw new Error(`Invalid print file name ${JSON.stringify(name)}`);
    await fs.mkdir(this.dir, { recursive: true });
    const tmp = path.join(this.dir, `.${name}.${randomUUID()}.tmp`);
    try {
      const file = await fs.open(tmp, 'w');
      try {
        await file.writeFile(bytes);
        await file.sync();
      } finally {
        await file.close();
      }
      await fs.rename(tmp, path.join(this.dir, name));
    } catch (err) {
      await fs.rm(tmp, { force: true });
      throw err;
    }
  }
}
