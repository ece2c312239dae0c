import type { Io } from './output.js';

export type Progress = { update: (done: number, total: number) => void; stop: () => void };

/** A bar with rate and ETA on a terminal; a plain line every 10 % when piped; nothing for --json. */
export async function progress(io: Io, label: string, quiet: boolean): Promise<Progress> {
  if (quiet) return { update: () => {}, stop: () => {} };
  if (io.isTTY) {
    const { SingleBar, Presets } = await import('cli-progress');
    const bar = new SingleBar(
      {
        format: `${label} [{bar}] {percentage}% {value}/{total} | {rate}/s | ETA {eta_formatted}`,
        stream: process.stderr,
        hideCursor: true,
      },
      Presets.shades_classic,
    );
    const started = Date.now();
    let running = false;
    return {
      update(done, total) {
        if (!running) {
          bar.start(total, 0, { rate: '0' });
          running = true;
        }
        const secs = Math.max((Date.now() - started) / 1000, 0.001);
        bar.update(done, { rate: Math.round(done / secs).toString() });
      },
      stop: () => running && bar.stop(),
    };
  }
  const started = Date.now();
  let nextShare = 0.1;
  return {
    update(done, total) {
      if (total === 0 || done / total < nextShare) return;
      while (done / total >= nextShare) nextShare += 0.1;
      const secs = Math.max((Date.now() - started) / 1000, 0.001);
      const rate = done / secs;
      const eta = rate > 0 ? Math.round((total - done) / rate) : 0;
      io.err(`${label}: ${done}/${total} (${Math.round((done / total) * 100)}%), ${Math.round(rate)}/s, ETA ${eta}s`);
    },
    stop: () => {},
  };
}
