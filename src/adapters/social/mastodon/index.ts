export { verifyMastodon } from './client.js';
export { mastodonMediaHosts, type MastodonConfig } from './config.js';
export { mastodonPublisher } from './publisher.js';
export { mastodonSource } from './source.js';
