/**
 * How far a canvas is painted, shared between the thread that renders it and the thread that
 * encodes it, so the encoder can start on the first strips while later rows are still being
 * painted. One 32-bit counter on shared memory: the number of rows finished, or -1 when the
 * render failed and the encode should give up.
 */
export type RowsReady = Int32Array;

const FAILED = -1;

// Node has had Atomics.waitAsync since 16; TypeScript declares it only in its ES2024 library,
// which would also declare APIs that Node 20 lacks.
type WaitAsync = (
  a: Int32Array,
  index: number,
  value: number,
) => { async: false; value: string } | { async: true; value: Promise<string> };
const waitAsync: WaitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

/** A counter at 0 rows, and the two calls the renderer makes on it. */
export function rowsReady(): { counter: RowsReady; finished: (rows: number) => void; failed: () => void } {
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const set = (v: number) => {
    Atomics.store(counter, 0, v);
    Atomics.notify(counter, 0);
  };
  return { counter, finished: set, failed: () => set(FAILED) };
}

/** Resolves once `rows` rows are painted (at once without a counter); rejects if the render failed. */
export async function waitForRows(counter: RowsReady | undefined, rows: number): Promise<void> {
  if (!counter) return;
  for (;;) {
    const now = Atomics.load(counter, 0);
    if (now === FAILED) throw new Error('the canvas was not finished: render failed');
    if (now >= rows) return;
    const w = waitAsync(counter, 0, now);
    if (w.async) await w.value;
  }
}
