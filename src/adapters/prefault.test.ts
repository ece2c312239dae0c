import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prefaultedBuffer } from './prefault.js';

test('a prefaulted buffer keeps what is written while its pages are still being touched', async () => {
  const size = 64 * 1024 * 1024;
  const buffer = prefaultedBuffer(size);
  // Written at once, before the helper thread has even started: a touch that stored zeros would wipe
  // the first byte of every page.
  buffer.data.fill(7);
  await buffer.touched;
  await buffer.release();
  await buffer.release();
  let wrong = 0;
  for (let i = 0; i < size; i += 4096) if (buffer.data[i] !== 7) wrong++;
  assert.equal(wrong, 0, `${wrong} pages lost what was written`);
  assert.equal(buffer.data[size - 1], 7);
});

test('a prefaulted buffer can be released at once', async () => {
  const buffer = prefaultedBuffer(1 << 20);
  await buffer.release();
  assert.equal(buffer.data.length, 1 << 20);
  assert.equal(buffer.data[12345], 0);
});
