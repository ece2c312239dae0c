import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { MosaicError, PermanentError } from '../../core/errors.js';
import { DEFAULT_DOWNLOAD, download, isPublicAddress } from './download.js';

let server: http.Server;
let base: string;
let port: number;
before(async () => {
  server = http.createServer((req, res) => {
    const u = new URL(req.url!, 'http://x');
    if (u.pathname === '/photo.jpg') {
      res.writeHead(200, { 'content-type': 'image/jpeg' }).end(Buffer.alloc(1000, 7));
    } else if (u.pathname === '/big') {
      res.writeHead(200); // no length: the limit must hold while streaming
      res.end(Buffer.alloc(3 * 1024 * 1024));
    } else if (u.pathname === '/redirect') {
      res.writeHead(302, { location: u.searchParams.get('to')! }).end();
    } else if (u.pathname === '/slow') {
      setTimeout(() => res.end('late'), 3000);
    } else if (u.pathname === '/oops') {
      res.writeHead(503).end();
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});
after(() => new Promise((r) => server.close(r)));

// Tests only ever reach this machine: the local server is allowed explicitly, everything else
// is refused before any connection is made.
const local = { ...DEFAULT_DOWNLOAD, allowHosts: ['127.0.0.1'], timeoutMs: 1000, maxBytes: 1024 * 1024 };
const code = (c: string, permanent: boolean) => (e: unknown) =>
  e instanceof MosaicError && e.code === c && e instanceof PermanentError === permanent;

test('public addresses are told apart from loopback, private and link-local ones', () => {
  for (const a of ['8.8.8.8', '2606:4700:4700::1111', '151.101.1.69']) assert.ok(isPublicAddress(a), a);
  for (const a of [
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '::1',
    'fe80::1',
    'fc00::1',
    '0.0.0.0',
    '::ffff:127.0.0.1',
    '100.64.0.1',
  ]) {
    assert.ok(!isPublicAddress(a), a);
  }
});

test('an allowed host is fetched', async () => {
  const r = await download(`${base}/photo.jpg`, local);
  assert.equal(r.bytes.length, 1000);
  assert.equal(r.contentType, 'image/jpeg');
});

test('loopback, private and link-local addresses are refused by default', async () => {
  for (const url of [
    `${base}/photo.jpg`,
    `http://localhost:${port}/photo.jpg`,
    'http://10.0.0.1/x.jpg',
    'http://169.254.169.254/latest/meta-data',
    'http://[::1]/x.jpg',
  ]) {
    await assert.rejects(download(url, { ...DEFAULT_DOWNLOAD, timeoutMs: 1000 }), code('UNSAFE_URL', true), url);
  }
  for (const url of ['file:///etc/passwd', 'ftp://example.com/a.jpg', 'not a url']) {
    await assert.rejects(download(url, local), code('UNSAFE_URL', true), url);
  }
});

test('a redirect to a non-public address is refused', async () => {
  const to = encodeURIComponent(`http://localhost:${port}/photo.jpg`);
  await assert.rejects(download(`${base}/redirect?to=${to}`, local), code('UNSAFE_URL', true));
  const toPrivate = encodeURIComponent('http://192.168.0.10/photo.jpg');
  await assert.rejects(download(`${base}/redirect?to=${toPrivate}`, local), code('UNSAFE_URL', true));
  const ok = await download(`${base}/redirect?to=${encodeURIComponent('/photo.jpg')}`, local);
  assert.equal(ok.bytes.length, 1000);
});

test('too large, missing, failing, slow and unreachable each end with a clear reason', async () => {
  await assert.rejects(
    download(`${base}/big`, local),
    (e: unknown) => code('DOWNLOAD_FAILED', true)(e) && /larger than 1 MiB/.test((e as Error).message),
  );
  await assert.rejects(
    download(`${base}/missing.jpg`, local),
    (e: unknown) => code('DOWNLOAD_FAILED', true)(e) && /answered 404/.test((e as Error).message),
  );
  await assert.rejects(download(`${base}/oops`, local), code('DOWNLOAD_FAILED', false));
  await assert.rejects(download(`${base}/slow`, local), code('DOWNLOAD_FAILED', false));
  await assert.rejects(download('http://127.0.0.1:1/photo.jpg', local), code('DOWNLOAD_FAILED', false));
});

test('with an image-host list, other hosts are refused', async () => {
  await assert.rejects(
    download(`${base}/photo.jpg`, { ...local, onlyHosts: ['pbs.twimg.com'] }),
    code('UNSAFE_URL', true),
  );
});
