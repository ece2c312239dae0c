import type { FastifyInstance } from 'fastify';
import type { ServerResponse } from 'node:http';
import type { Cache } from '../ports.js';
import { EVENTS_CHANNEL, type MosaicView } from '../services/gallery-cache.js';
import type { RequestStatus } from '../services/requests.js';

/** What the pipeline publishes on `mosaic:events`. */
type Published =
  { type: 'mosaic'; mosaic: MosaicView } | { type: 'request'; status: RequestStatus } | { type: 'hidden'; id: string };

export type SseEvent = { event: 'mosaic' | 'request' | 'hidden'; data: unknown };

/** A client that stops reading is let go rather than buffered for without end. */
const MAX_BUFFERED = 1024 * 1024;

/**
 * Server-Sent Events for every open page, from one subscription to the cache's `mosaic:events`
 * (taken with the first page, dropped with the last). Delivery is best effort: pages re-read the
 * API when they reconnect, so a lost event loses nothing.
 */
export class EventHub {
  private readonly clients = new Set<ServerResponse>();
  private subscription?: Promise<() => Promise<void>>;
  private heartbeat?: NodeJS.Timeout;

  constructor(
    private readonly cache: Cache,
    /** Turns a published message into the event pages get (e.g. adds a done request's mosaic). */
    private readonly translate: (m: Published) => Promise<SseEvent>,
    private readonly heartbeatMs = 15_000,
  ) {}

  get size(): number {
    return this.clients.size;
  }

  add(res: ServerResponse): void {
    this.clients.add(res);
    res.once('close', () => this.remove(res));
    if (!this.subscription) {
      const sub = this.cache.subscribe(EVENTS_CHANNEL, (m) => void this.onMessage(m));
      this.subscription = sub;
      // A cache that is away now is tried again with the next page.
      sub.catch(() => {
        if (this.subscription === sub) this.subscription = undefined;
      });
    }
    if (!this.heartbeat) {
      this.heartbeat = setInterval(() => this.write(': heartbeat\n\n'), this.heartbeatMs);
      this.heartbeat.unref();
    }
  }

  private remove(res: ServerResponse): void {
    if (!this.clients.delete(res) || this.clients.size > 0) return;
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    const sub = this.subscription;
    this.subscription = undefined;
    void sub?.then((stop) => stop()).catch(() => {});
  }

  private async onMessage(raw: string): Promise<void> {
    let message: Published;
    try {
      message = JSON.parse(raw) as Published;
    } catch {
      return;
    }
    if (!['mosaic', 'request', 'hidden'].includes(message?.type)) return;
    const e = await this.translate(message).catch(() => undefined);
    if (e) this.write(`event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`);
  }

  private write(chunk: string): void {
    for (const res of this.clients) {
      if (res.writableLength > MAX_BUFFERED) res.destroy();
      else res.write(chunk);
    }
  }

  /** Ends every stream (the server is closing). */
  close(): void {
    for (const res of [...this.clients]) res.end();
  }
}

/** `GET /api/events`: the live stream. */
export function eventRoutes(app: FastifyInstance, hub: EventHub): void {
  app.get(
    '/api/events',
    {
      schema: {
        summary: 'Live events (Server-Sent Events): mosaic, request, hidden; a comment every 15 s',
        produces: ['text/event-stream'],
        response: { 200: { type: 'string', description: 'an event stream' } },
      },
    },
    (req, reply) => {
      reply.hijack();
      const res = reply.raw;
      // The security headers are already on the raw response (set in onRequest); writeHead keeps them.
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write('retry: 3000\n\n');
      hub.add(res);
      req.raw.once('close', () => res.end());
    },
  );
}

/** The events pages get, from what the pipeline published. */
export const translator =
  (withMosaic: (s: RequestStatus) => Promise<RequestStatus>) =>
  async (m: Published): Promise<SseEvent> => {
    switch (m.type) {
      case 'mosaic':
        return { event: 'mosaic', data: m.mosaic };
      case 'request':
        return { event: 'request', data: await withMosaic(m.status) };
      case 'hidden':
        return { event: 'hidden', data: { id: m.id } };
    }
  };
