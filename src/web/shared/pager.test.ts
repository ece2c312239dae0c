import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pagerItems } from './pager.js';

const labels = (current: number, pages: number) =>
  pagerItems(current, pages).map((i) => (i.gap ? '…' : i.current ? `[${i.label}]` : i.label));

test('the pager shows newer, the ends, two pages either side and older, with gaps', () => {
  assert.deepEqual(labels(1, 1), []);
  assert.deepEqual(labels(1, 2), ['[1]', '2', 'Older ›']);
  assert.deepEqual(labels(2, 2), ['‹ Newer', '1', '[2]']);
  assert.deepEqual(labels(10, 20), ['‹ Newer', '1', '…', '8', '9', '[10]', '11', '12', '…', '20', 'Older ›']);
  assert.deepEqual(labels(3, 7), ['‹ Newer', '1', '2', '[3]', '4', '5', '…', '7', 'Older ›']);
  const [newer, first] = pagerItems(2, 3);
  assert.deepEqual(newer, { page: 1, label: '‹ Newer', href: '/', rel: 'prev' });
  assert.equal(!first.gap && first.ariaLabel, 'Page 1');
});
