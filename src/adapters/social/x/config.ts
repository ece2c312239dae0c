import type { SourceCursor, SourceRole } from '../../../ports.js';
import type { XClientOptions } from './client.js';
import type { FailureKind } from './stream.js';

export type XConfig = XClientOptions & {
  /** App-only token for the filtered stream and its rules. */
  bearerToken?: string;
  /** App keys alone: a bearer token is fetched with them when none is given. */
  app?: { appKey: string; appSecret: string };
  /** The bot account (OAuth 1.0a user context): mentions, replies, `check`. */
  oauth1?: { appKey: string; appSecret: string; accessToken: string; accessSecret: string };
  /** The bot's handle; asked of X when the bot account is given. */
  botUsername?: string;
  mode: 'stream' | 'mentions';
  hashtags: { tag: string; role: SourceRole }[];
  /** Hosts images may come from (default pbs.twimg.com). */
  mediaHosts?: string[];
  /** Mentions mode: how often to poll (default 30 s). */
  pollIntervalMs?: number;
  /** Mentions mode: where the newest mention taken is kept, so a restart polls on from there. */
  cursor?: SourceCursor;
  /** Stream: no data nor keep-alive for this long means the connection is lost (default 21 s). */
  heartbeatTimeoutMs?: number;
  /** Stream: wait before reconnect attempt `attempt` (default X's documented back-off). */
  reconnectDelay?: (kind: FailureKind, attempt: number) => number;
  /** Replies: a rate limit resetting within this is waited for (default 15 min, X's window). */
  maxRateLimitWaitMs?: number;
};

export const xMediaHosts = (cfg: Pick<XConfig, 'mediaHosts'>): string[] => cfg.mediaHosts ?? ['pbs.twimg.com'];
