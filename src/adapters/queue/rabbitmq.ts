import { Connection, type Consumer, type Publisher } from 'rabbitmq-client';
import { DEFAULT_RETRY, type DeadLetter, type Handler, type Queue, type RetryPolicy } from '../../ports.js';
import { afterFailure } from './retry.js';

const ATTEMPT = 'x-mosaicme-attempt';
const REASON = 'x-mosaicme-reason';

/**
 * Queues on RabbitMQ. For each queue `q`: `q` itself (durable), `q.retry` where a failed message
 * waits out its delay (per-message TTL, then dead-lettered back to `q`), and `q.dead` for messages
 * that gave up, with the reason in a header. Every send is persistent and confirmed by the broker;
 * a message is acknowledged only after its handler resolved or after it was moved on, so a killed
 * consumer's message is delivered again. The connection comes back by itself after a broker
 * restart; sends wait for it.
 */
export class RabbitQueue implements Queue {
  private readonly rabbit: Connection;
  private readonly publisher: Publisher;
  private readonly declared = new Map<string, Promise<void>>();

  constructor(
    url: string,
    private readonly policy: RetryPolicy = DEFAULT_RETRY,
    /**
     * Queues declared single-active-consumer: however many processes consume one, the broker
     * delivers to one of them at a time and moves to the next when it goes (wall placement).
     */
    private readonly singleActive: readonly string[] = [],
  ) {
    this.rabbit = new Connection({ url, retryLow: 200, retryHigh: 2000, connectionName: 'mosaicme' });
    // Connection problems are retried inside the client; they surface on sends if they last.
    this.rabbit.on('error', () => {});
    this.publisher = this.rabbit.createPublisher({ confirm: true, maxAttempts: 3 });
  }

  private declare(queue: string): Promise<void> {
    let p = this.declared.get(queue);
    if (!p) {
      p = (async () => {
        const sac = this.singleActive.includes(queue) ? { arguments: { 'x-single-active-consumer': true } } : {};
        await this.rabbit.queueDeclare({ queue, durable: true, ...sac });
        await this.rabbit.queueDeclare({ queue: `${queue}.dead`, durable: true });
        await this.rabbit.queueDeclare({
          queue: `${queue}.retry`,
          durable: true,
          arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': queue },
        });
      })();
      p.catch(() => this.declared.delete(queue));
      this.declared.set(queue, p);
    }
    return p;
  }

  async send(queue: string, message: unknown): Promise<void> {
    await this.declare(queue);
    await this.publisher.send(
      { routingKey: queue, durable: true, contentType: 'application/json', headers: { [ATTEMPT]: 0 } },
      message,
    );
  }

  async consume(queue: string, handler: Handler, opts: { prefetch?: number } = {}): Promise<{ stop(): Promise<void> }> {
    await this.declare(queue);
    const prefetch = opts.prefetch ?? 1;
    const consumer: Consumer = this.rabbit.createConsumer(
      {
        queue,
        queueOptions: {
          durable: true,
          ...(this.singleActive.includes(queue) ? { arguments: { 'x-single-active-consumer': true } } : {}),
        },
        qos: { prefetchCount: prefetch },
        concurrency: prefetch,
        requeue: false,
      },
      async (msg) => {
        const attempt = Number(msg.headers?.[ATTEMPT] ?? 0) + 1;
        let message: unknown = msg.body;
        if (Buffer.isBuffer(msg.body) || typeof msg.body === 'string') {
          // Not sent as JSON (the client decodes JSON bodies by their content type): try, else give up on it.
          const text = msg.body.toString();
          try {
            message = JSON.parse(text);
          } catch {
            await this.bury(queue, text, 'malformed message: not JSON', attempt);
            return;
          }
        }
        try {
          await handler(message, { attempt });
        } catch (err) {
          const next = afterFailure(err, attempt, this.policy);
          if (next.retry) {
            await this.publisher.send(
              {
                routingKey: `${queue}.retry`,
                durable: true,
                expiration: String(next.delay),
                contentType: 'application/json',
                headers: { [ATTEMPT]: attempt },
              },
              message,
            );
          } else {
            await this.bury(queue, message, next.reason, attempt);
          }
        }
      },
    );
    consumer.on('error', () => {});
    return { stop: () => consumer.close() };
  }

  private async bury(queue: string, message: unknown, reason: string, attempts: number): Promise<void> {
    await this.publisher.send(
      {
        routingKey: `${queue}.dead`,
        durable: true,
        contentType: 'application/json',
        headers: { [ATTEMPT]: attempts, [REASON]: reason },
      },
      message,
    );
  }

  async depth(queue: string): Promise<number> {
    await this.declare(queue);
    return (await this.rabbit.queueDeclare({ queue, passive: true })).messageCount;
  }

  /** Reads dead letters without removing them (they are put back in their place). */
  async deadLetters(queue: string, limit = 100): Promise<DeadLetter[]> {
    await this.declare(queue);
    const ch = await this.rabbit.acquire();
    const out: DeadLetter[] = [];
    try {
      for (let i = 0; i < limit; i++) {
        const msg = await ch.basicGet({ queue: `${queue}.dead` });
        if (!msg) break;
        out.push({
          message: msg.body,
          reason: String(msg.headers?.[REASON] ?? ''),
          attempts: Number(msg.headers?.[ATTEMPT] ?? 0),
        });
      }
    } finally {
      await ch.close();
    }
    return out;
  }

  async close(): Promise<void> {
    await this.publisher.close();
    await this.rabbit.close();
  }
}
