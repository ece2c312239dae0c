import WebSocket from 'ws';

export type JetstreamEvent = {
  did: string;
  time_us: number;
  kind: string;
  commit?: { operation?: string; collection?: string; rkey?: string; cid?: string; record?: unknown };
};

/** How far a reconnect rewinds its cursor: Jetstream's cursors are times, so an event may sit on either side. */
const REWIND_US = 2_000_000;

/**
 * One Jetstream subscription (`/subscribe?wantedCollections=…`) that stays up: a closed or
 * silent connection is opened again after a growing delay (250 ms doubling to 30 s), resuming from
 * the `time_us` of the last event seen, a little earlier, so no event is lost (the caller drops
 * repeats; events from before the first one are dropped here). Given a `cursor` (a time kept from
 * an earlier run), the first connection replays from there too. Silence is noticed by pinging.
 */
export class Jetstream {
  private ws: WebSocket | undefined;
  private cursor: number | undefined;
  /** The first event's time: a rewound replay may reach before it, to posts from before we listened. */
  private floor: number | undefined;
  private attempt = 0;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly opts: {
      url: string;
      collection: string;
      onEvent: (e: JetstreamEvent) => void;
      log: (line: string) => void;
      silenceMs?: number;
      /** Replay from this `time_us` (inclusive, a little earlier) instead of starting from now. */
      cursor?: number;
    },
  ) {
    this.cursor = opts.cursor;
    if (opts.cursor !== undefined) this.floor = opts.cursor - REWIND_US;
  }

  /** Resolves after the first attempt to connect, successful or not; later attempts go on alone. */
  open(): Promise<void> {
    return new Promise((resolve) => this.connect(resolve));
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retry);
    this.ws?.terminate();
  }

  private address(): string {
    const u = new URL(this.opts.url);
    if (u.pathname === '/' || u.pathname === '') u.pathname = '/subscribe';
    u.searchParams.set('wantedCollections', this.opts.collection);
    if (this.cursor !== undefined) u.searchParams.set('cursor', String(this.cursor - REWIND_US));
    else u.searchParams.delete('cursor');
    return u.toString();
  }

  private connect(first?: () => void): void {
    const silenceMs = this.opts.silenceMs ?? 90_000;
    const ws = new WebSocket(this.address());
    this.ws = ws;
    let silence: NodeJS.Timeout | undefined;
    const alive = () => {
      clearTimeout(silence);
      silence = setTimeout(() => {
        this.opts.log(`bluesky: Jetstream silent for ${silenceMs / 1000} s, connecting again`);
        ws.terminate();
      }, silenceMs);
    };
    const pinger = setInterval(() => ws.readyState === WebSocket.OPEN && ws.ping(), silenceMs / 3);
    ws.on('open', () => {
      this.attempt = 0;
      alive();
      first?.();
    });
    ws.on('ping', alive).on('pong', alive);
    ws.on('message', (data) => {
      alive();
      let e: JetstreamEvent;
      try {
        e = JSON.parse(String(data)) as JetstreamEvent;
      } catch {
        return this.opts.log('bluesky: Jetstream sent something that is not JSON; ignored');
      }
      if (typeof e.time_us !== 'number') return;
      this.floor ??= e.time_us;
      if (e.time_us < this.floor) return;
      this.cursor = e.time_us;
      try {
        this.opts.onEvent(e);
      } catch (err) {
        this.opts.log(`bluesky: event at ${e.time_us} not understood (${(err as Error).message}); ignored`);
      }
    });
    ws.on('error', (err) => this.opts.log(`bluesky: Jetstream connection failed: ${err.message}`));
    ws.on('close', () => {
      clearTimeout(silence);
      clearInterval(pinger);
      first?.();
      if (this.closed) return;
      const delay = Math.min(250 * 2 ** this.attempt++, 30_000);
      this.opts.log(`bluesky: Jetstream connection closed; connecting again in ${delay} ms`);
      this.retry = setTimeout(() => this.connect(), delay);
    });
  }
}
