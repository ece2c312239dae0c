import sharp from 'sharp';
import type { RawImage } from '../../core/types.js';
import type { ReadOptions, WallImaging } from '../../ports.js';
import { readPhoto, readTile } from './sharp.js';
import { encodePrint, renderBoardSheets, renderSticker, renderTakeaway } from './wall-prints.js';

const fromRaw = (image: RawImage) =>
  sharp(image.data, {
    raw: { width: image.width, height: image.height, channels: image.channels as 3 },
    limitInputPixels: false,
  });

const raw = async (img: ReturnType<typeof sharp>): Promise<RawImage> => {
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    width: info.width,
    height: info.height,
    channels: 3,
  };
};

/** Live walls' image work with sharp, in this thread: each call is small (one cell, one tile, one print). */
export class SharpWallImaging implements WallImaging {
  cropSquare(bytes: Uint8Array, size: number, opts?: ReadOptions): Promise<Uint8Array> {
    return readTile(bytes, size, opts);
  }

  read(bytes: Uint8Array, opts?: ReadOptions & { maxSide?: number }): Promise<RawImage> {
    return readPhoto(bytes, opts);
  }

  resize(
    image: RawImage,
    width: number,
    height: number,
    region?: { left: number; top: number; width: number; height: number },
  ): Promise<RawImage> {
    let img = fromRaw(image);
    if (region) {
      const left = Math.max(0, Math.min(image.width - 1, Math.floor(region.left)));
      const top = Math.max(0, Math.min(image.height - 1, Math.floor(region.top)));
      img = img.extract({
        left,
        top,
        width: Math.max(1, Math.min(image.width - left, Math.round(region.width))),
        height: Math.max(1, Math.min(image.height - top, Math.round(region.height))),
      });
    }
    return raw(img.resize(width, height, { fit: 'fill', kernel: 'lanczos3' }).removeAlpha());
  }

  async jpeg(image: RawImage, quality: number, dpi?: number): Promise<Uint8Array> {
    if (dpi) return encodePrint(image, { dpi, format: 'jpeg', quality });
    return new Uint8Array(await fromRaw(image).jpeg({ quality, mozjpeg: false }).toBuffer());
  }

  sticker = renderSticker;
  takeaway = renderTakeaway;
  boardSheets = renderBoardSheets;
}
