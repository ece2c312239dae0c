import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MosaicError } from '../core/errors.js';
import { parseRequest } from './messages.js';

test("the original's two message shapes and ours are understood", () => {
  assert.deepEqual(parseRequest({ twitter_user: 'alice', media_id: '661234567890' }), {
    id: '661234567890',
    username: 'alice',
    source: { key: '661234567890.jpg' },
    network: 'x',
  });
  const byUrl = parseRequest({
    twitter_handler: '@bob',
    user_name: 'bob',
    img_url: 'https://pbs.twimg.com/media/x.jpg',
  });
  assert.equal(byUrl.username, 'bob');
  assert.deepEqual(byUrl.source, { url: 'https://pbs.twimg.com/media/x.jpg' });
  assert.equal(
    byUrl.id,
    parseRequest({ user_name: 'bob', img_url: 'https://pbs.twimg.com/media/x.jpg' }).id,
    'same URL, same id',
  );
  assert.deepEqual(parseRequest({ id: 'r-1', username: 'carol', key: 'uploads/r-1.jpg' }), {
    id: 'r-1',
    username: 'carol',
    source: { key: 'uploads/r-1.jpg' },
  });
});

test('malformed messages and unknown shapes get a clear reason', () => {
  const reason = (m: unknown) => {
    try {
      parseRequest(m);
      return 'accepted';
    } catch (e) {
      assert.ok(e instanceof MosaicError && e.code === 'INVALID_MESSAGE');
      return e.message;
    }
  };
  assert.equal(reason('just text'), 'malformed message: not a JSON object');
  assert.equal(reason([1, 2]), 'malformed message: not a JSON object');
  assert.equal(reason({ hello: 'world' }), 'unknown message shape (fields: hello)');
  assert.equal(reason({ media_id: '' }), 'media_id is empty');
  assert.equal(reason({ media_id: '../../etc/passwd' }), 'id "../../etc/passwd" is not letters, digits, - or _');
  assert.equal(reason({ media_id: { $gt: 1 } }), 'media_id must be text');
  assert.match(reason({ twitter_user: 'x'.repeat(100), media_id: '1' }), /username is longer than 64/);
});
