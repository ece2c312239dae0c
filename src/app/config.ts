import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import ini from 'ini';
import { z } from 'zod';

/**
 * Everything MosaicMe is configured with, read once at start. Sources, later ones winning:
 * defaults; the original system's config files (`engine.ini`, `ecsconfig.properties`, from
 * `--config` or `DATA_DIR/setting/`); a `.env` file in the working folder; the environment.
 * The original's variable names work as they are; URL forms (`RABBITMQ_URL`, `REDIS_URL`,
 * `S3_ENDPOINT`) too. Only this module reads `process.env`.
 */
export type Config = {
  port: number;
  dataDir: string;
  storage:
    | { kind: 'disk'; dir: string }
    | {
        kind: 's3';
        endpoint?: string;
        region: string;
        accessKeyId?: string;
        secretAccessKey?: string;
        forcePathStyle: boolean;
        urlExpiry: number;
      };
  /** `library`: where the library stage publishes the shared tile library for engines elsewhere. */
  buckets: { in: string; raw: string; outLarge: string; outSmall: string; library: string };
  queue: { kind: 'disk'; dir: string } | { kind: 'rabbitmq'; url: string };
  /** `tiles`: photos put in the raw bucket, for the library stage to index. */
  queues: {
    in: string;
    engine: string;
    finish: string;
    done: string;
    tiles: string;
    /** Live walls: photos to crop and describe (any number of engines), then to place (one at a time). */
    wallEngine: string;
    wallPlace: string;
    wallPrint: string;
  };
  cache: { kind: 'memory' } | { kind: 'redis'; url: string };
  /** Seconds `mosaic:all` lives in the cache (the original's CACHE_LIFE). */
  cacheLife: number;
  /** Seconds between cache rebuilds from storage (the original's WAIT_TIME). */
  waitTime: number;
  thumbnailSize: number;
  replyText?: string;
  /** The reply to a social requester whose photo went on a live wall (`{handle}`, `{label}`, `{wall}`, `{url}`). */
  wallReplyText?: string;
  galleryUrl?: string;
  /** The tile library the engines use (embedded: created with demo tiles on first start). */
  libraryDir: string;
  /** The library stage's copy of the raw bucket. */
  rawDir: string;
  webhook?: { url: string; secret: string };
  /** The web role's limits and operator access. */
  web: {
    /** Bearer token of the operator API; without one the operator API is off. */
    adminToken?: string;
    maxUploadBytes: number;
    /** Width × height an uploaded photo may have. */
    maxUploadPixels: number;
    /** Uploads one client address may make per minute. */
    uploadRateLimit: number;
    /** Whether X-Forwarded-For names the client (behind a reverse proxy). */
    trustProxy: boolean;
  };
  social: SocialSettings;
  /** The files that were read, for `mosaicme check`. */
  files: string[];
};

/** The social networks listened to and answered on; a network is configured when its credentials are. */
export type SocialSettings = {
  /** Hashtags (without `#`) whose photo posts become mosaic requests. */
  requestHashtags: string[];
  /** Hashtags whose photos grow the tile library. */
  tileHashtags: string[];
  x?: {
    /** App-only token for the filtered stream; without it, one is fetched with the API key and secret. */
    bearerToken?: string;
    /** OAuth 1.0a user context of the bot: mentions, replies, `check`. */
    oauth1?: { appKey: string; appSecret: string; accessToken: string; accessSecret: string };
    /** App key and secret without the bot's tokens (enough for the stream). */
    app?: { appKey: string; appSecret: string };
    botUsername?: string;
    mode: 'stream' | 'mentions';
    /** Mentions mode: seconds between polls. */
    pollSeconds: number;
    /** Where the API is, instead of https://api.x.com (tests, proxies). */
    apiUrl?: string;
    mediaHosts: string[];
  };
  mastodon?: { url: string; accessToken: string; mediaHosts?: string[] };
  bluesky?: {
    service: string;
    identifier: string;
    password: string;
    jetstreamUrl: string;
    mediaHosts?: string[];
    /** Where a post's image is fetched, with `{did}` and `{cid}` (default: the Bluesky CDN). */
    imageUrlTemplate?: string;
  };
  bitly?: { token: string; apiUrl: string };
};

