import { Worker } from 'node:worker_threads';

// Touching fresh memory costs a page fault per 4 KiB page; on the virtual machines this runs on
// that is about 3 ms per MB, or half a second for an 8000×8000 canvas. A helper thread touches
// the canvas while the main thread plans the mosaic, so the cost is hidden on a second core. With
// glibc's transparent huge pages (GLIBC_TUNABLES=glibc.malloc.hugetlb=1, set by bin/mosaicme.js)
// the canvas faults in 2 MiB pages and the helper is done in 20–330 ms instead of about 500.
const TOUCH = `
const { workerData, parentPort } = require('node:worker_threads');
const bytes = new Uint8Array(workerData);
for (let i = 0; i < bytes.length; i += 4096) bytes[i] = 0;
parentPort.postMessage('done');
`;

/** A zeroed buffer of `size` bytes whose pages are being touched by another thread; await `ready` before timing-sensitive use. */
export function prefaultedBuffer(size: number): { data: Uint8Array; ready: Promise<void> } {
  const shared = new SharedArrayBuffer(size);
  const worker = new Worker(TOUCH, { eval: true, workerData: shared });
  const ready = new Promise<void>((resolve) => {
    worker.once('message', () => resolve());
    worker.once('error', () => resolve());
    worker.once('exit', () => resolve());
  }).then(() => worker.terminate().then(() => undefined));
  return { data: new Uint8Array(shared), ready };
}
