import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { DiskStorage } from '../../src/adapters/storage/disk.js';
import { S3Storage } from '../../src/adapters/storage/s3.js';
import { s3rverStorage, startS3rver } from '../helpers/s3rver.js';
import { describeStorageContract } from './storage.contract.js';

let s3: Awaited<ReturnType<typeof startS3rver>>;
let diskRoot: string;
before(async () => {
  s3 = await startS3rver();
  diskRoot = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-disk-'));
});
after(async () => {
  await s3?.stop();
  await rm(diskRoot, { recursive: true, force: true });
});

const s3Store = (over: Partial<ConstructorParameters<typeof S3Storage>[0]> = {}) =>
  s3rverStorage(s3.endpoint, { pageSize: 10, ...over });

describeStorageContract('disk', async () => new DiskStorage(diskRoot));
describeStorageContract('S3 (s3rver over HTTP)', async () => s3Store());

test('S3: a presigned URL serves the object to a plain HTTP client, and expires', async () => {
  const store = s3Store();
  await store.ensureBucket('urls');
  await store.put('urls', 'a.jpg', Buffer.from('pixels'), { metadata: { username: 'carol' } });
  const url = (await store.url('urls', 'a.jpg'))!;
  const r = await fetch(url);
  assert.equal(r.status, 200);
  assert.equal(await r.text(), 'pixels');
  assert.equal(r.headers.get('x-amz-meta-username'), 'carol');
  const short = (await store.url('urls', 'a.jpg', 1))!;
  await new Promise((res) => setTimeout(res, 2100));
  assert.equal((await fetch(short)).status, 403);
  await store.close();
});

test('disk: has no URLs, and keys cannot leave their bucket', async () => {
  const store = new DiskStorage(diskRoot);
  await store.ensureBucket('safe');
  assert.equal(await store.url(), undefined);
  for (const key of ['../escape.jpg', 'a/../../b', '/abs', '.meta/x.json', 'a//b']) {
    await assert.rejects(store.put('safe', key, Buffer.from('x')), /Invalid object key/, key);
  }
});
