import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { raw } from '../helpers/fixtures.js';

/**
 * A local Mastodon instance speaking the documented REST and streaming protocols, enough for masto
 * to be pointed at it (`url: fake.url`): accounts/verify_credentials, instance (v1 and v2, with
 * the streaming URL), timelines/tag, notifications, media (202, then 206 and 200 while
 * "processing"), statuses (honouring `Idempotency-Key`), the streaming WebSocket with hashtag
 * subscriptions, `update` events and pings, and the photos themselves under `/media/`. Every
 * `/api/` call but the public ones needs `Authorization: Bearer <token>`. Test hooks add posts,
 * drop or refuse the stream, answer 429 on demand, and record replies.
 */

type Json = Record<string, unknown>;
export type MastodonPostOptions = {
  /** `name` for a local account, `name@domain` for a remote one; default `alice`. */
  author?: string;
  text?: string;
  tags?: string[];
  images?: number;
  videos?: number;
  gifv?: number;
  mentionBot?: boolean;
  /** Posted by the bot's own account. */
  byBot?: boolean;
};
export type MastodonReply = {
  id: string;
  status: string;
  inReplyToId?: string;
  visibility?: string;
  idempotencyKey?: string;
  media: { id: string; description?: string; bytes: Buffer }[];
};

export type FakeMastodon = Awaited<ReturnType<typeof startFakeMastodon>>;

const DOMAIN = 'fake.social';

