import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SocialPost } from '../../ports.js';
import { Handoff } from './handoff.js';

const post = (id: string): SocialPost => ({
  network: 'mastodon',
  post: { id },
  role: 'requests',
  author: { handle: 'alice' },
  text: '',
  imageUrls: ['https://example.org/a.jpg'],
});

const ticks = async (n: number) => {
  for (let i = 0; i < n; i++) await Promise.resolve();
};

test('a post pushed at any moment while the drain is finishing is still taken', async () => {
  // Sweeps the push of the second post across every microtask around the end of the first's
  // drain: a push that lands after the drain's last look must start it again.
  for (let k = 0; k < 30; k++) {
    const taken: string[] = [];
    const h = new Handoff(
      async (p) => void taken.push(p.post.id),
      () => {},
    );
    h.push(post('a'));
    await ticks(k);
    h.push(post('b'));
    await sleep(5);
    assert.deepEqual(taken, ['a', 'b'], `second push after ${k} microtasks`);
    await h.stop();
  }
});

test('posts are taken in order, once each; a refused one is offered again', async () => {
  const taken: string[] = [];
  let refuse = 1;
  const lines: string[] = [];
  const h = new Handoff(
    async (p) => {
      if (p.post.id === 'b' && refuse-- > 0) throw new Error('storage away');
      taken.push(p.post.id);
    },
    (l) => lines.push(l),
    { firstDelayMs: 10 },
  );
  for (const id of ['a', 'b', 'a', 'c']) h.push(post(id));
  assert.ok(h.has('c'));
  await sleep(100);
  assert.deepEqual(taken, ['a', 'b', 'c']);
  assert.match(lines.join('\n'), /post b not taken \(storage away\); offered again in 10 ms/);
  await h.stop();
});
