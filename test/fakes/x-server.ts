import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { localCert } from './tls.js';

/** The accounts and tokens the fake accepts. */
export const X_AUTH = {
  bearer: 'fake-x-bearer',
  appKey: 'fake-x-app-key',
  appSecret: 'fake-x-app-secret',
  accessToken: 'fake-x-access-token',
  accessSecret: 'fake-x-access-secret',
};
/** The bot account's OAuth 1.0a keys, as an X config takes them. */
export const X_OAUTH1 = {
  appKey: X_AUTH.appKey,
  appSecret: X_AUTH.appSecret,
  accessToken: X_AUTH.accessToken,
  accessSecret: X_AUTH.accessSecret,
};
export const X_BOT = { id: '9000', username: 'MosaicMeBot', name: 'MosaicMe' };

export type XUser = { id: string; username: string; name: string };
export type XRequest = { method: string; path: string; query: URLSearchParams; auth: string; body: string };
export type XReply = { id: string; text: string; inReplyTo?: string; mediaIds: string[]; media: Buffer[] };
type Rule = { id: string; value: string; tag?: string };
type Sent = { id: string; at: number; payload: { data: Record<string, unknown>; includes: Record<string, unknown> } };
type Limit = { match: RegExp; times: number; resetInS: number };

/**
 * A local stand-in for api.x.com speaking the documented v2 protocol, over HTTPS (the client
 * library speaks nothing else): stream rules, the filtered stream (newline-delimited JSON with
 * `matching_rules`, `\r\n` keep-alives, `backfill_minutes`, one connection at a time), users/me,
 * mentions, the v2 chunked media upload, and posting replies (only to posts that @mention the bot,
 * as X allows). Bearer tokens and OAuth 1.0a signatures are checked. Photos are served over plain HTTP at
 * `/media/<name>.jpg`, standing in for pbs.twimg.com. Test hooks: `post` (someone posts), `dropStreams`,
 * `silence` (no keep-alives), `limit` (429s with rate-limit headers), `failStream` (HTTP errors).
 */
export class FakeX {
  readonly requests: XRequest[] = [];
  readonly replies: XReply[] = [];
  rules: Rule[] = [];
  private readonly sent: Sent[] = [];
  private readonly streams = new Set<http.ServerResponse>();
  private readonly images = new Map<string, Buffer>();
  private readonly uploads = new Map<string, { chunks: Buffer[]; final: boolean }>();
  private readonly limits: Limit[] = [];
  private streamFailures: number[] = [];
  private nextId = 1880000000000000000n;
  private nextRule = 1;
  private quiet = false;
  private heartbeat: NodeJS.Timeout | undefined;
  apiUrl = '';
  mediaUrl = '';
  certFile = '';
  ca = '';

  private constructor(
    private readonly api: https.Server,
    private readonly media: http.Server,
  ) {}

  /** Whether the stream accepts `backfill_minutes` (X offers it to some access levels only). */
  backfill = true;

  static async start(opts: { heartbeatMs?: number } = {}): Promise<FakeX> {
    const { key, cert, certFile } = await localCert();
    const api = https.createServer({ key, cert });
    const media = http.createServer();
    const fake = new FakeX(api, media);
    api.on('request', (req, res) => void fake.handle(req, res));
    media.on('request', (req, res) => fake.serveMedia(req, res));
    await Promise.all([
      new Promise<void>((r) => api.listen(0, '127.0.0.1', r)),
      new Promise<void>((r) => media.listen(0, '127.0.0.1', r)),
    ]);
    fake.apiUrl = `https://127.0.0.1:${(api.address() as AddressInfo).port}`;
    fake.mediaUrl = `http://127.0.0.1:${(media.address() as AddressInfo).port}`;
    fake.certFile = certFile;
    fake.ca = cert;
    fake.heartbeat = setInterval(() => {
      if (!fake.quiet) for (const s of fake.streams) s.write('\r\n');
    }, opts.heartbeatMs ?? 20_000);
    return fake;
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    this.dropStreams();
    this.api.closeAllConnections();
    this.media.closeAllConnections();
    await Promise.all([new Promise((r) => this.api.close(r)), new Promise((r) => this.media.close(r))]);
  }

  /** A photo served at `<mediaUrl>/media/<name>.jpg`; returns its URL. */
  addImage(name: string, jpeg: Buffer): string {
    this.images.set(name, jpeg);
    return `${this.mediaUrl}/media/${name}.jpg`;
  }