export async function startFakeMastodon(opts: { token?: string; pingMs?: number } = {}) {
  const token = opts.token ?? 'fake-mastodon-token';
  const server = http.createServer();
  const wss = new WebSocketServer({ noServer: true });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let nextId = 110_000_000_000_000_000n;
  const newId = () => String(++nextId);
  const statuses: Json[] = [];
  const notifications: Json[] = [];
  const files = new Map<string, Buffer>();
  const media = new Map<string, { json: Json; bytes: Buffer; polls: number }>();
  const idempotent = new Map<string, Json>();
  const limits = new Map<string, { times: number; resetMs: number }>();
  const streams = new Map<WebSocket, Set<string>>();
  const replies: MastodonReply[] = [];
  const requests: { method: string; path: string }[] = [];
  const state = { refuseStreaming: false };

  const account = (name: string, id: string): Json => {
    const [username, domain] = name.split('@');
    return {
      id,
      username,
      acct: name,
      display_name: username[0].toUpperCase() + username.slice(1),
      locked: false,
      bot: name === 'mosaicbot',
      created_at: '2026-01-01T00:00:00.000Z',
      note: '',
      url: domain ? `https://${domain}/@${username}` : `${base}/@${username}`,
      avatar: `${base}/media/avatar.png`,
      header: `${base}/media/header.png`,
      followers_count: 0,
      following_count: 0,
      statuses_count: 0,
      emojis: [],
      fields: [],
    };
  };
  const accounts = new Map<string, Json>();
  const accountOf = (name: string) => {
    if (!accounts.has(name)) accounts.set(name, account(name, String(1000 + accounts.size)));
    return accounts.get(name)!;
  };
  const bot = accountOf('mosaicbot');

  const attachment = async (type: string, n: number): Promise<Json> => {
    const id = newId();
    const name = `${id}.${type === 'image' ? 'jpg' : 'mp4'}`;
    files.set(name, type === 'image' ? await raw(64, 48, n).jpeg().toBuffer() : Buffer.from('not really a video'));
    return {
      id,
      type,
      url: `${base}/media/${name}`,
      preview_url: `${base}/media/${name}`,
      remote_url: null,
      description: null,
      blurhash: null,
      meta: type === 'image' ? { original: { width: 64, height: 48, size: '64x48', aspect: 4 / 3 } } : {},
    };
  };

  const tagsOf = (s: Json) => (s.tags as { name: string }[]).map((t) => t.name.toLowerCase());

  const publish = (status: Json) => {
    statuses.push(status);
    for (const [ws, subs] of streams)
      for (const tag of subs)
        if (tagsOf(status).includes(tag.toLowerCase()))
          ws.send(JSON.stringify({ stream: ['hashtag', tag], event: 'update', payload: JSON.stringify(status) }));
  };

  const makeStatus = (acc: Json, text: string, tags: string[], attachments: Json[], extra: Json = {}): Json => {
    const id = newId();
    const url = `${acc.url as string}/${id}`;
    return {
      id,
      created_at: new Date().toISOString(),
      edited_at: null,
      in_reply_to_id: null,
      in_reply_to_account_id: null,
      sensitive: false,
      spoiler_text: '',
      visibility: 'public',
      language: 'en',
      uri: url,
      url,
      replies_count: 0,
      reblogs_count: 0,
      favourites_count: 0,
      content: `<p>${text.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</p>`,
      reblog: null,
      application: null,
      account: acc,
      media_attachments: attachments,
      mentions: [],
      tags: tags.map((t) => ({ name: t, url: `${base}/tags/${t}` })),
      emojis: [],
      card: null,
      poll: null,
      ...extra,
    };
  };

  const hooks = {
    url: base,
    token,
    bot,
    replies,
    requests,
    state,
    /** Adds a public post, streams it to hashtag subscribers, and notifies the bot of a mention. */
    async addPost(o: MastodonPostOptions = {}): Promise<Json> {
      const tags = o.tags ?? [];
      const attachments: Json[] = [];
      for (let i = 0; i < (o.images ?? 0); i++) attachments.push(await attachment('image', i));
      for (let i = 0; i < (o.videos ?? 0); i++) attachments.push(await attachment('video', i));
      for (let i = 0; i < (o.gifv ?? 0); i++) attachments.push(await attachment('gifv', i));
      const acc = o.byBot ? bot : accountOf(o.author ?? 'alice');
      const text =
        o.text ?? [o.mentionBot ? `@mosaicbot` : '', 'my photo', ...tags.map((t) => `#${t}`)].filter(Boolean).join(' ');
      const mentions = o.mentionBot ? [{ id: bot.id, username: 'mosaicbot', acct: 'mosaicbot', url: bot.url }] : [];
      const status = makeStatus(acc, text, tags, attachments, { mentions });
      publish(status);
      if (o.mentionBot)
        notifications.push({ id: newId(), type: 'mention', created_at: status.created_at, account: acc, status });
      return status;
    },
    /** Ends every streaming connection at once, as a network failure would. */
    dropStreams() {
      for (const ws of streams.keys()) ws.terminate();
      streams.clear();
    },
    /** Streaming connections with at least one subscription. */
    subscribers: () => [...streams.values()].filter((s) => s.size).length,
    /** The next `times` calls to `path` answer 429 with a limit that resets in `resetMs`. */
    rateLimit(path: string, times: number, resetMs: number) {
      limits.set(path, { times, resetMs });
    },
    async close() {
      hooks.dropStreams();
      clearInterval(pinger);
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };

  const send = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  };
  const authorised = (h: string | undefined) => h === `Bearer ${token}`;

  const page = (items: Json[], q: URLSearchParams) => {
    const limit = Math.min(Number(q.get('limit') ?? 20), 40);
    const id = (j: Json) => BigInt(j.id as string);
    let list = [...items].sort((a, b) => (id(a) < id(b) ? 1 : -1));
    if (q.get('max_id')) list = list.filter((s) => id(s) < BigInt(q.get('max_id')!));
    if (q.get('since_id')) list = list.filter((s) => id(s) > BigInt(q.get('since_id')!));
    if (q.get('min_id')) {
      const min = BigInt(q.get('min_id')!);
      return list
        .filter((s) => id(s) > min)
        .reverse()
        .slice(0, limit)
        .reverse();
    }
    return list.slice(0, limit);
  };

  const instance = () => ({
    domain: DOMAIN,
    uri: DOMAIN,
    title: 'Fake Social',
    version: '4.4.0',
    source_url: 'https://github.com/mastodon/mastodon',
    description: 'A fake instance for tests',
    usage: { users: { active_month: 1 } },
    thumbnail: { url: `${base}/media/thumb.png` },
    languages: ['en'],
    configuration: {
      urls: { streaming: base.replace('http', 'ws') },
      statuses: { max_characters: 500, max_media_attachments: 4, characters_reserved_per_url: 23 },
      media_attachments: { supported_mime_types: ['image/jpeg'], image_size_limit: 16777216 },
    },
    registrations: { enabled: false, approval_required: false, message: null },
    contact: { email: '', account: null },
    rules: [],
  });

  async function route(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const path = url.pathname;
    const q = url.searchParams;
    const method = req.method ?? 'GET';
    const m = (re: RegExp) => path.match(re);
    if (method === 'GET' && path.startsWith('/media/')) {
      const file = files.get(path.slice('/media/'.length));
      if (!file) return send(res, 404, { error: 'Not found' });
      res.writeHead(200, { 'content-type': path.endsWith('.jpg') ? 'image/jpeg' : 'video/mp4' });
      return void res.end(file);
    }
    if (method === 'GET' && (path === '/api/v1/instance' || path === '/api/v2/instance'))
      return send(res, 200, instance());
    const tag = m(/^\/api\/v1\/timelines\/tag\/([^/]+)$/);
    const isPublic = method === 'GET' && tag;
    if (!authorised(req.headers.authorization) && !(isPublic && !req.headers.authorization))
      return send(res, 401, { error: 'The access token is invalid' });
    if (method === 'GET' && tag) {
      const name = decodeURIComponent(tag[1]).toLowerCase();
      let list = statuses.filter((s) => tagsOf(s).includes(name));
      if (q.get('only_media') === 'true') list = list.filter((s) => (s.media_attachments as Json[]).length > 0);
      return send(res, 200, page(list, q));
    }
    if (method === 'GET' && path === '/api/v1/accounts/verify_credentials') return send(res, 200, bot);
    if (method === 'GET' && path === '/api/v1/notifications') {
      const types = q.getAll('types[]');
      return send(
        res,
        200,
        page(types.length ? notifications.filter((n) => types.includes(n.type as string)) : notifications, q),
      );
    }
    if (method === 'POST' && path === '/api/v2/media') {
      const form = await new Request(base, {
        method: 'POST',
        headers: { 'content-type': req.headers['content-type'] ?? '' },
        body: await body(req),
      }).formData();
      const file = form.get('file');
      if (!(file instanceof Blob)) return send(res, 422, { error: 'Validation failed: File is missing' });
      const id = newId();
      const json = { id, type: 'image', url: null, preview_url: null, description: form.get('description'), meta: {} };
      media.set(id, { json, bytes: Buffer.from(await file.arrayBuffer()), polls: 0 });
      return send(res, 202, json);
    }
    const mediaId = m(/^\/api\/v1\/media\/(\d+)$/);
    if (method === 'GET' && mediaId) {
      const item = media.get(mediaId[1]);
      if (!item) return send(res, 404, { error: 'Record not found' });
      if (item.polls++ === 0) return send(res, 206, item.json);
      const name = `${mediaId[1]}.jpg`;
      files.set(name, item.bytes);
      item.json = { ...item.json, url: `${base}/media/${name}`, preview_url: `${base}/media/${name}` };
      return send(res, 200, item.json);
    }
    if (method === 'POST' && path === '/api/v1/statuses') {
      const key = req.headers['idempotency-key'] as string | undefined;
      const b = JSON.parse((await body(req)).toString() || '{}') as Json;
      if (key && idempotent.has(key)) return send(res, 200, idempotent.get(key));
      const counted = String(b.status ?? '').replace(/https?:\/\/\S+/g, '#'.repeat(23));
      if ([...new Intl.Segmenter().segment(counted)].length > 500)
        return send(res, 422, { error: 'Validation failed: Text character limit of 500 exceeded' });
      const parent = b.in_reply_to_id ? statuses.find((s) => s.id === b.in_reply_to_id) : undefined;
      if (b.in_reply_to_id && !parent) return send(res, 404, { error: 'Record not found' });
      const ids = (b.media_ids as string[] | undefined) ?? [];
      const items = ids.map((id) => media.get(id));
      if (items.some((i) => !i?.json.url)) return send(res, 422, { error: 'Validation failed: media not ready' });
      const status = makeStatus(
        bot,
        String(b.status ?? ''),
        [],
        items.map((i) => i!.json),
        {
          in_reply_to_id: b.in_reply_to_id ?? null,
          visibility: b.visibility ?? 'public',
        },
      );
      if (key) idempotent.set(key, status);
      replies.push({
        id: status.id as string,
        status: String(b.status ?? ''),
        inReplyToId: b.in_reply_to_id as string | undefined,
        visibility: b.visibility as string | undefined,
        idempotencyKey: key,
        media: items.map((i) => ({
          id: i!.json.id as string,
          description: i!.json.description as string,
          bytes: i!.bytes,
        })),
      });
      publish(status);
      return send(res, 200, status);
    }
    send(res, 404, { error: 'Not found' });
  }

  const body = async (req: http.IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  };

  server.on('request', (req, res) => {
    const url = new URL(req.url ?? '/', base);
    requests.push({ method: req.method ?? 'GET', path: url.pathname });
    const limit = limits.get(url.pathname);
    if (limit && limit.times > 0) {
      limit.times--;
      req.resume();
      return send(
        res,
        429,
        { error: 'Too many requests' },
        {
          'X-RateLimit-Limit': '300',
          'X-RateLimit-Remaining': '0',
          'X-RateLimit-Reset': new Date(Date.now() + limit.resetMs).toISOString(),
        },
      );
    }
    route(req, res, url).catch((err: Error) => send(res, 500, { error: err.message }));
  });

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', base);
    const protocol = req.headers['sec-websocket-protocol']?.split(',')[0].trim();
    const given =
      req.headers.authorization ?? (protocol ? `Bearer ${protocol}` : `Bearer ${url.searchParams.get('access_token')}`);
    const refuse = (status: string) =>
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    if (url.pathname !== '/api/v1/streaming') return refuse('404 Not Found');
    if (state.refuseStreaming) return refuse('503 Service Unavailable');
    if (!authorised(given)) return refuse('401 Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => {
      const subs = new Set<string>();
      streams.set(ws, subs);
      ws.on('message', (data) => {
        const msg = JSON.parse(String(data)) as { type?: string; stream?: string; tag?: string };
        if (msg.stream !== 'hashtag' || !msg.tag) return ws.send(JSON.stringify({ error: 'Unknown stream type' }));
        if (msg.type === 'subscribe') subs.add(msg.tag);
        else if (msg.type === 'unsubscribe') subs.delete(msg.tag);
      });
      ws.on('close', () => streams.delete(ws));
    });
  });

  const pinger = setInterval(() => {
    for (const ws of streams.keys()) ws.ping();
  }, opts.pingMs ?? 10_000);
  pinger.unref();

  return hooks;
}
