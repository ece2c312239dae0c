import type { mastodon } from 'masto';
import type { SocialPost, Source, SourceRole } from '../../../ports.js';
import { Handoff } from '../handoff.js';
import { whoAmI } from './client.js';
import { mastodonMediaHosts, type MastodonConfig } from './config.js';
import { newer, toSocialPost, type StatusContext } from './status.js';
import { streamHashtags } from './stream.js';

const PAGE = 40;

/**
 * Mastodon photo posts: each configured hashtag streamed (polled when the stream is off or away,
 * and once after each reconnect so nothing said meanwhile is missed), and mentions of the bot
 * polled (`GET /api/v1/notifications?types[]=mention`), which are requests. Each timeline keeps
 * the newest id polled; a post streamed while the stream has been up since the last poll moves it
 * on too, so a catch-up poll reads only what may have been missed. With `cursor`, the newest id
 * *handed over* per timeline is kept between runs and listening resumes from there (the first poll
 * reads what was posted while the collector was down); without it, from the newest post at start.
 */
class MastodonSource implements Source {
  readonly network = 'mastodon';
  private handoff: Handoff | undefined;
  private stream: { close(): void } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private giveUp: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Newest id read per tag, and under `''` for the mentions. */
  private readonly cursors = new Map<string, string | undefined>();
  private streamState: 'off' | 'down' | 'catching-up' | 'up' = 'off';
  private polling: Promise<void> = Promise.resolve();
  private ctx!: StatusContext & { rest: mastodon.rest.Client };
  private readonly tags: { tag: string; role: SourceRole }[];
  /**
   * Where each status waiting in the handoff was read: its timeline and its id there (a mention's
   * is the notification's). `saved` is, per timeline, the position up to which everything was
   * handed over; `handed` the positions handed over beyond an older one still waiting.
   */
  private readonly readAt = new Map<string, { timeline: string; position: string }>();
  private readonly handed = new Map<string, string[]>();
  private saved: Record<string, string> = {};
  private saving: Promise<void> = Promise.resolve();

