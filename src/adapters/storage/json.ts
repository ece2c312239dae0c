import type { Storage } from '../../ports.js';

export const JSON_RETRY_DELAYS_MS: readonly number[] = [50, 200, 500, 1000];

/**
 * A JSON object from storage, or undefined when there is none. Some S3-compatible servers (s3rver
 * among them) overwrite an object in place, so a read racing a writer can see it half-written: a
 * body that does not parse is read again after each of `retryDelaysMs`, and only then is it an
 * error (`damaged` makes that error, e.g. with the caller's code).
 * @example const status = await getJson<RequestStatus>(storage, 'mosaic-in', 'requests/abc.json');
 */
export async function getJson<T>(
  storage: Storage,
  bucket: string,
  key: string,
  opts: { retryDelaysMs?: readonly number[]; damaged?: (message: string) => Error } = {},
): Promise<T | undefined> {
  const delays = opts.retryDelaysMs ?? JSON_RETRY_DELAYS_MS;
  for (let attempt = 0; ; attempt++) {
    const body = await storage.get(bucket, key);
    if (!body) return undefined;
    try {
      return JSON.parse(Buffer.from(body).toString('utf8')) as T;
    } catch {
      if (attempt >= delays.length) {
        const message = `${bucket}/${key} is not valid JSON`;
        throw opts.damaged ? opts.damaged(message) : new Error(message);
      }
      await new Promise((r) => setTimeout(r, delays[attempt]));
    }
  }
}
