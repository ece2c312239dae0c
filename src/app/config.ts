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
  queues: { in: string; engine: string; finish: string; done: string; tiles: string };
  cache: { kind: 'memory' } | { kind: 'redis'; url: string };
  /** Seconds `mosaic:all` lives in the cache (the original's CACHE_LIFE). */
  cacheLife: number;
  /** Seconds between cache rebuilds from storage (the original's WAIT_TIME). */
  waitTime: number;
  thumbnailSize: number;
  replyText?: string;
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
  /** The files that were read, for `mosaicme check`. */
  files: string[];
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
  BUCKET_IN: name.default('mosaic-in'),
  BUCKET_RAW: name.optional(),
  BUCKET_COLLECTOR: name.optional(),
  BUCKET_OUT_LARGE: name.default('mosaic-outlarge'),
  BUCKET_OUT_SMALL: name.default('mosaic-outsmall'),
  BUCKET_LIBRARY: name.default('mosaic-library'),
  QUEUE_IN: name.default('mosaic-in'),
  QUEUE_ENGINE: name.default('mosaic-eng'),
  QUEUE_FINISH: name.default('mosaic-finish'),
  QUEUE_DONE: name.default('mosaic-done'),
  QUEUE_TILES: name.default('mosaic-tiles'),
  CACHE_LIFE: int(1, 365 * 24 * 3600).default(600),
  WAIT_TIME: int(1, 24 * 3600).default(60),
  THUMBNAIL_SIZE: int(16, 2048).default(120),
  REPLY_TEXT: z.string().optional(),
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
      in: e.BUCKET_IN,
      raw: e.BUCKET_RAW ?? e.BUCKET_COLLECTOR ?? 'mosaic-raw',
      outLarge: e.BUCKET_OUT_LARGE,
      outSmall: e.BUCKET_OUT_SMALL,
      library: e.BUCKET_LIBRARY,
    },
    queue: amqp ? { kind: 'rabbitmq', url: amqp } : { kind: 'disk', dir: path.join(dataDir, 'queue') },
    queues: {
      in: e.QUEUE_IN,
      engine: e.QUEUE_ENGINE,
      finish: e.QUEUE_FINISH,
      done: e.QUEUE_DONE,
      tiles: e.QUEUE_TILES,
    },
    cache: redis ? { kind: 'redis', url: redis } : { kind: 'memory' },
    cacheLife: e.CACHE_LIFE,
    waitTime: e.WAIT_TIME,
    thumbnailSize: e.THUMBNAIL_SIZE,
    replyText: e.REPLY_TEXT,
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
    files,
  };
}

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
  };
}
