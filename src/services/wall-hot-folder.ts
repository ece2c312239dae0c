import { markPrint, printQueue, type PrintJob } from './wall-print-stage.js';
import type { WallStore } from './wall-store.js';

/**
 * A printer's hot folder: the printer (or its spooler) prints every JPEG that appears in it.
 * `write` must make the file appear whole or not at all (a temporary name in the same folder,
 * then a rename), so the printer never picks up half a file.
 */
export type HotFolder = {
  write(name: string, bytes: Uint8Array): Promise<void>;
};

/** Which of a job's two prints go to this folder: a sticker printer and a 4×6 printer are often two. */
export type PrintKinds = 'both' | 'stickers' | 'takeaways';

export type HotFolderOptions = {
  kinds?: PrintKinds;
  /** Reprint jobs already ticked as printed. */
  all?: boolean;
  /** Hears of each job as soon as its files are written and it is ticked. */
  onPrint?: (w: WrittenPrint) => void;
};

export type WrittenPrint = { job: PrintJob; files: string[] };

/** Labels are `C-14`; anything else a file name cannot carry safely becomes `_`. */
const safe = (s: string) => s.replace(/[^A-Za-z0-9-]/g, '_').slice(0, 40);

/**
 * The file name of one print: the job's place in the wall's queue (from 1, four digits or more)
 * so that the printer, which prints in name order, prints in queue order; the label, so the
 * operator sees whose it is; and the kind. The place counts every job, printed or not, so a
 * later run goes on from where the earlier one ended and a reprint keeps its name.
 * @example printFileName(14, 'C-14', 'sticker') // "0014-C-14-sticker.jpg"
 */
export function printFileName(place: number, label: string, kind: 'sticker' | 'takeaway'): string {
  return `${String(place).padStart(4, '0')}-${safe(label)}-${kind}.jpg`;
}

/**
 * Writes the wall's print jobs not yet printed (every job with `all`) into the hot folder in
 * queue order, and ticks each as printed once its files are written, so the next run (or another
 * process watching the same wall) skips it. A job whose image is missing from storage is left
 * unticked for the next run. Returns what it wrote, in order.
 */
export async function writePrints(
  deps: { store: WallStore; folder: HotFolder },
  wall: string,
  opts: HotFolderOptions = {},
): Promise<WrittenPrint[]> {
  const kinds = opts.kinds ?? 'both';
  const queue = await printQueue(deps.store, wall);
  const written: WrittenPrint[] = [];
  for (const [i, job] of queue.entries()) {
    if (job.printedAt && !opts.all) continue;
    const parts: { kind: 'sticker' | 'takeaway'; key: string }[] = [];
    if (kinds !== 'takeaways') parts.push({ kind: 'sticker', key: job.sticker });
    if (kinds !== 'stickers') parts.push({ kind: 'takeaway', key: job.takeaway });
    const images = await Promise.all(parts.map((p) => deps.store.bytes(wall, p.key)));
    if (images.some((b) => !b)) continue;
    const files: string[] = [];
    for (const [k, p] of parts.entries()) {
      const name = printFileName(i + 1, job.label, p.kind);
      await deps.folder.write(name, images[k]!);
      files.push(name);
    }
    const w = { job: await markPrint(deps.store, wall, job.photo, { printed: true }), files };
    written.push(w);
    opts.onPrint?.(w);
  }
  return written;
}

/**
 * Keeps writing new print jobs into the hot folder as the print stage makes them, checking every
 * `intervalMs`, until `signal` aborts; the round in hand finishes first, so no file is left half
 * written and no written job unticked. The first round honours `all`; later rounds write only
 * what is new. A round that fails (storage away, the folder full) is reported to `onError` and
 * tried again at the next tick: an event's printer must not stop for one hiccup. Returns how many
 * jobs it wrote.
 */
export async function watchPrints(
  deps: { store: WallStore; folder: HotFolder },
  wall: string,
  opts: HotFolderOptions & { signal: AbortSignal; intervalMs?: number; onError?: (err: unknown) => void },
): Promise<number> {
  const interval = opts.intervalMs ?? 2000;
  let count = 0;
  let all = opts.all;
  while (!opts.signal.aborted) {
    try {
      await writePrints(deps, wall, {
        kinds: opts.kinds,
        all,
        onPrint: (w) => {
          count++;
          opts.onPrint?.(w);
        },
      });
      all = false;
    } catch (err) {
      opts.onError?.(err);
    }
    await sleep(interval, opts.signal);
  }
  return count;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
