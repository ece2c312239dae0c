import https from 'node:https';
import { TwitterApi, type ITwitterApiClientPlugin } from 'twitter-api-v2';

export type XClientOptions = {
  /** Where the API is, instead of https://api.x.com (tests, proxies). */
  apiUrl?: string;
  /** Extra certificate authority (PEM) to trust, for a test server with its own certificate. */
  ca?: string;
};

/**
 * twitter-api-v2 has the hosts built in and no base-URL setting: this plugin sends every request
 * to `base` instead. Plain requests are moved after their OAuth signature and body type are
 * computed (those depend on the real host); streams have only the earlier hook.
 */
class Redirect implements ITwitterApiClientPlugin {
  constructor(private readonly base: URL) {}
  private move(u: URL): void {
    u.protocol = this.base.protocol;
    u.hostname = this.base.hostname;
    u.port = this.base.port;
  }
  onBeforeRequest(args: { computedParams: { url: URL } }): void {
    this.move(args.computedParams.url);
  }
  onBeforeStreamRequestConfig(args: { params: { url: string } }): void {
    const u = new URL(args.params.url);
    this.move(u);
    args.params.url = u.toString();
  }
}

/** A client with a bearer token (app-only: stream and rules) or the bot's OAuth 1.0a keys. */
export function xClient(
  token: string | { appKey: string; appSecret: string; accessToken?: string; accessSecret?: string },
  opts: XClientOptions,
): TwitterApi {
  const settings = {
    httpAgent: new https.Agent(opts.ca ? { ca: opts.ca } : {}),
    plugins: opts.apiUrl ? [new Redirect(new URL(opts.apiUrl))] : [],
  };
  return typeof token === 'string' ? new TwitterApi(token, settings) : new TwitterApi(token, settings);
}
