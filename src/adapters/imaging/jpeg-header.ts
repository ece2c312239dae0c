/** What a JPEG's headers say, read without decoding anything. */
export type JpegHeader = {
  width: number;
  height: number;
  components: number;
  precision: number;
  /** SOF marker type: 0 baseline, 1 extended, 2 progressive, others are rare codings. */
  sof: number;
  orientation: number;
  hasIcc: boolean;
  adobe: boolean;
};

const u16 = (b: Uint8Array, i: number, le = false) => (le ? b[i] | (b[i + 1] << 8) : (b[i] << 8) | b[i + 1]);
const u32 = (b: Uint8Array, i: number, le: boolean) =>
  le
    ? (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0
    : ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;

function exifOrientation(b: Uint8Array, start: number, end: number): number {
  const t = start + 6; // after "Exif\0\0"
  if (t + 8 > end) return 1;
  const le = b[t] === 0x49;
  const ifd = t + u32(b, t + 4, le);
  if (ifd + 2 > end) return 1;
  const n = u16(b, ifd, le);
  for (let k = 0; k < n; k++) {
    const e = ifd + 2 + k * 12;
    if (e + 12 > end) break;
    if (u16(b, e, le) === 0x0112) return u16(b, e + 8, le);
  }
  return 1;
}

/**
 * Reads the markers of a JPEG up to its first scan: size, components, coding, EXIF orientation and
 * whether it carries a colour profile or an Adobe (CMYK/YCCK) marker. Returns undefined for
 * anything that is not a well-formed JPEG header; callers then use the full decoder.
 * @example readJpegHeader(bytes)?.orientation // 1
 */
export function readJpegHeader(b: Uint8Array): JpegHeader | undefined {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  const h: Partial<JpegHeader> = { orientation: 1, hasIcc: false, adobe: false };
  let i = 2;
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1];
    if (marker === 0xff) {
      i++;
      continue;
    }
    const len = u16(b, i + 2);
    const start = i + 4;
    const end = i + 2 + len;
    if (len < 2 || end > b.length) return undefined;
    const tag = (s: string) => s.split('').every((c, k) => b[start + k] === c.charCodeAt(0));
    if (marker === 0xe1 && tag('Exif\0\0')) h.orientation = exifOrientation(b, start, end);
    else if (marker === 0xe2 && tag('ICC_PROFILE')) h.hasIcc = true;
    else if (marker === 0xee && tag('Adobe')) h.adobe = true;
    else if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      h.sof = marker - 0xc0;
      h.precision = b[start];
      h.height = u16(b, start + 1);
      h.width = u16(b, start + 3);
      h.components = b[start + 5];
    } else if (marker === 0xda) break;
    i = end;
  }
  return h.sof === undefined ? undefined : (h as JpegHeader);
}
