import type { FastifyInstance } from 'fastify';
import type { ServerResponse } from 'node:http';
import type { Cache } from '../ports.js';
import type { RequestStatuses } from '../services/requests.js';
import { wallChannel } from '../services/wall-place-stage.js';
import type { WallStore } from '../services/wall-store.js';
import type { WallEvent, WallScreenEvent } from '../shapes/wall.js';
import { errors } from './routes/schemas.js';

/** A client that stops reading is let go rather than buffered for without end. */
const MAX_BUFFERED = 1024 * 1024;
/** Log entries read at a time while a stream catches up. */
const BATCH = 200;
/**
 * How long after a log entry its screen tiles are surely drawn, when no word of it came: the
 * placer draws right after it writes the entry, in well under a second.
 */
const DRAWN_AFTER_MS = 10_000;

type Client = { res: ServerResponse; seq: number; busy: boolean; again: boolean };
type Feed = {
  clients: Set<Client>;
  waiters: Set<() => void>;
  subscription?: Promise<() => Promise<void>>;
  poll?: NodeJS.Timeout;
};

export type WallEventsOptions = { heartbeatMs?: number; pollMs?: number };

/** A log entry as screens get it: without the photo's features (the placer's business only). */
export const screenEvent = (e: WallEvent): WallScreenEvent => {
  if (e.type !== 'placed') return e;
  const { features: _f, ...rest } = e;
  return rest;
};

/**
 * The walls' live streams. What a stream sends always comes from the wall's log in storage, read
 * on from the last entry that stream sent: the placer's word on the cache channel (the log's new
 * length, once it has drawn the screen) only says when to look, and since such words may be lost
 * the log is also read every few seconds. So a stream resumed with `Last-Event-ID` after a
 * restart of either side misses nothing. One channel subscription per wall, shared by its streams.
 */
export class WallEvents {
  private readonly feeds = new Map<string, Feed>();
  /** The last entry each wall's screen is known to be drawn for (the placer draws in log order). */
  private readonly drawnUpTo = new Map<string, number>();
  private heartbeat?: NodeJS.Timeout;
  private readonly heartbeatMs: number;
  private readonly pollMs: number;

  constructor(
    private readonly deps: { store: WallStore; cache: Cache; statuses: RequestStatuses },
    opts: WallEventsOptions = {},
  ) {
    this.heartbeatMs = opts.heartbeatMs ?? 15_000;
    this.pollMs = opts.pollMs ?? 3000;
  }

  get size(): number {
    let n = 0;
    for (const f of this.feeds.values()) n += f.clients.size;
    return n;
  }

  /** Streams the wall's log entries after `after` to `res`, then each new one, until it closes. */
  stream(id: string, res: ServerResponse, after: number): void {
    const feed = this.feed(id);
    const client: Client = { res, seq: after, busy: false, again: false };
    feed.clients.add(client);
    res.once('close', () => {
      feed.clients.delete(client);
      this.release(id, feed);
    });
    this.heartbeat ??= setInterval(() => {
      for (const f of this.feeds.values()) for (const c of f.clients) this.write(c, ': heartbeat\n\n');
    }, this.heartbeatMs);
    this.heartbeat.unref();
    void this.pump(id, client);
  }

