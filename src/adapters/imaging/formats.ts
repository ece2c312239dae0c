/** sharp's own default input cap (0x3FFF² px); tiles and photos above it are refused. */
export const DEFAULT_MAX_INPUT_PIXELS = 268_402_689;
/** libjpeg's limit on a side; WebP's is 16,383 and PNG's is far larger. */
export const MAX_SIDE = { jpeg: 65_500, webp: 16_383, png: 1_000_000 } as const;
export type OutputFormat = keyof typeof MAX_SIDE;
