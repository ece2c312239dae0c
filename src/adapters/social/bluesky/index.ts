export { verifyBluesky } from './agent.js';
export { blueskyMediaHosts, type BlueskyConfig } from './config.js';
export { blueskyPublisher } from './publisher.js';
export { blueskySource } from './source.js';
