import type { AtpAgent } from '@atproto/api';
import type { SocialPost, Source } from '../../../ports.js';
import { Handoff } from '../handoff.js';
import { loggedIn } from './agent.js';
import { DEFAULT_IMAGE_URL, blueskyMediaHosts, type BlueskyConfig } from './config.js';
import { Jetstream, type JetstreamEvent } from './jetstream.js';
import { imagesOf, roleOf, type PostRecord } from './post.js';

const POST = 'app.bsky.feed.post';
type Profile = { handle: string; displayName?: string };

/**
 * Bluesky photo posts from Jetstream, which sends every new post on the network: ours is the
 * hashtag filter (tag facets, the record's tags, `#words` in the text) and the mention filter
 * (a mention facet with the bot's DID, which makes a request). Authors' handles are looked up
 * through the bot's PDS and kept until an identity event says they changed. Posts are handled
 * one at a time, in the order sent. With `cursor`, the time up to which every post has been handed
 * over is kept between runs (every few seconds and at stop), and a restarted collector replays
 * Jetstream from there, so posts made while it was down are read too.
 */
class BlueskySource implements Source {
  readonly network = 'bluesky';
  private agent!: AtpAgent;
  private botDid = '';
  private handoff: Handoff | undefined;
  private jetstream: Jetstream | undefined;
  private readonly profiles = new Map<string, Profile>();
  private queue: Promise<void> = Promise.resolve();
  private readonly tags;
  private readonly template;
  private readonly hosts;
  /** Posts seen and not yet handed over, with their Jetstream time; the newest event's time. */
  private readonly inFlight = new Map<string, number>();
  private lastEvent: number | undefined;
  private savedAt: number | undefined;
  private saver: NodeJS.Timeout | undefined;

  constructor(
    private readonly cfg: BlueskyConfig,
    private readonly log: (line: string) => void,
  ) {
    this.tags = cfg.hashtags.map((h) => ({ tag: h.tag.replace(/^#/, '').toLowerCase(), role: h.role }));
    this.template = cfg.imageUrlTemplate ?? DEFAULT_IMAGE_URL;
    this.hosts = blueskyMediaHosts(cfg);
  }

  async start(onPost: (post: SocialPost) => Promise<void>): Promise<void> {
    // A source may be started again after a failed start or a stop: nothing of the last run stays.
    this.inFlight.clear();
    this.lastEvent = undefined;
    this.agent = await loggedIn(this.cfg);
    this.botDid = this.agent.session!.did;
    this.handoff = new Handoff(
      async (post) => {
        await onPost(post);
        this.inFlight.delete(post.post.id);
      },
      (l) => this.log(`bluesky: ${l}`),
    );
    const saved = Number((await this.cfg.cursor?.load()) ?? NaN);
    this.savedAt = Number.isSafeInteger(saved) && saved > 0 ? saved : undefined;
    if (this.savedAt) this.log(`bluesky: replaying Jetstream from where the last run stopped, then listening`);
    this.jetstream = new Jetstream({
      url: this.cfg.jetstreamUrl,
      collection: POST,
      log: this.log,
      onEvent: (e) => this.seen(e),
      cursor: this.savedAt,
    });
    await this.jetstream.open();
    if (this.cfg.cursor) this.saver = setInterval(() => void this.savePosition(), 5_000);
    this.log(`bluesky: listening as ${this.agent.session!.handle} for ${this.tags.map((t) => `#${t.tag}`).join(' ')}`);
  }

  async stop(): Promise<void> {
    clearInterval(this.saver);
    this.jetstream?.close();
    await this.queue;
    await this.handoff?.stop();
    await this.savePosition();
  }

  /** Every post up to this time has been handed over (or was not one for us). */
  private position(): number | undefined {
    let oldest = Infinity;
    for (const t of this.inFlight.values()) if (t < oldest) oldest = t;
    return oldest < Infinity ? oldest - 1 : this.lastEvent;
  }

  private async savePosition(): Promise<void> {
    const at = this.position();
    if (!this.cfg.cursor || at === undefined || at === this.savedAt) return;
    try {
      await this.cfg.cursor.save(String(at));
      this.savedAt = at;
    } catch (err) {
      this.log(`bluesky: position not saved (${(err as Error).message})`);
    }
  }

  private seen(e: JetstreamEvent): void {
    this.lastEvent = e.time_us;
    if (e.kind === 'identity') this.profiles.delete(e.did); // the handle may have changed
    const c = e.commit;
    if (e.kind !== 'commit' || c?.operation !== 'create' || c.collection !== POST || !c.rkey || !c.cid) return;
    const record = (c.record ?? {}) as PostRecord;
    const role = roleOf(record, this.botDid, this.tags);
    const uri = `at://${e.did}/${POST}/${c.rkey}`;
    if (!role || this.handoff!.has(uri)) return;
    if (e.did === this.botDid) return this.log(`bluesky: post ${uri} skipped: our own post`);
    const images = imagesOf(record, e.did, this.template);
    if ('skip' in images) return this.log(`bluesky: post ${uri} skipped: ${images.skip}`);
    const urls = images.urls.filter((u) =>
      this.hosts.some((h) => new URL(u).hostname === h || new URL(u).hostname.endsWith(`.${h}`)),
    );
    if (!urls.length) return this.log(`bluesky: post ${uri} skipped: its images are not on the media hosts allowed`);
    this.inFlight.set(uri, e.time_us);
    this.queue = this.queue.then(async () => {
      const author = await this.profile(e.did);
      const root = record.reply?.root;
      this.handoff!.push({
        network: 'bluesky',
        post: { id: uri, ref: { cid: c.cid!, rootUri: root?.uri ?? uri, rootCid: root?.cid ?? c.cid! } },
        role,
        author: { ...author, profileUrl: `https://bsky.app/profile/${author.handle}` },
        text: record.text ?? '',
        imageUrls: urls,
        url: `https://bsky.app/profile/${author.handle}/post/${c.rkey}`,
        createdAt: record.createdAt,
      });
    });
  }

  /** The author's handle and name (`app.bsky.actor.getProfile`); the DID stands in when that fails. */
  private async profile(did: string): Promise<Profile> {
    const known = this.profiles.get(did);
    if (known) return known;
    try {
      const { data } = await this.agent.getProfile({ actor: did });
      const p = { handle: data.handle, displayName: data.displayName || undefined };
      if (this.profiles.size >= 10_000) this.profiles.delete(this.profiles.keys().next().value!);
      this.profiles.set(did, p);
      return p;
    } catch (err) {
      this.log(`bluesky: no profile for ${did} (${(err as Error).message}); using the DID`);
      return { handle: did };
    }
  }
}

export const blueskySource = (cfg: BlueskyConfig, log: (line: string) => void): Source => new BlueskySource(cfg, log);
