import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { ROOT } from '../helpers/cli.js';
import { PermanentError } from '../../src/core/errors.js';
import type { Queue, RetryPolicy } from '../../src/ports.js';

export const FAST_RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 50 };

const waitFor = async (check: () => boolean | Promise<boolean>, ms = 8000) => {
  const end = Date.now() + ms;
  while (!(await check()) && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
  return check();
};

/**
 * The behaviour every Queue must have; runs unchanged against each implementation. `open` makes a
 * new client of the same queues (another process, or the same one after a restart).
 */
export function describeQueueContract(
  name: string,
  open: () => Queue,
  /** Environment for test/helpers/queue-child.ts to open the same queues in another process. */
  childEnv: Record<string, string>,
  cleanup: (queue: string) => Promise<void> = async () => {},
): void {
  describe(`Queue contract: ${name}`, () => {
    const used: string[] = [];
    const clients: Queue[] = [];
    const fresh = () => {
      const q = `test-${randomUUID().slice(0, 8)}`;
      used.push(q);
      return q;
    };
    const client = () => {
      const c = open();
      clients.push(c);
      return c;
    };
    after(async () => {
      await Promise.all(clients.map((c) => c.close().catch(() => {})));
      for (const q of used) await cleanup(q);
    });

    test('a sent message reaches a consumer once, and is gone after it succeeds', async () => {
      const queue = client();
      const q = fresh();
      const got: unknown[] = [];
      await queue.send(q, { twitter_user: 'alice', media_id: '123' });
      const sub = await queue.consume(q, async (m) => void got.push(m));
      assert.ok(await waitFor(() => got.length === 1));
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(got, [{ twitter_user: 'alice', media_id: '123' }]);
      assert.equal(await queue.depth(q), 0);
      await sub.stop();
    });

    test('a failing job is retried with its attempt number, and succeeds', async () => {
      const queue = client();
      const q = fresh();
      const attempts: number[] = [];
      const sub = await queue.consume(q, async (_m, d) => {
        attempts.push(d.attempt);
        if (d.attempt < 3) throw new Error('flaky');
      });
      await queue.send(q, { n: 1 });
      assert.ok(await waitFor(() => attempts.length === 3), `attempts ${attempts}`);
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(attempts, [1, 2, 3]);
      assert.deepEqual(await queue.deadLetters(q), []);
      await sub.stop();
    });

    test('a job that fails 3 times lands in the dead letters with its reason', async () => {
      const queue = client();
      const q = fresh();
      let calls = 0;
      const sub = await queue.consume(q, async () => {
        calls++;
        throw new Error('the engine fell over');
      });
      await queue.send(q, { id: 'doomed' });
      assert.ok(await waitFor(async () => (await queue.deadLetters(q)).length === 1));
      assert.equal(calls, 3);
      assert.deepEqual(await queue.deadLetters(q), [
        { message: { id: 'doomed' }, reason: 'the engine fell over', attempts: 3 },
      ]);
      assert.equal((await queue.deadLetters(q)).length, 1, 'reading dead letters does not remove them');
      await sub.stop();
    });

    test('a permanent error is not retried', async () => {
      const queue = client();
      const q = fresh();
      let calls = 0;
      const sub = await queue.consume(q, async () => {
        calls++;
        throw new PermanentError('UNREADABLE_IMAGE', 'not an image');
      });
      await queue.send(q, { id: 'bad' });
      assert.ok(await waitFor(async () => (await queue.deadLetters(q)).length === 1));
      assert.equal(calls, 1);
      assert.equal((await queue.deadLetters(q))[0].reason, 'not an image');
      await sub.stop();
    });

    test('messages survive the client: sent by one, handled by the next', async () => {
      const q = fresh();
      const first = open();
      for (let i = 0; i < 5; i++) await first.send(q, { i });
      await first.close();
      const second = client();
      assert.equal(await second.depth(q), 5);
      const got: number[] = [];
      const sub = await second.consume(q, async (m) => void got.push((m as { i: number }).i));
      assert.ok(await waitFor(() => got.length === 5));
      assert.deepEqual([...got].sort(), [0, 1, 2, 3, 4]);
      await sub.stop();
    });

    test('a job whose consumer was killed (kill -9) mid-job is handled by the next one', async () => {
      const q = fresh();
      await client().send(q, { job: 1 });
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/helpers/queue-child.ts')], {
        env: { ...process.env, ...childEnv, QUEUE_NAME: q },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      assert.ok(await waitFor(() => out.includes('started'), 20_000), 'the child took the job');
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const next = client();
      const got: number[] = [];
      const sub = await next.consume(q, async (_m, d) => void got.push(d.attempt));
      assert.ok(await waitFor(() => got.length === 1), 'the job came back');
      await sub.stop();
    });

    test('two consumers share the work: each message is handled exactly once', async () => {
      const q = fresh();
      const a = client();
      const b = client();
      const seen = new Map<number, number>();
      const count = (m: unknown) => {
        const i = (m as { i: number }).i;
        seen.set(i, (seen.get(i) ?? 0) + 1);
      };
      const subA = await a.consume(q, async (m) => count(m), { prefetch: 2 });
      const subB = await b.consume(q, async (m) => count(m), { prefetch: 2 });
      for (let i = 0; i < 20; i++) await a.send(q, { i });
      assert.ok(await waitFor(() => seen.size === 20));
      await new Promise((r) => setTimeout(r, 300));
      assert.ok(
        [...seen.values()].every((n) => n === 1),
        JSON.stringify([...seen]),
      );
      await subA.stop();
      await subB.stop();
    });
  });
}
