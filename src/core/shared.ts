/**
 * Typed arrays on shared memory: handed to a worker thread they are shared, not copied (cloning
 * a 10,000-tile index and a 15,000-cell grid costs more than half the search it would save).
 */
export const sharedFloat32 = (n: number): Float32Array => new Float32Array(new SharedArrayBuffer(n * 4));
export const sharedInt32 = (n: number): Int32Array => new Int32Array(new SharedArrayBuffer(n * 4));
export const sharedUint16 = (n: number): Uint16Array => new Uint16Array(new SharedArrayBuffer(n * 2));
