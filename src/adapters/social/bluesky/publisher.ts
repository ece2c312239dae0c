import { RichText, type AppBskyRichtextFacet, type AtpAgent } from '@atproto/api';
import { PermanentError } from '../../../core/errors.js';
import type { Publisher, Reply } from '../../../ports.js';
import { readJpegHeader } from '../../imaging/jpeg-header.js';
import { honourRateLimit } from '../rate-limit.js';
import { asMosaicError, loggedIn, rateLimitedUntil } from './agent.js';
import type { BlueskyConfig } from './config.js';
import { BLUESKY_LIMIT, blueskyLength, fitText } from '../text-limit.js';

const POST = 'app.bsky.feed.post';
const MENTION = 'app.bsky.richtext.facet#mention';

/**
 * Answers a Bluesky post: the thumbnail uploaded as a blob, then a post in the thread
 * (`reply: {root, parent}`) with an image embed; links and mentions in the text made into facets.
 * Bluesky has no idempotency key, so before posting, the bot's latest posts are read: a reply to
 * the same post already there means a retry, and nothing is posted again. A 429 whose limit resets
 * within a minute is waited for; a later one fails the job, which the queue retries.
 */
class BlueskyPublisher implements Publisher {
  readonly name = 'bluesky';
  private agent: Promise<AtpAgent> | undefined;
  constructor(
    private readonly cfg: BlueskyConfig,
    private readonly log: (line: string) => void,
  ) {}

  handles(network: string | undefined): boolean {
    return network === 'bluesky';
  }

  async reply(r: Reply): Promise<void> {
    const uri = r.post?.id;
    const cid = r.post?.ref?.cid;
    if (!uri || !cid)
      throw new PermanentError('INVALID_MESSAGE', `reply ${r.id}: no Bluesky post (uri and cid) to answer`);
    const parent = { uri, cid };
    const root = { uri: r.post?.ref?.rootUri ?? uri, cid: r.post?.ref?.rootCid ?? cid };
    const limits = { maxWaitMs: 60_000, log: (l: string) => this.log(`bluesky: ${l}`), what: `reply ${r.id}` };
    const call = <T>(fn: () => Promise<T>) => honourRateLimit(fn, rateLimitedUntil, limits);
    try {
      this.agent ??= loggedIn(this.cfg);
      const agent = await this.agent.catch((err: unknown) => {
        this.agent = undefined;
        throw err;
      });
      const did = agent.session!.did;
      const mine = await call(() => agent.com.atproto.repo.listRecords({ repo: did, collection: POST, limit: 100 }));
      if (
        mine.data.records.some(
          (rec) => (rec.value as { reply?: { parent?: { uri?: string } } }).reply?.parent?.uri === uri,
        )
      )
        return this.log(`bluesky: ${uri} already answered; not posting again (${r.id})`);
      const { data } = await call(() => agent.uploadBlob(r.thumbnail, { encoding: 'image/jpeg' }));
      const text = new RichText({ text: fitText(r.text, r.url, BLUESKY_LIMIT, blueskyLength) });
      await text.detectFacets(agent);
      const size = readJpegHeader(r.thumbnail);
      const posted = await call(() =>
        agent.post({
          text: text.text,
          facets: text.facets?.filter(
            (f) => !f.features.some((ft) => ft.$type === MENTION && !(ft as AppBskyRichtextFacet.Mention).did),
          ),
          reply: { root, parent },
          embed: {
            $type: 'app.bsky.embed.images',
            images: [
              {
                image: data.blob,
                alt: 'A photomosaic made of many small photos',
                ...(size && { aspectRatio: { width: size.width, height: size.height } }),
              },
            ],
          },
        }),
      );
      this.log(`bluesky: replied to ${uri} with ${posted.uri} (${r.id})`);
    } catch (err) {
      throw asMosaicError(err, `reply ${r.id}`);
    }
  }
}

export const blueskyPublisher = (cfg: BlueskyConfig, log: (line: string) => void): Publisher =>
  new BlueskyPublisher(cfg, log);
