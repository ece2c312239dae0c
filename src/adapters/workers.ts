import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Piscina } from 'piscina';

/**
 * A pool of worker threads, one per core by default, running the default export of `worker`
 * (a module URL ending in .js). CPU work (decoding tiles, searching candidates) would otherwise
 * leave all but one core idle.
 */
export class WorkerPool<T, R> {
  private readonly pool: Promise<Piscina<T, R>>;
  readonly threads: number;

  constructor(worker: URL, threads = os.availableParallelism()) {
    const js = fileURLToPath(worker);
    // Under tsx (tests, development) only the .ts source exists; the worker then loads tsx too.
    const filename = existsSync(js) ? js : js.replace(/\.js$/, '.ts');
    this.threads = threads;
    // Loaded on first use: a command that never needs threads should not pay for the import.
    this.pool = import('piscina').then(
      ({ Piscina }) =>
        new Piscina({
          filename,
          minThreads: threads,
          maxThreads: threads,
          idleTimeout: 1000,
          execArgv: filename.endsWith('.ts') ? ['--import', 'tsx'] : [],
        }),
    );
  }

  async run(task: T, transferList?: Transferable[]): Promise<R> {
    const pool = await this.pool;
    return pool.run(task, transferList ? { transferList: transferList as never } : undefined);
  }

  async close(): Promise<void> {
    await (await this.pool).destroy();
  }
}
