import sharp from 'sharp';
import { cellLabel } from '../../core/wall/labels.js';
import type { RawImage } from '../../core/types.js';

type Sharp = ReturnType<typeof sharp>;
type Rect = { x: number; y: number; w: number; h: number };

/** Bold sans that Debian ships (fonts-dejavu-core); fontconfig falls back to any sans without it. */
const FONT = `'DejaVu Sans', 'Bitstream Vera Sans', sans-serif`;
const JPEG_QUALITY = 92;
const WHITE = { r: 255, g: 255, b: 255 };

const fromRaw = (image: RawImage) =>
  sharp(image.data, {
    raw: { width: image.width, height: image.height, channels: image.channels },
    limitInputPixels: false,
  });

const bytes = (buf: Buffer) => new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);

/** A white canvas to compose a print on; raw pixels never exist for it, libvips makes them on demand. */
const canvas = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: WHITE }, limitInputPixels: false });

/**
 * Makes text safe inside SVG: labels and titles come from users. Besides the five XML specials,
 * characters XML 1.0 forbids (control codes, U+FFFE/U+FFFF) would make librsvg refuse the whole
 * overlay, so they go; line breaks become spaces because each text element is one line.
 */
export function escapeXml(text: string): string {
  return text
    .replace(/[\t\n\r]+/g, ' ')
    .replace(/[\u0000-\u001f\u007f\ufffe\uffff]/g, '') // eslint-disable-line no-control-regex
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/**
 * Rough advance of `text` in DejaVu Sans Bold, in em. It errs on the wide side so a fitted line
 * never runs off the print; exact metrics would need the font file, which the SVG renderer owns.
 */
function textEm(text: string): number {
  let em = 0;
  for (const ch of text) {
    if (/[\s.,:;'!|ilj()[\]]/.test(ch)) em += 0.4;
    else if (/[MWmw@]/.test(ch)) em += 1.05;
    else if (/[a-z]/.test(ch)) em += 0.7;
    else if (/[\x20-\x7e]/.test(ch)) em += 0.8;
    else em += 1.05; // accents, CJK and emoji: assume a full square
  }
  return em;
}

/**
 * The biggest font size up to `max` px at which `text` fits `width` px, and the text cut with an
 * ellipsis when even `min` px is too big: a long title must shrink or shorten, never overflow.
 */
export function fitText(text: string, width: number, max: number, min: number): { text: string; size: number } {
  const em = textEm(text);
  const size = Math.floor(Math.min(max, em > 0 ? width / em : max));
  if (size >= min) return { text, size };
  const chars = [...text];
  while (chars.length > 1 && textEm(chars.join('') + '…') * min > width) chars.pop();
  return { text: chars.join('').trimEnd() + '…', size: min };
}

/** One line of text as SVG; `anchor` says which end (or the middle) sits at `x`. */
function svgText(
  s: string,
  x: number,
  baseline: number,
  size: number,
  o: { anchor?: 'start' | 'middle' | 'end'; fill?: string; bold?: boolean } = {},
): string {
  const weight = o.bold === false ? 'normal' : 'bold';
  return (
    `<text x="${x}" y="${baseline}" font-family="${FONT}" font-size="${size}" font-weight="${weight}" ` +
    `text-anchor="${o.anchor ?? 'start'}" fill="${o.fill ?? '#000'}">${escapeXml(s)}</text>`
  );
}

/** A baseline that centres capitals and digits (cap height ≈ 0.73 em) vertically in a box. */
const centredBaseline = (top: number, height: number, size: number) => Math.round(top + height / 2 + size * 0.36);

const svg = (width: number, height: number, body: string) =>
  Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
      `${body}</svg>`,
  );

/** A raw RGB buffer ready to composite, with the `raw` description sharp needs for it. */
async function rawInput(img: Sharp): Promise<{ input: Buffer; raw: { width: number; height: number; channels: 3 } }> {
  const { data, info } = await img.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { input: data, raw: { width: info.width, height: info.height, channels: 3 } };
}

/** JPEG for prints: 4:4:4 chroma keeps thin coloured lines and small text crisp. */
const printJpeg = (img: Sharp, dpi: number, quality = JPEG_QUALITY) =>
  img.jpeg({ quality, chromaSubsampling: '4:4:4', mozjpeg: false, optimiseCoding: false }).withDensity(dpi);

/**
 * The "this side up" mark: a filled white triangle pointing up, outlined in black so it shows on
 * light and dark photos alike. Stickers are square, so without it a guest can stick one on sideways.
 */
function uprightMark(size: number): string {
  const m = Math.max(6, Math.round(size * 0.08));
  const pad = Math.max(2, Math.round(size * 0.03));
  const stroke = Math.max(1, Math.round(size * 0.006));
  const pts = `${pad + m / 2},${pad} ${pad + m},${pad + m} ${pad},${pad + m}`;
  return `<polygon points="${pts}" fill="#fff" stroke="#000" stroke-width="${stroke}" stroke-linejoin="round"/>`;
}

/** The dark band along the bottom of a sticker with the cell label (and the event title, if any) in it. */
function labelBand(size: number, label: string, title?: string): string {
  const band = Math.max(10, Math.round(size * 0.12));
  const top = size - band;
  const pad = Math.round(band * 0.25);
  let body = `<rect x="0" y="${top}" width="${size}" height="${band}" fill="#000" fill-opacity="0.68"/>`;
  if (!title?.trim()) {
    const fit = fitText(label, size - 2 * pad, Math.round(band * 0.72), 6);
    return (
      body +
      svgText(fit.text, size / 2, centredBaseline(top, band, fit.size), fit.size, { anchor: 'middle', fill: '#fff' })
    );
  }
  // Label right, big; the title takes what is left on the left, smaller, shortened if need be.
  const lab = fitText(label, size * 0.55 - 2 * pad, Math.round(band * 0.72), 6);
  const labWidth = Math.ceil(textEm(lab.text) * lab.size);
  body += svgText(lab.text, size - pad, centredBaseline(top, band, lab.size), lab.size, {
    anchor: 'end',
    fill: '#fff',
  });
  const room = size - labWidth - 3 * pad;
  if (room < band) return body;
  const tit = fitText(title.trim(), room, Math.round(band * 0.4), Math.max(6, Math.round(band * 0.3)));
  return body + svgText(tit.text, pad, centredBaseline(top, band, tit.size), tit.size, { fill: '#fff', bold: false });
}

/**
 * A guest's sticker for the physical board: the photo filling a `sizePx` square, its cell label
 * in a dark band along the bottom and an upright mark top left, as a JPEG stamped with `dpi` so
 * it prints at the board's cell size.
 */
export async function renderSticker(o: {
  photo: RawImage;
  label: string;
  sizePx: number;
  dpi: number;
  title?: string;
}): Promise<Uint8Array> {
  const size = Math.round(o.sizePx);
  const overlay = svg(size, size, labelBand(size, o.label, o.title) + uprightMark(size));
  const photo = await rawInput(fromRaw(o.photo).resize(size, size, { fit: 'cover', kernel: 'lanczos3' }));
  const img = canvas(size, size).composite([photo, { input: overlay, left: 0, top: 0 }]);
  return bytes(await printJpeg(img, o.dpi).toBuffer());
}

/** Where each part of a takeaway print goes, from its size alone. */
function takeawayLayout(width: number, height: number) {
  const margin = Math.round(Math.min(width, height) * 0.05);
  const inner = width - 2 * margin;
  const titleH = Math.round(height * 0.08);
  const captionH = Math.round(height * 0.06);
  const gap = Math.round(margin / 2);
  const photoSide = Math.max(1, Math.min(inner, Math.round(height * 0.45)));
  const photo = { x: Math.round((width - photoSide) / 2), y: margin + titleH, w: photoSide, h: photoSide };
  const wallTop = photo.y + photoSide + gap;
  const wall = { x: margin, y: wallTop, w: inner, h: Math.max(1, height - margin - captionH - gap - wallTop) };
  const title = { x: margin, y: margin, w: inner, h: titleH };
  const caption = { x: margin, y: height - margin - captionH, w: inner, h: captionH };
  return { photo, wall, title, caption };
}

/** The scale and offset that fit a `w`×`h` image inside `box` without cropping, centred. */
function fitInside(w: number, h: number, box: Rect): Rect & { scale: number } {
  const scale = Math.min(box.w / w, box.h / h);
  const fw = Math.max(1, Math.round(w * scale));
  const fh = Math.max(1, Math.round(h * scale));
  return { x: box.x + Math.round((box.w - fw) / 2), y: box.y + Math.round((box.h - fh) / 2), w: fw, h: fh, scale };
}

/**
 * The guest's cell ringed on the shrunk wall: a red frame with a white outer edge so it shows on
 * any colour, never smaller than a few strokes so a cell of a few pixels can still be found.
 */
function highlightFrame(cell: Rect, wall: Rect & { scale: number }, printWidth: number): string {
  const stroke = Math.max(2, Math.round(printWidth * 0.004));
  const minSide = stroke * 4;
  const cx = wall.x + (cell.x + cell.w / 2) * wall.scale;
  const cy = wall.y + (cell.y + cell.h / 2) * wall.scale;
  const w = Math.max(minSide, cell.w * wall.scale) + stroke;
  const h = Math.max(minSide, cell.h * wall.scale) + stroke;
  const rect = (grow: number, colour: string, sw: number) =>
    `<rect x="${(cx - w / 2 - grow).toFixed(1)}" y="${(cy - h / 2 - grow).toFixed(1)}" ` +
    `width="${(w + 2 * grow).toFixed(1)}" height="${(h + 2 * grow).toFixed(1)}" fill="none" stroke="${colour}" stroke-width="${sw}"/>`;
  return rect(stroke / 2, '#fff', stroke * 2) + rect(0, '#e00000', stroke);
}

/**
 * The photo print a guest takes home: the event title, their photo large, the wall so far with
 * their cell framed, and where to find it ("Your photo is at C-14"), as a JPEG of exactly
 * `widthPx`×`heightPx` stamped with `dpi` (4×6 in at 300 dpi is 1200×1800).
 */
export async function renderTakeaway(o: {
  photo: RawImage;
  wall: RawImage;
  highlight?: Rect;
  title: string;
  label: string;
  widthPx: number;
  heightPx: number;
  dpi: number;
}): Promise<Uint8Array> {
  const width = Math.round(o.widthPx);
  const height = Math.round(o.heightPx);
  const at = takeawayLayout(width, height);
  const wall = fitInside(o.wall.width, o.wall.height, at.wall);
  const [photo, wallPx] = await Promise.all([
    rawInput(fromRaw(o.photo).resize(at.photo.w, at.photo.h, { fit: 'cover', kernel: 'lanczos3' })),
    rawInput(fromRaw(o.wall).resize(wall.w, wall.h, { fit: 'fill', kernel: 'lanczos3' })),
  ]);
  const title = fitText(
    o.title.trim(),
    at.title.w,
    Math.round(at.title.h * 0.7),
    Math.max(8, Math.round(width * 0.02)),
  );
  const caption = fitText(`Your photo is at ${o.label}`, at.caption.w, Math.round(at.caption.h * 0.6), 8);
  const overlay = svg(
    width,
    height,
    svgText(title.text, width / 2, centredBaseline(at.title.y, at.title.h, title.size), title.size, {
      anchor: 'middle',
    }) +
      svgText(caption.text, width / 2, centredBaseline(at.caption.y, at.caption.h, caption.size), caption.size, {
        anchor: 'middle',
        fill: '#222',
      }) +
      (o.highlight ? highlightFrame(o.highlight, wall, width) : ''),
  );
  const img = canvas(width, height).composite([
    { ...photo, left: at.photo.x, top: at.photo.y },
    { ...wallPx, left: wall.x, top: wall.y },
    { input: overlay, left: 0, top: 0 },
  ]);
  return bytes(await printJpeg(img, o.dpi).toBuffer());
}

export type BoardSheet = { name: string; row0: number; col0: number; rows: number; cols: number; image: Uint8Array };

/** How the board is cut: whole cells per sheet (at least one) and how many sheets each way. */
export function boardSheetGrid(cols: number, rows: number, cellPx: number, sheetPx: { width: number; height: number }) {
  const perCols = Math.max(1, Math.floor(sheetPx.width / cellPx));
  const perRows = Math.max(1, Math.floor(sheetPx.height / cellPx));
  return { perCols, perRows, sheetCols: Math.ceil(cols / perCols), sheetRows: Math.ceil(rows / perRows) };
}

/**
 * The faint target under one sheet's cells: the target stretched over the whole board and blended
 * with white at `ghost`. libvips computes a resize lazily, so asking for one sheet's window of
 * the board-sized resize only makes that window's pixels, and every sheet samples the same
 * resize, so neighbouring sheets line up exactly.
 */
function ghostWindow(target: RawImage, board: { width: number; height: number }, win: Rect, ghost: number): Sharp {
  return fromRaw(target)
    .removeAlpha()
    .resize(board.width, board.height, { fit: 'fill' })
    .extract({ left: win.x, top: win.y, width: win.w, height: win.h })
    .linear(ghost, 255 * (1 - ghost));
}

/**
 * Grid lines and labels for the cells of one sheet, in sheet pixels from `origin`. Every line is
 * an even number of pixels wide and centred on the boundary between two cells, so it covers
 * whole pixels, the same on both sides (a 1 px stroke on a boundary would be two half-grey
 * pixels, fainter than meant). The outer lines are centred on the cells' edge too: half of them
 * lies in the margin, so sheets cut at the cells' edge and laid side by side join into lines of
 * the same width as inside a sheet.
 */
function sheetGrid(
  s: { row0: number; col0: number; rows: number; cols: number },
  totalCols: number,
  cellPx: number,
  origin: { x: number; y: number },
): string {
  const line = 2 * Math.max(1, Math.round(cellPx / 240));
  const size = Math.max(7, Math.round(cellPx * 0.13));
  const pad = Math.max(2, Math.round(cellPx * 0.06));
  const w = s.cols * cellPx;
  const h = s.rows * cellPx;
  // Square caps reach half a line past each end, so the corners are filled.
  let body = `<g stroke="#555" stroke-width="${line}" stroke-linecap="square" fill="none">`;
  for (let c = 0; c <= s.cols; c++) {
    const x = origin.x + c * cellPx;
    body += `<line x1="${x}" y1="${origin.y}" x2="${x}" y2="${origin.y + h}"/>`;
  }
  for (let r = 0; r <= s.rows; r++) {
    const y = origin.y + r * cellPx;
    body += `<line x1="${origin.x}" y1="${y}" x2="${origin.x + w}" y2="${y}"/>`;
  }
  body += '</g>';
  for (let r = 0; r < s.rows; r++) {
    for (let c = 0; c < s.cols; c++) {
      const label = cellLabel((s.row0 + r) * totalCols + s.col0 + c, totalCols);
      const fit = fitText(label, cellPx - 2 * pad, size, 5);
      const x = origin.x + c * cellPx + pad;
      const y = origin.y + r * cellPx + pad + Math.round(fit.size * 0.8);
      body += svgText(fit.text, x, y, fit.size, { fill: '#333' });
    }
  }
  return body;
}

/** A caption under the cells saying which part of the board a sheet holds, when the margin has room. */
function sheetCaption(
  name: string,
  s: { row0: number; col0: number; rows: number; cols: number },
  totalCols: number,
  at: Rect,
): string {
  if (at.h < 14) return '';
  const first = cellLabel(s.row0 * totalCols + s.col0, totalCols);
  const last = cellLabel((s.row0 + s.rows - 1) * totalCols + s.col0 + s.cols - 1, totalCols);
  const fit = fitText(
    `${name.replace(/\.png$/, '')}: ${first} to ${last}`,
    at.w,
    Math.min(24, Math.round(at.h * 0.6)),
    7,
  );
  return svgText(fit.text, at.x, centredBaseline(at.y, at.h, fit.size), fit.size, { fill: '#555', bold: false });
}

/**
 * The map of the physical board, cut into printable sheets: every cell `cellPx` square with thin
 * lines and its label, over the target laid faintly so people see where the picture is going.
 * Each sheet holds as many whole cells as fit `sheetPx` (at least one), centred on the sheet at
 * the same place on every sheet, and is drawn on its own so memory stays that of one sheet
 * whatever the board's size. PNGs stamped with `dpi`, named `sheet-r<row>-c<col>.png` from 1.
 */
export async function renderBoardSheets(o: {
  target: RawImage;
  cols: number;
  rows: number;
  cellPx: number;
  dpi: number;
  sheetPx: { width: number; height: number };
  ghost?: number;
}): Promise<BoardSheet[]> {
  const cellPx = Math.round(o.cellPx);
  const ghost = Math.min(1, Math.max(0, o.ghost ?? 0.25));
  const board = { width: o.cols * cellPx, height: o.rows * cellPx };
  const g = boardSheetGrid(o.cols, o.rows, cellPx, o.sheetPx);
  const width = Math.max(Math.round(o.sheetPx.width), g.perCols * cellPx);
  const height = Math.max(Math.round(o.sheetPx.height), g.perRows * cellPx);
  const origin = {
    x: Math.floor((width - g.perCols * cellPx) / 2),
    y: Math.floor((height - g.perRows * cellPx) / 2),
  };
  const captionAt = {
    x: origin.x,
    y: origin.y + g.perRows * cellPx,
    w: g.perCols * cellPx,
    h: height - origin.y - g.perRows * cellPx,
  };
  const sheets: BoardSheet[] = [];
  for (let sr = 0; sr < g.sheetRows; sr++) {
    for (let sc = 0; sc < g.sheetCols; sc++) {
      const s = { row0: sr * g.perRows, col0: sc * g.perCols, rows: 0, cols: 0 };
      s.rows = Math.min(g.perRows, o.rows - s.row0);
      s.cols = Math.min(g.perCols, o.cols - s.col0);
      const name = `sheet-r${sr + 1}-c${sc + 1}.png`;
      const win = { x: s.col0 * cellPx, y: s.row0 * cellPx, w: s.cols * cellPx, h: s.rows * cellPx };
      const ghostPx = await rawInput(ghostWindow(o.target, board, win, ghost));
      const overlay = svg(
        width,
        height,
        sheetGrid(s, o.cols, cellPx, origin) + sheetCaption(name, s, o.cols, captionAt),
      );
      const img = canvas(width, height).composite([
        { ...ghostPx, left: origin.x, top: origin.y },
        { input: overlay, left: 0, top: 0 },
      ]);
      const png = await img.png({ compressionLevel: 6, effort: 1 }).withDensity(o.dpi).toBuffer();
      sheets.push({ name, ...s, image: bytes(png) });
    }
  }
  return sheets;
}

/**
 * Encodes a finished canvas (the poster) for print, stamped with `dpi` so it comes out at the
 * intended physical size. It streams from the pixels in memory without a size limit, so a
 * 10800×8100 poster costs its own pixels plus libvips' strips, not a second copy.
 */
export async function encodePrint(
  image: RawImage,
  o: { dpi: number; format: 'jpeg' | 'png'; quality?: number },
): Promise<Uint8Array> {
  const img = fromRaw(image).flatten({ background: WHITE });
  switch (o.format) {
    case 'jpeg':
      return bytes(await printJpeg(img, o.dpi, o.quality ?? JPEG_QUALITY).toBuffer());
    case 'png':
      return bytes(await img.png({ compressionLevel: 6, effort: 1 }).withDensity(o.dpi).toBuffer());
  }
}
