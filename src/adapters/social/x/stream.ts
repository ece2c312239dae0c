import { ApiResponseError, ETwitterStreamEvent, type TweetStream, type TwitterApi } from 'twitter-api-v2';
import { TWEET_FIELDS } from './posts.js';

export type FailureKind = 'network' | 'http' | 'rate-limit';

/**
 * X's documented reconnect back-off (docs.x.com, handling disconnections), `attempt` from 1:
 * network errors linearly by 250 ms up to 16 s; HTTP errors exponentially from 5 s up to 320 s;
 * 429 exponentially from 1 minute.
 */
export function reconnectDelay(kind: FailureKind, attempt: number): number {
  switch (kind) {
    case 'network':
      return Math.min(250 * attempt, 16_000);
    case 'http':
      return Math.min(5000 * 2 ** (attempt - 1), 320_000);
    case 'rate-limit':
      return 60_000 * 2 ** Math.min(attempt - 1, 6);
  }
}

export const failureKind = (err: unknown): FailureKind =>
  err instanceof ApiResponseError ? (err.code === 429 ? 'rate-limit' : 'http') : 'network';

export type StreamOptions = {
  /** No data nor keep-alive for this long: the connection is taken as lost, and made again. */
  heartbeatTimeoutMs: number;
  delay: (kind: FailureKind, attempt: number) => number;
  log: (line: string) => void;
};

/** A connection that lasted less than this before closing counts as a failed attempt. */
const SHORT_LIVED_MS = 1000;

/**
 * The filtered stream, kept open: a dropped connection is made again at once, a failed attempt
 * after X's back-off. After a drop, the new connection asks for the minutes missed
 * (`backfill_minutes`, at most 5), so posts sent meanwhile still arrive; some arrive twice.
 */
export class FilteredStream {
  private stopped = false;
  private current: TweetStream | undefined;
  private wake: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;
  /** Backfill is for some access levels only: once refused, reconnects go without it. */
  private backfillRefused = false;

  constructor(
    private readonly client: TwitterApi,
    private readonly opts: StreamOptions,
    private readonly onData: (payload: unknown) => void,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.current?.close();
    clearTimeout(this.timer);
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    let failures = 0;
    let lastKind: FailureKind | undefined;
    let droppedAt: number | undefined;
    while (!this.stopped) {
      const backfill =
        !this.backfillRefused && droppedAt && Math.min(5, Math.max(1, Math.ceil((Date.now() - droppedAt) / 60_000)));
      try {
        const stream = this.client.v2.searchStream({
          ...TWEET_FIELDS,
          ...(backfill ? { backfill_minutes: backfill } : {}),
          autoConnect: false,
        });
        this.current = stream;
        stream.on(ETwitterStreamEvent.Data, (d: unknown) => this.onData(d));
        stream.on(ETwitterStreamEvent.DataError, (e: unknown) => this.opts.log(`X stream says: ${JSON.stringify(e)}`));
        stream.on(ETwitterStreamEvent.ConnectionLost, () =>
          this.opts.log(`X stream: nothing for ${this.opts.heartbeatTimeoutMs / 1000} s, connecting again`),
        );
        const closed = new Promise<void>((r) => stream.on(ETwitterStreamEvent.ConnectionClosed, () => r()));
        await stream.connect({ autoReconnect: false, keepAliveTimeout: this.opts.heartbeatTimeoutMs });
        const since = Date.now();
        this.opts.log(`X stream connected${backfill ? ` (asking for the last ${backfill} min missed)` : ''}`);
        droppedAt = undefined;
        if (this.stopped) stream.close();
        await closed;
        if (this.stopped) break;
        droppedAt = Date.now();
        if (droppedAt - since < SHORT_LIVED_MS) throw new Error('the connection closed as soon as it opened');
        failures = 0;
        lastKind = undefined;
        this.opts.log('X stream dropped, connecting again');
      } catch (err) {
        if (this.stopped) break;
        if (backfill && err instanceof ApiResponseError && [400, 403].includes(err.code)) {
          this.backfillRefused = true;
          this.opts.log(
            `X refused backfill_minutes (${err.code}): connecting without it; posts sent while away are lost`,
          );
          continue;
        }
        droppedAt ??= Date.now();
        const kind = failureKind(err);
        failures = kind === lastKind ? failures + 1 : 1;
        lastKind = kind;
        const wait = this.opts.delay(kind, failures);
        this.opts.log(`X stream: ${describe(err)}; trying again in ${wait} ms`);
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          this.timer = setTimeout(resolve, wait);
        });
      }
    }
  }
}

function describe(err: unknown): string {
  if (err instanceof ApiResponseError) return `X answered ${err.code}`;
  return (err as Error).message;
}
