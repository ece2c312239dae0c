/** sharp's own default input cap (0x3FFF² px); tiles and photos above it are refused. */
export const DEFAULT_MAX_INPUT_PIXELS = 268_402_689;
import type { OutputFormat } from '../../ports.js';

export type { OutputFormat };
/** libjpeg's limit on a side; WebP's is 16,383 and PNG's is far larger. */
export const MAX_SIDE: Record<OutputFormat, number> = { jpeg: 65_500, webp: 16_383, png: 1_000_000 };
