import assert from 'node:assert/strict';
import { test } from 'node:test';
import { relativeTime } from './time.js';

test('relative times read naturally, with no "60 seconds"', () => {
  const now = Date.parse('2026-11-28T12:00:00Z');
  const ago = (s: number) => relativeTime(new Date(now - s * 1000).toISOString(), now);
  assert.equal(ago(5), 'just now');
  assert.equal(ago(45), '45 seconds ago');
  assert.equal(ago(59.8), '1 minute ago');
  assert.equal(ago(5 * 60), '5 minutes ago');
  assert.equal(ago(3 * 3600), '3 hours ago');
  assert.equal(ago(30 * 3600), 'yesterday');
  assert.equal(ago(400 * 86400), 'last year');
  assert.equal(relativeTime('not a date', now), '');
});
