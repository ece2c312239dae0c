import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DEFAULT_RETRY, type DeadLetter, type Handler, type Queue, type RetryPolicy } from '../../ports.js';
import { afterFailure } from './retry.js';

type Envelope = { message: unknown; attempt: number; notBefore: number };

/**
 * The queue of the embedded mode: durable on local disk, one JSON file per message.
 *
 *   <dir>/<queue>/ready/<time>-<id>.json       waiting (or waiting for a retry: `notBefore`)
 *   <dir>/<queue>/working/<time>-<id>.json     claimed by a consumer (claimed by rename)
 *   <dir>/<queue>/dead/<time>-<id>.json        gave up, with the reason
 *
 * The attempt count is written before a handler runs, so a process killed mid-job counts that try.
 * At start, messages left in `working` by a killed process go back to `ready`: one process owns a
 * queue folder. Other processes may `send` into it (the CLI's `submit` does); consumers look for
 * new files every `pollMs` as well as on every send of their own process.
 */
export class DiskQueue implements Queue {
  private readonly bus = new EventEmitter();
  private readonly recovered = new Set<string>();

  constructor(
    private readonly dir: string,
    private readonly policy: RetryPolicy = DEFAULT_RETRY,
    private readonly pollMs = 500,
  ) {
    this.bus.setMaxListeners(0);
  }

  private folder(queue: string, state: 'ready' | 'working' | 'dead'): string {
    if (!/^[\w.-]+$/.test(queue)) throw new Error(`Invalid queue name ${JSON.stringify(queue)}`);
    return path.join(this.dir, queue, state);
  }

  private async write(file: string, data: unknown): Promise<void> {
    await fs.mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${randomUUID()}.tmp`;
    await fs.writeFile(tmp, JSON.stringify(data));
    await fs.rename(tmp, file);
  }

  async send(queue: string, message: unknown): Promise<void> {
    const name = `${Date.now().toString().padStart(15, '0')}-${randomUUID()}.json`;
    await this.write(path.join(this.folder(queue, 'ready'), name), {
      message,
      attempt: 0,
      notBefore: 0,
    } satisfies Envelope);
    this.bus.emit(queue);
  }

  private async recover(queue: string): Promise<void> {
    if (this.recovered.has(queue)) return;
    this.recovered.add(queue);
    const working = this.folder(queue, 'working');
    const ready = this.folder(queue, 'ready');
    await fs.mkdir(ready, { recursive: true });
    for (const name of await fs.readdir(working).catch(() => [] as string[])) {
      if (name.endsWith('.json')) await fs.rename(path.join(working, name), path.join(ready, name)).catch(() => {});
    }
  }

  async consume(queue: string, handler: Handler, opts: { prefetch?: number } = {}): Promise<{ stop(): Promise<void> }> {
    await this.recover(queue);
    const prefetch = opts.prefetch ?? 1;
    const ready = this.folder(queue, 'ready');
    const working = this.folder(queue, 'working');
    await fs.mkdir(working, { recursive: true });
    let running = true;
    let active = 0;
    let scanning = false;
    let timer: NodeJS.Timeout | undefined;
    const inFlight = new Set<Promise<void>>();

    const handle = async (name: string): Promise<void> => {
      const file = path.join(working, name);
      const env = JSON.parse(await fs.readFile(file, 'utf8')) as Envelope;
      env.attempt += 1;
      await this.write(file, env);
      try {
        await handler(env.message, { attempt: env.attempt });
        await fs.rm(file, { force: true });
      } catch (err) {
        const next = afterFailure(err, env.attempt, this.policy);
        if (next.retry) {
          await this.write(path.join(ready, name), { ...env, notBefore: Date.now() + next.delay });
        } else {
          await this.write(path.join(this.folder(queue, 'dead'), name), {
            message: env.message,
            reason: next.reason,
            attempts: env.attempt,
          } satisfies DeadLetter);
        }
        await fs.rm(file, { force: true });
      }
    };

    const scan = async (): Promise<void> => {
      if (scanning || !running) return;
      scanning = true;
      try {
        let soonest = Infinity;
        const names = (await fs.readdir(ready).catch(() => [] as string[])).filter((n) => n.endsWith('.json')).sort();
        for (const name of names) {
          if (!running || active >= prefetch) break;
          const env = await fs
            .readFile(path.join(ready, name), 'utf8')
            .then((t) => JSON.parse(t) as Envelope)
            .catch(() => undefined);
          if (!env) continue;
          if (env.notBefore > Date.now()) {
            soonest = Math.min(soonest, env.notBefore);
            continue;
          }
          // The rename is the claim: of two consumers, only one succeeds.
          const claimed = await fs.rename(path.join(ready, name), path.join(working, name)).then(
            () => true,
            () => false,
          );
          if (!claimed) continue;
          active++;
          const p = handle(name)
            .catch(() => {})
            .finally(() => {
              active--;
              inFlight.delete(p);
              void scan();
            });
          inFlight.add(p);
        }
        clearTimeout(timer);
        if (running) timer = setTimeout(() => void scan(), Math.max(10, Math.min(this.pollMs, soonest - Date.now())));
      } finally {
        scanning = false;
      }
    };
    const wake = () => void scan();
    this.bus.on(queue, wake);
    void scan();
    return {
      stop: async () => {
        running = false;
        clearTimeout(timer);
        this.bus.off(queue, wake);
        await Promise.all(inFlight);
      },
    };
  }

  async depth(queue: string): Promise<number> {
    const names = await fs.readdir(this.folder(queue, 'ready')).catch(() => [] as string[]);
    return names.filter((n) => n.endsWith('.json')).length;
  }

  async deadLetters(queue: string, limit = 100): Promise<DeadLetter[]> {
    const dir = this.folder(queue, 'dead');
    const names = (await fs.readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json')).sort();
    const out: DeadLetter[] = [];
    for (const name of names.slice(0, limit))
      out.push(JSON.parse(await fs.readFile(path.join(dir, name), 'utf8')) as DeadLetter);
    return out;
  }

  async close(): Promise<void> {
    this.bus.removeAllListeners();
  }
}
