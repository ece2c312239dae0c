import { MosaicError } from '../../core/errors.js';

/**
 * A bit.ly shortener (`POST /v4/shorten` with a Bearer token). Any failure is an error; the
 * publish stage then uses the long link.
 */
export function bitlyShortener(opts: { token: string; apiUrl: string; timeoutMs?: number }) {
  return async (longUrl: string): Promise<string> => {
    const res = await fetch(new URL('/v4/shorten', opts.apiUrl), {
      method: 'POST',
      headers: { authorization: `Bearer ${opts.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ long_url: longUrl }),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 5000),
    }).catch((err: Error) => {
      throw new MosaicError('DOWNLOAD_FAILED', `bit.ly unreachable: ${err.message}`, { cause: err });
    });
    if (!res.ok) throw new MosaicError('DOWNLOAD_FAILED', `bit.ly answered ${res.status}`);
    const link = ((await res.json()) as { link?: unknown }).link;
    if (typeof link !== 'string' || !/^https?:\/\//.test(link))
      throw new MosaicError('DOWNLOAD_FAILED', 'bit.ly answered without a link');
    return link;
  };
}
