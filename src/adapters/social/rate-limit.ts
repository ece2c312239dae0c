import { MosaicError } from '../../core/errors.js';

/** A reset header as epoch milliseconds: Mastodon sends an ISO date, Bluesky Unix seconds. */
export function resetAt(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const n = Number(value);
  const ms = Number.isFinite(n) ? n * 1000 : Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

export type RateLimitOptions = {
  /** A reset further away than this is not waited for: the error goes to the queue, which retries later. */
  maxWaitMs: number;
  log: (line: string) => void;
  what: string;
};

/**
 * Runs `call`; when the network answers 429 and its limit resets within `maxWaitMs`, waits until
 * then and tries again (once per reset); a later reset becomes an error that is retried by the
 * queue, so the reply is delayed, never lost.
 */
export async function honourRateLimit<T>(
  call: () => Promise<T>,
  limitedUntil: (err: unknown) => number | undefined | false,
  opts: RateLimitOptions,
): Promise<T> {
  for (let tries = 0; ; tries++) {
    try {
      return await call();
    } catch (err) {
      const until = limitedUntil(err);
      if (until === false) throw err;
      const wait = Math.max(0, (until ?? Date.now() + opts.maxWaitMs + 1) - Date.now());
      if (wait > opts.maxWaitMs || tries >= 3)
        throw new MosaicError('DOWNLOAD_FAILED', `${opts.what}: rate limited for ${Math.ceil(wait / 1000)} s more`, {
          cause: err,
        });
      opts.log(`${opts.what}: rate limited, trying again in ${Math.ceil(wait / 1000)} s`);
      await new Promise((r) => setTimeout(r, wait + 50));
    }
  }
}
