import { isIP } from 'node:net';
import { MemoryCache } from '../adapters/cache/memory.js';
import { RedisCache } from '../adapters/cache/redis.js';
import { DiskQueue } from '../adapters/queue/disk.js';
import { RabbitQueue } from '../adapters/queue/rabbitmq.js';
import { DiskStorage } from '../adapters/storage/disk.js';
import { S3Storage } from '../adapters/storage/s3.js';
import { download, DEFAULT_DOWNLOAD, isPublicAddress } from '../adapters/http/download.js';
import { bitlyShortener } from '../adapters/social/bitly.js';
import { blueskyMediaHosts, blueskyPublisher, blueskySource, verifyBluesky } from '../adapters/social/bluesky/index.js';
import {
  mastodonMediaHosts,
  mastodonPublisher,
  mastodonSource,
  verifyMastodon,
} from '../adapters/social/mastodon/index.js';
import { verifyX, xMediaHosts, xPublisher, xSource, type XConfig } from '../adapters/social/x/index.js';
import type { Cache, Publisher, Queue, SocialPost, Source, SourceCursor, SourceRole, Storage } from '../ports.js';
import type { Config } from './config.js';

export type Deps = { storage: Storage; queue: Queue; cache: Cache };

/** The only place that knows which adapter is in use. */
export function compose(config: Config): Deps {
  const s = config.storage;
  return {
    storage:
      s.kind === 's3'
        ? new S3Storage({
            endpoint: s.endpoint,
            region: s.region,
            accessKeyId: s.accessKeyId,
            secretAccessKey: s.secretAccessKey,
            forcePathStyle: s.forcePathStyle,
            urlExpiry: s.urlExpiry,
            partSize: 8 * 1024 * 1024,
          })
        : new DiskStorage(s.dir),
    queue:
      config.queue.kind === 'rabbitmq'
        ? new RabbitQueue(config.queue.url, undefined, [config.queues.wallPlace])
        : new DiskQueue(config.queue.dir),
    cache: config.cache.kind === 'redis' ? new RedisCache({ url: config.cache.url }) : new MemoryCache(),
  };
}

export async function closeAll(deps: Deps): Promise<void> {
  await Promise.allSettled([deps.queue.close(), deps.cache.close(), deps.storage.close()]);
}

type Network = SocialPost['network'];
type Log = (line: string) => void;

/** Each configured network's settings, in the shape its adapter takes. */
function networks(config: Config) {
  const s = config.social;
  const hashtags: { tag: string; role: SourceRole }[] = [
    ...s.requestHashtags.map((tag) => ({ tag, role: 'requests' as const })),
    ...s.tileHashtags.map((tag) => ({ tag, role: 'tiles' as const })),
  ];
  const x: XConfig | undefined = s.x && { ...s.x, hashtags, pollIntervalMs: s.x.pollSeconds * 1000 };
  return {
    x,
    mastodon: s.mastodon && { ...s.mastodon, hashtags },
    bluesky: s.bluesky && { ...s.bluesky, hashtags },
  };
}

/** A source's position between runs: `social/cursor/<name>` in `bucket`. */
export function storedCursor(storage: Storage, bucket: string, name: string): SourceCursor {
  const key = `social/cursor/${name}`;
  return {
    load: async () => {
      const b = await storage.get(bucket, key);
      return b && Buffer.from(b).toString('utf8');
    },
    save: (value) => storage.put(bucket, key, Buffer.from(value), { contentType: 'text/plain' }),
  };
}

/**
 * The configured networks' sources, each listening for every hashtag of both roles. Each keeps
 * its position in `storage` (X: mentions polled; Mastodon: every timeline; Bluesky: the Jetstream
 * time), so a collector restarted after a while reads what was posted meanwhile.
 */
export function socialSources(config: Config, log: Log, storage: Storage): Source[] {
  const n = networks(config);
  const sources: Source[] = [];
  const cursor = (name: string) => storedCursor(storage, config.buckets.in, name);
  if (n.x) sources.push(xSource({ ...n.x, cursor: cursor('x-mentions') }, log));
  if (n.mastodon) sources.push(mastodonSource({ ...n.mastodon, cursor: cursor('mastodon') }, log));
  if (n.bluesky) sources.push(blueskySource({ ...n.bluesky, cursor: cursor('bluesky') }, log));
  return sources;
}

/** The configured networks' publishers (X only with the bot account's keys). */
export function socialPublishers(config: Config, log: Log): Publisher[] {
  const n = networks(config);
  const publishers: Publisher[] = [];
  if (n.x?.oauth1) publishers.push(xPublisher(n.x, log));
  else if (n.x) log('x: no bot account keys (X_ACCESS_TOKEN, X_ACCESS_SECRET): posts are read, not answered');
  if (n.mastodon) publishers.push(mastodonPublisher(n.mastodon, log));
  if (n.bluesky) publishers.push(blueskyPublisher(n.bluesky, log));
  return publishers;
}

/** The bit.ly shortener, when configured. */
export const socialShortener = (config: Config) => config.social.bitly && bitlyShortener(config.social.bitly);

const hostMatches = (host: string, list: readonly string[]) => list.some((h) => host === h || host.endsWith(`.${h}`));

/**
 * Photos of posts are fetched only from their network's media hosts, through the guarded
 * downloader. A media host configured as a loopback or private address (a test server, a local
 * mirror) is allowed for that reason alone; `privateHosts` lists them for the intake stage.
 */
export function socialMedia(config: Config) {
  const n = networks(config);
  const hosts: Record<Network, string[]> = {
    x: n.x ? xMediaHosts(n.x) : [],
    mastodon: n.mastodon ? mastodonMediaHosts(n.mastodon) : [],
    bluesky: n.bluesky ? blueskyMediaHosts(n.bluesky) : [],
  };
  const privateHosts = Object.values(hosts)
    .flat()
    .filter((h) => h === 'localhost' || (isIP(h) && !isPublicAddress(h)));
  return {
    privateHosts,
    isMediaUrl: (url: string, network: Network) => {
      try {
        return hostMatches(new URL(url).hostname.replace(/^\[|\]$/g, ''), hosts[network]);
      } catch {
        return false;
      }
    },
    download: (url: string, network: Network) =>
      download(url, { ...DEFAULT_DOWNLOAD, onlyHosts: hosts[network], allowHosts: privateHosts }),
  };
}

/** One credentials check per configured network, for `mosaicme check`. */
export function socialChecks(config: Config): { name: string; verify: () => Promise<string> }[] {
  const n = networks(config);
  return [
    ...(n.x ? [{ name: 'x', verify: () => verifyX(n.x!) }] : []),
    ...(n.mastodon ? [{ name: 'mastodon', verify: () => verifyMastodon(n.mastodon!) }] : []),
    ...(n.bluesky ? [{ name: 'bluesky', verify: () => verifyBluesky(n.bluesky!) }] : []),
  ];
}