  /** Someone posts: sent to the open stream when a rule matches, and kept for backfill and mentions. */
  post(p: { text: string; author: XUser; photos?: string[]; video?: boolean }): string {
    const id = String(this.nextId++);
    const media = [
      ...(p.photos ?? []).map((url, i) => ({ media_key: `3_${id}${i}`, type: 'photo', url })),
      ...(p.video ? [{ media_key: `7_${id}`, type: 'video', variants: [] }] : []),
    ];
    const mentions = [...p.text.matchAll(/@(\w+)/g)].map((m) => ({ username: m[1] }));
    const payload = {
      data: {
        id,
        text: p.text,
        author_id: p.author.id,
        created_at: new Date().toISOString(),
        edit_history_tweet_ids: [id],
        ...(media.length ? { attachments: { media_keys: media.map((m) => m.media_key) } } : {}),
        ...(mentions.length ? { entities: { mentions } } : {}),
      },
      includes: { users: [p.author], ...(media.length ? { media } : {}) },
    };
    const item = { id, at: Date.now(), payload };
    this.sent.push(item);
    for (const s of this.streams) this.deliver(s, item);
    return id;
  }

  /** Forgets what was posted so far (no backfill nor mentions of it), between tests. */
  forget(): void {
    this.sent.length = 0;
  }

  /** Ends every open stream connection, as a network failure would. */
  dropStreams(): void {
    for (const s of this.streams) s.socket?.destroy();
    this.streams.clear();
  }

  /** Stops (or resumes) the keep-alives, so a client must notice the silence. */
  silence(on: boolean): void {
    this.quiet = on;
  }

  /** The next `times` requests whose `METHOD /path` matches answer 429, resetting in `resetInS` seconds. */
  limit(match: RegExp, times: number, resetInS: number): void {
    this.limits.push({ match, times, resetInS });
  }

  /** The next stream connection attempts answer these HTTP statuses. */
  failStream(...statuses: number[]): void {
    this.streamFailures.push(...statuses);
  }

  get openStreams(): number {
    return this.streams.size;
  }

