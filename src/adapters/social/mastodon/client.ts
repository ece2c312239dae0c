import { createRestAPIClient, MastoHttpError, type mastodon } from 'masto';
import { MosaicError, PermanentError } from '../../../core/errors.js';
import { resetAt } from '../rate-limit.js';
import type { MastodonConfig } from './config.js';

export const restClient = (cfg: MastodonConfig): mastodon.rest.Client =>
  createRestAPIClient({ url: cfg.url, accessToken: cfg.accessToken, timeout: 30_000, log: 'error' });

/** For a 429: when its limit resets (epoch ms); for any other error: false. */
export const rateLimitedUntil = (err: unknown): number | undefined | false =>
  err instanceof MastoHttpError && err.statusCode === 429
    ? resetAt((err.cause as Response | undefined)?.headers.get('x-ratelimit-reset'))
    : false;

/** A Mastodon failure as our error: client errors (but 408, 429) cannot be helped by retrying. */
export function asMosaicError(err: unknown, what: string): MosaicError {
  if (err instanceof MosaicError) return err;
  if (err instanceof MastoHttpError) {
    const msg = `${what}: Mastodon answered ${err.statusCode} (${err.message})`;
    const permanent = err.statusCode >= 400 && err.statusCode < 500 && ![408, 429].includes(err.statusCode);
    return permanent ? new PermanentError('INVALID_MESSAGE', msg) : new MosaicError('DOWNLOAD_FAILED', msg);
  }
  return new MosaicError('DOWNLOAD_FAILED', `${what}: ${(err as Error).message}`, { cause: err });
}

/** The bot's account and the instance's domain and streaming URL, checking the token on the way. */
export async function whoAmI(cfg: MastodonConfig) {
  const rest = restClient(cfg);
  try {
    const [me, instance] = await Promise.all([rest.v1.accounts.verifyCredentials(), rest.v2.instance.fetch()]);
    const acct = me.acct.includes('@') ? me.acct : `${me.acct}@${instance.domain}`;
    return { rest, me, acct, domain: instance.domain, streamingUrl: instance.configuration.urls.streaming };
  } catch (err) {
    if (err instanceof MastoHttpError && err.statusCode === 401)
      throw new MosaicError('INVALID_OPTION', `Mastodon at ${cfg.url} rejected the access token (${err.message})`);
    throw new MosaicError('INVALID_OPTION', `Mastodon at ${cfg.url} could not be asked: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** The bot's full handle (`user@instance`); fails with a clear error on a bad token. */
export const verifyMastodon = async (cfg: MastodonConfig): Promise<string> => (await whoAmI(cfg)).acct;
