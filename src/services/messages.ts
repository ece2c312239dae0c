import { PermanentError } from '../core/errors.js';
import type { PostRef } from '../ports.js';

/**
 * Who asked for a mosaic and where to answer them. Travels unchanged from the request through the
 * engine and finish messages to the publishers.
 */
export type Requester = {
  /** A handle without `@`, or a name given on the upload page. */
  username?: string;
  /** `x`, `mastodon`, `bluesky`; none for uploads. */
  network?: string;
  /** The post to answer on that network. */
  post?: PostRef;
  /** The requester's profile page. */
  profile?: string;
  displayname?: string;
  /** The live wall the photo is for (see services/wall-*.ts); without it the photo becomes a mosaic. */
  wall?: string;
};

/** A mosaic request as the pipeline carries it, whatever shape it arrived in. */
export type MosaicRequest = Requester & {
  /** Request id: also the object key stem in every bucket (`<id>.jpg`), as the original used media ids. */
  id: string;
  /** Where the photo is: already in the input bucket (`key`), or to be fetched (`url`). */
  source: { key: string } | { url: string };
};

const ID = /^[\w-]{1,128}$/;

const text = (v: unknown, field: string, max = 256): string | undefined => {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string' && typeof v !== 'number')
    throw new PermanentError('INVALID_MESSAGE', `${field} must be text`);
  const s = String(v).trim();
  if (s.length > max) throw new PermanentError('INVALID_MESSAGE', `${field} is longer than ${max} characters`);
  return s;
};

/**
 * Reads a queue message into a request. Accepts ours (`{id, username, key | url}`) and the
 * original's two shapes: `{"twitter_user", "media_id"}` (photo stored as `<media_id>.jpg` in the
 * input bucket) and `{"twitter_handler", "user_name", "img_url"}`. Anything else is a
 * PermanentError with the reason, so it is dead-lettered at once instead of retried.
 * @example parseRequest({ twitter_user: 'alice', media_id: '123' }) // { id: '123', username: 'alice', source: { key: '123.jpg' } }
 */
export function parseRequest(message: unknown): MosaicRequest {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    throw new PermanentError('INVALID_MESSAGE', 'malformed message: not a JSON object');
  }
  const m = message as Record<string, unknown>;
  const handle = (v: unknown) => text(v, 'username', 64)?.replace(/^@/, '');
  let req: MosaicRequest;
  // Ours first: the messages we send carry the original's fields too (see withOriginalFields).
  if ('id' in m && ('key' in m || 'url' in m)) {
    const id = text(m.id, 'id')!;
    const key = text(m.key, 'key', 1024);
    const url = text(m.url, 'url', 2048);
    if (!key && !url) throw new PermanentError('INVALID_MESSAGE', 'key and url are both empty');
    req = { id, source: key ? { key } : { url: url! }, ...parseRequester(m) };
  } else if ('media_id' in m) {
    const id = text(m.media_id, 'media_id');
    if (!id) throw new PermanentError('INVALID_MESSAGE', 'media_id is empty');
    req = { id, username: handle(m.twitter_user), source: { key: `${id}.jpg` }, network: 'x' };
  } else if ('img_url' in m) {
    const url = text(m.img_url, 'img_url', 2048);
    if (!url) throw new PermanentError('INVALID_MESSAGE', 'img_url is empty');
    const id = text(m.id, 'id') ?? idFromUrl(url);
    req = { id, username: handle(m.user_name ?? m.twitter_handler), source: { url }, network: 'x' };
  } else {
    const keys = Object.keys(m).slice(0, 5).join(', ') || 'none';
    throw new PermanentError('INVALID_MESSAGE', `unknown message shape (fields: ${keys})`);
  }
  if (!ID.test(req.id))
    throw new PermanentError(
      'INVALID_MESSAGE',
      `id ${JSON.stringify(req.id.slice(0, 40))} is not letters, digits, - or _`,
    );
  return req;
}

/** A job on the engine, finish or done queue: the mosaic's id and the object key of its photo or outputs. */
export type Job = Requester & { id: string; key: string };

/**
 * Reads a message on the engine, finish or done queue. Accepts ours (`{id, key, …}`) and the
 * original's shapes, as {@link parseRequest} does, so an original component can sit before any of
 * our stages: the original passed `{"twitter_user", "media_id"}` along every queue, its objects
 * named `<media_id>.jpg`. A message that names only an image URL has no object to work on.
 * @example parseJob({ twitter_user: 'alice', media_id: '123' }, 'engine job') // { id: '123', key: '123.jpg', username: 'alice', network: 'x' }
 */
export function parseJob(message: unknown, what: string): Job {
  let req: MosaicRequest;
  try {
    const m = message as Record<string, unknown> | null;
    // Only the id: its objects are named `<id>.jpg`, as the original named them.
    const bare = m && typeof m === 'object' && 'id' in m && !['key', 'url', 'media_id', 'img_url'].some((k) => k in m);
    req = parseRequest(bare ? { ...m, key: `${text(m.id, 'id') ?? ''}.jpg` } : message);
  } catch (err) {
    if (err instanceof PermanentError) throw new PermanentError('INVALID_MESSAGE', `malformed ${what}: ${err.message}`);
    throw err;
  }
  const { id, source, ...requester } = req;
  return { ...requester, id, key: 'key' in source ? source.key : `${id}.jpg` };
}

/** The original's fields, which its components read from every queue. */
export type OriginalFields = { media_id: string; twitter_user?: string; twitter_handler?: string; user_name?: string };

/**
 * A message we send, with the original's fields beside ours (`media_id` is our id; the handle as
 * `twitter_user` and, for the original's later variant, `twitter_handler` and `user_name`), so an
 * operator can keep an original component on any queue while moving the rest.
 */
export function withOriginalFields<T extends { id: string; username?: string }>(m: T): T & OriginalFields {
  const handle = m.username ? { twitter_user: m.username, twitter_handler: m.username, user_name: m.username } : {};
  return { ...m, media_id: m.id, ...handle };
}

/**
 * The requester fields of one of our messages (request, engine job, finish job). Fields that are
 * absent stay absent, so the original's messages keep their shape.
 */
export function parseRequester(m: Record<string, unknown>): Requester {
  const r: Requester = {
    username: text(m.username, 'username', 64)?.replace(/^@/, ''),
    network: text(m.network, 'network', 32),
    post: parsePost(m.post),
    profile: text(m.profile, 'profile', 2048),
    displayname: text(m.displayname, 'displayname', 256),
    wall: text(m.wall, 'wall', 64),
  };
  return Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as Requester;
}

function parsePost(v: unknown): PostRef | undefined {
  if (v === undefined || v === null) return undefined;
  const p = v as { id?: unknown; ref?: unknown };
  const id = typeof v === 'object' ? text(p.id, 'post.id', 512) : undefined;
  if (!id) throw new PermanentError('INVALID_MESSAGE', 'post must be an object with an id');
  if (p.ref === undefined) return { id };
  const ref = p.ref as Record<string, unknown>;
  if (typeof ref !== 'object' || ref === null || Object.values(ref).some((x) => typeof x !== 'string'))
    throw new PermanentError('INVALID_MESSAGE', 'post.ref must map names to text');
  return { id, ref: ref as Record<string, string> };
}

/** A stable id for a request that came with only an image URL: the same URL gives the same id. */
function idFromUrl(url: string): string {
  let h = 0xcbf29ce484222325n;
  for (const c of Buffer.from(url)) h = BigInt.asUintN(64, (h ^ BigInt(c)) * 0x100000001b3n);
  return `u${h.toString(36)}`;
}
