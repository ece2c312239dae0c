import type { RawImage } from './core/types.js';

export type OutputFormat = 'jpeg' | 'webp' | 'png';
export type ReadOptions = { maxInputPixels?: number };
export type EncodeRequest = {
  format: OutputFormat;
  quality: number;
  /** width in px, 0 for none */ thumbnail: number;
  /** false: thumbnail only */ full: boolean;
  /**
   * When given, the canvas is still being painted: rows finished so far (see
   * adapters/imaging/rows-ready.ts). Strips are encoded as their rows are ready.
   */
  rowsReady?: Int32Array;
};
export type Encoded = { image?: Uint8Array; thumbnail?: Uint8Array };

/**
 * Decoding and encoding images. Errors are MosaicErrors (UNREADABLE_IMAGE, IMAGE_TOO_LARGE) whose
 * message says what is wrong with the file, without its name. Not in it: tiles (see
 * adapters/imaging/tile-worker.ts) and file IO other than Deep Zoom output.
 */
export interface Imaging {
  /** Width and height after EXIF orientation, checked against the pixel limit. */
  photoSize(bytes: Uint8Array, opts?: ReadOptions): Promise<{ width: number; height: number }>;
  /** Upright sRGB pixels, shrunk to fit `maxSide` when larger. */
  readPhoto(bytes: Uint8Array, opts?: ReadOptions & { maxSide?: number }): Promise<RawImage>;
  /** The encoded image and its thumbnail, both from the pixels given. */
  encode(image: RawImage, req: EncodeRequest): Promise<Encoded>;
  /** Writes `<base>.dzi` and `<base>_files/`. */
  deepZoom(image: RawImage, base: string, quality: number): Promise<void>;
  close(): Promise<void>;
}

/** What a store knows of one object. `metadata` keys are lower case, as S3 returns them. */
export type ObjectInfo = {
  key: string;
  size: number;
  lastModified: Date;
  contentType?: string;
  metadata: Record<string, string>;
};
export type PutOptions = { contentType?: string; metadata?: Record<string, string> };

/**
 * Object storage in buckets, as the original system used S3. Keys may contain `/`. Writes are
 * whole-object and atomic: a reader sees the old object or the new one, never part of one.
 * Not in it: versioning, ACLs, partial reads.
 */
export interface Storage {
  /** Creates the bucket when missing. */
  ensureBucket(bucket: string): Promise<void>;
  put(bucket: string, key: string, body: Uint8Array, opts?: PutOptions): Promise<void>;
  /** Uploads a file from disk; large files go up in parts. */
  putFile(bucket: string, key: string, file: string, opts?: PutOptions): Promise<void>;
  /** The object's bytes, or undefined when there is none. */
  get(bucket: string, key: string): Promise<Uint8Array | undefined>;
  head(bucket: string, key: string): Promise<ObjectInfo | undefined>;
  /** Every object whose key starts with `prefix`, in key order, fetched page by page; without metadata (use `head`). */
  list(bucket: string, prefix?: string): AsyncIterable<ObjectInfo>;
  /** Deleting what is not there is not an error. */
  delete(bucket: string, key: string): Promise<void>;
  /** A URL a browser can GET the object from for `expiresIn` seconds, or undefined when the store has none (serve it through the app). */
  url(bucket: string, key: string, expiresIn?: number): Promise<string | undefined>;
  close(): Promise<void>;
}

/**
 * A key-value cache with expiry and change notifications. It only ever holds copies: whatever is
 * in it can be rebuilt from storage, so a lost value or a lost notification loses nothing.
 * Not in it: transactions, persistence guarantees.
 */
export interface Cache {
  get(key: string): Promise<string | undefined>;
  /** `ttl` in seconds; without it the value stays until replaced or deleted. */
  set(key: string, value: string, ttl?: number): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Counts one more for `key` in a fixed window of `windowMs` that starts with the first count
   * (atomic, so processes sharing the cache share the count): for rate limits.
   */
  increment(key: string, windowMs: number): Promise<{ count: number; ttlMs: number }>;
  /** The live keys starting with `prefix`, in no order: for small operator listings, not hot paths. */
  keys(prefix: string): Promise<string[]>;
  /** Tells subscribers of `channel`; delivery is best effort. */
  publish(channel: string, message: string): Promise<void>;
  /** Calls `handler` for each message on `channel` until the returned function is called. */
  subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export type Delivery = { /** 1 on the first try */ attempt: number };
export type DeadLetter = { message: unknown; reason: string; attempts: number };
export type Handler = (message: unknown, delivery: Delivery) => Promise<void>;

/**
 * Durable work queues, as the original's RabbitMQ queues (mosaic-in, mosaic-eng, …). A message is
 * removed only after its handler resolves. A handler that throws is retried with growing delays,
 * up to the queue's attempt limit; then, or at once for a PermanentError, the message moves to the
 * queue's dead letters with the error's message as the reason. Delivery is at least once: a
 * process killed mid-job gets the message again, so handlers must be idempotent.
 * Not in it: priorities, ordering guarantees across consumers, delayed sends.
 */
export interface Queue {
  send(queue: string, message: unknown): Promise<void>;
  consume(queue: string, handler: Handler, opts?: { prefetch?: number }): Promise<{ stop(): Promise<void> }>;
  /** Messages waiting (not counting those being handled or dead). */
  depth(queue: string): Promise<number>;
  deadLetters(queue: string, limit?: number): Promise<DeadLetter[]>;
  close(): Promise<void>;
}

export type RetryPolicy = { maxAttempts: number; baseDelayMs: number };
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 1000 };

