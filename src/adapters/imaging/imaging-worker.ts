import { MosaicError } from '../../core/errors.js';
import type { RawImage } from '../../core/types.js';
import type { EncodeRequest, ReadOptions } from '../../ports.js';
import { SharpImaging } from './sharp.js';

export type ImagingTask =
  | { op: 'size'; bytes: Uint8Array; opts?: ReadOptions }
  | { op: 'read'; bytes: Uint8Array; opts?: ReadOptions & { maxSide?: number } }
  | { op: 'encode'; image: RawImage; req: EncodeRequest }
  | { op: 'dzi'; image: RawImage; base: string; quality: number };

export type ImagingReply = { ok: true; value: unknown } | { ok: false; code: MosaicError['code']; message: string };

const imaging = new SharpImaging();

/** Runs in a worker thread: sharp's work, with MosaicErrors passed back as data (classes do not cross threads). */
export default async function run(task: ImagingTask): Promise<ImagingReply> {
  try {
    switch (task.op) {
      case 'size':
        return { ok: true, value: await imaging.photoSize(task.bytes, task.opts) };
      case 'read':
        return { ok: true, value: await imaging.readPhoto(task.bytes, task.opts) };
      case 'encode':
        return { ok: true, value: await imaging.encode(task.image, task.req) };
      case 'dzi':
        return { ok: true, value: await imaging.deepZoom(task.image, task.base, task.quality) };
    }
  } catch (err) {
    if (err instanceof MosaicError) return { ok: false, code: err.code, message: err.message };
    throw err;
  }
}
