import { inspect } from 'node:util';
import { createStreamingAPIClient, type mastodon } from 'masto';
import WebSocket from 'ws';

export type StreamHandlers = {
  update: (status: mastodon.v1.Status, tag: string) => void;
  /** A connection (the first or a later one) is open and every hashtag is subscribed on it. */
  listening: () => void;
  /** The connection ended; masto connects again with growing delays. */
  lost: () => void;
  log: (line: string) => void;
};

/**
 * Hashtag streaming over one WebSocket (`/api/v1/streaming`, one `subscribe` per tag), using
 * masto's subscriptions and reconnects. masto is handed a socket class of our own so that we learn
 * of each connection (to poll what was missed while away) and can end one that went silent
 * without closing: we ping, and a connection that answers nothing for `silenceMs` is ended. The
 * class also prints itself without its request headers, which hold the token, since masto logs
 * failed connections with the socket to the console.
 */
export function streamHashtags(
  opts: { streamingUrl: string; accessToken: string; tags: string[]; silenceMs: number },
  on: StreamHandlers,
): { close(): void } {
  let closing = false;
  class WatchedSocket extends WebSocket {
    private subscribed = 0;
    private timer: NodeJS.Timeout | undefined;
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      const alive = () => {
        clearTimeout(this.timer);
        this.timer = setTimeout(() => {
          on.log(`mastodon: streaming silent for ${opts.silenceMs / 1000} s, connecting again`);
          this.terminate();
        }, opts.silenceMs);
        this.timer.unref();
      };
      const pinger = setInterval(() => this.readyState === WebSocket.OPEN && this.ping(), opts.silenceMs / 3);
      pinger.unref();
      const send = this.send.bind(this);
      this.send = ((data: string, ...rest: []) => {
        send(data, ...rest);
        if (data.includes('"subscribe"') && ++this.subscribed === opts.tags.length) on.listening();
      }) as WebSocket['send'];
      this.on('open', alive).on('message', alive).on('ping', alive).on('pong', alive);
      this.on('close', () => {
        clearTimeout(this.timer);
        clearInterval(pinger);
        if (this.subscribed >= opts.tags.length && !closing) on.lost();
      });
    }
    [inspect.custom]() {
      return `MastodonStreamSocket <${this.url.replace(/\?.*/, '')}>`;
    }
  }
  const client = createStreamingAPIClient({
    streamingApiUrl: opts.streamingUrl,
    accessToken: opts.accessToken,
    implementation: WatchedSocket,
    log: 'error',
  });
  for (const tag of opts.tags) {
    void (async () => {
      try {
        for await (const e of client.hashtag.subscribe({ tag })) if (e.event === 'update') on.update(e.payload, tag);
      } catch (err) {
        if (!closing) on.log(`mastodon: streaming #${tag} ended: ${(err as Error).message}`);
      }
    })();
  }
  return {
    close() {
      closing = true;
      client.close();
    },
  };
}
