import { createHmac } from 'node:crypto';
import { MosaicError } from '../../core/errors.js';
import type { Publisher, Reply } from '../../ports.js';

export const SIGNATURE_HEADER = 'x-mosaicme-signature';

/** `sha256=<hex HMAC of the exact body>`, as GitHub signs its webhooks. */
export const sign = (secret: string, body: string): string =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/**
 * POSTs each reply as JSON to a configured URL, signed with a shared secret so the receiver can
 * trust it. The thumbnail travels base64-encoded. Any answer but 2xx is an error, so the job is
 * retried.
 */
export class WebhookPublisher implements Publisher {
  readonly name = 'webhook';
  constructor(private readonly opts: { url: string; secret: string; timeoutMs?: number }) {}
  handles(): boolean {
    return true;
  }
  async reply(r: Reply): Promise<void> {
    const body = JSON.stringify({
      id: r.id,
      username: r.username,
      network: r.network,
      text: r.text,
      url: r.url,
      thumbnail: Buffer.from(r.thumbnail).toString('base64'),
    });
    const res = await fetch(this.opts.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: sign(this.opts.secret, body) },
      body,
      signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
    }).catch((err: Error) => {
      throw new MosaicError('DOWNLOAD_FAILED', `webhook unreachable: ${err.message}`, { cause: err });
    });
    if (!res.ok) throw new MosaicError('DOWNLOAD_FAILED', `webhook answered ${res.status}`);
  }
}
