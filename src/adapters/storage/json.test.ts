import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import type { Storage } from '../../ports.js';
import { DiskStorage } from './disk.js';
import { getJson } from './json.js';

const root = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-json-'));
after(() => rm(root, { recursive: true, force: true }));

test('a JSON object caught half-written is read again; one that never parses is a clear error', async () => {
  const disk = new DiskStorage(root);
  await disk.ensureBucket('b');
  await disk.put('b', 'status.json', Buffer.from('{"state":"done"}'));
  let torn = 2;
  const racing = Object.assign(Object.create(disk) as Storage, {
    get: async (bucket: string, key: string) => (torn-- > 0 ? Buffer.from('{"state":"ren') : disk.get(bucket, key)),
  });
  assert.deepEqual(await getJson(racing, 'b', 'status.json', { retryDelaysMs: [1, 1, 1] }), { state: 'done' });
  assert.equal(torn, -1, 'read three times');
  assert.equal(await getJson(disk, 'b', 'none.json'), undefined);

  await disk.put('b', 'bad.json', Buffer.from('not json'));
  await assert.rejects(getJson(disk, 'b', 'bad.json', { retryDelaysMs: [1] }), /b\/bad\.json is not valid JSON/);
  await assert.rejects(
    getJson(disk, 'b', 'bad.json', { retryDelaysMs: [], damaged: (m) => new RangeError(m) }),
    RangeError,
  );
});
