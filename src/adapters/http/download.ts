import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent, request } from 'undici';
import { MosaicError, PermanentError } from '../../core/errors.js';

export type DownloadOptions = {
  maxBytes: number;
  timeoutMs: number;
  maxRedirects: number;
  /** Hosts (names or addresses) allowed even when they are loopback or private. */
  allowHosts: readonly string[];
  /** When set, only these hosts (and their subdomains) may be fetched at all. */
  onlyHosts?: readonly string[];
};

export const DEFAULT_DOWNLOAD: DownloadOptions = {
  maxBytes: 50 * 1024 * 1024,
  timeoutMs: 20_000,
  maxRedirects: 5,
  allowHosts: [],
};

/** Only ordinary public unicast addresses may be reached; not loopback, private, link-local, … */
export function isPublicAddress(address: string): boolean {
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  return ip.range() === 'unicast';
}

const unsafe = (why: string) => new PermanentError('UNSAFE_URL', why);
const hostMatches = (host: string, list: readonly string[]) => list.some((h) => host === h || host.endsWith(`.${h}`));

/**
 * Fetches an image from the web for the pipeline, refusing what could reach inside our network:
 * the address every connection goes to is checked after DNS resolution (and that address is the
 * one used, so a name cannot change its answer between the check and the connection), and each
 * redirect is checked again. Size and time are limited. Errors are MosaicErrors: UNSAFE_URL and
 * client errors (4xx, too large) are permanent; network errors and 5xx may be retried.
 */
export async function download(
  url: string,
  opts: DownloadOptions = DEFAULT_DOWNLOAD,
): Promise<{ bytes: Uint8Array; contentType?: string; url: string }> {
  const allowed = (host: string) => hostMatches(host, opts.allowHosts);
  const agent = new Agent({
    connect: {
      lookup: (
        hostname: string,
        options: object,
        cb: (err: Error | null, address: string | LookupAddress[], family?: number) => void,
      ) => {
        dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
          if (err) return cb(err, []);
          const bad = addresses.find((a) => !isPublicAddress(a.address));
          if (bad && !allowed(hostname))
            return cb(unsafe(`${hostname} resolves to ${bad.address}, a non-public address`), []);
          cb(null, addresses);
        });
      },
    },
  });
  const signal = AbortSignal.timeout(opts.timeoutMs);
  try {
    let current = url;
    for (let hop = 0; ; hop++) {
      let u: URL;
      try {
        u = new URL(current);
      } catch {
        throw unsafe(`not a URL: ${current.slice(0, 100)}`);
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:')
        throw unsafe(`only http and https URLs are fetched, not ${u.protocol}`);
      const host = u.hostname.replace(/^\[|\]$/g, '');
      if (opts.onlyHosts && !hostMatches(host, opts.onlyHosts))
        throw unsafe(`${host} is not one of the image hosts allowed`);
      if (isIP(host) && !isPublicAddress(host) && !allowed(host)) throw unsafe(`${host} is a non-public address`);
      let res;
      try {
        res = await request(u, { dispatcher: agent, signal, headers: { 'user-agent': 'MosaicMe' } });
      } catch (err) {
        if (err instanceof MosaicError) throw err;
        const cause = (err as { cause?: unknown }).cause;
        if (cause instanceof MosaicError) throw cause;
        throw new MosaicError('DOWNLOAD_FAILED', `cannot fetch ${u.host}: ${(err as Error).message}`, { cause: err });
      }
      if (res.statusCode >= 300 && res.statusCode < 400 && res.headers.location) {
        await res.body.dump();
        if (hop >= opts.maxRedirects)
          throw new PermanentError('DOWNLOAD_FAILED', `more than ${opts.maxRedirects} redirects`);
        current = new URL(String(res.headers.location), u).toString();
        continue;
      }
      if (res.statusCode >= 400) {
        await res.body.dump();
        const error = res.statusCode < 500 ? PermanentError : MosaicError;
        throw new error('DOWNLOAD_FAILED', `${u.host} answered ${res.statusCode}`);
      }
      const length = Number(res.headers['content-length'] ?? 0);
      const tooLarge = () =>
        new PermanentError('DOWNLOAD_FAILED', `image larger than ${Math.round(opts.maxBytes / 2 ** 20)} MiB`);
      if (length > opts.maxBytes) {
        await res.body.dump();
        throw tooLarge();
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > opts.maxBytes) {
          res.body.destroy();
          throw tooLarge();
        }
        chunks.push(chunk as Buffer);
      }
      const type = res.headers['content-type'];
      return { bytes: Buffer.concat(chunks), contentType: Array.isArray(type) ? type[0] : type, url: current };
    }
  } finally {
    await agent.close();
  }
}