/** Every problem with the configuration, listed at once. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** The original's config files, translated to the environment names they stand for. */
const ENGINE_INI: Record<string, string> = {
  hostname: 'RABBITMQ_HOST',
  thm_size: 'THUMBNAIL_SIZE',
  queueeng: 'QUEUE_ENGINE',
  queueout: 'QUEUE_FINISH',
};
const ECS_PROPERTIES: Record<string, string> = {
  username: 'S3_ACCESS_KEY',
  password: 'S3_SECRET_KEY',
  proxy: 'S3_ENDPOINT',
  inbucket: 'BUCKET_IN',
  outlargebucket: 'BUCKET_OUT_LARGE',
  outsmallbucket: 'BUCKET_OUT_SMALL',
  s3collectbucket: 'BUCKET_RAW',
  downloaderqueue: 'QUEUE_IN',
  enginequeue: 'QUEUE_ENGINE',
  uploaderqueue: 'QUEUE_FINISH',
  twitterqueue: 'QUEUE_DONE',
  queuehost: 'RABBITMQ_HOST',
  twittertext: 'REPLY_TEXT',
  mosaicweb: 'GALLERY_URL',
  consumerkey: 'TWITTER_CONSUMER_KEY',
  consumersecret: 'TWITTER_CONSUMER_SECRET',
  accesstoken: 'TWITTER_ACCESS_TOKEN',
  accesstokensecret: 'TWITTER_ACCESS_TOKEN_SECRET',
  bitlylogin: 'BITLY_LOGIN',
  bitlyapikey: 'BITLY_API_KEY',
};

function readSettingFile(file: string): Record<string, string> {
  const parsed = ini.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') flat[k.toLowerCase()] = String(v);
    else if (v && typeof v === 'object') {
      for (const [k2, v2] of Object.entries(v)) if (typeof v2 !== 'object') flat[k2.toLowerCase()] = String(v2);
    }
  }
  const names = path.basename(file).toLowerCase().endsWith('.ini') ? ENGINE_INI : ECS_PROPERTIES;
  return Object.fromEntries(Object.entries(flat).flatMap(([k, v]) => (names[k] ? [[names[k], v]] : [])));
}

