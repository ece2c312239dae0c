import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MosaicError } from '../core/errors.js';
import { parseJob, parseRequest, withOriginalFields } from './messages.js';

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

test("jobs on the later queues: ours, the original's, and only an id", () => {
  assert.deepEqual(parseJob({ twitter_user: '@alice', media_id: '123' }, 'engine job'), {
    id: '123',
    key: '123.jpg',
    username: 'alice',
    network: 'x',
  });
  assert.deepEqual(parseJob({ id: 'u1', key: 'uploads/u1.png', username: 'bo' }, 'finish job'), {
    id: 'u1',
    key: 'uploads/u1.png',
    username: 'bo',
  });
  assert.deepEqual(parseJob({ id: 'u2' }, 'done job'), { id: 'u2', key: 'u2.jpg' });
  assert.throws(() => parseJob({ id: '../x' }, 'done job'), /malformed done job: id "..\/x" is not letters/);
  assert.throws(() => parseJob(null, 'engine job'), /malformed engine job: malformed message: not a JSON object/);
});

test("every message we send carries the original's fields, and ours still win when read back", () => {
  const sent = withOriginalFields({ id: 'b1', key: 'b1.jpg', username: 'bob', network: 'mastodon' });
  assert.deepEqual(sent, {
    id: 'b1',
    key: 'b1.jpg',
    username: 'bob',
    network: 'mastodon',
    media_id: 'b1',
    twitter_user: 'bob',
    twitter_handler: 'bob',
    user_name: 'bob',
  });
  assert.equal(parseJob(sent, 'engine job').network, 'mastodon', 'not taken for an X request');
  assert.deepEqual(withOriginalFields({ id: 'u9' }), { id: 'u9', media_id: 'u9' });
});
