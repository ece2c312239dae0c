import { MosaicError, PermanentError } from '../core/errors.js';
import type { Cache, Storage } from '../ports.js';
import { getJson } from '../adapters/storage/json.js';
import type { RequestState, RequestStatus } from '../shapes/gallery.js';

export type { RequestState, RequestStatus };

const key = (id: string) => `requests/${id}.json`;
const cacheKey = (id: string) => `mosaic:request:${id}`;

/**
 * Where every request's status lives: in storage (the truth, in the input bucket under
 * `requests/`) and in the cache (fast, and what live pages listen to: each change is published on
 * `mosaic:events`). A cache that is down is skipped.
 */
export class RequestStatuses {
  constructor(
    private readonly deps: { storage: Storage; cache: Cache },
    private readonly bucket: string,
  ) {}

  async set(id: string, change: Omit<RequestStatus, 'id' | 'updatedAt'>): Promise<RequestStatus> {
    const status: RequestStatus = { id, ...change, updatedAt: new Date().toISOString() };
    const json = JSON.stringify(status);
    await this.deps.storage.put(this.bucket, key(id), Buffer.from(json), { contentType: 'application/json' });
    await this.deps.cache.set(cacheKey(id), json, 24 * 3600).catch(() => {});
    await this.deps.cache.publish('mosaic:events', JSON.stringify({ type: 'request', status })).catch(() => {});
    return status;
  }

  async get(id: string): Promise<RequestStatus | undefined> {
    const cached = await this.deps.cache.get(cacheKey(id)).catch(() => undefined);
    if (cached) return JSON.parse(cached) as RequestStatus;
    // Each update overwrites the stored status: a read racing one is read again (see getJson).
    return getJson<RequestStatus>(this.deps.storage, this.bucket, key(id));
  }
}

/**
 * What a stage does with a request's error: when retrying cannot help (a PermanentError, an
 * unreadable photo, the last attempt), the request ends as failed with the reason and the error
 * becomes permanent, so the queue dead-letters it at once. Rethrows in every case.
 */
export async function failWhenFinal(
  statuses: RequestStatuses,
  req: { id: string; username?: string },
  err: unknown,
  attempt: number,
  maxAttempts: number,
): Promise<never> {
  const final =
    err instanceof PermanentError ||
    attempt >= maxAttempts ||
    (err instanceof MosaicError && err.code === 'UNREADABLE_IMAGE');
  if (final) {
    const reason = err instanceof Error ? err.message : String(err);
    await statuses.set(req.id, { state: 'failed', reason, username: req.username });
    if (err instanceof MosaicError && !(err instanceof PermanentError))
      throw new PermanentError(err.code, err.message, { cause: err });
  }
  throw err;
}
