import { spawn, type ChildProcess } from 'node:child_process';
import { accepts, freePort } from './net.js';
import { findExecutable } from './executables.js';

export type PrivateRedis = {
  url: string;
  port: number;
  /** Kills the server (SIGKILL, as a crash) and waits until it is gone; its data goes with it. */
  kill: () => Promise<void>;
  /** Starts it again on the same port, empty. */
  start: () => Promise<void>;
};

/**
 * A redis-server of the test's own on a free loopback port, without persistence, so a test may
 * stop it or empty it without touching the machine's Redis. Stopped when the test process exits.
 */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const bin = findExecutable(
    'redis-server',
    ['/usr/sbin', '/usr/local/bin', '/opt/homebrew/bin'],
    'install the Redis server (e.g. apt install redis-server)',
  );
  const port = await freePort();
  let child: ChildProcess | undefined;
  const killNow = () => child?.kill('SIGKILL');
  process.once('exit', killNow);
  const start = async () => {
    let log = '';
    const c = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = c;
    c.stdout!.on('data', (d) => (log += d));
    c.stderr!.on('data', (d) => (log += d));
    const failed = new Promise<string>((resolve) => {
      c.once('error', (e) => resolve(e.message));
      c.once('exit', (code) => resolve(`exited with ${code}`));
    });
    const end = Date.now() + 10_000;
    for (;;) {
      if (await accepts(port)) return;
      const why = await Promise.race([failed, new Promise<undefined>((r) => setTimeout(r, 50))]);
      if (why || Date.now() > end)
        throw new Error(`redis-server on port ${port} did not start (${why ?? 'timeout'}):\n${log}`);
    }
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    kill: async () => {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      c.kill('SIGKILL');
      await new Promise((r) => c.once('exit', r));
    },
  };
}
