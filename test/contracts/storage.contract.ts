import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Storage } from '../../src/ports.js';

/** The behaviour every Storage must have; runs unchanged against each implementation. */
export function describeStorageContract(name: string, make: () => Promise<Storage>): void {
  describe(`Storage contract: ${name}`, () => {
    let store: Storage;
    let tmp: string;
    const bucket = `contract-${randomUUID().slice(0, 8)}`;
    before(async () => {
      store = await make();
      tmp = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-storage-'));
      await store.ensureBucket(bucket);
      await store.ensureBucket(bucket); // twice is fine
    });
    after(async () => {
      await store.close();
      await rm(tmp, { recursive: true, force: true });
    });

    test('put, get and head round-trip bytes, content type and metadata', async () => {
      const body = randomBytes(5000);
      await store.put(bucket, 'mosaics/a.jpg', body, {
        contentType: 'image/jpeg',
        metadata: { username: 'alice', Network: 'x' },
      });
      assert.deepEqual(Buffer.from((await store.get(bucket, 'mosaics/a.jpg'))!), body);
      const info = await store.head(bucket, 'mosaics/a.jpg');
      assert.equal(info?.size, 5000);
      assert.equal(info?.contentType, 'image/jpeg');
      assert.deepEqual(info?.metadata, { username: 'alice', network: 'x' });
      assert.ok(info && Date.now() - info.lastModified.getTime() < 60_000);
    });

    test('a missing object is undefined, and deleting it is no error', async () => {
      assert.equal(await store.get(bucket, 'nope.jpg'), undefined);
      assert.equal(await store.head(bucket, 'nope.jpg'), undefined);
      await store.delete(bucket, 'nope.jpg');
    });

    test('overwrite replaces, delete removes', async () => {
      await store.put(bucket, 'x.txt', Buffer.from('one'));
      await store.put(bucket, 'x.txt', Buffer.from('two'), { metadata: { v: '2' } });
      assert.equal(Buffer.from((await store.get(bucket, 'x.txt'))!).toString(), 'two');
      assert.equal((await store.head(bucket, 'x.txt'))?.metadata.v, '2');
      await store.delete(bucket, 'x.txt');
      assert.equal(await store.get(bucket, 'x.txt'), undefined);
    });

    test('listing pages through every object under a prefix, in key order', async () => {
      const keys = Array.from({ length: 25 }, (_, i) => `list/${String(i).padStart(3, '0')}.jpg`);
      await Promise.all(keys.map((k) => store.put(bucket, k, Buffer.from(k))));
      await store.put(bucket, 'other/z.jpg', Buffer.from('z'));
      const seen: string[] = [];
      for await (const o of store.list(bucket, 'list/')) {
        seen.push(o.key);
        assert.equal(o.size, o.key.length);
      }
      assert.deepEqual(seen, keys);
      const all: string[] = [];
      for await (const o of store.list(bucket)) all.push(o.key);
      assert.ok(all.includes('other/z.jpg') && all.includes('mosaics/a.jpg') && all.length >= 27);
    });

    test('a large file goes up whole, with its metadata', async () => {
      const file = path.join(tmp, 'big.bin');
      const data = randomBytes(12 * 1024 * 1024);
      await writeFile(file, data);
      await store.putFile(bucket, 'big/one.bin', file, {
        contentType: 'application/octet-stream',
        metadata: { username: 'bob' },
      });
      const back = (await store.get(bucket, 'big/one.bin'))!;
      const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
      assert.equal(sha(back), sha(data));
      assert.equal((await store.head(bucket, 'big/one.bin'))?.metadata.username, 'bob');
    });
  });
}
