import { AtpAgent, XRPCError } from '@atproto/api';
import { MosaicError, PermanentError } from '../../../core/errors.js';
import { resetAt } from '../rate-limit.js';
import type { BlueskyConfig } from './config.js';

/** For a 429: when its limit resets (epoch ms); for any other error: false. */
export const rateLimitedUntil = (err: unknown): number | undefined | false =>
  err instanceof XRPCError && err.status === 429 ? resetAt(err.headers?.['ratelimit-reset']) : false;

/** A Bluesky failure as our error: client errors (but 408, 429) cannot be helped by retrying. */
export function asMosaicError(err: unknown, what: string): MosaicError {
  if (err instanceof MosaicError) return err;
  if (err instanceof XRPCError) {
    const msg = `${what}: Bluesky answered ${err.status} ${err.error} (${err.message})`;
    const permanent = err.status >= 400 && err.status < 500 && ![408, 429].includes(err.status);
    return permanent ? new PermanentError('INVALID_MESSAGE', msg) : new MosaicError('DOWNLOAD_FAILED', msg);
  }
  return new MosaicError('DOWNLOAD_FAILED', `${what}: ${(err as Error).message}`, { cause: err });
}

/**
 * An agent logged in as the bot (`com.atproto.server.createSession`). The session is kept and
 * refreshed by the agent: Bluesky allows few logins per day.
 */
export async function loggedIn(cfg: BlueskyConfig): Promise<AtpAgent> {
  const agent = new AtpAgent({ service: cfg.service });
  try {
    await agent.login({ identifier: cfg.identifier, password: cfg.password });
  } catch (err) {
    if (err instanceof XRPCError && err.status === 401)
      throw new MosaicError(
        'INVALID_OPTION',
        `Bluesky at ${cfg.service} rejected the login of ${cfg.identifier} (${err.message})`,
      );
    throw new MosaicError('INVALID_OPTION', `Bluesky at ${cfg.service} could not be asked: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return agent;
}

/** The bot's handle; fails with a clear error on bad credentials. */
export const verifyBluesky = async (cfg: BlueskyConfig): Promise<string> => (await loggedIn(cfg)).session!.handle;
