import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { raw } from '../helpers/fixtures.js';

/**
 * A local Bluesky: a PDS answering the XRPC calls @atproto/api makes for the bot (createSession
 * without a didDoc, refreshSession, getSession, uploadBlob, createRecord, listRecords,
 * getProfile, resolveHandle, sync.getBlob), the CDN's image path, and a Jetstream `/subscribe`
 * WebSocket sending commit events in Jetstream's JSON shape, honouring `wantedCollections` and
 * replaying from `cursor`. CIDs are real CIDv1s (sha-256), record keys real TIDs, so the client's
 * response validation passes. Test hooks add posts, drop or refuse the stream, expire the access
 * token, answer 429 on demand, and record replies.
 */

type Json = Record<string, unknown>;
export type BlueskyPostOptions = {
  /** The author's handle; default `alice.bsky.social`. */
  author?: string;
  text?: string;
  /** Hashtags as tag facets (and in the text). */
  tags?: string[];
  /** Hashtags only written in the text, without facets. */
  textTags?: string[];
  images?: number;
  video?: boolean;
  mentionBot?: boolean;
  byBot?: boolean;
  /** Images beside a quoted post (`app.bsky.embed.recordWithMedia`). */
  quote?: boolean;
  /** The post answers this one (as root and parent). */
  replyTo?: { uri: string; cid: string };
};
export type BlueskyReply = {
  uri: string;
  text: string;
  reply: { root: { uri: string; cid: string }; parent: { uri: string; cid: string } };
  facets: Json[];
  images: { alt: string; bytes: Buffer; aspectRatio?: { width: number; height: number } }[];
};
export type BlueskyEvent = {
  did: string;
  time_us: number;
  kind: string;
  commit: { rev: string; operation: string; collection: string; rkey: string; record: Json; cid: string };
};

export type FakeBluesky = Awaited<ReturnType<typeof startFakeBluesky>>;