  private matchingRules(text: string): { id: string; tag?: string }[] {
    const lower = text.toLowerCase();
    return this.rules
      .filter((r) => (r.value.match(/[#@]\w+/g) ?? []).some((term) => new RegExp(`${term}\\b`, 'i').test(lower)))
      .map((r) => ({ id: r.id, ...(r.tag ? { tag: r.tag } : {}) }));
  }

  private deliver(s: http.ServerResponse, item: Sent): void {
    const matching_rules = this.matchingRules(String(item.payload.data.text));
    if (matching_rules.length) s.write(`${JSON.stringify({ ...item.payload, matching_rules })}\r\n`);
  }

  private serveMedia(req: http.IncomingMessage, res: http.ServerResponse): void {
    const name = /^\/media\/([\w-]+)\.jpg$/.exec(req.url ?? '')?.[1];
    const jpeg = name && this.images.get(name);
    if (!jpeg) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': jpeg.length }).end(jpeg);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://api.x.com');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const r: XRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      auth: req.headers.authorization ?? '',
      body: raw.toString('latin1'),
    };
    this.requests.push(r);
    const json = (status: number, body: unknown, headers: Record<string, string> = {}): void =>
      void res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    const problem = (status: number, title: string, detail: string): void =>
      json(status, { title, detail, type: 'about:blank', status });

    const limited = this.limits.find((l) => l.times > 0 && l.match.test(`${r.method} ${r.path}`));
    if (limited) {
      limited.times--;
      return json(
        429,
        { title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: 429 },
        {
          'x-rate-limit-limit': '100',
          'x-rate-limit-remaining': '0',
          'x-rate-limit-reset': String(Math.ceil(Date.now() / 1000 + limited.resetInS)),
        },
      );
    }

    const route = `${r.method} ${r.path}`;
    if (route === 'POST /oauth2/token') {
      const basic = Buffer.from(`${X_AUTH.appKey}:${X_AUTH.appSecret}`).toString('base64');
      if (r.auth !== `Basic ${basic}`) return problem(403, 'Forbidden', 'bad app credentials');
      return json(200, { token_type: 'bearer', access_token: X_AUTH.bearer });
    }
    const bearer = r.auth === `Bearer ${X_AUTH.bearer}`;
    const user = oauth1Valid(r, req.headers['content-type']);

    // Stream and rules: app-only bearer only, as the OpenAPI security blocks say.
    if (r.path.startsWith('/2/tweets/search/stream')) {
      if (!bearer) return problem(401, 'Unauthorized', 'Unauthorized');
      if (route === 'GET /2/tweets/search/stream/rules')
        return json(200, {
          ...(this.rules.length ? { data: this.rules } : {}),
          meta: { sent: new Date().toISOString(), result_count: this.rules.length },
        });
      if (route === 'POST /2/tweets/search/stream/rules') return this.updateRules(utf8Json(r.body), json);
      if (route === 'GET /2/tweets/search/stream') return this.openStream(r, res, json, problem);
    }
    if (!user && !(bearer && r.path.includes('/mentions'))) return problem(401, 'Unauthorized', 'Unauthorized');
    if (route === 'GET /2/users/me') return json(200, { data: X_BOT });
    const mentionsOf = /^\/2\/users\/(\d+)\/mentions$/.exec(r.path)?.[1];
    if (r.method === 'GET' && mentionsOf) return this.mentions(mentionsOf, r.query, json);
    if (route === 'POST /2/media/upload/initialize') {
      const body = utf8Json(r.body) as { media_type?: string; total_bytes?: number; media_category?: string };
      if (!body.media_type || !body.total_bytes) return problem(400, 'Invalid Request', 'media_type and total_bytes');
      const id = String(this.nextId++);
      this.uploads.set(id, { chunks: [], final: false });
      return json(200, { data: { id, media_key: `3_${id}`, expires_after_secs: 86400 } });
    }
    const append = /^\/2\/media\/upload\/(\d+)\/(append|finalize)$/.exec(r.path);
    if (r.method === 'POST' && append) {
      const upload = this.uploads.get(append[1]);
      if (!upload) return problem(400, 'Invalid Request', 'no such upload');
      if (append[2] === 'append') {
        const parts = multipart(raw, req.headers['content-type'] ?? '');
        const media = parts.get('media');
        if (!media || !parts.has('segment_index'))
          return problem(400, 'Invalid Request', 'media and segment_index are needed');
        upload.chunks.push(media);
        return void res.writeHead(204).end();
      }
      upload.final = true;
      const size = upload.chunks.reduce((n, c) => n + c.length, 0);
      return json(200, { data: { id: append[1], media_key: `3_${append[1]}`, size, expires_after_secs: 86400 } });
    }
    if (route === 'POST /2/tweets') return this.tweet(utf8Json(r.body), json, problem);
    return problem(404, 'Not Found', `no route ${route}`);
  }

  private updateRules(
    body: { add?: { value: string; tag?: string }[]; delete?: { ids?: string[] } },
    json: (s: number, b: unknown) => void,
  ): void {
    const created: Rule[] = [];
    for (const a of body.add ?? []) {
      const rule = { id: String(this.nextRule++), value: a.value, ...(a.tag ? { tag: a.tag } : {}) };
      this.rules.push(rule);
      created.push(rule);
    }
    const ids = new Set(body.delete?.ids ?? []);
    const deleted = this.rules.filter((r) => ids.has(r.id)).length;
    this.rules = this.rules.filter((r) => !ids.has(r.id));
    json(200, {
      ...(created.length ? { data: created } : {}),
      meta: {
        sent: new Date().toISOString(),
        summary: body.add
          ? { created: created.length, not_created: 0, valid: created.length, invalid: 0 }
          : { deleted, not_deleted: ids.size - deleted },
      },
    });
  }

  private openStream(
    r: XRequest,
    res: http.ServerResponse,
    json: (s: number, b: unknown, h?: Record<string, string>) => void,
    problem: (s: number, t: string, d: string) => void,
  ): void {
    if (!this.backfill && r.query.has('backfill_minutes'))
      return problem(403, 'Client Forbidden', 'backfill_minutes is not available at your access level');
    const failure = this.streamFailures.shift();
    if (failure) return problem(failure, 'Service Unavailable', 'failing on purpose');
    if (this.streams.size > 0)
      return json(429, {
        title: 'ConnectionException',
        detail: 'This stream is currently at the maximum allowed connection limit.',
        connection_issue: 'TooManyConnections',
        type: 'https://api.x.com/2/problems/streaming-connection',
      });
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'transfer-encoding': 'chunked' });
    res.write('\r\n');
    this.streams.add(res);
    res.on('close', () => this.streams.delete(res));
    const backfill = Number(r.query.get('backfill_minutes') ?? 0);
    if (backfill > 0)
      for (const item of this.sent.filter((s) => s.at >= Date.now() - backfill * 60_000)) this.deliver(res, item);
  }

  private mentions(userId: string, q: URLSearchParams, json: (s: number, b: unknown) => void): void {
    const since = BigInt(q.get('since_id') ?? '0');
    const max = Number(q.get('max_results') ?? 10);
    const found = this.sent
      .filter((s) => BigInt(s.id) > since && userId === X_BOT.id)
      .filter((s) => new RegExp(`@${X_BOT.username}\\b`, 'i').test(String(s.payload.data.text)))
      .reverse()
      .slice(0, max);
    if (found.length === 0) return json(200, { meta: { result_count: 0 } });
    const users = new Map<string, unknown>();
    const media: unknown[] = [];
    for (const f of found) {
      for (const u of (f.payload.includes.users as XUser[]) ?? []) users.set(u.id, u);
      media.push(...((f.payload.includes.media as unknown[]) ?? []));
    }
    json(200, {
      data: found.map((f) => f.payload.data),
      includes: { users: [...users.values()], ...(media.length ? { media } : {}) },
      meta: { result_count: found.length, newest_id: found[0].id, oldest_id: found[found.length - 1].id },
    });
  }

