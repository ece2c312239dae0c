import { createHash } from 'node:crypto';
import { PermanentError } from '../core/errors.js';
import type { Queue, SocialPost, Source, Storage } from '../ports.js';
import type { MosaicRequest, Requester } from './messages.js';

export type SocialDeps = {
  storage: Storage;
  queue: Queue;
  /** The guarded downloader, limited to `network`'s media hosts. */
  download: (url: string, network: SocialPost['network']) => Promise<{ bytes: Uint8Array; contentType?: string }>;
  /** Whether `url` is on one of `network`'s media hosts (the intake stage fetches request photos). */
  isMediaUrl: (url: string, network: SocialPost['network']) => boolean;
  log: (line: string) => void;
  /** The open wall a post's hashtags bind it to, if any: its photo then goes on that wall. */
  wallFor?: (text: string) => Promise<string | undefined>;
};
export type SocialConfig = {
  /** `in`: where the seen-post markers live; `raw`: where tile photos go. */
  buckets: { in: string; raw: string };
  /** `in`: mosaic requests; `tiles`: photos put in the raw bucket, for the library stage. */
  queues: { in: string; tiles: string };
};

/** The request message for a post: ours, with the requester carried along. */
export type SocialRequest = Requester & { id: string; url: string };

/** A post id as a key and id part: itself when it is plain, else a hash of it (Bluesky's at:// URIs). */
const safeId = (id: string) =>
  /^[\w-]{1,100}$/.test(id) ? id : createHash('sha256').update(id).digest('hex').slice(0, 32);

/** The request id of a post: the same post always gives the same id, so a repeat is idempotent. */
export const requestId = (post: Pick<SocialPost, 'network' | 'post'>): string =>
  `${post.network}-${safeId(post.post.id)}`;

const seenKey = (post: SocialPost) => `social/seen/${post.network}/${safeId(post.post.id)}`;

/**
 * The social stage: what the sources see becomes work for the pipeline. Each post is taken once,
 * by network and id, however often it arrives (reconnects, two sources echoing it, restarts: the
 * marker is an object in storage). A post without a photo is skipped with a log line. Role
 * `requests`: the first photo becomes a mosaic request on the intake queue. Role `tiles`: each
 * photo is fetched into the raw bucket and announced on the tiles queue, for the library stage.
 * A post that cannot be taken now (storage or a host away) makes `handle` reject, and the source
 * delivers it again.
 */
export class SocialStage {
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly sources: Source[] = [];

  constructor(
    private readonly deps: SocialDeps,
    private readonly cfg: SocialConfig,
  ) {}

  private readonly retries = new Set<NodeJS.Timeout>();
  private stopped = false;

  /**
   * Starts every source, feeding this stage. A source that cannot start (its network away, its
   * rules refused) is logged and tried again every `retryMs`, without holding up the others.
   */
  async start(sources: readonly Source[], retryMs = 30_000): Promise<void> {
    await Promise.all(sources.map((s) => this.startOne(s, retryMs)));
  }

  private async startOne(source: Source, retryMs: number): Promise<void> {
    if (this.stopped) return;
    try {
      await source.start((post) => this.handle(post));
      this.sources.push(source);
    } catch (err) {
      await source.stop().catch(() => {});
      this.deps.log(
        `${source.network}: cannot listen (${(err as Error).message}); trying again in ${retryMs / 1000} s`,
      );
      const timer = setTimeout(() => {
        this.retries.delete(timer);
        void this.startOne(source, retryMs);
      }, retryMs);
      this.retries.add(timer);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.retries) clearTimeout(t);
    await Promise.allSettled(this.sources.map((s) => s.stop()));
    await Promise.allSettled(this.inFlight.values());
  }

  /** Takes one post; the same post handled twice at once is taken once. */
  handle(post: SocialPost): Promise<void> {
    const key = seenKey(post);
    const running = this.inFlight.get(key);
    if (running) return running;
    const work = this.take(post, key).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, work);
    return work;
  }

  private async take(post: SocialPost, key: string): Promise<void> {
    if (await this.deps.storage.head(this.cfg.buckets.in, key)) return;
    const who = `${post.network} post ${post.post.id} by @${post.author.handle}`;
    if (post.imageUrls.length === 0) {
      this.deps.log(`skipped ${who}: ${post.hasVideo ? 'only video' : 'no photo'}`);
    } else if (post.role === 'requests') {
      await this.request(post, who);
    } else {
      await this.tiles(post, who);
    }
    await this.deps.storage.put(this.cfg.buckets.in, key, Buffer.from(JSON.stringify({ role: post.role })), {
      contentType: 'application/json',
    });
  }

  private async request(post: SocialPost, who: string): Promise<void> {
    const url = post.imageUrls[0];
    if (!this.deps.isMediaUrl(url, post.network)) {
      this.deps.log(`skipped ${who}: its photo is not on a ${post.network} media host (${hostOf(url)})`);
      return;
    }
    const id = requestId(post);
    const message: SocialRequest = {
      id,
      username: post.author.handle,
      url,
      network: post.network,
      post: post.post,
      profile: post.author.profileUrl,
      displayname: post.author.displayName,
    };
    const wall = await this.deps.wallFor?.(post.text);
    if (wall) message.wall = wall;
    await this.deps.queue.send(this.cfg.queues.in, JSON.parse(JSON.stringify(message)) as MosaicRequest);
    this.deps.log(`${wall ? `photo for wall ${wall}` : 'mosaic request'} ${id} from ${who}`);
  }

  private async tiles(post: SocialPost, who: string): Promise<void> {
    let added = 0;
    for (const [n, url] of post.imageUrls.entries()) {
      let got;
      try {
        got = await this.deps.download(url, post.network);
      } catch (err) {
        // A photo that can never be fetched is left out; one that may come later makes the post retry.
        if (err instanceof PermanentError) {
          this.deps.log(`skipped photo ${n + 1} of ${who}: ${(err as Error).message}`);
          continue;
        }
        throw err;
      }
      const key = `${post.network}-${safeId(post.post.id)}-${n}.jpg`;
      const metadata: Record<string, string> = { username: post.author.handle, network: post.network };
      if (post.author.profileUrl) metadata.profile = encodeURI(post.author.profileUrl);
      if (post.author.displayName) metadata.displayname = encodeURIComponent(post.author.displayName);
      await this.deps.storage.put(this.cfg.buckets.raw, key, got.bytes, { contentType: got.contentType, metadata });
      await this.deps.queue.send(this.cfg.queues.tiles, { key });
      added++;
    }
    this.deps.log(`${added} tile photo(s) from ${who}`);
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'not a URL';
  }
}