const B32 = 'abcdefghijklmnopqrstuvwxyz234567';
const SORTABLE = '234567abcdefghijklmnopqrstuvwxyz';
const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest();
function base32(bytes: Uint8Array): string {
  let out = '';
  let value = 0;
  let bits = 0;
  for (const b of bytes) {
    value = ((value << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return bits ? out + B32[(value << (5 - bits)) & 31] : out;
}
/** A CIDv1 (sha-256) of `data`: codec 0x71 (dag-cbor) for records, 0x55 (raw) for blobs. */
export const cidOf = (data: Uint8Array | string, codec = 0x71) =>
  `b${base32(Buffer.concat([Buffer.from([0x01, codec, 0x12, 0x20]), sha256(data)]))}`;
/** A TID: microseconds and a clock id in 13 sortable base-32 characters. */
const tid = (us: number) => {
  const n = (BigInt(us) << 10n) | 7n;
  return Array.from({ length: 13 }, (_, i) => SORTABLE[Number((n >> BigInt(5 * (12 - i))) & 31n)]).join('');
};
const didOf = (handle: string) => `did:plc:${base32(sha256(handle)).slice(0, 24)}`;
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

export async function startFakeBluesky(opts: { handle?: string; password?: string } = {}) {
  const handle = opts.handle ?? 'mosaicbot.bsky.social';
  const password = opts.password ?? 'app-pass-1234';
  const botDid = didOf(handle);
  const server = http.createServer();
  const wss = new WebSocketServer({ noServer: true });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let clock = Date.now() * 1000;
  const now = () => (clock = Math.max(clock + 1, Date.now() * 1000));
  let tokens = 0;
  const sessions = { access: new Set<string>(), refresh: new Set<string>() };
  const blobs = new Map<string, { bytes: Buffer; mimeType: string }>();
  const records = new Map<string, { uri: string; cid: string; value: Json }[]>();
  const events: BlueskyEvent[] = [];
  const streams = new Map<WebSocket, string[]>();
  const limits = new Map<string, { times: number; resetMs: number }>();
  const replies: BlueskyReply[] = [];
  const requests: { method: string; nsid: string }[] = [];
  const state = { refuseStreaming: false };
  const profileLookups = new Map<string, number>();

  const profiles = new Map<string, { did: string; handle: string }>();
  const actor = (h: string) => {
    if (!profiles.has(h)) profiles.set(h, { did: didOf(h), handle: h });
    return profiles.get(h)!;
  };
  actor(handle);

  const newSession = () => {
    const access = `access-${++tokens}`;
    const refresh = `refresh-${tokens}`;
    sessions.access.add(access);
    sessions.refresh.add(refresh);
    return { did: botDid, handle, accessJwt: access, refreshJwt: refresh, active: true, emailConfirmed: true };
  };

  const emit = (e: BlueskyEvent) => {
    events.push(e);
    for (const [ws, wanted] of streams) if (wanted.includes(e.commit.collection)) ws.send(JSON.stringify(e));
  };

  const commit = (did: string, collection: string, record: Json) => {
    const time_us = now();
    const rkey = tid(time_us);
    const cid = cidOf(JSON.stringify(record));
    const uri = `at://${did}/${collection}/${rkey}`;
    const list = records.get(did) ?? [];
    list.push({ uri, cid, value: record });
    records.set(did, list);
    emit({
      did,
      time_us,
      kind: 'commit',
      commit: { rev: tid(time_us), operation: 'create', collection, rkey, record, cid },
    });
    return { uri, cid, rkey, time_us };
  };

  const blob = (b: Buffer, mimeType: string) => {
    const cid = cidOf(b, 0x55);
    blobs.set(cid, { bytes: b, mimeType });
    return { $type: 'blob', ref: { $link: cid }, mimeType, size: b.length };
  };

  const hooks = {
    url: base,
    jetstreamUrl: `${base.replace('http', 'ws')}/subscribe`,
    imageUrlTemplate: `${base}/img/feed_fullsize/plain/{did}/{cid}@jpeg`,
    handle,
    password,
    botDid,
    replies,
    requests,
    state,
    profileLookups,
    /** Posts on the network, as Jetstream will send it: facets with UTF-8 byte offsets, blob refs. */
    async addPost(o: BlueskyPostOptions = {}) {
      const author = o.byBot ? handle : (o.author ?? 'alice.bsky.social');
      const did = actor(author).did;
      const tags = o.tags ?? [];
      let text = o.text ?? 'my photo ✨';
      const facets: Json[] = [];
      if (o.mentionBot) {
        const start = bytes(text) + 1;
        text += ` @${handle}`;
        facets.push({
          index: { byteStart: start, byteEnd: bytes(text) },
          features: [{ $type: 'app.bsky.richtext.facet#mention', did: botDid }],
        });
      }
      for (const t of tags) {
        const start = bytes(text) + 1;
        text += ` #${t}`;
        facets.push({
          index: { byteStart: start, byteEnd: bytes(text) },
          features: [{ $type: 'app.bsky.richtext.facet#tag', tag: t }],
        });
      }
      for (const t of o.textTags ?? []) text += ` #${t}`;
      const record: Json = { $type: 'app.bsky.feed.post', text, createdAt: new Date().toISOString(), langs: ['en'] };
      if (facets.length) record.facets = facets;
      if (o.replyTo) record.reply = { root: o.replyTo, parent: o.replyTo };
      const images = [];
      for (let i = 0; i < (o.images ?? 0); i++)
        images.push({
          alt: '',
          aspectRatio: { width: 64, height: 48 },
          image: blob(await raw(64, 48, i).jpeg().toBuffer(), 'image/jpeg'),
        });
      let embed: Json | undefined;
      if (images.length) embed = { $type: 'app.bsky.embed.images', images };
      else if (o.video)
        embed = { $type: 'app.bsky.embed.video', video: blob(Buffer.from('not really a video'), 'video/mp4') };
      if (embed && o.quote)
        embed = {
          $type: 'app.bsky.embed.recordWithMedia',
          record: {
            $type: 'app.bsky.embed.record',
            record: { uri: `at://${did}/app.bsky.feed.post/3kaaaaaaaaaaa`, cid: cidOf('q') },
          },
          media: embed,
        };
      if (embed) record.embed = embed;
      return { ...commit(did, 'app.bsky.feed.post', record), did, record };
    },
    /** A change of handle: Jetstream sends these whatever collections are wanted. */
    identityEvent(h: string) {
      const e = { did: actor(h).did, time_us: now(), kind: 'identity', identity: { did: actor(h).did, handle: h } };
      for (const ws of streams.keys()) ws.send(JSON.stringify(e));
    },
    /** Ends every Jetstream connection at once, as a network failure would. */
    dropStreams() {
      for (const ws of streams.keys()) ws.terminate();
      streams.clear();
    },
    subscribers: () => streams.size,
    /** Makes the current access tokens expired: the next call with one gets 400 ExpiredToken. */
    expireAccessTokens: () => sessions.access.clear(),
    /** The next `times` calls to `nsid` answer 429 with a limit that resets in `resetMs`. */
    rateLimit(nsid: string, times: number, resetMs: number) {
      limits.set(nsid, { times, resetMs });
    },
    async close() {
      hooks.dropStreams();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };

  const send = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  };
  const fail = (res: http.ServerResponse, status: number, error: string, message: string) =>
    send(res, status, { error, message });
  const readBody = async (req: http.IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  };

  async function xrpc(nsid: string, req: http.IncomingMessage, res: http.ServerResponse, q: URLSearchParams) {
    const bearer = req.headers.authorization?.replace(/^Bearer /, '');
    const authed = () => {
      if (bearer && sessions.access.has(bearer)) return true;
      if (bearer?.startsWith('access-')) fail(res, 400, 'ExpiredToken', 'Token has expired');
      else fail(res, 401, 'AuthenticationRequired', 'Authentication Required');
      return false;
    };
    switch (nsid) {
      case 'com.atproto.server.createSession': {
        const b = JSON.parse((await readBody(req)).toString()) as { identifier?: string; password?: string };
        if ((b.identifier !== handle && b.identifier !== botDid) || b.password !== password)
          return fail(res, 401, 'AuthenticationRequired', 'Invalid identifier or password');
        return send(res, 200, newSession());
      }
      case 'com.atproto.server.refreshSession':
        if (!bearer || !sessions.refresh.delete(bearer)) return fail(res, 400, 'ExpiredToken', 'Token has expired');
        return send(res, 200, newSession());
      case 'com.atproto.server.getSession':
        if (!authed()) return;
        return send(res, 200, { did: botDid, handle, active: true, emailConfirmed: true });
      case 'com.atproto.identity.resolveHandle': {
        const p = profiles.get(q.get('handle') ?? '');
        return p ? send(res, 200, { did: p.did }) : fail(res, 400, 'InvalidRequest', 'Unable to resolve handle');
      }
      case 'app.bsky.actor.getProfile': {
        if (!authed()) return;
        const a = q.get('actor') ?? '';
        const p = [...profiles.values()].find((x) => x.did === a || x.handle === a);
        if (!p) return fail(res, 400, 'InvalidRequest', 'Profile not found');
        profileLookups.set(p.did, (profileLookups.get(p.did) ?? 0) + 1);
        const name = p.handle.split('.')[0];
        return send(res, 200, {
          did: p.did,
          handle: p.handle,
          displayName: name[0].toUpperCase() + name.slice(1),
          avatar: `${base}/img/avatar/plain/${p.did}/x@jpeg`,
          followersCount: 0,
          followsCount: 0,
          postsCount: 1,
        });
      }
      case 'com.atproto.repo.uploadBlob': {
        if (!authed()) return;
        const b = await readBody(req);
        if (!b.length) return fail(res, 400, 'InvalidRequest', 'Empty blob');
        return send(res, 200, { blob: blob(b, req.headers['content-type'] ?? 'application/octet-stream') });
      }
      case 'com.atproto.repo.createRecord': {
        if (!authed()) return;
        const b = JSON.parse((await readBody(req)).toString()) as { repo: string; collection: string; record: Json };
        if (b.repo !== botDid && b.repo !== handle) return fail(res, 400, 'InvalidRequest', 'Not your repo');
        const graphemes = [...new Intl.Segmenter().segment(String((b.record as { text?: unknown }).text ?? ''))];
        if (b.collection === 'app.bsky.feed.post' && graphemes.length > 300)
          return fail(
            res,
            400,
            'InvalidRecord',
            'Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes',
          );
        const made = commit(botDid, b.collection, b.record);
        const r = b.record as {
          text: string;
          reply?: BlueskyReply['reply'];
          facets?: Json[];
          embed?: {
            images?: {
              alt: string;
              image: { ref: { $link: string } };
              aspectRatio?: { width: number; height: number };
            }[];
          };
        };
        if (r.reply)
          replies.push({
            uri: made.uri,
            text: r.text,
            reply: r.reply,
            facets: r.facets ?? [],
            images: (r.embed?.images ?? []).map((i) => ({
              alt: i.alt,
              aspectRatio: i.aspectRatio,
              bytes: blobs.get(i.image.ref.$link)?.bytes ?? Buffer.alloc(0),
            })),
          });
        return send(res, 200, { uri: made.uri, cid: made.cid, validationStatus: 'valid' });
      }
      case 'com.atproto.repo.listRecords': {
        const repo = q.get('repo') ?? '';
        const did = repo.startsWith('did:') ? repo : actor(repo).did;
        const list = (records.get(did) ?? []).filter((r) => r.uri.includes(`/${q.get('collection')}/`));
        const limit = Math.min(Number(q.get('limit') ?? 50), 100);
        return send(res, 200, { records: list.slice(-limit).reverse() });
      }
      case 'com.atproto.sync.getBlob': {
        const b = blobs.get(q.get('cid') ?? '');
        if (!b) return fail(res, 400, 'BlobNotFound', 'Blob not found');
        res.writeHead(200, { 'content-type': b.mimeType });
        return void res.end(b.bytes);
      }
      default:
        return fail(res, 501, 'MethodNotImplemented', `${nsid} is not implemented here`);
    }
  }

  server.on('request', (req, res) => {
    const url = new URL(req.url ?? '/', base);
    const img = url.pathname.match(/^\/img\/feed_fullsize\/plain\/([^/]+)\/([a-z0-9]+)@jpeg$/);
    if (img) {
      const b = blobs.get(img[2]);
      if (!b) return fail(res, 404, 'NotFound', 'no such image');
      res.writeHead(200, { 'content-type': 'image/jpeg' });
      return void res.end(b.bytes);
    }
    const nsid = url.pathname.match(/^\/xrpc\/([\w.]+)$/)?.[1];
    if (!nsid) return fail(res, 404, 'NotFound', 'Not found');
    requests.push({ method: req.method ?? 'GET', nsid });
    const limit = limits.get(nsid);
    if (limit && limit.times > 0) {
      limit.times--;
      req.resume();
      return send(
        res,
        429,
        { error: 'RateLimitExceeded', message: 'Rate Limit Exceeded' },
        {
          'ratelimit-limit': '30',
          'ratelimit-remaining': '0',
          'ratelimit-reset': String(Math.ceil((Date.now() + limit.resetMs) / 1000)),
          'ratelimit-policy': '30;w=300',
        },
      );
    }
    xrpc(nsid, req, res, url.searchParams).catch((err: Error) => fail(res, 500, 'InternalServerError', err.message));
  });

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', base);
    const refuse = (status: string) =>
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    if (url.pathname !== '/subscribe') return refuse('404 Not Found');
    if (state.refuseStreaming) return refuse('503 Service Unavailable');
    const wanted = url.searchParams.getAll('wantedCollections');
    const cursor = url.searchParams.get('cursor');
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (cursor)
        for (const e of events)
          if (e.time_us >= Number(cursor) && wanted.includes(e.commit.collection)) ws.send(JSON.stringify(e));
      streams.set(ws, wanted);
      ws.on('close', () => streams.delete(ws));
    });
  });

  return hooks;
}