const bool = z
  .string()
  .transform((s) => s.trim().toLowerCase())
  .pipe(z.enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off']))
  .transform((s) => ['1', 'true', 'yes', 'on'].includes(s));
const int = (min: number, max: number) =>
  z.coerce
    .number({ error: `expected a whole number from ${min} to ${max}` })
    .int({ error: `expected a whole number from ${min} to ${max}` })
    .min(min, { error: `expected a whole number from ${min} to ${max}` })
    .max(max, { error: `expected a whole number from ${min} to ${max}` });
const name = z.string().regex(/^[\w.-]{1,255}$/, 'letters, digits, dot, dash and underscore only');
const url = (protocols: string[]) =>
  z.string().refine(
    (s) => {
      try {
        return protocols.includes(new URL(s).protocol);
      } catch {
        return false;
      }
    },
    `a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
  );

/** Comma-separated, `#` optional: `mosaicme, #EventTag` → ['mosaicme', 'EventTag']. */
const hashtags = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((t) => t.trim().replace(/^#/, ''))
      .filter(Boolean),
  )
  .refine((tags) => tags.every((t) => /^[\p{L}\p{N}_]{1,100}$/u.test(t)), 'hashtags are letters, digits and _ only');
/** Comma-separated host names or addresses. */
const hosts = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().regex(/^[a-z0-9.:[\]-]+$/, 'host names only, without scheme or path')).min(1));
const handle = z
  .string()
  .transform((s) => s.trim().replace(/^@/, ''))
  .pipe(z.string().regex(/^\w{1,50}$/, 'a handle: letters, digits and _'));

const Env = z.object({
  PORT: int(1, 65535).default(8000),
  DATA_DIR: z.string().min(1).default('./data'),
  RABBITMQ_URL: url(['amqp:', 'amqps:']).optional(),
  RABBITMQ_HOST: z.string().min(1).optional(),
  RABBITMQ_PORT: int(1, 65535).default(5672),
  RABBITMQ_USER: z.string().default('guest'),
  RABBITMQ_PASSWORD: z.string().default('guest'),
  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  REDIS_HOST: z.string().min(1).optional(),
  REDIS_PORT: int(1, 65535).default(6379),
  REDIS_DB: int(0, 1000).default(0),
  MOSAIC_STORAGE: z.enum(['disk', 's3']).optional(),
  S3_ENDPOINT: url(['http:', 'https:']).optional(),
  S3_HOST: z.string().min(1).optional(),
  S3_PORT: int(1, 65535).optional(),
  S3_HTTPS: bool.optional(),
  S3_REGION: z.string().default('us-east-1'),
  S3_ACCESS_KEY: z.string().min(1).optional(),
  S3_SECRET_KEY: z.string().min(1).optional(),
  S3_FORCE_PATH_STYLE: bool.optional(),
  S3_URL_EXPIRY: int(1, 7 * 24 * 3600).default(7 * 24 * 3600),
  BUCKET_IN: name.optional(),
  BUCKET_RAW: name.optional(),
  BUCKET_COLLECTOR: name.optional(),
  BUCKET_OUT_LARGE: name.default('mosaic-outlarge'),
  BUCKET_OUT_SMALL: name.default('mosaic-outsmall'),
  BUCKET_LIBRARY: name.default('mosaic-library'),
  QUEUE_IN: name.optional(),
  QUEUE_ENGINE: name.default('mosaic-eng'),
  QUEUE_FINISH: name.default('mosaic-finish'),
  QUEUE_DONE: name.default('mosaic-done'),
  QUEUE_TILES: name.default('mosaic-tiles'),
  QUEUE_WALL_ENGINE: name.default('mosaic-wall-eng'),
  QUEUE_WALL_PLACE: name.default('mosaic-wall-place'),
  QUEUE_WALL_PRINT: name.default('mosaic-wall-print'),
  CACHE_LIFE: int(1, 365 * 24 * 3600).default(600),
  WAIT_TIME: int(1, 24 * 3600).default(60),
  THUMBNAIL_SIZE: int(16, 2048).default(120),
  REPLY_TEXT: z.string().optional(),
  WALL_REPLY_TEXT: z.string().optional(),
  GALLERY_URL: url(['http:', 'https:']).optional(),
  LIBRARY_DIR: z.string().min(1).optional(),
  RAW_DIR: z.string().min(1).optional(),
  WEBHOOK_URL: url(['http:', 'https:']).optional(),
  WEBHOOK_SECRET: z.string().min(16, 'at least 16 characters').optional(),
  ADMIN_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  MAX_UPLOAD_MB: int(1, 1024).default(25),
  MAX_UPLOAD_PIXELS: int(10_000, 1_000_000_000).default(50_000_000),
  UPLOAD_RATE_LIMIT: int(1, 100_000).default(10),
  TRUST_PROXY: bool.default(false),
  // The original's collectors: one with a queue made requests, one without filled the raw bucket.
  MOSAIC_LISTEN_HASHTAG: hashtags.optional(),
  MOSAIC_BUCKET: name.optional(),
  MOSAIC_QUEUE: name.optional(),
  TWITTER_USERNAME: handle.optional(),
  TWITTER_CONSUMER_KEY: z.string().optional(),
  TWITTER_CONSUMER_SECRET: z.string().optional(),
  TWITTER_ACCESS_TOKEN: z.string().optional(),
  TWITTER_ACCESS_TOKEN_SECRET: z.string().optional(),
  REQUEST_HASHTAGS: hashtags.optional(),
  TILE_HASHTAGS: hashtags.optional(),
  X_BEARER_TOKEN: z.string().optional(),
  X_API_KEY: z.string().optional(),
  X_API_SECRET: z.string().optional(),
  X_ACCESS_TOKEN: z.string().optional(),
  X_ACCESS_SECRET: z.string().optional(),
  X_BOT_USERNAME: handle.optional(),
  X_MODE: z.enum(['stream', 'mentions']).default('stream'),
  X_POLL_SECONDS: int(1, 3600).default(30),
  X_API_URL: url(['https:']).optional(),
  X_MEDIA_HOSTS: hosts.default(['pbs.twimg.com']),
  MASTODON_URL: url(['http:', 'https:']).optional(),
  MASTODON_TOKEN: z.string().optional(),
  MASTODON_MEDIA_HOSTS: hosts.optional(),
  BLUESKY_SERVICE: url(['http:', 'https:']).default('https://bsky.social'),
  BLUESKY_IDENTIFIER: z.string().optional(),
  BLUESKY_APP_PASSWORD: z.string().optional(),
  BLUESKY_JETSTREAM_URL: url(['ws:', 'wss:']).default('wss://jetstream2.us-east.bsky.network/subscribe'),
  BLUESKY_MEDIA_HOSTS: hosts.optional(),
  BLUESKY_IMAGE_URL: url(['http:', 'https:'])
    .refine((s) => s.includes('{did}') && s.includes('{cid}'), 'a URL with {did} and {cid} in it')
    .optional(),
  BITLY_TOKEN: z.string().optional(),
  BITLY_API_URL: url(['http:', 'https:']).default('https://api-ssl.bitly.com'),
});

/** The settings folder the original read (`/mosaic/setting/`), here inside DATA_DIR. */
export const settingFiles = (dataDir: string): string[] =>
  ['engine.ini', 'ecsconfig.properties'].map((f) => path.join(dataDir, 'setting', f)).filter((f) => existsSync(f));

export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  opts: { configFiles?: string[]; cwd?: string } = {},
): Config {
  const cwd = opts.cwd ?? process.cwd();
  const problems: string[] = [];
  const dotenvFile = path.join(cwd, '.env');
  const dotenv = existsSync(dotenvFile) ? parseEnv(readFileSync(dotenvFile, 'utf8')) : {};
  const early = { ...dotenv, ...env };
  const dataDir = path.resolve(cwd, early.DATA_DIR || './data');
  const files = [...(opts.configFiles ?? []), ...settingFiles(dataDir)];
  const fromFiles: Record<string, string> = {};
  for (const f of files) {
    try {
      Object.assign(fromFiles, readSettingFile(f));
    } catch (err) {
      problems.push(`${f}: ${(err as Error).message}`);
    }
  }
  // Empty variables count as unset, as shells and compose files often leave them.
  const merged = Object.fromEntries(
    Object.entries({ ...fromFiles, ...dotenv, ...env }).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = Env.safeParse(merged);
  if (!parsed.success) {
    for (const i of parsed.error.issues) problems.push(`${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  if (e.S3_ACCESS_KEY && !e.S3_SECRET_KEY) problems.push('S3_SECRET_KEY: needed with S3_ACCESS_KEY');
  if (e.S3_SECRET_KEY && !e.S3_ACCESS_KEY) problems.push('S3_ACCESS_KEY: needed with S3_SECRET_KEY');
  if (e.MOSAIC_STORAGE === 'disk' && (e.S3_ENDPOINT || e.S3_HOST))
    problems.push('MOSAIC_STORAGE: disk, but an S3 endpoint is set too');
  if (e.WEBHOOK_URL && !e.WEBHOOK_SECRET)
    problems.push('WEBHOOK_SECRET: needed with WEBHOOK_URL, to sign what is sent');
  const social = socialSettings(e, problems);
  if (problems.length > 0) throw new ConfigError(problems);

  const s3Endpoint =
    e.S3_ENDPOINT ??
    (e.S3_HOST ? `${e.S3_HTTPS ? 'https' : 'http'}://${e.S3_HOST}${e.S3_PORT ? `:${e.S3_PORT}` : ''}` : undefined);
  const useS3 =
    e.MOSAIC_STORAGE === 's3' ||
    (e.MOSAIC_STORAGE === undefined && (s3Endpoint !== undefined || e.S3_ACCESS_KEY !== undefined));
  const amqp =
    e.RABBITMQ_URL ??
    (e.RABBITMQ_HOST
      ? `amqp://${encodeURIComponent(e.RABBITMQ_USER)}:${encodeURIComponent(e.RABBITMQ_PASSWORD)}@${e.RABBITMQ_HOST}:${e.RABBITMQ_PORT}`
      : undefined);
  const redis = e.REDIS_URL ?? (e.REDIS_HOST ? `redis://${e.REDIS_HOST}:${e.REDIS_PORT}/${e.REDIS_DB}` : undefined);
  return {
    port: e.PORT,
    dataDir,
    storage: useS3
      ? {
          kind: 's3',
          endpoint: s3Endpoint,
          region: e.S3_REGION,
          accessKeyId: e.S3_ACCESS_KEY,
          secretAccessKey: e.S3_SECRET_KEY,
          forcePathStyle: e.S3_FORCE_PATH_STYLE ?? s3Endpoint !== undefined,
          urlExpiry: e.S3_URL_EXPIRY,
        }
      : { kind: 'disk', dir: path.join(dataDir, 'storage') },
    buckets: {
      in: e.BUCKET_IN ?? (e.MOSAIC_QUEUE ? e.MOSAIC_BUCKET : undefined) ?? 'mosaic-in',
      // The original's collector stored into MOSAIC_BUCKET: the input bucket when it made requests.
      raw: e.BUCKET_RAW ?? e.BUCKET_COLLECTOR ?? (e.MOSAIC_QUEUE ? undefined : e.MOSAIC_BUCKET) ?? 'mosaic-raw',
      outLarge: e.BUCKET_OUT_LARGE,
      outSmall: e.BUCKET_OUT_SMALL,
      library: e.BUCKET_LIBRARY,
    },
    queue: amqp ? { kind: 'rabbitmq', url: amqp } : { kind: 'disk', dir: path.join(dataDir, 'queue') },
    queues: {
      in: e.QUEUE_IN ?? e.MOSAIC_QUEUE ?? 'mosaic-in',
      engine: e.QUEUE_ENGINE,
      finish: e.QUEUE_FINISH,
      done: e.QUEUE_DONE,
      tiles: e.QUEUE_TILES,
      wallEngine: e.QUEUE_WALL_ENGINE,
      wallPlace: e.QUEUE_WALL_PLACE,
      wallPrint: e.QUEUE_WALL_PRINT,
    },
    cache: redis ? { kind: 'redis', url: redis } : { kind: 'memory' },
    cacheLife: e.CACHE_LIFE,
    waitTime: e.WAIT_TIME,
    thumbnailSize: e.THUMBNAIL_SIZE,
    replyText: e.REPLY_TEXT,
    wallReplyText: e.WALL_REPLY_TEXT,
    galleryUrl: e.GALLERY_URL,
    libraryDir: path.resolve(cwd, e.LIBRARY_DIR ?? path.join(dataDir, 'library')),
    rawDir: path.resolve(cwd, e.RAW_DIR ?? path.join(dataDir, 'raw')),
    webhook: e.WEBHOOK_URL && e.WEBHOOK_SECRET ? { url: e.WEBHOOK_URL, secret: e.WEBHOOK_SECRET } : undefined,
    web: {
      adminToken: e.ADMIN_TOKEN,
      maxUploadBytes: e.MAX_UPLOAD_MB * 1024 * 1024,
      maxUploadPixels: e.MAX_UPLOAD_PIXELS,
      uploadRateLimit: e.UPLOAD_RATE_LIMIT,
      trustProxy: e.TRUST_PROXY,
    },
    social,
    files,
  };
}

/**
 * The networks from the environment. The original's collector settings keep their meaning:
 * `MOSAIC_LISTEN_HASHTAG` with `MOSAIC_QUEUE` listens for requests, without it for tiles (into
 * `MOSAIC_BUCKET`); `TWITTER_*` are the X credentials.
 */
function socialSettings(e: z.infer<typeof Env>, problems: string[]): SocialSettings {
  const legacyRequests = e.MOSAIC_LISTEN_HASHTAG && e.MOSAIC_QUEUE ? e.MOSAIC_LISTEN_HASHTAG : undefined;
  const legacyTiles = e.MOSAIC_LISTEN_HASHTAG && !e.MOSAIC_QUEUE ? e.MOSAIC_LISTEN_HASHTAG : undefined;
  const social: SocialSettings = {
    requestHashtags: e.REQUEST_HASHTAGS ?? legacyRequests ?? (legacyTiles ? [] : ['mosaicme']),
    tileHashtags: e.TILE_HASHTAGS ?? legacyTiles ?? [],
  };
  const appKey = e.X_API_KEY ?? e.TWITTER_CONSUMER_KEY;
  const appSecret = e.X_API_SECRET ?? e.TWITTER_CONSUMER_SECRET;
  const accessToken = e.X_ACCESS_TOKEN ?? e.TWITTER_ACCESS_TOKEN;
  const accessSecret = e.X_ACCESS_SECRET ?? e.TWITTER_ACCESS_TOKEN_SECRET;
  const oauth1 = { appKey, appSecret, accessToken, accessSecret };
  const given = Object.values(oauth1).filter(Boolean).length;
  if (e.X_BEARER_TOKEN || given > 0) {
    if ((appKey || appSecret) && !(appKey && appSecret))
      problems.push('X_API_KEY and X_API_SECRET: give both (or TWITTER_CONSUMER_KEY and _SECRET)');
    if ((accessToken || accessSecret) && !(appKey && appSecret && accessToken && accessSecret))
      problems.push('X_ACCESS_TOKEN and X_ACCESS_SECRET: need each other and X_API_KEY, X_API_SECRET');
    if (e.X_MODE === 'mentions' && !(accessToken && accessSecret))
      problems.push('X_MODE: mentions needs the bot account: X_ACCESS_TOKEN and X_ACCESS_SECRET');
    if (e.X_MODE === 'stream' && !e.X_BEARER_TOKEN && !(appKey && appSecret))
      problems.push('X_BEARER_TOKEN: needed for the stream (or X_API_KEY and X_API_SECRET to get one)');
    const full = appKey && appSecret && accessToken && accessSecret;
    social.x = {
      bearerToken: e.X_BEARER_TOKEN,
      oauth1: full ? { appKey, appSecret, accessToken, accessSecret } : undefined,
      app: appKey && appSecret ? { appKey, appSecret } : undefined,
      botUsername: e.X_BOT_USERNAME ?? e.TWITTER_USERNAME,
      mode: e.X_MODE,
      pollSeconds: e.X_POLL_SECONDS,
      apiUrl: e.X_API_URL,
      mediaHosts: e.X_MEDIA_HOSTS,
    };
  }
  if (e.MASTODON_URL || e.MASTODON_TOKEN) {
    if (!e.MASTODON_URL || !e.MASTODON_TOKEN) problems.push('MASTODON_URL and MASTODON_TOKEN: give both');
    else social.mastodon = { url: e.MASTODON_URL, accessToken: e.MASTODON_TOKEN, mediaHosts: e.MASTODON_MEDIA_HOSTS };
  }
  if (e.BLUESKY_IDENTIFIER || e.BLUESKY_APP_PASSWORD) {
    if (!e.BLUESKY_IDENTIFIER || !e.BLUESKY_APP_PASSWORD)
      problems.push('BLUESKY_IDENTIFIER and BLUESKY_APP_PASSWORD: give both');
    else
      social.bluesky = {
        service: e.BLUESKY_SERVICE,
        identifier: e.BLUESKY_IDENTIFIER,
        password: e.BLUESKY_APP_PASSWORD,
        jetstreamUrl: e.BLUESKY_JETSTREAM_URL,
        mediaHosts: e.BLUESKY_MEDIA_HOSTS,
        imageUrlTemplate: e.BLUESKY_IMAGE_URL,
      };
  }
  if (e.BITLY_TOKEN) social.bitly = { token: e.BITLY_TOKEN, apiUrl: e.BITLY_API_URL };
  if ((social.x || social.mastodon || social.bluesky) && !social.requestHashtags.length && !social.tileHashtags.length)
    problems.push('REQUEST_HASHTAGS or TILE_HASHTAGS: a network is configured but no hashtag to listen to');
  return social;
}

/** Whether any social network is configured (then `serve` also runs the collect role). */
export const hasSocial = (config: Config): boolean =>
  Boolean(config.social.x || config.social.mastodon || config.social.bluesky);

/** The configuration as `mosaicme check` prints it: passwords in URLs and secret keys masked. */
export function describeConfig(config: Config): Record<string, unknown> {
  const maskUrl = (u: string) => {
    const p = new URL(u);
    if (p.password) p.password = '***';
    return p.toString();
  };
  const mask = (s?: string) => (s ? `${s.slice(0, 2)}***` : undefined);
  return {
    ...config,
    storage:
      config.storage.kind === 's3'
        ? {
            ...config.storage,
            accessKeyId: mask(config.storage.accessKeyId),
            secretAccessKey: config.storage.secretAccessKey ? '***' : undefined,
          }
        : config.storage,
    queue: config.queue.kind === 'rabbitmq' ? { ...config.queue, url: maskUrl(config.queue.url) } : config.queue,
    cache: config.cache.kind === 'redis' ? { ...config.cache, url: maskUrl(config.cache.url) } : config.cache,
    webhook: config.webhook ? { url: config.webhook.url, secret: '***' } : undefined,
    web: { ...config.web, adminToken: config.web.adminToken ? '***' : undefined },
    social: maskSocial(config.social),
  };
}

function maskSocial(s: SocialSettings): Record<string, unknown> {
  const secret = (v?: string) => (v ? '***' : undefined);
  return {
    ...s,
    x: s.x && {
      ...s.x,
      bearerToken: secret(s.x.bearerToken),
      oauth1: s.x.oauth1 && {
        appKey: secret(s.x.oauth1.appKey),
        appSecret: '***',
        accessToken: '***',
        accessSecret: '***',
      },
      app: s.x.app && { appKey: '***', appSecret: '***' },
    },
    mastodon: s.mastodon && { ...s.mastodon, accessToken: '***' },
    bluesky: s.bluesky && { ...s.bluesky, password: '***' },
    bitly: s.bitly && { ...s.bitly, token: '***' },
  };
}
