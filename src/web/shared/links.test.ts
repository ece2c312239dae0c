import assert from 'node:assert/strict';
import { test } from 'node:test';
import { originalLinkTarget } from './links.js';

test("the original's fragment links lead to the mosaic's page", () => {
  assert.equal(originalLinkTarget('#/mosaic/123456.jpg'), '/mosaics/123456');
  assert.equal(originalLinkTarget('#/mosaic/123456'), '/mosaics/123456');
  assert.equal(originalLinkTarget('#!/mosaic/abc-1.jpeg/'), '/mosaics/abc-1');
  assert.equal(originalLinkTarget('#/mosaic/'), undefined);
  assert.equal(originalLinkTarget('#/mosaic/..%2Fadmin'), undefined);
  assert.equal(originalLinkTarget('#/mosaic/x/y'), undefined);
  assert.equal(originalLinkTarget(''), undefined);
});
