export * from './labels.js';
export * from './grid.js';
export * from './placement.js';
export * from './pyramid.js';
export * from './paint.js';