/** What a publisher is given to answer a requester. */
export type Reply = {
  id: string;
  username?: string;
  network?: string;
  /** The post to answer, when the request came from a social network. */
  post?: PostRef;
  /** The reply text, already filled in. */
  text: string;
  /** The mosaic's page in the gallery. */
  url: string;
  thumbnail: Uint8Array;
};

/** Answers the person who asked for a mosaic (a log line, a webhook, a social network). */
export interface Publisher {
  readonly name: string;
  /** Whether this publisher answers requests from `network` (undefined: uploads and others). */
  handles(network: string | undefined): boolean;
  reply(reply: Reply): Promise<void>;
}

/**
 * Where a post lives on its network, enough to answer it: `id` is the post's id there (a tweet
 * id, a Mastodon status id, a Bluesky at:// URI); `ref` holds whatever else the network needs
 * (Bluesky's cid and thread root). Travels in the request and finish messages as JSON.
 */
export type PostRef = { id: string; ref?: Record<string, string> };

/** What a source is listening for: mosaic requests (#mosaicme, @mentions) or photos for the tile library. */
export type SourceRole = 'requests' | 'tiles';

/** One photo post seen on a social network. */
export type SocialPost = {
  network: 'x' | 'mastodon' | 'bluesky';
  post: PostRef;
  role: SourceRole;
  author: { handle: string; displayName?: string; profileUrl?: string };
  text: string;
  /** Photos only, in post order. A post with none is skipped (with a log line) by the social stage. */
  imageUrls: string[];
  /** The post has video or animations (not used as photos), to say why a post with no photo was skipped. */
  hasVideo?: boolean;
  /** The post's own page, when the network has one. */
  url?: string;
  createdAt?: string;
};

/**
 * Listens to one network (a stream, with polling where the network offers it) and hands each
 * photo post to `onPost` once it is safely taken: a source re-delivers what `onPost` rejected.
 * The same post may still arrive twice (reconnects); the consumer de-duplicates by network and id.
 */
/**
 * Where a source keeps its position between runs (an object in storage), so a collector that
 * was down reads on from what it last handed over instead of from "now".
 */
export type SourceCursor = { load(): Promise<string | undefined>; save(value: string): Promise<void> };

export interface Source {
  readonly network: SocialPost['network'];
  start(onPost: (post: SocialPost) => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The image work of live walls, beside `Imaging`: photos cropped to cells, the screen's tiles and
 * the print files. Errors are MosaicErrors as in `Imaging`.
 */
export interface WallImaging {
  /** A square crop of `size` px around the photo's subject (as tiles are made): RGB pixels. */
  cropSquare(bytes: Uint8Array, size: number, opts?: ReadOptions): Promise<Uint8Array>;
  /** Upright sRGB pixels, shrunk to fit `maxSide`. */
  read(bytes: Uint8Array, opts?: ReadOptions & { maxSide?: number }): Promise<RawImage>;
  /** A region of `image` (all of it by default) resized to `width`×`height` exactly. */
  resize(
    image: RawImage,
    width: number,
    height: number,
    region?: { left: number; top: number; width: number; height: number },
  ): Promise<RawImage>;
  /** JPEG bytes, with `dpi` in the file's metadata when given. */
  jpeg(image: RawImage, quality: number, dpi?: number): Promise<Uint8Array>;
  /** A guest's sticker: the photo `sizePx` square with its label and an upright mark, at `dpi`. */
  sticker(o: { photo: RawImage; label: string; sizePx: number; dpi: number; title?: string }): Promise<Uint8Array>;
  /** The guest's take-home print: title, photo, the wall so far with their cell framed, where it is. */
  takeaway(o: {
    photo: RawImage;
    wall: RawImage;
    highlight?: { x: number; y: number; w: number; h: number };
    title: string;
    label: string;
    widthPx: number;
    heightPx: number;
    dpi: number;
  }): Promise<Uint8Array>;
  /** The physical board's map (grid, labels, faint target) cut into printable PNG sheets. */
  boardSheets(o: {
    target: RawImage;
    cols: number;
    rows: number;
    cellPx: number;
    dpi: number;
    sheetPx: { width: number; height: number };
  }): Promise<{ name: string; image: Uint8Array }[]>;
}
