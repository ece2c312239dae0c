import { MosaicError } from '../../core/errors.js';
import type { RawImage } from '../../core/types.js';
import type { Encoded, EncodeRequest, Imaging, ReadOptions } from '../../ports.js';
import { WorkerPool } from '../workers.js';
import { DEFAULT_MAX_INPUT_PIXELS } from './formats.js';
import type { ImagingReply, ImagingTask } from './imaging-worker.js';
import { decodeJpegRgb, plainJpeg, warmJpegDecoder } from './jpeg-wasm.js';

/** Photos up to this size take the WebAssembly decoder; larger ones gain from libvips' shrink-on-load. */
const FAST_JPEG_PIXELS = 4_000_000;

/**
 * Imaging with sharp on a worker thread. Loading libvips takes about 0.2 s; on its own thread it
 * loads while this one reads the library and plans, and encoding runs beside the caller too.
 * Small plain JPEG photos are decoded here without sharp at all.
 */
export class ThreadedImaging implements Imaging {
  private readonly pool = new WorkerPool<ImagingTask, ImagingReply>(new URL('./imaging-worker.js', import.meta.url), 1);

  constructor() {
    warmJpegDecoder();
  }

  private async call<T>(task: ImagingTask): Promise<T> {
    const reply = await this.pool.run(task);
    if (!reply.ok) throw new MosaicError(reply.code, reply.message);
    return reply.value as T;
  }

  async photoSize(bytes: Uint8Array, opts: ReadOptions = {}): Promise<{ width: number; height: number }> {
    const h = plainJpeg(bytes, Math.min(opts.maxInputPixels ?? DEFAULT_MAX_INPUT_PIXELS, FAST_JPEG_PIXELS));
    if (h) return { width: h.width, height: h.height };
    return this.call({ op: 'size', bytes, opts });
  }

  async readPhoto(bytes: Uint8Array, opts: ReadOptions & { maxSide?: number } = {}): Promise<RawImage> {
    const h = plainJpeg(bytes, Math.min(opts.maxInputPixels ?? DEFAULT_MAX_INPUT_PIXELS, FAST_JPEG_PIXELS));
    if (h) {
      const scale = Math.min(1, (opts.maxSide ?? Infinity) / Math.max(h.width, h.height));
      try {
        return await decodeJpegRgb(
          bytes,
          Math.max(1, Math.round(h.width * scale)),
          Math.max(1, Math.round(h.height * scale)),
        );
      } catch {
        // Whatever the fast decoder cannot read, sharp gets to try and to explain.
      }
    }
    return this.call({ op: 'read', bytes, opts });
  }

  encode(image: RawImage, req: EncodeRequest): Promise<Encoded> {
    return this.call({ op: 'encode', image, req });
  }

  deepZoom(image: RawImage, base: string, quality: number): Promise<void> {
    return this.call({ op: 'dzi', image, base, quality });
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