  /**
   * Whether the wall's screen tiles are drawn for log entry `seq` (so a tile asked for at that
   * version may be cached for good), waiting for it a few seconds at most. False when the log
   * has no such entry.
   */
  async drawn(id: string, seq: number): Promise<boolean> {
    const known = () => seq <= (this.drawnUpTo.get(id) ?? 0);
    const end = Date.now() + DRAWN_AFTER_MS;
    let feed: Feed | undefined;
    let wake = () => {};
    const waiter = () => wake();
    try {
      for (;;) {
        if (known()) return true;
        const verdict = await this.evidence(id, seq);
        if (verdict !== 'wait') return verdict;
        if (Date.now() > end) return true;
        // Only a wait needs the placer's word: listen, then look again at once (it may just have come).
        if (!feed) {
          feed = this.feed(id);
          feed.waiters.add(waiter);
          continue;
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 250);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    } finally {
      if (feed) {
        feed.waiters.delete(waiter);
        this.release(id, feed);
      }
    }
  }

  /** What the log says of entry `seq`'s tiles: drawn, not an entry at all, or too soon to tell. */
  private async evidence(id: string, seq: number): Promise<boolean | 'wait'> {
    const [entry, next] = await this.deps.store.eventsAfter(id, seq - 1, 2);
    if (entry?.seq !== seq) return false;
    // The placer writes the next entry, or a placed photo's status, only once it has drawn.
    let drawn = !!next;
    if (!drawn && entry.type === 'placed') {
      const status = await this.deps.statuses.get(entry.photo).catch(() => undefined);
      drawn = status?.state === 'done' && status.wall?.cell === entry.cell;
    }
    if (drawn) {
      this.learn(id, seq);
      return true;
    }
    return Date.now() - Date.parse(entry.at) > DRAWN_AFTER_MS || 'wait';
  }

  /** Ends every stream (the server is closing). */
  close(): void {
    for (const f of this.feeds.values()) for (const c of [...f.clients]) c.res.end();
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  private feed(id: string): Feed {
    let feed = this.feeds.get(id);
    if (feed) return feed;
    const f: Feed = { clients: new Set(), waiters: new Set() };
    this.feeds.set(id, f);
    const sub = this.deps.cache.subscribe(wallChannel(id), (m) => this.announce(id, m));
    f.subscription = sub;
    // A cache that is away leaves the polling, which alone loses nothing either.
    sub.catch(() => {
      if (f.subscription === sub) f.subscription = undefined;
    });
    f.poll = setInterval(() => this.wake(f, id), this.pollMs);
    f.poll.unref();
    feed = f;
    return feed;
  }

  private release(id: string, feed: Feed): void {
    if (feed.clients.size > 0 || feed.waiters.size > 0 || this.feeds.get(id) !== feed) return;
    this.feeds.delete(id);
    clearInterval(feed.poll);
    void feed.subscription?.then((stop) => stop()).catch(() => {});
    if (this.feeds.size === 0) {
      clearInterval(this.heartbeat);
      this.heartbeat = undefined;
    }
  }

  private learn(id: string, seq: number): void {
    if (seq > (this.drawnUpTo.get(id) ?? 0)) this.drawnUpTo.set(id, seq);
  }

  private announce(id: string, message: string): void {
    const seq = Number(message);
    if (Number.isSafeInteger(seq)) this.learn(id, seq);
    const feed = this.feeds.get(id);
    if (feed) this.wake(feed, id);
  }

  private wake(feed: Feed, id: string): void {
    for (const c of feed.clients) void this.pump(id, c);
    for (const w of feed.waiters) w();
  }

  /** Sends the client every log entry after the last it got; one read at a time per client. */
  private async pump(id: string, c: Client): Promise<void> {
    if (c.busy) {
      c.again = true;
      return;
    }
    c.busy = true;
    try {
      do {
        c.again = false;
        for (;;) {
          const events = await this.deps.store.eventsAfter(id, c.seq, BATCH);
          for (const e of events) {
            if (c.res.destroyed || c.res.writableEnded) return;
            this.write(c, `id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(screenEvent(e))}\n\n`);
            c.seq = e.seq;
          }
          if (events.length < BATCH) break;
        }
      } while (c.again);
    } catch {
      // Storage is away: the next word or poll reads on from the same place.
    } finally {
      c.busy = false;
    }
  }

  private write(c: Client, chunk: string): void {
    if (c.res.writableLength > MAX_BUFFERED) c.res.destroy();
    else if (!c.res.writableEnded) c.res.write(chunk);
  }
}

const seqOf = (v: unknown): number | undefined => {
  const n = typeof v === 'string' && /^\d{1,15}$/.test(v.trim()) ? Number(v) : NaN;
  return Number.isSafeInteger(n) ? n : undefined;
};

/** `GET /api/walls/:id/events`: a wall's live stream. */
export function wallEventRoutes(app: FastifyInstance, store: WallStore, events: WallEvents): void {
  app.get<{ Params: { id: string }; Querystring: { after?: string } }>(
    '/api/walls/:id/events',
    {
      schema: {
        summary:
          "A wall's placement log, live (Server-Sent Events): placed, freed, refused, state; " +
          'each with `id:` its seq. Resumes after `Last-Event-ID` (or `?after=`)',
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
        querystring: { type: 'object', properties: { after: { type: 'string', pattern: '^\\d{0,15}$' } } },
        produces: ['text/event-stream'],
        response: { 200: { type: 'string', description: 'an event stream' }, ...errors },
      },
    },
    async (req, reply) => {
      const wall = await store.require(req.params.id);
      // The browser's own reconnection names the last entry it got; that wins over the page's query.
      const after = seqOf(req.headers['last-event-id']) ?? seqOf(req.query.after) ?? 0;
      reply.hijack();
      const res = reply.raw;
      // The security headers are already on the raw response (set in onRequest); writeHead keeps them.
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write('retry: 2000\n\n');
      events.stream(wall.id, res, after);
      req.raw.once('close', () => res.end());
    },
  );
}
