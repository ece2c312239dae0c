import type { SocialPost } from '../../ports.js';

export type HandoffOptions = { firstDelayMs?: number; maxDelayMs?: number; remember?: number };

/**
 * Hands a source's posts to the consumer one at a time, in the order seen. A post the consumer
 * rejects is offered again after a growing delay until it is taken or the source stops, so a
 * storage or broker outage loses nothing. A post id already handed over (a stream and a catch-up
 * poll both seeing it) is not handed over again; the last `remember` ids are kept.
 */
export class Handoff {
  private readonly pending: SocialPost[] = [];
  private readonly seen = new Set<string>();
  private running: Promise<void> | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly onPost: (post: SocialPost) => Promise<void>,
    private readonly log: (line: string) => void,
    private readonly opts: HandoffOptions = {},
  ) {}

  /** Whether `id` was handed over (or is waiting to be). */
  has(id: string): boolean {
    return this.seen.has(id);
  }

  push(post: SocialPost): void {
    if (this.stopped || this.seen.has(post.post.id)) return;
    this.seen.add(post.post.id);
    if (this.seen.size > (this.opts.remember ?? 10_000)) this.seen.delete(this.seen.values().next().value!);
    this.pending.push(post);
    this.kick();
  }

  private kick(): void {
    if (this.running) return;
    // A post pushed after the drain's last look but before it counts as finished must not wait
    // for the next push: the drain starts again when there is more.
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.pending.length && !this.stopped) this.kick();
    });
  }

  /** Stops offering; what is still waiting is dropped with a log line. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.wake?.();
    await this.running;
    if (this.pending.length) this.log(`${this.pending.length} post(s) not taken before the source stopped`);
  }

  private async drain(): Promise<void> {
    let delay = this.opts.firstDelayMs ?? 1000;
    while (this.pending.length && !this.stopped) {
      const post = this.pending[0];
      try {
        await this.onPost(post);
        this.pending.shift();
        delay = this.opts.firstDelayMs ?? 1000;
      } catch (err) {
        this.log(`post ${post.post.id} not taken (${(err as Error).message}); offered again in ${delay} ms`);
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          this.timer = setTimeout(resolve, delay);
        });
        delay = Math.min(delay * 2, this.opts.maxDelayMs ?? 60_000);
      }
    }
  }
}
