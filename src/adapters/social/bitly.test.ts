import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { bitlyShortener } from './bitly.js';

/** A stand-in for api-ssl.bitly.com: `POST /v4/shorten` with a Bearer token answers a Bitlink. */
const seen: { auth?: string; body: string }[] = [];
let status = 200;
const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    seen.push({ auth: req.headers.authorization, body });
    if (req.method !== 'POST' || req.url !== '/v4/shorten') return void res.writeHead(404).end();
    if (req.headers.authorization !== 'Bearer bitly-token') return void res.writeHead(403).end();
    const { long_url } = JSON.parse(body) as { long_url: string };
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ link: 'https://bit.ly/3xYz', id: 'bit.ly/3xYz', long_url }));
  });
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
after(() => new Promise((r) => server.close(r)));
const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

test('a link is shortened with the v4 API and a Bearer token', async () => {
  assert.equal(
    await bitlyShortener({ token: 'bitly-token', apiUrl })('https://g.example/mosaics/x-1'),
    'https://bit.ly/3xYz',
  );
  assert.deepEqual(JSON.parse(seen[0].body), { long_url: 'https://g.example/mosaics/x-1' });
});

test('a refusal or an error answer is an error (the publish stage then uses the long link)', async () => {
  await assert.rejects(bitlyShortener({ token: 'wrong', apiUrl })('https://g.example/m'), /bit.ly answered 403/);
  status = 500;
  await assert.rejects(bitlyShortener({ token: 'bitly-token', apiUrl })('https://g.example/m'), /bit.ly answered 500/);
  await assert.rejects(
    bitlyShortener({ token: 'bitly-token', apiUrl: 'http://127.0.0.1:1' })('https://g.example/m'),
    /bit.ly unreachable/,
  );
});
