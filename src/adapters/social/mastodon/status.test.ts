import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { mastodon } from 'masto';
import { newer, plainText, toSocialPost } from './status.js';

const ctx = { botId: '1', domain: 'example.social', mediaHosts: ['example.social'] };
const status = (over: Partial<mastodon.v1.Status> = {}) =>
  ({
    id: '110000000000000001',
    uri: 'https://example.social/users/amy/statuses/1',
    url: 'https://example.social/@amy/1',
    createdAt: '2026-11-28T10:00:00.000Z',
    content: '<p>look &amp; see<br>a <a href="x">#mosaicme</a></p><p>two</p>',
    reblog: null,
    account: { id: '7', acct: 'amy', username: 'amy', displayName: '', url: 'https://example.social/@amy' },
    mediaAttachments: [{ id: 'm1', type: 'image', url: 'https://files.example.social/a.jpg' }],
    ...over,
  }) as unknown as mastodon.v1.Status;

test('ids compare as the large numbers they are', () => {
  assert.ok(newer('110000000000000010', '110000000000000009'));
  assert.ok(newer('1000', '999'));
  assert.ok(!newer('999', '1000'));
  assert.ok(!newer('5', '5'));
  assert.ok(newer('5', undefined));
});

test('HTML content becomes plain text', () => {
  assert.equal(plainText(status().content), 'look & see\na #mosaicme\n\ntwo');
});

test('a local author gets the instance domain; photos only, from the media hosts', () => {
  const r = toSocialPost(status(), 'tiles', ctx);
  assert.ok('post' in r);
  assert.equal(r.post.author.handle, 'amy@example.social');
  assert.equal(r.post.author.displayName, 'amy');
  assert.deepEqual(r.post.imageUrls, ['https://files.example.social/a.jpg']);
  assert.equal(r.post.role, 'tiles');
});

test('boosts, the bot, video only, no media and foreign image hosts are skipped with a reason', () => {
  const skip = (over: Partial<mastodon.v1.Status>) => {
    const r = toSocialPost(status(over), 'requests', ctx);
    return 'skip' in r ? r.skip : 'taken';
  };
  assert.equal(skip({ reblog: status() }), 'a boost');
  assert.equal(skip({ account: { ...status().account, id: '1' } }), 'our own post');
  const video = [{ id: 'v', type: 'video', url: 'https://example.social/v.mp4' }] as mastodon.v1.MediaAttachment[];
  assert.equal(skip({ mediaAttachments: video }), 'video or animation only, no photo');
  assert.equal(skip({ mediaAttachments: [] }), 'no photo');
  const foreign = [{ id: 'i', type: 'image', url: 'https://evil.example/a.jpg' }] as mastodon.v1.MediaAttachment[];
  assert.equal(skip({ mediaAttachments: foreign }), 'its images are not on the media hosts allowed');
  const broken = [{ id: 'i', type: 'image', url: 'not a url' }] as mastodon.v1.MediaAttachment[];
  assert.equal(skip({ mediaAttachments: broken }), 'its images are not on the media hosts allowed');
});
