import type { RawImage } from './core/types.js';

export type OutputFormat = 'jpeg' | 'webp' | 'png';
export type ReadOptions = { maxInputPixels?: number };
export type EncodeRequest = {
  format: OutputFormat;
  quality: number;
  /** width in px, 0 for none */ thumbnail: number;
  /** false: thumbnail only */ full: boolean;
};
export type Encoded = { image?: Uint8Array; thumbnail?: Uint8Array };

/**
 * Decoding and encoding images. Errors are MosaicErrors (UNREADABLE_IMAGE, IMAGE_TOO_LARGE) whose
 * message says what is wrong with the file, without its name. Not in it: tiles (see
 * adapters/imaging/tile-worker.ts) and file IO other than Deep Zoom output.
 */
export interface Imaging {
  /** Width and height after EXIF orientation, checked against the pixel limit. */
  photoSize(bytes: Uint8Array, opts?: ReadOptions): Promise<{ width: number; height: number }>;
  /** Upright sRGB pixels, shrunk to fit `maxSide` when larger. */
  readPhoto(bytes: Uint8Array, opts?: ReadOptions & { maxSide?: number }): Promise<RawImage>;
  /** The encoded image and its thumbnail, both from the pixels given. */
  encode(image: RawImage, req: EncodeRequest): Promise<Encoded>;
  /** Writes `<base>.dzi` and `<base>_files/`. */
  deepZoom(image: RawImage, base: string, quality: number): Promise<void>;
  close(): Promise<void>;
}