  constructor(
    private readonly cfg: MastodonConfig,
    private readonly log: (line: string) => void,
  ) {
    this.tags = cfg.hashtags.map((h) => ({ tag: h.tag.replace(/^#/, '').toLowerCase(), role: h.role }));
  }

  async start(onPost: (post: SocialPost) => Promise<void>): Promise<void> {
    // A source may be started again after a failed start or a stop (the social stage retries).
    this.stopped = false;
    this.readAt.clear();
    this.handed.clear();
    this.cursors.clear();
    const who = await whoAmI(this.cfg);
    this.ctx = { rest: who.rest, botId: who.me.id, domain: who.domain, mediaHosts: mastodonMediaHosts(this.cfg) };
    this.handoff = new Handoff(
      async (post) => {
        await onPost(post);
        this.handedOver(post.post.id);
      },
      (l) => this.log(`mastodon: ${l}`),
    );
    this.saved = await this.loadCursor();
    const newest = async (list: PromiseLike<{ id: string }[]>) => (await list)[0]?.id;
    for (const { tag } of this.tags)
      this.cursors.set(
        tag,
        this.saved[tag] ?? (await newest(this.ctx.rest.v1.timelines.tag.$select(tag).list({ limit: 1 }))),
      );
    this.cursors.set(
      '',
      this.saved[''] ?? (await newest(this.ctx.rest.v1.notifications.list({ types: ['mention'], limit: 1 }))),
    );
    if (Object.keys(this.saved).length)
      this.log('mastodon: reading on from where the last run stopped, then listening');
    // Every timeline's starting point is kept too ('0' for one still empty): a timeline that hands
    // nothing over before a restart must still resume from here, not from the restart.
    const start = Object.fromEntries([...this.cursors].map(([k, v]) => [k, this.saved[k] ?? v ?? '0']));
    if (JSON.stringify(start) !== JSON.stringify(this.saved)) {
      this.saved = start;
      await this.persist();
    }
    if (this.cfg.streaming !== false && this.tags.length) await this.openStream(who.streamingUrl);
    this.schedule();
    this.log(`mastodon: listening as ${who.acct} for ${this.tags.map((t) => `#${t.tag}`).join(' ') || 'mentions'}`);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.giveUp);
    this.stream?.close();
    await this.polling;
    await this.handoff?.stop();
    await this.saving;
  }

  private async loadCursor(): Promise<Record<string, string>> {
    const text = await this.cfg.cursor?.load();
    if (!text) return {};
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
        return Object.fromEntries(
          Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'),
        );
    } catch {
      // A damaged position is not worth stopping for: listening starts from now, as without one.
    }
    this.log('mastodon: the saved position is not readable; listening from now');
    return {};
  }

  /**
   * A timeline's saved position moves only up to just before its oldest status still waiting:
   * after a reconnect the stream's newest post can be handed over before the older ones a
   * catch-up poll reads, and a restart must still read those.
   */
  private handedOver(id: string): void {
    const at = this.readAt.get(id);
    this.readAt.delete(id);
    if (!at || !this.cfg.cursor) return;
    const tl = at.timeline;
    let oldest: string | undefined;
    for (const w of this.readAt.values())
      if (w.timeline === tl && (oldest === undefined || newer(oldest, w.position))) oldest = w.position;
    // Nor past what the timeline has been read up to (polled, or streamed while the stream is
    // trusted): a post streamed while a catch-up poll has still to succeed is newer than posts not
    // read yet.
    const read = this.cursors.get(tl);
    const done = [...(this.handed.get(tl) ?? []), at.position];
    const safe = done.filter(
      (p) => (oldest === undefined || newer(oldest, p)) && read !== undefined && !newer(p, read),
    );
    this.handed.set(
      tl,
      done.filter((p) => !safe.includes(p)),
    );
    const newest = safe.reduce<string | undefined>((a, p) => (a === undefined || newer(p, a) ? p : a), undefined);
    if (newest === undefined || !newer(newest, this.saved[tl])) return;
    this.saved = { ...this.saved, [tl]: newest };
    void this.persist();
  }

  /** Saves `saved` after any save still under way, so the positions reach storage in order. */
  private persist(): Promise<void> {
    const text = JSON.stringify(this.saved);
    const cursor = this.cfg.cursor;
    if (!cursor) return this.saving;
    this.saving = this.saving
      .then(() => cursor.save(text))
      .catch((err: unknown) => this.log(`mastodon: position not saved (${(err as Error).message})`));
    return this.saving;
  }

  /** Resolves once the stream listens, or after 10 s without it (polling covers meanwhile). */
  private openStream(streamingUrl: string): Promise<void> {
    this.streamState = 'down';
    return new Promise<void>((resolve) => {
      this.giveUp = setTimeout(() => {
        this.log('mastodon: streaming not up within 10 s; polling until it is');
        resolve();
      }, 10_000);
      this.stream = streamHashtags(
        {
          streamingUrl,
          accessToken: this.cfg.accessToken,
          tags: this.tags.map((t) => t.tag),
          silenceMs: 90_000,
        },
        {
          update: (status, tag) => this.streamed(status, tag),
          listening: () => {
            this.streamState = 'catching-up';
            // What was said while we were away is read before the stream alone is trusted; if
            // that poll fails, the scheduled polls read the hashtags until one succeeds.
            void this.poll(true).then(() => {
              clearTimeout(this.giveUp);
              resolve();
            });
          },
          lost: () => {
            this.streamState = 'down';
            this.log('mastodon: streaming connection lost; connecting again and polling meanwhile');
          },
          log: this.log,
        },
      );
    });
  }

  private streamed(status: mastodon.v1.Status, tag: string): void {
    const entry = this.tags.find((t) => t.tag === tag);
    if (!entry) return;
    this.take(status, entry.role, `#${tag}`, tag);
    if (this.streamState === 'up' && newer(status.id, this.cursors.get(tag))) this.cursors.set(tag, status.id);
  }

  private take(
    status: mastodon.v1.Status,
    role: SourceRole,
    where: string,
    timeline: string,
    position = status.id,
  ): void {
    if (this.handoff!.has(status.id)) return;
    try {
      const r = toSocialPost(status, role, this.ctx);
      if ('skip' in r) this.log(`mastodon: ${where} post ${status.id} skipped: ${r.skip}`);
      else {
        this.readAt.set(status.id, { timeline, position });
        this.handoff!.push(r.post);
      }
    } catch (err) {
      this.log(`mastodon: ${where} post ${status.id} not understood (${(err as Error).message}); ignored`);
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.poll(false).then(() => this.schedule());
    }, this.cfg.pollIntervalMs ?? 30_000);
  }

  /**
   * One poll at a time: mentions always, hashtags when the stream is not trusted (or `tags`). A
   * catch-up poll that reads every hashtag makes the stream trusted.
   */
  private poll(tags: boolean): Promise<void> {
    this.polling = this.polling.then(async () => {
      if (this.stopped) return;
      try {
        if (tags || this.streamState !== 'up') {
          const catchingUp = this.streamState === 'catching-up';
          for (const { tag, role } of this.tags)
            await this.readAll(tag, (minId) =>
              this.ctx.rest.v1.timelines.tag.$select(tag).list({ onlyMedia: true, minId, limit: PAGE }),
            ).then((statuses) => statuses.forEach((s) => this.take(s, role, `#${tag}`, tag)));
          if (catchingUp && this.streamState === 'catching-up') this.streamState = 'up';
        }
        const mentions = await this.readAll('', (minId) =>
          this.ctx.rest.v1.notifications.list({ types: ['mention'], minId, limit: PAGE }),
        );
        for (const n of mentions)
          if (n.type === 'mention' && n.status) this.take(n.status, 'requests', 'mention', '', n.id);
      } catch (err) {
        this.log(`mastodon: polling failed (${(err as Error).message}); trying again later`);
      }
    });
    return this.polling;
  }

  /**
   * Everything newer than the cursor, oldest first, page by page (`min_id` pages forward from
   * the cursor, where `since_id` would give only the newest page and skip the rest).
   */
  private async readAll<T extends { id: string }>(
    key: string,
    page: (minId: string | undefined) => PromiseLike<T[]>,
  ): Promise<T[]> {
    const all: T[] = [];
    for (;;) {
      const items = [...(await page(this.cursors.get(key)))].sort((a, b) => (newer(a.id, b.id) ? 1 : -1));
      const fresh = items.filter((i) => newer(i.id, this.cursors.get(key)));
      if (!fresh.length) return all;
      all.push(...fresh);
      this.cursors.set(key, fresh[fresh.length - 1].id);
      if (items.length < PAGE) return all;
    }
  }
}

export const mastodonSource = (cfg: MastodonConfig, log: (line: string) => void): Source =>
  new MastodonSource(cfg, log);
