export { xMediaHosts, type XConfig } from './config.js';
export { verifyX, xPublisher } from './publisher.js';
export { xSource } from './source.js';
