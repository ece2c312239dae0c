import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cellLabel, parseLabel, rowLetters } from './labels.js';

test('rows are lettered A … Z, AA …, columns numbered from 1', () => {
  assert.deepEqual([0, 1, 25, 26, 27, 51, 52, 701, 702].map(rowLetters), [
    'A',
    'B',
    'Z',
    'AA',
    'AB',
    'AZ',
    'BA',
    'ZZ',
    'AAA',
  ]);
  assert.equal(cellLabel(2 * 40 + 13, 40), 'C-14');
  assert.equal(cellLabel(0, 10), 'A-1');
});

test('a label reads back to its cell on every cell of a big wall, and nonsense reads as none', () => {
  const cols = 200;
  const rows = 150;
  for (let cell = 0; cell < cols * rows; cell += 37) assert.equal(parseLabel(cellLabel(cell, cols), cols, rows), cell);
  assert.equal(parseLabel(' c 14 ', 40, 30), 93);
  for (const bad of ['', 'C', '14', 'C-0', 'C-41', 'AE-1', '<b>', 'C-14-2'])
    assert.equal(parseLabel(bad, 40, 30), undefined);
});
