import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
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

test('S3: a download cut off mid-body is read again, and a store that keeps cutting off fails clearly', async () => {
  // A proxy in front of the real store that cuts the next `cuts` object bodies off halfway.
  let cuts = 0;
  const proxy = http.createServer((req, res) => {
    const up = http.request(new URL(req.url!, s3.endpoint), { method: req.method, headers: req.headers }, (ur) => {
      const chunks: Buffer[] = [];
      ur.on('data', (c: Buffer) => chunks.push(c));
      ur.on('end', () => {
        const body = Buffer.concat(chunks);
        res.writeHead(ur.statusCode!, ur.headers);
        if (req.method === 'GET' && ur.statusCode === 200 && body.length > 1 && cuts > 0) {
          cuts--;
          res.write(body.subarray(0, body.length >> 1), () => res.socket?.destroy());
        } else res.end(body);
      });
    });
    req.pipe(up);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const store = s3Store({ endpoint: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` });
  try {
    await store.ensureBucket('flaky');
    const body = Buffer.alloc(64 * 1024, 7);
    await store.put('flaky', 'manifest.json', body);
    cuts = 1;
    assert.deepEqual(Buffer.from((await store.get('flaky', 'manifest.json'))!), body);
    assert.equal(cuts, 0, 'the proxy never cut a body off: the test tests nothing');
    cuts = 10;
    await assert.rejects(store.get('flaky', 'manifest.json'), (err: Error) =>
      /aborted|ECONNRESET|premature/i.test(`${err.message} ${(err as { code?: string }).code}`),
    );
    assert.equal(cuts, 7, 'read once and retried twice');
  } finally {
    await store.close();
    proxy.closeAllConnections();
    await new Promise((resolve) => proxy.close(resolve));
  }
});
