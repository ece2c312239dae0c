import { Worker } from 'node:worker_threads';

// Touching fresh memory costs a page fault per page; on the virtual machines this runs on that is
// 50–500 ms for an 8000×8000 canvas, whether in 4 KiB pages or in glibc's transparent huge pages
// (GLIBC_TUNABLES=glibc.malloc.hugetlb=1, set by bin/mosaicme.js), depending on how the host backs
// the guest's memory that hour. A helper thread touches the canvas while the main thread plans the
// mosaic, so the cost is taken on a second core. The touch adds 0 atomically, which keeps whatever
// the main thread has written there: painting may start before the helper is done, behind it.
const TOUCH = `
const { workerData, parentPort } = require('node:worker_threads');
const bytes = new Uint8Array(workerData);
for (let i = 0; i < bytes.length; i += 4096) Atomics.add(bytes, i, 0);
parentPort.postMessage('done');
`;

/**
 * A zeroed shared buffer of `size` bytes whose pages are being touched by another thread. It may
 * be written at once; `touched` settles when the helper is done (or failed to start), and
 * `release()` stops it (safe to call at any time, more than once).
 * @example const canvas = prefaultedBuffer(w * h * 3); try { paint(canvas.data); } finally { await canvas.release(); }
 */
export function prefaultedBuffer(size: number): {
  data: Uint8Array;
  touched: Promise<void>;
  release: () => Promise<void>;
} {
  const shared = new SharedArrayBuffer(size);
  const worker = new Worker(TOUCH, { eval: true, workerData: shared });
  let stopped: Promise<void> | undefined;
  const release = () => (stopped ??= worker.terminate().then(() => undefined));
  // The helper only saves time: a failure to start or finish it changes nothing else.
  const touched = new Promise<void>((resolve) => {
    worker.once('message', () => resolve());
    worker.once('error', () => resolve());
    worker.once('exit', () => resolve());
  });
  void touched.then(release);
  return { data: new Uint8Array(shared), touched, release };
}