  private tweet(
    body: { text?: string; reply?: { in_reply_to_tweet_id?: string }; media?: { media_ids?: string[] } },
    json: (s: number, b: unknown) => void,
    problem: (s: number, t: string, d: string) => void,
  ): void {
    if (!body.text) return problem(400, 'Invalid Request', 'text is required');
    if (weightedLength(body.text) > 280) return problem(400, 'Invalid Request', 'Your Tweet text is too long.');
    const parent = body.reply?.in_reply_to_tweet_id;
    if (parent) {
      const original = this.sent.find((s) => s.id === parent);
      if (!original) return problem(400, 'Invalid Request', 'the post replied to does not exist');
      if (!new RegExp(`@${X_BOT.username}\\b`, 'i').test(String(original.payload.data.text)))
        return problem(
          403,
          'Forbidden',
          'Reply to this conversation is not allowed because you have not been mentioned',
        );
    }
    const mediaIds = body.media?.media_ids ?? [];
    const media: Buffer[] = [];
    for (const m of mediaIds) {
      const u = this.uploads.get(m);
      if (!u?.final) return problem(400, 'Invalid Request', `media ${m} is not uploaded`);
      media.push(Buffer.concat(u.chunks));
    }
    const id = String(this.nextId++);
    this.replies.push({ id, text: body.text, inReplyTo: parent, mediaIds, media });
    json(201, { data: { id, text: body.text, edit_history_tweet_ids: [id] } });
  }
}

/** The parts of a multipart/form-data body by name, as bytes (the media part has no file name). */
function multipart(body: Buffer, contentType: string): Map<string, Buffer> {
  const parts = new Map<string, Buffer>();
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  if (!boundary) return parts;
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length + 2;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    const part = body.subarray(start, next - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    const name = /name="([^"]+)"/.exec(part.subarray(0, headerEnd).toString('latin1'))?.[1];
    if (name) parts.set(name, part.subarray(headerEnd + 4));
    at = next;
  }
  return parts;
}

const rfc3986 = (v: string) =>
  encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * Whether an `Authorization: OAuth …` header is the bot's, signed (HMAC-SHA1) with the app's and
 * the bot's secrets over the request as the client sent it to api.x.com (RFC 5849: method, URL,
 * query and form parameters; JSON and multipart bodies are not signed).
 */
function oauth1Valid(r: XRequest, contentType: string | undefined): boolean {
  if (!r.auth.startsWith('OAuth ')) return false;
  const fields = Object.fromEntries(
    [...r.auth.slice(6).matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], decodeURIComponent(m[2])]),
  );
  if (fields.oauth_consumer_key !== X_AUTH.appKey || fields.oauth_token !== X_AUTH.accessToken) return false;
  const params: [string, string][] = Object.entries(fields).filter(([k]) => k !== 'oauth_signature' && k !== 'realm');
  params.push(...r.query.entries());
  if (contentType?.startsWith('application/x-www-form-urlencoded'))
    params.push(...new URLSearchParams(r.body).entries());
  const normalized = params
    .map(([k, v]) => [rfc3986(k), rfc3986(v)])
    .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const base = [r.method.toUpperCase(), rfc3986(`https://api.x.com${r.path}`), rfc3986(normalized)].join('&');
  const key = `${rfc3986(X_AUTH.appSecret)}&${rfc3986(X_AUTH.accessSecret)}`;
  return createHmac('sha1', key).update(base).digest('base64') === fields.oauth_signature;
}

/** X's text length (twitter-text v3): links weigh 23, code points outside the light ranges 2. */
function weightedLength(text: string): number {
  let n = 0;
  for (const ch of text.replace(/https?:\/\/\S+/g, '#'.repeat(23))) {
    const cp = ch.codePointAt(0)!;
    const light = cp <= 4351 || (cp >= 8192 && cp <= 8205) || (cp >= 8208 && cp <= 8223) || (cp >= 8242 && cp <= 8247);
    n += light ? 1 : 2;
  }
  return n;
}

/** Bodies are kept as latin1 so multipart bytes survive; a JSON body is UTF-8. */
function utf8Json<T>(body: string): T {
  return JSON.parse(Buffer.from(body, 'latin1').toString('utf8')) as T;
}
