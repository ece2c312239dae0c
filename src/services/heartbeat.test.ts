import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryCache } from '../adapters/cache/memory.js';
import { listWorkers, startHeartbeat } from './heartbeat.js';

test('a process beats with its roles; one that stops beating drops off after the expiry', async () => {
  let now = Date.parse('2026-11-28T12:00:00Z');
  const cache = new MemoryCache(() => now);
  const stopA = startHeartbeat(cache, { roles: ['engine'], host: 'h1', pid: 7 }, { everyMs: 60_000, ttlSeconds: 30 });
  const stopB = startHeartbeat(cache, { roles: ['web', 'cache'], host: 'h0', pid: 9 });
  await new Promise((r) => setImmediate(r));
  const rows = await listWorkers(cache);
  assert.deepEqual(
    rows.map((w) => [w.host, w.pid, w.role]),
    [
      ['h0', 9, 'cache'],
      ['h0', 9, 'web'],
      ['h1', 7, 'engine'],
    ],
  );
  assert.ok(rows.every((w) => !Number.isNaN(Date.parse(w.since)) && !Number.isNaN(Date.parse(w.seen))));
  await stopB();
  assert.deepEqual(
    (await listWorkers(cache)).map((w) => w.pid),
    [7],
    'a process that stops says so',
  );
  now += 31_000;
  assert.deepEqual(await listWorkers(cache), [], 'a process that died is gone after 30 s');
  await stopA();
});
